"""Declared exercises: check answers against the learner's own data, give hints, show solutions."""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from mhtrain.errors import MhtrainError

__all__ = [
    "CORRECT",
    "NOT_ATTEMPTED",
    "NOT_YET",
    "RECEIVED",
    "CheckResult",
    "ChoiceExercise",
    "Exercise",
    "FreeTextExercise",
    "Misconception",
    "NotYetError",
    "NumberExercise",
    "TableExercise",
    "exercises_in",
    "get_dataset",
    "set_solutions_visible",
    "solutions_visible",
    "use_dataset",
]

#: Status of an answer that is still the placeholder (``...``), ``None`` or empty.
NOT_ATTEMPTED = "not attempted"
#: Status of an answer that matches the reference within tolerance.
CORRECT = "correct"
#: Status of an answer that was tried but does not match the reference.
NOT_YET = "not yet"
#: Status of a written answer that a tutor grades by hand.
RECEIVED = "received"

#: The name lessons give the checks module (``from mhtrain.checks import lesson03 as ex``);
#: messages use it to tell learners what to run next.
ALIAS = "ex"

_LABELS = {
    NOT_ATTEMPTED: "Not attempted",
    CORRECT: "Correct",
    NOT_YET: "Not yet",
    RECEIVED: "Thank you",
}

_MISSING: Any = object()

# Factors by which an answer is often wrong: percentages against proportions, rates per 1,000 or
# per 100,000 against rates per person.
_FACTORS = (100_000, 1_000_000, 10_000, 1_000, 100, 10)

_MAX_LABELS_LISTED = 8


