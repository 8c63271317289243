"""The exercise base class every kind builds on, known misconceptions, and finding a lesson's exercises."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any

from mhtrain.checks.core.feedback import ALIAS, NOT_PLAIN_DATA, PRINTED, slip_reason
from mhtrain.checks.core.results import (
    CORRECT,
    LABELS,
    NOT_ATTEMPTED,
    NOT_YET,
    RECEIVED,
    CheckResult,
    NotYetError,
    ShownText,
    show,
)
from mhtrain.checks.core.state import (
    dataset_note,
    get_dataset,
    judging,
    references_closed,
    solutions_visible,
)
from mhtrain.checks.core.tolerance import Quantity
from mhtrain.checks.core.tolerance import quantity as _quantity
from mhtrain.errors import MhtrainError

__all__ = ["Exercise", "Misconception", "ValueExercise", "exercises_in"]

#: Stands for "no answer given" (``None`` and ``...`` are answers a learner can leave in place).
MISSING: Any = object()


def closed_route(what: str) -> MhtrainError:
    """The error a route to a reference answer raises in a marked course."""
    return MhtrainError(
        f"{what} is not available in a marked course: your tutor's course marks your answers "
        f"when you hand the lesson in. Use {ALIAS}.<exercise>.check() for feedback and "
        f"{ALIAS}.<exercise>.hint() for hints, or ask your tutor."
    )


def guarded(function: Callable[..., Any], what: str) -> Callable[..., Any]:
    """Wrap a function that gives a reference (or a known wrong answer) so that, in a marked
    course, it only runs while a check is judging an answer."""
    if getattr(function, "_mhtrain_guarded", False):
        return function

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if references_closed():
            raise closed_route(what)
        return function(*args, **kwargs)

    wrapper._mhtrain_guarded = True  # type: ignore[attr-defined]
    return wrapper


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
    value: Any = MISSING
    name: str | None = None

    def __post_init__(self) -> None:
        if (self.compute is None) == (self.value is MISSING):
            raise MhtrainError(
                f"misconception {self.name or self.message[:40]!r} needs exactly one of "
                "compute= (a function of the data) or value= (a fixed wrong answer)"
            )

    def wrong_value(self, data: Any) -> Any:
        """Return the wrong value this misconception produces from ``data``."""
        if references_closed():
            raise closed_route("A misconception's value")
        if self.compute is not None:
            return self.compute(data)
        return self.value


def is_placeholder(answer: Any) -> bool:
    if answer is MISSING or answer is None or answer is Ellipsis:
        return True
    if isinstance(answer, str) and answer.strip() in {"", "..."}:
        return True
    return False


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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Every kind's own reference routes are closed in a marked course, outside a check.
        super().__init_subclass__(**kwargs)
        for name in ("_reference", "_misconception_values", "_alias_names"):
            if name in cls.__dict__:
                setattr(cls, name, guarded(cls.__dict__[name], f"{ALIAS}.<exercise>.{name}()"))

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
        if references_closed():
            raise closed_route(f"{ALIAS}.{self.id}.solution_text")
        if not self._solution_text:
            from mhtrain.course.lessons import worked_answer_for

            self._solution_text = worked_answer_for(self)
        return self._solution_text

    # -- reference values --------------------------------------------------------------------

    def _cached(self, key: str, data: Any, compute: Callable[[Any], Any]) -> Any:
        from mhtrain.checks.core.state import course_mode

        if course_mode() == "marked":
            if references_closed():
                raise closed_route(f"{ALIAS}.{self.id}._cached()")
            return compute(data)  # nothing kept where the notebook could read it
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

        Raises
        ------
        MhtrainError
            In a marked course (:func:`~mhtrain.checks.core.state.course_mode`), outside a check.
        """
        if references_closed():
            raise closed_route(f"{ALIAS}.{self.id}.expected()")
        data = get_dataset() if data is None else data
        return self._cached("expected", data, self._reference)

    def _misconception_values(self, data: Any) -> Iterable[tuple[Misconception, Any]]:
        if references_closed():
            raise closed_route(f"{ALIAS}.{self.id}._misconception_values()")
        for i, misconception in enumerate(self.misconceptions):
            yield (
                misconception,
                self._cached(f"misconception-{i}", data, misconception.wrong_value),
            )

    # -- comparing ---------------------------------------------------------------------------

    def _result(self, status: str, detail: str, misconception: str | None = None) -> CheckResult:
        return CheckResult(self.id, status, f"{LABELS[status]}: {detail}", misconception)

    def _not_attempted(self, answer: Any = MISSING) -> CheckResult:
        where = f"`{self.variable}`" if self.variable else "your answer"
        name = self.variable or "answer"
        if answer is None:
            return self._result(
                NOT_ATTEMPTED,
                f"{where} holds None, not a value. This happens when the answer line is "
                f"`{name} = print(...)`: print() shows a value but gives nothing back. Write "
                f"`{name} = ...` with your calculation on the right, and `print({name})` on a "
                f"line of its own if you want to see it. For a hint, run {ALIAS}.{self.id}.hint().",
                PRINTED,
            )
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
        """Judge an answer of the right form (:meth:`_format_problem` found nothing wrong)."""
        raise NotImplementedError

    def evaluate(self, answer: Any = MISSING, *, data: Any = None) -> CheckResult:
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
        if is_placeholder(answer):
            return self._not_attempted(answer)
        problem = self._format_problem(answer)
        if problem:
            return self._not_yet(problem, slip_reason(answer))
        data = get_dataset() if data is None else data
        with judging:
            return self._compare(answer, data)

    def unreadable(self, type_name: str | None) -> CheckResult:
        """The result for an answer marking could not read from the notebook as plain data.

        Parameters
        ----------
        type_name : str or None
            The type of the answer; None when the notebook's kernel gave no answers at all.
        """
        if type_name is None:
            detail = (
                "Marking could not read your answer from the notebook. Check that the whole "
                "notebook runs from top to bottom without errors, then hand it in again."
            )
        else:
            detail = (
                f"Your answer is an object of type {type_name}, which marking cannot read. "
                "Give a number, text, a list or a pandas table, as the question asks."
            )
        return self._not_yet(detail, NOT_PLAIN_DATA)

    def _lookup(self, answer: Any, depth: int) -> Any:
        """Find the answer in the caller's namespace when ``check()`` was given no argument."""
        if answer is not MISSING or self.variable is None:
            return answer
        frame = sys._getframe(depth + 1)
        return frame.f_globals.get(self.variable, MISSING)

    def _checked(self, answer: Any, data: Any) -> CheckResult:
        """Evaluate for :meth:`check` and :meth:`grade`, with the notebook's own dataset.

        Called from those methods only: the notebook is two frames up.
        """
        notebook = sys._getframe(2).f_globals
        answer = answer if answer is not MISSING else self._lookup(answer, 2)
        if data is None and not is_placeholder(answer):
            data = get_dataset(notebook)
        result = self.evaluate(answer, data=data)
        note = dataset_note(data)
        if note and result.status in {CORRECT, NOT_YET}:
            result = replace(result, message=result.message + note)
        return result

    def check(self, answer: Any = MISSING, *, data: Any = None) -> CheckResult:
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
        result = self._checked(answer, data)
        print(result.message)
        return result

    def grade(self, answer: Any = MISSING, *, data: Any = None) -> CheckResult:
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
        result = self._checked(answer, data)
        if result.status not in {CORRECT, RECEIVED}:
            raise NotYetError(result)
        print(result.message)
        return result

    def _format_problem(self, answer: Any) -> str | None:
        """Say why ``answer`` has the wrong form (type, shape), or return None if it is usable."""
        return None

    def assert_answered(self, answer: Any = MISSING) -> None:
        """Raise :class:`NotYetError` if ``answer`` is missing or has the wrong form.

        For a visible test cell whose correctness test is hidden: it says whether the answer is
        usable without saying whether it is right.
        """
        answer = self._lookup(answer, 1)
        if is_placeholder(answer):
            raise NotYetError(self._not_attempted(answer))
        problem = self._format_problem(answer)
        if problem:
            raise NotYetError(self._not_yet(problem, slip_reason(answer)))
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
            return show(text)
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
        return show(text)

    def solution(self) -> ShownText:
        """Print one worked solution and return its text (unless solutions are switched off).

        In a marked course it gives none: it says so kindly instead of stopping with an error,
        because the lessons themselves invite learners to run it.
        """
        if references_closed():
            return show(f"The worked solution to {self.id} {str(closed_route('')).lstrip()}")
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
        return show(text)


