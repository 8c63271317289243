"""Confidence limits for counts (exact Poisson, Byar) and proportions (Wilson score)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from mhtrain.errors import MhtrainError
from mhtrain.stats._checks import check_choice, check_confidence, z_value

#: Below this many events the Fingertips method uses exact limits instead of Byar's.
PHE_EXACT_BELOW = 10

POISSON_METHODS = ("phe", "byar", "exact")


def exact_poisson_limits(
    counts: npt.ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Return exact (Garwood) Poisson limits for observed counts, from chi-squared quantiles.

    Lower limit ``chi2(alpha/2, 2 O) / 2`` (0 when O = 0), upper limit
    ``chi2(1 - alpha/2, 2 O + 2) / 2`` (Ulm 1990; APHO technical briefing 3, 2008).
    """
    check_confidence(confidence)
    o = np.asarray(counts, dtype="float64")
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        lower = np.where(o > 0, stats.chi2.ppf(alpha / 2, 2 * o) / 2, 0.0)
        upper = stats.chi2.ppf(1 - alpha / 2, 2 * o + 2) / 2
    lower = np.where(np.isnan(o), np.nan, lower)
    return lower, upper


def byar_limits(counts: npt.ArrayLike, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Return Byar's approximation to the exact Poisson limits (Breslow and Day 1987).

    ``O (1 - 1/(9 O) - z/(3 sqrt O))^3`` and ``(O+1) (1 - 1/(9 (O+1)) + z/(3 sqrt(O+1)))^3``.
    The lower limit is undefined for O = 0 and is given as 0 there.
    """
    z = z_value(confidence)
    o = np.asarray(counts, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        o1 = o + 1
        upper = o1 * (1 - 1 / (9 * o1) + z / (3 * np.sqrt(o1))) ** 3
    lower = np.where(o == 0, 0.0, np.maximum(lower, 0.0))
    return lower, upper


def count_limits(
    counts: npt.ArrayLike, *, method: str = "phe", confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (lower, upper, method used) for counts with the chosen method.

    ``"phe"`` follows the Fingertips rule: exact limits below 10 events, Byar's from 10 on.
    """
    check_choice("method", method, POISSON_METHODS)
    o = np.asarray(counts, dtype="float64")
    if method == "exact":
        lower, upper = exact_poisson_limits(o, confidence)
        used = np.full(o.shape, "exact", dtype=object)
    elif method == "byar":
        lower, upper = byar_limits(o, confidence)
        used = np.full(o.shape, "byar", dtype=object)
    else:
        el, eu = exact_poisson_limits(o, confidence)
        bl, bu = byar_limits(o, confidence)
        small = o < PHE_EXACT_BELOW
        lower, upper = np.where(small, el, bl), np.where(small, eu, bu)
        used = np.where(small, "exact", "byar").astype(object)
    return lower, upper, used


def wilson_limits(
    numerator: npt.ArrayLike, denominator: npt.ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Return Wilson score limits for proportions ``numerator / denominator`` (Wilson 1927).

    Limits are ``(2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))`` as in the PHE
    technical guide to confidence intervals (2018). A zero denominator gives NaN.
    """
    z = z_value(confidence)
    x = np.asarray(numerator, dtype="float64")
    n = np.asarray(denominator, dtype="float64")
    if np.any(x > n):
        raise MhtrainError(
            "a numerator is larger than its denominator; a proportion needs numerator <= "
            "denominator"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        root = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
        lower = (2 * x + z**2 - root) / (2 * (n + z**2))
        upper = (2 * x + z**2 + root) / (2 * (n + z**2))
    # Rounding can leave a hair's breadth below 0 or above 1 at x = 0 or x = n.
    lower = np.where(x == 0, 0.0, np.clip(lower, 0.0, 1.0))
    upper = np.where(x == n, 1.0, np.clip(upper, 0.0, 1.0))
    bad = ~(n > 0)
    return np.where(bad, np.nan, lower), np.where(bad, np.nan, upper)


def poisson_limits(
    counts: npt.ArrayLike | pd.Series,
    *,
    method: str = "phe",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Confidence limits for observed counts of events, treated as Poisson.

    Parameters
    ----------
    counts
        Whole, non-negative event counts (a Series keeps its index).
    method
        ``"phe"`` (default): exact limits for counts below 10 and Byar's approximation from 10,
        as in the Fingertips method (APHO technical briefing 3, 2008; PHE technical guide to
        confidence intervals, 2018). ``"exact"``: chi-squared limits (Ulm 1990) for every count.
        ``"byar"``: Byar's approximation (Breslow and Day 1987) for every count.
    confidence
        Two-sided confidence level, e.g. 0.95 or 0.998.

    Returns
    -------
    pandas.DataFrame
        Columns ``count``, ``lower``, ``upper`` (limits for the expected count) and ``method``
        (the method used on that row). A missing count gives NaN limits.
    """
    index = counts.index if isinstance(counts, pd.Series) else None
    o = np.atleast_1d(np.asarray(counts, dtype="float64"))
    finite = o[~np.isnan(o)]
    if (finite < 0).any() or (finite != np.round(finite)).any() or np.isinf(finite).any():
        raise MhtrainError(
            "counts must be whole numbers >= 0; check for negative or fractional values"
        )
    lower, upper, used = count_limits(o, method=method, confidence=confidence)
    used = np.where(np.isnan(o), "", used)
    return pd.DataFrame(
        {"count": o, "lower": lower, "upper": upper, "method": used.astype(str)}, index=index
    )
