"""Build the nbgrader source, the self-paced student notebooks and the book pages from lessons."""

from __future__ import annotations

import copy
import hashlib
import importlib
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import jupytext
import nbformat
from nbformat.notebooknode import NotebookNode

from mhtrain.checks._core import ALIAS, FreeTextExercise, exercises_in
from mhtrain.course.nbconfig import TUTOR_NOTE_TAG, RemoveTutorNotes, nbgrader_config
from mhtrain import settings
from mhtrain.errors import MhtrainError

__all__ = [
    "TUTOR_NOTE_TAG",
    "build_book_lessons",
    "build_nbgrader_source",
    "build_student_notebooks",
    "book_notebook",
    "lesson_id",
    "lesson_sources",
    "lessons_dir",
    "read_lesson",
    "source_notebook",
    "student_notebook",
    "write_notebook",
]

ALLOWED_NBGRADER_KEYS = frozenset(
    {"grade", "solution", "locked", "grade_id", "points", "schema_version", "task"}
)

_LESSON_NAME = re.compile(r"^(\d\d)-[a-z0-9]+(?:-[a-z0-9]+)*$")
_BEGIN_SOLUTION = "BEGIN SOLUTION"
_END_SOLUTION = "END SOLUTION"
_BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
_END_HIDDEN = "END HIDDEN TESTS"
# A placeholder line in an answer cell: ``rate = ...  # replace ... with your answer``.
_PLACEHOLDER = re.compile(
    r"^\s*(?P<names>[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*=\s*\.\.\.\s*(?:#.*)?$"
)
# A line that only calls an exercise: ``ex.q1.check(rate)``, ``ex.q1.hint()``, ...
_EXERCISE_CALL = re.compile(
    rf"^\s*{ALIAS}\.(?P<id>[A-Za-z_]\w*)\.(?P<method>check|hint|solution|show_options)\(.*\)\s*;?\s*$"
)


# --------------------------------------------------------------------------------------------
# Finding and reading lesson sources.
# --------------------------------------------------------------------------------------------


def lessons_dir() -> Path:
    """Return the lesson source folder: the one the settings name, or the repository's."""
    folder = settings.notebooks_dir() or Path(__file__).resolve().parents[2] / "notebooks"
    if not folder.is_dir():
        raise MhtrainError(
            f"lesson sources not found in {folder}; run from a clone of the course or set "
            f"{settings.NOTEBOOKS.name} to the notebooks folder"
        )
    return folder


def lesson_id(path: Path | str) -> str:
    """Return the lesson id of a source file: its stem, such as ``03-comparing-groups``."""
    return Path(path).stem


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
    found = sorted(p for p in folder.glob("[0-9][0-9]-*.md") if _LESSON_NAME.match(p.stem))
    if lessons is None:
        return found
    chosen = []
    for item in lessons:
        if isinstance(item, Path) or (isinstance(item, str) and item.endswith(".md")):
            path = Path(item)
            if not path.is_file():
                raise MhtrainError(f"lesson source {path} does not exist; check the path")
            chosen.append(path)
            continue
        key = f"{int(item):02d}" if isinstance(item, int) or str(item).isdigit() else str(item)
        matches = [p for p in found if p.stem == key or p.stem.split("-", 1)[0] == key]
        if len(matches) != 1:
            raise MhtrainError(
                f"no single lesson matches {item!r} in {folder}; use an id such as "
                f"{found[0].stem if found else '00-getting-started'!r}"
            )
        chosen.append(matches[0])
    return chosen


def _cell_id(lesson: str, index: int) -> str:
    return hashlib.sha1(f"{lesson}:{index}".encode()).hexdigest()[:12]


def _renumber(nb: NotebookNode, lesson: str) -> NotebookNode:
    """Give cells stable ids, so the same source always builds the same bytes."""
    for i, cell in enumerate(nb.cells):
        cell["id"] = _cell_id(lesson, i)
    return nb


