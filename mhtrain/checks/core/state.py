"""Session state the checks share: which dataset they compare against, and whether solutions show."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mhtrain.errors import MhtrainError

__all__ = [
    "COURSE_MODES",
    "FORMATIVE",
    "MARKED",
    "course_mode",
    "dataset_in",
    "get_dataset",
    "is_dataset",
    "set_course_mode",
    "set_solutions_visible",
    "solutions_visible",
    "use_dataset",
]


class _DatasetState:
    """The dataset a session sets with :func:`use_dataset`, and the one loaded by default."""

    def __init__(self) -> None:
        self.override: Any = None
        self.loaded: Any = None


_STATE = _DatasetState()


class _DatasetOverride:
    """Handle from :func:`use_dataset`; as a context manager it restores the previous data."""

    def __init__(self, previous: Any) -> None:
        self._previous = previous

    def __enter__(self) -> _DatasetOverride:
        return self

    def __exit__(self, *exc: object) -> None:
        _STATE.override = self._previous


def use_dataset(data: Any) -> _DatasetOverride:
    """Make every check compare against ``data``, whatever the notebook holds.

    Parameters
    ----------
    data : Dataset or None
        The dataset to use, usually from ``mhtrain.load(...)``; ``None`` goes back to the
        usual choice (see :func:`get_dataset`).

    Returns
    -------
    _DatasetOverride
        Use it in a ``with`` block to restore the previous dataset afterwards (tests do this).
    """
    previous = _STATE.override
    _STATE.override = data
    return _DatasetOverride(previous)


def is_dataset(value: Any) -> bool:
    """Whether ``value`` is a course dataset (what ``mhtrain.load()`` returns)."""
    return all(hasattr(value, name) for name in ("tables", "truth", "seed"))


def dataset_in(namespace: Mapping[str, Any]) -> Any:
    """The dataset a notebook loaded: its ``data`` variable, else its only dataset, else None.

    A messy copy (``mhtrain.load(messy=True)``) is not chosen: checks compare with the tidy
    data, and the lessons that use the messy copy work it out from the tidy one.
    """
    candidate = namespace.get("data")
    if is_dataset(candidate) and not getattr(candidate, "messy", False):
        return candidate
    found = {
        id(value): value
        for name, value in namespace.items()
        if not name.startswith("_") and is_dataset(value) and not getattr(value, "messy", False)
    }
    return next(iter(found.values())) if len(found) == 1 else None


def get_dataset(namespace: Mapping[str, Any] | None = None) -> Any:
    """Return the dataset checks compare against.

    Parameters
    ----------
    namespace : mapping, optional
        The notebook's variables (``check()`` passes them): a dataset the notebook loaded,
        such as ``data = mhtrain.load(seed=7)``, is the one compared with.

    Returns
    -------
    Dataset
        The dataset set by :func:`use_dataset`; else the notebook's own (see
        :func:`dataset_in`); else the one ``mhtrain.load()`` gives, loaded once (it honours
        the seed and student settings of :mod:`mhtrain.settings`).
    """
    if _STATE.override is not None:
        return _STATE.override
    if namespace is not None:
        found = dataset_in(namespace)
        if found is not None:
            return found
    if _STATE.loaded is None:
        try:
            import mhtrain

            load = mhtrain.load
        except (ImportError, AttributeError) as exc:
            raise MhtrainError(
                "the course data loader mhtrain.load() is not available; reinstall mhtrain "
                "with `make setup`"
            ) from exc
        _STATE.loaded = load()
    return _STATE.loaded


def dataset_note(data: Any) -> str:
    """Say which dataset a check compared with, when it is not the shipped course dataset."""
    seed = getattr(data, "seed", None)
    if seed is None:
        return ""
    from mhtrain.data import SHIPPED

    if seed == SHIPPED["seed"] and getattr(data, "residents", None) == SHIPPED["population"]:
        return ""
    size = getattr(data, "residents", None)
    people = f", {size:,} residents" if isinstance(size, int) else ""
    return f" (Checked against your own dataset: seed {seed}{people}.)"


_SOLUTIONS = {"visible": None}


def set_solutions_visible(visible: bool | None) -> None:
    """Switch ``solution()`` on or off for this session (a cohort's graded release may turn it off).

    Parameters
    ----------
    visible : bool or None
        ``False`` hides solutions, ``True`` shows them, ``None`` goes back to the environment
        (:func:`mhtrain.settings.hide_solutions`).
    """
    _SOLUTIONS["visible"] = visible


def solutions_visible() -> bool:
    """Return whether ``solution()`` shows solutions in this session."""
    if _SOLUTIONS["visible"] is not None:
        return bool(_SOLUTIONS["visible"])
    from mhtrain import settings

    return not settings.hide_solutions()


#: A course whose marks count: the kernel gives no reference, choices are only recorded.
MARKED = "marked"
#: A course for practice: instant right or wrong for every kind of question.
FORMATIVE = "formative"
COURSE_MODES = (MARKED, FORMATIVE)


class _ModeState:
    """The course mode a session chose, and whether a check is being judged right now."""

    def __init__(self) -> None:
        self.chosen: str | None = None
        self.judging = 0
        self.grader = 0


_MODE = _ModeState()


def set_course_mode(mode: str | None) -> None:
    """Say which kind of course this session belongs to (a released notebook does this).

    Parameters
    ----------
    mode : {"marked", "formative"} or None
        ``"marked"`` closes every way to the reference answers in this session; ``None`` goes
        back to the environment (:func:`mhtrain.settings.course_mode`). A marking kernel's
        environment says ``"marked"``, and nothing set here opens it again.
    """
    if mode is not None and mode not in COURSE_MODES:
        raise MhtrainError(f"course mode {mode!r} is not one of {', '.join(COURSE_MODES)}")
    _MODE.chosen = mode


def course_mode() -> str | None:
    """Return ``"marked"``, ``"formative"`` or None (self-paced) for this session.

    In the grader's own process (:func:`grader_judging`) it is always None: the grader judges
    with every reference in reach.
    """
    if _MODE.grader:
        return None
    from mhtrain import settings

    if settings.course_mode() == MARKED:
        return MARKED
    return _MODE.chosen or settings.course_mode() or None


def references_closed() -> bool:
    """Whether asking for a reference answer now must fail: a marked course, outside a check."""
    return not _MODE.judging and course_mode() == MARKED


class _Counter:
    """A context manager that counts how deep a ``with`` block of its kind is."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __enter__(self) -> None:
        setattr(_MODE, self._name, getattr(_MODE, self._name) + 1)

    def __exit__(self, *exc: object) -> None:
        setattr(_MODE, self._name, getattr(_MODE, self._name) - 1)


#: While a check compares an answer (it needs the reference for that, and shows only a verdict).
judging = _Counter("judging")
#: While the grader judges answers in its own process, whatever the environment says.
grader_judging = _Counter("grader")
