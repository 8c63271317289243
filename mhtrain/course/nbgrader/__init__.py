"""The course's use of nbgrader: its configuration, preprocessors, API and grade export."""
