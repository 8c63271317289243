"""The book page of a lesson: placeholders to try, worked answers folded, no tests or notes."""

from __future__ import annotations

import copy
from collections.abc import Sequence

import nbformat
from nbformat.notebooknode import NotebookNode

from mhtrain.course.build import nbgrader_preprocess, tidy_code
from mhtrain.course.lessons import (
    Lesson,
    exercise_calls,
    is_answer,
    is_test,
    is_tutor_note,
    placeholders,
    renumber,
    worked_answer,
)
from mhtrain.errors import MhtrainError

__all__ = ["book_notebook"]


def _plain_cell(cell: NotebookNode, *, extra_tags: Sequence[str] = ()) -> NotebookNode:
    """Copy a cell for the book: no nbgrader metadata, no outputs, extra tags added."""
    new = copy.deepcopy(cell)
    meta = new.setdefault("metadata", {})
    for key in ("nbgrader", "deletable", "editable"):
        meta.pop(key, None)
    tags = [t for t in meta.get("tags", []) if t]
    for tag in extra_tags:
        if tag not in tags:
            tags.append(tag)
    if tags:
        meta["tags"] = tags
    if new.cell_type == "code":
        new.outputs = []
        new.execution_count = None
    return new


def _dropdown(title: str, body: str, *, code: bool) -> NotebookNode:
    inner = f"```python\n{body}\n```" if code else body
    text = f"````{{admonition}} {title}\n:class: dropdown\n\n{inner}\n````"
    return nbformat.v4.new_markdown_cell(text)


def _hidden(source: str) -> NotebookNode:
    return nbformat.v4.new_code_cell(source, metadata={"tags": ["remove-cell"]})


def _fallback_cell(lesson: Lesson, names: Sequence[str], where: str) -> NotebookNode | None:
    """A hidden cell that fills in answer variables from the exercises' reference values."""
    from mhtrain.checks import FreeTextExercise

    if not names:
        return None
    module = lesson.checks_module_name
    by_variable = {ex.variable: ex for ex in lesson.exercises().values() if ex.variable}
    lines = [f"from mhtrain.checks import {module.rsplit('.', 1)[1]} as _filled_in"]
    for name in names:
        exercise = by_variable.get(name)
        if exercise is None:
            raise MhtrainError(
                f"{where}: no exercise in {module} declares variable={name!r}, so the "
                "cohort book cannot fill it in; add variable= to the exercise"
            )
        if isinstance(exercise, FreeTextExercise):
            continue  # a model written answer is never filled in: nothing should depend on it
        lines.append(f"{name} = _filled_in.{exercise.id}.expected()")
    return _hidden("\n".join(lines)) if len(lines) > 1 else None


def _call_cell(cell: NotebookNode, methods: set[str], *, answers: bool) -> NotebookNode:
    """A cell that only calls exercises: check output is removed, hints wait for a click."""
    if "check" in methods or ("solution" in methods and not answers):
        return _plain_cell(cell, extra_tags=["remove-output"])
    if methods & {"hint", "solution"}:
        what = "hint" if "hint" in methods else "worked answer"
        new = _plain_cell(cell, extra_tags=["hide-output"])
        new.metadata["mystnb"] = {
            "code_prompt_show": f"Show the {what}",
            "code_prompt_hide": f"Hide the {what}",
        }
        return new
    return _plain_cell(cell)


def book_notebook(lesson: Lesson, *, answers: bool = True) -> NotebookNode:
    """Return the book version of a lesson.

    Each answer cell becomes the learner's placeholder cell. With ``answers=True`` a "Show
    answer" dropdown follows it, and a hidden (``remove-cell``) copy of the worked answer runs
    after the cells that check the exercise, so later cells work and the check cells show what
    a learner sees before answering. With ``answers=False`` (the cohort build) no solution code
    is written anywhere: the hidden cell fills the answer variables in from the checks module's
    reference values (``ex.qN.expected()``, computed with library code from the data), and
    ``solution()`` is switched off. Test cells (visible and hidden) and tutor notes are removed.

    Parameters
    ----------
    lesson : Lesson
        The lesson.
    answers : bool, optional
        Whether worked answers are shown behind a "Show answer" control.

    Returns
    -------
    nbformat.NotebookNode
    """
    from nbgrader.preprocessors import ClearSolutions

    student = nbgrader_preprocess(lesson.copy(), [ClearSolutions])
    cells: list[NotebookNode] = []
    pending: list[NotebookNode] = []
    inserted_switch = answers

    for i, (cell, cleared) in enumerate(zip(lesson.cells, student.cells, strict=True)):
        if is_tutor_note(cell) or is_test(cell):
            continue
        calls = exercise_calls(cell)
        # Hidden answer cells run just before the next code cell that is not part of the
        # exercise (its check, hint and test cells), so checks show the unanswered state.
        if calls is None and pending and cell.cell_type == "code":
            cells.extend(pending)
            pending = []
        if cell.cell_type == "code" and not inserted_switch:
            cells.append(
                _hidden("import mhtrain.checks\nmhtrain.checks.set_solutions_visible(False)")
            )
            inserted_switch = True
        if is_answer(cell):
            placeholder = _plain_cell(cleared)
            tidy_code(placeholder)
            cells.append(placeholder)
            worked = worked_answer(cell)
            if cell.cell_type == "markdown":
                if answers:
                    cells.append(_dropdown("Show model answer", worked.strip(), code=False))
            elif answers:
                cells.append(_dropdown("Show answer", worked, code=True))
                pending.append(_hidden(worked))
            else:
                fallback = _fallback_cell(lesson, placeholders(cell.source), lesson.where(i))
                if fallback is not None:
                    pending.append(fallback)
            continue
        if calls is not None:
            cells.append(_call_cell(cell, {method for _, method in calls}, answers=answers))
            continue
        cells.append(_plain_cell(cell))
    cells.extend(pending)

    nb = nbformat.v4.new_notebook(metadata=copy.deepcopy(lesson.metadata))
    nb.cells = cells
    return renumber(nb, lesson.id)
