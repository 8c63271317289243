"""Setting up a course: its settings file, its lessons released by nbgrader, data and students."""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from traitlets.config import Config

from mhtrain import files, settings
from mhtrain.course.build import build_nbgrader_source
from mhtrain.course.lessons import find_lesson, lesson_id, lesson_sources
from mhtrain.course.nbgrader.api import QuietAPI, failure_reason, gradebook
from mhtrain.course.nbgrader.config import (
    CELL_TIMEOUT,
    CONFIG_NAME,
    COURSE_MODES,
    DEFAULT_MODE,
    KEEP_MARKER,
    CourseOptions,
    course_config_file_text,
)
from mhtrain.course.nbgrader.export import COURSE_TIME_ZONE, local_time
from mhtrain.course.nbgrader.preprocessors import DATA_FOLDER
from mhtrain.course.tutor.roster import read_students
from mhtrain.errors import MhtrainError

_COURSE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True, kw_only=True)
class CourseSettings(CourseOptions):
    """The settings of an existing course, as its ``nbgrader_config.py`` gives them: the
    :class:`CourseOptions` it records, and where it is.

    Attributes
    ----------
    root : Path
        The course folder.
    config : traitlets.config.Config
        The whole configuration, as nbgrader reads it.
    """

    root: Path
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
        mode=str(section.get("course_mode") or DEFAULT_MODE),
    )


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
    due : dict of str to str
        Each lesson's due date (ISO 8601, in the course's time zone), for lessons that have one.
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
    due: dict[str, str] = field(default_factory=dict)

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
        if self.due:
            dates = "; ".join(f"{lesson} {when}" for lesson, when in self.due.items())
            lines.append(f"Due dates ({COURSE_TIME_ZONE} time): {dates}.")
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


def course_lessons(root: Path) -> list[str]:
    """Return the ids of the lessons in a course's ``source/`` folder."""
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
    it); only a missing copy is made. A copy whose files no longer match the sha256 values in
    its ``manifest.json`` is always copied again.
    """
    from mhtrain.course.nbgrader.sandbox import damaged_data
    from mhtrain.data import data_dir

    origin = data_dir().resolve()
    target = root / DATA_FOLDER
    has_copy = (target / "manifest.json").is_file()
    damage = damaged_data(target) if has_copy else None
    if keep_existing and has_copy and damage is None:
        return False
    if not (origin / "manifest.json").is_file():
        raise MhtrainError(
            f"the course dataset was not found in {origin}; run `make data` in the course "
            f"repository, or set {settings.DATA_DIR.name} to the folder "
            "holding it"
        )
    if origin == target.resolve():
        return False
    manifest = (origin / "manifest.json").read_bytes()
    same = has_copy and (target / "manifest.json").read_bytes() == manifest
    if keep_existing and has_copy and not same:
        raise MhtrainError(
            f"the course data in {target} is damaged ({damage}) and this mhtrain has another "
            "version of the dataset; restore synthetic_data/ from a backup of the course"
        )
    if same and damage is None:
        return False
    with files.staging_folder(target) as staging:
        shutil.copytree(origin, staging, dirs_exist_ok=True)
    return True


def submission_count(course: CourseSettings) -> int:
    """Return how many submissions of any lesson the course's gradebook holds."""
    if not (course.root / "gradebook.db").exists():
        return 0
    with gradebook(course.root, course.course_id) as gb:
        return sum(len(a.submissions) for a in gb.assignments)


