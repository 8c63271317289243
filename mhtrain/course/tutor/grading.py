"""Marking a lesson: every submission in its own kernel, then grades and feedback pages."""

from __future__ import annotations

import copy
import html
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader.utils import is_grade, is_locked
from traitlets.config import Config

from mhtrain import files
from mhtrain.course.lessons import Lesson, grade_id, is_test
from mhtrain.course.nbgrader import sandbox
from mhtrain.course.nbgrader.api import QuietAPI, failure_reason, gradebook
from mhtrain.course.nbgrader.export import (
    GRADED,
    GRADED_WITH_PROBLEMS,
    NOT_GRADED,
    NOT_SUBMITTED,
    GradeTable,
)
from mhtrain.course.nbgrader.marking import grader_dataset, read_exercise_marks
from mhtrain.course.nbgrader.preprocessors import DATA_FOLDER
from mhtrain.course.tutor.record import (
    GRADES_FOLDER,
    record_times,
    recorded,
    save_record,
)
from mhtrain.course.tutor.roster import check_student_id
from mhtrain.course.tutor.scan import checks_problem, reaches_into_checks, reaches_outside
from mhtrain.course.tutor.setup import CourseSettings, due_dates, read_course, resolve_lesson
from mhtrain.errors import MhtrainError

__all__ = [
    "GRADED",
    "GRADED_WITH_PROBLEMS",
    "NOT_GRADED",
    "NOT_SUBMITTED",
    "GradeReport",
    "grade_lesson",
    "model_submission",
    "refresh_feedback",
]


def model_submission(lesson: Lesson, release: NotebookNode) -> NotebookNode:
    """Return the released notebook answered with the lesson's worked answers.

    Useful to check that a lesson's model answers get full marks, and to time marking.

    Parameters
    ----------
    lesson : Lesson
        The lesson (:func:`mhtrain.course.lessons.read_lesson`).
    release : NotebookNode
        The released version of the same lesson.

    Returns
    -------
    NotebookNode
        A copy of ``release`` whose answer cells hold the worked answers.
    """
    answered = copy.deepcopy(release)
    for cell in answered.cells:
        gid = grade_id(cell)
        if gid in lesson.worked_answers:
            cell.source = lesson.worked_answers[gid]
    return answered


@dataclass
class GradeReport:
    """What :func:`grade_lesson` (or :func:`refresh_feedback`) did.

    Attributes
    ----------
    lesson : str
    rows : list of dict
        The grade table, one row per student (as written to ``csv_path``).
    problems : dict of str to list of str
        Each student whose submission had a problem, with what happened, in plain words.
    csv_path : Path
    feedback : dict of str to Path
        Each student's feedback page.
    graded : list of str
        The students whose submissions were marked this time.
    """

    lesson: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: dict[str, list[str]] = field(default_factory=dict)
    csv_path: Path | None = None
    feedback: dict[str, Path] = field(default_factory=dict)
    graded: list[str] = field(default_factory=list)
    sandbox_note: str | None = None
    due: str | None = None

    def summary(self) -> str:
        """Return a plain summary for the tutor."""
        handed_in = [r for r in self.rows if r["status"] != NOT_SUBMITTED]
        lines = [f"Warning: {self.sandbox_note}."] if self.sandbox_note else []
        lines += [
            f"Marked {len(self.graded)} submission(s) of {self.lesson}."
            if self.graded
            else f"Refreshed the grades and feedback of {self.lesson}.",
            f"Grades: {self.csv_path}",
            f"Feedback pages: {len(self.feedback)} (in feedback/<student id>/{self.lesson}/).",
        ]
        to_mark = [r["student_id"] for r in handed_in if r["to mark by hand"]]
        if to_mark:
            lines.append(
                f"Written answers to mark by hand in Formgrader: {len(to_mark)} student(s)."
            )
        missing = [r["student_id"] for r in self.rows if r["status"] == NOT_SUBMITTED]
        if missing:
            lines.append(f"Not handed in: {', '.join(missing)}.")
        lines.extend(self._lateness(handed_in))
        if self.problems:
            lines.append(f"Submissions with problems ({len(self.problems)}):")
            for student, found in self.problems.items():
                lines.append(f"  {student}: {'; '.join(found)}.")
        else:
            lines.append("No submission had a problem.")
        return "\n".join(lines)

    def _lateness(self, handed_in: list[dict[str, Any]]) -> list[str]:
        late = [r for r in handed_in if r.get("late by")]
        if late:
            who = ", ".join(f"{r['student_id']} by {r['late by']}" for r in late)
            return [f"Late ({len(late)} of {len(handed_in)}, due {self.due}): {who}."]
        if self.due:
            return [f"Late: none of the {len(handed_in)} handed in (due {self.due})."]
        return []


