"""Exercises whose answer is one number: a rate, a ratio, a count or a percentage."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import pandas as pd

from mhtrain.checks.core.base import ValueExercise
from mhtrain.checks.core.feedback import FACTORS, describe_type, scale_message
from mhtrain.checks.core.results import CORRECT, CheckResult
from mhtrain.errors import MhtrainError

__all__ = ["NumberExercise"]


def as_number(answer: Any) -> float | None:
    if isinstance(answer, bool | np.bool_):
        return None
    if isinstance(answer, numbers.Real | np.number):
        return float(answer)
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        return as_number(answer.item())
    return None


class NumberExercise(ValueExercise):
    """An exercise whose answer is one number (a rate, a ratio, a count, a percentage).

    Takes the fields of :class:`~mhtrain.checks.core.base.ValueExercise`: ``expected(data)``
    gives the number.
    """

    kind = "number"
    default_advice = (
        "Check what you counted (the top of the fraction), who could have been counted "
        "(the bottom), and which rows you included."
    )

    def _reference(self, data: Any) -> float:
        value = as_number(self._expected(data))
        if value is None:
            raise MhtrainError(
                f"exercise {self.id}: its expected() function must return a number; fix the "
                "lesson's checks module"
            )
        return value

    def _close(self, a: float, b: float, scale: float = 1.0) -> bool:
        return math.isclose(a, b, rel_tol=self.rel_tol, abs_tol=self.abs_tol * scale)

    def _format_problem(self, answer: Any) -> str | None:
        if as_number(answer) is not None:
            value = as_number(answer)
            if value is not None and not math.isfinite(value):
                return (
                    "Your answer is not a finite number (it is NaN or infinity): look for "
                    "missing values or a division by zero."
                )
            return None
        kind = describe_type(answer)
        detail = f"Your answer is {kind}, but this question asks for a single number."
        if isinstance(answer, str):
            detail += " If you typed a number in quote marks, remove the quote marks."
        elif isinstance(answer, pd.Series | pd.DataFrame):
            detail += " Pick out the one value the question asks for, or add up the column."
        return detail

    def _compare(self, answer: Any, data: Any) -> CheckResult:
        value = as_number(answer)
        assert value is not None
        expected = self.expected(data=data)
        if self._close(value, expected):
            return self._result(CORRECT, "well done, that is the right answer.")
        for misconception, wrong in self._misconception_values(data):
            wrong_number = as_number(wrong)
            if wrong_number is not None and self._close(value, wrong_number):
                return self._not_yet(misconception.message, misconception.name)
        return self._not_yet(self._generic_reason(value, expected))

    def _generic_reason(self, value: float, expected: float) -> str:
        if expected != 0:
            for factor in FACTORS:
                if self._close(value, expected * factor, factor):
                    return scale_message(factor, "large")
                if self._close(value, expected / factor, 1 / factor):
                    return scale_message(factor, "small")
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
