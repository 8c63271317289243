"""The course made from notebooks/: each lesson read once into a Lesson, then built for nbgrader
(``build``, ``nbgrader/``), for self-paced learners (``lab``), for the book (``book``,
``bookpages``), and run for a group by a tutor (``tutor/``)."""
