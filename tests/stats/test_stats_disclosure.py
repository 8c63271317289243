"""Tests for NHS-style disclosure control with secondary suppression."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mhtrain.errors import MhtrainError
from mhtrain.stats import disclosure_control

# Counts that often fall in the suppressed range, as small-area breakdowns do.
counts = st.one_of(st.just(0), st.integers(1, 7), st.integers(8, 60), st.integers(61, 5000))


@st.composite
def count_tables(draw):
    shape = (draw(st.integers(1, 6)), draw(st.integers(1, 6)))
    values = draw(arrays(np.int64, shape, elements=counts))
    return pd.DataFrame(
        values,
        index=[f"group {i}" for i in range(shape[0])],
        columns=[f"area {j}" for j in range(shape[1])],
    )


def lines(published: pd.DataFrame):
    """Every row and column of a table with totals: each adds up to its total cell."""
    for _, row in published.iterrows():
        yield row.tolist()
    for _, column in published.items():
        yield column.tolist()


def assert_published_safely(original: pd.DataFrame, published: pd.DataFrame) -> None:
    values = published.to_numpy()
    shown = values != "*"
    for cell in values[shown]:
        assert isinstance(cell, int | np.integer)
        assert not 1 <= cell <= 7, "a count from 1 to 7 is visible"
        assert cell % 5 == 0, "a visible count is not a multiple of 5"
    # Rounded independently: the nearest multiple of 5 to the true count.
    truth = original.to_numpy()
    nearest = 5 * np.floor(truth / 5 + 0.5)
    assert (values[shown].astype(int) == nearest[shown]).all()
    # Recovery by subtraction needs every other cell of a row or column (with its total) to
    # be visible; so no line may hold exactly one hidden cell.
    for line in lines(published):
        assert sum(cell == "*" for cell in line) != 1, f"hidden cell recoverable in {line}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count_tables())
def test_margins_added_tables_are_published_safely(table):
    published = disclosure_control(table, margins=True)
    with_totals = table.copy()
    with_totals["Total"] = table.sum(axis=1)
    with_totals.loc["Total"] = with_totals.sum(axis=0)
    assert_published_safely(with_totals, published)
    primary = ((with_totals >= 1) & (with_totals <= 7)).to_numpy()
    assert (published.to_numpy()[primary] == "*").all()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count_tables())
def test_tables_with_their_own_totals_are_published_safely(table):
    with_totals = table.copy()
    with_totals["All areas"] = table.sum(axis=1)
    with_totals.loc["All groups"] = with_totals.sum(axis=0)
    published = disclosure_control(with_totals, total_row="All groups", total_column="All areas")
    assert_published_safely(with_totals, published)


def test_small_counts_are_starred_and_others_rounded_to_five():
    table = pd.DataFrame({"a": [0, 1, 7, 8, 12, 13, 1002]})
    published = disclosure_control(table)
    assert published["a"].tolist() == [0, "*", "*", 10, 10, 15, 1000]
    assert published.attrs["primary_suppressed"] == 2
    assert published.attrs["secondary_suppressed"] == 0


def test_a_lone_hidden_cell_gets_a_partner_in_its_row_and_column():
    table = pd.DataFrame([[3, 40, 12], [20, 0, 9], [100, 55, 30]], columns=["x", "y", "z"])
    published = disclosure_control(table, margins=True)
    status = pd.DataFrame(
        published.attrs["suppression"], index=published.index, columns=published.columns
    )
    assert status.loc[0, "x"] == "primary"
    assert (status == "secondary").to_numpy().sum() >= 3  # row 0, column x, and a rectangle
    assert_published_safely(
        table.assign(Total=table.sum(axis=1)).pipe(
            lambda t: pd.concat([t, t.sum().to_frame("Total").T])
        ),
        published,
    )


def test_secondary_suppression_prefers_forming_a_rectangle():
    table = pd.DataFrame([[3, 40, 12], [20, 0, 9], [100, 55, 2]], columns=["x", "y", "z"])
    published = disclosure_control(table, margins=True)
    assert published.attrs["secondary_suppressed"] == 2
    hidden = published.to_numpy() == "*"
    assert hidden[[0, 0, 2, 2], [0, 2, 0, 2]].all()


def test_the_output_carries_a_note_saying_what_was_done():
    published = disclosure_control(pd.DataFrame([[3, 50], [60, 70]]), margins=True)
    note = published.attrs["disclosure_note"]
    assert "1 to 7" in note and "nearest 5" in note and "further" in note
    calm = disclosure_control(pd.DataFrame([[30, 50], [60, 70]]), margins=True)
    assert "No count needed to be hidden" in calm.attrs["disclosure_note"]


def test_totals_that_do_not_add_up_are_an_error():
    table = pd.DataFrame({"a": [5, 10], "Total": [5, 11]})
    with pytest.raises(MhtrainError, match="Total"):
        disclosure_control(table, total_column="Total")


@pytest.mark.parametrize("bad", [-1, 2.5, np.nan])
def test_impossible_counts_are_an_error(bad):
    with pytest.raises(MhtrainError):
        disclosure_control(pd.DataFrame({"a": [10, bad]}))


def test_margins_and_named_totals_together_are_an_error():
    with pytest.raises(MhtrainError, match="not both"):
        disclosure_control(pd.DataFrame({"a": [1]}), margins=True, total_row=0)


def test_published_table_can_be_converted_and_joined_like_any_table():
    table = pd.DataFrame([[3, 40], [20, 9]], columns=["x", "y"])
    published = disclosure_control(table)
    assert published.astype(str).shape == table.shape
    assert len(pd.concat([published, published])) == 4


def test_named_rule_sets_are_credited_to_who_uses_them():
    from mhtrain.stats.disclosure import RULE_SETS

    assert "OpenSAFELY" in RULE_SETS["hes_opensafely"].credit
    assert "Hospital Episode Statistics" in RULE_SETS["hes_opensafely"].credit
    assert "Mental Health Services Monthly Statistics" in RULE_SETS["mhsds"].credit
    published = disclosure_control(pd.DataFrame([[3, 50], [60, 70]]), margins=True)
    assert published.attrs["rules"] == "hes_opensafely"
    assert "OpenSAFELY" in published.attrs["disclosure_note"]


def test_mhsds_rules_hide_under_five_leave_totals_unrounded_and_add_no_secondary():
    table = pd.DataFrame([[4, 52, 13], [5, 0, 9], [101, 57, 2]], columns=["x", "y", "z"])
    published = disclosure_control(table, rules="mhsds", margins=True)
    hidden = published.to_numpy() == "*"
    # 4 and 2 are under 5: hidden; 5 is shown (rounded to 5); no partner cells hidden
    assert hidden.sum() == 2 and hidden[0, 0] and hidden[2, 2]
    assert published.attrs["secondary_suppressed"] == 0
    assert published.loc[1, "x"] == 5 and published.loc[0, "y"] == 50
    # totals (England level) keep their exact values
    assert published.loc["Total", "Total"] == table.to_numpy().sum()
    assert published.loc[0, "Total"] == 69
    assert "not rounded" in published.attrs["disclosure_note"]


def test_secondary_suppression_alone_does_not_round_and_can_be_undone_by_differencing():
    """Without rounding, a hidden pair in a row can be recovered from the column totals."""
    table = pd.DataFrame([[3, 40, 12], [20, 0, 9], [100, 55, 2]], columns=["x", "y", "z"])
    published = disclosure_control(table, rules="secondary_only", margins=True)
    assert published.loc[0, "y"] == 40  # shown exactly
    hidden = published.to_numpy() == "*"
    assert hidden.sum() == 4
    # column x: total minus the shown cells gives the sum of the hidden ones exactly
    shown = sum(v for v in published["x"].iloc[:-1] if v != "*")
    assert published.loc["Total", "x"] - shown == 3 + 100


def test_unknown_rules_are_an_error_naming_the_choices():
    with pytest.raises(MhtrainError, match="hes_opensafely, mhsds, secondary_only"):
        disclosure_control(pd.DataFrame([[1]]), rules="nhs")
