"""The grade table a tutor downloads: an nbgrader export plugin, one row per student."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Dict, List

from mhtrain import files
from mhtrain.errors import MhtrainError

#: A submission's status in the table.
GRADED = "graded"
GRADED_WITH_PROBLEMS = "graded, with problems"
NOT_GRADED = "could not be marked"
NOT_SUBMITTED = "not handed in"


#: The time zone due dates and hand-in times are shown in (a date alone means the end of
#: that day here).
COURSE_TIME_ZONE = "Europe/London"


def local_time(moment: dt.datetime | None) -> str:
    """Return a time nbgrader stores (naive, in UTC) as ISO 8601 in the course's time zone."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(COURSE_TIME_ZONE)).isoformat(timespec="seconds")


def late_by_text(seconds: float | None) -> str:
    """Say how late something was in words ("2 days 3 h 5 min"); "" when it was not late."""
    if not seconds or seconds <= 0:
        return ""
    minutes = max(1, round(seconds / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes else []
    return " ".join(parts)


def lateness(submission: Any) -> tuple[str | None, float | None]:
    """Return when a gradebook submission was handed in, and how many seconds late.

    The time is nbgrader's own (read from the submission's ``timestamp.txt``) and the
    lateness is nbgrader's ``total_seconds_late`` against the lesson's due date (with any
    extension). Either is None when unknown: no time recorded, or no due date set.
    """
    if submission is None or submission.timestamp is None:
        return None, None
    late = float(submission.total_seconds_late) if submission.duedate is not None else None
    return local_time(submission.timestamp), late


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{float(value):g}"


def _graded_cells(gradebook: Gradebook, lesson: str) -> list[str]:
    """The names of a lesson's graded cells as the gradebook has them, sorted."""
    try:
        notebooks = gradebook.find_assignment(lesson).notebooks
    except MissingEntry:
        return []
    return sorted(cell.name for nb in notebooks for cell in nb.grade_cells)


class GradeTable(ExportPlugin):
    """Export one lesson's grades as a CSV table, one row per student, one column per cell.

    nbgrader's own CSV export gives one score per assignment; a tutor also needs each graded
    cell's mark, what is left to mark by hand, and what went wrong while marking. Set
    ``assignment`` to the one lesson, ``to`` to the CSV file, ``order`` to the lesson's graded
    cells, and ``statuses`` / ``problems`` to what marking recorded per student.
    """

    order = List([], help="Grade ids of the lesson's graded cells, in lesson order.")
    statuses = Dict({}, help="Each student's status as marking recorded it.")
    problems = Dict({}, help="Each student's problems as marking recorded them.")

    def rows(self, gradebook: Gradebook) -> list[dict[str, Any]]:
        """Return the table's rows: everyone in the gradebook, and anyone marking saw."""
        if len(self.assignment) != 1:
            raise MhtrainError(
                "the grade table is made for one lesson; give exactly one assignment"
            )
        [lesson] = self.assignment
        if not self.order:
            self.order = _graded_cells(gradebook, lesson)
        students = {s.id: s for s in gradebook.students}
        return [
            self._row(gradebook, lesson, sid, students.get(sid))
            for sid in sorted(set(students) | set(self.statuses))
        ]

    def _row(self, gradebook: Gradebook, lesson: str, sid: str, student: Any) -> dict[str, Any]:
        row: dict[str, Any] = {
            "student_id": sid,
            "first_name": (student.first_name or "") if student else "",
            "last_name": (student.last_name or "") if student else "",
            "email": (student.email or "") if student else "",
            "lesson": lesson,
        }
        problems = self.problems.get(sid, [])
        try:
            submission = gradebook.find_submission(lesson, sid)
        except MissingEntry:
            submission = None
        status = self.statuses.get(sid)
        if status is None:
            status = (
                (GRADED_WITH_PROBLEMS if problems else GRADED)
                if submission is not None
                else NOT_SUBMITTED
            )
        cells: dict[str, str] = dict.fromkeys(self.order, "")
        to_mark: list[str] = []
        score = max_score = ""
        submitted_at, late_by = lateness(submission)
        if submission is not None and status != NOT_GRADED:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    value = grade.manual_score
                    if value is None:
                        value = grade.auto_score
                    cells[grade.name] = _number(value)
                    if grade.needs_manual_grade:
                        to_mark.append(grade.name)
            score = _number(submission.score)
            max_score = _number(submission.max_score)
        order = list(self.order)
        row.update(
            {
                "status": status,
                "score": score,
                "max_score": max_score,
                "submitted at": submitted_at or "",
                "late by": late_by_text(late_by),
                "to mark by hand": " ".join(sorted(to_mark, key=order.index))
                if all(t in order for t in to_mark)
                else " ".join(sorted(to_mark)),
                "problems": "; ".join(problems),
            }
        )
        row.update(cells)
        return row

    def export(self, gradebook: Gradebook) -> list[dict[str, Any]]:
        """Write the table to ``to`` (atomically) and return its rows."""
        rows = self.rows(gradebook)
        buffer = io.StringIO()
        fields = list(rows[0]) if rows else ["student_id", "status"]
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        files.write_text(self.to or f"{self.assignment[0]}.csv", buffer.getvalue())
        return rows
