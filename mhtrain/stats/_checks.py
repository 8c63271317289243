"""Input checks shared by the statistics modules: one clear error line per problem."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from mhtrain.errors import MhtrainError


def z_value(confidence: float) -> float:
    """Return the two-sided standard normal quantile for ``confidence`` (e.g. 1.96 for 0.95)."""
    check_confidence(confidence)
    return float(stats.norm.ppf(0.5 + confidence / 2))


def check_confidence(confidence: float) -> None:
    """Refuse a confidence level that is not a proportion strictly between 0 and 1."""
    if not isinstance(confidence, int | float) or not 0 < confidence < 1:
        raise MhtrainError(
            f"confidence must be a proportion between 0 and 1 (got {confidence!r}); "
            "use 0.95 for 95% or 0.998 for 99.8%"
        )


def check_multiplier(multiplier: float) -> None:
    """Refuse a multiplier that is not a positive number."""
    if not isinstance(multiplier, int | float) or not multiplier > 0:
        raise MhtrainError(
            f"multiplier must be a positive number (got {multiplier!r}); e.g. 100_000"
        )


def check_choice(name: str, value: str, choices: Sequence[str]) -> None:
    """Refuse a keyword value outside its documented choices."""
    if value not in choices:
        raise MhtrainError(f"{name} must be one of {', '.join(map(repr, choices))} (got {value!r})")


def as_list(by: Hashable | Sequence[Hashable] | None) -> list[Hashable]:
    """Return grouping columns as a list (empty when there is no grouping)."""
    if by is None:
        return []
    if isinstance(by, str) or not isinstance(by, Sequence):
        return [by]
    return list(by)


def require_columns(data: pd.DataFrame, columns: Sequence[Hashable], what: str) -> None:
    """Refuse a table that lacks any of ``columns``, naming the ones that are missing."""
    if not isinstance(data, pd.DataFrame):
        raise MhtrainError(f"{what} needs a pandas DataFrame (got {type(data).__name__})")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        have = ", ".join(map(str, data.columns))
        raise MhtrainError(
            f"{what}: column(s) {', '.join(map(str, missing))} not found; the table has: {have}"
        )


def numeric(data: pd.DataFrame, column: Hashable, what: str) -> np.ndarray:
    """Return a column as float64, refusing text or other non-numeric values."""
    try:
        values = pd.to_numeric(data[column], errors="raise")
        return values.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        raise MhtrainError(
            f"{what}: column {column!r} must hold numbers; convert it with pandas.to_numeric"
        ) from None


def check_counts(values: np.ndarray, column: Hashable, what: str) -> None:
    """Refuse negative, infinite or fractional counts (missing values are allowed here)."""
    finite = values[~np.isnan(values)]
    if np.isinf(finite).any():
        raise MhtrainError(f"{what}: column {column!r} holds infinite values; fix the counts")
    if (finite < 0).any():
        raise MhtrainError(f"{what}: column {column!r} holds negative counts; counts must be >= 0")
    if (finite != np.round(finite)).any():
        raise MhtrainError(
            f"{what}: column {column!r} holds fractional counts; counts must be whole numbers"
        )


def check_denominators(values: np.ndarray, column: Hashable, what: str) -> None:
    """Refuse negative or infinite denominators (zero and missing give NaN results with a note)."""
    finite = values[~np.isnan(values)]
    if np.isinf(finite).any():
        raise MhtrainError(f"{what}: column {column!r} holds infinite values; fix the denominators")
    if (finite < 0).any():
        raise MhtrainError(
            f"{what}: column {column!r} holds negative values; denominators must be >= 0"
        )


def group_sums(data: pd.DataFrame, by: list[Hashable], columns: Sequence[Hashable]) -> pd.DataFrame:
    """Sum ``columns`` within groups, keeping NaN when any value in a group is missing.

    A plain ``groupby().sum()`` would treat a missing count as zero, which would silently
    understate a rate, so missing values propagate instead.
    """
    if not by:
        out = {c: [np.nan if data[c].isna().any() else data[c].sum()] for c in columns}
        return pd.DataFrame(out)
    keys = [data[b] for b in by]
    options = {"sort": True, "observed": True, "dropna": False}
    sums = data[list(columns)].groupby(keys, **options).sum(min_count=1)
    isna = data[list(columns)].isna()
    if isna.to_numpy().any():
        flags = isna.groupby(keys, **options).any()
        sums = sums.mask(flags)
    return sums.reset_index()


#: Roles whose column holds counts of events (whole numbers >= 0); any other role is a
#: denominator (a number >= 0).
COUNT_ROLES = ("events", "numerator", "observed")


def read_counts(
    data: pd.DataFrame, columns: Mapping[str, Hashable], what: str
) -> dict[str, np.ndarray]:
    """Read each column of ``columns`` (role -> column name) as floats, refusing bad values.

    Counts (the :data:`COUNT_ROLES`) must be whole and non-negative, denominators
    non-negative; missing values stay NaN.
    """
    arrays = {}
    for role, column in columns.items():
        values = numeric(data, column, what)
        if role in COUNT_ROLES:
            check_counts(values, column, what)
        else:
            check_denominators(values, column, what)
        arrays[role] = values
    return arrays


def check_options(
    *,
    multiplier: float | None = None,
    confidence: float | None = None,
    method: tuple[str, Sequence[str]] | None = None,
) -> None:
    """Check a function's usual options at once: a multiplier, a confidence level, a method."""
    if multiplier is not None:
        check_multiplier(multiplier)
    if confidence is not None:
        check_confidence(confidence)
    if method is not None:
        check_choice("method", *method)


def join_notes(*parts: np.ndarray) -> np.ndarray:
    """Combine several arrays of notes (empty string = nothing to say) into one, joined by '; '."""
    out = np.full(parts[0].shape, "", dtype=object)
    for part in parts:
        has = part != ""
        out = np.where(has & (out != ""), out + "; " + part, np.where(has, part, out))
    return out


def check_reference(
    data: pd.DataFrame, group: Hashable, reference: Hashable, strata: list[Hashable], what: str
) -> None:
    """Refuse a comparison whose ``reference`` group is not in column ``group`` of ``data``."""
    require_columns(data, [*strata, group], what)
    if not (data[group] == reference).any():
        found = ", ".join(map(str, pd.unique(data[group].dropna())[:10]))
        raise MhtrainError(
            f"{what}: reference group {reference!r} not found in column {group!r}; "
            f"choose one of: {found}"
        )


def attach_reference(
    table: pd.DataFrame,
    group: Hashable,
    reference: Hashable,
    strata: list[Hashable],
    columns: Mapping[str, str],
) -> pd.DataFrame:
    """Give every row the reference group's values of ``columns`` (old name -> new name).

    Within each stratum when there are ``strata``; a stratum without the reference row gets
    NaN.
    """
    is_ref = (table[group] == reference).to_numpy()
    ref = table.loc[is_ref, [*strata, *columns]].rename(columns=dict(columns))
    if strata:
        return table.merge(ref, on=strata, how="left")
    return table.assign(**{c: ref[c].iloc[0] for c in columns.values()})


def float_columns(table: pd.DataFrame, *columns: Hashable) -> list[np.ndarray]:
    """Return the given columns of ``table`` as float64 arrays, in the order named."""
    return [table[c].to_numpy(dtype="float64") for c in columns]
