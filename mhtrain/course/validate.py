"""The rules a lesson source must keep; each broken rule is named with its cell and its fix."""

from __future__ import annotations

import copy
from pathlib import Path

from nbformat.notebooknode import NotebookNode

from mhtrain.course.lessons import (
    ALLOWED_NBGRADER_KEYS,
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_SOLUTION,
    TUTOR_NOTE_TAG,
    WORKED_WORDS_TAG,
    Lesson,
    is_answer,
    is_test,
    is_tutor_note,
    is_worked_words,
    placeholders,
    worked_words_exercise,
)
from mhtrain.errors import MhtrainError


def _check_cell(cell: NotebookNode, where: str) -> None:
    meta = dict(cell.get("metadata", {}).get("nbgrader", {}))
    if cell.get("outputs"):
        raise MhtrainError(f"{where}: lesson sources must have no outputs; clear them")
    if meta:
        extra = sorted(set(meta) - ALLOWED_NBGRADER_KEYS)
        if extra:
            raise MhtrainError(
                f"{where}: nbgrader metadata has keys nbgrader does not allow "
                f"({', '.join(extra)}); remove them"
            )
        if meta.get("schema_version") != 3:
            raise MhtrainError(f"{where}: nbgrader metadata needs schema_version: 3")
    source = cell.source
    has_solution = BEGIN_SOLUTION in source or END_SOLUTION in source
    has_hidden = BEGIN_HIDDEN in source or END_HIDDEN in source
    if has_solution and not (is_answer(cell) and cell.cell_type == "code"):
        raise MhtrainError(
            f"{where}: ### BEGIN SOLUTION is only allowed in code answer cells; mark the cell "
            "with nbgrader solution: true"
        )
    if has_hidden and not is_test(cell):
        raise MhtrainError(
            f"{where}: ### BEGIN HIDDEN TESTS is only allowed in test cells; mark the cell "
            "with nbgrader grade: true, solution: false"
        )
    for begin, end in ((BEGIN_SOLUTION, END_SOLUTION), (BEGIN_HIDDEN, END_HIDDEN)):
        if source.count(begin) != source.count(end):
            raise MhtrainError(f"{where}: every ### {begin} needs a matching ### {end}")
    if is_tutor_note(cell) and (cell.cell_type != "markdown" or meta):
        raise MhtrainError(
            f"{where}: only plain Markdown cells can be tagged {TUTOR_NOTE_TAG}; move the note "
            "into its own Markdown cell"
        )
    if (
        cell.cell_type == "code"
        and is_answer(cell)
        and not meta.get("grade")
        and not placeholders(source)
    ):
        raise MhtrainError(
            f"{where}: an answer cell needs a placeholder line such as "
            "`rate = ...  # replace ... with your answer` before ### BEGIN SOLUTION"
        )


def validate(nb: NotebookNode, path: Path | str) -> None:
    """Check a lesson's structure; raise MhtrainError naming the first problem and its fix.

    Parameters
    ----------
    nb : NotebookNode
        The lesson as read from its source.
    path : Path or str
        The source file, for the messages.
    """
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError
    from nbgrader.nbgraderformat.common import SchemaMismatchError

    language = nb.metadata.get("kernelspec", {}).get("language")
    if language != "python":
        raise MhtrainError(
            f"{path}: the front matter must declare a Python kernelspec (language: python); "
            "copy it from notebooks/00-getting-started.md"
        )
    for i, cell in enumerate(nb.cells):
        _check_cell(cell, f"{path} cell {i + 1}")
    _check_worked_words_cells(nb, path)
    try:
        MetadataValidator().validate_nb(copy.deepcopy(nb))
    except (ValidationError, SchemaMismatchError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MhtrainError(f"{path}: nbgrader metadata is not valid: {first}") from exc


_WORKED_EXAMPLE = '+++ {"tags": ["worked-answer"], "mhtrain": {"exercise": "q1"}}'


def _check_worked_words_cells(nb: NotebookNode, path: Path | str) -> None:
    """Each worked answer in words is a Markdown cell naming one exercise, once."""
    seen: dict[str, int] = {}
    for i, cell in enumerate(nb.cells):
        if not is_worked_words(cell):
            continue
        where = f"{path} cell {i + 1}"
        if cell.cell_type != "markdown" or cell.get("metadata", {}).get("nbgrader"):
            raise MhtrainError(
                f"{where}: only plain Markdown cells can be tagged {WORKED_WORDS_TAG}; write "
                "the worked answer in words in its own Markdown cell"
            )
        exercise = worked_words_exercise(cell)
        if exercise is None:
            raise MhtrainError(
                f"{where}: a {WORKED_WORDS_TAG} cell must name its exercise in its metadata, "
                f"as in {_WORKED_EXAMPLE}"
            )
        if exercise in seen:
            raise MhtrainError(
                f"{where}: exercise {exercise} already has a worked answer in words (cell "
                f"{seen[exercise]}); keep one {WORKED_WORDS_TAG} cell per exercise"
            )
        if not cell.source.strip():
            raise MhtrainError(f"{where}: the worked answer in words for {exercise} is empty")
        seen[exercise] = i + 1


def validate_worked_words(lesson: Lesson) -> None:
    """Check that every worked answer in words names an exercise the lesson has.

    The exercise must have an answer cell (declared in the lesson's checks module, or a part a
    tutor marks by hand whose answer cell's grade id starts with it, such as the capstone's
    ``q3-analysis``), so the book can put the words in that exercise's "Show answer" box.

    Parameters
    ----------
    lesson : Lesson
        The lesson, already read and checked by :func:`validate`.

    Raises
    ------
    MhtrainError
        Naming the cell and the exercise.
    """
    from mhtrain.course.worked import fields

    if not lesson.worked_words:
        return
    exercises = lesson.exercises()
    for i, cell in enumerate(lesson.cells):
        if not is_worked_words(cell):
            continue
        exercise = worked_words_exercise(cell)
        where = lesson.where(i)
        hand_marked = exercise not in exercises and lesson.answer_id(exercise) is not None
        if exercise not in exercises and not hand_marked:
            known = ", ".join(exercises) or "none"
            raise MhtrainError(
                f"{where}: the worked answer in words names exercise {exercise!r}, which "
                f"{lesson.checks_module_name} does not declare (it has: {known}); correct "
                "the exercise id in the cell's metadata"
            )
        if lesson.answer_id(exercise) is None:
            raise MhtrainError(
                f"{where}: exercise {exercise} has no answer cell for its worked answer in "
                f"words to follow; give the answer cell the grade id {exercise}-answer"
            )
        empty = [f for f in fields(cell.source) if not f or "{" in f or "}" in f]
        if empty:
            raise MhtrainError(
                f"{where}: the worked answer for {exercise} has a field {{{{ {empty[0]} }}}} "
                "that is empty or nests braces; write {{ name }} or {{ name:format }}"
            )
