"""Running a course with nbgrader: set it up, mark submissions, write grades and feedback."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import html
import io
import json
import logging
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute, LimitOutput, NbGraderPreprocessor
from traitlets import Bool, Integer
from traitlets.config import Config

from mhtrain.course.build import build_nbgrader_source, lesson_id, lesson_sources
from mhtrain.course.nbconfig import CELL_TIMEOUT, RemoveHiddenTestsFromFeedback, nbgrader_config
from mhtrain import settings
from mhtrain.errors import MhtrainError

__all__ = [
    "CONFIG_NAME",
    "DATA_FOLDER",
    "CourseExecute",
    "CourseSettings",
    "GradeReport",
    "InitReport",
    "LimitOutputSize",
    "ScrubFeedback",
    "collect_submissions",
    "config_file_text",
    "course_config",
    "grade_lesson",
    "init_course",
    "model_submission",
    "read_course",
    "read_students",
    "refresh_feedback",
]

#: The nbgrader configuration file at the top of a course folder.
CONFIG_NAME = "nbgrader_config.py"
#: The folder, inside a course, holding the course dataset the lessons load.
DATA_FOLDER = "synthetic_data"
#: A line in the configuration file: the tutor's own settings go below it and are kept on update.
KEEP_MARKER = "# Your own settings go below this line; `mhtrain course init` keeps them."
#: Folder of grade tables inside a course.
GRADES_FOLDER = "grades"

# Environment variables that choose which dataset ``mhtrain.load()`` gives.
_STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$")
_COURSE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_CUT_NOTE = (
    "... Output cut short: this cell printed {size:,} characters; the first {kept:,} are kept."
)
_HIDDEN_LINE_SHOWN = "(a line of a hidden test, not shown)"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_TEXT_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")
# A secret line must be long enough that finding it in an output is not a coincidence.
_MIN_SECRET = 6


# --------------------------------------------------------------------------------------------
# nbgrader preprocessors the course adds.
# --------------------------------------------------------------------------------------------


class CourseExecute(Execute):
    """nbgrader's execute step, starting each student's kernel with the course's data settings.

    ``mhtrain.load()`` chooses its dataset from environment variables. When nbgrader marks a
    submission, this step starts the kernel with an environment where those variables are set
    for the course (:func:`mhtrain.settings.marking_environment`): the course's copy of the
    data, solutions switched off, and, when each student has their own data, the student
    being marked and the course id, so
    the checks compute the expected answers from that student's dataset. Any such variables in
    the tutor's own environment are removed, so they never leak into marking.
    """

    per_student_data = Bool(
        False, help="Give each student's kernel the student and course settings."
    ).tag(config=True)
    hide_solutions = Bool(
        True, help="Switch off ex.qN.solution() while marking, so feedback never shows one."
    ).tag(config=True)
    quiet_kernel = Bool(
        False, help="Discard the kernel process's own log messages (not the notebook's output)."
    ).tag(config=True)

    def kernel_env(self, student_id: str | None) -> dict[str, str]:
        """Return the environment a kernel marking ``student_id`` starts with.

        Parameters
        ----------
        student_id : str or None
            The nbgrader student id being marked (None outside marking).

        Returns
        -------
        dict of str to str
        """
        section = self.config.get("CourseDirectory", {})
        root = Path(section.get("root") or os.getcwd())
        data = root / DATA_FOLDER
        return settings.marking_environment(
            data=data if (data / "manifest.json").exists() else None,
            hide_solutions=self.hide_solutions,
            student=str(student_id) if self.per_student_data and student_id else None,
            course=str(section.get("course_id") or ""),
        )

    def setup_kernel(self, **kwargs: Any) -> Any:
        """Start the kernel as nbclient does, with :meth:`kernel_env` as its environment."""
        info = (getattr(self, "resources", None) or {}).get("nbgrader", {})
        kwargs.setdefault("env", self.kernel_env(info.get("student")))
        if self.quiet_kernel:
            kwargs.setdefault("stderr", subprocess.DEVNULL)
        return super().setup_kernel(**kwargs)


def _output_text_size(output: NotebookNode) -> int:
    kind = output.get("output_type")
    if kind == "stream":
        return len(output.get("text", ""))
    if kind == "error":
        return len(output.get("evalue", "")) + sum(len(x) for x in output.get("traceback", []))
    data = output.get("data", {})
    return sum(len(str(data[k])) for k in _TEXT_TYPES if k in data)


def _output_other_size(output: NotebookNode) -> int:
    data = output.get("data", {})
    return sum(len(str(v)) for k, v in data.items() if k not in _TEXT_TYPES)


class LimitOutputSize(NbGraderPreprocessor):
    """Cut very long cell outputs short, so one student's output cannot swamp marking or feedback.

    nbgrader's own ``LimitOutput`` counts lines, so one enormous line (or a long value shown as
    a cell's result) passes through it. This step counts characters: text beyond
    ``max_chars`` in a cell is cut, with a note saying so, and images beyond ``max_other``.
    """

    max_chars = Integer(100_000, help="Characters of text output kept per cell.").tag(config=True)
    max_other = Integer(
        5_000_000, help="Characters of non-text output (images) kept per cell."
    ).tag(config=True)

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        """Cut one cell's outputs to the limits."""
        if cell.cell_type != "code" or not cell.get("outputs"):
            return cell, resources
        text_total = sum(_output_text_size(o) for o in cell.outputs)
        other_total = sum(_output_other_size(o) for o in cell.outputs)
        if text_total <= self.max_chars and other_total <= self.max_other:
            return cell, resources
        text_left, other_left = self.max_chars, self.max_other
        kept: list[NotebookNode] = []
        for output in cell.outputs:
            kind = output.get("output_type")
            if kind == "stream":
                text = output.get("text", "")
                if text_left > 0:
                    output["text"] = text[:text_left]
                    text_left -= len(output["text"])
                    kept.append(output)
            elif kind == "error":
                # Errors explain the mark, so they stay, trimmed line by line.
                output["evalue"] = output.get("evalue", "")[:2000]
                output["traceback"] = [line[:2000] for line in output.get("traceback", [])]
                kept.append(output)
            else:
                data = output.get("data", {})
                for key in list(data):
                    size = len(str(data[key]))
                    if key in _TEXT_TYPES:
                        if size > text_left:
                            del data[key]
                        else:
                            text_left -= size
                    elif size > other_left:
                        del data[key]
                    else:
                        other_left -= size
                if data:
                    kept.append(output)
        note = _CUT_NOTE.format(size=text_total + other_total, kept=self.max_chars)
        kept.append(nbformat.v4.new_output("stream", name="stderr", text="\n" + note + "\n"))
        cell.outputs = kept
        return cell, resources


