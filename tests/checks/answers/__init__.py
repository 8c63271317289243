"""Realistic answers to every auto-checked exercise, one table per lesson (``lessonNN.py``).

Each table is a dict ``ANSWERS`` from exercise id to ``{"right": [...], "wrong": [...]}``:
``right`` holds answers a good tutor marks correct, written the ways learners write them (code
as typed in the answer cell, or a plain value); ``wrong`` holds ``(answer, reason)`` pairs:
answers people really give, with the name of the reason the check must give (a declared
misconception, or a shared reason such as ``rounded-too-far`` or ``not-an-option``). Answers
are Python source run in the lesson's own namespace (its ready-made cells, run in order with
the worked answers filled in), so ``data``, ``by_group``, ``ex`` and the rest are there.
``SETUP`` (optional) is run after the lesson's cells. ``EDIT_DATA`` (optional) is a function
from the loaded dataset to an edited copy, which the whole lesson then runs on: for a table
whose wrong methods can only be told apart in data with some feature (an area outside the
funnel limits) that a regenerated shipped dataset may lack.

An answer that is a value read off the data (a number as printed, an area's code or name) is
never a literal typed from today's shipped data: it is a :class:`Typed` template, filled in from
the exercise's reference value (``ref``) and the lesson's namespace when the test runs, so the
table stays right when the data are regenerated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Typed:
    """An answer as a learner types it, written from the reference value and the namespace.

    ``Typed('"{ref:.1f}%"')`` is the reference to 1 decimal place with a % sign, in quote
    marks; ``Typed('"{code}"', code=lambda ref, ns: ...)`` fills ``{code}`` from a function of
    the reference and the lesson's namespace. Calling it gives the Python source typed.
    """

    def __init__(self, template: str, **fields: Callable[[Any, dict], Any]) -> None:
        self.template = template
        self.fields = fields

    def __call__(self, ref: Any, namespace: dict) -> str:
        values = {name: field(ref, namespace) for name, field in self.fields.items()}
        return self.template.format(ref=ref, **values)

    def __repr__(self) -> str:
        return f"Typed({self.template!r})"


def sig(figures: int, scale: float = 1) -> Callable[[Any, dict], str]:
    """A field for :class:`Typed`: the reference times ``scale``, to ``figures`` significant
    figures, written as a plain number ("200", "3.9")."""
    import numpy as np

    def field(ref: Any, namespace: dict) -> str:
        value = float(ref) * scale
        return np.format_float_positional(value, precision=figures, fractional=False, trim="-")

    return field


def scaled(factor: float, spec: str) -> Callable[[Any, dict], str]:
    """A field for :class:`Typed`: the reference times ``factor``, formatted with ``spec``."""

    def field(ref: Any, namespace: dict) -> str:
        return format(float(ref) * factor, spec)

    return field