# --------------------------------------------------------------------------------------------
# Where the reference answers come from: the learner's dataset, loaded once and cached.
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Results and the error a failing nbgrader test cell raises.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one answer.

    Attributes
    ----------
    exercise_id : str
        Which exercise was checked (``"q1"``).
    status : str
        One of ``"not attempted"``, ``"correct"``, ``"not yet"`` or ``"received"`` (the last
        for written answers).
    message : str
        Plain text that starts with the status in words ("Correct:", "Not yet:", ...).
    misconception : str or None
        The name of the misconception the answer matched, if any.
    """

    exercise_id: str
    status: str
    message: str
    misconception: str | None = None

    @property
    def correct(self) -> bool:
        """Whether the answer was correct."""
        return self.status == CORRECT

    def __str__(self) -> str:
        return self.message

    def _ipython_display_(self) -> None:
        # check() and grade() have already printed the message as plain text (the most
        # screen-reader-friendly output); showing the returned object again would repeat it.
        return None


class ShownText(str):
    """Text that has already been printed: returned so code can use it, not displayed again."""

    def _ipython_display_(self) -> None:
        return None


def _show(text: str) -> ShownText:
    print(text)
    return ShownText(text)


class NotYetError(AssertionError):
    """Raised by ``grade()`` when an answer is not attempted or not correct.

    Being an ``AssertionError``, it makes an nbgrader test cell score zero. In Jupyter it shows
    only its kind message, not a traceback of library code.
    """

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.message)
        self.result = result

    def _render_traceback_(self) -> list[str]:
        return self.result.message.splitlines()


# --------------------------------------------------------------------------------------------
# Misconceptions.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Misconception:
    """A known wrong route to an answer, and the message that names it.

    Parameters
    ----------
    message : str
        What the learner probably did and how to fix it, without giving the right answer
        (for example "This looks like a count of detentions, not a rate: divide by the number
        of residents in the group.").
    compute : callable, optional
        ``compute(data)`` gives the wrong value this misconception produces from the learner's
        dataset (a number or a table, like the exercise's reference).
    value : object, optional
        A fixed wrong value instead of ``compute`` (multiple choice: the option key, ``"a"``).
    name : str, optional
        A short name for reports and tests (``"count-not-rate"``).
    """

    message: str
    compute: Callable[[Any], Any] | None = None
    value: Any = _MISSING
    name: str | None = None

    def __post_init__(self) -> None:
        if (self.compute is None) == (self.value is _MISSING):
            raise MhtrainError(
                f"misconception {self.name or self.message[:40]!r} needs exactly one of "
                "compute= (a function of the data) or value= (a fixed wrong answer)"
            )

    def wrong_value(self, data: Any) -> Any:
        """Return the wrong value this misconception produces from ``data``."""
        if self.compute is not None:
            return self.compute(data)
        return self.value


# --------------------------------------------------------------------------------------------
# The exercise base class.
# --------------------------------------------------------------------------------------------


def _is_placeholder(answer: Any) -> bool:
    if answer is _MISSING or answer is None or answer is Ellipsis:
        return True
    if isinstance(answer, str) and answer.strip() in {"", "..."}:
        return True
    return False


def _format_count(n: float) -> str:
    return f"{n:,.0f}"


class Exercise:
    """One declared exercise: what the answer should be, hints, a solution and misconceptions.

    Subclasses say how to compare an answer (:class:`NumberExercise`, :class:`TableExercise`,
    :class:`ChoiceExercise`, :class:`FreeTextExercise`).

    Parameters
    ----------
    id : str
        Short name used in the notebook, ``"q1"`` (the lesson calls ``ex.q1.check(...)``).
    variable : str, optional
        The notebook variable that holds the answer; ``check()`` with no argument looks it up,
        and the book build uses it to fill the value in where the answer is hidden.
    prompt : str, optional
        A one-sentence summary of the question (shown in reports and the tutor guide).
    hints : sequence of str, optional
        Hints in order, from a gentle nudge to nearly the answer.
    solution : str, optional
        One worked solution, as the code (or text) a learner would write.
    misconceptions : sequence of Misconception, optional
        Known wrong routes, checked in order; the first that matches names the mistake.
    advice : str, optional
        What to look at when an answer is wrong for no known reason.
    """

    kind = "exercise"
    default_advice = "Read the question again and check each step of your working."

    def __init__(
        self,
        id: str,
        *,
        variable: str | None = None,
        prompt: str = "",
        hints: Sequence[str] = (),
        solution: str = "",
        misconceptions: Sequence[Misconception] = (),
        advice: str | None = None,
    ) -> None:
        if not id.isidentifier():
            raise MhtrainError(f"exercise id {id!r} is not a Python name; use a name like 'q1'")
        if variable is not None and not variable.isidentifier():
            raise MhtrainError(f"exercise {id}: variable {variable!r} is not a Python name")
        self.id = id
        self.variable = variable
        self.prompt = prompt
        self.hints = tuple(hints)
        self._solution_text = solution.strip("\n")
        self.misconceptions = tuple(misconceptions)
        self.advice = advice or self.default_advice
        self._hints_shown = 0
        self._cache: dict[str, tuple[Any, Any]] = {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}: {self.prompt or 'no prompt'}>"

    @property
    def solution_text(self) -> str:
        """The worked solution: the lesson's answer cell for this exercise (or ``solution=``)."""
        if not self._solution_text:
            from mhtrain.course.lessons import worked_answer_for

            self._solution_text = worked_answer_for(self)
        return self._solution_text

    # -- reference values --------------------------------------------------------------------

    def _cached(self, key: str, data: Any, compute: Callable[[Any], Any]) -> Any:
        hit = self._cache.get(key)
        if hit is not None and hit[0] is data:
            return hit[1]
        value = compute(data)
        self._cache[key] = (data, value)
        return value

    def _reference(self, data: Any) -> Any:
        raise NotImplementedError

    def expected(self, *, data: Any = None) -> Any:
        """Return the reference answer computed from the learner's data.

        This is for lesson authors, tests and the book build (which uses it to fill in a hidden
        answer); learners get feedback from :meth:`check` instead.

        Parameters
        ----------
        data : Dataset, optional
            The dataset to compute from; by default the one :func:`get_dataset` gives.
        """
        data = get_dataset() if data is None else data
        return self._cached("expected", data, self._reference)

    def _misconception_values(self, data: Any) -> Iterable[tuple[Misconception, Any]]:
        for i, misconception in enumerate(self.misconceptions):
            yield (
                misconception,
                self._cached(f"misconception-{i}", data, misconception.wrong_value),
            )

    # -- comparing ---------------------------------------------------------------------------

    def _result(self, status: str, detail: str, misconception: str | None = None) -> CheckResult:
        return CheckResult(self.id, status, f"{_LABELS[status]}: {detail}", misconception)

    def _not_attempted(self) -> CheckResult:
        where = f"`{self.variable}`" if self.variable else "your answer"
        return self._result(
            NOT_ATTEMPTED,
            f"{where} still holds the placeholder. Replace the ... with your answer, run that "
            f"cell, then run this check again. For a hint, run {ALIAS}.{self.id}.hint().",
        )

    def _not_yet(self, detail: str, misconception: str | None = None) -> CheckResult:
        return self._result(
            NOT_YET,
            f"{detail} For a hint, run {ALIAS}.{self.id}.hint().",
            misconception,
        )

    def _compare(self, answer: Any, data: Any) -> CheckResult:
        raise NotImplementedError

    def evaluate(self, answer: Any = _MISSING, *, data: Any = None) -> CheckResult:
        """Compare ``answer`` with the reference and return the result, printing nothing.

        Parameters
        ----------
        answer : object
            The learner's answer.
        data : Dataset, optional
            The dataset to compare against; by default the one :func:`get_dataset` gives.

        Returns
        -------
        CheckResult
        """
        if _is_placeholder(answer):
            return self._not_attempted()
        data = get_dataset() if data is None else data
        return self._compare(answer, data)

    def _lookup(self, answer: Any, depth: int) -> Any:
        """Find the answer in the caller's namespace when ``check()`` was given no argument."""
        if answer is not _MISSING or self.variable is None:
            return answer
        frame = sys._getframe(depth + 1)
        return frame.f_globals.get(self.variable, _MISSING)

    def check(self, answer: Any = _MISSING, *, data: Any = None) -> CheckResult:
        """Print feedback on ``answer`` and return the result.

        Parameters
        ----------
        answer : object, optional
            The learner's answer; if left out, the exercise's ``variable`` is looked up in the
            notebook.
        data : Dataset, optional
            The dataset to compare against (tests pass one in).

        Returns
        -------
        CheckResult
            ``.status`` is ``"not attempted"``, ``"correct"`` or ``"not yet"``.
        """
        result = self.evaluate(self._lookup(answer, 1), data=data)
        print(result.message)
        return result

    def grade(self, answer: Any = _MISSING, *, data: Any = None) -> CheckResult:
        """Check ``answer`` for an nbgrader test cell: raise :class:`NotYetError` unless correct.

        Parameters
        ----------
        answer : object, optional
            The learner's answer (looked up by ``variable`` if left out).
        data : Dataset, optional
            The dataset to compare against.

        Returns
        -------
        CheckResult
            Only when the answer is correct (the message is printed too).

        Raises
        ------
        NotYetError
            An ``AssertionError`` carrying the same kind message ``check()`` prints.
        """
        result = self.evaluate(self._lookup(answer, 1), data=data)
        if result.status not in {CORRECT, RECEIVED}:
            raise NotYetError(result)
        print(result.message)
        return result

    def _format_problem(self, answer: Any) -> str | None:
        """Say why ``answer`` has the wrong form (type, shape), or return None if it is usable."""
        return None

    def assert_answered(self, answer: Any = _MISSING) -> None:
        """Raise :class:`NotYetError` if ``answer`` is missing or has the wrong form.

        For a visible test cell whose correctness test is hidden: it says whether the answer is
        usable without saying whether it is right.
        """
        answer = self._lookup(answer, 1)
        if _is_placeholder(answer):
            raise NotYetError(self._not_attempted())
        problem = self._format_problem(answer)
        if problem:
            raise NotYetError(self._not_yet(problem))
        print(f"Answered: {self.id} has an answer of the right form. It will be marked later.")

    # -- hints and solution ------------------------------------------------------------------

    def hint(self, n: int | None = None) -> ShownText:
        """Print the next hint (or hint number ``n``) and return its text.

        Parameters
        ----------
        n : int, optional
            Which hint to show, counting from 1; by default the one after the last shown.
        """
        if not self.hints:
            text = (
                f"There are no hints for {self.id}. Run {ALIAS}.{self.id}.solution() to see "
                "one way to do it."
            )
            return _show(text)
        if n is None:
            n = min(self._hints_shown + 1, len(self.hints))
        if not 1 <= n <= len(self.hints):
            raise MhtrainError(
                f"{self.id} has hints 1 to {len(self.hints)}; ask for one of those, "
                f"e.g. {ALIAS}.{self.id}.hint(1)"
            )
        self._hints_shown = max(self._hints_shown, n)
        text = f"Hint {n} of {len(self.hints)}: {self.hints[n - 1]}"
        if n == len(self.hints):
            text += (
                "\nThat is the last hint. If you are still stuck, run "
                f"{ALIAS}.{self.id}.solution() to see one way to do it."
            )
        else:
            text += f"\nRun {ALIAS}.{self.id}.hint() again for the next hint."
        return _show(text)

    def solution(self) -> ShownText:
        """Print one worked solution and return its text (unless solutions are switched off)."""
        if not solutions_visible():
            text = (
                f"Solutions are switched off in this version of the course. "
                f"Try {ALIAS}.{self.id}.hint(), or ask your tutor."
            )
        elif not self.solution_text:
            text = f"There is no worked solution for {self.id}."
        else:
            text = (
                f"Solution to {self.id} (one way to do it; a different way can also be right):\n\n"
                f"{self.solution_text}"
            )
        return _show(text)


# --------------------------------------------------------------------------------------------
# Numbers.
# --------------------------------------------------------------------------------------------


def _as_number(answer: Any) -> float | None:
    if isinstance(answer, bool | np.bool_):
        return None
    if isinstance(answer, numbers.Real | np.number):
        return float(answer)
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        return _as_number(answer.item())
    return None


def _describe_type(answer: Any) -> str:
    if isinstance(answer, bool | np.bool_):
        return "True or False (a yes/no value)"
    if isinstance(answer, str):
        return "text (a string in quote marks)"
    if isinstance(answer, pd.DataFrame):
        return "a table (a pandas DataFrame)"
    if isinstance(answer, pd.Series):
        return "a column of values (a pandas Series)"
    if isinstance(answer, list | tuple | np.ndarray | set):
        return "a list of values"
    if isinstance(answer, dict):
        return "a dictionary"
    return f"a value of type {type(answer).__name__}"


def _factor_words(factor: float) -> str:
    return _format_count(factor)


class NumberExercise(Exercise):
    """An exercise whose answer is one number (a rate, a ratio, a count, a percentage).

    Parameters
    ----------
    id : str
        Short name, ``"q1"``.
    expected : callable
        ``expected(data)`` computes the right answer from the learner's dataset.
    rel_tol, abs_tol : float, optional
        An answer is correct when it is within ``rel_tol`` (relative) or ``abs_tol`` (absolute)
        of the reference, as in :func:`math.isclose`.
    **kwargs
        The common exercise fields (``variable``, ``prompt``, ``hints``, ``solution``,
        ``misconceptions``, ``advice``): see :class:`Exercise`.
    """

    kind = "number"
    default_advice = (
        "Check what you counted (the top of the fraction), who could have been counted "
        "(the bottom), and which rows you included."
    )

    def __init__(
        self,
        id: str,
        *,
        expected: Callable[[Any], Any],
        rel_tol: float = 1e-3,
        abs_tol: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(id, **kwargs)
        if rel_tol < 0 or abs_tol < 0:
            raise MhtrainError(f"exercise {id}: tolerances must be zero or more")
        self._expected = expected
        self.rel_tol = rel_tol
        self.abs_tol = abs_tol

    def _reference(self, data: Any) -> float:
        value = _as_number(self._expected(data))
        if value is None:
            raise MhtrainError(
                f"exercise {self.id}: its expected() function must return a number; fix the "
                "lesson's checks module"
            )
        return value

    def _close(self, a: float, b: float, scale: float = 1.0) -> bool:
        return math.isclose(a, b, rel_tol=self.rel_tol, abs_tol=self.abs_tol * scale)

    def _format_problem(self, answer: Any) -> str | None:
        if _as_number(answer) is not None:
            value = _as_number(answer)
            if value is not None and not math.isfinite(value):
                return (
                    "Your answer is not a finite number (it is NaN or infinity): look for "
                    "missing values or a division by zero."
                )
            return None
        kind = _describe_type(answer)
        detail = f"Your answer is {kind}, but this question asks for a single number."
        if isinstance(answer, str):
            detail += " If you typed a number in quote marks, remove the quote marks."
        elif isinstance(answer, pd.Series | pd.DataFrame):
            detail += " Pick out the one value the question asks for, or add up the column."
        return detail

    def _compare(self, answer: Any, data: Any) -> CheckResult:
        problem = self._format_problem(answer)
        if problem:
            return self._not_yet(problem)
        value = _as_number(answer)
        assert value is not None
        expected = self.expected(data=data)
        if self._close(value, expected):
            return self._result(CORRECT, "well done, that is the right answer.")
        for misconception, wrong in self._misconception_values(data):
            wrong_number = _as_number(wrong)
            if wrong_number is not None and self._close(value, wrong_number):
                return self._not_yet(misconception.message, misconception.name)
        return self._not_yet(self._generic_reason(value, expected))

    def _generic_reason(self, value: float, expected: float) -> str:
        if expected != 0:
            for factor in _FACTORS:
                if self._close(value, expected * factor, factor):
                    return (
                        f"Your answer is about {_factor_words(factor)} times too large. Check "
                        "the multiplier: a percentage is a proportion times 100, and a rate per "
                        "100,000 is a proportion times 100,000."
                    )
                if self._close(value, expected / factor, 1 / factor):
                    return (
                        f"Your answer is about {_factor_words(factor)} times too small. Check "
                        "the multiplier: a percentage is a proportion times 100, and a rate per "
                        "100,000 is a proportion times 100,000."
                    )
            if self._close(value, -expected):
                return (
                    "Your answer has the wrong sign (plus or minus): check which value you took "
                    "away from which."
                )
            if abs(expected) != 1 and value != 0 and self._close(value * expected, 1.0):
                return (
                    "Your answer looks upside down: check which number goes on top of the "
                    "fraction and which goes underneath."
                )
            if math.isclose(value, expected, rel_tol=0.05):
                return (
                    "Your answer is close, but not close enough. Did you round too early, or "
                    "leave out (or add) a few rows? Keep all the decimal places until the end."
                )
        return f"Your answer is not right yet. {self.advice}"


# --------------------------------------------------------------------------------------------
# Tables (a pandas Series or DataFrame).
# --------------------------------------------------------------------------------------------


def _list_labels(labels: Sequence[Any]) -> str:
    shown = [str(label) for label in list(labels)[:_MAX_LABELS_LISTED]]
    more = len(labels) - len(shown)
    text = ", ".join(shown)
    if more > 0:
        text += f" and {more} more"
    return text


def _normalise_index(index: pd.Index) -> pd.Index:
    """Labels as text, so an index of ints 1..10 matches one of strings "1".."10"."""
    return pd.Index([str(label) for label in index])


class TableExercise(Exercise):
    """An exercise whose answer is a table: a pandas Series (one value per group) or DataFrame.

    Values are compared row by row, matched on the index labels (group names), within tolerance.
    Feedback names the rows that differ, never their values.

    Parameters
    ----------
    id : str
        Short name, ``"q2"``.
    expected : callable
        ``expected(data)`` returns the right table (a Series, or a DataFrame whose columns are
        all checked) from the learner's dataset.
    rel_tol, abs_tol : float, optional
        Tolerance for numeric values, as in :func:`math.isclose`.
    check_order : bool, optional
        Whether the rows must also be in the same order (for "sort from highest to lowest").
    **kwargs
        The common exercise fields: see :class:`Exercise`.
    """

    kind = "table"
    default_advice = (
        "Check the rows you started from, the column you grouped by, and the top and bottom of "
        "each fraction."
    )

    def __init__(
        self,
        id: str,
        *,
        expected: Callable[[Any], Any],
        rel_tol: float = 1e-3,
        abs_tol: float = 0.0,
        check_order: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(id, **kwargs)
        self._expected = expected
        self.rel_tol = rel_tol
        self.abs_tol = abs_tol
        self.check_order = check_order

    def _reference(self, data: Any) -> pd.Series | pd.DataFrame:
        value = self._expected(data)
        if not isinstance(value, pd.Series | pd.DataFrame):
            raise MhtrainError(
                f"exercise {self.id}: its expected() function must return a pandas Series or "
                "DataFrame; fix the lesson's checks module"
            )
        return value

    @staticmethod
    def _coerce(answer: Any, like: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame | None:
        if isinstance(answer, dict):
            answer = pd.Series(answer)
        if isinstance(like, pd.Series):
            if isinstance(answer, pd.DataFrame):
                # After reset_index(), the group labels sit in a column of their own.
                names = [n for n in like.index.names if n is not None and n in answer.columns]
                if names and answer.shape[1] > len(names):
                    answer = answer.set_index(names if len(names) > 1 else names[0])
                values = [
                    c
                    for c in answer.columns
                    if pd.api.types.is_numeric_dtype(answer[c])
                    and not pd.api.types.is_bool_dtype(answer[c])
                ]
                if answer.shape[1] > 1 and len(values) == 1:
                    labels = [c for c in answer.columns if c != values[0]]
                    answer = answer.set_index(labels if len(labels) > 1 else labels[0])
                if answer.shape[1] == 1:
                    return answer.iloc[:, 0]
            return answer if isinstance(answer, pd.Series) else None
        if isinstance(answer, pd.Series) and like.shape[1] == 1:
            return answer.to_frame(name=like.columns[0])
        return answer if isinstance(answer, pd.DataFrame) else None

    def _format_problem(self, answer: Any) -> str | None:
        if isinstance(answer, pd.Series | pd.DataFrame | dict):
            return None
        detail = f"Your answer is {_describe_type(answer)}, but this question asks for a table "
        detail += "with one row per group (a pandas Series or DataFrame)."
        if isinstance(answer, list | tuple | np.ndarray):
            detail += " A plain list has no group labels: keep the result of groupby as it is."
        elif _as_number(answer) is not None:
            detail += " A single number is one value; the question wants a value for each group."
        return detail

    def _values_match(self, answer: pd.Series, expected: pd.Series) -> pd.Series:
        """True for each row (aligned on expected's index) whose answer matches within tolerance."""
        aligned = answer.reindex(expected.index)
        if pd.api.types.is_numeric_dtype(expected) and not pd.api.types.is_bool_dtype(expected):
            a = pd.to_numeric(aligned, errors="coerce").to_numpy(dtype=float)
            e = expected.to_numpy(dtype=float)
            both_nan = np.isnan(a) & np.isnan(e)
            close = np.isclose(a, e, rtol=self.rel_tol, atol=self.abs_tol)
            return pd.Series(close | both_nan, index=expected.index)
        same = [
            (pd.isna(x) and pd.isna(y)) or x == y
            for x, y in zip(aligned.tolist(), expected.tolist(), strict=True)
        ]
        return pd.Series(same, index=expected.index)

    def _columns(self, table: pd.Series | pd.DataFrame) -> dict[str, pd.Series]:
        if isinstance(table, pd.Series):
            return {"": table}
        return {str(col): table[col] for col in table.columns}

    def _align_index(
        self, answer: pd.Series | pd.DataFrame, expected: pd.Series | pd.DataFrame
    ) -> tuple[pd.Series | pd.DataFrame | None, str | None]:
        """Match the answer's row labels to the reference; say what is wrong if they do not."""
        if answer.index.has_duplicates:
            dupes = answer.index[answer.index.duplicated()].unique()
            return None, (
                f"Some groups appear more than once in your table ({_list_labels(list(dupes))}): "
                "each group should have exactly one row."
            )
        if set(answer.index) != set(expected.index):
            as_text = _normalise_index(answer.index)
            if set(as_text) == set(_normalise_index(expected.index)):
                answer = answer.copy()
                by_text = dict(zip(_normalise_index(expected.index), expected.index, strict=True))
                answer.index = pd.Index([by_text[t] for t in as_text])
            else:
                exp_text, ans_text = set(_normalise_index(expected.index)), set(as_text)
                missing = [str(x) for x in expected.index if str(x) not in ans_text]
                extra = [str(x) for x in answer.index if str(x) not in exp_text]
                if not (exp_text & ans_text):
                    return None, (
                        f"The row labels of your table do not match the groups asked for "
                        f"(your table has {len(answer)} rows; the answer has {len(expected)}). "
                        "Check which column you grouped by, or set the group column as the index."
                    )
                parts = []
                if missing:
                    parts.append(f"it is missing these groups: {_list_labels(missing)}")
                if extra:
                    parts.append(
                        f"it has groups that should not be there: {_list_labels(extra)} "
                        "(did you filter the rows first?)"
                    )
                return None, f"Your table has the wrong rows: {'; '.join(parts)}."
        return answer, None

    def _matches(
        self, answer: pd.Series | pd.DataFrame, expected: pd.Series | pd.DataFrame
    ) -> tuple[list[str], list[str]]:
        """Return (columns missing from the answer, row labels whose values differ)."""
        ans_cols = self._columns(answer)
        missing_cols = [c for c in self._columns(expected) if c not in ans_cols]
        differing: dict[str, None] = {}
        for name, column in self._columns(expected).items():
            if name not in ans_cols:
                continue
            ok = self._values_match(ans_cols[name], column)
            for label in ok.index[~ok.to_numpy()]:
                differing[str(label)] = None
        return missing_cols, list(differing)

    def _scaled(self, table: pd.Series | pd.DataFrame, factor: float) -> pd.Series | pd.DataFrame:
        if isinstance(table, pd.Series):
            return table * factor if pd.api.types.is_numeric_dtype(table) else table
        out = table.copy()
        for col in out.columns:
            if pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
                out[col] = out[col] * factor
        return out

    def _compare(self, answer: Any, data: Any) -> CheckResult:
        problem = self._format_problem(answer)
        if problem:
            return self._not_yet(problem)
        expected = self.expected(data=data)
        coerced = self._coerce(answer, expected)
        if coerced is None:
            what = "one column of values" if isinstance(expected, pd.Series) else "a table"
            return self._not_yet(
                f"Your answer is {_describe_type(answer)}, but this question asks for {what}."
            )
        aligned, problem = self._align_index(coerced, expected)
        if aligned is None:
            for misconception, wrong in self._misconception_values(data):
                if self._same_table(coerced, wrong):
                    return self._not_yet(misconception.message, misconception.name)
            return self._not_yet(problem or self.advice)
        missing_cols, differing = self._matches(aligned, expected)
        if missing_cols:
            return self._not_yet(
                f"Your table is missing these columns: {_list_labels(missing_cols)}."
            )
        if not differing:
            if self.check_order and [str(x) for x in aligned.index] != [
                str(x) for x in expected.index
            ]:
                return self._not_yet(
                    "The values are right, but the rows are not in the order asked for: "
                    "sort them as the question says."
                )
            return self._result(CORRECT, "well done, every row matches.")
        for misconception, wrong in self._misconception_values(data):
            if self._same_table(aligned, wrong):
                return self._not_yet(misconception.message, misconception.name)
        for factor in _FACTORS:
            for scale, words in ((factor, "large"), (1 / factor, "small")):
                if not self._matches(aligned, self._scaled(expected, scale))[1]:
                    return self._not_yet(
                        f"Every value in your table is about {_factor_words(factor)} times too "
                        f"{words}. Check the multiplier: a percentage is a proportion times 100, "
                        "and a rate per 100,000 is a proportion times 100,000."
                    )
        n_rows = len(expected)
        missing_values = [
            str(label)
            for label in expected.index
            if bool(
                pd.isna(aligned.loc[label]).any()
                if isinstance(aligned, pd.DataFrame)
                else pd.isna(aligned.loc[label])
            )
        ]
        if missing_values:
            return self._not_yet(
                f"Some rows of your table are empty (NaN): {_list_labels(missing_values)}. Check "
                "for groups with no records, or a division by zero."
            )
        return self._not_yet(
            f"{len(differing)} of {n_rows} rows differ from the answer: "
            f"{_list_labels(differing)}. {self.advice}"
        )

    def _same_table(self, answer: Any, wrong: Any) -> bool:
        if not isinstance(wrong, pd.Series | pd.DataFrame):
            return False
        coerced = self._coerce(answer, wrong)
        if coerced is None:
            return False
        aligned, problem = self._align_index(coerced, wrong)
        if aligned is None:
            return False
        missing_cols, differing = self._matches(aligned, wrong)
        return not missing_cols and not differing


# --------------------------------------------------------------------------------------------
# Multiple choice (for learners who answer by reading a table or chart).
# --------------------------------------------------------------------------------------------


def _squash(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split()).rstrip(".")


class ChoiceExercise(Exercise):
    """A multiple-choice exercise: the learner answers with the option's letter or its text.

    Parameters
    ----------
    id : str
        Short name, ``"q2"``.
    options : mapping of str to str
        Option keys (``"a"``, ``"b"``, ...) and their text, in the order shown.
    answer : str or callable
        The right option key, or ``answer(data)`` giving it from the learner's dataset (when the
        right choice depends on what their table or chart shows).
    misconceptions : sequence of Misconception, optional
        Use ``Misconception(value="a", message=...)`` to explain why a wrong option is tempting.
    **kwargs
        The common exercise fields: see :class:`Exercise`.
    """

    kind = "choice"
    default_advice = "Look again at the table or chart, and read each option carefully."

    def __init__(
        self,
        id: str,
        *,
        options: Mapping[str, str],
        answer: str | Callable[[Any], str],
        **kwargs: Any,
    ) -> None:
        super().__init__(id, **kwargs)
        if len(options) < 2:
            raise MhtrainError(
                f"exercise {id}: a multiple-choice question needs two options or more"
            )
        self.options = {str(k).lower(): str(v) for k, v in options.items()}
        if isinstance(answer, str) and answer.lower() not in self.options:
            raise MhtrainError(f"exercise {id}: answer {answer!r} is not one of the option keys")
        self._answer = answer

    def _reference(self, data: Any) -> str:
        key = self._answer(data) if callable(self._answer) else self._answer
        key = str(key).lower()
        if key not in self.options:
            raise MhtrainError(
                f"exercise {self.id}: the right answer {key!r} is not one of the options"
            )
        return key

    def option_key(self, answer: Any) -> str | None:
        """Return the option key ``answer`` means (a letter or the option text), or None."""
        if not isinstance(answer, str):
            return None
        text = answer.strip()
        key = text.strip("()[]. ").lower()
        if key in self.options:
            return key
        for k, option in self.options.items():
            if _squash(text) == _squash(option):
                return k
        return None

    def _letters(self) -> str:
        keys = [f'"{k}"' for k in self.options]
        return ", ".join(keys[:-1]) + f" or {keys[-1]}"

    def _format_problem(self, answer: Any) -> str | None:
        if not isinstance(answer, str):
            return (
                f"Your answer is {_describe_type(answer)}. Answer with the letter of your choice "
                f"in quote marks: {self._letters()}."
            )
        if self.option_key(answer) is None:
            return (
                f"That is not one of the options. Answer with one letter in quote marks, "
                f"{self._letters()}, or copy the text of the option."
            )
        return None

    def _compare(self, answer: Any, data: Any) -> CheckResult:
        problem = self._format_problem(answer)
        if problem:
            return self._not_yet(problem)
        key = self.option_key(answer)
        if key == self.expected(data=data):
            return self._result(CORRECT, "well done, that is the right choice.")
        for misconception, wrong in self._misconception_values(data):
            if str(wrong).lower() == key:
                return self._not_yet(misconception.message, misconception.name)
        return self._not_yet(f"That is not the best choice. {self.advice}")

    def show_options(self) -> ShownText:
        """Print the options with their letters and return the text."""
        text = "\n".join(f"{k}) {v}" for k, v in self.options.items())
        return _show(text)


# --------------------------------------------------------------------------------------------
# Short written answers, graded by a tutor.
# --------------------------------------------------------------------------------------------


class FreeTextExercise(Exercise):
    """A short written answer: no automatic marking, just thanks and a model answer to compare.

    The answer may be a string variable or a Markdown cell in the notebook; in the second case
    ``check()`` is called with no argument and no ``variable``.

    Parameters
    ----------
    id : str
        Short name, ``"q3"``.
    model_answer : str
        What a good answer says; shown by ``solution()``.
    placeholder : str, optional
        The text the answer starts as (counts as not attempted).
    **kwargs
        The common exercise fields: see :class:`Exercise`.
    """

    kind = "free text"

    def __init__(
        self,
        id: str,
        *,
        model_answer: str,
        placeholder: str = "Write your answer here.",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("solution", model_answer)
        super().__init__(id, **kwargs)
        self.model_answer = model_answer.strip()
        self.placeholder = placeholder

    def _reference(self, data: Any) -> str:
        return self.model_answer

    def evaluate(self, answer: Any = _MISSING, *, data: Any = None) -> CheckResult:
        """Return "received" for any written answer, "not attempted" for the placeholder."""
        compare = f"Compare it with the model answer: run {ALIAS}.{self.id}.solution()."
        if answer is _MISSING and self.variable is None:
            return self._result(
                RECEIVED,
                "when you have written your answer in the cell above, save the notebook. "
                f"{compare} If you are on a course, your tutor will read it.",
            )
        if _is_placeholder(answer) or (
            isinstance(answer, str) and _squash(answer) == _squash(self.placeholder)
        ):
            return self._not_attempted()
        if not isinstance(answer, str):
            return self._not_yet(
                f"Your answer is {_describe_type(answer)}. Write it as text inside quote marks."
            )
        return self._result(
            RECEIVED,
            f"thank you for writing your answer. {compare} If you are on a course, your tutor "
            "will read it.",
        )


# --------------------------------------------------------------------------------------------
# Finding a lesson's exercises.
# --------------------------------------------------------------------------------------------


def exercises_in(module: ModuleType) -> dict[str, Exercise]:
    """Return a lesson checks module's exercises by id, in the order they are defined.

    Parameters
    ----------
    module : module
        For example ``mhtrain.checks.lesson00``.
    """
    found = {}
    for value in vars(module).values():
        if isinstance(value, Exercise):
            if value.id in found and found[value.id] is not value:
                raise MhtrainError(f"{module.__name__}: two exercises share the id {value.id!r}")
            found[value.id] = value
    return found
