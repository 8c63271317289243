"""Crude rates, proportions, and rate ratios and differences between groups, with limits."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from mhtrain.errors import MhtrainError
from mhtrain.stats._checks import (
    as_list,
    attach_reference,
    check_options,
    check_reference,
    float_columns,
    group_sums,
    join_notes,
    read_counts,
    require_columns,
    z_value,
)
from mhtrain.stats.intervals import (
    POISSON_METHODS,
    count_limits,
    exact_poisson_limits,
    wilson_limits,
)

RATIO_METHODS = ("auto", "log", "exact")


def _counts_table(
    data: pd.DataFrame,
    by: list[Hashable],
    columns: dict[str, Hashable],
    what: str,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Check count columns and sum them within groups (or keep every row when ``by`` is empty).

    ``columns`` maps a role (``events``, ``population``, ...) to the user's column name.
    Returns the output table (the ``by`` columns and the summed columns under the user's
    names, or a copy of ``data`` row by row) and the values of each role as float arrays.
    Counts must be whole and non-negative, denominators non-negative; missing values stay NaN.
    """
    require_columns(data, [*by, *columns.values()], what)
    arrays = read_counts(data, columns, what)
    if not by:
        return data.copy(), arrays
    frame = data[by].copy()
    for role, values in arrays.items():
        frame[f"__{role}"] = values
    summed = group_sums(frame, by, [f"__{role}" for role in columns])
    summed = summed.rename(columns={f"__{role}": column for role, column in columns.items()})
    arrays = {role: summed[column].to_numpy(dtype="float64") for role, column in columns.items()}
    return summed, arrays