def _resolve_settings(
    root: Path,
    *,
    course_id: str | None,
    per_student_data: bool | None,
    cell_timeout: int | None,
    mode: str | None,
) -> tuple[CourseOptions, CourseSettings | None]:
    """The options a course gets: those asked for, else the course's own, else the defaults."""
    existing = read_course(root) if (root / CONFIG_NAME).is_file() else None
    if course_id is not None and not _COURSE_ID.match(course_id):
        raise MhtrainError(
            f"course id {course_id!r} is not allowed; use letters, digits, '.', '_' and '-', "
            "for example mhtrain-2025"
        )
    if cell_timeout is not None and cell_timeout < 1:
        raise MhtrainError(f"--cell-timeout must be at least 1 second, not {cell_timeout}")
    if mode is not None and mode not in COURSE_MODES:
        raise MhtrainError(f"--mode must be one of {', '.join(COURSE_MODES)}, not {mode!r}")
    if existing is None:
        options = CourseOptions(
            course_id=course_id or _default_course_id(root),
            per_student_data=bool(per_student_data),
            cell_timeout=int(cell_timeout or CELL_TIMEOUT),
            mode=mode or DEFAULT_MODE,
        )
        return options, None
    if course_id is not None and course_id != existing.course_id:
        raise MhtrainError(
            f"{root} is the course {existing.course_id!r}; its id cannot change (it is in the "
            "gradebook and in each student's data), so make a new course folder instead"
        )
    per_student = existing.per_student_data if per_student_data is None else per_student_data
    if per_student != existing.per_student_data and submission_count(existing):
        raise MhtrainError(
            f"{root} already has marked submissions made with "
            f"{'per-student' if existing.per_student_data else 'shared'} data; switching now "
            "would mark them against other numbers, so make a new course folder instead"
        )
    options = CourseOptions(
        course_id=existing.course_id,
        per_student_data=per_student,
        cell_timeout=int(cell_timeout or existing.cell_timeout),
        mode=mode or existing.mode,
        own_settings=existing.own_settings,
    )
    return options, existing


def init_course(
    root: Path | str,
    *,
    lessons: Iterable[str | int] | None = None,
    per_student_data: bool | None = None,
    course_id: str | None = None,
    students: Path | str | None = None,
    cell_timeout: int | None = None,
    source_dir: Path | None = None,
    due: Mapping[str | int, str | dt.datetime | None] | None = None,
    mode: str | None = None,
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
    due : mapping, optional
        Due dates by lesson (number or id): ISO 8601 with a time zone
        (``2026-12-08T17:00+00:00``), or a date alone for the end of that day in
        Europe/London, or None (or ``"none"``) to remove one. They are kept in the
        gradebook as each assignment's nbgrader ``duedate``, so nbgrader's own lateness
        applies; lessons not named keep theirs.
    mode : {"marked", "formative"}, optional
        How the checks in learners' kernels answer: ``"marked"`` (the default for a new
        course) gives no reference answers and only records multiple-choice answers;
        ``"formative"`` says right or wrong at once. An update keeps the course's mode.

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
    options, existing = _resolve_settings(
        root,
        course_id=course_id,
        per_student_data=per_student_data,
        cell_timeout=cell_timeout,
        mode=mode,
    )
    class_list = read_students(students) if students is not None else []
    if lessons is None and existing is not None and course_lessons(root):
        chosen = lesson_sources(lessons=course_lessons(root), source_dir=source_dir)
    else:
        chosen = lesson_sources(lessons=lessons, source_dir=source_dir)
    if not chosen:
        raise MhtrainError("no lessons found to put in the course; check the notebooks folder")
    chosen_ids = [lesson_id(p) for p in chosen]
    deadlines = _due_dates(due or {}, sorted({*chosen_ids, *course_lessons(root)}))

    def build(work: Path) -> InitReport:
        done = _init_in(
            work, final_root=root, lessons=chosen, options=options, class_list=class_list
        )
        done.due = _set_due_dates(work, options.course_id, deadlines)
        return done

    if is_course:
        report = build(root)
    else:
        with files.staging_folder(root) as work:
            os.chmod(work, 0o755)  # a staging folder is private; a course is shared
            report = build(work)
    report.root = root
    report.created = not is_course
    report.lessons = chosen_ids
    report.all_lessons = course_lessons(root)
    return report


def _init_in(
    work: Path,
    *,
    final_root: Path,
    lessons: Sequence[Path],
    options: CourseOptions,
    class_list: Sequence[dict[str, str]],
) -> InitReport:
    report = InitReport(
        root=final_root,
        course_id=options.course_id,
        per_student_data=options.per_student_data,
        created=False,
    )
    # Build every lesson first, so a broken lesson changes nothing in the course.
    staging = Path(tempfile.mkdtemp(prefix=".source.", dir=work))
    try:
        built = build_nbgrader_source(staging, lessons=lessons)
        marked_before = (work / CONFIG_NAME).is_file() and submission_count(read_course(work)) > 0
        report.data_copied = _copy_data(work, keep_existing=marked_before)
        files.write_text(work / CONFIG_NAME, course_config_file_text(options))
        course = read_course(work)
        with gradebook(course.root, course.course_id) as gb:
            before = {s.id for s in gb.students}
            for student in class_list:
                details = {k: v for k, v in student.items() if k != "id"}
                gb.update_or_create_student(student["id"], **details)
            report.students_added = [s["id"] for s in class_list if s["id"] not in before]
            report.students_total = len(gb.students)
        api = QuietAPI(course.config)
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
    why = failure_reason(result)
    if backup is not None:
        os.replace(backup, target)
        api.generate_assignment(lesson, force=True, create=True)
    else:
        shutil.rmtree(target.parent, ignore_errors=True)
    if "because there are submissions" in why:
        return (
            f"{lesson} was not updated: its graded cells changed after students handed it in, "
            "so the course keeps the earlier version; change graded cells only before release"
        )
    return f"{lesson} could not be released by nbgrader ({why}); the course keeps what it had"


