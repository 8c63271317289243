"""Disclosure control for published tables of counts: suppress small numbers, round the rest.

Three named rule sets, each credited to who uses it (:data:`RULE_SETS`):

* ``"hes_opensafely"``: counts from 1 to 7 hidden, every other count rounded to the nearest 5
  (the rule NHS England's Hospital Episode Statistics have applied since September 2018, and
  the OpenSAFELY platform applies to its outputs), with secondary suppression added on top as
  a general technique (HES used it before 2018 and now relies on rounding). The default here.
* ``"mhsds"``: NHS England's Mental Health Services Monthly Statistics: counts under 5 hidden,
  counts below England level rounded to the nearest 5, England totals left unrounded, and no
  secondary suppression.
* ``"secondary_only"``: the general technique on its own: small counts hidden and, so that a
  hidden count cannot be worked out from a total, a second count in each row or column with a
  single hidden cell, but no rounding. Without rounding it can be defeated: adding or
  subtracting whole rows and columns (or tables that share totals) can still recover a hidden
  cell, which is why published rules pair suppression with rounding.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mhtrain.errors import MhtrainError

SUPPRESSED = "*"

#: The HES and OpenSAFELY rule: counts from 1 to 7 are suppressed, others rounded to 5.
NHS_SMALLEST_SHOWN = 8
NHS_ROUNDING_BASE = 5


@dataclass(frozen=True)
class DisclosureRules:
    """A set of disclosure-control rules, and who publishes under them."""

    name: str
    smallest_shown: int  # counts from 1 to smallest_shown - 1 are hidden
    base: int  # counts shown are rounded to the nearest multiple of this (1: not rounded)
    round_totals: bool  # whether the totals (England level) are rounded too
    secondary: bool  # whether secondary suppression protects hidden cells
    credit: str  # who uses these rules


RULE_SETS: dict[str, DisclosureRules] = {
    r.name: r
    for r in (
        DisclosureRules(
            "hes_opensafely",
            NHS_SMALLEST_SHOWN,
            NHS_ROUNDING_BASE,
            round_totals=True,
            secondary=True,
            credit="NHS England Hospital Episode Statistics and the OpenSAFELY platform",
        ),
        DisclosureRules(
            "mhsds",
            5,
            5,
            round_totals=False,
            secondary=False,
            credit="NHS England Mental Health Services Monthly Statistics",
        ),
        DisclosureRules(
            "secondary_only",
            NHS_SMALLEST_SHOWN,
            1,
            round_totals=True,
            secondary=True,
            credit="the general technique of secondary (complementary) suppression",
        ),
    )
}


def disclosure_control(
    table: pd.DataFrame,
    *,
    rules: str | DisclosureRules = "hes_opensafely",
    margins: bool = False,
    total_row: Hashable | None = None,
    total_column: Hashable | None = None,
    smallest_shown: int | None = None,
    base: int | None = None,
    margins_name: str = "Total",
) -> pd.DataFrame:
    """Apply disclosure control to a table of counts under a named set of rules.

    By default the thresholds of NHS England's Hospital Episode Statistics and of OpenSAFELY: a
    count from 1 to 7 is shown as ``*``; every other count, including totals, is rounded to the
    nearest 5 on its own (so rounded cells need not add up to rounded totals). Zero is shown
    as 0. Secondary suppression (below) is added as a general technique; the sources of each
    rule set are in :data:`mhtrain.stats.references.RULE_SET_SOURCES`. ``rules="mhsds"`` gives NHS England's Mental Health Services Monthly Statistics rules
    (under 5 hidden, totals unrounded, no secondary suppression); see :data:`RULE_SETS`.

    Secondary suppression: if a row or column (with its total) held exactly one ``*``, the
    hidden count could be found by subtracting the others from the total. So while any row
    or column has exactly one ``*``, the smallest other count in that line is suppressed too
    (cells before totals, non-zero cells before zeros). The result has no row or column with
    exactly one ``*``.

    Parameters
    ----------
    table
        Whole, non-negative counts: rows by columns (e.g. ethnic group by area).
    rules
        A name in :data:`RULE_SETS` or a :class:`DisclosureRules`.
    margins
        Add a total row and column (named ``margins_name``) computed from the unrounded
        counts before control is applied. Leave False when the table already has totals.
    total_row, total_column
        Labels of a total row or column already in ``table``; they are checked against the
        sums of the other cells.
    smallest_shown
        Counts from 1 to ``smallest_shown - 1`` are suppressed (default: the rules', 8 for
        1 to 7 hidden).
    base
        Rounding base for the counts shown (default: the rules', 5).
    margins_name
        Label for the added totals.

    Returns
    -------
    pandas.DataFrame
        The published table (object dtype: integers and ``"*"``). ``result.attrs`` carries
        ``"disclosure_note"`` (a sentence saying what was done, to print under the table),
        ``"primary_suppressed"`` and ``"secondary_suppressed"`` (how many cells of each) and
        ``"suppression"`` (nested lists shaped like the table with ``""``, ``"primary"`` or
        ``"secondary"`` in each cell; ``pd.DataFrame(it, index=..., columns=...)`` makes a
        table of it).

    Raises
    ------
    MhtrainError
        For missing, negative or fractional counts, or totals that do not match their cells.
    """
    if not isinstance(table, pd.DataFrame):
        raise MhtrainError("disclosure_control needs a pandas DataFrame of counts")
    if isinstance(rules, str):
        if rules not in RULE_SETS:
            raise MhtrainError(
                f"disclosure_control: unknown rules {rules!r}; use one of {', '.join(RULE_SETS)}"
            )
        rules = RULE_SETS[rules]
    smallest_shown = rules.smallest_shown if smallest_shown is None else smallest_shown
    base = rules.base if base is None else base
    if smallest_shown < 1 or base < 1:
        raise MhtrainError("disclosure_control: smallest_shown and base must be at least 1")
    if margins and (total_row is not None or total_column is not None):
        raise MhtrainError(
            "disclosure_control: use margins=True for a table without totals, or name its "
            "existing totals with total_row/total_column, not both"
        )
    counts = _checked_counts(table)
    if margins:
        counts = counts.copy()
        counts[margins_name] = counts.sum(axis=1)
        counts.loc[margins_name] = counts.sum(axis=0)
        total_row = total_column = margins_name
    _check_totals(counts, total_row, total_column)

    values = counts.to_numpy(dtype="int64")
    primary = (values >= 1) & (values < smallest_shown)
    suppressed = primary.copy()
    row_pos = None if total_row is None else counts.index.get_loc(total_row)
    col_pos = None if total_column is None else counts.columns.get_loc(total_column)
    if rules.secondary:
        _secondary_suppression(values, suppressed, row_pos, col_pos)
    secondary = suppressed & ~primary

    rounded = (np.floor(values / base + 0.5) * base).astype("int64")
    if not rules.round_totals:
        totals = np.zeros(values.shape, dtype=bool)
        if row_pos is not None:
            totals[row_pos, :] = True
        if col_pos is not None:
            totals[:, col_pos] = True
        rounded = np.where(totals, values, rounded)
    published = pd.DataFrame(rounded, index=counts.index, columns=counts.columns).astype(object)
    published = published.mask(suppressed, SUPPRESSED)
    status = np.where(primary, "primary", np.where(secondary, "secondary", ""))
    published.attrs = {
        "disclosure_note": _note(int(primary.sum()), int(secondary.sum()), smallest_shown, base)
        + ("" if rules.round_totals else " Totals are not rounded.")
        + f" Rules: {rules.credit}.",
        "rules": rules.name,
        "primary_suppressed": int(primary.sum()),
        "secondary_suppressed": int(secondary.sum()),
        # plain nested lists, not a DataFrame: pandas compares attrs when it copies a table
        "suppression": status.tolist(),
    }
    return published


def _checked_counts(table: pd.DataFrame) -> pd.DataFrame:
    try:
        numbers = table.apply(pd.to_numeric, errors="raise")
    except (TypeError, ValueError):
        raise MhtrainError(
            "disclosure_control: every cell must be a count (a whole number)"
        ) from None
    array = numbers.to_numpy(dtype="float64")
    if np.isnan(array).any():
        raise MhtrainError("disclosure_control: the table has missing cells; fill them with counts")
    if (array < 0).any() or np.isinf(array).any() or (array != np.round(array)).any():
        raise MhtrainError("disclosure_control: counts must be whole numbers >= 0")
    return pd.DataFrame(array.astype("int64"), index=table.index, columns=table.columns)


def _check_totals(
    counts: pd.DataFrame, total_row: Hashable | None, total_column: Hashable | None
) -> None:
    if total_row is not None:
        if total_row not in counts.index:
            raise MhtrainError(f"disclosure_control: total row {total_row!r} not in the table")
        body = counts.drop(index=total_row)
        if not (body.sum(axis=0) == counts.loc[total_row]).all():
            raise MhtrainError(
                f"disclosure_control: row {total_row!r} is not the sum of the other rows"
            )
    if total_column is not None:
        if total_column not in counts.columns:
            raise MhtrainError(
                f"disclosure_control: total column {total_column!r} not in the table"
            )
        body = counts.drop(columns=total_column)
        if not (body.sum(axis=1) == counts[total_column]).all():
            raise MhtrainError(
                f"disclosure_control: column {total_column!r} is not the sum of the other columns"
            )


def _lines(shape: tuple[int, int], row_pos: int | None, col_pos: int | None) -> list:
    """Every row and column that adds up to a published total, as index arrays."""
    n_rows, n_cols = shape
    lines = []
    if col_pos is not None:  # each row sums to its total-column cell
        lines += [(np.full(n_cols, r), np.arange(n_cols)) for r in range(n_rows)]
    if row_pos is not None:  # each column sums to its total-row cell
        lines += [(np.arange(n_rows), np.full(n_rows, c)) for c in range(n_cols)]
    return lines


def _secondary_suppression(
    values: np.ndarray, suppressed: np.ndarray, row_pos: int | None, col_pos: int | None
) -> None:
    """Suppress more cells, in place, until no line has exactly one suppressed cell.

    When a line needs a second hidden cell, the choice prefers, in order: a cell inside the
    table over a total; a cell whose crossing line also has exactly one hidden cell (one
    suppression then protects two lines, which tends to form rectangles); a non-zero count
    over a zero; the smallest count.
    """
    lines = _lines(values.shape, row_pos, col_pos)
    is_total = np.zeros(values.shape, dtype=bool)
    if row_pos is not None:
        is_total[row_pos, :] = True
    if col_pos is not None:
        is_total[:, col_pos] = True
    has_rows, has_cols = col_pos is not None, row_pos is not None
    changed = True
    while changed:
        changed = False
        for rows, cols in lines:
            hidden = suppressed[rows, cols]
            if hidden.sum() != 1:
                continue
            candidates = np.flatnonzero(~hidden)
            if candidates.size == 0:
                continue
            r, c = rows[candidates], cols[candidates]
            along_row = rows[0] == rows[-1]
            if along_row:  # the crossing lines are columns
                crossing = suppressed[:, c].sum(axis=0) if has_cols else np.zeros(c.size)
            else:
                crossing = suppressed[r, :].sum(axis=1) if has_rows else np.zeros(r.size)
            keys = np.lexsort((values[r, c], values[r, c] == 0, crossing != 1, is_total[r, c]))
            pick = candidates[keys[0]]
            suppressed[rows[pick], cols[pick]] = True
            changed = True


def _note(primary: int, secondary: int, smallest_shown: int, base: int) -> str:
    small = f"1 to {smallest_shown - 1}"
    text = (
        f"Counts from {small} are shown as * and all other counts are rounded to the nearest "
        f"{base}, so totals may not equal the sum of their parts."
    )
    if secondary:
        text += (
            f" {secondary} further count{'s' if secondary != 1 else ''} "
            f"{'were' if secondary != 1 else 'was'} also shown as * so that hidden counts "
            "cannot be worked out from the totals."
        )
    if not primary and not secondary:
        text += " No count needed to be hidden."
    return text
