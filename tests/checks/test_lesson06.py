"""Tests of lesson 6's checks: recovery by the published definitions, its rate and odds ratios."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import mhtrain
from mhtrain.checks import CORRECT, NOT_ATTEMPTED, NOT_YET, RECEIVED
from mhtrain.checks import lesson06 as ex
from mhtrain.course.build import read_lesson

LESSON = "notebooks/06-did-it-help.md"


@pytest.fixture(scope="module")
def data():
    """A small generated dataset: realistic Talking Therapies referrals, quick to make."""
    return mhtrain.generate(population=60_000, seed=11)


def _tiny_table() -> pd.DataFrame:
    """Eight referrals whose outcomes are worked out by hand from the published definitions.

    T1 recovers with a reliable improvement. T2 stays at caseness. T3 recovers. T4 starts
    exactly at both thresholds (PHQ-9 10, GAD-7 8) and ends just below: recovered. T5 finished
    with a reliable improvement but was never at caseness. T6 improved but had one session. T7 had no session. T8 ends at
    caseness on PHQ-9.
    """
    na = pd.NA
    rows = [
        # id, decile, age, ethnic, sessions, phq first, phq last, gad first, gad last,
        # caseness, finished, recovered, reliable improvement
        ("T1", 1, 30, "A", 6, 15, 5, 10, 4, True, True, True, True),
        ("T2", 1, 40, "N", 5, 12, 11, 9, 9, True, True, False, False),
        ("T3", 10, 70, "A", 8, 18, 6, 14, 7, True, True, True, True),
        ("T4", 10, 50, "H", 4, 10, 9, 8, 7, True, True, True, False),
        ("T5", 10, 35, "A", 7, 9, 2, 5, 2, False, True, False, True),
        ("T6", 1, 25, "M", 1, 16, 8, 12, 6, True, False, False, False),
        ("T7", 10, 45, "A", 0, na, na, na, na, False, False, False, False),
        ("T8", 1, 60, "A", 6, 20, 16, 10, 9, True, True, False, False),
    ]
    columns = [
        "tt_referral_id",
        "imd_decile",
        "age",
        "ethnic_category",
        "sessions",
        "phq9_first",
        "phq9_last",
        "gad7_first",
        "gad7_last",
        "caseness_first",
        "finished_treatment",
        "recovered",
        "reliable_improvement",
    ]
    table = pd.DataFrame(rows, columns=columns)
    for col in ("phq9_first", "phq9_last", "gad7_first", "gad7_last"):
        table[col] = table[col].astype("Int64")
    return table


@pytest.fixture(scope="module")
def tiny():
    return SimpleNamespace(talking_therapies=_tiny_table())


def _lesson_cell(starts_with: str) -> str:
    """The source of the lesson's ready-made code cell that starts with the given text."""
    [source] = [
        c.source
        for c in read_lesson(LESSON).cells
        if c.cell_type == "code" and c.source.startswith(starts_with)
    ]
    return source


def _namespace(data) -> dict:
    """What the lesson's cells hold when a learner reaches the exercises."""
    tt = data.talking_therapies
    namespace = {"tt": tt, "pd": pd}
    exec(_lesson_cell("at_start ="), namespace)
    namespace["finished_cases"] = tt[tt["finished_treatment"] & tt["caseness_first"]]
    return namespace


def _solution_value(exercise, data):
    namespace = _namespace(data)
    exec(exercise.solution_text, namespace)
    return namespace[exercise.variable]


def _numbers_shown(value: float) -> list[str]:
    forms = {f"{value:.0f}", f"{value:.1f}", f"{value:.2f}", f"{value:.3f}"}
    return [form for form in forms if len(form.replace(".", "").lstrip("0")) >= 2]


# --------------------------------------------------------------------------------------------
# The hand-made table agrees with the published definitions as the generator applies them.
# --------------------------------------------------------------------------------------------


def test_tiny_table_flags_follow_the_published_rules():
    from mhtrain.synth.talking import outcome_flags

    table = _tiny_table()
    flags = outcome_flags(table)
    for column in ("caseness_first", "finished_treatment", "recovered", "reliable_improvement"):
        assert flags[column].tolist() == table[column].tolist(), column


def test_generated_flags_follow_the_lesson_definition(data):
    """Does the lesson's own at_start cell reproduce the data's caseness flag?"""
    namespace = _namespace(data)
    caseness = namespace["at_start"].fillna(False).astype(bool)
    assert (caseness == data.talking_therapies["caseness_first"]).all()


# --------------------------------------------------------------------------------------------
# Exercise 1: the recovery flag from the scores.
# --------------------------------------------------------------------------------------------


