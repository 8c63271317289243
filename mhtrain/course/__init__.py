"""Building the course from notebooks/: nbgrader source, student notebooks, book, workspaces."""