def crude_rate(
    data: pd.DataFrame,
    *,
    events: Hashable = "events",
    population: Hashable = "population",
    by: Hashable | Sequence[Hashable] | None = None,
    multiplier: float = 100_000,
    method: str = "phe",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Crude rates per ``multiplier`` people with Poisson confidence limits.

    Parameters
    ----------
    data
        One row per group (or finer rows, summed within ``by``) holding an event count and
        the population it arose from.
    events, population
        Column names of the event counts (whole numbers >= 0) and the denominators (>= 0).
    by
        Column(s) to group by; counts and populations are summed within each group. Without
        it each row gives its own rate.
    multiplier
        Rates are expressed per this many people (default 100,000).
    method
        ``"phe"`` (default): exact limits below 10 events and Byar's approximation from 10 on,
        the Fingertips rule (APHO technical briefing 3, 2008; PHE technical guide to
        confidence intervals, 2018). ``"exact"``: chi-squared limits for every count (Ulm
        1990). ``"byar"``: Byar's approximation for every count (Breslow and Day 1987).
    confidence
        Two-sided confidence level (0.95 or 0.998 are usual).

    Returns
    -------
    pandas.DataFrame
        With ``by``: the ``by`` columns, the summed ``events`` and ``population`` columns (under
        their own names), then ``rate``, ``lower``, ``upper``, ``method`` (the limit method used
        on that row) and ``note``. Without ``by``: a copy of ``data``, one rate per row, with
        those result columns added. Zero events give a rate of
        0 with a positive upper limit. A zero population, or a missing count or population,
        gives NaN with the reason in ``note``; negative or fractional counts raise
        :class:`~mhtrain.errors.MhtrainError`.
    """
    check_options(multiplier=multiplier, confidence=confidence, method=(method, POISSON_METHODS))
    keys = as_list(by)
    table, arrays = _counts_table(
        data, keys, {"events": events, "population": population}, "crude_rate"
    )
    x, n = arrays["events"], arrays["population"]
    lower, upper, used = count_limits(x, method=method, confidence=confidence)
    ok = (n > 0) & ~np.isnan(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(ok, multiplier / n, np.nan)
    note = join_notes(
        np.where(np.isnan(x), "event count missing", ""),
        np.where(np.isnan(n), "population missing", ""),
        np.where(n == 0, "population is zero, so no rate", ""),
    )
    table["rate"] = x * scale
    table["lower"] = lower * scale
    table["upper"] = upper * scale
    table["method"] = np.where(ok, used, "").astype(str)
    table["note"] = note.astype(str)
    return table


def proportion(
    data: pd.DataFrame,
    *,
    numerator: Hashable,
    denominator: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    multiplier: float = 100,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Proportions with Wilson score confidence limits.

    Works on a table of counts (give ``denominator``) or on a record table with one row per
    person and a yes/no column (leave ``denominator`` out): then the numerator counts the
    rows that are true and the denominator counts the rows with a known answer.

    Parameters
    ----------
    data
        Counts per group, or records.
    numerator
        Column of counts (with ``denominator``) or of true/false values (records).
    denominator
        Column of denominators; leave out for a record table.
    by
        Column(s) to group by.
    multiplier
        Scale of the result: 100 (default) gives per cent, 1 a proportion.
    confidence
        Two-sided confidence level.

    Returns
    -------
    pandas.DataFrame
        For counts: the ``by`` columns and the summed numerator and denominator columns (or,
        without ``by``, a copy of ``data``, one proportion per row). For records: the ``by``
        columns, the numerator column (now a count of true values), ``denominator`` and
        ``missing`` (rows with no answer). Then ``proportion``, ``lower``, ``upper`` (scaled by
        ``multiplier``) and ``note``. Limits are Wilson's (1927) score interval, the method of
        the PHE technical guide to confidence intervals (2018). A zero denominator gives NaN
        with a note; a numerator above its denominator raises
        :class:`~mhtrain.errors.MhtrainError`.
    """
    check_options(multiplier=multiplier, confidence=confidence)
    keys = as_list(by)
    if denominator is None:
        table = _records_to_counts(data, keys, numerator)
        x = table[numerator].to_numpy(dtype="float64")
        n = table["denominator"].to_numpy(dtype="float64")
    else:
        table, arrays = _counts_table(
            data, keys, {"numerator": numerator, "denominator": denominator}, "proportion"
        )
        x, n = arrays["numerator"], arrays["denominator"]
    if np.any(x > n):
        raise MhtrainError(
            "proportion: a numerator is larger than its denominator; check the two columns"
        )
    lower, upper = wilson_limits(x, n, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, x / n, np.nan)
    table["proportion"] = p * multiplier
    table["lower"] = lower * multiplier
    table["upper"] = upper * multiplier
    table["note"] = join_notes(
        np.where(np.isnan(x), "numerator missing", ""),
        np.where(np.isnan(n), "denominator missing", ""),
        np.where(n == 0, "denominator is zero, so no proportion", ""),
    ).astype(str)
    return table


def _records_to_counts(data: pd.DataFrame, keys: list[Hashable], column: Hashable) -> pd.DataFrame:
    """Count true values and known answers of a yes/no column within groups."""
    require_columns(data, [*keys, column], "proportion")
    values = data[column]
    known = values.notna()
    accepted = values[known]
    if len(accepted) and not accepted.isin([True, False]).all():
        raise MhtrainError(
            f"proportion: column {column!r} must hold true/false (or 1/0) values for a record "
            "table; give denominator= for a table of counts"
        )
    frame = pd.DataFrame(
        {
            "numerator": values.where(known, False).astype(bool).to_numpy(dtype="int64"),
            "denominator": known.to_numpy(dtype="int64"),
            "missing": (~known).to_numpy(dtype="int64"),
        },
        index=data.index,
    )
    for key in keys:
        frame[key] = data[key].to_numpy()
    summed = group_sums(frame, keys, ["numerator", "denominator", "missing"])
    summed = summed.rename(columns={"numerator": column})
    return summed[[*keys, column, "denominator", "missing"]]


def rate_ratio(
    data: pd.DataFrame,
    *,
    group: Hashable,
    reference: Hashable,
    events: Hashable = "events",
    population: Hashable = "population",
    by: Hashable | Sequence[Hashable] | None = None,
    multiplier: float = 100_000,
    method: str = "auto",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Rate ratios and rate differences of each group against a reference group.

    Parameters
    ----------
    data
        Event counts and populations; rows are summed within ``group`` (and ``by``).
    group
        Column naming the groups compared (e.g. ``"ethnic_group"``).
    reference
        The value of ``group`` every other group is compared with (e.g. ``"White"``).
    events, population
        Column names of the counts and denominators.
    by
        Optional strata (e.g. ``"area_code"``): the comparison is made within each.
    multiplier
        Rates and differences are per this many people (default 100,000).
    method
        Limits for the ratio. ``"log"``: ``exp(log RR -/+ z sqrt(1/a + 1/b))``, the usual
        large-sample method (Breslow and Day 1987). ``"exact"``: the exact conditional method,
        Clopper-Pearson limits for the share ``a / (a + b)`` of events in the group, turned into
        a ratio. ``"auto"`` (default): exact when either count is below 10, otherwise log.
    confidence
        Two-sided confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per group (and stratum): the summed events and population columns, ``rate``,
        ``reference_rate``, ``rate_ratio``, ``ratio_lower``, ``ratio_upper``,
        ``rate_difference``, ``difference_lower``, ``difference_upper``, ``method`` and
        ``note``. The reference row has a ratio of 1 and a difference of 0 with no limits.
        Difference limits use the MOVER method (Zou and Donner 2008) from each group's exact
        Poisson limits, so they stay sensible with zero counts. A reference group with no
        events gives NaN ratios with a note; a reference missing from the data raises
        :class:`~mhtrain.errors.MhtrainError`.
    """
    check_options(multiplier=multiplier, method=(method, RATIO_METHODS))
    z = z_value(confidence)
    strata = as_list(by)
    check_reference(data, group, reference, strata, "rate_ratio")
    table, arrays = _counts_table(
        data, [*strata, group], {"events": events, "population": population}, "rate_ratio"
    )
    table["__a"], table["__n1"] = arrays["events"], arrays["population"]
    table = attach_reference(
        table, group, reference, strata, {"__a": "__ref_events", "__n1": "__ref_population"}
    )
    a, n1, b, n2 = float_columns(table, "__a", "__n1", "__ref_events", "__ref_population")
    is_ref = (table[group] == reference).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        r1 = np.where(n1 > 0, a / n1, np.nan)
        r2 = np.where(n2 > 0, b / n2, np.nan)
        ratio = np.where(b > 0, r1 / r2, np.nan)

    use_exact = np.zeros(a.shape, dtype=bool)
    if method == "exact":
        use_exact[:] = True
    elif method == "auto":
        use_exact = (a < 10) | (b < 10)
    lo_log, hi_log = _log_ratio_limits(a, b, ratio, z)
    lo_ex, hi_ex = _exact_ratio_limits(a, b, n1, n2, confidence)
    ratio_lower = np.where(use_exact, lo_ex, lo_log)
    ratio_upper = np.where(use_exact, hi_ex, hi_log)

    diff_lower, diff_upper = _mover_difference(a, n1, b, n2, confidence)
    bad = np.isnan(r1) | np.isnan(r2)
    ratio_lower = np.where(bad | (b == 0), np.nan, ratio_lower)
    ratio_upper = np.where(bad | (b == 0), np.nan, ratio_upper)

    note = join_notes(
        np.where(np.isnan(a) | np.isnan(n1), "count or population missing", ""),
        np.where(n1 == 0, "population is zero", ""),
        np.where(np.isnan(b) & ~is_ref, "reference group missing in this stratum", ""),
        np.where((b == 0) & ~is_ref, "reference group has no events, so no ratio", ""),
        np.where((n2 == 0) & ~is_ref, "reference population is zero", ""),
        np.where(is_ref, "reference group", ""),
    )
    used = np.where(use_exact, "exact conditional", "log")
    table["rate"] = r1 * multiplier
    table["reference_rate"] = r2 * multiplier
    table["rate_ratio"] = np.where(is_ref, 1.0, ratio)
    table["ratio_lower"] = np.where(is_ref, np.nan, ratio_lower)
    table["ratio_upper"] = np.where(is_ref, np.nan, ratio_upper)
    table["rate_difference"] = np.where(is_ref, 0.0, (r1 - r2) * multiplier)
    table["difference_lower"] = np.where(is_ref | bad, np.nan, diff_lower * multiplier)
    table["difference_upper"] = np.where(is_ref | bad, np.nan, diff_upper * multiplier)
    table["method"] = np.where(is_ref | bad | (b == 0), "", used).astype(str)
    table["note"] = note.astype(str)
    return table.drop(columns=["__a", "__n1", "__ref_events", "__ref_population"])


def _log_ratio_limits(
    a: np.ndarray, b: np.ndarray, ratio: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Large-sample limits on the log scale; undefined (NaN) when either count is zero."""
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(1 / a + 1 / b)
        lower = np.exp(np.log(ratio) - z * se)
        upper = np.exp(np.log(ratio) + z * se)
    zero = (a == 0) | (b == 0)
    return np.where(zero, np.nan, lower), np.where(zero, np.nan, upper)


def _exact_ratio_limits(
    a: np.ndarray, b: np.ndarray, n1: np.ndarray, n2: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Exact conditional limits: given a + b events, a is binomial with p = RR n1/(RR n1 + n2)."""
    alpha = 1 - confidence
    total = a + b
    with np.errstate(divide="ignore", invalid="ignore"):
        p_lo = np.where(a > 0, stats.beta.ppf(alpha / 2, a, b + 1), 0.0)
        p_hi = np.where(b > 0, stats.beta.ppf(1 - alpha / 2, a + 1, b), 1.0)
        lower = p_lo / (1 - p_lo) * n2 / n1
        upper = np.where(p_hi < 1, p_hi / (1 - p_hi) * n2 / n1, np.inf)
    none = ~(total > 0)
    return np.where(none, np.nan, lower), np.where(none, np.nan, upper)


def _mover_difference(
    a: np.ndarray, n1: np.ndarray, b: np.ndarray, n2: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """MOVER limits for r1 - r2 built from each rate's exact Poisson limits (per person)."""
    l1, u1 = exact_poisson_limits(a, confidence)
    l2, u2 = exact_poisson_limits(b, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        r1, r2 = a / n1, b / n2
        l1, u1, l2, u2 = l1 / n1, u1 / n1, l2 / n2, u2 / n2
        d = r1 - r2
        lower = d - np.sqrt((r1 - l1) ** 2 + (u2 - r2) ** 2)
        upper = d + np.sqrt((u1 - r1) ** 2 + (r2 - l2) ** 2)
    return lower, upper
