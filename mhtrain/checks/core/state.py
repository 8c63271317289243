"""Session state the checks share: which dataset they compare against, and whether solutions show."""

from __future__ import annotations

from typing import Any

from mhtrain.errors import MhtrainError

__all__ = ["get_dataset", "set_solutions_visible", "solutions_visible", "use_dataset"]


class _DatasetState:
    """Holds the dataset that checks compare against, so it is loaded at most once."""

    def __init__(self) -> None:
        self.data: Any = None


_STATE = _DatasetState()


class _DatasetOverride:
    """Handle from :func:`use_dataset`; as a context manager it restores the previous data."""

    def __init__(self, previous: Any) -> None:
        self._previous = previous

    def __enter__(self) -> _DatasetOverride:
        return self

    def __exit__(self, *exc: object) -> None:
        _STATE.data = self._previous


def use_dataset(data: Any) -> _DatasetOverride:
    """Make every check compare against ``data`` (for example a learner's own seeded dataset).

    Parameters
    ----------
    data : Dataset or None
        The dataset to use, usually from ``mhtrain.load(...)``; ``None`` forgets any dataset so
        the next check loads the course dataset again.

    Returns
    -------
    _DatasetOverride
        Use it in a ``with`` block to restore the previous dataset afterwards (tests do this).
    """
    previous = _STATE.data
    _STATE.data = data
    return _DatasetOverride(previous)


def get_dataset() -> Any:
    """Return the dataset checks compare against, loading it with ``mhtrain.load()`` the first time.

    Returns
    -------
    Dataset
        The dataset set by :func:`use_dataset`, or the one ``mhtrain.load()`` gives (which
        honours the seed and student settings (:mod:`mhtrain.settings`), so each learner is checked against
        their own data).
    """
    if _STATE.data is None:
        try:
            import mhtrain

            load = mhtrain.load
        except (ImportError, AttributeError) as exc:
            raise MhtrainError(
                "the course data loader mhtrain.load() is not available; reinstall mhtrain "
                "with `make setup`"
            ) from exc
        _STATE.data = load()
    return _STATE.data


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
