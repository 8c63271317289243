"""Tests of lesson 9's checks: charts, disclosure control, unique people and a written message."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from mhtrain import stats
from mhtrain.checks import CORRECT, NOT_ATTEMPTED, NOT_YET, RECEIVED
from mhtrain.checks import lesson09 as ex

# One ethnic category code and one age (in years) for each row and column of the table.
CODE_OF_GROUP = {"Asian": "H", "Black": "M", "Mixed": "D", "White": "A", "Other": "S"}
CODE_OF_GROUP["Unknown"] = "99"
AGE_OF_GROUP = {"Under 18": 10, "18 to 24": 20, "25 to 64": 40, "65 and over": 70}

# Counts with two small cells in one column: each of their rows needs a second hidden cell.
HAND_COUNTS = pd.DataFrame(
    [
        [0, 20, 30, 10],
        [3, 25, 40, 12],
        [2, 15, 18, 9],
        [10, 60, 90, 50],
        [0, 11, 14, 8],
        [0, 30, 35, 20],
    ],
    index=ex.ETHNIC_GROUPS,
    columns=ex.AGE_GROUPS,
)


def _dataset_with_counts(counts: pd.DataFrame) -> SimpleNamespace:
    """People and detentions whose table of detentions by group and age is ``counts``."""
    people, detentions = [], []
    for group in counts.index:
        for age_group in counts.columns:
            for _ in range(int(counts.loc[group, age_group])):
                pid = f"P{len(people):05d}"
                people.append(
                    {
                        "person_id": pid,
                        "ethnic_category": CODE_OF_GROUP[group],
                        "age": AGE_OF_GROUP[age_group],
                    }
                )
                detentions.append({"detention_id": f"D{len(detentions):05d}", "person_id": pid})
    return SimpleNamespace(people=pd.DataFrame(people), mha_detentions=pd.DataFrame(detentions))


@pytest.fixture(scope="module")
def hand():
    return _dataset_with_counts(HAND_COUNTS)


@pytest.fixture(scope="module")
def data(small_dataset):
    return small_dataset


def _numbers_in(text: str) -> set[str]:
    return set(re.findall(r"\d[\d,.]*", text))


def _assert_table_not_revealed(message: str, table: pd.DataFrame) -> None:
    shown = {str(v) for v in table.to_numpy().ravel() if isinstance(v, int | np.integer) and v > 9}
    assert not (shown & _numbers_in(message))


# --------------------------------------------------------------------------------------------
# The table of detentions by ethnic group and age group.
# --------------------------------------------------------------------------------------------


def test_detention_counts_rebuild_the_table_the_records_were_made_from(hand):
    counts = ex.detention_counts(hand)
    assert counts.to_numpy().tolist() == HAND_COUNTS.to_numpy().tolist()
    assert list(counts.index) == ex.ETHNIC_GROUPS
    assert list(counts.columns) == ex.AGE_GROUPS


def test_detention_counts_add_up_to_every_detention(data):
    assert ex.detention_counts(data).to_numpy().sum() == len(data.mha_detentions)


# --------------------------------------------------------------------------------------------
# Exercise 1 and the other choices.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exercise", "right", "wrong"),
    [
        (ex.q1, "b", {"a": "zero-hides-gaps", "c": "same-numbers-same-message"}),
        (ex.q2b, "b", {"a": "star-is-enough", "c": "only-a-range"}),
        (ex.q3b, "c", {"a": "fields-hide-people", "b": "no-change"}),
    ],
)
def test_choices_accept_the_right_option_and_name_each_tempting_wrong_one(exercise, right, wrong):
    assert exercise.evaluate(right, data=object()).status == CORRECT
    assert exercise.evaluate(right.upper(), data=object()).status == CORRECT
    assert exercise.evaluate(..., data=object()).status == NOT_ATTEMPTED
    for key, name in wrong.items():
        result = exercise.evaluate(key, data=object())
        assert result.status == NOT_YET
        assert result.misconception == name
        assert f'"{right}"' not in result.message


def test_q2b_right_option_is_the_one_the_table_gives_away():
    """The total minus the two shown wards is a count from 1 to 7: a reader recovers it."""
    ward_a, ward_c, total = 12, 9, 26
    hidden = total - ward_a - ward_c
    assert 1 <= hidden <= 7
    assert "exactly" in ex.q2b.options[ex.q2b.expected(data=object())]


def test_q3b_right_option_matches_the_table_the_lesson_shows(data):
    fields = [["age"], ["age", "sex"], ["age", "sex", "ethnic_category"]]
    table = ex.uniqueness_table(data, fields)
    unique = table["people unique"].tolist()
    assert unique == sorted(unique) and unique[-1] > unique[0]
    assert "More" in ex.q3b.options[ex.q3b.expected(data=data)]


# --------------------------------------------------------------------------------------------
# Exercise 2: disclosure control.
# --------------------------------------------------------------------------------------------


def test_q2_solution_from_the_library_is_correct(data):
    counts = ex.detention_counts(data)
    namespace = {"stats": stats, "counts": counts}
    exec(ex.q2.solution_text, namespace)
    assert ex.q2.evaluate(namespace["published"], data=data).status == CORRECT


def test_q2_placeholder_is_not_attempted(data):
    assert ex.q2.evaluate(..., data=data).status == NOT_ATTEMPTED


def test_q2_rules_applied_by_hand_are_correct(hand):
    """Hide 1 to 7, round to 5, then hide the smallest other count in each row with one *."""
    counts = HAND_COUNTS.copy()
    counts["Total"] = counts.sum(axis=1)
    counts.loc["Total"] = counts.sum(axis=0)
    by_hand = ((counts / 5).round() * 5).astype(int).astype(object)
    by_hand = by_hand.mask((counts >= 1) & (counts <= 7), "*")
    by_hand.loc["Black", "65 and over"] = "*"
    by_hand.loc["Mixed", "65 and over"] = "*"
    assert ex.q2.evaluate(by_hand, data=hand).status == CORRECT


def test_q2_accepts_counts_typed_as_text_or_decimals(hand):
    published = ex.q2.expected(data=hand).copy()
    published.attrs = {}  # its note and suppression pattern are not part of the answer
    as_text = published.astype(str)
    as_float = published.map(lambda v: v if v == "*" else float(v))
    assert ex.q2.evaluate(as_text, data=hand).status == CORRECT
    assert ex.q2.evaluate(as_float, data=hand).status == CORRECT


def test_q2_accepts_another_safe_choice_of_second_cells(hand):
    expected = ex.q2.expected(data=hand)
    other = expected.copy()
    for group in ("Black", "Mixed"):
        other.loc[group, "65 and over"] = round(HAND_COUNTS.loc[group, "65 and over"] / 5) * 5
        other.loc[group, "18 to 24"] = "*"
    assert not other.equals(expected)
    result = ex.q2.evaluate(other, data=hand)
    assert result.status == CORRECT
    assert "different extra cells" in result.message


def test_q2_does_not_accept_hiding_far_more_than_needed(hand):
    everything_hidden = ex.q2.expected(data=hand).copy()
    for group in ("Black", "Mixed"):
        everything_hidden.loc[group] = "*"
    everything_hidden.loc["Total", "Under 18"] = "*"
    assert ex.q2.evaluate(everything_hidden, data=hand).status == NOT_YET


def test_q2_does_not_accept_a_second_cell_that_leaves_a_line_with_one_star(hand):
    unsafe = ex.q2.expected(data=hand).copy()
    unsafe.loc["Black", "65 and over"] = round(HAND_COUNTS.loc["Black", "65 and over"] / 5) * 5
    unsafe.loc["Black", "18 to 24"] = "*"  # the 65 and over column now has a single *
    assert ex.q2.evaluate(unsafe, data=hand).status == NOT_YET


def _hide_zeros(counts_with_totals: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    return published.mask(counts_with_totals == 0, "*")


@pytest.mark.parametrize("which", ["hand", "data"])
def test_q2_misconceptions_are_named_without_revealing_the_table(hand, data, which):
    dataset = hand if which == "hand" else data
    counts = ex.detention_counts(dataset)
    with_totals = counts.copy()
    with_totals["Total"] = with_totals.sum(axis=1)
    with_totals.loc["Total"] = with_totals.sum(axis=0)
    expected = ex.q2.expected(data=dataset)
    small = (with_totals >= 1) & (with_totals <= 7)
    rounded = ((with_totals / 5).round() * 5).astype(int)
    wrong_answers = {
        "not-rounded": stats.disclosure_control(counts, margins=True, base=1),
        "no-totals": stats.disclosure_control(counts),
    }
    # leaving out secondary suppression is only a mistake where a line has a single "*"
    if expected.attrs["secondary_suppressed"]:
        wrong_answers["no-secondary-suppression"] = rounded.astype(object).mask(small, "*")
    assert "no-secondary-suppression" in wrong_answers or which == "data"
    if (with_totals == 0).to_numpy().any():
        wrong_answers["suppressed-zeros"] = _hide_zeros(with_totals, expected)
    assert "suppressed-zeros" in wrong_answers or which == "data"
    for name, wrong in wrong_answers.items():
        result = ex.q2.evaluate(wrong, data=dataset)
        assert result.status == NOT_YET, name
        assert result.misconception == name
        _assert_table_not_revealed(result.message, expected)


def test_q2_a_list_is_not_a_table(hand):
    result = ex.q2.evaluate([1, 2, 3], data=hand)
    assert result.status == NOT_YET
    assert "table" in result.message


# --------------------------------------------------------------------------------------------
# Exercise 3: people who are unique.
# --------------------------------------------------------------------------------------------


def _unique_by_hand(people: pd.DataFrame, fields: list[str]) -> int:
    keys = people[fields].astype(str).agg("|".join, axis=1)
    return int((keys.map(keys.value_counts()) == 1).sum())


def test_q3_right_count_is_correct(data):
    right = _unique_by_hand(data.people, ["age", "sex", "ethnic_category", "area_code"])
    assert ex.q3.evaluate(right, data=data).status == CORRECT
    assert ex.q3.evaluate(np.int64(right), data=data).status == CORRECT


def test_q3_worked_solution_gives_a_correct_answer(data):
    namespace = {"data": data}
    exec(ex.q3.solution_text, namespace)
    assert ex.q3.evaluate(namespace["unique_people"], data=data).status == CORRECT


def test_q3_placeholder_is_not_attempted(data):
    assert ex.q3.evaluate(..., data=data).status == NOT_ATTEMPTED


def test_q3_counts_people_not_combinations_on_a_tiny_table():
    """Three people share one combination and two are alone: two people are unique."""
    people = pd.DataFrame(
        {
            "age": [30, 30, 30, 41, 52],
            "age_band": ["30-34", "30-34", "30-34", "40-44", "50-54"],
            "sex": ["1"] * 5,
            "ethnic_category": ["A"] * 5,
            "area_code": ["SYN01"] * 5,
        }
    )
    tiny = SimpleNamespace(people=people)
    assert ex.q3.evaluate(2, data=tiny).status == CORRECT
    result = ex.q3.evaluate(3, data=tiny)  # three different combinations
    assert result.status == NOT_YET
    assert result.misconception == "counted-combinations"


def test_q3_misconceptions_are_named_without_revealing_the_answer(data):
    people = data.people
    fields = ["age", "sex", "ethnic_category", "area_code"]
    right = _unique_by_hand(people, fields)
    combinations = len(people[fields].drop_duplicates())
    wrong_answers = {
        "counted-combinations": combinations,
        "counted-shared": len(people) - right,
        "used-age-band": _unique_by_hand(
            people, ["age_band", "sex", "ethnic_category", "area_code"]
        ),
        "percentage-not-count": right / len(people) * 100,
    }
    assert len(set(wrong_answers.values()) | {right}) == len(wrong_answers) + 1
    for name, wrong in wrong_answers.items():
        result = ex.q3.evaluate(wrong, data=data)
        assert result.status == NOT_YET, name
        assert result.misconception == name
        for shown in (str(right), f"{right:,}", f"{right:.1f}"):
            assert shown not in result.message


def test_uniqueness_table_counts_and_shares_match_a_count_by_hand(data):
    fields = ["age", "sex", "ethnic_category"]
    table = ex.uniqueness_table(data, [fields])
    row = table.loc["age + sex + ethnic_category"]
    assert row["people unique"] == _unique_by_hand(data.people, fields)
    assert row["percent of people"] == pytest.approx(
        row["people unique"] / len(data.people) * 100, abs=0.05
    )


# --------------------------------------------------------------------------------------------
# Exercise 4 and hints.
# --------------------------------------------------------------------------------------------


def test_q4_written_message_is_received_and_points_to_the_model_answer():
    result = ex.q4.check()
    assert result.status == RECEIVED
    assert "model answer" in result.message
    model = ex.q4.solution().lower()
    assert "uncertain" in model and "?" in model


def test_q4_model_answer_is_the_one_in_the_lesson():
    from mhtrain.course.build import read_lesson

    nb = read_lesson("notebooks/09-telling-it-responsibly.md")
    [written] = [
        c
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
    ]
    assert " ".join(written.source.split()) == " ".join(ex.q4.model_answer.split())


def test_every_hint_sequence_ends_by_pointing_to_the_solution():
    for exercise in (ex.q1, ex.q2, ex.q2b, ex.q3, ex.q3b, ex.q4):
        assert "solution()" in exercise.hint(len(exercise.hints))
