"""Tests of lesson 12's checks: right answers written many ways, the wrong answers people
really give, and blanks. The right answers come from NHS England's published file."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from mhtrain import open_data
from mhtrain.checks import CORRECT, NOT_ATTEMPTED, NOT_YET, RECEIVED
from mhtrain.checks import lesson12 as ex


@pytest.fixture(scope="module")
def data():
    """A tiny synthetic talking therapies table: recovery 20% in decile 1, 60% in decile 10."""
    recovered = [True] * 1 + [False] * 4 + [True] * 3 + [False] * 2
    tt = pd.DataFrame(
        {
            "imd_decile": [1] * 5 + [10] * 5,
            "finished_treatment": [True] * 10,
            "caseness_first": [True] * 10,
            "recovered": recovered,
        }
    )
    return SimpleNamespace(talking_therapies=tt)


@pytest.fixture(scope="module")
def england():
    return open_data.talking_therapies(org_type="England")


@pytest.fixture(scope="module")
def latest(england):
    return england["reporting_period"].max()


def _status(exercise, answer, data):
    return exercise.evaluate(answer, data=data)


# -- choices ---------------------------------------------------------------------------------

CHOICES = {
    "q1": ("a", {"b": "thinks-synthetic", "c": "thinks-individual-records"}),
    "q2": ("d", {"a": "findable", "b": "accessible", "c": "interoperable"}),
    "q5": ("b", {"a": "star-means-none", "c": "star-means-not-recorded", "d": "star-as-zero"}),
    "q7": ("a", {"b": "reversed-deciles", "c": "no-difference"}),
    "q8": ("b", {"a": "misread-signal", "c": "proves-no-change"}),
    "q10": ("b", {"a": "league-table", "c": "all-chance"}),
}


@pytest.mark.parametrize("qid", CHOICES)
def test_choice_right_answer_in_many_forms_is_correct(qid, data):
    exercise = getattr(ex, qid)
    key, _ = CHOICES[qid]
    for answer in (key, key.upper(), f" {key} ", f"({key})", f"{key}.", exercise.options[key]):
        assert _status(exercise, answer, data).status == CORRECT, answer


@pytest.mark.parametrize("qid", CHOICES)
def test_choice_wrong_answers_name_the_misconception(qid, data):
    exercise = getattr(ex, qid)
    _, wrong = CHOICES[qid]
    for answer, name in wrong.items():
        result = _status(exercise, answer, data)
        assert result.status == NOT_YET and result.misconception == name, (answer, result)


@pytest.mark.parametrize("qid", CHOICES)
def test_choice_blank_or_odd_answers(qid, data):
    exercise = getattr(ex, qid)
    for blank in (..., "", "...", None):
        assert _status(exercise, blank, data).status == NOT_ATTEMPTED
    for junk in ("z", 1, 7.0):
        # A number is read as an option only where an option's text is that number; none is
        # here, so it is not an option, and the message asks for a letter.
        result = _status(exercise, junk, data)
        assert result.status == NOT_YET and result.misconception == "not-an-option", junk
        assert "not one of the options" in result.message
        assert "one letter in quote marks" in result.message


def test_the_decile_question_follows_the_labels_not_the_numbers():
    """Answer a only because "01 Least deprived" has the higher published rate."""
    rates = ex.by_decile()
    assert rates[ex.LEAST_DEPRIVED] > rates[ex.MOST_DEPRIVED]
    assert ex.q7.expected(data=None) == "a"


# -- Exercise 3: recovery from the counts ----------------------------------------------------


@pytest.fixture(scope="module")
def counts(england, latest):
    totals = england[
        (england["variable_type"] == "Total") & (england["reporting_period"] == latest)
    ]
    return totals[totals["measure_statistic"] == "count"].set_index("measure_name")["value"]


def test_q3_right_answers(counts, data):
    by_definition = (
        counts["recovery"] / (counts["finished_course_treatment"] - counts["not_at_caseness"]) * 100
    )
    published = ex._rows(ex.england(), statistic="percentage")["value"].iloc[0]
    for answer in (by_definition, round(by_definition, 2), round(by_definition, 1), published):
        assert _status(ex.q3, answer, data).status == CORRECT, answer


def test_q3_wrong_denominators_are_named(counts, data):
    cases = counts["finished_course_treatment"] - counts["not_at_caseness"]
    wrong = {
        "proportion-not-percentage": counts["recovery"] / cases,
        "denominator-referrals": counts["recovery"] / counts["referrals_received"] * 100,
        "denominator-finished": counts["recovery"] / counts["finished_course_treatment"] * 100,
        "denominator-at-caseness": counts["recovery"] / counts["at_caseness"] * 100,
        "reliable-recovery": counts["reliable_recovery"] / cases * 100,
    }
    for name, answer in wrong.items():
        result = _status(ex.q3, answer, data)
        assert result.status == NOT_YET and result.misconception == name, (name, result)
        assert f"{counts['recovery'] / cases * 100:.1f}" not in result.message


def test_q3_blank_and_text(data):
    assert _status(ex.q3, ..., data).status == NOT_ATTEMPTED
    # A number typed as text is judged as that number, with a tip to drop the quote marks.
    right = _status(ex.q3, f"{ex.q3.expected(data=data):.1f}", data)
    assert right.status == CORRECT and "typed the number as text" in right.message
    wrong = _status(ex.q3, f"{ex.q3.expected(data=data) / 100:.4f}", data)
    assert wrong.status == NOT_YET and wrong.misconception == "proportion-not-percentage"


# -- Exercise 4: how much is hidden ------------------------------------------------------------


def test_q4_right_and_wrong(latest, data):
    providers = open_data.talking_therapies(org_type="Provider")
    this_year = providers[providers["reporting_period"] == latest]
    share = this_year["suppressed"].sum() / len(this_year)
    for answer in (share * 100, round(share * 100, 1), this_year["value"].isna().mean() * 100):
        assert _status(ex.q4, answer, data).status == CORRECT, answer
    wrong = {
        "proportion-not-percentage": share,
        "count-not-percentage": int(this_year["suppressed"].sum()),
        "every-year": providers["suppressed"].mean() * 100,
    }
    for name, answer in wrong.items():
        assert _status(ex.q4, answer, data).misconception == name
    # all organisations, not just providers: wrong, with the generic advice
    everyone = open_data.talking_therapies()
    result = _status(
        ex.q4, everyone.loc[everyone["reporting_period"] == latest, "suppressed"].mean() * 100, data
    )
    assert result.status == NOT_YET
    assert _status(ex.q4, ..., data).status == NOT_ATTEMPTED


# -- Exercise 6: the decile table --------------------------------------------------------------


def test_q6_right_tables_written_many_ways(england, latest, data):
    rows = england[
        (england["reporting_period"] == latest)
        & (england["variable_type"] == "Indices of Deprivation Decile")
        & (england["measure_name"] == "recovery")
        & (england["measure_statistic"] == "percentage")
    ]
    answers = [
        rows.set_index("variable_a")["value"],
        rows.set_index("variable_a")["value"].sort_values(),
        rows.pivot(index="variable_a", columns="measure_name", values="value")["recovery"],
        rows.groupby("variable_a")["value"].first(),
        rows.set_index("variable_a")[["value"]],
    ]
    for answer in answers:
        result = _status(ex.q6, answer, data)
        assert result.status == CORRECT, result.message


def test_q6_wrong_tables(england, latest, data):
    def table(**conditions):
        rows = england[england["variable_type"] == "Indices of Deprivation Decile"]
        for column, value in conditions.items():
            rows = rows[rows[column] == value]
        return rows.set_index("variable_a")["value"]

    wrong = {
        "counts-not-percentages": table(
            reporting_period=latest, measure_name="recovery", measure_statistic="count"
        ),
        "reliable-recovery": table(
            reporting_period=latest,
            measure_name="reliable_recovery",
            measure_statistic="percentage",
        ),
        "wrong-year": table(
            reporting_period=sorted(england["reporting_period"].unique())[-2],
            measure_name="recovery",
            measure_statistic="percentage",
        ),
    }
    for name, answer in wrong.items():
        result = _status(ex.q6, answer, data)
        assert result.status == NOT_YET and result.misconception == name, (name, result.message)
    right = table(reporting_period=latest, measure_name="recovery", measure_statistic="percentage")
    dropped = _status(ex.q6, right.drop("Not stated/Not known/Invalid"), data)
    assert dropped.status == NOT_YET and "Not stated" in dropped.message
    assert _status(ex.q6, right.reset_index(drop=True), data).status == NOT_YET
    assert _status(ex.q6, ..., data).status == NOT_ATTEMPTED


# -- Exercise 9: the gap ------------------------------------------------------------------------


def test_q9_right_and_wrong(data):
    rates = ex.by_decile()
    gap = rates["01 Least deprived"] - rates["10 Most deprived"]
    for answer in (gap, round(gap, 1), float(f"{gap:.2f}")):
        assert _status(ex.q9, answer, data).status == CORRECT
    assert _status(ex.q9, -gap, data).misconception == "reversed"
    ratio = rates["01 Least deprived"] / rates["10 Most deprived"]
    assert _status(ex.q9, ratio, data).misconception == "ratio-not-gap"
    # the tiny synthetic table's gap: 60% in decile 10 minus 20% in decile 1
    assert _status(ex.q9, 40.0, data).misconception == "synthetic-gap"
    assert _status(ex.q9, ..., data).status == NOT_ATTEMPTED


def test_q9_wrong_year_is_named(data):
    before = sorted(ex.england()["reporting_period"].unique())[-2]
    rates = ex.by_decile(period=before)
    result = _status(ex.q9, rates["01 Least deprived"] - rates["10 Most deprived"], data)
    assert result.misconception == "wrong-year"


# -- Exercise 11: written ----------------------------------------------------------------------


def test_q11_written_answer_is_received_and_blank_is_not_attempted(data):
    assert (
        ex.q11.evaluate("Real figures are facts; synthetic rows let me practise.").status
        == RECEIVED
    )
    assert ex.q11.evaluate("Write your answer here.").status == NOT_ATTEMPTED
    assert "published" in ex.q11.model_answer and "synthetic" in ex.q11.model_answer


def test_the_funnel_table_keeps_only_providers_with_every_count():
    table = ex.provider_funnel_table()
    assert table[["recovery", "cases"]].notna().all().all()
    assert (table["recovery"] <= table["cases"]).all()
    assert table["org_code"].is_unique
