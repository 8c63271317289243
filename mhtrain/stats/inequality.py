"""The slope index of inequality across deprivation quantiles (e.g. IMD deciles)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from mhtrain.errors import MhtrainError
from mhtrain.stats._checks import (
    as_list,
    check_choice,
    check_confidence,
    check_multiplier,
    numeric,
    require_columns,
    z_value,
)

VALUE_TYPES = ("rate", "proportion", "normal")
CI_METHODS = ("analytic", "simulation")


def slope_index_of_inequality(
    data: pd.DataFrame,
    *,
    quantile: Hashable = "imd_decile",
    population: Hashable = "population",
    value: Hashable = "value",
    se: Hashable | None = None,
    lower: Hashable | None = None,
    upper: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    value_type: str = "rate",
    multiplier: float = 100,
    input_confidence: float = 0.95,
    confidence: float = 0.95,
    ci_method: str = "analytic",
    repetitions: int = 100_000,
    rng: np.random.Generator | None = None,
) -> pd.DataFrame:
    """Slope index of inequality (SII) across deprivation quantiles, with confidence limits.

    Each quantile is placed at the midpoint of its cumulative share of the population, from
    0 (quantile 1, most deprived) to 1 (the last, least deprived); the SII is the slope of a
    population-weighted least-squares line through the quantile values (Low and Low 2004; the
    Fingertips method). It is the modelled difference between the least and the most deprived
    ends of the scale: a negative SII means higher values in more deprived areas.

    Parameters
    ----------
    data
        One row per quantile (per group in ``by``), with its population and indicator value.
    quantile
        Column numbering the quantiles 1, 2, ..., K with 1 the most deprived (IMD deciles).
    population
        Column of quantile populations (the regression weights).
    value
        Column of indicator values (e.g. rates per 100,000 or per cent).
    se
        Column of standard errors of the values. Give ``se``, or ``lower`` and ``upper``.
    lower, upper
        Columns of confidence limits of the values at ``input_confidence``; standard errors
        are derived from them on the log scale for rates and the logit scale for proportions
        (scaled by ``multiplier``), or directly for
        ``value_type="normal"``.
    by
        Column(s) giving separate groups (e.g. sex); one SII per group.
    value_type
        ``"rate"``, ``"proportion"`` or ``"normal"``: how limits are turned into errors.
    multiplier
        For ``value_type="proportion"`` only: values and limits are proportions times this
        (100, the default, for per cent; 1 for proportions from 0 to 1).
    input_confidence
        Confidence level of ``lower`` and ``upper`` (default 0.95).
    confidence
        Confidence level of the SII limits.
    ci_method
        ``"analytic"`` (default): the SII is a weighted sum of the quantile values, so its
        variance is the same weighted sum of their variances; limits are SII -/+ z SE.
        ``"simulation"``: the Fingertips method (PHE slope index of inequality tool,
        simulated confidence intervals): draw each quantile value from a normal distribution
        (on the log or logit scale when derived from limits), refit ``repetitions`` times, and
        take percentiles. Needs ``rng``.
    repetitions
        Simulated samples for ``ci_method="simulation"``.
    rng
        A :class:`numpy.random.Generator`, required for simulation.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``quantiles`` (how many), ``sii``, ``lower``, ``upper``,
        ``method`` and ``note``. A group with missing quantiles, missing values or a zero
        population gives NaN and the reason in ``note``.
    """
    check_choice("value_type", value_type, VALUE_TYPES)
    check_choice("ci_method", ci_method, CI_METHODS)
    check_confidence(confidence)
    check_confidence(input_confidence)
    check_multiplier(multiplier)
    if se is None and (lower is None or upper is None):
        raise MhtrainError(
            "slope_index_of_inequality needs se=, or both lower= and upper=, to give limits"
        )
    if ci_method == "simulation":
        if not isinstance(rng, np.random.Generator):
            raise MhtrainError(
                "ci_method='simulation' needs rng=numpy.random.default_rng(seed) for "
                "reproducible limits"
            )
        if repetitions < 1000:
            raise MhtrainError("repetitions must be at least 1000 for stable simulated limits")
    keys = as_list(by)
    extra = [c for c in (se, lower, upper) if c is not None]
    require_columns(data, [*keys, quantile, population, value, *extra], "slope_index_of_inequality")
    frame = data[keys].copy() if keys else pd.DataFrame(index=data.index)
    frame["q"] = numeric(data, quantile, "slope_index_of_inequality")
    frame["n"] = numeric(data, population, "slope_index_of_inequality")
    frame["y"] = numeric(data, value, "slope_index_of_inequality")
    for name, column in (("se", se), ("lo", lower), ("hi", upper)):
        frame[name] = np.nan if column is None else numeric(data, column, "slope_index")
    if (frame["n"] < 0).any():
        raise MhtrainError("slope_index_of_inequality: populations must be >= 0")

    z_in = z_value(input_confidence)
    z = z_value(confidence)
    rows = []
    groups = frame.groupby(keys, sort=True, dropna=False) if keys else [((), frame)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        result = _one_sii(
            part.sort_values("q"),
            value_type,
            multiplier,
            se is not None,
            z_in,
            z,
            confidence,
            ci_method,
            repetitions,
            rng,
        )
        rows.append({**dict(zip(keys, key, strict=True)), **result})
    return pd.DataFrame(
        rows, columns=[*keys, "quantiles", "sii", "lower", "upper", "method", "note"]
    )


def sii_weights(population: np.ndarray) -> np.ndarray:
    """Return c with SII = c @ values for the population-weighted fit on cumulative midpoints."""
    share = population / population.sum()
    x = np.cumsum(share) - share / 2
    x_bar = np.sum(share * x)
    return share * (x - x_bar) / np.sum(share * (x - x_bar) ** 2)


def _one_sii(
    part: pd.DataFrame,
    value_type: str,
    multiplier: float,
    has_se: bool,
    z_in: float,
    z: float,
    confidence: float,
    ci_method: str,
    repetitions: int,
    rng: np.random.Generator | None,
) -> dict:
    q = part["q"].to_numpy()
    k = len(q)
    empty = {"quantiles": k, "sii": np.nan, "lower": np.nan, "upper": np.nan, "method": ""}
    if k < 2 or not np.array_equal(q, np.arange(1, k + 1)):
        return {**empty, "note": "quantiles must be numbered 1 to K with none missing or repeated"}
    n, y = part["n"].to_numpy(), part["y"].to_numpy()
    if np.isnan(n).any() or np.isnan(y).any():
        return {**empty, "note": "population or value missing"}
    if (n == 0).any():
        return {**empty, "note": "a quantile has zero population"}
    c = sii_weights(n)
    sii = float(c @ y)
    natural_se, t_value, t_se, inverse = _errors(part, value_type, multiplier, has_se, z_in)
    if np.isnan(natural_se).any() if ci_method == "analytic" else np.isnan(t_se).any():
        return {**empty, "sii": sii, "note": "standard error or limits missing or invalid"}
    if ci_method == "analytic":
        half = z * float(np.sqrt(np.sum(c**2 * natural_se**2)))
        return {
            "quantiles": k,
            "sii": sii,
            "lower": sii - half,
            "upper": sii + half,
            "method": "analytic",
            "note": "",
        }
    draws = rng.normal(t_value, t_se, size=(repetitions, k))
    slopes = inverse(draws) @ c
    alpha = 1 - confidence
    lo, hi = np.quantile(slopes, [alpha / 2, 1 - alpha / 2])
    return {
        "quantiles": k,
        "sii": sii,
        "lower": float(lo),
        "upper": float(hi),
        "method": "simulation",
        "note": "",
    }


def _errors(part: pd.DataFrame, value_type: str, scale: float, has_se: bool, z_in: float):
    """Return (natural-scale SE, transformed value, transformed SE, back-transform)."""
    y = part["y"].to_numpy()
    if has_se:
        se = part["se"].to_numpy()
        se = np.where(se >= 0, se, np.nan)
        return se, y, se, lambda t: t
    lo, hi = part["lo"].to_numpy(), part["hi"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        if value_type == "normal":
            se = (hi - lo) / (2 * z_in)
            return se, y, se, lambda t: t
        if value_type == "rate":
            t_se = (np.log(hi) - np.log(lo)) / (2 * z_in)
            t_se = np.where(np.isfinite(t_se) & (y > 0), t_se, np.nan)
            return y * t_se, np.log(y), t_se, np.exp
        p, pl, ph = y / scale, lo / scale, hi / scale
        t_se = (_logit(ph) - _logit(pl)) / (2 * z_in)
        t_se = np.where(np.isfinite(t_se) & (p > 0) & (p < 1), t_se, np.nan)
        return (p * (1 - p) * t_se * scale, _logit(p), t_se, lambda t: scale / (1 + np.exp(-t)))


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))
