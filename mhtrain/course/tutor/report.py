"""The class insight report: what one lesson's marking shows across the class, for its tutor.

``mhtrain course report`` reads the marking record (``grades/<lesson>-marking.json``) and the
gradebook, and writes an HTML page and CSV files: how each exercise went, the misconceptions
the checks named, the spread of scores, lateness, the submissions with problems, and who has
not handed in. The page needs no network and no JavaScript, and shows learners by their ids
only.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from mhtrain import files
from mhtrain.course.lessons import grade_id
from mhtrain.course.nbgrader.api import gradebook
from mhtrain.course.nbgrader.export import (
    GRADED,
    GRADED_WITH_PROBLEMS,
    NOT_GRADED,
    NOT_SUBMITTED,
)
from mhtrain.course.tutor.record import load_record, record_path
from mhtrain.course.tutor.setup import due_dates, read_course, resolve_lesson
from mhtrain.errors import MhtrainError

__all__ = [
    "CORRECT",
    "MANUAL",
    "NOT_ATTEMPTED",
    "NOT_YET",
    "ClassReport",
    "LearnerRecord",
    "class_report",
    "read_marking_record",
    "write_report",
]

#: What an exercise's answer was, as the marking record says.
CORRECT = "correct"
NOT_YET = "not yet"
NOT_ATTEMPTED = "not attempted"
MANUAL = "manual"
OUTCOMES = (CORRECT, NOT_YET, NOT_ATTEMPTED, MANUAL)
_OUTCOME_WORDS = {
    CORRECT: "correct",
    NOT_YET: "not yet",
    NOT_ATTEMPTED: "not attempted",
    MANUAL: "to mark by hand",
}
#: Folder of reports inside a course (one folder per lesson).
REPORTS_FOLDER = "reports"
#: The files a report folder holds; a folder holding anything else is never replaced.
REPORT_FILES = ("index.html", "exercises.csv", "misconceptions.csv", "scores.csv", "learners.csv")
#: How many exercises and misconceptions the "what to revisit" list names at most.
_REVISIT = 3
_MARKED = (GRADED, GRADED_WITH_PROBLEMS)


# ------------------------------------------------------------------------------------------
# The marking record
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseResult:
    """How one learner's answer to one exercise was marked."""

    outcome: str
    misconception: str | None = None
    score: float | None = None
    max_score: float | None = None


@dataclass(frozen=True)
class LearnerRecord:
    """One learner's entry in a lesson's marking record."""

    student: str
    status: str
    problems: tuple[str, ...] = ()
    exercises: dict[str, ExerciseResult] = field(default_factory=dict)
    submitted_at: str | None = None
    late_by_s: float | None = None