def _read_notebook(path: Path) -> tuple[NotebookNode | None, str | None]:
    if not path.is_file():
        return None, f"no notebook named {path.name} was handed in"
    try:
        return nbformat.read(path, as_version=4), None
    except Exception as exc:  # a damaged file can fail in many ways
        return None, f"the file could not be read as a notebook ({type(exc).__name__})"


def _nbgrader_cells(nb: NotebookNode) -> dict[str, NotebookNode]:
    return {grade_id(cell): cell for cell in nb.cells if grade_id(cell)}


def _source_problems(submitted: NotebookNode, release: NotebookNode) -> list[str]:
    """Compare a submission with the released notebook: edited locked cells, deleted cells."""
    problems = []
    theirs = _nbgrader_cells(submitted)
    ours = _nbgrader_cells(release)
    deleted = [gid for gid in ours if gid not in theirs]
    if deleted:
        problems.append(
            f"cells were deleted ({', '.join(deleted)}); tests that needed them score 0"
        )
    edited = [
        gid
        for gid, cell in ours.items()
        if is_locked(cell) and gid in theirs and theirs[gid].source.strip() != cell.source.strip()
    ]
    if edited:
        problems.append(
            f"locked cells were edited ({', '.join(edited)}); the original tests were used"
        )
    return problems


#: Where the notebook as handed in is kept when marking had to repair it (nbgrader skips it).
AS_HANDED_IN = ".ipynb_checkpoints/{lesson}-as-handed-in.ipynb"


def _repair_copied_cells(submitted: NotebookNode, release: NotebookNode) -> list[str]:
    """Undo the nbgrader metadata a copy-and-paste duplicated; say which cells were copied.

    Copying a cell in JupyterLab copies its nbgrader metadata too, and nbgrader refuses a
    notebook in which two cells share a ``grade_id`` (nbgrader issue 1083). For each shared
    id, the cell that matches the released one (same source, else the first) stays the
    original; every other copy becomes an ordinary cell of the learner's own.
    """
    released = {grade_id(c): c.source.strip() for c in release.cells if grade_id(c)}
    copies: dict[str, list[NotebookNode]] = {}
    for cell in submitted.cells:
        gid = grade_id(cell)
        if gid:
            copies.setdefault(gid, []).append(cell)
    repaired = []
    for gid, cells in copies.items():
        if len(cells) < 2:
            continue
        same = [c for c in cells if c.source.strip() == released.get(gid)]
        original = same[0] if same else cells[0]
        for cell in cells:
            if cell is not original:
                del cell.metadata["nbgrader"]
        repaired.append(gid)
    seen: set[str] = set()
    for index, cell in enumerate(submitted.cells):  # a copy may carry the original's id too
        if cell.get("id") in seen:
            cell.id = f"copy-{index}-{cell.id}"[:64]
        seen.add(cell.get("id"))
    if not repaired:
        return []
    return [
        f"cells were copied with their marking details ({', '.join(repaired)}); the originals "
        "were marked, and the copies count as the learner's own cells"
    ]


