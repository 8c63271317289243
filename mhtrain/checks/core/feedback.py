"""Shared feedback: the words every exercise kind uses to name what is wrong with an answer."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

#: The name lessons give the checks module (``from mhtrain.checks import lesson03 as ex``);
#: messages use it to tell learners what to run next.
ALIAS = "ex"

#: Factors by which an answer is often wrong: percentages against proportions, rates per 1,000
#: or per 100,000 against rates per person.
FACTORS = (100_000, 1_000_000, 10_000, 1_000, 100, 10)

#: At most this many row labels are named in one message.
MAX_LABELS_LISTED = 8

MULTIPLIER_ADVICE = (
    "Check the multiplier: a percentage is a proportion times 100, and a rate per 100,000 is a "
    "proportion times 100,000."
)


def format_count(n: float) -> str:
    """Write a whole number with thousands separators (``100,000``)."""
    return f"{n:,.0f}"


def describe_type(answer: Any) -> str:
    """Say in plain words what kind of value ``answer`` is ("a list of values")."""
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


def list_labels(labels: Sequence[Any]) -> str:
    """Name up to :data:`MAX_LABELS_LISTED` labels, then say how many more there are."""
    shown = [str(label) for label in list(labels)[:MAX_LABELS_LISTED]]
    more = len(labels) - len(shown)
    text = ", ".join(shown)
    if more > 0:
        text += f" and {more} more"
    return text


def scale_message(factor: float, words: str, *, every: bool = False) -> str:
    """Say an answer is ``factor`` times too large or small (``words``), and why that happens."""
    what = "Every value in your table is" if every else "Your answer is"
    return f"{what} about {format_count(factor)} times too {words}. {MULTIPLIER_ADVICE}"


def squash(text: str) -> str:
    """Text in a form that ignores case, spacing, curly quotes and a final full stop."""
    return " ".join(text.lower().replace("\u2019", "'").split()).rstrip(".")


#: Reason names for the feedback every kind can give (tests and reports use them).
ROUNDED_TOO_FAR = "rounded-too-far"
UNEXPLAINED = "not-a-known-slip"
WRONG_FORM = "wrong-form"
WRONG_ROWS = "wrong-rows"
WRONG_ORDER = "wrong-order"
MISSING_COLUMNS = "missing-columns"
EMPTY_ROWS = "empty-rows"
ROWS_DIFFER = "rows-differ"
LIST_WITHOUT_LABELS = "list-without-labels"
NOT_AN_OPTION = "not-an-option"
OTHER_OPTION = "another-option"
TEXT_NUMBER = "number-as-text"
PERCENT_SIGN = "percent-sign"
COMMAS = "commas-make-a-tuple"
SHAPE = "shape-not-count"
PRINTED = "value-from-print"
NOT_PLAIN_DATA = "not-plain-data"


def rounded_message(precision: str) -> str:
    """Say an answer is right but rounded too far, and how many digits to keep."""
    return (
        "Your answer is the right value, rounded more than this question allows. Keep more "
        f"digits: give it to at least {precision}, or leave it unrounded."
    )


def _number_in(text: str) -> float | None:
    cleaned = text.replace(",", "").replace("_", "").replace(" ", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def number_in_text(answer: Any) -> float | None:
    """The number a text answer holds (``"3.4"``, ``"6.6%"``, ``"66,000"``), or None."""
    if not isinstance(answer, str):
        return None
    text = answer.strip()
    if text.endswith("%"):
        text = text[:-1]
    return _number_in(text)


def text_tip(answer: str, variable: str | None) -> str:
    """A tip for an answer typed as text: how to write the number so Python can use it."""
    number = number_in_text(answer)
    return (
        "(Tip: you typed the number as text, in quote marks. To calculate with it, write it "
        f"as a number, with no quote marks, commas or % sign: {_code(variable, f'{number:g}')}.)"
    )


def _code(variable: str | None, value: str) -> str:
    return f"`{variable or 'answer'} = {value}`"


def _is_shape(answer: Any) -> bool:
    return (
        isinstance(answer, tuple)
        and len(answer) == 2
        and all(isinstance(x, numbers.Integral) for x in answer)
        and answer[0] >= 1000 > answer[1] > 1
    )


def typing_slip(answer: Any, variable: str | None) -> str | None:
    """Name a typing slip that stops ``answer`` being a number, with the code that works.

    Covers a number typed in quote marks (``"3.4"``), with a percent sign (``"6.6%"``), and
    a number typed with commas (``66,000``, which Python reads as a tuple of two numbers).
    Returns None when ``answer`` shows no such slip.
    """
    if isinstance(answer, str):
        text = answer.strip()
        if text.endswith("%") and _number_in(text[:-1]) is not None:
            number = _number_in(text[:-1])
            return (
                "Your answer is text with a percent sign. Python needs the number on its own: "
                f"no % sign and no quote marks, like this: {_code(variable, f'{number:g}')}."
            )
        number = _number_in(text)
        if number is not None:
            extra = " and without commas" if "," in text else ""
            return (
                "Your answer is a number typed as text (in quote marks). Write it without the "
                f"quote marks{extra}, like this: {_code(variable, f'{number:g}')}."
            )
        return None
    if _is_shape(answer):
        return (
            "Your answer is the shape of a table: (rows, columns). Take the number of rows "
            "with .shape[0], or count them with len()."
        )
    if (
        isinstance(answer, tuple)
        and len(answer) >= 2
        and all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in answer)
    ):
        return (
            f"Your answer is {len(answer)} numbers, not one: Python reads a comma as a gap "
            "between two values. Write a number without commas, for example 66000 (or 66_000) "
            "for sixty-six thousand, and use a full stop for decimals, as in 12.5 for twelve and a half."
        )
    return None


def slip_reason(answer: Any) -> str:
    """The reason name for an answer of the wrong form: a named typing slip, or ``wrong-form``."""
    if isinstance(answer, str):
        text = answer.strip()
        if text.endswith("%") and _number_in(text[:-1]) is not None:
            return PERCENT_SIGN
        if _number_in(text) is not None:
            return TEXT_NUMBER
    if _is_shape(answer):
        return SHAPE
    if isinstance(answer, tuple) and typing_slip(answer, None):
        return COMMAS
    return WRONG_FORM
