"""The lesson model: one MyST source read once into its cells, exercises and worked answers.

Every consumer takes a :class:`Lesson`: the nbgrader source build, the student build, the book
page, ``mhtrain lab``, the tutor commands, the checks' ``solution()`` and the tests. Nothing
else parses a lesson source, finds a lesson by number, or turns an answer cell into a worked
answer.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import re
import sys
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

import jupytext
from nbformat.notebooknode import NotebookNode
from nbgrader.utils import is_grade, is_solution

from mhtrain import files, settings
from mhtrain.checks import ALIAS
from mhtrain.data import REPO_ROOT
from mhtrain.errors import MhtrainError

__all__ = [
    "ALIAS",
    "ALLOWED_NBGRADER_KEYS",
    "BEGIN_HIDDEN",
    "BEGIN_SOLUTION",
    "END_HIDDEN",
    "END_SOLUTION",
    "TUTOR_NOTE_TAG",
    "WORKED_WORDS_TAG",
    "Lesson",
    "answer_cell_id",
    "exercise_calls",
    "find_lesson",
    "grade_id",
    "is_answer",
    "is_test",
    "is_tutor_note",
    "is_worked_words",
    "lesson_for_module",
    "lesson_id",
    "lesson_sources",
    "lessons_dir",
    "placeholders",
    "read_lesson",
    "worked_answer",
    "worked_answer_for",
    "worked_words_exercise",
]

#: Tag of Markdown cells meant for tutors only.
TUTOR_NOTE_TAG = "tutor-note"
#: Tag of the Markdown cell that states an exercise's worked answer in words (a template).
WORKED_WORDS_TAG = "worked-answer"
#: The nbgrader metadata keys a lesson may use (nbgrader's schema version 3).
ALLOWED_NBGRADER_KEYS = frozenset(
    {"grade", "solution", "locked", "grade_id", "points", "schema_version", "task"}
)
#: nbgrader's region markers, as lesson sources write them after ``### ``.
BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
#: Where a wheel installs the lesson sources, below its data folder (see ``pyproject.toml``).
INSTALLED_LESSONS = ("share", "mhtrain", "notebooks")

_LESSON_NAME = re.compile(r"^(\d\d)-[a-z0-9]+(?:-[a-z0-9]+)*$")
# A placeholder line in an answer cell: ``rate = ...  # replace ... with your answer``.
_PLACEHOLDER = re.compile(
    r"^\s*(?P<names>[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*=\s*\.\.\.\s*(?:#.*)?$"
)
# A line that only calls an exercise: ``ex.q1.check(rate)``, ``ex.q1.hint()``, ...
_EXERCISE_CALL = re.compile(
    rf"^\s*{ALIAS}\.(?P<id>[A-Za-z_]\w*)\.(?P<method>check|hint|solution|show_options)\(.*\)\s*;?\s*$"
)
_CHECKS_MODULE = re.compile(r"^mhtrain\.checks\.lesson(?P<number>\d\d)$")


# --------------------------------------------------------------------------------------------
# What kind of cell is this (nbgrader's own tests, plus the course's tutor notes).
# --------------------------------------------------------------------------------------------


def is_test(cell: NotebookNode) -> bool:
    """Return whether a cell is an autograded test cell (graded, not an answer, code)."""
    return cell.cell_type == "code" and bool(is_grade(cell)) and not is_solution(cell)


def is_answer(cell: NotebookNode) -> bool:
    """Return whether a cell is an answer cell (nbgrader ``solution: true``)."""
    return bool(is_solution(cell))


def is_tutor_note(cell: NotebookNode) -> bool:
    """Return whether a cell is a tutor note (a Markdown cell tagged ``tutor-note``)."""
    return TUTOR_NOTE_TAG in cell.get("metadata", {}).get("tags", [])


def is_worked_words(cell: NotebookNode) -> bool:
    """Return whether a cell states a worked answer in words (tagged ``worked-answer``)."""
    return WORKED_WORDS_TAG in cell.get("metadata", {}).get("tags", [])


def worked_words_exercise(cell: NotebookNode) -> str | None:
    """Return the exercise id a worked-answer-in-words cell names (``mhtrain.exercise``)."""
    named = cell.get("metadata", {}).get("mhtrain", {})
    exercise = named.get("exercise") if isinstance(named, dict) else None
    return exercise if isinstance(exercise, str) and exercise else None


def grade_id(cell: NotebookNode) -> str | None:
    """Return a cell's nbgrader ``grade_id``, or None."""
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