def _repaired(path: Path, submitted: NotebookNode, release: NotebookNode, kept: Path) -> list[str]:
    """Repair copied cells in ``submitted`` (saved to ``path``); keep the notebook as handed in.

    Marking again finds the repaired notebook; it is matched to the kept one, so the note
    about the copies stays.
    """
    found = _repair_copied_cells(submitted, release)
    if found:
        files.write_bytes(kept, path.read_bytes())
        files.write_text(path, nbformat.writes(submitted))
        return found
    if kept.is_file():
        again = nbformat.reads(kept.read_text(encoding="utf-8"), as_version=4)
        notes = _repair_copied_cells(again, release)
        if notes and nbformat.writes(again) == path.read_text(encoding="utf-8"):
            return notes
    return []


def _run_problems(autograded: NotebookNode, timeout: int) -> list[str]:
    """Find what went wrong while a submission ran: timeouts, errors outside tests, long output."""
    timed_out = 0
    errors = 0
    memory = 0
    cut = False
    for cell in autograded.cells:
        if cell.cell_type != "code":
            continue
        cell_timed_out = False
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "error" and output.get("ename") in {"CellTimeoutError", "KeyboardInterrupt"}:
                cell_timed_out = True
            elif kind == "error" and output.get("ename") == "MemoryError":
                memory += 1
            elif kind == "error" and not is_test(cell):
                errors += 1
            elif kind == "stream" and (
                "Output cut short" in output.get("text", "")
                or "... Output truncated ..." in output.get("text", "")
            ):
                cut = True
        timed_out += cell_timed_out
    problems = []
    if timed_out:
        problems.append(f"{timed_out} cell(s) ran for more than {timeout} seconds and were stopped")
    if memory:
        problems.append(f"{memory} cell(s) asked for more memory than marking allows")
    if errors:
        problems.append(f"{errors} cell(s) other than tests stopped with an error")
    if cut:
        problems.append("a cell printed a very long output, which was cut short")
    return problems


def _write_table(
    settings: CourseSettings,
    lesson: str,
    statuses: dict[str, str],
    problems: dict[str, list[str]],
    output: Path | str | None,
) -> tuple[list[dict[str, Any]], Path]:
    """Write the lesson's grade table with nbgrader's export plugin; return its rows and path."""
    path = Path(output) if output else settings.root / GRADES_FOLDER / f"{lesson}.csv"
    source = nbformat.read(settings.root / "source" / lesson / f"{lesson}.ipynb", as_version=4)
    table = GradeTable(
        to=str(path),
        assignment=[lesson],
        order=[grade_id(c) for c in source.cells if is_grade(c) and grade_id(c)],
        statuses=statuses,
        problems=problems,
    )
    with gradebook(settings.root, settings.course_id) as gb:
        return table.export(gb), path


def _problem_page(lesson: str, student: str, reasons: Sequence[str]) -> str:
    items = "".join(f"<li>{html.escape(r)}</li>" for r in reasons)
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head><meta charset="utf-8">'
        f"<title>{html.escape(lesson)}: feedback for {html.escape(student)}</title></head>\n"
        f"<body>\n<h1>{html.escape(lesson)}</h1>\n"
        "<p>Your notebook could not be marked automatically:</p>\n"
        f"<ul>{items}</ul>\n"
        "<p>Your tutor has been told and will be in touch. You may be asked to hand the "
        "lesson in again.</p>\n</body>\n</html>\n"
    )


