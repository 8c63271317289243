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
    is_answer,
    is_test,
    is_tutor_note,
    placeholders,
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
    try:
        MetadataValidator().validate_nb(copy.deepcopy(nb))
    except (ValidationError, SchemaMismatchError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MhtrainError(f"{path}: nbgrader metadata is not valid: {first}") from exc
