"""The nbgrader configuration every part of the course shares (builds, tutor tools, feedback)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from traitlets.config import Config

#: What a solution region becomes in the student version: nothing, because every answer cell
#: already starts with a placeholder line such as ``rate = ...  # replace ... with your answer``.
CODE_STUB = ""
#: What a written (Markdown) answer cell becomes in the student version.
TEXT_STUB = "Write your answer here."

#: Tag of Markdown cells meant for tutors only.
TUTOR_NOTE_TAG = "tutor-note"

#: Seconds a single cell may run while nbgrader executes a notebook (loading data included).
CELL_TIMEOUT = 120


class RemoveTutorNotes(NbGraderPreprocessor):
    """Remove Markdown cells tagged ``tutor-note`` (marking rubrics, facilitation advice).

    It runs first when nbgrader generates an assignment, so tutor notes stay in the source
    version and never reach a released notebook.
    """

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        """Drop every cell tagged as a tutor note."""
        nb.cells = [
            cell
            for cell in nb.cells
            if TUTOR_NOTE_TAG not in cell.get("metadata", {}).get("tags", [])
        ]
        return nb, resources


class RemoveHiddenTestsFromFeedback(ClearHiddenTests):
    """Remove hidden tests, and any trace of them in error output, from feedback notebooks.

    nbgrader restores hidden tests before autograding, and its feedback shows every cell's source
    and traceback. This preprocessor deletes the hidden-test regions from the source and, in
    cells that held them, cuts each error traceback down to its final line (the error's type
    and message), because a traceback quotes the failing source line.
    """

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        """Strip hidden-test regions from one cell and scrub its error outputs."""
        if cell.cell_type != "code":
            return cell, resources
        removed = self._remove_hidden_test_region(cell)
        if removed:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    name, value = output.get("ename", "Error"), output.get("evalue", "")
                    output["traceback"] = [f"{name}: {value}"]
        return cell, resources


def nbgrader_config(*, course_root: Path | str | None = None) -> Config:
    """Return the traitlets Config for nbgrader that the course build and tutor tools share.

    It sets an empty code stub (answer cells keep their placeholder line), a plain written-answer
    stub, a longer cell timeout, tutor notes removed from released assignments, and feedback
    that never shows hidden tests.

    Parameters
    ----------
    course_root : path, optional
        The nbgrader course directory (holding ``source/``); left unset, nbgrader uses the
        current directory.

    Returns
    -------
    traitlets.config.Config
    """
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import GetGrades

    c = Config()
    c.ClearSolutions.code_stub = {"python": CODE_STUB}
    c.ClearSolutions.text_stub = TEXT_STUB
    c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
    c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
    c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
    c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"
    c.Execute.timeout = CELL_TIMEOUT
    # Lesson 10 writes a Parquet dataset next to the notebook; never release or collect it.
    c.CourseDirectory.ignore = [
        ".ipynb_checkpoints",
        "*.pyc",
        "__pycache__",
        "feedback",
        "big-data",
    ]
    default_steps = GenerateAssignment.class_traits()["preprocessors"].default()
    c.GenerateAssignment.preprocessors = [RemoveTutorNotes, *default_steps]
    c.GenerateFeedback.preprocessors = [
        GetGrades,
        RemoveHiddenTestsFromFeedback,
        CSSHTMLHeaderPreprocessor,
    ]
    if course_root is not None:
        c.CourseDirectory.root = str(Path(course_root).resolve())
    return c


def config_file_text(**settings: Any) -> str:
    """Return the text of an ``nbgrader_config.py`` that loads :func:`nbgrader_config`.

    Parameters
    ----------
    **settings
        Extra ``CourseDirectory`` settings to write (for example ``course_id="mhtrain-2025"``).
    """
    lines = [
        '"""nbgrader configuration for an mhtrain course; the shared settings live in mhtrain."""',
        "",
        "from mhtrain.course.nbconfig import nbgrader_config",
        "",
        "c = get_config()  # noqa: F821 (provided by nbgrader when it reads this file)",
        "c.merge(nbgrader_config())",
    ]
    for key, value in sorted(settings.items()):
        lines.append(f"c.CourseDirectory.{key} = {value!r}")
    return "\n".join(lines) + "\n"