def _progress(items: Sequence[str], *, desc: str, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(items, desc=desc, unit="student", disable=not enabled, leave=True)


def _feedback_for(
    api: Any,
    settings: CourseSettings,
    lesson: str,
    students: Sequence[str],
    unmarked: dict[str, list[str]],
    *,
    progress: bool,
) -> tuple[dict[str, Path], dict[str, str]]:
    pages: dict[str, Path] = {}
    failed: dict[str, str] = {}
    for student in _progress(list(students), desc="Feedback", enabled=progress):
        page, failure = _feedback_page(api, settings, lesson, student, unmarked.get(student))
        if page is not None:
            pages[student] = page
        else:
            failed[student] = str(failure)
    return pages, failed


def _feedback_page(
    api: Any, settings: CourseSettings, lesson: str, student: str, unmarked: list[str] | None
) -> tuple[Path | None, str | None]:
    """Write one student's feedback page; return its path, or why there is none."""
    folder = settings.root / "feedback" / student / lesson
    if unmarked is not None:
        page = _problem_page(lesson, student, unmarked)
        return files.write_text(folder / f"{lesson}.html", page), None
    result = api.generate_feedback(lesson, student)
    found = sorted(folder.glob("*.html"))
    if result["success"] and found:
        return found[0], None
    return None, failure_reason(result)


#: Seconds a marking process waits for another to finish writing to the gradebook.
_GRADEBOOK_WAIT = 300
_APIS: dict[tuple[str, bool, bool], QuietAPI] = {}


def _marking_api(root: Path, *, use_sandbox: bool, parallel: bool) -> QuietAPI:
    """nbgrader's API for marking in this course, with the sandbox on or off."""
    settings = read_course(root)
    config = Config()
    config.merge(settings.config)
    config.CourseExecute.use_sandbox = use_sandbox
    if parallel:
        # SQLite lets one process write at a time; a waiting writer waits, never fails.
        db = settings.root / "gradebook.db"
        config.CourseDirectory.db_url = f"sqlite:///{db}?timeout={_GRADEBOOK_WAIT}"
    return QuietAPI(config)


def _worker_api(root: Path, *, use_sandbox: bool) -> QuietAPI:
    """The API of a marking worker process, made on its first submission (a pool lives for
    one ``grade_lesson`` call, so the course settings cannot change under it)."""
    key = (str(root), use_sandbox, True)
    if key not in _APIS:
        _APIS[key] = _marking_api(root, use_sandbox=use_sandbox, parallel=True)
    return _APIS[key]


def _check_jobs(jobs: int | None) -> int:
    if jobs is None:
        return max(1, os.cpu_count() or 1)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise MhtrainError(f"--jobs must be a whole number of 1 or more, not {jobs!r}")
    return jobs


@dataclass
class _Marked:
    """The outcome of marking one submission (sent back from a marking process)."""

    student: str
    status: str
    problems: list[str]
    exercises: dict[str, dict[str, Any]] = field(default_factory=dict)
    feedback: str | None = None
    feedback_problem: str | None = None


def _mark_one(
    root: str, name: str, student: str, use_sandbox: bool, api: QuietAPI | None = None
) -> _Marked:
    """Mark one student's submission with nbgrader's autograde, then write their feedback page.

    It runs in the grading process, or in a worker process with ``--jobs``: each student's
    marking only writes to that student's rows of the gradebook and their own ``autograded/``
    and ``feedback/`` folders, so the feedback pages are made in parallel too.
    """
    settings = read_course(root)
    done = _autograde_one(settings, name, student, use_sandbox, api)
    if done.status == NOT_GRADED:
        return done
    if api is None:
        api = _worker_api(settings.root, use_sandbox=use_sandbox)
    page, failure = _feedback_page(api, settings, name, student, None)
    done.feedback = str(page) if page is not None else None
    done.feedback_problem = failure
    return done


def _autograde_one(
    settings: CourseSettings, name: str, student: str, use_sandbox: bool, api: QuietAPI | None
) -> _Marked:
    """Mark one student's submission with nbgrader's autograde; say how it went."""
    release = nbformat.read(settings.root / "release" / name / f"{name}.ipynb", as_version=4)
    path = settings.root / "submitted" / student / name / f"{name}.ipynb"
    submitted, unreadable = _read_notebook(path)
    if submitted is None:
        others = sorted(p.name for p in path.parent.glob("*.ipynb") if p != path)
        reason = unreadable or "the notebook could not be read"
        if others:
            reason += f" (the folder holds {', '.join(others)})"
        return _Marked(student, NOT_GRADED, [reason])
    found = _repaired(path, submitted, release, path.parent / AS_HANDED_IN.format(lesson=name))
    found += _source_problems(submitted, release)
    reach = reaches_outside(submitted, release)
    if reach:
        found.append(
            f"code in the notebook {', '.join(reach)}; "
            + (
                "the sandbox kept it in, but check the notebook"
                if use_sandbox
                else "nothing stopped it: check the notebook and the course folder"
            )
        )
    into_checks = reaches_into_checks(submitted, release)
    if into_checks:
        found.append(checks_problem(into_checks))
    if settings.per_student_data:
        # Made here first, the learner's dataset is judged against in this process and kept
        # in the cache, which their kernel reads (read-only) instead of making it again.
        grader_dataset(settings.root / DATA_FOLDER, student=student, course=settings.course_id)
    if api is None:
        api = _worker_api(settings.root, use_sandbox=use_sandbox)
    result = api.autograde(name, student, force=True, create=True)
    if not result["success"]:
        return _Marked(
            student, NOT_GRADED, [*found, f"nbgrader could not mark it ({failure_reason(result)})"]
        )
    marked = settings.root / "autograded" / student / name / f"{name}.ipynb"
    if marked.is_file():
        found.extend(_run_problems(nbformat.read(marked, as_version=4), settings.cell_timeout))
    return _Marked(
        student, GRADED_WITH_PROBLEMS if found else GRADED, found, read_exercise_marks(marked)
    )


def grade_lesson(
    root: Path | str,
    lesson: str | int,
    *,
    students: Sequence[str] | None = None,
    output: Path | str | None = None,
    progress: bool = True,
    require_sandbox: bool = False,
    jobs: int | None = None,
) -> GradeReport:
    """Mark every submission of a lesson, then write the grade table and each feedback page.

    Each student's submission (``submitted/<student>/<lesson>/``) is marked on its own by
    nbgrader's ``autograde``: one kernel per student, in a bubblewrap sandbox where one is
    available (:mod:`mhtrain.course.nbgrader.sandbox`), so nothing one student's code does can
    change another's marks or the course files. The course data is checked against its
    manifest first. With per-student data, each kernel runs with the student and course
    settings for that student (see :class:`CourseExecute`). The kernel's own test cells are
    feedback only: the marks of ``ex.<id>.grade(...)`` cells are decided in the grader's
    process from the answers read out as plain data (:class:`DecideMarks`), and recorded
    per exercise in ``grades/<lesson>-marking.json``. A submission that
    cannot be marked is reported by name, still gets a row in the table and a feedback page,
    and does not stop the others.

    Parameters
    ----------
    root : path
        The course folder.
    lesson : str or int
        The lesson, by number or id.
    students : sequence of str, optional
        Only these students (default: everyone who handed the lesson in).
    output : path, optional
        The grade table; by default ``grades/<lesson>.csv`` in the course.
    progress : bool, optional
        Show progress bars.
    require_sandbox : bool, optional
        Refuse to mark (raise :class:`MhtrainError`) where no sandbox is available; by
        default marking goes on without one and the report says so.
    jobs : int, optional
        How many submissions to mark at once, each in its own process (default: the number
        of processor cores). The marks are the same as marking one at a time: each process
        runs nbgrader's autograde and then writes the feedback page for one student at a
        time, SQLite makes their gradebook writes wait for each other, and the grade table
        and record are written once, by this process, after all are marked.

    Returns
    -------
    GradeReport
    """
    settings = read_course(root)
    no_sandbox = sandbox.sandbox_problem()
    if no_sandbox and require_sandbox:
        raise MhtrainError(f"not marking: {no_sandbox}")
    data = settings.root / DATA_FOLDER
    if (data / "manifest.json").exists() or data.exists():
        damage = sandbox.damaged_data(data)
        if damage:
            raise MhtrainError(
                f"not marking: the course data in {data} is damaged ({damage}); run "
                f"`mhtrain course init {settings.root}` to restore it"
            )
    name = resolve_lesson(settings.root, lesson)
    submitted_dir = settings.root / "submitted"
    handed_in = sorted(p.parent.name for p in submitted_dir.glob(f"*/{name}") if p.is_dir())
    if students is not None:
        wanted = [check_student_id(s, "--student") for s in students]
        unknown = [s for s in wanted if s not in handed_in]
        if unknown:
            raise MhtrainError(
                f"no submission of {name} from {', '.join(unknown)} in {submitted_dir}; "
                "collect it first"
            )
        handed_in = wanted
    if not handed_in:
        raise MhtrainError(
            f"no submissions of {name} in {submitted_dir}; collect them first "
            f"(`nbgrader collect {name}` or `mhtrain course collect`)"
        )
    released = settings.root / "release" / name / f"{name}.ipynb"
    if not released.is_file():
        raise MhtrainError(
            f"{name} has no released version in {released.parent}; run "
            f"`mhtrain course init {settings.root}` to make it"
        )
    use_sandbox = no_sandbox is None
    jobs = min(_check_jobs(jobs), len(handed_in))
    api = _marking_api(settings.root, use_sandbox=use_sandbox, parallel=False)
    report = GradeReport(lesson=name, sandbox_note=no_sandbox)
    statuses: dict[str, str] = {}
    unmarked: dict[str, list[str]] = {}
    with gradebook(settings.root, settings.course_id) as gb:
        for student in handed_in:
            gb.update_or_create_student(student)
    args = [(str(settings.root), name, s, use_sandbox) for s in handed_in]
    results: dict[str, _Marked] = {}
    bar = _progress(handed_in, desc=f"Marking {name}", enabled=progress)
    if jobs > 1:
        # A fork server imports mhtrain and nbgrader once; each worker starts as a copy of it.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            for done in pool.map(_mark_one, *zip(*args, strict=True)):
                results[done.student] = done
                bar.update(1)
    else:
        for one in args:
            done = _mark_one(*one, api=api)
            results[done.student] = done
            bar.update(1)
    bar.close()
    for student in handed_in:
        done = results[student]
        statuses[student] = done.status
        if done.problems:
            report.problems[student] = list(done.problems)
        if done.status == NOT_GRADED:
            unmarked[student] = done.problems
        else:
            report.graded.append(student)
    pages, failed = _feedback_for(api, settings, name, list(unmarked), unmarked, progress=False)
    for student in report.graded:
        done = results[student]
        if done.feedback is not None:
            pages[student] = Path(done.feedback)
        else:
            failed[student] = str(done.feedback_problem)
    for student, reason in failed.items():
        report.problems.setdefault(student, []).append(f"no feedback page ({reason})")
    report.feedback = {s: pages[s] for s in handed_in if s in pages}
    exercises = {s: results[s].exercises for s in handed_in}
    save_record(settings, name, statuses, report.problems, exercises)
    record_times(settings, name, handed_in)
    report.due = due_dates(settings.root).get(name)
    all_statuses, all_problems = recorded(settings, name)
    report.rows, report.csv_path = _write_table(settings, name, all_statuses, all_problems, output)
    return report


def refresh_feedback(
    root: Path | str,
    lesson: str | int,
    *,
    output: Path | str | None = None,
    progress: bool = True,
) -> GradeReport:
    """Write the grade table and feedback pages again, with any marks given by hand since.

    Parameters
    ----------
    root, lesson : path, and str or int
        The course folder, and the lesson in it by number or id.
    output : path, optional
        Where the grade table goes, if not to ``grades/<lesson>.csv`` in the course.
    progress : bool, optional
        Show a progress bar.

    Returns
    -------
    GradeReport
    """
    settings = read_course(root)
    name = resolve_lesson(settings.root, lesson)
    statuses, problems = recorded(settings, name)
    unmarked = {s: problems.get(s, []) for s, status in statuses.items() if status == NOT_GRADED}
    marked = sorted(
        {p.parent.name for p in (settings.root / "autograded").glob(f"*/{name}") if p.is_dir()}
        | set(unmarked)
    )
    if not marked:
        raise MhtrainError(
            f"no marked submissions of {name}; run `mhtrain course grade {settings.root} {name}`"
        )
    api = QuietAPI(settings.config)
    report = GradeReport(lesson=name, due=due_dates(settings.root).get(name))
    pages, failed = _feedback_for(api, settings, name, marked, unmarked, progress=progress)
    for student, why in failed.items():
        problems.setdefault(student, []).append(f"no feedback page ({why})")
    report.problems = {s: problems[s] for s in sorted(problems) if problems[s]}
    report.feedback = pages
    report.rows, report.csv_path = _write_table(settings, name, statuses, problems, output)
    return report
