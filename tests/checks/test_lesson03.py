"""Tests of lesson 3's checks: right answers pass, known mistakes are named, answers never leak."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from leaks import shows_value

import mhtrain
from mhtrain import stats
from mhtrain.checks import CORRECT, NOT_ATTEMPTED, NOT_YET, RECEIVED
from mhtrain.checks import lesson03 as ex
from mhtrain.course.build import read_lesson

LESSON = Path(__file__).resolve().parents[2] / "notebooks" / "03-comparing-groups.md"

#: Seed of the generated dataset these tests use (big enough for every group to have detentions).
SEED = 11
POPULATION = 300_000

#: One ethnic category code for each broad group, for hand-built datasets.
CODE = {"White": "A", "Mixed": "D", "Asian": "H", "Black": "M", "Other": "S"}


@pytest.fixture(scope="module")
def data():
    return mhtrain.generate(population=POPULATION, seed=SEED)


def _by_hand(data) -> pd.DataFrame:
    """Detentions and residents by broad group, worked out from the code list (not the module)."""
    broad = mhtrain.codes("ethnic_category").set_index("code")["broad"]
    people = data.people.set_index("person_id")["ethnic_category"]
    groups = data.mha_detentions["person_id"].map(people).map(broad)
    pop = data.population
    residents = pop.groupby(pop["ethnic_category"].map(broad))["residents"].sum()
    detentions = groups.value_counts().reindex(residents.index, fill_value=0)
    return pd.DataFrame({"detentions": detentions, "residents": residents})


def _rate(table, group):
    return table.loc[group, "detentions"] / table.loc[group, "residents"] * 100_000


def _made_up(groups: dict[str, tuple[int, int]], *, unknown: int = 0) -> SimpleNamespace:
    """A tiny dataset: {broad group: (residents, detentions)}, plus detentions with no group."""
    population = pd.DataFrame(
        {
            "ethnic_category": [CODE[g] for g in groups],
            "residents": [n for n, _ in groups.values()],
        }
    )
    codes = [CODE[g] for g, (_, d) in groups.items() for _ in range(d)] + ["Z"] * unknown
    people = pd.DataFrame(
        {"person_id": [f"P{i:05d}" for i in range(len(codes))], "ethnic_category": codes}
    )
    return SimpleNamespace(
        people=people,
        mha_detentions=pd.DataFrame({"person_id": people["person_id"]}),
        population=population,
    )


def _leaks(value: float, message: str) -> bool:
    return shows_value(value, message)


# ------------------------------------------------------------------------------------------
# The table the lesson builds
# ------------------------------------------------------------------------------------------


def test_table_leaves_out_detentions_with_no_recorded_group():
    made_up = _made_up({"White": (10_000, 20), "Black": (1_000, 6)}, unknown=5)
    table = ex.detentions_by_group(made_up)
    assert table.loc["White", "detentions"] == 20
    assert table.loc["Black", "detentions"] == 6
    assert "Unknown" not in table.index
    assert table["detentions"].sum() == len(made_up.mha_detentions) - 5


def test_table_matches_a_count_made_from_the_code_list(data):
    table = ex.detentions_by_group(data)
    pd.testing.assert_frame_equal(
        table, _by_hand(data).astype("int64"), check_names=False, check_like=True
    )


def test_reference_ratio_agrees_with_the_truth_record(data):
    truth = data.truth["detention"]["rate_ratio_vs_white_recorded"]["Black"]["crude"]
    assert ex.q1.expected(data=data) == pytest.approx(truth, rel=1e-5)


# ------------------------------------------------------------------------------------------
# Exercise 1: the Black/White rate ratio by hand
# ------------------------------------------------------------------------------------------


def test_q1_right_ratio_is_correct(data):
    table = _by_hand(data)
    answer = _rate(table, "Black") / _rate(table, "White")
    assert ex.q1.evaluate(answer, data=data).status == CORRECT


def test_q1_ratio_of_rates_read_from_a_rounded_table_is_correct(data):
    table = _by_hand(data)
    answer = round(_rate(table, "Black"), 1) / round(_rate(table, "White"), 1)
    assert ex.q1.evaluate(answer, data=data).status == CORRECT


def test_q1_worked_solution_gives_a_correct_answer(data):
    namespace = {"by_group": ex.detentions_by_group(data)}
    exec(ex.q1.solution_text, namespace)
    assert ex.q1.evaluate(namespace["rate_ratio_black"], data=data).status == CORRECT


def test_q1_placeholder_is_not_attempted(data):
    assert ex.q1.evaluate(..., data=data).status == NOT_ATTEMPTED


def _q1_wrong_answers(data) -> dict[str, float]:
    t = _by_hand(data)
    black, white = _rate(t, "Black"), _rate(t, "White")
    everyone = t["residents"].sum()
    overall = len(data.mha_detentions) / data.population["residents"].sum() * 100_000
    return {
        "ratio-of-counts": t.loc["Black", "detentions"] / t.loc["White", "detentions"],
        "upside-down": white / black,
        "whole-population-denominator": (t.loc["Black", "detentions"] / everyone * 100_000) / white,
        "compared-with-everyone": black / overall,
        "rate-difference": black - white,
    }


@pytest.mark.parametrize(
    "misconception",
    [
        "ratio-of-counts",
        "upside-down",
        "whole-population-denominator",
        "compared-with-everyone",
        "rate-difference",
    ],
)
def test_q1_misconceptions_are_named_without_giving_the_answer(data, misconception):
    answer = _q1_wrong_answers(data)[misconception]
    result = ex.q1.evaluate(answer, data=data)
    assert result.status == NOT_YET
    assert result.misconception == misconception
    assert not _leaks(ex.q1.expected(data=data), result.message)


def test_q1_wrong_answers_are_far_enough_apart_to_be_told_apart(data):
    values = sorted([ex.q1.expected(data=data), *_q1_wrong_answers(data).values()])
    for smaller, larger in zip(values, values[1:], strict=False):
        assert not math.isclose(smaller, larger, rel_tol=0.05)


# ------------------------------------------------------------------------------------------
# Exercise 2: rate ratios with confidence intervals
# ------------------------------------------------------------------------------------------


def _ratios(data, **options):
    return stats.rate_ratio(
        _by_hand(data).rename_axis("ethnic_group").reset_index(),
        group="ethnic_group",
        events="detentions",
        population="residents",
        **{"reference": "White", **options},
    )


def test_q2_table_as_the_function_returns_it_is_correct(data):
    assert ex.q2.evaluate(_ratios(data), data=data).status == CORRECT


def test_q2_table_indexed_by_group_is_correct(data):
    answer = _ratios(data).set_index("ethnic_group")[["rate_ratio", "ratio_lower", "ratio_upper"]]
    assert ex.q2.evaluate(answer, data=data).status == CORRECT


def test_q2_worked_solution_gives_a_correct_answer(data):
    namespace = {"by_group": ex.detentions_by_group(data), "stats": stats}
    exec(ex.q2.solution_text, namespace)
    assert ex.q2.evaluate(namespace["ratios"], data=data).status == CORRECT


def test_q2_placeholder_is_not_attempted(data):
    assert ex.q2.evaluate(..., data=data).status == NOT_ATTEMPTED


@pytest.mark.parametrize(
    ("options", "misconception"),
    [
        ({"reference": "Black"}, "wrong-reference"),
        ({"confidence": 0.90}, "confidence-90"),
        ({"confidence": 0.99}, "confidence-99"),
    ],
)
def test_q2_misconceptions_are_named_without_giving_the_answer(data, options, misconception):
    result = ex.q2.evaluate(_ratios(data, **options), data=data)
    assert result.status == NOT_YET
    assert result.misconception == misconception
    black = _ratios(data).set_index("ethnic_group").loc["Black"]
    for value in black[["rate_ratio", "ratio_lower", "ratio_upper"]]:
        assert not _leaks(value, result.message)


def test_q2_a_table_missing_a_group_names_the_group(data):
    answer = _ratios(data)
    answer = answer[answer["ethnic_group"] != "Mixed"]
    result = ex.q2.evaluate(answer, data=data)
    assert result.status == NOT_YET
    assert "Mixed" in result.message


def test_q2_a_single_number_is_not_a_table(data):
    result = ex.q2.evaluate(ex.q1.expected(data=data), data=data)
    assert result.status == NOT_YET
    assert "table" in result.message


# ------------------------------------------------------------------------------------------
# Exercise 2b: what a confidence interval means
# ------------------------------------------------------------------------------------------


def test_q2b_right_choice_is_correct():
    assert ex.q2b.evaluate("c", data=object()).status == CORRECT
    assert ex.q2b.evaluate(ex.q2b.options["c"], data=object()).status == CORRECT


@pytest.mark.parametrize(
    ("answer", "name"),
    [("a", "percent-of-people"), ("b", "certain"), ("d", "covers-recording-errors")],
)
def test_q2b_wrong_choices_explain_without_giving_the_answer(answer, name):
    result = ex.q2b.evaluate(answer, data=object())
    assert result.status == NOT_YET
    assert result.misconception == name
    assert '"c"' not in result.message and "c)" not in result.message


def test_q2b_placeholder_is_not_attempted():
    assert ex.q2b.evaluate(..., data=object()).status == NOT_ATTEMPTED


# ------------------------------------------------------------------------------------------
# Exercise 3: reading the chart
# ------------------------------------------------------------------------------------------

KEY_FOR_COUNT = {0: "a", 1: "b", 2: "c", 3: "d", 4: "e"}


def test_q3_right_choice_follows_the_intervals_in_the_truth_record(data):
    rows = data.truth["detention"]["rate_ratio_vs_white_recorded"]
    excluding = sum(1 for row in rows.values() if row["crude_ci"][0] > 1 or row["crude_ci"][1] < 1)
    assert ex.q3.evaluate(KEY_FOR_COUNT[excluding], data=data).status == CORRECT


def test_q3_worked_solution_gives_a_correct_answer(data):
    namespace = {"chart_table": _ratios(data)}
    exec(ex.q3.solution_text, namespace)
    assert ex.q3.evaluate(namespace["answer_q3"], data=data).status == CORRECT


# Black and Other clearly above the White rate; Asian and Mixed too few to tell.
TWO_CLEAR = {
    "White": (100_000, 100),
    "Black": (10_000, 50),
    "Other": (10_000, 40),
    "Asian": (5_000, 6),
    "Mixed": (5_000, 4),
}
# Only Black clearly above; the others' intervals cross 1, two with dots below it.
ONE_CLEAR = {
    "White": (100_000, 100),
    "Black": (10_000, 50),
    "Other": (5_000, 6),
    "Asian": (5_000, 4),
    "Mixed": (5_000, 4),
}


def test_q3_right_answer_depends_on_the_data():
    assert ex.q3.evaluate("c", data=_made_up(TWO_CLEAR)).status == CORRECT
    assert ex.q3.evaluate("b", data=_made_up(ONE_CLEAR)).status == CORRECT
    assert ex.q3.evaluate("c", data=_made_up(ONE_CLEAR)).status == NOT_YET


def test_q3_counting_dots_instead_of_lines_is_named():
    result = ex.q3.evaluate("d", data=_made_up(TWO_CLEAR))
    assert result.status == NOT_YET
    assert result.misconception == "counted-dots"
    assert '"c"' not in result.message and "Two" not in result.message


def test_q3_counting_the_crossing_lines_is_named():
    result = ex.q3.evaluate("d", data=_made_up(ONE_CLEAR))
    assert result.status == NOT_YET
    assert result.misconception == "counted-crossing"
    assert '"b"' not in result.message and "One" not in result.message


def test_q3_placeholder_and_stray_letters_are_handled(data):
    assert ex.q3.evaluate(..., data=data).status == NOT_ATTEMPTED
    assert ex.q3.evaluate("f", data=data).status == NOT_YET


# ------------------------------------------------------------------------------------------
# Exercise 4 and the lesson text
# ------------------------------------------------------------------------------------------


def test_q4_written_answer_is_received_not_marked():
    assert ex.q4.check().status == RECEIVED
    assert "racism" in ex.q4.solution().lower()


def test_q4_model_answer_is_the_one_in_the_lesson():
    nb = read_lesson(LESSON)
    [written] = [
        c
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
    ]
    assert " ".join(written.source.split()) == " ".join(ex.q4.model_answer.split())


def test_every_exercise_has_hints():
    for exercise in (ex.q1, ex.q2, ex.q2b, ex.q3, ex.q4):
        assert len(exercise.hints) >= 2


def test_lesson3_is_easy_to_read():
    from mhtrain.course.readability import TARGET, flesch_reading_ease, prose

    assert "BEGIN SOLUTION" not in prose(LESSON)
    assert "Tutor note" not in prose(LESSON)
    assert flesch_reading_ease(LESSON) >= TARGET


def test_lesson3_opens_and_closes_as_the_style_guide_asks():
    text = LESSON.read_text(encoding="utf-8")
    assert text.index("# 3. Comparing groups") < text.index("**Content note.**")
    for heading in (
        "**Who this is for:**",
        "**Time needed:**",
        "**What you will learn.**",
        "## Key points",
        "## Reflection",
    ):
        assert heading in text
    assert "no real person is in them" in text
    assert "GOV.UK *Ethnicity facts and figures*" in text


def test_lesson3_has_a_hidden_test_and_a_written_answer():
    nb = read_lesson(LESSON)
    assert any("BEGIN HIDDEN TESTS" in c.source for c in nb.cells if c.cell_type == "code")
    assert any(
        c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade") for c in nb.cells
    )


def test_the_leak_check_finds_a_shown_value_but_not_a_digit_in_a_name():
    assert _leaks(2.3527, "Not yet: the ratio is 2.35 here.")
    assert _leaks(2.3527, "Not yet: about 2 times.")
    assert not _leaks(2.3527, "Not yet: use 0.95. For a hint, run ex.q2.hint().")
