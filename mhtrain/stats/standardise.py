"""Age standardisation: directly standardised rates (Dobson limits), their ratios, and ISRs."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from mhtrain.errors import MhtrainError
from mhtrain.stats._checks import (
    as_list,
    attach_reference,
    check_multiplier,
    check_options,
    check_reference,
    float_columns,
    group_sums,
    join_notes,
    numeric,
    read_counts,
    require_columns,
    z_value,
)
from mhtrain.stats.intervals import POISSON_METHODS, count_limits

#: Fewer events than this and a DSR is not published (Fingertips; Morris et al. 2018).
DSR_MIN_EVENTS = 10


def _standard_weights(standard: str | pd.DataFrame) -> pd.Series:
    """Return standard population weights as a Series indexed by age band, in order."""
    if isinstance(standard, str):
        from mhtrain.specload import standard_population

        table = standard_population(standard)
    elif isinstance(standard, pd.DataFrame):
        require_columns(standard, ["age_band", "weight"], "standard population")
        table = standard
    else:
        raise MhtrainError(
            "standard must be a name such as 'esp2013' or a DataFrame with age_band and weight"
        )
    weights = pd.Series(
        pd.to_numeric(table["weight"]).to_numpy(dtype="float64"), index=table["age_band"]
    )
    if weights.index.duplicated().any() or (weights < 0).any() or not (weights.sum() > 0):
        raise MhtrainError("standard population needs unique age bands and weights >= 0")
    return weights


def _age_matrix(
    data: pd.DataFrame,
    keys: list[Hashable],
    age: Hashable,
    columns: dict[str, Hashable],
    bands: pd.Index,
    what: str,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Sum counts to groups x age bands; return group keys and one (groups, bands) array each.

    Cells for an age band a group lacks are NaN, so a missing band cannot pass unnoticed.
    """
    require_columns(data, [*keys, age, *columns.values()], what)
    unknown = sorted(set(map(str, pd.unique(data[age].dropna()))) - set(map(str, bands)))
    if unknown:
        raise MhtrainError(
            f"{what}: age band(s) {', '.join(unknown)} are not in the standard population; "
            f"use its bands: {', '.join(map(str, bands))}"
        )
    if data[age].isna().any():
        raise MhtrainError(f"{what}: column {age!r} has missing age bands; fill or drop those rows")
    frame = data[[*keys, age]].copy()
    frame[age] = frame[age].astype(str)
    for name, values in read_counts(data, columns, what).items():
        frame[f"__{name}"] = values
    summed = group_sums(frame, [*keys, age], [f"__{n}" for n in columns])
    band_labels = pd.Index([str(b) for b in bands])
    if keys:
        wide = summed.set_index([*keys, age]).unstack(age)
        groups = wide.index.to_frame(index=False)
        arrays = {
            n: wide[f"__{n}"].reindex(columns=band_labels).to_numpy(dtype="float64")
            for n in columns
        }
    else:
        one = summed.set_index(age)
        groups = pd.DataFrame(index=[0])
        arrays = {
            n: one[f"__{n}"].reindex(band_labels).to_numpy(dtype="float64")[None, :]
            for n in columns
        }
    return groups, arrays


def _present_bands(flags: np.ndarray, bands: pd.Index) -> np.ndarray:
    """For each row of a boolean (groups, bands) array, list the flagged bands as text."""
    out = np.full(flags.shape[0], "", dtype=object)
    for row in np.flatnonzero(flags.any(axis=1)):
        out[row] = ", ".join(str(b) for b in bands[flags[row]])
    return out