def test_q1_worked_solution_is_correct(data, tiny):
    assert ex.q1.evaluate(_solution_value(ex.q1, data), data=data).status == CORRECT
    assert ex.q1.evaluate(_solution_value(ex.q1, tiny), data=tiny).status == CORRECT


def test_q1_hand_worked_flags_are_correct(tiny):
    right = pd.Series([True, False, True, True, False, False, False, False])
    assert ex.q1.evaluate(right, data=tiny).status == CORRECT
    # Nullable True/False values, with gaps where there are no scores, are read as False.
    with_gaps = pd.Series([True, False, True, True, False, False, pd.NA, False], dtype="boolean")
    assert ex.q1.evaluate(with_gaps, data=tiny).status == CORRECT


@pytest.mark.parametrize(
    ("row", "misconception"),
    [
        (5, "no-finished-treatment"),  # T6: one session, scores fell below caseness
        (4, "no-caseness-at-start"),  # T5: never at caseness, finished below it
        (3, "strict-thresholds"),  # T4: starts exactly at the thresholds
    ],
)
def test_q1_hand_worked_misconceptions_are_named(tiny, row, misconception):
    wrong = tiny.talking_therapies["recovered"].copy()
    wrong.iloc[row] = not wrong.iloc[row]
    result = ex.q1.evaluate(wrong, data=tiny)
    assert result.status == NOT_YET
    assert result.misconception == misconception


def test_q1_reliable_improvement_is_not_recovery(tiny):
    result = ex.q1.evaluate(tiny.talking_therapies["reliable_improvement"], data=tiny)
    assert result.status == NOT_YET
    assert result.misconception == "reliable-improvement-not-recovery"


def test_q1_realistic_wrong_flags_are_named(data):
    tt = data.talking_therapies
    at_start = (tt["phq9_first"] >= 10) | (tt["gad7_first"] >= 8)
    at_end = (tt["phq9_last"] >= 10) | (tt["gad7_last"] >= 8)
    wrong = {
        "no-finished-treatment": at_start & ~at_end,  # gaps where there are no scores
        "no-caseness-at-start": tt["finished_treatment"] & ~at_end,
        "reliable-improvement-not-recovery": tt["reliable_improvement"],
    }
    for name, answer in wrong.items():
        result = ex.q1.evaluate(answer, data=data)
        assert result.status == NOT_YET, name
        assert result.misconception == name


def test_q1_a_flag_for_only_some_rows_says_which_are_missing(tiny):
    result = ex.q1.evaluate(tiny.talking_therapies["recovered"].iloc[:6], data=tiny)
    assert result.status == NOT_YET
    assert "missing" in result.message


def test_q1_placeholder_is_not_attempted(tiny):
    assert ex.q1.evaluate(..., data=tiny).status == NOT_ATTEMPTED


# --------------------------------------------------------------------------------------------
# Exercise 1b: four example people.
# --------------------------------------------------------------------------------------------


def test_q1b_answer_is_the_one_person_the_definition_picks():
    """Is the right option the only example person that the published rules call recovered?"""
    from mhtrain.charts import show_table
    from mhtrain.synth.talking import outcome_flags

    source = _lesson_cell("examples =")
    namespace = {"pd": pd, "show_table": show_table}
    exec(source, namespace)
    flags = outcome_flags(namespace["examples"])
    [recovered] = flags.index[flags["recovered"]].tolist()
    key = {"Person A": "a", "Person B": "b", "Person C": "c", "Person D": "d"}[recovered]
    assert ex.q1b.evaluate(key, data=object()).status == CORRECT
    # Person D shows a reliable improvement without recovery, as the misconception says.
    assert flags.loc["Person D", "reliable_improvement"]


@pytest.mark.parametrize(
    ("answer", "name"),
    [("a", "one-session"), ("b", "not-at-caseness"), ("d", "still-a-case-on-one-measure")],
)
def test_q1b_wrong_choices_explain_without_giving_the_answer(answer, name):
    result = ex.q1b.evaluate(answer, data=object())
    assert result.status == NOT_YET
    assert result.misconception == name
    assert "Person C" not in result.message and '"c"' not in result.message


def test_q1b_placeholder_is_not_attempted():
    assert ex.q1b.evaluate(..., data=object()).status == NOT_ATTEMPTED


# --------------------------------------------------------------------------------------------
# Exercise 2: the recovery rate.
# --------------------------------------------------------------------------------------------


def test_q2_hand_worked_rate_is_correct(tiny):
    # Five finished at caseness (T1, T2, T3, T4, T8); three recovered.
    assert ex.q2.evaluate(3 / 5 * 100, data=tiny).status == CORRECT


