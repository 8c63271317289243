"""Build the nbgrader source, the student and self-paced notebooks and the book pages from lessons.

Each version is made from a :class:`~mhtrain.course.lessons.Lesson`; the book page's own rules
are in :mod:`mhtrain.course.book`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode

from mhtrain import files
from mhtrain.course.lessons import (
    TUTOR_NOTE_TAG,
    Lesson,
    is_test,
    lesson_id,
    lesson_sources,
    lessons_dir,
    read_lesson,
    renumber,
)
from mhtrain.errors import MhtrainError

__all__ = [
    "TUTOR_NOTE_TAG",
    "as_lesson",
    "book_notebook",
    "build_book_lessons",
    "build_nbgrader_source",
    "build_student_notebooks",
    "lesson_id",
    "lesson_sources",
    "lessons_dir",
    "nbgrader_preprocess",
    "read_lesson",
    "self_paced_notebook",
    "self_paced_workspace",
    "source_notebook",
    "student_notebook",
    "write_notebook",
]

LessonLike = Lesson | Path | str


def as_lesson(lesson: LessonLike) -> Lesson:
    """Return a :class:`Lesson`, reading the source when given a path."""
    return lesson if isinstance(lesson, Lesson) else read_lesson(lesson)


def source_notebook(lesson: LessonLike) -> NotebookNode:
    """Return the nbgrader source version: solutions, hidden tests and tutor notes in place."""
    return as_lesson(lesson).copy()


def nbgrader_preprocess(nb: NotebookNode, steps: Sequence[type]) -> NotebookNode:
    """Run nbgrader preprocessors (classes) on a notebook with the course configuration."""
    from mhtrain.course.nbgrader.config import nbgrader_config

    config = nbgrader_config()
    resources: dict[str, Any] = {}
    for step in steps:
        try:
            nb, resources = step(config=config).preprocess(nb, resources)
        except RuntimeError as exc:  # nbgrader reports unbalanced markers this way
            raise MhtrainError(f"nbgrader could not process the notebook: {exc}") from exc
    return nb


def tidy_code(cell: NotebookNode) -> None:
    """Strip trailing spaces and blank lines that a cleared solution region leaves."""
    if cell.cell_type == "code":
        cell.source = "\n".join(line.rstrip() for line in cell.source.split("\n")).rstrip("\n")


def student_notebook(lesson: LessonLike) -> NotebookNode:
    """Return the student version of a lesson, as nbgrader releases it to a cohort.

    Solution regions are cleared by nbgrader's ``ClearSolutions`` (so an answer cell keeps only
    its placeholder line), hidden tests by ``ClearHiddenTests``, test cells are made
    undeletable by ``LockCells``, outputs are cleared, and tutor notes are removed by the
    same step nbgrader runs when it releases an assignment.
    """
    from nbgrader.preprocessors import ClearHiddenTests, ClearOutput, ClearSolutions, LockCells

    from mhtrain.course.nbgrader.preprocessors import RemoveTutorNotes

    lesson = as_lesson(lesson)
    steps = [RemoveTutorNotes, LockCells, ClearSolutions, ClearHiddenTests, ClearOutput]
    nb = nbgrader_preprocess(lesson.copy(), steps)
    for cell in nb.cells:
        tidy_code(cell)
    return renumber(nb, lesson.id)


def self_paced_notebook(lesson: LessonLike, *, pages: Iterable[str] = ()) -> NotebookNode:
    """Return the self-paced version of a lesson: what ``mhtrain lab`` puts in a workspace.

    It is the :func:`student_notebook` without its test cells. A test cell calls ``grade()``,
    which stops Run All at the first unanswered exercise; the check cell above it gives the
    same feedback without stopping, and says "Not attempted" in place. The cohort release
    keeps its test cells, so nbgrader still scores a blank answer 0.

    Parameters
    ----------
    lesson : Lesson, Path or str
        The lesson.
    pages : iterable of str, optional
        The book pages the workspace carries (``glossary.md``): links to them point at
        ``pages/<page>``; a link to any other book page keeps its words and loses the link.
    """
    from mhtrain.course.workspace_pages import point_links_at_pages

    nb = student_notebook(lesson)
    nb.cells = [cell for cell in nb.cells if not is_test(cell)]
    return point_links_at_pages(nb, pages)


def self_paced_workspace(
    lessons: Sequence[LessonLike],
) -> tuple[list[tuple[Lesson, NotebookNode]], dict[str, str]]:
    """Return the self-paced notebooks of ``lessons`` and the book pages they link to.

    Returns
    -------
    notebooks : list of (Lesson, NotebookNode)
        One per lesson, in the order given.
    pages : dict of str to str
        The plain-Markdown copy of each linked book page that can be found, by file name
        (``glossary.md``), for the workspace's ``pages/`` folder.
    """
    from mhtrain.course.workspace_pages import book_links, workspace_pages

    read = [as_lesson(lesson) for lesson in lessons]
    wanted = [page for lesson in read for page in book_links(lesson.notebook)]
    pages = workspace_pages(wanted)
    return [(lesson, self_paced_notebook(lesson, pages=pages)) for lesson in read], pages


def book_notebook(
    lesson: LessonLike, *, answers: bool = True, repository: str = "", branch: str = "main"
) -> NotebookNode:
    """Return the book version of a lesson (see :func:`mhtrain.course.book.book_notebook`)."""
    from mhtrain.course.book import book_notebook as build

    return build(as_lesson(lesson), answers=answers, repository=repository, branch=branch)


def write_notebook(nb: NotebookNode, path: Path) -> Path:
    """Validate ``nb`` and write it to ``path`` atomically."""
    nbformat.validate(nb)
    text = nbformat.writes(nb)
    return files.write_text(path, text if text.endswith("\n") else text + "\n")


def _build_all(
    sources: Sequence[Path],
    make: Callable[[Lesson], NotebookNode],
    target: Callable[[Lesson], Path],
) -> list[Path]:
    # Build every notebook in memory first, so a broken lesson leaves no files half-updated.
    lessons = [read_lesson(path) for path in sources]
    built = [(make(lesson), target(lesson)) for lesson in lessons]
    return [write_notebook(nb, out) for nb, out in built]


def build_nbgrader_source(
    dest: Path | str,
    *,
    lessons: Iterable[str | int | Path] | None = None,
    source_dir: Path | None = None,
) -> list[Path]:
    """Write the nbgrader source version of each lesson to ``dest/<lesson_id>/<lesson_id>.ipynb``.

    Parameters
    ----------
    dest : Path or str
        The nbgrader ``source/`` folder of a course.
    lessons : iterable, optional
        Which lessons (ids, numbers or paths); by default all.
    source_dir : Path, optional
        Where the lesson sources are; by default :func:`lessons_dir`.

    Returns
    -------
    list of Path
        The notebooks written.
    """
    dest = Path(dest)
    sources = lesson_sources(lessons=lessons, source_dir=source_dir)
    return _build_all(sources, source_notebook, lambda s: dest / s.id / f"{s.id}.ipynb")


def build_student_notebooks(
    dest: Path | str,
    *,
    lessons: Iterable[str | int | Path] | None = None,
    source_dir: Path | None = None,
) -> list[Path]:
    """Write the self-paced version of each lesson to ``dest/<lesson_id>.ipynb``.

    The book pages the lessons link to go in ``dest/pages/`` (see
    :func:`self_paced_workspace`). ``lessons`` and ``source_dir`` choose the lessons as for
    :func:`build_nbgrader_source`; the notebooks written are returned.
    """
    from mhtrain.course.workspace_pages import PAGES_DIR

    dest = Path(dest)
    sources = lesson_sources(lessons=lessons, source_dir=source_dir)
    # Built in memory first, so a broken lesson leaves no files half-updated.
    built, pages = self_paced_workspace([read_lesson(path) for path in sources])
    written = [write_notebook(nb, dest / f"{lesson.id}.ipynb") for lesson, nb in built]
    for name, text in pages.items():
        files.write_if_changed(dest / PAGES_DIR / name, text)
    return written


def build_book_lessons(
    dest: Path | str,
    *,
    answers: bool = True,
    lessons: Iterable[str | int | Path] | None = None,
    source_dir: Path | None = None,
    repository: str = "",
    branch: str = "main",
) -> list[Path]:
    """Write the book version of each lesson to ``dest/<lesson_id>.ipynb`` (``book/lessons``).

    ``answers=True`` makes the public book (answers behind "Show answer"); ``False`` a cohort's
    book, which contains no solution code at all. ``lessons`` and ``source_dir`` choose the
    lessons as for :func:`build_nbgrader_source`; the notebooks written are returned. With
    ``repository`` (and ``branch``) set, each notebook's hidden first cell installs the
    course where it is missing, as in Colab or Binder.
    """
    dest = Path(dest)
    sources = lesson_sources(lessons=lessons, source_dir=source_dir)
    return _build_all(
        sources,
        lambda s: book_notebook(s, answers=answers, repository=repository, branch=branch),
        lambda s: dest / f"{s.id}.ipynb",
    )
