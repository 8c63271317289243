"""The marking record of a lesson (``grades/<lesson>-marking.json``): per learner, how marking
went, its problems, each exercise's outcome, and when the work came in."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nbgrader.api import MissingEntry

from mhtrain import files
from mhtrain.course.nbgrader.api import gradebook
from mhtrain.course.nbgrader.export import lateness
from mhtrain.course.tutor.setup import CourseSettings

#: Folder of grade tables inside a course.
GRADES_FOLDER = "grades"


def record_path(settings: CourseSettings, lesson: str) -> Path:
    """The marking record's file for ``lesson`` in the course."""
    return settings.root / GRADES_FOLDER / f"{lesson}-marking.json"


def load_record(path: Path) -> dict[str, Any]:
    """The record in ``path`` by student; OSError or ValueError says why it cannot be read."""
    record = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(record, dict):
        raise ValueError("it is not a JSON object")
    return record


def read_record(settings: CourseSettings, lesson: str) -> dict[str, dict[str, Any]]:
    """The marking record by student (empty if there is none, or it is damaged)."""
    path = record_path(settings, lesson)
    if not path.is_file():
        return {}
    try:
        return load_record(path)
    except (OSError, ValueError):
        return {}  # a damaged record only loses the notes of the last marking


def _write_record(settings: CourseSettings, lesson: str, record: dict[str, Any]) -> None:
    text = json.dumps(dict(sorted(record.items())), indent=1, ensure_ascii=False) + "\n"
    files.write_text(record_path(settings, lesson), text)


def save_record(
    settings: CourseSettings,
    lesson: str,
    statuses: dict[str, str],
    problems: dict[str, list[str]],
    exercises: dict[str, dict[str, dict[str, Any]]] | None = None,
) -> None:
    """Write the marking record: per student the status, the problems and, per exercise, the
    outcome (``correct``, ``not yet``, ``not attempted`` or ``manual``), the misconception
    named, the score and the points available."""
    record = read_record(settings, lesson)
    for student, status in statuses.items():
        record[student] = {
            "status": status,
            "problems": list(problems.get(student, [])),
            "exercises": dict((exercises or {}).get(student, {})),
        }
    _write_record(settings, lesson, record)


def record_times(settings: CourseSettings, lesson: str, students: Sequence[str]) -> None:
    """Add when each student handed in and how late (nbgrader's own figures) to the record."""
    record = read_record(settings, lesson)
    with gradebook(settings.root, settings.course_id) as gb:
        for student in students:
            try:
                submission = gb.find_submission(lesson, student)
            except MissingEntry:
                submission = None
            submitted_at, late_by = lateness(submission)
            record.setdefault(student, {}).update(submitted_at=submitted_at, late_by_s=late_by)
    _write_record(settings, lesson, record)


def recorded(settings: CourseSettings, lesson: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each student's marking status, and their problems, as last recorded."""
    record = read_record(settings, lesson)
    statuses = {s: str(r.get("status", "")) for s, r in record.items() if r.get("status")}
    problems = {s: [str(p) for p in r.get("problems", [])] for s, r in record.items()}
    return statuses, problems
