"""Short written answers: no automatic marking, just thanks and a model answer to compare."""

from __future__ import annotations

from typing import Any

from mhtrain.checks.core.base import MISSING, Exercise, is_placeholder
from mhtrain.checks.core.feedback import ALIAS, describe_type, squash
from mhtrain.checks.core.results import RECEIVED, CheckResult

__all__ = ["FreeTextExercise"]


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

    def evaluate(self, answer: Any = MISSING, *, data: Any = None) -> CheckResult:
        """Return "received" for any written answer, "not attempted" for the placeholder."""
        compare = f"Compare it with the model answer: run {ALIAS}.{self.id}.solution()."
        if answer is MISSING and self.variable is None:
            return self._result(
                RECEIVED,
                "when you have written your answer in the cell above, save the notebook. "
                f"{compare} If you are on a course, your tutor will read it.",
            )
        if is_placeholder(answer) or (
            isinstance(answer, str) and squash(answer) == squash(self.placeholder)
        ):
            return self._not_attempted()
        if not isinstance(answer, str):
            return self._not_yet(
                f"Your answer is {describe_type(answer)}. Write it as text inside quote marks."
            )
        return self._result(
            RECEIVED,
            f"thank you for writing your answer. {compare} If you are on a course, your tutor "
            "will read it.",
        )