def _hidden_and_visible_lines(nb: NotebookNode, begin: str, end: str) -> tuple[set[str], set[str]]:
    hidden: set[str] = set()
    visible: set[str] = set()
    for cell in nb.cells:
        inside = False
        for line in cell.get("source", "").split("\n"):
            if begin in line:
                inside = True
                continue
            if end in line:
                inside = False
                continue
            stripped = line.strip()
            if stripped:
                (hidden if inside else visible).add(stripped)
    return hidden, visible


def _scrub_text(text: str, secrets: Iterable[str]) -> tuple[str, bool]:
    lines = text.split("\n")
    changed = False
    for i, line in enumerate(lines):
        plain = _ANSI.sub("", line)
        if any(secret in plain for secret in secrets):
            lines[i] = _HIDDEN_LINE_SHOWN
            changed = True
    return "\n".join(lines), changed


class ScrubFeedback(RemoveHiddenTestsFromFeedback):
    """Remove hidden tests from feedback: from cell sources, and from every output of every cell.

    The shared step (``RemoveHiddenTestsFromFeedback``) deletes the hidden-test regions and cuts
    the tracebacks of the cells that held them to their last line. This step also looks through
    the outputs of every cell (streams, results, error messages and tracebacks, with colour codes
    removed) and replaces any line quoting a hidden-test line with a short note. Lines that also
    appear outside hidden regions are visible anyway and are left alone.
    """

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        """Remove hidden-test regions, then scrub every output that quotes one of their lines."""
        hidden, visible = _hidden_and_visible_lines(
            nb, self.begin_test_delimeter, self.end_test_delimeter
        )
        secrets = {line for line in hidden - visible if len(line) >= _MIN_SECRET}
        nb, resources = super().preprocess(nb, resources)
        if not secrets:
            return nb, resources
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                _scrub_output(output, secrets)
        return nb, resources


def _scrub_output(output: NotebookNode, secrets: set[str]) -> None:
    kind = output.get("output_type")
    if kind == "stream":
        output["text"], _ = _scrub_text(output.get("text", ""), secrets)
    elif kind == "error":
        output["evalue"], _ = _scrub_text(output.get("evalue", ""), secrets)
        output["traceback"] = [_scrub_text(x, secrets)[0] for x in output.get("traceback", [])]
    else:
        data = output.get("data", {})
        for key in list(data):
            if isinstance(data[key], str):
                data[key], _ = _scrub_text(data[key], secrets)


# --------------------------------------------------------------------------------------------
# The course configuration.
# --------------------------------------------------------------------------------------------


def course_config(
    *,
    course_id: str,
    per_student_data: bool = False,
    cell_timeout: int = CELL_TIMEOUT,
    course_root: Path | str | None = None,
) -> Config:
    """Return the nbgrader configuration of an mhtrain course.

    It is the shared configuration (:func:`mhtrain.course.nbconfig.nbgrader_config`) extended
    for running a course: the course id; marking runs each kernel through
    :class:`CourseExecute` (course data, solutions off, each student's own data if chosen) and
    :class:`LimitOutputSize`; feedback goes through :class:`ScrubFeedback` instead of the
    shared hidden-test step.

    Parameters
    ----------
    course_id : str
        The nbgrader course id (with per-student data, part of each student's seed).
    per_student_data : bool, optional
        Whether each student works on, and is marked against, their own dataset.
    cell_timeout : int, optional
        Seconds one cell may run while marking before it is stopped.
    course_root : path, optional
        The course folder.

    Returns
    -------
    traitlets.config.Config
    """
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import GetGrades

    c = nbgrader_config(course_root=course_root)
    c.CourseDirectory.course_id = course_id
    c.Execute.timeout = int(cell_timeout)
    steps: list[Any] = []
    for step in Autograde.class_traits()["autograde_preprocessors"].default():
        steps.append(CourseExecute if step is Execute else step)
        if step is LimitOutput:
            steps.append(LimitOutputSize)
    c.Autograde.autograde_preprocessors = steps
    c.CourseExecute.per_student_data = bool(per_student_data)
    c.GenerateFeedback.preprocessors = [GetGrades, ScrubFeedback, CSSHTMLHeaderPreprocessor]
    return c


def config_file_text(
    *,
    course_id: str,
    per_student_data: bool = False,
    cell_timeout: int = CELL_TIMEOUT,
    own_settings: str = "",
) -> str:
    """Return the text of a course's ``nbgrader_config.py``.

    Parameters
    ----------
    course_id : str
        The course id.
    per_student_data : bool, optional
        Whether each student has their own dataset.
    cell_timeout : int, optional
        Seconds a cell may run while marking.
    own_settings : str, optional
        The tutor's own lines, kept below :data:`KEEP_MARKER`.

    Returns
    -------
    str
    """
    lines = [
        f'"""nbgrader settings for the mhtrain course {course_id!r}.',
        "",
        "Written by `mhtrain course init`; run it again (with new options) to change these",
        'settings. The course folder is wherever this file is."""',
        "",
        "import os",
        "",
        "from mhtrain.course.tutor import course_config",
        "",
        "c = get_config()  # noqa: F821 (nbgrader provides get_config when it reads this file)",
        "c.merge(",
        "    course_config(",
        f"        course_id={course_id!r},",
        f"        per_student_data={bool(per_student_data)!r},",
        f"        cell_timeout={int(cell_timeout)!r},",
        "        course_root=os.path.dirname(os.path.abspath(__file__)),",
        "    )",
        ")",
        "",
        KEEP_MARKER,
    ]
    text = "\n".join(lines) + "\n"
    own = own_settings.strip("\n")
    return text + (own + "\n" if own else "")


