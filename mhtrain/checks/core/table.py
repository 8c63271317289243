"""Exercises whose answer is a table: a pandas Series (one value per group) or DataFrame."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mhtrain.checks.core.base import ValueExercise
from mhtrain.checks.core.feedback import (
    EMPTY_ROWS,
    FACTORS,
    LIST_WITHOUT_LABELS,
    MISSING_COLUMNS,
    ROUNDED_TOO_FAR,
    ROWS_DIFFER,
    WRONG_FORM,
    WRONG_ORDER,
    WRONG_ROWS,
    describe_type,
    list_labels,
    scale_message,
)
from mhtrain.checks.core.number import as_number
from mhtrain.checks.core.results import CORRECT, CheckResult
from mhtrain.checks.core.tolerance import Quantity, matches, too_coarse
from mhtrain.errors import MhtrainError

__all__ = ["TableExercise"]


def _normalise_index(index: pd.Index) -> pd.Index:
    """Labels as text in lower case, so ints 1..10 match "1".."10" and "white" matches "White"."""
    return pd.Index([str(label).strip().lower() for label in index])


class TableExercise(ValueExercise):
    """An exercise whose answer is a table: a pandas Series (one value per group) or DataFrame.

    Values are compared row by row, matched on the index labels (group names), within tolerance.
    Feedback names the rows that differ, never their values.

    Parameters
    ----------
    id : str
        Short name, ``"q2"``.
    check_order : bool, optional
        Whether the rows must also be in the same order (for "sort from highest to lowest").
    **kwargs
        ``expected(data)`` returns the right table (a Series, or a DataFrame whose columns are
        all checked); the other fields are those of
        :class:`~mhtrain.checks.core.base.ValueExercise`.
    """

    kind = "table"
    default_advice = (
        "Check the rows you started from, the column you grouped by, and the top and bottom of "
        "each fraction."
    )

    def __init__(self, id: str, *, check_order: bool = False, **kwargs: Any) -> None:
        super().__init__(id, **kwargs)
        self.check_order = check_order

    def _reference(self, data: Any) -> pd.Series | pd.DataFrame:
        value = self._expected(data)
        if not isinstance(value, pd.Series | pd.DataFrame):
            raise MhtrainError(
                f"exercise {self.id}: its expected() function must return a pandas Series or "
                "DataFrame; fix the lesson's checks module"
            )
        return value

    @staticmethod
    def _coerce(answer: Any, like: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame | None:
        if isinstance(answer, list | tuple | np.ndarray):
            if isinstance(like, pd.Series) and len(answer) == len(like):
                return pd.Series(list(answer), index=like.index)
            return None
        if isinstance(answer, dict):
            nested = any(isinstance(v, dict | list | pd.Series) for v in answer.values())
            answer = pd.DataFrame(answer) if nested else pd.Series(answer)
        if isinstance(like, pd.Series):
            if isinstance(answer, pd.DataFrame):
                # After reset_index(), the group labels sit in a column of their own.
                names = [n for n in like.index.names if n is not None and n in answer.columns]
                if names and answer.shape[1] > len(names):
                    answer = answer.set_index(names if len(names) > 1 else names[0])
                values = [
                    c
                    for c in answer.columns
                    if pd.api.types.is_numeric_dtype(answer[c])
                    and not pd.api.types.is_bool_dtype(answer[c])
                ]
                if answer.shape[1] > 1 and len(values) == 1:
                    labels = [c for c in answer.columns if c != values[0]]
                    answer = answer.set_index(labels if len(labels) > 1 else labels[0])
                if answer.shape[1] == 1:
                    return answer.iloc[:, 0]
            return answer if isinstance(answer, pd.Series) else None
        if isinstance(answer, pd.Series) and like.shape[1] == 1:
            return answer.to_frame(name=like.columns[0])
        return answer if isinstance(answer, pd.DataFrame) else None

    def _format_problem(self, answer: Any) -> str | None:
        if isinstance(answer, pd.Series | pd.DataFrame | dict):
            return None
        if isinstance(answer, list | tuple | np.ndarray) and len(answer) > 1:
            return None  # a list in the order the lesson shows the groups can be right
        detail = f"Your answer is {describe_type(answer)}, but this question asks for a table "
        detail += "with one row per group (a pandas Series or DataFrame)."
        if isinstance(answer, list | tuple | np.ndarray):
            detail += " A plain list has no group labels: keep the result of groupby as it is."
        elif as_number(answer) is not None:
            detail += " A single number is one value; the question wants a value for each group."
        return detail

    def _values_match(
        self, answer: pd.Series, expected: pd.Series, kind: Quantity | None = None
    ) -> tuple[pd.Series, pd.Series]:
        """For each row of ``expected``: (does the answer match?, is it rounded too far?)."""
        kind = kind or self.quantity
        aligned = answer.reindex(expected.index)
        if pd.api.types.is_numeric_dtype(expected) and not pd.api.types.is_bool_dtype(expected):
            a = pd.to_numeric(aligned, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            e = expected.to_numpy(dtype=float, na_value=np.nan)
            ok = pd.Series(matches(a, e, kind), index=expected.index)
            return ok, pd.Series(too_coarse(a, e, kind), index=expected.index)
        a, e = aligned.astype(object), expected.astype(object)
        same = (a.isna() & e.isna()) | (a == e).fillna(False).astype(bool)
        return same, pd.Series(False, index=expected.index)

    def _columns(self, table: pd.Series | pd.DataFrame) -> dict[str, pd.Series]:
        if isinstance(table, pd.Series):
            return {"": table}
        return {str(col): table[col] for col in table.columns}

    def _align_index(
        self, answer: pd.Series | pd.DataFrame, expected: pd.Series | pd.DataFrame
    ) -> tuple[pd.Series | pd.DataFrame | None, str | None]:
        """Match the answer's row labels to the reference; say what is wrong if they do not."""
        if (
            isinstance(answer.index, pd.MultiIndex)
            and isinstance(expected.index, pd.MultiIndex)
            and list(answer.index.names) != list(expected.index.names)
            and set(answer.index.names) == set(expected.index.names)
        ):
            answer = answer.reorder_levels(list(expected.index.names))
        if answer.index.has_duplicates:
            dupes = answer.index[answer.index.duplicated()].unique()
            return None, (
                f"Some groups appear more than once in your table ({list_labels(list(dupes))}): "
                "each group should have exactly one row."
            )
        if set(answer.index) != set(expected.index):
            as_text = _normalise_index(answer.index)
            if set(as_text) == set(_normalise_index(expected.index)):
                answer = answer.copy()
                by_text = dict(zip(_normalise_index(expected.index), expected.index, strict=True))
                answer.index = pd.Index([by_text[t] for t in as_text])
            else:
                exp_text, ans_text = set(_normalise_index(expected.index)), set(as_text)
                missing = [str(x) for x in expected.index if str(x).strip().lower() not in ans_text]
                extra = [str(x) for x in answer.index if str(x).strip().lower() not in exp_text]
                if not (exp_text & ans_text):
                    return None, (
                        f"The row labels of your table do not match the groups asked for "
                        f"(your table has {len(answer)} rows; the answer has {len(expected)}). "
                        "Check which column you grouped by, or set the group column as the index."
                    )
                parts = []
                if missing:
                    parts.append(f"it is missing these groups: {list_labels(missing)}")
                if extra:
                    parts.append(
                        f"it has groups that should not be there: {list_labels(extra)} "
                        "(did you filter the rows first?)"
                    )
                return None, f"Your table has the wrong rows: {'; '.join(parts)}."
        return answer, None

    def _matches(
        self,
        answer: pd.Series | pd.DataFrame,
        expected: pd.Series | pd.DataFrame,
        kind: Quantity | None = None,
    ) -> tuple[list[str], list[str], bool]:
        """Return (columns missing, row labels whose values differ, every difference coarse?)."""
        ans_cols = self._columns(answer)
        missing_cols = [c for c in self._columns(expected) if c not in ans_cols]
        differing: dict[str, None] = {}
        all_coarse = True
        for name, column in self._columns(expected).items():
            if name not in ans_cols:
                continue
            ok, coarse = self._values_match(ans_cols[name], column, kind)
            wrong = ~ok.to_numpy()
            all_coarse &= bool(coarse.to_numpy()[wrong].all())
            for label in ok.index[wrong]:
                differing[str(label)] = None
        return missing_cols, list(differing), all_coarse and bool(differing)

    def _scaled(self, table: pd.Series | pd.DataFrame, factor: float) -> pd.Series | pd.DataFrame:
        if isinstance(table, pd.Series):
            return table * factor if pd.api.types.is_numeric_dtype(table) else table
        out = table.copy()
        for col in out.columns:
            if pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
                out[col] = out[col] * factor
        return out

    def _compare(self, answer: Any, data: Any) -> CheckResult:
        expected = self.expected(data=data)
        coerced = self._coerce(answer, expected)
        if (
            coerced is None
            and isinstance(answer, list | tuple | np.ndarray)
            and isinstance(expected, pd.Series)
        ):
            return self._not_yet(
                f"Your answer is a list of {len(answer)} values, and a plain list has no group "
                "labels. Keep the result of groupby as it is (a Series), so each value keeps "
                "the name of its group.",
                WRONG_FORM,
            )
        if coerced is None and isinstance(answer, pd.DataFrame) and isinstance(expected, pd.Series):
            # A whole table handed in (counts, residents and the rate): the column that is
            # the answer is taken, if one is.
            for column in answer.columns:
                if self._same_table(answer[column], expected):
                    return self._result(CORRECT, f"well done, the column {column} is right.")
        if coerced is None:
            what = "one column of values" if isinstance(expected, pd.Series) else "a table"
            return self._not_yet(
                f"Your answer is {describe_type(answer)}, but this question asks for {what}.",
                WRONG_FORM,
            )
        from_list = isinstance(answer, list | tuple | np.ndarray)
        aligned, problem = self._align_index(coerced, expected)
        if aligned is None:
            for misconception, wrong in self._misconception_values(data):
                if self._same_table(coerced, wrong):
                    return self._not_yet(misconception.message, misconception.name)
            return self._not_yet(problem or self.advice, WRONG_ROWS)
        missing_cols, differing, coarse = self._matches(aligned, expected)
        if missing_cols:
            return self._not_yet(
                f"Your table is missing these columns: {list_labels(missing_cols)}.",
                MISSING_COLUMNS,
            )
        if not differing:
            if self.check_order and [str(x) for x in aligned.index] != [
                str(x) for x in expected.index
            ]:
                return self._not_yet(
                    "The values are right, but the rows are not in the order asked for: "
                    "sort them as the question says.",
                    WRONG_ORDER,
                )
            return self._result(CORRECT, "well done, every row matches.")
        for misconception, wrong in self._misconception_values(data):
            if self._same_table(aligned, wrong):
                return self._not_yet(misconception.message, misconception.name)
        if coarse or self._rounded_to(aligned, expected) is not None:
            return self._not_yet(
                f"The rows {list_labels(differing)} hold the right values, rounded more than "
                "this question allows. Keep more digits (round as the lesson prints its "
                "tables), or leave the values unrounded.",
                ROUNDED_TOO_FAR,
            )
        for factor in FACTORS:
            for scale, words in ((factor, "large"), (1 / factor, "small")):
                kind = self.quantity.scaled(scale)
                if not self._matches(aligned, self._scaled(expected, scale), kind)[1]:
                    return self._not_yet(
                        scale_message(factor, words, every=True), f"too-{words}-x{factor}"
                    )
        if from_list:
            return self._not_yet(
                "Your answer is a plain list, so it has no group labels: the check could only "
                "match its values to the groups in the order the lesson lists them, and some "
                "do not match. Keep the result of groupby as it is (a Series), so each value "
                "keeps the name of its group.",
                LIST_WITHOUT_LABELS,
            )
        empty_rows = (
            aligned.isna() if isinstance(aligned, pd.Series) else aligned.isna().any(axis=1)
        )
        empty_labels = {str(k) for k in aligned.index[empty_rows.to_numpy()]}
        empty = [label for label in differing if label in empty_labels]
        if empty:
            return self._not_yet(
                f"Some rows of your table are empty (NaN) where the answer has a value: "
                f"{list_labels(empty)}. Check for groups with no records, or a division by zero.",
                EMPTY_ROWS,
            )
        return self._not_yet(
            f"{len(differing)} of {len(expected)} rows differ from the answer: "
            f"{list_labels(differing)}. {self.advice}",
            ROWS_DIFFER,
        )

    def _rounded_to(
        self, answer: pd.Series | pd.DataFrame, expected: pd.Series | pd.DataFrame
    ) -> int | None:
        """The decimal places the whole answer is the reference rounded to, if it is that."""
        pairs = [
            (
                pd.to_numeric(answer_col.reindex(column.index), errors="coerce").to_numpy(float),
                column.to_numpy(dtype=float),
            )
            for name, column in self._columns(expected).items()
            if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
            for answer_col in [self._columns(answer).get(name)]
            if answer_col is not None
        ]
        if not pairs:
            return None
        a = np.concatenate([p[0] for p in pairs])
        e = np.concatenate([p[1] for p in pairs])
        both = np.isfinite(a) & np.isfinite(e)
        if not both.any() or (np.isnan(a) != np.isnan(e)).any():
            return None
        for places in range(0, 4):
            if np.allclose(a[both], np.round(e[both], places), rtol=0, atol=1e-9):
                return places
        return None

    def _same_table(self, answer: Any, wrong: Any) -> bool:
        if not isinstance(wrong, pd.Series | pd.DataFrame):
            return False
        coerced = self._coerce(answer, wrong)
        if coerced is None:
            return False
        aligned, problem = self._align_index(coerced, wrong)
        if aligned is None:
            return False
        missing_cols, differing, _ = self._matches(aligned, wrong)
        return not missing_cols and not differing