# --------------------------------------------------------------------------------------------
# Answer cells.
# --------------------------------------------------------------------------------------------


def placeholders(source: str) -> list[str]:
    """Return the variable names that placeholder lines (``name = ...``) assign."""
    names: list[str] = []
    for line in source.split("\n"):
        match = _PLACEHOLDER.match(line)
        if match:
            names.extend(n.strip() for n in match.group("names").split(","))
    return names


def worked_answer(cell: NotebookNode) -> str:
    """Return an answer cell as a learner would finish it.

    For a code cell: the solution region without its markers, with the placeholder lines
    removed. For a written (Markdown) answer: the model answer as written.
    """
    source = cell.source
    if cell.cell_type != "code" or BEGIN_SOLUTION not in source:
        return source.strip("\n")
    lines = [
        line
        for line in source.split("\n")
        if BEGIN_SOLUTION not in line and END_SOLUTION not in line and not _PLACEHOLDER.match(line)
    ]
    return "\n".join(lines).strip("\n")


def answer_cell_id(exercise_id: str, answer_ids: Iterable[str]) -> str | None:
    """Return the grade id of an exercise's answer cell among a lesson's answer cells.

    The rule: exercise ``q1`` answers in the cell ``q1-answer``; a written answer may name
    its cell for what it holds (``q3-reflection``), so failing that, the one answer cell whose
    grade id starts with ``q1-``. None when there is no such cell or more than one.
    """
    answer_ids = list(answer_ids)
    exact = f"{exercise_id}-answer"
    if exact in answer_ids:
        return exact
    named = [gid for gid in answer_ids if gid.startswith(f"{exercise_id}-")]
    return named[0] if len(named) == 1 else None


def exercise_calls(cell: NotebookNode) -> list[tuple[str, str]] | None:
    """Return (exercise id, method) for a cell that only calls exercises, else None."""
    if cell.cell_type != "code":
        return None
    calls = []
    for line in cell.source.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _EXERCISE_CALL.match(line)
        if not match:
            return None
        calls.append((match.group("id"), match.group("method")))
    return calls or None


# --------------------------------------------------------------------------------------------
# Finding lesson sources.
# --------------------------------------------------------------------------------------------


def _installed_lessons() -> list[Path]:
    """The folders where an installed (not editable) package keeps the lesson sources."""
    found = []
    for scheme in (None, f"{sysconfig.get_default_scheme().split('_')[0]}_user"):
        try:
            base = sysconfig.get_path("data", scheme) if scheme else sysconfig.get_path("data")
        except KeyError:
            continue
        found.append(Path(base).joinpath(*INSTALLED_LESSONS))
    found.append(Path(sys.prefix).joinpath(*INSTALLED_LESSONS))
    return found


def lessons_dir() -> Path:
    """Return the lesson source folder.

    The folder the settings name, else the repository's ``notebooks/`` (a clone or an editable
    install), else the copy an installed package carries.
    """
    chosen = settings.notebooks_dir()
    repository = REPO_ROOT / "notebooks"
    candidates = [chosen] if chosen is not None else [repository, *_installed_lessons()]
    for folder in candidates:
        if folder.is_dir():
            return folder
    raise MhtrainError(
        f"lesson sources not found in {candidates[0]}; run from a clone of the course or set "
        f"{settings.NOTEBOOKS.name} to the notebooks folder"
    )


def lesson_id(path: Path | str) -> str:
    """Return the lesson id of a source file: its stem, such as ``03-comparing-groups``."""
    return Path(path).stem


def _all_sources(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("[0-9][0-9]-*.md") if _LESSON_NAME.match(p.stem))


def find_lesson(key: str | int, names: Iterable[str]) -> str | None:
    """Return the one name among ``names`` that a lesson key picks, or None.

    Parameters
    ----------
    key : str or int
        A lesson id (``"03-comparing-groups"``) or number (``3``, ``"3"`` or ``"03"``).
    names : iterable of str
        Lesson ids to choose from.
    """
    text = str(key)
    text = f"{int(text):02d}" if text.isdigit() else text
    matches = [n for n in names if n == text or n.split("-", 1)[0] == text]
    return matches[0] if len(matches) == 1 else None