def _tags(cell: NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _nbgrader(cell: NotebookNode) -> dict[str, Any]:
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def _is_solution(cell: NotebookNode) -> bool:
    return bool(_nbgrader(cell).get("solution"))


def _is_test(cell: NotebookNode) -> bool:
    meta = _nbgrader(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _is_tutor_note(cell: NotebookNode) -> bool:
    return TUTOR_NOTE_TAG in _tags(cell)


def _where(path: Path | str, index: int) -> str:
    return f"{path} cell {index + 1}"


def _validate(nb: NotebookNode, path: Path | str) -> None:
    """Check a lesson's structure; raise MhtrainError naming the first problem and its fix."""
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError
    from nbgrader.nbgraderformat.common import SchemaMismatchError

    language = nb.metadata.get("kernelspec", {}).get("language")
    if language != "python":
        raise MhtrainError(
            f"{path}: the front matter must declare a Python kernelspec (language: python); "
            "copy it from notebooks/00-getting-started.md"
        )
    for i, cell in enumerate(nb.cells):
        where = _where(path, i)
        meta = _nbgrader(cell)
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
        has_solution = _BEGIN_SOLUTION in source or _END_SOLUTION in source
        has_hidden = _BEGIN_HIDDEN in source or _END_HIDDEN in source
        if has_solution and not (_is_solution(cell) and cell.cell_type == "code"):
            raise MhtrainError(
                f"{where}: ### BEGIN SOLUTION is only allowed in code answer cells; mark the cell "
                "with nbgrader solution: true"
            )
        if has_hidden and not _is_test(cell):
            raise MhtrainError(
                f"{where}: ### BEGIN HIDDEN TESTS is only allowed in test cells; mark the cell "
                "with nbgrader grade: true, solution: false"
            )
        for begin, end in ((_BEGIN_SOLUTION, _END_SOLUTION), (_BEGIN_HIDDEN, _END_HIDDEN)):
            if source.count(begin) != source.count(end):
                raise MhtrainError(f"{where}: every ### {begin} needs a matching ### {end}")
        if _is_tutor_note(cell) and (cell.cell_type != "markdown" or meta):
            raise MhtrainError(
                f"{where}: only plain Markdown cells can be tagged {TUTOR_NOTE_TAG}; move the note "
                "into its own Markdown cell"
            )
        if (
            cell.cell_type == "code"
            and _is_solution(cell)
            and not meta.get("grade")
            and not _placeholders(source)
        ):
            raise MhtrainError(
                f"{where}: an answer cell needs a placeholder line such as "
                "`rate = ...  # replace ... with your answer` before ### BEGIN SOLUTION"
            )
    try:
        MetadataValidator().validate_nb(copy.deepcopy(nb))
    except (ValidationError, SchemaMismatchError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MhtrainError(f"{path}: nbgrader metadata is not valid: {first}") from exc


def read_lesson(path: Path | str) -> NotebookNode:
    """Read a lesson source (MyST Markdown) into a notebook and check its structure.

    Parameters
    ----------
    path : Path or str
        A ``notebooks/NN-slug.md`` file.

    Returns
    -------
    nbformat.NotebookNode
        The notebook, with stable cell ids and without jupytext's own metadata.
    """
    path = Path(path)
    if not _LESSON_NAME.match(path.stem):
        raise MhtrainError(
            f"{path.name}: lesson files are named NN-slug.md (two digits, a dash, lower-case words "
            "joined by dashes), for example 03-comparing-groups.md"
        )
    try:
        nb = jupytext.read(path, fmt="md:myst")
    except Exception as exc:  # jupytext raises several kinds for malformed MyST
        raise MhtrainError(f"{path}: could not be read as a MyST notebook ({exc})") from exc
    nb.metadata.pop("jupytext", None)
    nb.nbformat, nb.nbformat_minor = 4, 5
    _validate(nb, path)
    return _renumber(nb, path.stem)


# --------------------------------------------------------------------------------------------
# The three versions.
# --------------------------------------------------------------------------------------------


def source_notebook(path: Path | str) -> NotebookNode:
    """Return the nbgrader source version: solutions, hidden tests and tutor notes in place."""
    return read_lesson(path)


def _nbgrader_preprocess(nb: NotebookNode, names: Sequence[str]) -> NotebookNode:
    """Run nbgrader's own preprocessors (by class name) with the course configuration."""
    import nbgrader.preprocessors as pp

    config = nbgrader_config()
    resources: dict[str, Any] = {}
    for name in names:
        cls = RemoveTutorNotes if name == "RemoveTutorNotes" else getattr(pp, name)
        processor = cls(config=config)
        try:
            nb, resources = processor.preprocess(nb, resources)
        except RuntimeError as exc:  # nbgrader reports unbalanced markers this way
            raise MhtrainError(f"nbgrader could not process the notebook: {exc}") from exc
    return nb


def _tidy_code(cell: NotebookNode) -> None:
    if cell.cell_type == "code":
        cell.source = "\n".join(line.rstrip() for line in cell.source.split("\n")).rstrip("\n")


def student_notebook(path: Path | str) -> NotebookNode:
    """Return the self-paced student version of a lesson.

    Solution regions are cleared by nbgrader's ``ClearSolutions`` (so an answer cell keeps only
    its placeholder line), hidden tests by ``ClearHiddenTests``, test cells are made
    undeletable by ``LockCells``, outputs are cleared, and tutor notes are removed by the
    same step nbgrader runs when it releases an assignment.
    """
    nb = read_lesson(path)
    steps = ["RemoveTutorNotes", "LockCells", "ClearSolutions", "ClearHiddenTests", "ClearOutput"]
    nb = _nbgrader_preprocess(nb, steps)
    for cell in nb.cells:
        _tidy_code(cell)
    return _renumber(nb, lesson_id(path))


def _placeholders(source: str) -> list[str]:
    """Return the variable names that placeholder lines (``name = ...``) assign."""
    names: list[str] = []
    for line in source.split("\n"):
        match = _PLACEHOLDER.match(line)
        if match:
            names.extend(n.strip() for n in match.group("names").split(","))
    return names


def _worked_answer(source: str) -> str:
    """Return an answer cell as a learner would finish it (no markers, no placeholder lines)."""
    if _BEGIN_SOLUTION not in source:
        return source.strip("\n")
    lines = []
    for line in source.split("\n"):
        if _BEGIN_SOLUTION in line or _END_SOLUTION in line or _PLACEHOLDER.match(line):
            continue
        lines.append(line)
    return "\n".join(lines).strip("\n")


def _exercise_calls(cell: NotebookNode) -> list[tuple[str, str]] | None:
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


def _checks_module(lesson: str) -> Any:
    name = f"mhtrain.checks.lesson{lesson[:2]}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        raise MhtrainError(
            f"{lesson}: the cohort book needs the checks module {name} to fill in hidden answers; "
            f"create mhtrain/checks/lesson{lesson[:2]}.py"
        ) from exc


def _fallback_cell(lesson: str, names: Sequence[str], where: str) -> NotebookNode | None:
    """A hidden cell that fills in answer variables from the exercises' reference values."""
    if not names:
        return None
    module = _checks_module(lesson)
    by_variable = {ex.variable: ex for ex in exercises_in(module).values() if ex.variable}
    lines = [f"from mhtrain.checks import {module.__name__.rsplit('.', 1)[1]} as _filled_in"]
    for name in names:
        exercise = by_variable.get(name)
        if exercise is None:
            raise MhtrainError(
                f"{where}: no exercise in {module.__name__} declares variable={name!r}, so the "
                "cohort book cannot fill it in; add variable= to the exercise"
            )
        if isinstance(exercise, FreeTextExercise):
            continue  # a model written answer is never filled in: nothing should depend on it
        lines.append(f"{name} = _filled_in.{exercise.id}.expected()")
    if len(lines) == 1:
        return None
    return nbformat.v4.new_code_cell("\n".join(lines), metadata={"tags": ["remove-cell"]})


def book_notebook(path: Path | str, *, answers: bool = True) -> NotebookNode:
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
    path : Path or str
        A lesson source.
    answers : bool, optional
        Whether worked answers are shown behind a "Show answer" control.

    Returns
    -------
    nbformat.NotebookNode
    """
    path = Path(path)
    lesson = lesson_id(path)
    source = read_lesson(path)
    student = _nbgrader_preprocess(copy.deepcopy(source), ["ClearSolutions"])
    cells: list[NotebookNode] = []
    pending: list[NotebookNode] = []
    inserted_switch = answers

    for i, (cell, cleared) in enumerate(zip(source.cells, student.cells, strict=True)):
        if _is_tutor_note(cell) or _is_test(cell):
            continue
        calls = _exercise_calls(cell)
        # Hidden answer cells run just before the next code cell that is not part of the
        # exercise (its check, hint and test cells), so checks show the unanswered state.
        if calls is None and pending and cell.cell_type == "code":
            cells.extend(pending)
            pending = []
        if cell.cell_type == "code" and not inserted_switch:
            switch = nbformat.v4.new_code_cell(
                "import mhtrain.checks\nmhtrain.checks.set_solutions_visible(False)",
                metadata={"tags": ["remove-cell"]},
            )
            cells.append(switch)
            inserted_switch = True
        if _is_solution(cell):
            placeholder = _plain_cell(cleared)
            _tidy_code(placeholder)
            cells.append(placeholder)
            if cell.cell_type == "markdown":
                if answers:
                    cells.append(_dropdown("Show model answer", cell.source.strip(), code=False))
                continue
            worked = _worked_answer(cell.source)
            if answers:
                cells.append(_dropdown("Show answer", worked, code=True))
                pending.append(
                    nbformat.v4.new_code_cell(worked, metadata={"tags": ["remove-cell"]})
                )
            else:
                fallback = _fallback_cell(lesson, _placeholders(cell.source), _where(path, i))
                if fallback is not None:
                    pending.append(fallback)
            continue
        if calls is not None:
            methods = {method for _, method in calls}
            # Check output would only say "Not attempted"; hints and solutions wait for a click.
            new = _plain_cell(cell)
            if "check" in methods or ("solution" in methods and not answers):
                new = _plain_cell(cell, extra_tags=["remove-output"])
            elif methods & {"hint", "solution"}:
                what = "hint" if "hint" in methods else "worked answer"
                new = _plain_cell(cell, extra_tags=["hide-output"])
                new.metadata["mystnb"] = {
                    "code_prompt_show": f"Show the {what}",
                    "code_prompt_hide": f"Hide the {what}",
                }
            cells.append(new)
            continue
        cells.append(_plain_cell(cell))
    cells.extend(pending)

    nb = nbformat.v4.new_notebook(metadata=copy.deepcopy(source.metadata))
    nb.cells = cells
    return _renumber(nb, lesson)


# --------------------------------------------------------------------------------------------
# Writing.
# --------------------------------------------------------------------------------------------


def write_notebook(nb: NotebookNode, path: Path) -> Path:
    """Validate ``nb`` and write it to ``path`` atomically (temporary file, then rename)."""
    nbformat.validate(nb)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            nbformat.write(nb, handle)
        os.chmod(tmp, 0o644)  # mkstemp makes private files; these are ordinary documents
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _build_all(sources: Sequence[Path], make: Any, target: Any) -> list[Path]:
    # Build every notebook in memory first, so a broken lesson leaves no files half-updated.
    built = [(make(path), target(path)) for path in sources]
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
    return _build_all(
        sources, source_notebook, lambda p: dest / lesson_id(p) / f"{lesson_id(p)}.ipynb"
    )


def build_student_notebooks(
    dest: Path | str,
    *,
    lessons: Iterable[str | int | Path] | None = None,
    source_dir: Path | None = None,
) -> list[Path]:
    """Write the self-paced student version of each lesson to ``dest/<lesson_id>.ipynb``.

    Parameters
    ----------
    dest : Path or str
        Output folder.
    lessons : iterable, optional
        Which lessons; by default all.
    source_dir : Path, optional
        Where the lesson sources are; by default :func:`lessons_dir`.

    Returns
    -------
    list of Path
    """
    dest = Path(dest)
    sources = lesson_sources(lessons=lessons, source_dir=source_dir)
    return _build_all(sources, student_notebook, lambda p: dest / f"{lesson_id(p)}.ipynb")


def build_book_lessons(
    dest: Path | str,
    *,
    answers: bool = True,
    lessons: Iterable[str | int | Path] | None = None,
    source_dir: Path | None = None,
) -> list[Path]:
    """Write the book version of each lesson to ``dest/<lesson_id>.ipynb``.

    Parameters
    ----------
    dest : Path or str
        Output folder (``book/lessons`` for the site).
    answers : bool, optional
        ``True`` for the public book (answers behind "Show answer"); ``False`` for a cohort's
        book, which contains no solution code at all.
    lessons : iterable, optional
        Which lessons; by default all.
    source_dir : Path, optional
        Where the lesson sources are; by default :func:`lessons_dir`.

    Returns
    -------
    list of Path
    """
    dest = Path(dest)
    sources = lesson_sources(lessons=lessons, source_dir=source_dir)
    return _build_all(
        sources,
        lambda p: book_notebook(p, answers=answers),
        lambda p: dest / f"{lesson_id(p)}.ipynb",
    )
