"""Input checks shared by the statistics modules: one clear error line per problem."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

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