def lesson_sources(
    *, lessons: Iterable[str | int | Path] | None = None, source_dir: Path | None = None
) -> list[Path]:
    """Return the lesson source files, in lesson order.

    Parameters
    ----------
    lessons : iterable of str, int or Path, optional
        Which lessons: ids (``"03-comparing-groups"``), numbers (``3`` or ``"03"``) or paths.
        By default every ``NN-slug.md`` file in ``source_dir``.
    source_dir : Path, optional
        The folder of lesson sources; by default :func:`lessons_dir`.

    Returns
    -------
    list of Path
    """
    folder = Path(source_dir) if source_dir is not None else lessons_dir()
    found = _all_sources(folder)
    if lessons is None:
        return found
    by_id = {p.stem: p for p in found}
    chosen = []
    for item in lessons:
        if isinstance(item, Path) or (isinstance(item, str) and item.endswith(".md")):
            path = Path(item)
            if not path.is_file():
                raise MhtrainError(f"lesson source {path} does not exist; check the path")
            chosen.append(path)
            continue
        name = find_lesson(item, by_id)
        if name is None:
            raise MhtrainError(
                f"no single lesson matches {item!r} in {folder}; use an id such as "
                f"{found[0].stem if found else '00-getting-started'!r}"
            )
        chosen.append(by_id[name])
    return chosen


# --------------------------------------------------------------------------------------------
# The Lesson.
# --------------------------------------------------------------------------------------------


def _cell_id(lesson: str, index: int) -> str:
    return hashlib.sha1(f"{lesson}:{index}".encode()).hexdigest()[:12]


def renumber(nb: NotebookNode, lesson: str) -> NotebookNode:
    """Give cells stable ids, so the same source always builds the same bytes."""
    for i, cell in enumerate(nb.cells):
        cell["id"] = _cell_id(lesson, i)
    return nb


@dataclass(frozen=True)
class Lesson:
    """One lesson, read once from its MyST source and checked.

    Attributes
    ----------
    path : Path
        The source file, ``notebooks/NN-slug.md``.
    notebook : NotebookNode
        The lesson as a notebook: stable cell ids, no jupytext metadata. Builds copy it; do
        not change it in place.
    """

    path: Path
    notebook: NotebookNode = field(repr=False)

    @property
    def id(self) -> str:
        """The lesson id, ``03-comparing-groups``."""
        return self.path.stem

    @property
    def number(self) -> str:
        """The two-digit lesson number, ``03``."""
        return self.path.stem[:2]

    @property
    def cells(self) -> list[NotebookNode]:
        """The cells, in order (the source version: solutions, tests and notes in place)."""
        return self.notebook.cells

    @property
    def metadata(self) -> NotebookNode:
        """The notebook metadata (kernelspec, language)."""
        return self.notebook.metadata

    @property
    def title(self) -> str:
        """The lesson's title: its first level-one heading, without the ``#``."""
        for cell in self.cells:
            if cell.cell_type == "markdown":
                for line in cell.source.split("\n"):
                    if line.startswith("# "):
                        return line[2:].strip()
        return self.id

    def where(self, index: int) -> str:
        """Name a cell for an error message: ``notebooks/03-....md cell 12``."""
        return f"{self.path} cell {index + 1}"

    def copy(self) -> NotebookNode:
        """Return a deep copy of the notebook, for a build to change."""
        return copy.deepcopy(self.notebook)

    @cached_property
    def answer_cells(self) -> dict[str, NotebookNode]:
        """The answer cells (nbgrader ``solution: true``) by grade id, in lesson order."""
        return {grade_id(c): c for c in self.cells if is_answer(c) and grade_id(c)}

    @cached_property
    def test_cells(self) -> dict[str, NotebookNode]:
        """The autograded test cells by grade id, in lesson order."""
        return {grade_id(c): c for c in self.cells if is_test(c) and grade_id(c)}

    @cached_property
    def graded_ids(self) -> list[str]:
        """The grade ids of every cell that carries marks, in lesson order."""
        return [grade_id(c) for c in self.cells if is_grade(c) and grade_id(c)]

    @cached_property
    def tutor_notes(self) -> list[NotebookNode]:
        """The tutor notes, in lesson order."""
        return [c for c in self.cells if is_tutor_note(c)]

    @cached_property
    def worked_words(self) -> dict[str, str]:
        """Each exercise's worked answer in words (a template, see :mod:`mhtrain.course.worked`),
        by exercise id, in lesson order."""
        return {
            worked_words_exercise(c): c.source.strip("\n")
            for c in self.cells
            if is_worked_words(c) and worked_words_exercise(c)
        }

    @cached_property
    def worked_answers(self) -> dict[str, str]:
        """Each answer cell's worked answer (see :func:`worked_answer`), by grade id."""
        return {gid: worked_answer(cell) for gid, cell in self.answer_cells.items()}

    def answer_id(self, exercise_id: str) -> str | None:
        """Return the grade id of the answer cell of exercise ``exercise_id`` (or None).

        By :func:`answer_cell_id`; failing that, the one answer cell whose placeholder line
        names the exercise's variable (one cell may answer two exercises, such as a ratio
        and its lower limit).
        """
        gid = answer_cell_id(exercise_id, self.answer_cells)
        if gid is not None:
            return gid
        exercise = self.exercises().get(exercise_id)
        variable = getattr(exercise, "variable", None)
        if not variable:
            return None
        named = [
            g for g, cell in self.answer_cells.items() if variable in placeholders(cell.source)
        ]
        return named[0] if len(named) == 1 else None

    def worked_answer(self, exercise_id: str) -> str:
        """Return the worked answer of exercise ``exercise_id`` ("" if it has no answer cell)."""
        gid = self.answer_id(exercise_id)
        return self.worked_answers[gid] if gid is not None else ""

    @property
    def checks_module_name(self) -> str:
        """The name of the lesson's checks module, ``mhtrain.checks.lesson03``."""
        return f"mhtrain.checks.lesson{self.number}"

    def checks_module(self) -> ModuleType:
        """Import and return the lesson's checks module."""
        name = self.checks_module_name
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            raise MhtrainError(
                f"{self.id}: the lesson needs the checks module {name} (for its exercises and "
                f"the hidden answers of the cohort book); create mhtrain/checks/lesson{self.number}.py"
            ) from exc

    def exercises(self) -> dict[str, Any]:
        """The checks module's exercises by id (see :func:`mhtrain.checks.exercises_in`)."""
        from mhtrain.checks import exercises_in

        return exercises_in(self.checks_module())


