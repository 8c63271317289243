"""Shared feedback: the words every exercise kind uses to name what is wrong with an answer."""

from __future__ import annotations

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