# --------------------------------------------------------------------------------------------
# Due dates: kept once, in the gradebook, as nbgrader's own assignment due date.
# --------------------------------------------------------------------------------------------

_NO_DUE_DATE = "none"


def parse_due_date(text: str | dt.datetime) -> dt.datetime:
    """Return a due date as nbgrader keeps it: a naive datetime in UTC.

    Parameters
    ----------
    text : str or datetime
        ISO 8601 with a time zone (``2026-12-08T17:00+00:00`` or ``...Z``), or a date alone
        (``2026-12-08``), meaning the end of that day (23:59:59) in Europe/London.

    Returns
    -------
    datetime.datetime
    """
    if isinstance(text, dt.datetime):
        moment = text
    else:
        value = str(text).strip()
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            day = None
        try:
            moment = (
                dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=ZoneInfo(COURSE_TIME_ZONE))
                if day is not None
                else dt.datetime.fromisoformat(value)
            )
        except ValueError:
            raise MhtrainError(
                f"due date {value!r} is not an ISO 8601 date; write 2026-12-08 (the end of that "
                f"day in {COURSE_TIME_ZONE}) or 2026-12-08T17:00+00:00"
            ) from None
    if moment.tzinfo is None:
        raise MhtrainError(
            f"due date {str(text)!r} has a time but no time zone; add one, for example "
            f"{moment:%Y-%m-%dT%H:%M}+00:00, or give the date alone"
        )
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _due_dates(
    due: Mapping[str | int, str | dt.datetime | None], lessons: Sequence[str]
) -> dict[str, dt.datetime | None]:
    """Check every due date before anything is built; key them by lesson id."""
    found: dict[str, dt.datetime | None] = {}
    for key, when in due.items():
        name = find_lesson(key, lessons)
        if name is None:
            raise MhtrainError(
                f"--due {key}=...: the course has no lesson {str(key)!r}; it will have "
                f"{', '.join(lessons) or 'no lessons'}"
            )
        if name in found:
            raise MhtrainError(f"--due names {name} twice; give one due date per lesson")
        none = when is None or (isinstance(when, str) and when.strip().lower() == _NO_DUE_DATE)
        found[name] = None if none else parse_due_date(when)  # type: ignore[arg-type]
    return found


def _set_due_dates(
    root: Path, course_id: str, due: Mapping[str, dt.datetime | None]
) -> dict[str, str]:
    """Give nbgrader each lesson's due date; return every lesson's due date now set."""
    with gradebook(root, course_id) as gb:
        for lesson, when in due.items():
            gb.update_or_create_assignment(lesson, duedate=when)
        return _due_in(gb)


def _due_in(gb: Any) -> dict[str, str]:
    return {a.name: local_time(a.duedate) for a in gb.assignments if a.duedate is not None}


def due_dates(root: Path | str) -> dict[str, str]:
    """Return the course's due dates by lesson (ISO 8601, in the course's time zone)."""
    course = read_course(root)
    if not (course.root / "gradebook.db").exists():
        return {}
    with gradebook(course.root, course.course_id) as gb:
        return _due_in(gb)


# --------------------------------------------------------------------------------------------
# Submissions: collecting them on laptops, and the model answer (for checking a lesson).
# --------------------------------------------------------------------------------------------


def resolve_lesson(root: Path, lesson: str | int) -> str:
    """Return the id of the course's lesson that a number or id names, or say which exist."""
    have = course_lessons(root)
    name = find_lesson(lesson, have)
    if name is None:
        raise MhtrainError(
            f"the course in {root} has no lesson {lesson!r}; it has "
            f"{', '.join(have) or 'no lessons'} (add lessons with `mhtrain course init`)"
        )
    return name
