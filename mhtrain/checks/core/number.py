"""Exercises whose answer is one number: a rate, a ratio, a count or a percentage."""

from __future__ import annotations

import math
import numbers
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from mhtrain.checks.core.base import ValueExercise
from mhtrain.checks.core.feedback import (
    FACTORS,
    ROUNDED_TOO_FAR,
    UNEXPLAINED,
    describe_type,
    number_in_text,
    rounded_message,
    scale_message,
    text_tip,
    typing_slip,
)
from mhtrain.checks.core.results import CORRECT, CheckResult
from mhtrain.checks.core.tolerance import matches, too_coarse, unrounded
from mhtrain.errors import MhtrainError

__all__ = ["NumberExercise"]


def as_number(answer: Any) -> float | None:
    """Return ``answer`` as a float if it is one number (any numeric type), else None.

    A Series, list or array holding exactly one number (what ``.loc`` with a condition gives)
    counts as that number.
    """
    if isinstance(answer, bool | np.bool_):
        return None
    one_of = isinstance(answer, pd.Series | pd.DataFrame | list | np.ndarray)
    if one_of and np.ndim(answer) > 0 and np.size(answer) == 1:
        return as_number(np.asarray(answer, dtype=object).ravel()[0])
    if isinstance(answer, numbers.Real | np.number):
        return float(answer)
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        return as_number(answer.item())
    return None


class NumberExercise(ValueExercise):
    """An exercise whose answer is one number (a rate, a ratio, a count, a percentage).

    Takes the fields of :class:`~mhtrain.checks.core.base.ValueExercise`: ``expected(data)``
    gives the number and ``quantity`` says what kind of number it is, which sets the tolerance
    (:mod:`mhtrain.checks.core.tolerance`) and the advice given when no known slip fits.
    """

    kind = "number"

    def _reference(self, data: Any) -> float:
        value = as_number(self._expected(data))
        if value is None:
            raise MhtrainError(
                f"exercise {self.id}: its expected() function must return a number; fix the "
                "lesson's checks module"
            )
        return value

    def _format_problem(self, answer: Any) -> str | None:
        if number_in_text(answer) is not None:
            return None  # judged as the number it holds, with a tip about quote marks
        value = as_number(answer)
        if value is not None:
            if not math.isfinite(value):
                return (
                    "Your answer is not a finite number (it is NaN or infinity): look for "
                    "missing values or a division by zero."
                )
            return None
        slip = typing_slip(answer, self.variable)
        if slip:
            return slip
        detail = (
            f"Your answer is {describe_type(answer)}, but this question asks for a single number."
        )
        if isinstance(answer, pd.Series | pd.DataFrame):
            detail += " Pick out the one value the question asks for, or add up the column."
        return detail

    def _compare(self, answer: Any, data: Any) -> CheckResult:
        result = self._judge(answer, data)
        if isinstance(answer, str):
            result = replace(result, message=f"{result.message} {text_tip(answer, self.variable)}")
        return result

    def _judge(self, answer: Any, data: Any) -> CheckResult:
        value = as_number(answer)
        if value is None:
            value = number_in_text(answer)
        assert value is not None
        expected = self.expected(data=data)
        best: tuple[float, str | None, str] | None = None
        if matches(value, expected, self.quantity):
            if not unrounded(value, expected, self.quantity):
                return self._result(CORRECT, "well done, that is the right answer.")
            best = (abs(value - expected), None, "")
        for misconception, wrong in self._misconception_values(data):
            wrong_number = as_number(wrong)
            if wrong_number is None or not matches(value, wrong_number, self.quantity):
                continue
            distance = abs(value - wrong_number)
            if best is None or distance < best[0]:
                best = (distance, misconception.name, misconception.message)
        if best is not None:
            if best[1] is None and not best[2]:
                return self._result(CORRECT, "well done, that is the right answer.")
            return self._not_yet(best[2], best[1])
        reason, message = self._generic_reason(value, expected)
        return self._not_yet(message, reason)

    def _generic_reason(self, value: float, expected: float) -> tuple[str, str]:
        q = self.quantity
        if too_coarse(value, expected, q):
            return ROUNDED_TOO_FAR, rounded_message(q.coarsest.words(expected))
        if expected != 0:
            for factor in FACTORS:
                if matches(value, expected * factor, q.scaled(factor)):
                    return f"too-large-x{factor}", scale_message(factor, "large")
                if matches(value, expected / factor, q.scaled(1 / factor)):
                    return f"too-small-x{factor}", scale_message(factor, "small")
            if matches(value, -expected, q):
                return "wrong-sign", (
                    "Your answer has the wrong sign (plus or minus): check which value you took "
                    "away from which."
                )
            if abs(expected) != 1 and matches(value, 1 / expected, "number"):
                return "upside-down", (
                    "Your answer looks upside down: check which number goes on top of the "
                    "fraction and which goes underneath."
                )
        return UNEXPLAINED, f"Your answer is not right yet. {self.advice}"