# Lessons already read, by path and content: a source is parsed once per version of its text.
_READ: dict[tuple[str, str], Lesson] = {}


def read_lesson(path: Path | str) -> Lesson:
    """Read a lesson source (MyST Markdown) and check its structure.

    A source is parsed once: later calls return the same :class:`Lesson` until its text changes.

    Parameters
    ----------
    path : Path or str
        A ``notebooks/NN-slug.md`` file.

    Returns
    -------
    Lesson
    """
    from mhtrain.course.validate import validate, validate_worked_words

    path = Path(path)
    if not _LESSON_NAME.match(path.stem):
        raise MhtrainError(
            f"{path.name}: lesson files are named NN-slug.md (two digits, a dash, lower-case words "
            "joined by dashes), for example 03-comparing-groups.md"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MhtrainError(f"lesson source {path} does not exist; check the path") from None
    key = (str(path), files.sha256_bytes(text.encode("utf-8")))
    known = _READ.get(key)
    if known is not None:
        return known
    try:
        nb = jupytext.reads(text, fmt="md:myst")
    except Exception as exc:  # jupytext raises several kinds for malformed MyST
        raise MhtrainError(f"{path}: could not be read as a MyST notebook ({exc})") from exc
    nb.metadata.pop("jupytext", None)
    nb.nbformat, nb.nbformat_minor = 4, 5
    validate(nb, path)
    lesson = Lesson(path=path, notebook=renumber(nb, path.stem))
    _READ[key] = lesson
    try:
        validate_worked_words(lesson)
    except BaseException:
        del _READ[key]
        raise
    return lesson


# --------------------------------------------------------------------------------------------
# From a checks module back to its lesson: where solution() finds its worked answer.
# --------------------------------------------------------------------------------------------


def lesson_for_module(module_name: str) -> Lesson | None:
    """Return the lesson whose checks module is ``module_name`` (``mhtrain.checks.lesson03``).

    None when the name is not a lesson's checks module or no source has its number.
    """
    match = _CHECKS_MODULE.match(module_name)
    if match is None:
        return None
    number = match.group("number")
    try:
        folder = lessons_dir()
    except MhtrainError:
        return None
    found = [p for p in _all_sources(folder) if p.stem[:2] == number]
    return read_lesson(found[0]) if len(found) == 1 else None


def worked_answer_for(exercise: Any) -> str:
    """Return the worked answer of a declared exercise, read from its lesson's answer cell.

    The exercise is found in the lesson checks modules already imported (``solution()`` is
    only ever called on one of them), and its answer cell by :func:`answer_cell_id`. An
    exercise that belongs to no lesson has no worked answer: ``""``.
    """
    for name, module in list(sys.modules.items()):
        if module is None or _CHECKS_MODULE.match(name) is None:
            continue
        if any(value is exercise for value in vars(module).values()):
            lesson = lesson_for_module(name)
            return lesson.worked_answer(exercise.id) if lesson is not None else ""
    return ""
