"""The class insight report: what one lesson's marking shows across the class, for its tutor.

``mhtrain course report`` reads the marking record (``grades/<lesson>-marking.json``) and the
gradebook, and writes an HTML page and CSV files: how each exercise went, the misconceptions
the checks named, the spread of scores, lateness, the submissions with problems, and who has
not handed in. The page needs no network and no JavaScript, and shows learners by their ids
only.
"""

from __future__ import annotations

import csv
import html
import importlib
import io
import json
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
    COURSE_TIME_ZONE,
    GRADED,
    GRADED_WITH_PROBLEMS,
    NOT_GRADED,
    NOT_SUBMITTED,
    late_by_text,
)
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
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("it is not a JSON object")
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
    path = settings.root / "grades" / f"{name}-marking.json"
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


# ------------------------------------------------------------------------------------------
# CSV files
# ------------------------------------------------------------------------------------------


def _csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _pct(value: float) -> str:
    return f"{value:.0f}"


def _exercise_rows(report: ClassReport) -> tuple[list[str], list[list[Any]]]:
    header = ["exercise", "question", "marked"]
    for outcome in OUTCOMES:
        header += [_OUTCOME_WORDS[outcome], f"{_OUTCOME_WORDS[outcome]} %"]
    rows = []
    for e in report.exercises:
        row: list[Any] = [e.exercise, e.question, e.marked]
        for outcome in OUTCOMES:
            row += [e.counts[outcome], _pct(e.share(outcome))]
        rows.append(row)
    return header, rows


