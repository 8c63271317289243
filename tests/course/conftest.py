"""Fixtures shared by the course tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def lesson0_class(tmp_path_factory):
    """The grading tests' class of lesson 0, handed in, marked and reported on once for the
    grading tests (``test_tutor_grade.py``) and the class report's (``test_report_class.py``),
    which share an xdist group so that one worker makes it."""
    from test_report_class import hand_in_mark_and_report

    return hand_in_mark_and_report(tmp_path_factory.mktemp("lesson0-class"))