def _dsr_core(
    data: pd.DataFrame,
    keys: list[Hashable],
    age: Hashable,
    events: Hashable,
    population: Hashable,
    standard: str | pd.DataFrame,
    min_events: int,
    what: str,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Compute DSRs per person and their variances; return (table, dsr, variance, refused).

    The table holds group keys, ``events``, ``population`` and ``note``. ``refused`` marks
    groups whose DSR is withheld (NaN) for the reason given in the note.
    """
    weights = _standard_weights(standard)
    bands = weights.index
    groups, arrays = _age_matrix(
        data, keys, age, {"events": events, "population": population}, bands, what
    )
    x, n = arrays["events"], arrays["population"]
    w = weights.to_numpy() / weights.sum()
    absent = np.isnan(x) & np.isnan(n)
    missing_value = (np.isnan(x) | np.isnan(n)) & ~absent
    empty = (n == 0) & ~np.isnan(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, x / n, np.nan)
        dsr = np.sum(w * rate, axis=1)
        variance = np.sum(w**2 * np.where(n > 0, x / n**2, np.nan), axis=1)
    total = np.sum(x, axis=1)
    total_pop = np.sum(n, axis=1)
    note = join_notes(
        np.where(
            absent.any(axis=1),
            "no rows for age band(s) "
            + _present_bands(absent, bands)
            + " (every group needs each band's population, and 0 where there were no events)",
            "",
        ),
        np.where(
            missing_value.any(axis=1),
            "count or population missing in age band(s) "
            + _present_bands(missing_value, bands)
            + " (where nothing happened the count is 0: fill it in)",
            "",
        ),
        np.where(
            empty.any(axis=1),
            "population is zero in age band(s) " + _present_bands(empty, bands),
            "",
        ),
    )
    data_ok = note == ""
    small = data_ok & (total < min_events)
    note = np.where(small, f"fewer than {min_events} events, so the DSR is not given", note)
    refused = ~data_ok | small
    table = groups.copy()
    table["events"] = np.where(absent.any(axis=1) | missing_value.any(axis=1), np.nan, total)
    table["population"] = np.where(
        absent.any(axis=1) | missing_value.any(axis=1), np.nan, total_pop
    )
    table["note"] = note.astype(str)
    return table, np.where(refused, np.nan, dsr), np.where(refused, np.nan, variance), refused


def directly_standardised_rate(
    data: pd.DataFrame,
    *,
    by: Hashable | Sequence[Hashable] | None = None,
    age: Hashable = "age_band",
    events: Hashable = "events",
    population: Hashable = "population",
    standard: str | pd.DataFrame = "esp2013",
    multiplier: float = 100_000,
    method: str = "phe",
    confidence: float = 0.95,
    min_events: int = DSR_MIN_EVENTS,
) -> pd.DataFrame:
    """Directly age-standardised rates with Dobson confidence limits.

    The rate each group would have if it had the age structure of the standard population:
    ``DSR = sum_i w_i x_i / n_i`` with weights ``w_i`` summing to 1. Limits follow Dobson et
    al. (1991): ``DSR + sqrt(V / O) (O_L - O)`` and ``DSR + sqrt(V / O) (O_U - O)``, where
    ``O`` is the total count, ``(O_L, O_U)`` its Poisson limits and
    ``V = sum_i w_i^2 x_i / n_i^2``. This is the Fingertips method (APHO technical briefing 3,
    2008; PHE technical guide to confidence intervals, 2018).

    Parameters
    ----------
    data
        Event counts and populations by age band (and any finer rows, summed within
        ``by`` and age band). Every group needs a row for every age band of the standard.
    by
        Column(s) that define the groups, e.g. ``["area_code", "ethnic_group", "sex"]``.
    age
        Column of age band labels, exactly as in the standard (``"0-4"`` ... ``"90+"``).
    events, population
        Column names of the counts and populations.
    standard
        Name of a standard population in ``specs/standard_populations.yaml`` (default
        ``"esp2013"``, the 2013 European Standard Population, Eurostat 2013), or a DataFrame
        with ``age_band`` and ``weight``.
    multiplier
        Rates per this many people (default 100,000).
    method
        Poisson limits for the total count: ``"phe"`` (default; Byar's method from 10 events,
        exact below), ``"byar"`` or ``"exact"``.
    confidence
        Two-sided confidence level.
    min_events
        DSRs from fewer events than this are not given (default 10, as published by PHE:
        the limits are unreliable below it; Morris et al. 2018).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``events``, ``population``, ``dsr``, ``lower``, ``upper``,
        ``method`` and ``note``. A group is refused, with NaN values and the reason in
        ``note``, when it has fewer than ``min_events`` events, lacks an age band, has a
        missing count or population, or has a zero population in an age band (the age-specific
        rate is then undefined). An age band that is not in the standard, or a negative or
        fractional count, raises :class:`~mhtrain.errors.MhtrainError`.
    """
    check_options(multiplier=multiplier, confidence=confidence, method=(method, POISSON_METHODS))
    keys = as_list(by)
    table, dsr, variance, refused = _dsr_core(
        data, keys, age, events, population, standard, min_events, "directly_standardised_rate"
    )
    o = table["events"].to_numpy(dtype="float64")
    o_lower, o_upper, used = count_limits(np.nan_to_num(o), method=method, confidence=confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(variance / o)
    table["dsr"] = dsr * multiplier
    table["lower"] = (dsr + spread * (o_lower - o)) * multiplier
    table["upper"] = (dsr + spread * (o_upper - o)) * multiplier
    table["method"] = np.where(refused, "", "dobson-" + used.astype(str)).astype(str)
    return table[[*keys, "events", "population", "dsr", "lower", "upper", "method", "note"]]


def dsr_ratio(
    data: pd.DataFrame,
    *,
    group: Hashable,
    reference: Hashable,
    by: Hashable | Sequence[Hashable] | None = None,
    age: Hashable = "age_band",
    events: Hashable = "events",
    population: Hashable = "population",
    standard: str | pd.DataFrame = "esp2013",
    multiplier: float = 100_000,
    confidence: float = 0.95,
    min_events: int = DSR_MIN_EVENTS,
) -> pd.DataFrame:
    """Ratio of each group's directly standardised rate to a reference group's, with limits.

    For example the age-standardised detention rate of people from Black backgrounds divided
    by that of people from White backgrounds. Limits use the log scale with the delta-method
    variance ``V_g / DSR_g^2 + V_ref / DSR_ref^2`` (the two groups independent), where ``V``
    is the DSR variance used by Dobson et al. (1991).

    Parameters
    ----------
    data
        Counts and populations by age band, as for :func:`directly_standardised_rate`.
    group
        Column naming the groups compared.
    reference
        The value of ``group`` that is the denominator of every ratio.
    by
        Optional strata (e.g. ``"area_code"``); ratios are taken within each.
    age, events, population, standard, multiplier, min_events
        As for :func:`directly_standardised_rate`.
    confidence
        Two-sided confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per group (and stratum): ``events``, ``dsr``, ``reference_dsr``,
        ``dsr_ratio``, ``lower``, ``upper`` and ``note``. The reference row has a ratio of 1.
        When either DSR is refused (fewer than ``min_events`` events, missing bands, ...) the
        ratio is NaN and the note says why. A reference absent from the data raises
        :class:`~mhtrain.errors.MhtrainError`.
    """
    check_multiplier(multiplier)
    z = z_value(confidence)
    strata = as_list(by)
    check_reference(data, group, reference, strata, "dsr_ratio")
    table, dsr, variance, _ = _dsr_core(
        data, [*strata, group], age, events, population, standard, min_events, "dsr_ratio"
    )
    table["dsr"] = dsr
    table["__var"] = variance
    table = attach_reference(
        table,
        group,
        reference,
        strata,
        {"dsr": "__ref_dsr", "__var": "__ref_var", "note": "__ref_note"},
    )
    d1, d2, v1, v2 = float_columns(table, "dsr", "__ref_dsr", "__var", "__ref_var")
    is_ref = (table[group] == reference).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(d2 > 0, d1 / d2, np.nan)
        se = np.sqrt(v1 / d1**2 + v2 / d2**2)
        lower = np.where(d1 > 0, np.exp(np.log(ratio) - z * se), np.nan)
        upper = np.where(d1 > 0, np.exp(np.log(ratio) + z * se), np.nan)
    ref_missing = table["__ref_note"].isna().to_numpy()
    ref_note = table["__ref_note"].fillna("").astype(str)
    note = join_notes(
        table["note"].to_numpy(dtype=object),
        np.where(~is_ref & (ref_note.to_numpy() != ""), "reference: " + ref_note.to_numpy(), ""),
        np.where(ref_missing, "reference group missing in this stratum", ""),
        np.where(~is_ref & (d2 == 0), "reference DSR is zero, so no ratio", ""),
        np.where(~is_ref & (d1 == 0), "DSR is zero, so no limits on the log scale", ""),
        np.where(is_ref, "reference group", ""),
    )
    table["dsr"] = d1 * multiplier
    table["reference_dsr"] = d2 * multiplier
    table["dsr_ratio"] = np.where(is_ref, np.where(np.isnan(d1), np.nan, 1.0), ratio)
    table["lower"] = np.where(is_ref, np.nan, lower)
    table["upper"] = np.where(is_ref, np.nan, upper)
    table["note"] = note.astype(str)
    columns = [
        *strata,
        group,
        "events",
        "dsr",
        "reference_dsr",
        "dsr_ratio",
        "lower",
        "upper",
        "note",
    ]
    return table[columns]


def indirectly_standardised_ratio(
    data: pd.DataFrame,
    *,
    by: Hashable | Sequence[Hashable] | None = None,
    age: Hashable = "age_band",
    events: Hashable = "events",
    population: Hashable = "population",
    reference_rates: pd.Series | None = None,
    multiplier: float = 1,
    method: str = "phe",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Indirectly standardised ratios (observed / expected events) with Poisson limits.

    Expected events are ``sum_i n_i R_i``: each group's population in each age band times a
    reference age-specific rate. The limits are those of the observed count divided by the
    expected count (APHO technical briefing 3, 2008): exact below 10 events and Byar's
    method from 10 with ``method="phe"``.

    Parameters
    ----------
    data
        Observed counts and populations by age band (summed within ``by`` and age band).
    by
        Column(s) that define the groups.
    age, events, population
        Column names.
    reference_rates
        Age-specific reference rates per person, a Series indexed by age band. Left out, the
        reference is the whole table pooled (total events over total population in each band),
        so the ratios compare each group with everyone in the data.
    multiplier
        1 (default) gives a ratio; 100 gives the ratio per 100 as in an SMR.
    method
        ``"phe"`` (default), ``"byar"`` or ``"exact"``, as for :func:`crude_rate`.
    confidence
        Two-sided confidence level.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``observed``, ``expected``, ``ratio``, ``lower``, ``upper``,
        ``method`` and ``note``. Zero expected events, or missing values, give NaN with a note.
        A band without a reference rate raises :class:`~mhtrain.errors.MhtrainError`.
    """
    check_options(multiplier=multiplier, confidence=confidence, method=(method, POISSON_METHODS))
    keys = as_list(by)
    what = "indirectly_standardised_ratio"
    require_columns(data, [*keys, age, events, population], what)
    if data[age].isna().any():
        raise MhtrainError(f"{what}: column {age!r} has missing age bands; fill or drop those rows")
    bands = pd.Index(sorted(map(str, pd.unique(data[age]))))
    if reference_rates is None:
        pooled = (
            pd.DataFrame(
                {
                    "b": data[age].astype(str),
                    "x": numeric(data, events, what),
                    "n": numeric(data, population, what),
                }
            )
            .groupby("b")
            .sum(min_count=1)
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            ref = (pooled["x"] / pooled["n"]).where(pooled["n"] > 0)
    else:
        if not isinstance(reference_rates, pd.Series):
            raise MhtrainError(f"{what}: reference_rates must be a Series indexed by age band")
        ref = pd.Series(
            pd.to_numeric(reference_rates).to_numpy(dtype="float64"),
            index=reference_rates.index.astype(str),
        )
        lacking = sorted(set(bands) - set(ref.index))
        if lacking:
            raise MhtrainError(
                f"{what}: no reference rate for age band(s) {', '.join(lacking)}; add them"
            )
        if (ref < 0).any():
            raise MhtrainError(f"{what}: reference rates must be >= 0")
    groups, arrays = _age_matrix(
        data, keys, age, {"observed": events, "population": population}, bands, what
    )
    x, n = arrays["observed"], arrays["population"]
    r = ref.reindex(bands).to_numpy(dtype="float64")
    # Bands a group has no rows for contribute nothing: no people there, no events expected.
    present = ~(np.isnan(x) & np.isnan(n))
    x_used = np.where(present, x, 0.0)
    n_used = np.where(present, n, 0.0)
    undefined_ref = present & (n_used > 0) & np.isnan(r)
    with np.errstate(invalid="ignore"):
        expected = np.sum(np.where(n_used > 0, n_used * np.nan_to_num(r), 0.0), axis=1)
    expected = np.where(np.isnan(n_used).any(axis=1), np.nan, expected)
    observed = np.sum(x_used, axis=1)
    lower, upper, used = count_limits(np.nan_to_num(observed), method=method, confidence=confidence)
    note = join_notes(
        np.where(np.isnan(x_used).any(axis=1), "observed count missing", ""),
        np.where(np.isnan(n_used).any(axis=1), "population missing", ""),
        np.where(
            undefined_ref.any(axis=1),
            "reference rate undefined in age band(s) " + _present_bands(undefined_ref, bands),
            "",
        ),
        np.where(expected == 0, "no events expected, so no ratio", ""),
    )
    bad = note != ""
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(bad, np.nan, multiplier / expected)
    table = groups.copy()
    table["observed"] = observed
    table["expected"] = expected
    table["ratio"] = observed * scale
    table["lower"] = lower * scale
    table["upper"] = upper * scale
    table["method"] = np.where(bad, "", used).astype(str)
    table["note"] = note.astype(str)
    return table[[*keys, "observed", "expected", "ratio", "lower", "upper", "method", "note"]]