class ValueExercise(Exercise):
    """An exercise whose reference is computed from the learner's data by ``expected(data)``.

    Parameters
    ----------
    id : str
        Short name, ``"q1"``.
    expected : callable
        ``expected(data)`` computes the right answer from the learner's dataset.
    quantity : str, optional
        What kind of number the answer is (``"count"``, ``"percentage"``, ``"proportion"``,
        ``"rate"``, ``"ratio"``, ``"days"``, ``"limit"`` or ``"number"``): it decides which
        roundings are right, by the one rule in :mod:`mhtrain.checks.core.tolerance`, and the
        advice given when an answer is wrong for no known reason.
    **kwargs
        The common exercise fields (``variable``, ``prompt``, ``hints``, ``solution``,
        ``misconceptions``, ``advice``): see :class:`Exercise`.
    """

    def __init__(
        self,
        id: str,
        *,
        expected: Callable[[Any], Any],
        quantity: str | Quantity = "number",
        **kwargs: Any,
    ) -> None:
        stale = sorted({"rel_tol", "abs_tol"} & set(kwargs))
        if stale:
            raise MhtrainError(
                f"exercise {id}: {', '.join(stale)} is not used any more; declare what the "
                'answer is instead, e.g. quantity="percentage" (see '
                "mhtrain.checks.core.tolerance)"
            )
        self.quantity = _quantity(quantity)
        if kwargs.get("advice") is None and self.quantity.name != "number":
            kwargs["advice"] = self.quantity.advice
        super().__init__(id, **kwargs)
        self._expected = guarded(expected, f"{ALIAS}.{id}._expected()")


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