@dataclass(frozen=True)
class CourseSettings:
    """The settings of an existing course, as its ``nbgrader_config.py`` gives them.

    Attributes
    ----------
    root : Path
        The course folder.
    course_id : str
        The nbgrader course id.
    per_student_data : bool
        Whether each student has their own dataset.
    cell_timeout : int
        Seconds a cell may run while marking.
    own_settings : str
        The tutor's own lines at the end of the configuration file.
    config : traitlets.config.Config
        The whole configuration, as nbgrader reads it.
    """

    root: Path
    course_id: str
    per_student_data: bool
    cell_timeout: int
    own_settings: str
    config: Config


def _own_settings(text: str) -> str:
    if KEEP_MARKER not in text:
        return ""
    return text.split(KEEP_MARKER, 1)[1].strip("\n")


def read_course(root: Path | str) -> CourseSettings:
    """Read a course's settings from its ``nbgrader_config.py``.

    Parameters
    ----------
    root : path
        The course folder (made by :func:`init_course`).

    Returns
    -------
    CourseSettings
    """
    from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

    root = Path(root).resolve()
    path = root / CONFIG_NAME
    if not path.is_file():
        raise MhtrainError(
            f"{root} is not an mhtrain course (no {CONFIG_NAME}); make one with "
            f"`mhtrain course init {root}`"
        )
    try:
        config = PyFileConfigLoader(CONFIG_NAME, path=str(root)).load_config()
    except ConfigFileNotFound as exc:  # pragma: no cover - checked just above
        raise MhtrainError(f"{path} could not be found; run `mhtrain course init`") from exc
    except Exception as exc:  # a tutor's edit can break the file in any way
        raise MhtrainError(
            f"{path} could not be read ({type(exc).__name__}: {exc}); fix the file or run "
            f"`mhtrain course init {root}` to write it again"
        ) from exc
    course_id = str(config.CourseDirectory.get("course_id") or "")
    if not course_id:
        raise MhtrainError(f"{path} sets no course id; run `mhtrain course init {root}` again")
    section = config.get("CourseExecute", {})
    timeout = config.get("Execute", {}).get("timeout", CELL_TIMEOUT)
    return CourseSettings(
        root=root,
        course_id=course_id,
        per_student_data=bool(section.get("per_student_data", False)),
        cell_timeout=int(timeout if timeout is not None else CELL_TIMEOUT),
        own_settings=_own_settings(path.read_text(encoding="utf-8")),
        config=config,
    )


# --------------------------------------------------------------------------------------------
# Small helpers: quiet nbgrader, atomic writes, the gradebook.
# --------------------------------------------------------------------------------------------


def _quiet_logger() -> logging.Logger:
    """A logger that nbgrader's messages go to, and nowhere else (they are read, not shown)."""
    log = logging.getLogger("mhtrain.course.nbgrader")
    log.setLevel(logging.INFO)
    log.propagate = False
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    return log


