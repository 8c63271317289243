"""Multiple-choice exercises, for learners who answer by reading a table or chart."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mhtrain.checks.core.base import Exercise
from mhtrain.checks.core.feedback import describe_type, squash
from mhtrain.checks.core.results import CORRECT, CheckResult, ShownText, show
from mhtrain.errors import MhtrainError

__all__ = ["ChoiceExercise"]


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
            if squash(text) == squash(option):
                return k
        return None

    def _letters(self) -> str:
        keys = [f'"{k}"' for k in self.options]
        return ", ".join(keys[:-1]) + f" or {keys[-1]}"

    def _format_problem(self, answer: Any) -> str | None:
        if not isinstance(answer, str):
            return (
                f"Your answer is {describe_type(answer)}. Answer with the letter of your choice "
                f"in quote marks: {self._letters()}."
            )
        if self.option_key(answer) is None:
            return (
                f"That is not one of the options. Answer with one letter in quote marks, "
                f"{self._letters()}, or copy the text of the option."
            )
        return None

    def _compare(self, answer: Any, data: Any) -> CheckResult:
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
        return show(text)