def _number_or_none(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ValueError(f"{where} is not a number")
    return float(value)


def _learner(student: str, entry: Any) -> LearnerRecord:
    if not isinstance(entry, dict) or not isinstance(entry.get("status"), str):
        raise ValueError(f"the entry of {student!r} has no status")
    exercises = {}
    for exercise, result in (entry.get("exercises") or {}).items():
        if not isinstance(result, dict) or result.get("outcome") not in OUTCOMES:
            raise ValueError(
                f"{student!r}, exercise {exercise!r}: the outcome is not one of "
                f"{', '.join(OUTCOMES)}"
            )
        name = result.get("misconception")
        exercises[str(exercise)] = ExerciseResult(
            outcome=result["outcome"],
            misconception=str(name) if name else None,
            score=_number_or_none(result.get("score"), f"{student!r}, {exercise!r} score"),
            max_score=_number_or_none(result.get("max_score"), f"{student!r}, {exercise!r}"),
        )
    at = entry.get("submitted_at")
    return LearnerRecord(
        student=student,
        status=entry["status"],
        problems=tuple(str(p) for p in entry.get("problems") or ()),
        exercises=exercises,
        submitted_at=str(at) if at else None,
        late_by_s=_number_or_none(entry.get("late_by_s"), f"{student!r} late_by_s"),
    )


def read_marking_record(path: Path | str) -> dict[str, LearnerRecord]:
    """Read a lesson's marking record (``grades/<lesson>-marking.json``).

    Parameters
    ----------
    path : path
        The record ``mhtrain course grade`` wrote.

    Returns
    -------
    dict of str to LearnerRecord
        Each learner marking saw, by student id.
    """
    path = Path(path)
    try:
        raw = load_record(path)
        return {str(s): _learner(str(s), entry) for s, entry in sorted(raw.items())}
    except (OSError, ValueError) as exc:
        raise MhtrainError(
            f"the marking record {path} cannot be read ({exc}); mark the lesson again with "
            "`mhtrain course grade` to write it afresh"
        ) from None


# ------------------------------------------------------------------------------------------
# Outcomes from the gradebook, for records written before marking recorded them
# ------------------------------------------------------------------------------------------


def _exercise_of(cell_id: str) -> str:
    return cell_id.split("-", 1)[0]


def _answer_sources(path: Path) -> dict[str, dict[str, str]]:
    """Each exercise's answer cells (the cells learners write in) in a notebook, by grade id."""
    if not path.is_file():
        return {}
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # a damaged notebook has no answers to read
        return {}
    found: dict[str, dict[str, str]] = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        gid = grade_id(cell)
        if meta.get("solution") and gid:
            found.setdefault(_exercise_of(gid), {})[gid] = cell.source.strip()
    return found


def _untouched(answers: dict[str, str], released: dict[str, str]) -> bool:
    """Whether no answer cell differs from the released one (a deleted cell is no answer)."""
    return all(answers.get(gid, source) == source for gid, source in released.items())


def _outcomes_from_gradebook(
    root: Path, course_id: str, lesson: str, students: Sequence[str]
) -> dict[str, dict[str, ExerciseResult]]:
    """Outcomes from nbgrader's score of each graded cell (no misconceptions).

    Full points is correct; a cell still waiting for a mark by hand is manual; an answer cell
    left as released is not attempted; anything else is not yet.
    """
    released = _answer_sources(root / "release" / lesson / f"{lesson}.ipynb")
    found: dict[str, dict[str, ExerciseResult]] = {}
    with gradebook(root, course_id) as gb:
        for student in students:
            try:
                submission = gb.find_submission(lesson, student)
            except Exception:  # nbgrader's MissingEntry: marked before, since removed
                continue
            answers = _answer_sources(root / "submitted" / student / lesson / f"{lesson}.ipynb")
            totals: dict[str, list[float]] = {}
            manual: set[str] = set()
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    exercise = _exercise_of(grade.name)
                    score = grade.score if grade.score is not None else 0.0
                    total = totals.setdefault(exercise, [0.0, 0.0])
                    total[0] += float(score)
                    total[1] += float(grade.max_score or 0.0)
                    if grade.needs_manual_grade:
                        manual.add(exercise)
            results = {}
            for exercise, (score, max_score) in totals.items():
                if exercise in manual:
                    outcome = MANUAL
                elif max_score and score >= max_score:
                    outcome = CORRECT
                elif exercise in released and _untouched(
                    answers.get(exercise, {}), released[exercise]
                ):
                    outcome = NOT_ATTEMPTED
                else:
                    outcome = NOT_YET
                results[exercise] = ExerciseResult(outcome, None, score, max_score)
            found[student] = results
    return found


# ------------------------------------------------------------------------------------------
# The report's content
# ------------------------------------------------------------------------------------------


@dataclass
class ExerciseSummary:
    """How one exercise went across the marked submissions."""

    exercise: str
    question: str
    counts: dict[str, int]
    marked: int
    misconceptions: dict[str, list[str]] = field(default_factory=dict)

    def share(self, outcome: str) -> float:
        """The percentage of marked submissions with this outcome."""
        return 100.0 * self.counts[outcome] / self.marked if self.marked else 0.0


@dataclass
class ClassReport:
    """What :func:`class_report` found; :func:`write_report` turns it into files.

    Attributes
    ----------
    lesson : str
    due : str or None
        The lesson's due date (ISO 8601, course time zone), if it has one.
    learners : dict of str to LearnerRecord
        Everyone marking saw.
    class_list : list of str
        Everyone in the gradebook or the record.
    exercises : list of ExerciseSummary
    messages : dict of str to str
        Each named misconception's message, from the lesson's checks module.
    scores : dict of str to tuple of (float or None, float or None)
        Each marked learner's score and maximum, as nbgrader has them.
    misconceptions_recorded : bool
        Whether the record names misconceptions (older records do not).
    not_marked_yet : list of str
        Learners whose work was collected but not marked.
    """

    lesson: str
    due: str | None
    learners: dict[str, LearnerRecord]
    class_list: list[str]
    exercises: list[ExerciseSummary]
    messages: dict[str, str]
    scores: dict[str, tuple[float | None, float | None]]
    misconceptions_recorded: bool
    not_marked_yet: list[str] = field(default_factory=list)

    @property
    def marked(self) -> list[str]:
        """Learners whose submissions were marked."""
        return [s for s, r in self.learners.items() if r.status in _MARKED]

    @property
    def not_handed_in(self) -> list[str]:
        """Learners on the class list with nothing handed in."""
        handed = {s for s, r in self.learners.items() if r.status != NOT_SUBMITTED}
        return [s for s in self.class_list if s not in handed and s not in self.not_marked_yet]

    @property
    def could_not_be_marked(self) -> list[str]:
        """Learners whose notebooks could not be marked."""
        return [s for s, r in self.learners.items() if r.status == NOT_GRADED]

    @property
    def zero_scores(self) -> list[str]:
        """Marked learners who scored 0 (kept apart from those who handed nothing in)."""
        return [s for s in self.marked if self.scores.get(s, (None, None))[0] == 0]

    @property
    def late(self) -> list[str]:
        """Learners who handed in after the due date, latest first."""
        late = [s for s, r in self.learners.items() if (r.late_by_s or 0) > 0]
        return sorted(late, key=lambda s: (-(self.learners[s].late_by_s or 0), s))

    @property
    def flagged(self) -> list[str]:
        """Learners whose submissions had a problem."""
        return [s for s, r in self.learners.items() if r.problems]

    def revisit(self) -> list[str]:
        """The "what to revisit" list, in plain words."""
        items = []
        struggled = sorted(
            (e for e in self.exercises if e.counts[NOT_YET]),
            key=lambda e: (-e.counts[NOT_YET], e.exercise),
        )
        for summary in struggled[:_REVISIT]:
            items.append(
                f"{summary.exercise}: {summary.counts[NOT_YET]} of {summary.marked} "
                f"({summary.share(NOT_YET):.0f}%) answered it but not yet correctly. "
                f"The question: {summary.question}"
            )
        common = sorted(
            (
                (len(who), exercise.exercise, name)
                for exercise in self.exercises
                for name, who in exercise.misconceptions.items()
            ),
            key=lambda item: (-item[0], item[1], item[2]),
        )
        for count, exercise, name in common[:_REVISIT]:
            message = self.messages.get(name)
            items.append(
                f"{exercise}, {name} ({count} learner{'s' if count != 1 else ''})"
                + (f": {message}" if message else ".")
            )
        return items


def _marked_by_hand(record: LearnerRecord, submission: Any) -> LearnerRecord:
    """The record with answers a tutor has marked in Formgrader since: full marks is correct,
    fewer is not yet."""
    given: dict[str, list[float]] = {}
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            exercise = _exercise_of(grade.name)
            result = record.exercises.get(exercise)
            if result is None or result.outcome != MANUAL or grade.manual_score is None:
                continue
            if grade.needs_manual_grade:
                given[exercise] = [math.nan, 0.0]  # one cell of it still waits
                continue
            total = given.setdefault(exercise, [0.0, 0.0])
            total[0] += float(grade.manual_score)
            total[1] += float(grade.max_score or 0.0)
    if not given or all(math.isnan(score) for score, _ in given.values()):
        return record
    exercises = dict(record.exercises)
    for exercise, (score, top) in given.items():
        if not math.isnan(score):
            outcome = CORRECT if top and score >= top else NOT_YET
            old = exercises[exercise]
            exercises[exercise] = ExerciseResult(outcome, old.misconception, score, top)
    return LearnerRecord(
        record.student,
        record.status,
        record.problems,
        exercises,
        record.submitted_at,
        record.late_by_s,
    )


def _checks_module(lesson: str) -> Any:
    number = lesson.split("-", 1)[0]
    try:
        return importlib.import_module(f"mhtrain.checks.lesson{number}")
    except ModuleNotFoundError:
        return None


def _questions_and_messages(lesson: str) -> tuple[dict[str, str], dict[str, str]]:
    """Each exercise's question and each named misconception's message, in lesson order."""
    from mhtrain.checks import exercises_in

    module = _checks_module(lesson)
    if module is None:
        return {}, {}
    questions, messages = {}, {}
    for exercise_id, exercise in exercises_in(module).items():
        questions[exercise_id] = exercise.prompt or ""
        for misconception in exercise.misconceptions:
            if misconception.name:
                messages[misconception.name] = misconception.message
    return questions, messages


def class_report(root: Path | str, lesson: str | int) -> ClassReport:
    """Gather what a lesson's marking shows across the class.

    Parameters
    ----------
    root, lesson : path, and str or int
        The course folder, and the lesson in it by number or id.

    Returns
    -------
    ClassReport
    """
    settings = read_course(root)
    name = resolve_lesson(settings.root, lesson)
    path = record_path(settings, name)
    if not path.is_file():
        raise MhtrainError(
            f"{name} has not been marked yet (there is no {path}); mark it first with "
            f"`mhtrain course grade {settings.root} {name}`"
        )
    learners = read_marking_record(path)
    recorded = any(r.exercises for r in learners.values())
    marked = [s for s, r in learners.items() if r.status in _MARKED]
    missing = [s for s in marked if not learners[s].exercises]
    if missing:
        found = _outcomes_from_gradebook(settings.root, settings.course_id, name, missing)
        for student, results in found.items():
            old = learners[student]
            learners[student] = LearnerRecord(
                old.student, old.status, old.problems, results, old.submitted_at, old.late_by_s
            )
    scores: dict[str, tuple[float | None, float | None]] = {}
    with gradebook(settings.root, settings.course_id) as gb:
        on_list = {s.id for s in gb.students}
        for student in marked:
            try:
                submission = gb.find_submission(name, student)
            except Exception:  # nbgrader's MissingEntry
                continue
            scores[student] = (float(submission.score), float(submission.max_score))
            learners[student] = _marked_by_hand(learners[student], submission)
    collected = {p.parent.name for p in (settings.root / "submitted").glob(f"*/{name}")}
    questions, messages = _questions_and_messages(name)
    order = list(questions)
    for record in learners.values():
        order += [e for e in record.exercises if e not in order]
    summaries = []
    for exercise in order:
        counts = dict.fromkeys(OUTCOMES, 0)
        named: dict[str, list[str]] = {}
        seen = 0
        for student in marked:
            result = learners[student].exercises.get(exercise)
            if result is None:
                continue
            seen += 1
            counts[result.outcome] += 1
            if result.misconception:
                named.setdefault(result.misconception, []).append(student)
        if seen:
            summaries.append(
                ExerciseSummary(exercise, questions.get(exercise, ""), counts, seen, named)
            )
    return ClassReport(
        lesson=name,
        due=due_dates(settings.root).get(name),
        learners=learners,
        class_list=sorted(on_list | set(learners) | collected),
        exercises=summaries,
        messages=messages,
        scores=scores,
        misconceptions_recorded=recorded,
        not_marked_yet=sorted(collected - set(learners)),
    )


def write_report(
    root: Path | str, lesson: str | int, *, output: Path | str | None = None
) -> tuple[ClassReport, Path]:
    """Write a lesson's class report: ``index.html`` and CSV files, all at once.

    Parameters
    ----------
    root, lesson : path, and str or int
        The course folder, and the lesson in it by number or id.
    output : path, optional
        The folder for the report (default ``reports/<lesson>/`` in the course). It is
        replaced whole; a folder that holds other files is refused.

    Returns
    -------
    tuple of (ClassReport, Path)
        What the report found, and the folder it was written to.
    """
    from mhtrain.course.tutor.report_files import (
        csv_text,
        exercise_rows,
        learner_rows,
        misconception_rows,
        page,
        score_bins,
    )

    report = class_report(root, lesson)
    folder = Path(output) if output else read_course(root).root / REPORTS_FOLDER / report.lesson
    if folder.exists():
        if not folder.is_dir():
            raise MhtrainError(f"{folder} is a file; give a folder for the report")
        other = sorted(p.name for p in folder.iterdir() if p.name not in REPORT_FILES)
        if other:
            raise MhtrainError(
                f"{folder} holds other files ({', '.join(other[:3])}); give an empty or new "
                "folder for the report with --output"
            )
    texts = {
        "index.html": page(report),
        "exercises.csv": csv_text(*exercise_rows(report)),
        "misconceptions.csv": csv_text(*misconception_rows(report)),
        "scores.csv": csv_text(["score", "learners"], score_bins(report)),
        "learners.csv": csv_text(*learner_rows(report)),
    }
    with files.staging_folder(folder) as staging:
        for name, text in texts.items():
            (staging / name).write_text(text, encoding="utf-8")
        staging.chmod(0o755)
    return report, folder