class _QuietAPI:
    """nbgrader's Python API, with its log kept for reading and its routine warnings hidden.

    Marking always makes nbgrader's database layer warn (harmless, known) and each kernel
    announce how it connects; neither helps a tutor, and both would break the progress bar.
    """

    def __init__(self, config: Config) -> None:
        from nbgrader.apps import NbGraderAPI

        _ensure_tools_on_path()
        quiet = Config()
        quiet.merge(config)
        quiet.CourseExecute.quiet_kernel = True
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._api = NbGraderAPI(config=quiet, log=_quiet_logger())

    def call(self, method: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Call one method of ``NbGraderAPI`` and return its result dict."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return getattr(self._api, method)(*args, **kwargs)

    def generate_assignment(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """``NbGraderAPI.generate_assignment``."""
        return self.call("generate_assignment", *args, **kwargs)

    def autograde(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """``NbGraderAPI.autograde``."""
        return self.call("autograde", *args, **kwargs)

    def generate_feedback(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """``NbGraderAPI.generate_feedback``."""
        return self.call("generate_feedback", *args, **kwargs)


def _api(config: Config) -> _QuietAPI:
    return _QuietAPI(config)


def _ensure_tools_on_path() -> None:
    """Make nbgrader's helper programs (``alembic``) findable when the venv is not activated."""
    here = str(Path(sys.executable).parent)
    if shutil.which("alembic") is None and (Path(here) / "alembic").exists():
        os.environ["PATH"] = here + os.pathsep + os.environ.get("PATH", "")


def _gradebook(settings: CourseSettings) -> Any:
    from nbgrader.api import Gradebook

    _ensure_tools_on_path()
    return Gradebook(f"sqlite:///{settings.root / 'gradebook.db'}", settings.course_id)


def _write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _last_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


_EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?(\w*(?:Error|Exception)): (.+)$")


def _reason(result: dict[str, Any]) -> str:
    """The most telling error line of a failed nbgrader call (its log names the real cause)."""
    text = "\n".join([result.get("log") or "", result.get("error") or ""])
    found = []
    for line in text.splitlines():
        match = _EXCEPTION_LINE.match(line.strip())
        if match and "see the the above traceback" not in line:
            found.append(f"{match.group(1)}: {match.group(2)}")
    return found[-1] if found else _last_line(result.get("error"))


# --------------------------------------------------------------------------------------------
# Students.
# --------------------------------------------------------------------------------------------

_COLUMN_NAMES = {
    "id": "id",
    "student_id": "id",
    "student": "id",
    "username": "id",
    "first_name": "first_name",
    "firstname": "first_name",
    "given_name": "first_name",
    "forename": "first_name",
    "last_name": "last_name",
    "lastname": "last_name",
    "surname": "last_name",
    "family_name": "last_name",
    "email": "email",
    "email_address": "email",
}


def _check_student_id(student: str, where: str) -> str:
    student = student.strip()
    if not _STUDENT_ID.match(student):
        raise MhtrainError(
            f"{where}: student id {student!r} cannot be used as a folder name; use letters, "
            "digits and . _ - @ + only (for example their username)"
        )
    return student


def read_students(path: Path | str) -> list[dict[str, str]]:
    """Read a class list: a CSV file with a column ``id`` and, if wished, names and email.

    Parameters
    ----------
    path : path
        The CSV file. Column headings are matched loosely: ``id`` (or ``student_id``,
        ``username``), ``first_name`` (or ``first name``, ``given name``), ``last_name``
        (or ``surname``), ``email``. Other columns are ignored.

    Returns
    -------
    list of dict
        One dict per student, with keys ``id`` and any of ``first_name``, ``last_name``,
        ``email`` that the file has.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MhtrainError(f"class list {path} does not exist; check the path") from None
    except UnicodeDecodeError:
        raise MhtrainError(f"{path} is not UTF-8 text; save it as 'CSV UTF-8'") from None
    reader = csv.reader(io.StringIO(text))
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise MhtrainError(f"{path} is empty; give one row per student under a heading 'id'")
    keys = [
        _COLUMN_NAMES.get(re.sub(r"[\s-]+", "_", heading.strip().lower())) for heading in rows[0]
    ]
    if "id" not in keys:
        raise MhtrainError(
            f"{path} has no 'id' column; its first row must be headings, for example "
            "id,first_name,last_name,email"
        )
    students: list[dict[str, str]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        record = {
            key: value.strip() for key, value in zip(keys, row, strict=False) if key is not None
        }
        where = f"{path} row {number}"
        if not record.get("id"):
            raise MhtrainError(f"{where}: the student id is empty; fill it in or delete the row")
        record["id"] = _check_student_id(record["id"], where)
        if record["id"] in seen:
            raise MhtrainError(f"{where}: student id {record['id']!r} appears twice; keep one")
        seen.add(record["id"])
        students.append({k: v for k, v in record.items() if v})
    return students


# --------------------------------------------------------------------------------------------
# mhtrain course init
# --------------------------------------------------------------------------------------------


@dataclass
class InitReport:
    """What :func:`init_course` did.

    Attributes
    ----------
    root : Path
        The course folder.
    course_id : str
    per_student_data : bool
    created : bool
        True for a new course, False for an update.
    lessons : list of str
        The lessons built and released into the course this time.
    all_lessons : list of str
        Every lesson in the course.
    students_added : list of str
        Students new to the gradebook.
    students_total : int
        Students in the gradebook.
    data_copied : bool
        Whether the course dataset was copied (False when the copy was already up to date).
    """

    root: Path
    course_id: str
    per_student_data: bool
    created: bool
    lessons: list[str] = field(default_factory=list)
    all_lessons: list[str] = field(default_factory=list)
    students_added: list[str] = field(default_factory=list)
    students_total: int = 0
    data_copied: bool = False

    def next_steps(self) -> str:
        """Return plain instructions for what the tutor does next."""
        root = shlex.quote(str(self.root))
        chosen = self.lessons or self.all_lessons
        first = chosen[0] if chosen else "LESSON"
        verb = "is ready" if self.created else "is up to date"
        lines = [
            f"Your course {verb} in {self.root} (course id: {self.course_id}).",
            f"Lessons: {', '.join(self.all_lessons)}.",
            f"Students in the gradebook: {self.students_total}"
            + (f" ({len(self.students_added)} new)." if self.students_added else "."),
        ]
        if self.per_student_data:
            lines.append(
                "Each student works on their own dataset: their notebooks must run with "
                f"{settings.student_hint(self.course_id)} (see the tutor guide)."
            )
        lines += [
            "",
            "Next steps:",
            f"  1. Try the lesson as a learner: open release/{first}/{first}.ipynb.",
            "  2. Give it to your learners. On a JupyterHub with nbgrader: run "
            f"`nbgrader release_assignment {first}` in the course folder. On laptops: send them "
            f"release/{first}/{first}.ipynb.",
            "  3. When they hand it in: `nbgrader collect "
            f"{first}` on a JupyterHub, or save each returned notebook as <student id>.ipynb in "
            f"one folder and run `mhtrain course collect {root} {first} FOLDER`.",
            f"  4. Mark it: `mhtrain course grade {root} {first}`.",
            "  5. Mark the written answers in Formgrader (start JupyterLab in the course folder, "
            "then Nbgrader > Formgrader). The marking guide is in the tutor notes of "
            f"source/{first}/{first}.ipynb.",
            f"  6. Refresh grades and feedback: `mhtrain course feedback {root} {first}`; then "
            f"`nbgrader release_feedback {first}` on a JupyterHub, or send each learner their "
            f"file from feedback/<student id>/{first}/.",
            "The tutor guide explains each step: book/tutor-guide.md.",
        ]
        return "\n".join(lines)


def _course_lessons(root: Path) -> list[str]:
    source = root / "source"
    if not source.is_dir():
        return []
    return sorted(p.name for p in source.iterdir() if (p / f"{p.name}.ipynb").is_file())


def _default_course_id(root: Path) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", root.name).strip("-._")
    return slug or "mhtrain-course"


def _copy_data(root: Path, *, keep_existing: bool = False) -> bool:
    """Copy the course dataset into ``root/synthetic_data`` unless the copy is already current.

    With ``keep_existing``, a course that already has a copy keeps it (marked work depends on
    it); only a missing copy is made.
    """
    from mhtrain.data import data_dir

    if keep_existing and (root / DATA_FOLDER / "manifest.json").is_file():
        return False

    origin = data_dir().resolve()
    target = root / DATA_FOLDER
    if not (origin / "manifest.json").is_file():
        raise MhtrainError(
            f"the course dataset was not found in {origin}; run `make data` in the course "
            f"repository, or set {settings.DATA_DIR.name} to the folder holding it"
        )
    if origin == target.resolve():
        return False
    manifest = (origin / "manifest.json").read_bytes()
    if (target / "manifest.json").is_file() and (target / "manifest.json").read_bytes() == manifest:
        return False
    tmp = Path(tempfile.mkdtemp(prefix=f".{DATA_FOLDER}.", dir=root))
    try:
        shutil.copytree(origin, tmp, dirs_exist_ok=True)
        old = None
        if target.exists():
            old = root / f".{DATA_FOLDER}.old"
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
        tmp.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return True


def _submission_count(settings: CourseSettings) -> int:
    if not (settings.root / "gradebook.db").exists():
        return 0
    with _gradebook(settings) as gb:
        return sum(len(a.submissions) for a in gb.assignments)


def _resolve_settings(
    root: Path,
    *,
    course_id: str | None,
    per_student_data: bool | None,
    cell_timeout: int | None,
) -> tuple[str, bool, int, str, CourseSettings | None]:
    existing = read_course(root) if (root / CONFIG_NAME).is_file() else None
    if course_id is not None and not _COURSE_ID.match(course_id):
        raise MhtrainError(
            f"course id {course_id!r} is not allowed; use letters, digits, '.', '_' and '-', "
            "for example mhtrain-2025"
        )
    if cell_timeout is not None and cell_timeout < 1:
        raise MhtrainError(f"--cell-timeout must be at least 1 second, not {cell_timeout}")
    if existing is None:
        return (
            course_id or _default_course_id(root),
            bool(per_student_data),
            int(cell_timeout or CELL_TIMEOUT),
            "",
            None,
        )
    if course_id is not None and course_id != existing.course_id:
        raise MhtrainError(
            f"{root} is the course {existing.course_id!r}; its id cannot change (it is in the "
            "gradebook and in each student's data), so make a new course folder instead"
        )
    per_student = existing.per_student_data if per_student_data is None else per_student_data
    if per_student != existing.per_student_data and _submission_count(existing):
        raise MhtrainError(
            f"{root} already has marked submissions made with "
            f"{'per-student' if existing.per_student_data else 'shared'} data; switching now "
            "would mark them against other numbers, so make a new course folder instead"
        )
    return (
        existing.course_id,
        per_student,
        int(cell_timeout or existing.cell_timeout),
        existing.own_settings,
        existing,
    )


def init_course(
    root: Path | str,
    *,
    lessons: Iterable[str | int] | None = None,
    per_student_data: bool | None = None,
    course_id: str | None = None,
    students: Path | str | None = None,
    cell_timeout: int | None = None,
    source_dir: Path | None = None,
) -> InitReport:
    """Make an nbgrader course folder from the lessons, or bring an existing one up to date.

    It writes ``nbgrader_config.py``, builds ``source/<lesson>/<lesson>.ipynb`` from the lesson
    sources, copies the course dataset into ``synthetic_data/`` (so notebooks in ``release/``,
    ``submitted/`` and ``autograded/`` load it; once work is marked the copy is kept, so marks
    never change under it), adds students to the gradebook, and runs
    nbgrader's ``generate_assignment`` for each lesson. Run again, it rebuilds the chosen
    lessons and keeps the gradebook, submissions, marks and the tutor's own settings. A new
    course is made in a temporary folder and moved into place only when it is complete.

    Parameters
    ----------
    root : path
        The course folder; a new one is made if it does not exist.
    lessons : iterable of str or int, optional
        Lessons by number or id. By default every lesson for a new course, and the lessons
        already in the course for an update.
    per_student_data : bool, optional
        Give each student their own dataset. By default: off for a new course, unchanged for
        an existing one.
    course_id : str, optional
        The course id; by default the folder's name (it cannot change later).
    students : path, optional
        A class list (CSV) to add to the gradebook; see :func:`read_students`.
    cell_timeout : int, optional
        Seconds a cell may run while marking (default 120, or unchanged).
    source_dir : Path, optional
        The lesson sources; by default the course's ``notebooks/``.

    Returns
    -------
    InitReport
    """
    root = Path(root).resolve()
    if root.exists() and not root.is_dir():
        raise MhtrainError(f"{root} is a file; give a folder for the course")
    is_course = (root / CONFIG_NAME).is_file()
    if root.exists() and not is_course and any(root.iterdir()):
        raise MhtrainError(
            f"{root} is not empty and is not an mhtrain course; choose a new folder for the course"
        )
    cid, per_student, timeout, own, existing = _resolve_settings(
        root, course_id=course_id, per_student_data=per_student_data, cell_timeout=cell_timeout
    )
    class_list = read_students(students) if students is not None else []
    if lessons is None and existing is not None and _course_lessons(root):
        chosen = lesson_sources(lessons=_course_lessons(root), source_dir=source_dir)
    else:
        chosen = lesson_sources(lessons=lessons, source_dir=source_dir)
    if not chosen:
        raise MhtrainError("no lessons found to put in the course; check the notebooks folder")
    chosen_ids = [lesson_id(p) for p in chosen]

    if is_course:
        work = root
    else:
        root.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{root.name}.", dir=root.parent))
    try:
        report = _init_in(
            work,
            final_root=root,
            lessons=chosen,
            course_id=cid,
            per_student_data=per_student,
            cell_timeout=timeout,
            own_settings=own,
            class_list=class_list,
        )
        if not is_course:
            os.chmod(work, 0o755)  # mkdtemp makes a private folder; a course is shared
            if root.exists():
                root.rmdir()  # empty, checked above
            work.rename(root)
    except BaseException:
        if not is_course:
            shutil.rmtree(work, ignore_errors=True)
        raise
    report.root = root
    report.created = not is_course
    report.lessons = chosen_ids
    report.all_lessons = _course_lessons(root)
    return report


def _init_in(
    work: Path,
    *,
    final_root: Path,
    lessons: Sequence[Path],
    course_id: str,
    per_student_data: bool,
    cell_timeout: int,
    own_settings: str,
    class_list: Sequence[dict[str, str]],
) -> InitReport:
    report = InitReport(
        root=final_root, course_id=course_id, per_student_data=per_student_data, created=False
    )
    # Build every lesson first, so a broken lesson changes nothing in the course.
    staging = Path(tempfile.mkdtemp(prefix=".source.", dir=work))
    try:
        built = build_nbgrader_source(staging, lessons=lessons)
        marked_before = (work / CONFIG_NAME).is_file() and _submission_count(read_course(work)) > 0
        report.data_copied = _copy_data(work, keep_existing=marked_before)
        _write_text(
            work / CONFIG_NAME,
            config_file_text(
                course_id=course_id,
                per_student_data=per_student_data,
                cell_timeout=cell_timeout,
                own_settings=own_settings,
            ),
        )
        settings = read_course(work)
        with _gradebook(settings) as gb:
            before = {s.id for s in gb.students}
            for student in class_list:
                details = {k: v for k, v in student.items() if k != "id"}
                gb.update_or_create_student(student["id"], **details)
            report.students_added = [s["id"] for s in class_list if s["id"] not in before]
            report.students_total = len(gb.students)
        api = _api(settings.config)
        failures = []
        for path in built:
            failure = _release_lesson(api, work, path)
            if failure:
                failures.append(failure)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if failures:
        raise MhtrainError("; ".join(failures))
    return report


def _release_lesson(api: Any, root: Path, built: Path) -> str | None:
    """Move one built lesson into ``source/`` and generate its release; undo it on failure."""
    lesson = built.parent.name
    target = root / "source" / lesson / built.name
    backup = None
    if target.exists():
        backup = target.with_name(f".{target.name}.previous")
        shutil.copy2(target, backup)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(built, target)
    result = api.generate_assignment(lesson, force=True, create=True)
    if result["success"]:
        if backup is not None:
            backup.unlink()
        return None
    reason = _reason(result)
    if backup is not None:
        os.replace(backup, target)
        api.generate_assignment(lesson, force=True, create=True)
    else:
        shutil.rmtree(target.parent, ignore_errors=True)
    if "because there are submissions" in reason:
        return (
            f"{lesson} was not updated: its graded cells changed after students handed it in, "
            "so the course keeps the earlier version; change graded cells only before release"
        )
    return f"{lesson} could not be released by nbgrader ({reason}); the course keeps what it had"


# --------------------------------------------------------------------------------------------
# Submissions: collecting them on laptops, and the model answer (for checking a lesson).
# --------------------------------------------------------------------------------------------


def _resolve_lesson(root: Path, lesson: str | int) -> str:
    have = _course_lessons(root)
    key = str(lesson)
    key = f"{int(key):02d}" if key.isdigit() else key
    matches = [name for name in have if name == key or name.split("-", 1)[0] == key]
    if len(matches) != 1:
        raise MhtrainError(
            f"the course in {root} has no lesson {lesson!r}; it has "
            f"{', '.join(have) or 'no lessons'} (add lessons with `mhtrain course init`)"
        )
    return matches[0]


def collect_submissions(
    root: Path | str,
    lesson: str | int,
    paths: Sequence[Path | str],
    *,
    student: str | None = None,
) -> list[Path]:
    """Put returned notebooks where nbgrader looks for them: ``submitted/<student>/<lesson>/``.

    For courses without a JupyterHub: each file is named ``<student id>.ipynb`` (or give
    ``student`` for a single file); a folder stands for the notebooks in it. The file's
    modification time is recorded as the time it was handed in.

    Parameters
    ----------
    root : path
        The course folder.
    lesson : str or int
        The lesson, by number or id.
    paths : sequence of path
        Notebook files, or folders of them.
    student : str, optional
        The student id, when giving one file whatever its name.

    Returns
    -------
    list of Path
        The notebooks written into ``submitted/``.
    """
    settings = read_course(root)
    name = _resolve_lesson(settings.root, lesson)
    files: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            files.extend(sorted(item.glob("*.ipynb")))
        elif item.is_file():
            files.append(item)
        else:
            raise MhtrainError(f"{item} does not exist; check the path")
    if not files:
        raise MhtrainError("no notebooks (.ipynb files) were given; check the folder")
    if student is not None and len(files) != 1:
        raise MhtrainError("--student goes with exactly one notebook; give one file")
    pairs = []
    for path in files:
        who = _check_student_id(student if student is not None else path.stem, str(path))
        pairs.append((who, path))
    ids = [who for who, _ in pairs]
    if len(set(ids)) != len(ids):
        raise MhtrainError("two notebooks are for the same student; keep one per student")
    written = []
    for who, path in pairs:
        folder = settings.root / "submitted" / who / name
        stamp = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        target = folder / f"{name}.ipynb"
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
        os.close(fd)
        try:
            shutil.copyfile(path, tmp)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _write_text(folder / "timestamp.txt", stamp.strftime("%Y-%m-%d %H:%M:%S.%f %Z") + "\n")
        written.append(target)
    return written


_SOLUTION_LINE = re.compile(r"###\s*(BEGIN|END) SOLUTION")
_PLACEHOLDER_LINE = re.compile(r"^\s*[A-Za-z_][\w\s,]*=\s*\.\.\.\s*(#.*)?$")


def model_submission(source: NotebookNode, release: NotebookNode) -> NotebookNode:
    """Return the released notebook answered with the source's solutions.

    Useful to check that a lesson's model answers get full marks, and to time marking.

    Parameters
    ----------
    source : NotebookNode
        The nbgrader source version (``source/<lesson>/<lesson>.ipynb``).
    release : NotebookNode
        The released version of the same lesson.

    Returns
    -------
    NotebookNode
        A copy of ``release`` whose answer cells hold the worked answers.
    """
    answers = {}
    for cell in source.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            lines = [
                line
                for line in cell.source.split("\n")
                if not _SOLUTION_LINE.search(line)
                and not (cell.cell_type == "code" and _PLACEHOLDER_LINE.match(line))
            ]
            answers[meta["grade_id"]] = "\n".join(lines).strip("\n")
    answered = copy.deepcopy(release)
    for cell in answered.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return answered


# --------------------------------------------------------------------------------------------
# mhtrain course grade / feedback
# --------------------------------------------------------------------------------------------

GRADED = "graded"
GRADED_WITH_PROBLEMS = "graded, with problems"
NOT_GRADED = "could not be marked"
NOT_SUBMITTED = "not handed in"


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

    def summary(self) -> str:
        """Return a plain summary for the tutor."""
        handed_in = [r for r in self.rows if r["status"] != NOT_SUBMITTED]
        lines = [
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
        if self.problems:
            lines.append(f"Submissions with problems ({len(self.problems)}):")
            for student, found in self.problems.items():
                lines.append(f"  {student}: {'; '.join(found)}.")
        else:
            lines.append("No submission had a problem.")
        return "\n".join(lines)


def _read_notebook(path: Path) -> tuple[NotebookNode | None, str | None]:
    if not path.is_file():
        return None, f"no notebook named {path.name} was handed in"
    try:
        return nbformat.read(path, as_version=4), None
    except Exception as exc:  # a damaged file can fail in many ways
        return None, f"the file could not be read as a notebook ({type(exc).__name__})"


def _nbgrader_cells(nb: NotebookNode) -> dict[str, NotebookNode]:
    found = {}
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id:
            found[grade_id] = cell
    return found


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
        if cell.metadata["nbgrader"].get("locked")
        and gid in theirs
        and theirs[gid].source.strip() != cell.source.strip()
    ]
    if edited:
        problems.append(
            f"locked cells were edited ({', '.join(edited)}); the original tests were used"
        )
    return problems


def _is_test_cell(cell: NotebookNode) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def _run_problems(autograded: NotebookNode, timeout: int) -> list[str]:
    """Find what went wrong while a submission ran: timeouts, errors outside tests, long output."""
    timed_out = 0
    errors = 0
    cut = False
    for cell in autograded.cells:
        if cell.cell_type != "code":
            continue
        cell_timed_out = False
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "error" and output.get("ename") in {"CellTimeoutError", "KeyboardInterrupt"}:
                cell_timed_out = True
            elif kind == "error" and not _is_test_cell(cell):
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
    if errors:
        problems.append(f"{errors} cell(s) other than tests stopped with an error")
    if cut:
        problems.append("a cell printed a very long output, which was cut short")
    return problems


def _grade_order(root: Path, lesson: str) -> list[str]:
    nb = nbformat.read(root / "source" / lesson / f"{lesson}.ipynb", as_version=4)
    return [
        gid for gid, cell in _nbgrader_cells(nb).items() if cell.metadata["nbgrader"].get("grade")
    ]


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{float(value):g}"


def _grade_rows(
    settings: CourseSettings,
    lesson: str,
    statuses: dict[str, str],
    problems: dict[str, list[str]],
) -> list[dict[str, Any]]:
    from nbgrader.api import MissingEntry

    order = _grade_order(settings.root, lesson)
    rows = []
    with _gradebook(settings) as gb:
        students = {s.id: s for s in gb.students}
        ids = sorted(set(students) | set(statuses))
        for sid in ids:
            student = students.get(sid)
            row: dict[str, Any] = {
                "student_id": sid,
                "first_name": (student.first_name or "") if student else "",
                "last_name": (student.last_name or "") if student else "",
                "email": (student.email or "") if student else "",
                "lesson": lesson,
            }
            status = statuses.get(sid)
            try:
                submission = gb.find_submission(lesson, sid)
            except MissingEntry:
                submission = None
            cells: dict[str, str] = dict.fromkeys(order, "")
            to_mark: list[str] = []
            score = max_score = ""
            if status is None:
                status = (
                    (GRADED_WITH_PROBLEMS if problems.get(sid) else GRADED)
                    if (submission is not None)
                    else NOT_SUBMITTED
                )
            if submission is not None and status != NOT_GRADED:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        value = grade.manual_score
                        if value is None:
                            value = grade.auto_score
                        cells[grade.name] = _number(value)
                        if grade.needs_manual_grade:
                            to_mark.append(grade.name)
                score = _number(submission.score)
                max_score = _number(submission.max_score)
            row.update(
                {
                    "status": status,
                    "score": score,
                    "max_score": max_score,
                    "to mark by hand": " ".join(sorted(to_mark, key=order.index))
                    if all(t in order for t in to_mark)
                    else " ".join(sorted(to_mark)),
                    "problems": "; ".join(problems.get(sid, [])),
                }
            )
            row.update(cells)
            rows.append(row)
    return rows


def _record_path(settings: CourseSettings, lesson: str) -> Path:
    return settings.root / GRADES_FOLDER / f"{lesson}-marking.json"


def _read_record(settings: CourseSettings, lesson: str) -> dict[str, dict[str, Any]]:
    path = _record_path(settings, lesson)
    if not path.is_file():
        return {}
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a damaged record only loses the notes of the last marking
    return record if isinstance(record, dict) else {}


def _save_record(
    settings: CourseSettings,
    lesson: str,
    statuses: dict[str, str],
    problems: dict[str, list[str]],
) -> None:
    record = _read_record(settings, lesson)
    for student, status in statuses.items():
        record[student] = {"status": status, "problems": list(problems.get(student, []))}
    text = json.dumps(dict(sorted(record.items())), indent=1, ensure_ascii=False) + "\n"
    _write_text(_record_path(settings, lesson), text)


def _recorded(settings: CourseSettings, lesson: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    record = _read_record(settings, lesson)
    statuses = {s: str(r.get("status", "")) for s, r in record.items() if r.get("status")}
    problems = {s: [str(p) for p in r.get("problems", [])] for s, r in record.items()}
    return statuses, problems


def _write_grades(rows: Sequence[dict[str, Any]], path: Path) -> Path:
    buffer = io.StringIO()
    fields = list(rows[0]) if rows else ["student_id", "status"]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return _write_text(path, buffer.getvalue())


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
        folder = settings.root / "feedback" / student / lesson
        if student in unmarked:
            pages[student] = _write_text(
                folder / f"{lesson}.html", _problem_page(lesson, student, unmarked[student])
            )
            continue
        result = api.generate_feedback(lesson, student)
        found = sorted(folder.glob("*.html"))
        if result["success"] and found:
            pages[student] = found[0]
        else:
            failed[student] = _reason(result)
    return pages, failed


def grade_lesson(
    root: Path | str,
    lesson: str | int,
    *,
    students: Sequence[str] | None = None,
    output: Path | str | None = None,
    progress: bool = True,
) -> GradeReport:
    """Mark every submission of a lesson, then write the grade table and each feedback page.

    Each student's submission (``submitted/<student>/<lesson>/``) is marked on its own by
    nbgrader's ``autograde`` (one kernel per student, so nothing one student does can change
    another's marks). With per-student data, each kernel runs with the student and course
    settings for that student (see :class:`CourseExecute`). A submission that
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

    Returns
    -------
    GradeReport
    """
    settings = read_course(root)
    name = _resolve_lesson(settings.root, lesson)
    submitted_dir = settings.root / "submitted"
    handed_in = sorted(p.parent.name for p in submitted_dir.glob(f"*/{name}") if p.is_dir())
    if students is not None:
        wanted = [_check_student_id(s, "--student") for s in students]
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
    release = nbformat.read(released, as_version=4)
    api = _api(settings.config)
    report = GradeReport(lesson=name)
    statuses: dict[str, str] = {}
    unmarked: dict[str, list[str]] = {}
    with _gradebook(settings) as gb:
        for student in handed_in:
            gb.update_or_create_student(student)
    for student in _progress(handed_in, desc=f"Marking {name}", enabled=progress):
        path = submitted_dir / student / name / f"{name}.ipynb"
        submitted, unreadable = _read_notebook(path)
        if submitted is None:
            others = sorted(p.name for p in path.parent.glob("*.ipynb") if p != path)
            reason = unreadable or "the notebook could not be read"
            if others:
                reason += f" (the folder holds {', '.join(others)})"
            statuses[student] = NOT_GRADED
            unmarked[student] = [reason]
            report.problems[student] = [reason]
            continue
        found = _source_problems(submitted, release)
        result = api.autograde(name, student, force=True, create=True)
        if not result["success"]:
            reason = f"nbgrader could not mark it ({_reason(result)})"
            statuses[student] = NOT_GRADED
            unmarked[student] = [*found, reason]
            report.problems[student] = unmarked[student]
            continue
        report.graded.append(student)
        marked = settings.root / "autograded" / student / name / f"{name}.ipynb"
        if marked.is_file():
            found.extend(_run_problems(nbformat.read(marked, as_version=4), settings.cell_timeout))
        if found:
            report.problems[student] = found
        statuses[student] = GRADED_WITH_PROBLEMS if found else GRADED
    pages, failed = _feedback_for(api, settings, name, handed_in, unmarked, progress=progress)
    for student, reason in failed.items():
        report.problems.setdefault(student, []).append(f"no feedback page ({reason})")
    report.feedback = pages
    _save_record(settings, name, statuses, report.problems)
    all_statuses, all_problems = _recorded(settings, name)
    report.rows = _grade_rows(settings, name, all_statuses, all_problems)
    report.csv_path = _write_grades(
        report.rows, Path(output) if output else settings.root / GRADES_FOLDER / f"{name}.csv"
    )
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
    root : path
        The course folder.
    lesson : str or int
        The lesson, by number or id.
    output : path, optional
        The grade table; by default ``grades/<lesson>.csv`` in the course.
    progress : bool, optional
        Show a progress bar.

    Returns
    -------
    GradeReport
    """
    settings = read_course(root)
    name = _resolve_lesson(settings.root, lesson)
    statuses, problems = _recorded(settings, name)
    unmarked = {s: problems.get(s, []) for s, status in statuses.items() if status == NOT_GRADED}
    marked = sorted(
        {p.parent.name for p in (settings.root / "autograded").glob(f"*/{name}") if p.is_dir()}
        | set(unmarked)
    )
    if not marked:
        raise MhtrainError(
            f"no marked submissions of {name}; run `mhtrain course grade {settings.root} {name}`"
        )
    api = _api(settings.config)
    report = GradeReport(lesson=name)
    pages, failed = _feedback_for(api, settings, name, marked, unmarked, progress=progress)
    for student, reason in failed.items():
        problems.setdefault(student, []).append(f"no feedback page ({reason})")
    report.problems = {s: problems[s] for s in sorted(problems) if problems[s]}
    report.feedback = pages
    report.rows = _grade_rows(settings, name, statuses, problems)
    report.csv_path = _write_grades(
        report.rows, Path(output) if output else settings.root / GRADES_FOLDER / f"{name}.csv"
    )
    return report