def test_q2_worked_solution_is_correct(data):
    assert ex.q2.evaluate(_solution_value(ex.q2, data), data=data).status == CORRECT


def test_q2_reference_agrees_with_an_independent_count(data):
    tt = data.talking_therapies
    counted = sum(
        1
        for finished, case, recovered in zip(
            tt["finished_treatment"], tt["caseness_first"], tt["recovered"], strict=True
        )
        if finished and case and recovered
    )
    denominator = int((tt["finished_treatment"] & tt["caseness_first"]).sum())
    assert ex.q2.expected(data=data) == pytest.approx(counted / denominator * 100)


@pytest.mark.parametrize(
    ("answer", "misconception"),
    [
        (0.6, "proportion-not-percentage"),
        (3 / 8 * 100, "denominator-all-referrals"),
        (3 / 7 * 100, "denominator-started"),
        (3 / 6 * 100, "denominator-finished-not-cases"),
        (2 / 5 * 100, "reliable-improvement-not-recovery"),
    ],
)
def test_q2_hand_worked_misconceptions_are_named(tiny, answer, misconception):
    result = ex.q2.evaluate(answer, data=tiny)
    assert result.status == NOT_YET
    assert result.misconception == misconception
    assert "60" not in result.message


def test_q2_realistic_wrong_answers_are_named_without_the_answer(data):
    tt = data.talking_therapies
    expected = ex.q2.expected(data=data)
    wrong = {
        "proportion-not-percentage": expected / 100,
        "denominator-all-referrals": tt["recovered"].mean() * 100,
        "denominator-finished-not-cases": tt.loc[tt["finished_treatment"], "recovered"].mean()
        * 100,
    }
    for name, answer in wrong.items():
        result = ex.q2.evaluate(answer, data=data)
        assert result.status == NOT_YET, name
        assert result.misconception == name
        for shown in _numbers_shown(expected):
            assert shown not in result.message


def test_q2_placeholder_is_not_attempted(tiny):
    assert ex.q2.evaluate(..., data=tiny).status == NOT_ATTEMPTED


# --------------------------------------------------------------------------------------------
# Exercise 3: recovery by decile, and reading the chart.
# --------------------------------------------------------------------------------------------


def test_q3_hand_worked_table_is_correct(tiny):
    # Decile 1: T1, T2, T8 finished at caseness, T1 recovered. Decile 10: T3, T4, both recovered.
    assert ex.q3.evaluate(pd.Series({1: 100 / 3, 10: 100.0}), data=tiny).status == CORRECT


def test_q3_worked_solution_is_correct(data):
    assert ex.q3.evaluate(_solution_value(ex.q3, data), data=data).status == CORRECT


@pytest.mark.parametrize(
    ("answer", "misconception"),
    [
        ({1: 1 / 3, 10: 1.0}, "proportion-not-percentage"),
        ({1: 1, 10: 2}, "count-not-rate"),
        ({1: 25.0, 10: 50.0}, "denominator-all-referrals"),
        ({1: 100 / 3, 10: 200 / 3}, "denominator-finished-not-cases"),
    ],
)
def test_q3_hand_worked_misconceptions_are_named(tiny, answer, misconception):
    result = ex.q3.evaluate(pd.Series(answer), data=tiny)
    assert result.status == NOT_YET
    assert result.misconception == misconception


def test_q3_realistic_wrong_answers_are_named_without_the_answer(data):
    tt = data.talking_therapies
    expected = ex.q3.expected(data=data)
    wrong = {
        "count-not-rate": ex.finished_cases(data).groupby("imd_decile")["recovered"].sum(),
        "denominator-all-referrals": tt.groupby("imd_decile")["recovered"].mean() * 100,
    }
    for name, answer in wrong.items():
        result = ex.q3.evaluate(answer, data=data)
        assert result.status == NOT_YET, name
        assert result.misconception == name
        for value in expected:
            for shown in _numbers_shown(value):
                assert shown not in result.message


def test_q3_placeholder_is_not_attempted(tiny):
    assert ex.q3.evaluate(..., data=tiny).status == NOT_ATTEMPTED


def test_q3b_right_choice_follows_the_data(data, tiny):
    assert ex.q3b.evaluate("a", data=data).status == CORRECT  # planted: lower when deprived
    assert ex.q3b.evaluate("a", data=tiny).status == CORRECT
    flipped = _tiny_table().assign(imd_decile=lambda t: 11 - t["imd_decile"])
    assert ex.q3b.evaluate("b", data=SimpleNamespace(talking_therapies=flipped)).status == CORRECT


