"""The one tolerance rule every exercise kind uses: when is a number the right number?

The rule
--------
An answer is **right** when it equals the reference at the precision the lesson shows, or is
the reference rounded at any sensible precision for its kind of quantity. Each kind
(:data:`QUANTITIES`) declares two precisions, each the finer of a number of decimal places and
a number of significant figures:

- ``shown``: the precision the lesson prints. An answer written with more digits than this is
  compared at this precision (so an answer worked out another way, or from the rounded
  values of a table the lesson prints, is right);
- ``coarsest``: the coarsest rounding that still answers the question (2 significant figures
  for a ratio, 1 decimal place for a percentage, a whole number for a rate per 100,000, ...).
  An answer written with fewer digits than ``shown`` (but not fewer than ``coarsest``) is right
  when it is the reference rounded to the digits it has.

An answer that is the reference rounded **more** than ``coarsest`` allows is "rounded too far"
(:func:`too_coarse`): it is the only time a check says so. Nothing is judged by how close a
number is: a wrong method is named only when the answer equals that method's value under this
same rule.

Tables are judged cell by cell with the same rule (a table rounded as the lesson prints it is
right), and an empty cell (NaN) is right where the reference's cell is empty too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

__all__ = [
    "QUANTITIES",
    "Precision",
    "Quantity",
    "matches",
    "quantity",
    "too_coarse",
    "unrounded",
]

# Decimal places tried when working out how many digits an answer was written with.
_PLACES = range(-9, 13)
# Relative size of floating-point noise: 0.1 + 0.2 is still 0.3 written to one place.
_NOISE = 1e-9


@dataclass(frozen=True)
class Precision:
    """A precision: the finer of ``dp`` decimal places and ``sf`` significant figures."""

    dp: int | None = None
    sf: int | None = None

    def places(self, reference: np.ndarray) -> np.ndarray:
        """Decimal places this precision means for each value of ``reference``."""
        ref = np.abs(np.asarray(reference, dtype=float))
        options = []
        if self.dp is not None:
            options.append(np.full(ref.shape, self.dp, dtype=float))
        if self.sf is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                magnitude = np.floor(np.log10(np.where(ref > 0, ref, 1.0)))
            options.append(self.sf - 1 - magnitude)
        if not options:
            return np.full(ref.shape, max(_PLACES), dtype=float)
        return np.maximum.reduce(options)

    def words(self, reference: float) -> str:
        """Say this precision in plain words for ``reference`` ("1 decimal place")."""
        places = int(self.places(np.array(reference)))
        if places <= 0:
            return "a whole number" if places == 0 else f"the nearest {10**-places:,}"
        return f"{places} decimal place{'s' if places > 1 else ''}"


@dataclass(frozen=True)
class Quantity:
    """A kind of number a question asks for, with the precisions the tolerance rule uses.

    Attributes
    ----------
    name : str
        ``"percentage"``, ``"rate"``, ...
    shown : Precision
        The precision the lessons print this kind at.
    coarsest : Precision
        The coarsest rounding that still answers a question about this kind.
    advice : str
        What to look at when an answer of this kind is wrong for no known reason.
    """

    name: str
    shown: Precision
    coarsest: Precision
    advice: str

    def scaled(self, factor: float) -> Quantity:
        """The same kind for values ``factor`` times as large (decimal places shift)."""
        shift = round(math.log10(factor))

        def move(p: Precision) -> Precision:
            return replace(p, dp=None if p.dp is None else p.dp - shift)

        return replace(self, shown=move(self.shown), coarsest=move(self.coarsest))


#: The precisions of each kind, as (dp, sf) pairs: what the lessons show, and the coarsest
#: rounding that still answers the question (None: that part does not apply).
_PRECISIONS = {
    "count": ((0, None), (0, None)),
    "percentage": ((2, 3), (1, 2)),
    "proportion": ((3, 3), (2, 2)),
    "rate": ((1, 3), (0, 2)),
    "ratio": ((2, 3), (None, 2)),
    "days": ((1, None), (0, None)),
    "limit": ((2, 3), (1, 2)),
    "number": ((None, 4), (None, 2)),
}

#: What to look at when an answer of each kind is wrong for no known reason.
_ADVICE = {
    "count": "Check which table you counted, and what one row of it stands for (one person, "
    "one referral, one detention). len() counts rows; .sum() adds up a column of numbers.",
    "percentage": "Check the top of the fraction (who had the outcome), the bottom (everyone "
    "who could have had it, and only them), and that you multiplied the share by 100.",
    "proportion": "Check the top of the fraction (who had the outcome) and the bottom "
    "(everyone who could have had it, and only them).",
    "rate": "Check the top of the fraction (the events, such as detentions), the bottom (the "
    "residents of that group, from the population table), and the multiplier: a rate per "
    "100,000 is the proportion times 100,000.",
    "ratio": "Check which two values you divided: the group's value goes on top and the "
    "reference group's value underneath, and each must be a rate, not a count.",
    "days": "Check the rows you started from (the team type and age group asked for), that "
    "each wait is in days, and that you took the middle value (the median), not the mean. "
    "People never seen have no wait: leave them out of a median.",
    "limit": "Check the three parts of a control limit: the target (the average), the number "
    "of people the limit is for, and the z value for the level asked (1.96 for 95%, 3.09 for "
    "99.8%). The spread is the square root of p(1 - p)/n.",
    "number": "Read the question again and check each step of your working.",
}

#: Every kind of quantity exercises declare, by name.
QUANTITIES: dict[str, Quantity] = {
    name: Quantity(name, Precision(*shown), Precision(*coarsest), _ADVICE[name])
    for name, (shown, coarsest) in _PRECISIONS.items()
}


def quantity(name: str | Quantity) -> Quantity:
    """Return the :class:`Quantity` called ``name`` (or ``name`` itself if it is one)."""
    from mhtrain.errors import MhtrainError

    if isinstance(name, Quantity):
        return name
    try:
        return QUANTITIES[name]
    except KeyError:
        known = ", ".join(QUANTITIES)
        raise MhtrainError(f"unknown quantity {name!r}; use one of: {known}") from None


def _written_places(answer: np.ndarray) -> np.ndarray:
    """How many decimal places each answer was written with (trailing zeros not counted)."""
    out = np.full(answer.shape, float(max(_PLACES)))
    found = np.zeros(answer.shape, dtype=bool)
    scale = np.maximum(np.abs(answer), 1.0)
    for places in _PLACES:
        same = np.abs(np.round(answer, places) - answer) <= _NOISE * scale
        newly = same & ~found
        out[newly] = places
        found |= same
    return out


def _half_unit(places: np.ndarray) -> np.ndarray:
    return 0.5 * np.power(10.0, -places)


def _slack(reference: np.ndarray) -> np.ndarray:
    return _NOISE * np.maximum(np.abs(reference), 1.0)


def matches(answer: object, reference: object, kind: str | Quantity) -> np.ndarray:
    """Whether each ``answer`` is right for each ``reference`` under the tolerance rule.

    Parameters
    ----------
    answer, reference : float or array of float
        The learner's values and the reference values (NaN in both counts as a match).
    kind : str or Quantity
        The kind of quantity asked for (a key of :data:`QUANTITIES`).

    Returns
    -------
    numpy.ndarray of bool
        One value per cell (a 0-d array for single numbers; use ``bool(...)``).
    """
    q = quantity(kind)
    a = np.asarray(answer, dtype=float)
    ref = np.asarray(reference, dtype=float)
    both_missing = np.isnan(a) & np.isnan(ref)
    finite = np.isfinite(a) & np.isfinite(ref)
    a0, r0 = np.where(finite, a, 0.0), np.where(finite, ref, 0.0)
    shown = q.shown.places(r0)
    coarsest = q.coarsest.places(r0)
    written = _written_places(a0)
    places = np.minimum(np.maximum(written, coarsest), shown)
    right = np.abs(a0 - r0) <= _half_unit(places) * (1 + _NOISE) + _slack(r0)
    return both_missing | (finite & right)


def too_coarse(answer: object, reference: object, kind: str | Quantity) -> np.ndarray:
    """Whether each ``answer`` is its reference rounded more than the kind allows.

    True only when the answer is written with fewer digits than ``coarsest`` and is the
    reference rounded to the digits it has (down to 2 significant figures, or one place
    fewer than ``coarsest``, whichever is coarser).
    """
    q = quantity(kind)
    a = np.asarray(answer, dtype=float)
    ref = np.asarray(reference, dtype=float)
    finite = np.isfinite(a) & np.isfinite(ref)
    a0, r0 = np.where(finite, a, 0.0), np.where(finite, ref, 0.0)
    coarsest = q.coarsest.places(r0)
    floor = np.minimum(coarsest - 1, Precision(sf=2).places(r0))
    written = _written_places(a0)
    places = np.maximum(written, floor)
    rounded = np.abs(a0 - r0) <= _half_unit(places) * (1 + _NOISE) + _slack(r0)
    coarse = finite & (written < coarsest) & (places < coarsest) & rounded
    return coarse & ~matches(a, ref, q)


def unrounded(answer: float, reference: float, kind: str | Quantity) -> bool:
    """Whether ``answer`` has more digits than the lesson shows (it was not rounded).

    Only such an answer can tell two methods apart whose values agree at the shown precision;
    a rounded answer that is right stays right.
    """
    q = quantity(kind)
    places = _written_places(np.asarray(answer, dtype=float))
    return bool(places > q.shown.places(np.asarray(reference, dtype=float)))
