"""Due dates: ``course init --due`` hands each lesson's deadline to nbgrader, checked first."""

from __future__ import annotations

import contextlib
import datetime as dt
import io

import pytest
from nbgrader.api import Gradebook

from mhtrain.cli import main
from mhtrain.course.nbgrader.export import late_by_text, local_time
from mhtrain.course.tutor import read_course
from mhtrain.course.tutor.setup import due_dates, parse_due_date
from mhtrain.errors import MhtrainError

LESSON = "00-getting-started"


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        # A date alone is the end of that day in London: GMT in winter, BST (UTC+1) in summer.
        ("2026-12-08", dt.datetime(2026, 12, 8, 23, 59, 59)),
        ("2026-07-01", dt.datetime(2026, 7, 1, 22, 59, 59)),
        ("2026-12-08T17:00+00:00", dt.datetime(2026, 12, 8, 17, 0)),
        ("2026-12-08T17:00Z", dt.datetime(2026, 12, 8, 17, 0)),
        ("2026-12-08T17:00:30+02:00", dt.datetime(2026, 12, 8, 15, 0, 30)),
        ("2026-06-30T09:00-05:00", dt.datetime(2026, 6, 30, 14, 0)),
    ],
)
def test_due_dates_become_the_utc_time_nbgrader_keeps(text, utc):
    assert parse_due_date(text) == utc


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026-12-08T17:00", "no time zone"),
        ("tomorrow", "not an ISO 8601 date"),
        ("08/12/2026", "not an ISO 8601 date"),
        ("2026-02-30", "not an ISO 8601 date"),
    ],
)
def test_a_bad_due_date_is_refused_with_the_fix(text, says):
    with pytest.raises(MhtrainError, match=says) as caught:
        parse_due_date(text)
    assert "2026-12-08" in str(caught.value)  # it shows a form that works
    assert "\n" not in str(caught.value)


def test_local_time_and_lateness_in_words():
    assert local_time(dt.datetime(2026, 7, 1, 12, 0)) == "2026-07-01T13:00:00+01:00"
    assert local_time(dt.datetime(2026, 12, 1, 12, 0)) == "2026-12-01T12:00:00+00:00"
    assert local_time(None) == ""
    assert late_by_text(0) == ""
    assert late_by_text(None) == ""
    assert late_by_text(20) == "1 min"  # late is late, however little
    assert late_by_text(3 * 3600 + 5 * 60) == "3 h 5 min"
    assert late_by_text(86400 + 2 * 3600) == "1 day 2 h"
    assert late_by_text(2 * 86400) == "2 days"


def _init(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["course", "init", *args])
        except SystemExit as exc:  # argparse refuses malformed options itself
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("due", "says"),
    [
        ("00", "is not LESSON=DATE"),
        ("00=", "is not LESSON=DATE"),
        ("00=next friday", "not an ISO 8601 date"),
        ("00=2026-12-08T17:00", "no time zone"),
        ("07=2026-12-08", "no lesson '07'"),
    ],
)
def test_bad_due_options_exit_2_with_one_line_and_make_no_course(tmp_path, due, says):
    root = tmp_path / "course"
    code, _, err = _init(str(root), "--lessons", "00", "--due", due)
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert says in last
    assert not root.exists()


def test_the_same_lesson_twice_is_refused(tmp_path):
    code, _, err = _init(
        str(tmp_path / "c"), "--lessons", "00", "--due", "00=2026-12-08", "--due", "00=2026-12-09"
    )
    assert code == 2 and "twice" in err


@pytest.mark.slow
def test_due_dates_are_kept_in_nbgrader_and_changed_or_removed_by_init_again(tmp_path):
    root = tmp_path / "course"
    code, out, err = _init(str(root), "--lessons", "00", "--due", "0=2026-12-08T17:00+00:00")
    assert code == 0, err
    assert "Due dates (Europe/London time): 00-getting-started 2026-12-08T17:00:00+00:00" in out
    course = read_course(root)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course.course_id) as gb:
        assert gb.find_assignment(LESSON).duedate == dt.datetime(2026, 12, 8, 17, 0)
    # Stored once, in the gradebook: no other copy in the settings file.
    assert "2026-12-08" not in (root / "nbgrader_config.py").read_text(encoding="utf-8")

    assert _init(str(root))[0] == 0  # an update that names no due date keeps it
    assert due_dates(root) == {LESSON: "2026-12-08T17:00:00+00:00"}

    assert _init(str(root), "--due", f"{LESSON}=2026-12-15")[0] == 0
    assert due_dates(root) == {LESSON: "2026-12-15T23:59:59+00:00"}

    code, out, _ = _init(str(root), "--due", "00=none")
    assert code == 0
    assert due_dates(root) == {}
    assert "Due dates" not in out


def test_the_marking_summary_says_who_was_late_and_when_nobody_was():
    from mhtrain.course.tutor import GradeReport

    def row(student, late="", status="graded"):
        return {"student_id": student, "status": status, "late by": late, "to mark by hand": ""}

    due = "2026-12-08T17:00:00+00:00"
    rows = [row("ab1"), row("cd2", "1 day 2 h"), row("ef3", status="not handed in")]
    text = GradeReport(lesson=LESSON, rows=rows, due=due).summary()
    assert f"Late (1 of 2, due {due}): cd2 by 1 day 2 h." in text
    on_time = GradeReport(lesson=LESSON, rows=rows[:1], due=due).summary()
    assert f"Late: none of the 1 handed in (due {due})." in on_time
    assert "Late" not in GradeReport(lesson=LESSON, rows=rows[:1]).summary()  # no due date
