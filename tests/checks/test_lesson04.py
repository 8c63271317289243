"""Tests of lesson 4's checks: right answers pass, known mistakes are named, answers never leak."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from leaks import shows_value

import mhtrain
from mhtrain import stats
from mhtrain.checks import CORRECT, NOT_ATTEMPTED, NOT_YET, RECEIVED
from mhtrain.checks import lesson04 as ex
from mhtrain.checks.core.tolerance import matches
from mhtrain.course.build import read_lesson
from mhtrain.specload import standard_population

LESSON = Path(__file__).resolve().parents[2] / "notebooks" / "04-like-with-like.md"

#: Seed of the generated dataset these tests use; big enough for the Black and White groups to
#: have ten detentions or more each, so that their standardised rates are given.
SEED = 11
POPULATION = 300_000

#: One ethnic category code for each broad group, for hand-built datasets.
CODE = {"White": "A", "Mixed": "D", "Asian": "H", "Black": "M", "Other": "S"}


@pytest.fixture(scope="module")
def data():
    return mhtrain.generate(population=POPULATION, seed=SEED)


@pytest.fixture(scope="module")
def esp() -> pd.Series:
    return standard_population("esp2013").set_index("age_band")["weight"]


def _by_hand(data, esp) -> pd.DataFrame:
    """Detentions and residents by broad group and age band, made from the code list."""
    broad = mhtrain.codes("ethnic_category").set_index("code")["broad"]
    people = data.people.set_index("person_id")
    who = people.loc[data.mha_detentions["person_id"]]
    events = (
        pd.DataFrame({"g": who["ethnic_category"].map(broad).to_numpy(), "a": who["age_band"]})
        .value_counts()
        .rename("detentions")
    )
    pop = data.population
    residents = pop.groupby([pop["ethnic_category"].map(broad), pop["age_band"]])["residents"].sum()
    groups = sorted(pop["ethnic_category"].map(broad).unique())
    index = pd.MultiIndex.from_product([groups, esp.index], names=["ethnic_group", "age_band"])
    return pd.DataFrame(
        {
            "detentions": events.reindex(index, fill_value=0).to_numpy(),
            "residents": residents.reindex(index, fill_value=0).to_numpy(),
        },
        index=index,
    )


def _rates(table) -> pd.Series:
    return table["detentions"] / table["residents"] * 100_000


def _dsr(table, group, esp) -> float:
    rates = _rates(table).loc[group]
    return float((rates * esp).sum() / esp.sum())


def _crude(table, group) -> float:
    rows = table.loc[group]
    return float(rows["detentions"].sum() / rows["residents"].sum() * 100_000)


def _leaks(value: float, message: str) -> bool:
    return shows_value(value, message)


# ------------------------------------------------------------------------------------------
# The table the lesson builds
# ------------------------------------------------------------------------------------------


def test_table_has_every_group_and_age_band_in_order(data, esp):
    table = ex.detentions_by_age(data)
    assert list(table.loc["White"].index) == list(esp.index)
    assert len(table) == 5 * len(esp)
    assert (table["residents"] > 0).all()


def test_table_matches_a_count_made_from_the_code_list(data, esp):
    pd.testing.assert_frame_equal(ex.detentions_by_age(data), _by_hand(data, esp))


def test_table_counts_zero_where_nobody_was_detained_and_drops_unknown_groups(esp):
    people = pd.DataFrame(
        {
            "person_id": ["P1", "P2", "P3"],
            "ethnic_category": ["A", "M", "Z"],
            "age_band": ["20-24", "20-24", "30-34"],
        }
    )
    population = pd.DataFrame(
        {
            "ethnic_category": ["A"] * len(esp) + ["M"] * len(esp),
            "age_band": list(esp.index) * 2,
            "residents": [1000] * (2 * len(esp)),
        }
    )
    made_up = SimpleNamespace(
        people=people, mha_detentions=people[["person_id"]], population=population
    )
    table = ex.detentions_by_age(made_up)
    assert table["detentions"].sum() == 2
    assert table.loc[("Black", "20-24"), "detentions"] == 1
    assert table.loc[("Black", "30-34"), "detentions"] == 0
    assert "Unknown" not in table.index.get_level_values("ethnic_group")


def test_reference_values_agree_with_the_truth_record(data):
    truth = data.truth["detention"]["rate_ratio_vs_white_recorded"]["Black"]
    assert ex.q3.expected(data=data) == pytest.approx(truth["age_standardised"], rel=1e-5)
    assert ex._crude_ratio(data) == pytest.approx(truth["crude"], rel=1e-5)


def test_hand_standardised_rate_matches_the_stats_library(data):
    table = stats.directly_standardised_rate(
        ex.detentions_by_age(data).reset_index(),
        by="ethnic_group",
        events="detentions",
        population="residents",
    ).set_index("ethnic_group")
    assert ex.q2.expected(data=data) == pytest.approx(table.loc["Black", "dsr"], rel=1e-9)


# ------------------------------------------------------------------------------------------
# Exercise 1: age-specific rates
# ------------------------------------------------------------------------------------------


def test_q1_rates_for_every_group_and_band_are_correct(data, esp):
    assert ex.q1.evaluate(_rates(_by_hand(data, esp)), data=data).status == CORRECT


def test_q1_worked_solution_gives_a_correct_answer(data):
    namespace = {"by_age": ex.detentions_by_age(data)}
    exec(ex.q1.solution_text, namespace)
    assert ex.q1.evaluate(namespace["age_rates"], data=data).status == CORRECT


@pytest.mark.parametrize("layout", ["groups as columns", "bands as columns"])
def test_q1_rates_spread_out_wide_are_correct(data, esp, layout):
    wide = _rates(_by_hand(data, esp)).unstack("ethnic_group")
    answer = wide if layout == "groups as columns" else wide.T
    assert ex.q1.evaluate(answer, data=data).status == CORRECT


def test_q1_placeholder_is_not_attempted(data):
    assert ex.q1.evaluate(..., data=data).status == NOT_ATTEMPTED


def test_q1_dividing_by_the_group_total_is_named(data, esp):
    table = _by_hand(data, esp)
    totals = table["residents"].groupby(level=0).transform("sum")
    result = ex.q1.evaluate(table["detentions"] / totals * 100_000, data=data)
    assert result.status == NOT_YET
    assert result.misconception == "group-total-denominator"


def test_q1_dividing_by_every_group_in_the_band_is_named(data, esp):
    table = _by_hand(data, esp)
    totals = table["residents"].groupby(level=1).transform("sum")
    result = ex.q1.evaluate(table["detentions"] / totals * 100_000, data=data)
    assert result.status == NOT_YET
    assert result.misconception == "all-groups-denominator"


def test_q1_rates_per_person_are_called_too_small(data, esp):
    result = ex.q1.evaluate(_rates(_by_hand(data, esp)) / 100_000, data=data)
    assert result.status == NOT_YET
    assert "too small" in result.message


def test_q1_one_group_only_names_the_missing_groups(data, esp):
    result = ex.q1.evaluate(_rates(_by_hand(data, esp)).loc[["Black"]], data=data)
    assert result.status == NOT_YET
    assert "missing these groups" in result.message
    assert "Asian" in result.message


# ------------------------------------------------------------------------------------------
# Exercise 1b: the ages where detention is rarest
# ------------------------------------------------------------------------------------------


def test_q1b_children_are_where_detention_is_rarest(data):
    assert ex.q1b.evaluate("a", data=data).status == CORRECT
    assert ex.q1b.evaluate("b", data=data).status == NOT_YET
    assert ex.q1b.evaluate("c", data=data).status == NOT_YET


def test_q1b_right_answer_follows_the_data(esp):
    """If older people were the least often detained, the answer would be "65 and over"."""
    bands = list(esp.index)
    older = {"65-69", "70-74", "75-79", "80-84", "85-89", "90+"}
    ids = [f"P{i}" for i in range(len(bands) - len(older))]
    people = pd.DataFrame(
        {
            "person_id": ids,
            "ethnic_category": "A",
            "age_band": [b for b in bands if b not in older],
        }
    )
    population = pd.DataFrame(
        {
            "ethnic_category": ["A"] * len(bands) + ["M"] * len(bands),
            "age_band": bands * 2,
            "residents": [1000] * (2 * len(bands)),
        }
    )
    made_up = SimpleNamespace(
        people=people, mha_detentions=people[["person_id"]], population=population
    )
    assert ex.q1b.evaluate("c", data=made_up).status == CORRECT
    assert ex.q1b.evaluate("a", data=made_up).status == NOT_YET


# ------------------------------------------------------------------------------------------
# Exercise 2: the Black group's standardised rate by hand
# ------------------------------------------------------------------------------------------


def test_q2_right_rate_is_correct(data, esp):
    assert ex.q2.evaluate(_dsr(_by_hand(data, esp), "Black", esp), data=data).status == CORRECT


def test_q2_rate_copied_from_the_rounded_table_is_correct(data, esp):
    answer = round(_dsr(_by_hand(data, esp), "Black", esp), 1)
    assert ex.q2.evaluate(answer, data=data).status == CORRECT


def test_q2_worked_solution_gives_a_correct_answer(data, esp):
    namespace = {"by_age": ex.detentions_by_age(data), "weights": esp}
    exec(ex.q2.solution_text, namespace)
    assert ex.q2.evaluate(namespace["dsr_black"], data=data).status == CORRECT


def test_q2_placeholder_is_not_attempted(data):
    assert ex.q2.evaluate(..., data=data).status == NOT_ATTEMPTED


def _q2_wrong_answers(data, esp) -> dict[str, float]:
    table = _by_hand(data, esp)
    rates = _rates(table).loc["Black"]
    area = table["residents"].groupby(level="age_band").sum().reindex(esp.index)
    return {
        "crude-rate": _crude(table, "Black"),
        "forgot-total-weight": float((rates * esp).sum()),
        "unweighted-mean": float(rates.mean()),
        "own-population-weights": float((rates * area).sum() / area.sum()),
        "white-group": _dsr(table, "White", esp),
    }


@pytest.mark.parametrize(
    "misconception",
    [
        "crude-rate",
        "forgot-total-weight",
        "unweighted-mean",
        "own-population-weights",
        "white-group",
    ],
)
def test_q2_misconceptions_are_named_without_giving_the_answer(data, esp, misconception):
    result = ex.q2.evaluate(_q2_wrong_answers(data, esp)[misconception], data=data)
    assert result.status == NOT_YET
    assert result.misconception == misconception
    assert not _leaks(ex.q2.expected(data=data), result.message)


def test_q2_weighting_by_the_groups_own_ages_gives_the_crude_rate_and_is_named(data, esp):
    table = _by_hand(data, esp).loc["Black"]
    own = table["residents"]
    answer = float((_rates(table) * own).sum() / own.sum())
    result = ex.q2.evaluate(answer, data=data)
    assert result.misconception == "crude-rate"
    assert "own age make-up" in result.message


def test_q2_no_wrong_answer_is_within_the_tolerance_of_the_right_one(data, esp):
    expected = ex.q2.expected(data=data)
    for wrong in _q2_wrong_answers(data, esp).values():
        assert not matches(wrong, expected, ex.q2.quantity)


# ------------------------------------------------------------------------------------------
# Exercise 3: the standardised rate ratio
# ------------------------------------------------------------------------------------------


def test_q3_ratio_of_hand_standardised_rates_is_correct(data, esp):
    table = _by_hand(data, esp)
    answer = _dsr(table, "Black", esp) / _dsr(table, "White", esp)
    assert ex.q3.evaluate(answer, data=data).status == CORRECT


def test_q3_ratio_of_rates_read_from_the_rounded_table_is_correct(data, esp):
    table = _by_hand(data, esp)
    answer = round(_dsr(table, "Black", esp), 1) / round(_dsr(table, "White", esp), 1)
    assert ex.q3.evaluate(answer, data=data).status == CORRECT


def test_q3_worked_solution_gives_a_correct_answer(data):
    namespace = {"by_age": ex.detentions_by_age(data), "stats": stats}
    exec(ex.q3.solution_text, namespace)
    assert ex.q3.evaluate(namespace["std_ratio"], data=data).status == CORRECT


def test_q3_placeholder_is_not_attempted(data):
    assert ex.q3.evaluate(..., data=data).status == NOT_ATTEMPTED


@pytest.mark.parametrize("misconception", ["crude-ratio", "upside-down", "rate-difference"])
def test_q3_misconceptions_are_named_without_giving_the_answer(data, esp, misconception):
    table = _by_hand(data, esp)
    black, white = _dsr(table, "Black", esp), _dsr(table, "White", esp)
    answer = {
        "crude-ratio": _crude(table, "Black") / _crude(table, "White"),
        "upside-down": white / black,
        "rate-difference": black - white,
    }[misconception]
    result = ex.q3.evaluate(answer, data=data)
    assert result.status == NOT_YET
    assert result.misconception == misconception
    assert not _leaks(ex.q3.expected(data=data), result.message)


# ------------------------------------------------------------------------------------------
# Exercise 4: bigger or smaller
# ------------------------------------------------------------------------------------------


def test_q4_right_choice_follows_the_truth_record(data):
    truth = data.truth["detention"]["rate_ratio_vs_white_recorded"]["Black"]
    crude, standardised = round(truth["crude"], 2), round(truth["age_standardised"], 2)
    key = "a" if standardised > crude else "b" if standardised < crude else "c"
    assert ex.q4.evaluate(key, data=data).status == CORRECT
    for other in {"a", "b", "c"} - {key}:
        assert ex.q4.evaluate(other, data=data).status == NOT_YET


def _two_towns(black_children: int, black_adults: int, *, black_adult_events: int):
    """Black and White groups with the same risk for children (none) but different ages."""
    rng = np.random.default_rng(SEED)
    bands = list(standard_population("esp2013")["age_band"])
    rows, people = [], []
    for group, children, adults, adult_events in (
        ("Black", black_children, black_adults, black_adult_events),
        ("White", 10_000, 10_000, 100),
    ):
        for band in bands:
            child = band in {"0-4", "5-9", "10-14"}
            residents = (children if child else adults) // (3 if child else len(bands) - 3)
            rows.append((CODE[group], band, residents))
            if not child:
                events = adult_events // (len(bands) - 3) + int(rng.integers(0, 2))
                people += [(CODE[group], band)] * events
    population = pd.DataFrame(rows, columns=["ethnic_category", "age_band", "residents"])
    people = pd.DataFrame(people, columns=["ethnic_category", "age_band"])
    people["person_id"] = [f"P{i}" for i in range(len(people))]
    return SimpleNamespace(
        people=people, mha_detentions=people[["person_id"]], population=population
    )


def test_q4_right_choice_depends_on_the_data():
    # Many children in the Black group pull its crude rate down: standardising raises it.
    young = _two_towns(30_000, 10_000, black_adult_events=300)
    assert ex.q4.expected(data=young) == "a"
    # Few children: its crude rate is pushed up, so standardising lowers the ratio.
    old = _two_towns(1_000, 10_000, black_adult_events=300)
    assert ex.q4.expected(data=old) == "b"


def test_q4_placeholder_is_not_attempted(data):
    assert ex.q4.evaluate(..., data=data).status == NOT_ATTEMPTED


# ------------------------------------------------------------------------------------------
# Exercise 5 and the lesson text
# ------------------------------------------------------------------------------------------


def test_q5_written_answer_is_received_not_marked():
    assert ex.q5.check().status == RECEIVED
    assert "age only" in ex.q5.solution().lower()


def test_q5_model_answer_is_the_one_in_the_lesson():
    nb = read_lesson(LESSON)
    [written] = [
        c
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
    ]
    assert " ".join(written.source.split()) == " ".join(ex.q5.model_answer.split())


def test_lesson4_is_easy_to_read():
    from mhtrain.course.readability import TARGET, flesch_reading_ease

    assert flesch_reading_ease(LESSON) >= TARGET


def test_lesson4_opens_and_closes_as_the_style_guide_asks():
    text = LESSON.read_text(encoding="utf-8")
    assert text.index("# 4. Like with like") < text.index("**Content note.**")
    for heading in (
        "**Who this is for:**",
        "**Time needed:**",
        "**What you will learn.**",
        "## Key points",
        "## Reflection",
    ):
        assert heading in text
    assert "no real person is in them" in text
    assert "2013 European Standard" in text


def test_lesson4_has_a_hidden_test_and_a_written_answer():
    nb = read_lesson(LESSON)
    assert any("BEGIN HIDDEN TESTS" in c.source for c in nb.cells if c.cell_type == "code")
    assert any(
        c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade") for c in nb.cells
    )