def _misconception_rows(report: ClassReport) -> tuple[list[str], list[list[Any]]]:
    header = ["exercise", "misconception", "what it means", "learners", "learner ids"]
    rows = [
        [e.exercise, name, report.messages.get(name, ""), len(who), " ".join(who)]
        for e in report.exercises
        for name, who in sorted(e.misconceptions.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    return header, rows


def _score_bins(report: ClassReport) -> list[tuple[str, int]]:
    """Marked learners per score band: one band per mark when the lesson has few marks."""
    values = [(s, m) for s, m in report.scores.values() if s is not None and m]
    if not values:
        return []
    top = max(m for _, m in values)
    whole = all(float(s).is_integer() for s, _ in values) and float(top).is_integer()
    if whole and top <= 12:
        return [(f"{k:g}", sum(1 for s, _ in values if s == k)) for k in range(int(top) + 1)]
    width = top / 10
    bins = []
    for k in range(10):
        low, high = k * width, (k + 1) * width
        count = sum(1 for s, _ in values if low <= s < high or (k == 9 and s == high))
        bins.append((f"{low:g} to {'' if k == 9 else 'under '}{high:g}", count))
    return bins


def _learner_rows(report: ClassReport) -> tuple[list[str], list[list[Any]]]:
    exercises = [e.exercise for e in report.exercises]
    header = ["student_id", "status", "score", "max_score", "submitted at", "late by"]
    header += [*exercises, "problems"]
    rows = []
    for student in report.class_list:
        record = report.learners.get(student)
        if student in report.not_marked_yet:
            rows.append(
                [student, "handed in, not marked yet", "", "", "", "", *[""] * len(exercises), ""]
            )
            continue
        if record is None or record.status == NOT_SUBMITTED:
            rows.append([student, NOT_SUBMITTED, "", "", "", "", *[""] * len(exercises), ""])
            continue
        score, top = report.scores.get(student, (None, None))
        outcomes = [record.exercises[e].outcome if e in record.exercises else "" for e in exercises]
        rows.append(
            [
                student,
                record.status,
                "" if score is None else f"{score:g}",
                "" if top is None else f"{top:g}",
                record.submitted_at or "",
                late_by_text(record.late_by_s),
                *outcomes,
                "; ".join(record.problems),
            ]
        )
    return header, rows


# ------------------------------------------------------------------------------------------
# The HTML page
# ------------------------------------------------------------------------------------------

# Okabe-Ito colours (safe for colour-blind readers); each outcome also has its own pattern,
# so colour is never the only signal.
_SEGMENT_CSS = {
    CORRECT: "background:#0072B2",
    NOT_YET: "background:repeating-linear-gradient(45deg,#D55E00 0 4px,#fff 4px 6px)",
    NOT_ATTEMPTED: "background:radial-gradient(circle,#fff 1.2px,#5F5F5F 1.6px) 0 0/6px 6px",
    MANUAL: "background:repeating-linear-gradient(90deg,#CC79A7 0 4px,#fff 4px 6px)",
}
_CSS_CLASS = {CORRECT: "ok", NOT_YET: "yet", NOT_ATTEMPTED: "none", MANUAL: "hand"}

_STYLE = (
    """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;
color:#1a1a1a;background:#fff;margin:0 auto;max-width:60rem;padding:1rem}
h1{font-size:1.6rem;line-height:1.25;overflow-wrap:anywhere}h2{font-size:1.3rem;margin-top:2rem}
.scroll{overflow-x:auto;max-width:100%}.scroll:focus{outline:3px solid #0072B2}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.95rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #8a8a8a;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.chart{list-style:none;padding:0;margin:.5rem 0}.chart li{margin:.4rem 0 .8rem}
.stack{display:flex;height:1.4rem;max-width:36rem;border:1px solid #1a1a1a}
.stack span{display:block;height:100%}
.bar{display:inline-block;height:.9rem;background:#0072B2;vertical-align:middle}
.key{list-style:none;padding:0}.key li{display:inline-block;margin-right:1rem}
.swatch{display:inline-block;width:1rem;height:1rem;border:1px solid #1a1a1a;
vertical-align:middle}
td.wide{min-width:14rem}code{overflow-wrap:anywhere}
"""
    + "".join(f".{_CSS_CLASS[o]}{{{css}}}" for o, css in _SEGMENT_CSS.items())
    + "\n"
)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _outcome_words(summary: ExerciseSummary) -> str:
    return ", ".join(
        f"{summary.counts[o]} {_OUTCOME_WORDS[o]} ({summary.share(o):.0f}%)"
        for o in OUTCOMES
        if summary.counts[o]
    )


def _outcome_chart(report: ClassReport) -> str:
    """A stacked bar per exercise; each bar's text alternative gives its numbers."""
    if not report.exercises:
        return ""
    items = []
    for e in report.exercises:
        segments = "".join(
            f'<span class="{_CSS_CLASS[o]}" style="width:{e.share(o):.2f}%"></span>'
            for o in OUTCOMES
            if e.counts[o]
        )
        items.append(
            f"<li><strong>{_e(e.exercise)}</strong>"
            + (f": {_e(e.question)}" if e.question else "")
            + f'<div class="stack" role="img" aria-label="{_e(e.exercise)}: '
            f'{_e(_outcome_words(e))}">{segments}</div></li>'
        )
    key = "".join(
        f'<li><span class="swatch {_CSS_CLASS[o]}"></span> {_e(_OUTCOME_WORDS[o])}</li>'
        for o in OUTCOMES
    )
    return (
        f'<figure><ul class="chart">{"".join(items)}</ul>'
        f"<figcaption>Each bar is one exercise, split by outcome, out of the "
        f"{_plural(len(report.marked), 'marked submission')}; the table below gives the "
        f'numbers.</figcaption><ul class="key" aria-label="Key">{key}</ul></figure>'
    )


def _table(
    caption: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    numeric: Sequence[int] = (),
    wide: Sequence[int] = (),
) -> str:
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in header)
    body = []
    for row in rows:
        cells = [f'<th scope="row">{_e(row[0])}</th>']
        for i, value in enumerate(row[1:], start=1):
            css = ' class="n"' if i in numeric else ' class="wide"' if i in wide else ""
            cells.append(f"<td{css}>{_e(value)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return _scrolling_table(caption, head, "".join(body))


def _scrolling_table(caption: str, head: str, body: str) -> str:
    """A table in a region that scrolls sideways on a narrow screen (and by keyboard)."""
    return (
        f'<div class="scroll" role="region" tabindex="0" aria-label="{_e(caption)}">'
        f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def _ids(students: Sequence[str]) -> str:
    return ", ".join(f"<code>{_e(s)}</code>" for s in students)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _page(report: ClassReport) -> str:
    parts = []
    handed = len(report.learners) - sum(
        1 for r in report.learners.values() if r.status == NOT_SUBMITTED
    )
    parts.append(
        f"<p>Class list: {_plural(len(report.class_list), 'learner')}. Handed in: {handed}. "
        f"Marked: {len(report.marked)}. Could not be marked: {len(report.could_not_be_marked)}. "
        f"Not handed in: {len(report.not_handed_in)}."
        + (f" Late: {len(report.late)}." if report.due else "")
        + " Learners are shown by their ids only.</p>"
    )
    revisit = report.revisit()
    parts.append('<h2 id="revisit">What to revisit</h2>')
    if revisit:
        parts.append("<ul>" + "".join(f"<li>{_e(item)}</li>" for item in revisit) + "</ul>")
    else:
        parts.append("<p>Nothing stands out: no marked answer was wrong.</p>")
    if not report.misconceptions_recorded:
        parts.append(
            "<p>This marking record does not say which misconception each answer showed, so "
            "the outcomes below come from nbgrader's marks and no misconception is counted.</p>"
        )
    parts.append('<h2 id="exercises">How each exercise went</h2>')
    parts.append(
        f"<p>Shares are of the {_plural(len(report.marked), 'marked submission')}; learners "
        "who did not hand in are not counted.</p>"
    )
    parts.append(_outcome_chart(report))
    header = ["exercise", "marked", *(_OUTCOME_WORDS[o] for o in OUTCOMES)]
    rows = [
        [e.exercise, e.marked, *(f"{e.counts[o]} ({_pct(e.share(o))}%)" for o in OUTCOMES)]
        for e in report.exercises
    ]
    parts.append(
        _table(
            "Outcomes by exercise: learners (% of marked submissions)",
            header,
            rows,
            numeric=range(1, len(header)),
        )
    )
    parts.append('<h2 id="misconceptions">Misconceptions the checks named</h2>')
    header, rows = _misconception_rows(report)
    if rows:
        parts.append(
            _table(
                "Misconceptions, most common first within each exercise",
                header,
                rows,
                numeric=[3],
                wide=[2, 4],
            )
        )
    else:
        parts.append("<p>No marked answer matched a named misconception.</p>")
    parts.append('<h2 id="scores">Scores</h2>')
    bins = _score_bins(report)
    if bins:
        most = max(n for _, n in bins) or 1
        body = "".join(
            f'<tr><th scope="row">{_e(band)}</th><td class="n">{n}</td>'
            f'<td><span class="bar" style="width:{8 * n / most:.2f}rem"></span></td></tr>'
            for band, n in bins
        )
        parts.append(
            _scrolling_table(
                "Marked learners by score (automatic marks, plus any given by hand)",
                '<th scope="col">score</th><th scope="col">learners</th><th scope="col">chart</th>',
                body,
            )
        )
        if report.zero_scores:
            parts.append(
                f"<p>Handed in and scored 0 ({len(report.zero_scores)}): "
                f"{_ids(report.zero_scores)}.</p>"
            )
    else:
        parts.append("<p>No submission was marked.</p>")
    parts.append('<h2 id="lateness">Lateness</h2>')
    if report.due:
        parts.append(f"<p>Due: {_e(report.due)} ({_e(COURSE_TIME_ZONE)} time).</p>")
        if report.late:
            rows = [
                [
                    s,
                    report.learners[s].submitted_at or "",
                    late_by_text(report.learners[s].late_by_s),
                ]
                for s in report.late
            ]
            parts.append(
                _table("Handed in late, latest first", ["learner", "handed in", "late by"], rows)
            )
        else:
            parts.append("<p>Nobody handed in late.</p>")
    else:
        parts.append(
            "<p>This lesson has no due date (set one with <code>mhtrain course init DIR --due "
            "LESSON=DATE</code>).</p>"
        )
    parts.append('<h2 id="flagged">Submissions with problems</h2>')
    if report.flagged:
        rows = [
            [s, report.learners[s].status, "; ".join(report.learners[s].problems)]
            for s in report.flagged
        ]
        parts.append(
            _table("Submissions marking flagged", ["learner", "status", "problems"], rows, wide=[2])
        )
    else:
        parts.append("<p>No submission had a problem.</p>")
    parts.append('<h2 id="missing">Not handed in</h2>')
    if report.not_handed_in:
        parts.append(
            f"<p>{_plural(len(report.not_handed_in), 'learner')} on the class list handed "
            f"nothing in (not counted as 0): {_ids(report.not_handed_in)}.</p>"
        )
    else:
        parts.append("<p>Everyone on the class list handed in.</p>")
    if report.not_marked_yet:
        parts.append(
            f"<p>Handed in but not marked yet: {_ids(report.not_marked_yet)}. Run "
            "<code>mhtrain course grade</code> again to include them.</p>"
        )
    parts.append(
        "<p>The same figures are in the CSV files beside this page: exercises.csv, "
        "misconceptions.csv, scores.csv and learners.csv.</p>"
    )
    title = f"Class report: {report.lesson}"
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{_e(title)}</h1>\n" + "\n".join(parts) + "\n</main>\n</body>\n</html>\n"
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
        "index.html": _page(report),
        "exercises.csv": _csv(*_exercise_rows(report)),
        "misconceptions.csv": _csv(*_misconception_rows(report)),
        "scores.csv": _csv(["score", "learners"], _score_bins(report)),
        "learners.csv": _csv(*_learner_rows(report)),
    }
    with files.staging_folder(folder) as staging:
        for name, text in texts.items():
            (staging / name).write_text(text, encoding="utf-8")
        staging.chmod(0o755)
    return report, folder
