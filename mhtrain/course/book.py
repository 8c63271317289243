"""The book page of a lesson, for readers: questions, answers in words, code folded away.

Each exercise shows its question, then a "Show answer" box holding first the result in words
and numbers (the lesson's worked-answer template, filled in when the book runs the lesson),
then the worked code. The scaffolding a learner types into (placeholders, check, hint and test
cells) is left off the page but stays in the page's downloadable notebook; other code is folded
behind "Show code" with its output in view; tutor notes are removed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence

import nbformat
from nbformat.notebooknode import NotebookNode

from mhtrain.course.build import nbgrader_preprocess, tidy_code
from mhtrain.course.lessons import (
    Lesson,
    exercise_calls,
    grade_id,
    is_answer,
    is_test,
    is_tutor_note,
    is_worked_words,
    placeholders,
    renumber,
    worked_answer,
)
from mhtrain.course.worked import fields, glue_key, render
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


#: The tags and prompts that fold a code cell's input behind "Show code", output in view.
_FOLDED_CODE = {"code_prompt_show": "Show code", "code_prompt_hide": "Hide code"}
#: Put between the words of a worked answer and its code.
CODE_LABEL = "*The code that works it out:*"
#: Said once on each lesson page with exercises (the page shows no cell to type into).
TRY_IT = (
    "**Try the exercises yourself.** This page shows each exercise's question{answers}. To "
    "answer them yourself, download this page as a notebook (the download button at the top) "
    "or run the course on your own computer with `mhtrain lab`, which gives instant feedback "
    'on every answer: see "Run it on your own computer" on the [home page](../intro.md).'
)
_TRY_IT_ANSWERS = (
    ' and, behind "Show answer", the result in words and numbers, then the code that finds it'
)


def _words_block(exercise: str, template: str) -> str:
    """The words of a worked answer as MyST: pasted from the run when they hold fields."""
    if fields(template):
        return f"```{{glue:md}} {glue_key(exercise)}\n:format: myst\n```"
    return render(template, {}, exercise=exercise)


def _dropdown(title: str, words: Sequence[str], body: str, *, code: bool) -> NotebookNode:
    inner = f"```python\n{body}\n```" if code else body
    if code and words:
        inner = f"{CODE_LABEL}\n\n{inner}"
    parts = [*words, inner] if body.strip() else list(words)
    text = "\n\n".join(parts)
    fence = "`" * max(4, 1 + max((len(m) for m in _backtick_runs(text)), default=0))
    return nbformat.v4.new_markdown_cell(
        f"{fence}{{admonition}} {title}\n:class: dropdown\n\n{text}\n{fence}"
    )


def _backtick_runs(text: str) -> list[str]:
    return re.findall(r"`{3,}", text)


def _hidden(source: str) -> NotebookNode:
    return nbformat.v4.new_code_cell(source, metadata={"tags": ["remove-cell"]})


def _show_words_cell(exercise: str, template: str) -> NotebookNode:
    """A hidden cell that fills the words in after the worked code ran, for the box to paste."""
    return _hidden(
        "from mhtrain.course.worked import show as _show_words\n"
        f"_show_words({exercise!r}, {template!r}, globals())"
    )


_INSTALL = """\
# Opened in Colab or Binder? This cell installs the course and its data from its repository.
# Where the course is already installed (as on the course website), it does nothing.
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("mhtrain") is None:
    _course = os.path.abspath("mhtrain-course")
    if not os.path.isdir(_course):
        subprocess.run(
            ["git", "clone", "--quiet", "--depth", "1", "--branch", {branch!r}, {url!r}, _course],
            check=True,
        )
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "-e", _course], check=True)
    sys.path.insert(0, _course)"""


def install_cell(repository: str, *, branch: str = "main") -> NotebookNode:
    """Return the hidden first cell that installs the course where it is missing.

    A lesson opened in Colab or Binder from the course repository finds no ``mhtrain``: the
    cell clones the repository (code and shipped data) and installs it. Where ``mhtrain`` can
    already be imported, it does nothing.

    Parameters
    ----------
    repository : str
        The repository's ``https://`` address (``repository.url`` in ``_config.yml``).
    branch : str, optional
        The branch to install from.
    """
    return _hidden(_INSTALL.format(url=repository.strip(), branch=branch))


def _folded(cell: NotebookNode) -> NotebookNode:
    """Fold a code cell's input behind "Show code"; its output stays in view."""
    new = _plain_cell(cell, extra_tags=["hide-input"])
    new.metadata["mystnb"] = {**new.metadata.get("mystnb", {}), **_FOLDED_CODE}
    return new


def _introduces_scaffolding(cell: NotebookNode, following: NotebookNode | None) -> bool:
    """Whether a Markdown cell only tells the learner to run the scaffolding cell after it
    ("Now check your answer:"): a plain cell with no heading, followed by a check, hint or
    solution cell. Such words go with that cell, off the web page."""
    if following is None or cell.cell_type != "markdown" or cell.get("metadata", {}).get("tags"):
        return False
    if any(line.startswith("#") for line in cell.source.split("\n")):
        return False
    calls = exercise_calls(following)
    return calls is not None and not {method for _, method in calls} <= {"show_options"}


def _try_it_cell(*, answers: bool) -> NotebookNode:
    return nbformat.v4.new_markdown_cell(TRY_IT.format(answers=_TRY_IT_ANSWERS if answers else ""))