@pytest.mark.parametrize(("answer", "name"), [("b", "wrong-direction"), ("c", "no-difference")])
def test_q3b_wrong_choices_are_explained(data, answer, name):
    result = ex.q3b.evaluate(answer, data=data)
    assert result.status == NOT_YET
    assert result.misconception == name


# --------------------------------------------------------------------------------------------
# Exercise 4: odds ratios.
# --------------------------------------------------------------------------------------------


def test_model_table_puts_the_reference_groups_first(data):
    table = ex.model_table(data)
    assert list(table["imd_group"].cat.categories)[0] == "9-10 (least deprived)"
    assert list(table["age_group"].cat.categories)[0] == "18 to 64"
    assert list(table["broad_group"].cat.categories)[0] == "White"
    pairs = table[["imd_decile", "imd_group"]].drop_duplicates().set_index("imd_decile")
    assert pairs.loc[1, "imd_group"] == pairs.loc[2, "imd_group"] == "1-2 (most deprived)"
    assert pairs.loc[3, "imd_group"] == "3-4"
    assert table["imd_group"].notna().all() and table["broad_group"].notna().all()


def test_odds_ratio_of_one_factor_matches_the_two_by_two_table(data):
    """With one yes/no factor, the model's odds ratio is the cross-product of a 2x2 table."""
    table = ex.model_table(data)
    older = table["age_group"] == "65 and over"
    recovered = table["recovered"] == 1
    a, b = (older & recovered).sum(), (older & ~recovered).sum()
    c, d = (~older & recovered).sum(), (~older & ~recovered).sum()
    fitted = ex.odds_ratios(data, formula="recovered ~ C(age_group)")
    assert fitted.loc["C(age_group)[T.65 and over]", "odds_ratio"] == pytest.approx(
        (a * d) / (b * c), rel=1e-6
    )
    row = fitted.loc["C(age_group)[T.65 and over]"]
    assert row["lower"] < row["odds_ratio"] < row["upper"]


def test_q4_right_choice_follows_the_data(data):
    assert ex.q4.evaluate("a", data=data).status == CORRECT  # planted: lower odds when deprived
    flipped_tt = data.talking_therapies.assign(imd_decile=lambda t: 11 - t["imd_decile"])
    flipped = SimpleNamespace(talking_therapies=flipped_tt)
    assert ex.q4.evaluate("b", data=flipped).status == CORRECT


@pytest.mark.parametrize(
    ("answer", "name"),
    [("b", "wrong-direction"), ("c", "blames-the-group"), ("d", "proves-a-cause")],
)
def test_q4_tempting_wrong_choices_are_explained(data, answer, name):
    result = ex.q4.evaluate(answer, data=data)
    assert result.status == NOT_YET
    assert result.misconception == name
    assert '"a"' not in result.message


def test_q4_placeholder_is_not_attempted(data):
    assert ex.q4.evaluate(..., data=data).status == NOT_ATTEMPTED


# --------------------------------------------------------------------------------------------
# Exercise 5 and the lesson agreeing with its checks.
# --------------------------------------------------------------------------------------------


def test_q5_written_answer_is_received_not_marked():
    assert ex.q5.check().status == RECEIVED
    assert "deprivation" in ex.q5.solution()
    assert ex.q5.evaluate("Write your answer here.").status == NOT_ATTEMPTED


def test_q5_model_answer_is_the_one_in_the_lesson():
    [written] = [
        c
        for c in read_lesson(LESSON).cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
    ]
    assert " ".join(written.source.split()) == " ".join(ex.q5.model_answer.split())


def test_lesson_model_cell_uses_the_checks_reference_groups():
    """Do the lesson's groups and the checks' groups (which decide Exercise 4) agree?"""
    source = _lesson_cell("fifths =")
    for label in ex.FIFTH_ORDER + ex.AGE_ORDER + ex.BROAD_ORDER:
        assert f'"{label}"' in source
    order = [source.index(f'"{label}"', source.index("categories")) for label in ex.FIFTH_ORDER]
    assert order == sorted(order)


def test_every_hint_sequence_ends_by_pointing_to_the_solution():
    for exercise in (ex.q1, ex.q1b, ex.q2, ex.q3, ex.q3b, ex.q4, ex.q5):
        assert "solution()" in exercise.hint(len(exercise.hints))


def test_odds_ratios_are_finite_and_positive(data):
    table = ex.odds_ratios(data)
    assert np.isfinite(table.to_numpy()).all()
    assert (table.to_numpy() > 0).all()
