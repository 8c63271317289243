"""Every ``MHTRAIN_*`` environment variable: its name, its meaning, and the one place it is read.

No other module spells a variable's name. Code that needs a setting calls a function here;
code that starts another process (a marking kernel, a book build) asks this module for the
environment to give it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mhtrain.errors import MhtrainError

#: What the name of every variable below starts with.
PREFIX = "MHTRAIN_"


@dataclass(frozen=True)
class Variable:
    """One environment variable the package reads."""

    name: str
    meaning: str
    personal: bool = False  # chooses whose data a kernel loads; never leaks into other processes


DATA_DIR = Variable("MHTRAIN_DATA_DIR", "folder of the course dataset (instead of synthetic_data/)")
CACHE_DIR = Variable("MHTRAIN_CACHE_DIR", "where learners' own datasets are kept once generated")
SEED = Variable("MHTRAIN_SEED", "the seed of the dataset mhtrain.load() returns", personal=True)
STUDENT = Variable(
    "MHTRAIN_STUDENT", "a student id: mhtrain.load() returns that student's dataset", personal=True
)
COURSE = Variable(
    "MHTRAIN_COURSE", "the course id that, with MHTRAIN_STUDENT, picks a seed", personal=True
)
HIDE_SOLUTIONS = Variable("MHTRAIN_HIDE_SOLUTIONS", "1, true or yes switches ex.qN.solution() off")
COURSE_MODE = Variable(
    "MHTRAIN_COURSE_MODE", "marked or formative: how a course's checks answer (see the tutor guide)"
)
NOTEBOOKS = Variable("MHTRAIN_NOTEBOOKS", "folder of the lesson sources (instead of notebooks/)")

VARIABLES: tuple[Variable, ...] = (
    DATA_DIR,
    CACHE_DIR,
    SEED,
    STUDENT,
    COURSE,
    HIDE_SOLUTIONS,
    COURSE_MODE,
    NOTEBOOKS,
)
_TRUE = {"1", "true", "yes"}


def _get(variable: Variable, env: Mapping[str, str] | None = None) -> str:
    return (os.environ if env is None else env).get(variable.name, "").strip()


def data_dir() -> Path | None:
    """Return the dataset folder the environment names, or None."""
    value = _get(DATA_DIR)
    return Path(value) if value else None


def cache_base() -> Path:
    """Return the folder under which learners' own datasets are cached."""
    value = _get(CACHE_DIR) or os.environ.get("XDG_CACHE_HOME", "").strip()
    return Path(value) / "mhtrain" if value else Path.home() / ".cache" / "mhtrain"


def seed() -> int | None:
    """Return the seed the environment sets with ``MHTRAIN_SEED``, or None."""
    value = _get(SEED)
    if not value:
        return None
    if not value.isdigit():
        raise MhtrainError(f"{SEED.name} must be a whole number, not {value!r}; unset it or fix it")
    return int(value)


def student() -> tuple[str, str] | None:
    """Return ``(student id, course id)`` when the environment names a student, or None."""
    value = _get(STUDENT)
    return (value, _get(COURSE)) if value else None


def hide_solutions() -> bool:
    """Return whether the environment switches solutions off."""
    return _get(HIDE_SOLUTIONS).lower() in _TRUE


def course_mode() -> str | None:
    """Return the course mode the environment sets (``"marked"`` or ``"formative"``), or None."""
    value = _get(COURSE_MODE).lower()
    return value or None


def notebooks_dir() -> Path | None:
    """Return the lesson source folder the environment names, or None."""
    value = _get(NOTEBOOKS)
    return Path(value) if value else None


def without_personal(env: Mapping[str, str] | None = None, *, drop: tuple[str, ...] = ()) -> dict:
    """Return a copy of an environment with every variable that picks someone's data removed.

    Parameters
    ----------
    env : mapping, optional
        The environment to copy (the current process's by default).
    drop : tuple of str
        Other variable names to leave out too.
    """
    names = {v.name for v in VARIABLES if v.personal} | set(drop)
    return {k: v for k, v in (os.environ if env is None else env).items() if k not in names}


def marking_environment(
    *,
    data: Path | None,
    hide_solutions: bool,
    student: str | None = None,
    course: str = "",
    mode: str | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Return the environment a marking kernel starts with.

    Parameters
    ----------
    data : Path or None
        The course's copy of the dataset, or None to leave the dataset as the kernel finds it.
    hide_solutions : bool
        Switch ``solution()`` off in the kernel.
    student : str, optional
        With per-student data, the student being marked; ``course`` is their course id.
    mode : str, optional
        The course mode the kernel runs in (``"marked"`` closes the way to references).
    base : mapping, optional
        The environment to start from (the current process's by default); any personal-data
        variables in it are removed first, so the tutor's own never leak into marking.
    """
    env = without_personal(base, drop=(COURSE_MODE.name,))
    if mode:
        env[COURSE_MODE.name] = str(mode)
    if data is not None:
        env[DATA_DIR.name] = str(data)
    if hide_solutions:
        env[HIDE_SOLUTIONS.name] = "1"
    if student:
        env[STUDENT.name] = str(student)
        env[COURSE.name] = str(course or "")
    return env


def student_hint(course_id: str) -> str:
    """Return the words telling a learner how to load their own data for a course."""
    return f"{STUDENT.name}=<their student id> and {COURSE.name}={course_id}"
