"""A learner's progress across lessons: each exercise correct, not yet, or not attempted.

How answers are judged: the saved outputs of check cells could be stale (a learner may change
an answer and not run its check again, or never run it), so a notebook the learner has changed
is run from the top in a fresh kernel, as Restart Kernel and Run All Cells would, and each
declared exercise then judges the value its answer variable holds, exactly as its check cell
does. A notebook still as ``mhtrain lab`` wrote it (its hash matches the workspace record) is
not run: nothing in it is answered. Written answers are Markdown, so they are read, not run.
The run uses the settings of the shell it starts from (such as the seed setting of :mod:`mhtrain.settings`), as a kernel
started from there would.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode

from mhtrain import files
from mhtrain.checks.core.results import CORRECT, NOT_ATTEMPTED, NOT_YET
from mhtrain.course.lessons import Lesson, grade_id, lesson_sources, read_lesson
from mhtrain.errors import MhtrainError

__all__ = [
    "CORRECT",
    "NOT_ATTEMPTED",
    "NOT_YET",
    "WRITTEN",
    "ExerciseProgress",
    "format_progress",
    "judge_namespace",
    "workspace_progress",
]

#: The results a progress row can show.
# The checks' own outcomes, and one more for a written answer a tutor reads.
WRITTEN = "written"
# Marks the probe's printed line among a notebook's other output.
_PROBE_MARK = "mhtrain-progress:"


@dataclass(frozen=True)
class ExerciseProgress:
    """Where a learner is with one exercise.

    Attributes
    ----------
    lesson : str
        The lesson id, ``"03-comparing-groups"``.
    exercise : str
        The exercise id, ``"q1"``.
    status : str
        ``"correct"``, ``"not yet"``, ``"not attempted"``, or ``"written"`` for a written
        answer (read by a tutor, or compared with the model answer by the learner).
    notebook : str
        The workspace notebook it was read from.
    written : bool
        Whether it asks for a written answer (not marked by the checks).
    """

    lesson: str
    exercise: str
    status: str
    notebook: str
    written: bool = False


def judge_namespace(module_name: str, namespace: Mapping[str, Any]) -> dict[str, str]:
    """Judge each declared exercise of a checks module on the answers in ``namespace``.

    Runs inside the learner's kernel, after their notebook: the same ``evaluate`` their check
    cells call, on the value each exercise's ``variable`` holds. Written answers are left out.

    Parameters
    ----------
    module_name : str
        ``"mhtrain.checks.lesson03"``.
    namespace : mapping
        The notebook's variables (``globals()`` in the kernel).

    Returns
    -------
    dict of str to str
        The status by exercise id: ``"correct"``, ``"not yet"`` or ``"not attempted"``.
    """
    import importlib

    from mhtrain.checks import FreeTextExercise, exercises_in

    results = {}
    for exercise_id, exercise in exercises_in(importlib.import_module(module_name)).items():
        if isinstance(exercise, FreeTextExercise) or not exercise.variable:
            continue
        if exercise.variable not in namespace:
            results[exercise_id] = NOT_ATTEMPTED
            continue
        try:
            status = exercise.evaluate(namespace[exercise.variable]).status
        except Exception:  # an answer the check cannot read is not right yet
            status = NOT_YET
        results[exercise_id] = status if status in (CORRECT, NOT_ATTEMPTED) else NOT_YET
    return results


def _probe_source(lesson: Lesson) -> str:
    return (
        "import json as _mhtrain_json\n"
        "from mhtrain.course.progress import judge_namespace as _mhtrain_judge\n"
        f"print({_PROBE_MARK!r} + _mhtrain_json.dumps("
        f"_mhtrain_judge({lesson.checks_module_name!r}, globals())))"
    )


def _run(nb: NotebookNode, lesson: Lesson, folder: Path, *, timeout: int) -> tuple[dict, set]:
    """Run a notebook from the top in a fresh kernel; return the judged answers and the grade
    ids of the cells that stopped with an error."""
    from nbclient import NotebookClient

    nb = nbformat.from_dict(nb)  # a copy: the learner's file is never changed
    probe = nbformat.v4.new_code_cell(_probe_source(lesson))
    nb.cells.append(probe)
    client = NotebookClient(
        nb,
        timeout=timeout,
        allow_errors=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    try:
        # The kernel's own start-up messages would only clutter the table printed after.
        client.execute(stderr=subprocess.DEVNULL)
    except Exception as exc:  # the kernel died or a cell ran too long
        raise MhtrainError(
            f"could not run {lesson.id} to read your answers ({type(exc).__name__}: "
            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else 'no detail'}); "
            "open it in JupyterLab and run it from the top"
        ) from exc
    printed = "".join(o.get("text", "") for o in probe.outputs if o.output_type == "stream")
    line = next((x for x in printed.splitlines() if x.startswith(_PROBE_MARK)), None)
    if line is None:
        raise MhtrainError(
            f"could not read the answers in {lesson.id}: the checks did not run; open it in "
            "JupyterLab and run it from the top"
        )
    errored = {
        grade_id(cell)
        for cell in nb.cells[:-1]
        if any(o.output_type == "error" for o in cell.get("outputs", []))
    }
    return json.loads(line[len(_PROBE_MARK) :]), errored


def _written(cell: NotebookNode | None, stub: str) -> str:
    if cell is None:
        return NOT_ATTEMPTED
    text = cell.source.strip()
    return NOT_ATTEMPTED if not text or text == stub.strip() else WRITTEN


def _lesson_progress(
    lesson: Lesson, path: Path, *, untouched: bool, timeout: int
) -> list[ExerciseProgress]:
    from mhtrain.checks import FreeTextExercise
    from mhtrain.course.nbgrader.config import TEXT_STUB

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, or not a notebook
        raise MhtrainError(
            f"{path} is damaged ({type(exc).__name__}); restore it from JupyterLab's File > "
            "Revert, or move it away and run `mhtrain lab` for a fresh copy"
        ) from None
    exercises = lesson.exercises()
    cells = {grade_id(c): c for c in nb.cells if grade_id(c)}
    judged: dict[str, str] = {}
    errored: set = set()
    if not untouched and any(not isinstance(e, FreeTextExercise) for e in exercises.values()):
        judged, errored = _run(nb, lesson, path.parent, timeout=timeout)
    rows = []
    for exercise_id, exercise in exercises.items():
        answer_id = lesson.answer_id(exercise_id)
        if isinstance(exercise, FreeTextExercise):
            status = _written(cells.get(answer_id), TEXT_STUB)
        elif untouched:
            status = NOT_ATTEMPTED
        elif answer_id in errored:
            status = NOT_YET  # the answer cell itself stops with an error
        else:
            status = judged.get(exercise_id, NOT_ATTEMPTED)
        written = isinstance(exercise, FreeTextExercise)
        rows.append(ExerciseProgress(lesson.id, exercise_id, status, path.name, written))
    return rows


def _chosen_notebooks(directory: Path) -> dict[str, tuple[Path, bool]]:
    """For each lesson in the workspace, the notebook to read (the one saved last, when an
    updated copy sits beside the learner's) and whether it is untouched."""
    from mhtrain.course.lab import MANIFEST_NAME, _read_manifest

    if not directory.is_dir():
        raise MhtrainError(
            f"no workspace at {directory}; run `mhtrain lab` to make one, or name your "
            "workspace folder: `mhtrain progress FOLDER`"
        )
    records = _read_manifest(directory)
    if not records:
        raise MhtrainError(
            f"{directory} is not a workspace made by `mhtrain lab` (it has no "
            f"{MANIFEST_NAME}); run `mhtrain lab --dir {directory}` first"
        )
    chosen: dict[str, tuple[Path, bool]] = {}
    for name, record in records.items():
        path = directory / name
        lesson = record.get("lesson")
        if not lesson or not path.is_file():
            continue
        current = chosen.get(lesson)
        if current is None or path.stat().st_mtime_ns > current[0].stat().st_mtime_ns:
            untouched = files.sha256_file(path) == record.get("sha256")
            chosen[lesson] = (path, untouched)
    if not chosen:
        raise MhtrainError(
            f"the lesson notebooks in {directory} are gone; run `mhtrain lab --dir "
            f"{directory}` to restore them"
        )
    return chosen


def workspace_progress(
    directory: Path | str = "workspace",
    *,
    source_dir: Path | None = None,
    timeout: int = 300,
) -> list[ExerciseProgress]:
    """Return where a learner is with every declared exercise in their workspace.

    Parameters
    ----------
    directory : Path or str, optional
        The workspace folder ``mhtrain lab`` made; ``./workspace`` by default.
    source_dir : Path, optional
        Where the lesson sources are; by default the course's ``notebooks/`` folder.
    timeout : int, optional
        Seconds a cell of a changed notebook may run before the run is given up.

    Returns
    -------
    list of ExerciseProgress
        In lesson order, then in the order the lesson declares its exercises.
    """
    directory = Path(directory)
    chosen = _chosen_notebooks(directory)
    rows: list[ExerciseProgress] = []
    for source in lesson_sources(source_dir=source_dir):
        if source.stem in chosen:
            path, untouched = chosen[source.stem]
            lesson = read_lesson(source)
            rows.extend(_lesson_progress(lesson, path, untouched=untouched, timeout=timeout))
    return rows


def format_progress(rows: Iterable[ExerciseProgress]) -> str:
    """Return a plain table of progress, one exercise a line, with totals at the end."""
    rows = list(rows)
    headers = ("Lesson", "Exercise", "Result")
    table = [headers, *((r.lesson, r.exercise, r.status) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(2)]
    lines = [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}".rstrip() for a, b, c in table]
    lines.insert(1, f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * len(headers[2])}")
    checked = Counter(r.status for r in rows if not r.written)
    written = Counter(r.status for r in rows if r.written)
    lines.append("")
    lines.append(
        f"Checked exercises: {checked[CORRECT]} correct, {checked[NOT_YET]} not yet, "
        f"{checked[NOT_ATTEMPTED]} not attempted (of {checked.total()})."
    )
    if written:
        lines.append(
            f"Written answers: {written[WRITTEN]} written, {written[NOT_ATTEMPTED]} not "
            f"attempted (of {written.total()}). The checks do not mark these: compare yours "
            "with the model answer that its check cell shows."
        )
    return "\n".join(lines)