def _try_it_place(cells: Sequence[NotebookNode]) -> int | None:
    """Where the "try it yourself" note goes: before the heading of the first exercise (after
    it, when that heading is the lesson's title); None for a lesson with no exercise."""
    for i, cell in enumerate(cells):
        if is_answer(cell):
            for j in range(i - 1, -1, -1):
                lines = cells[j].source.split("\n") if cells[j].cell_type == "markdown" else []
                if any(line.startswith("# ") for line in lines):
                    return j + 1
                if any(line.startswith("#") for line in lines):
                    return j
            return 0
    return None


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


def _call_cell(cell: NotebookNode, methods: set[str]) -> NotebookNode:
    """A cell that only calls exercises: off the page (kept in the download), unless it shows
    a reading question's options, which the reader needs."""
    if methods <= {"show_options"}:
        return _folded(cell)
    return _plain_cell(cell, extra_tags=["remove-cell"])


def book_notebook(
    lesson: Lesson, *, answers: bool = True, repository: str = "", branch: str = "main"
) -> NotebookNode:
    """Return the book version of a lesson.

    Each answer cell becomes the learner's placeholder cell, kept in the page's notebook but
    left off the web page (``remove-cell``), as are check, hint and solution cells. With
    ``answers=True`` a "Show answer" box follows it: first the exercise's worked answer in
    words (the lesson's ``worked-answer`` template, filled in by a hidden cell after the worked
    code has run, and pasted with myst-nb's ``glue:md``), then the worked code. A hidden
    (``remove-cell``) copy of the worked code runs after the exercise's own cells, so later
    cells work. With ``answers=False`` (the cohort build) no solution code and no worked words
    are written anywhere: the hidden cell fills the answer variables in from the checks
    module's reference values (``ex.qN.expected()``, computed with library code from the data),
    and ``solution()`` is switched off. Test cells and tutor notes are removed; every other code
    cell is folded behind "Show code", its output in view. The page says once, before the first
    exercise, how to try the exercises yourself. When the course's repository is set, the first
    cell (hidden) installs the course where it is missing (see :func:`install_cell`).

    Parameters
    ----------
    lesson : Lesson
        The lesson.
    answers : bool, optional
        Whether worked answers are shown behind a "Show answer" control.
    repository : str, optional
        The course repository's ``https://`` address; ``""`` (unset) adds no install cell.
    branch : str, optional
        The repository branch the install cell installs from.

    Returns
    -------
    nbformat.NotebookNode
    """
    from nbgrader.preprocessors import ClearSolutions

    student = nbgrader_preprocess(lesson.copy(), [ClearSolutions])
    words_by_answer: dict[str, list[tuple[str, str]]] = {}
    for exercise, template in lesson.worked_words.items():
        gid = lesson.answer_id(exercise)
        if gid is not None:
            words_by_answer.setdefault(gid, []).append((exercise, template))
    try_it_at = _try_it_place(lesson.cells)
    cells: list[NotebookNode] = []
    pending: list[NotebookNode] = []
    inserted_switch = answers

    for i, (cell, cleared) in enumerate(zip(lesson.cells, student.cells, strict=True)):
        following = lesson.cells[i + 1] if i + 1 < len(lesson.cells) else None
        if i == try_it_at:
            cells.append(_try_it_cell(answers=answers))
        if is_tutor_note(cell) or is_test(cell) or is_worked_words(cell):
            continue
        calls = exercise_calls(cell)
        # Hidden answer cells run just before the next code cell that is not part of the
        # exercise (its check, hint and test cells), so a downloaded notebook's checks show
        # the unanswered state.
        if calls is None and pending and cell.cell_type == "code":
            cells.extend(pending)
            pending = []
        if cell.cell_type == "code" and not inserted_switch:
            cells.append(
                _hidden("import mhtrain.checks\nmhtrain.checks.set_solutions_visible(False)")
            )
            inserted_switch = True
        if is_answer(cell):
            placeholder = _plain_cell(cleared, extra_tags=["remove-cell"])
            tidy_code(placeholder)
            cells.append(placeholder)
            worked = worked_answer(cell)
            words = words_by_answer.get(grade_id(cell) or "", []) if answers else []
            if answers:
                blocks = [_words_block(exercise, template) for exercise, template in words]
                title = "Show model answer" if cell.cell_type == "markdown" else "Show answer"
                code = cell.cell_type == "code"
                cells.append(_dropdown(title, blocks, worked.strip(), code=code))
                if code:
                    pending.append(_hidden(worked))
                pending.extend(
                    _show_words_cell(exercise, template)
                    for exercise, template in words
                    if fields(template)
                )
            else:
                fallback = _fallback_cell(lesson, placeholders(cell.source), lesson.where(i))
                if fallback is not None:
                    pending.append(fallback)
            continue
        if calls is not None:
            cells.append(_call_cell(cell, {method for _, method in calls}))
            continue
        if cell.cell_type == "code":
            cells.append(_folded(cell))
        elif _introduces_scaffolding(cell, following):
            cells.append(_plain_cell(cell, extra_tags=["remove-cell"]))
        else:
            cells.append(_plain_cell(cell))
    cells.extend(pending)
    if repository.strip():
        cells.insert(0, install_cell(repository, branch=branch))

    nb = nbformat.v4.new_notebook(metadata=copy.deepcopy(lesson.metadata))
    nb.cells = cells
    return renumber(nb, lesson.id)
