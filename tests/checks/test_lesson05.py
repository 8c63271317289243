"""Tests of lesson 5's checks: waits from referral to first contact, medians and a 4-week threshold."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import mhtrain
from mhtrain.checks import CORRECT, NOT_ATTEMPTED, NOT_YET, RECEIVED
from mhtrain.checks import lesson05 as ex
from mhtrain.course.build import read_lesson
from mhtrain.specload import load_scenario

LESSON = "notebooks/05-waiting-for-care.md"


@pytest.fixture(scope="module")
def data():
    """A small generated dataset: realistic waits, quick to make (large enough that chance
    does not hide the planted deprivation gradient in median waits, as 60,000 did)."""
    return mhtrain.generate(population=150_000, seed=11)


def _day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


@pytest.fixture(scope="module")
def tiny():
    """Eight referrals whose waits are known by hand.

    Community team (A06, adults): waits of 0, 10, 28, 100 and 5 days; one referral closed
    without a contact; one still waiting. One crisis referral (A02) seen on the day. The 5-day
    wait belongs to a referral made in the last 28 days of the year.
    """
    nat = pd.NaT
    rows = [
        # id, person, team, age group, referral, first contact, discharge
        ("R1", "P1", "A06", "03", "2023-05-01", "2023-05-01", "2023-09-01"),
        ("R2", "P2", "A06", "03", "2023-05-01", "2023-05-11", "2023-09-01"),
        ("R3", "P3", "A06", "03", "2023-06-01", "2023-06-29", nat),
        ("R4", "P4", "A06", "03", "2023-06-01", "2023-09-09", nat),
        ("R5", "P5", "A06", "03", "2023-07-01", nat, "2023-08-01"),
        ("R6", "P6", "A06", "03", "2024-03-20", "2024-03-25", nat),
        ("R7", "P7", "A06", "03", "2024-02-01", nat, nat),
        ("R8", "P8", "A02", "03", "2023-05-01", "2023-05-01", "2023-05-20"),
    ]
    referrals = pd.DataFrame(
        rows,
        columns=[
            "referral_id",
            "person_id",
            "service_team_type",
            "service_team_age_group",
            "referral_date",
            "first_contact_date",
            "discharge_date",
        ],
    )
    for col in ("referral_date", "first_contact_date", "discharge_date"):
        referrals[col] = pd.to_datetime(referrals[col])
    people = pd.DataFrame(
        {
            "person_id": [f"P{i}" for i in range(1, 9)],
            "age": [20, 30, 40, 50, 60, 70, 22, 35],
            "imd_decile": [1, 1, 10, 10, 1, 10, 1, 1],
        }
    )
    return SimpleNamespace(referrals=referrals, people=people, scenario="default")


def _namespace(data) -> dict:
    """The tables the lesson's ready-made cells build, as a learner's notebook holds them."""
    return {
        "waits": ex.waiting_table(data),
        "community": ex.community_table(data),
        "had_28_days": ex.had_threshold_table(data),
    }


def _solution_value(exercise, data):
    namespace = _namespace(data)
    exec(exercise.solution_text, namespace)
    return namespace[exercise.variable]


def _numbers_shown(value: float) -> list[str]:
    """Ways a learner could recognise a number in a message (only those of two digits or more)."""
    forms = {f"{value:.0f}", f"{value:.1f}", f"{value:.2f}", f"{value:.3f}"}
    return [form for form in forms if len(form.replace(".", "").lstrip("0")) >= 2]


def _independent_community_waits(data) -> np.ndarray:
    """Days from referral to first contact for community adult teams, worked out with numpy."""
    r = data.referrals
    keep = ((r["service_team_type"] == "A06") & (r["service_team_age_group"] == "03")).to_numpy()
    start = r["referral_date"].to_numpy()[keep].astype("datetime64[D]")
    first = r["first_contact_date"].to_numpy()[keep].astype("datetime64[D]")
    days = (first - start).astype("int64").astype("float64")
    days[np.isnat(first)] = np.nan  # not seen: no wait to count
    return days


# --------------------------------------------------------------------------------------------
# The helper tables the lesson and checks share.
# --------------------------------------------------------------------------------------------


def test_year_end_is_the_last_day_of_the_scenario_period(data):
    end = ex.year_end(data)
    assert end == pd.Timestamp(load_scenario("default")["reporting_period"]["end"])
    assert data.referrals["referral_date"].max() <= end


def test_community_table_keeps_only_adult_community_teams(data):
    community = ex.community_table(data)
    assert set(community["service_team_type"]) == {"A06"}
    assert set(community["service_team_age_group"]) == {"03"}
    assert len(community) < len(data.referrals)


def test_had_threshold_table_leaves_out_the_last_28_days(data):
    had = ex.had_threshold_table(data)
    assert (ex.year_end(data) - had["referral_date"]).dt.days.min() >= ex.THRESHOLD_DAYS
    late = ex.community_table(data)["referral_date"] > ex.year_end(data) - pd.Timedelta(days=28)
    assert late.sum() + len(had) == len(ex.community_table(data))


# --------------------------------------------------------------------------------------------
# Exercise 1: the median wait.
# --------------------------------------------------------------------------------------------


def test_q1_hand_worked_median_is_correct(tiny):
    assert ex.q1.evaluate(10, data=tiny).status == CORRECT
    assert ex.q1.evaluate(10.0, data=tiny).status == CORRECT


def test_q1_reference_agrees_with_an_independent_computation(data):
    assert ex.q1.expected(data=data) == pytest.approx(
        np.nanmedian(_independent_community_waits(data))
    )


def test_q1_worked_solution_is_correct(data):
    assert ex.q1.evaluate(_solution_value(ex.q1, data), data=data).status == CORRECT


@pytest.mark.parametrize(
    ("answer", "misconception"),
    [
        (np.mean([0, 10, 28, 100, 5]), "mean-not-median"),
        (5, "never-seen-as-zero"),  # [0, 0, 0, 5, 10, 28, 100]
        (10 / 7, "weeks-not-days"),
        (7.5, "all-teams"),  # adds the crisis team's 0-day wait
    ],
)
def test_q1_hand_worked_misconceptions_are_named(tiny, answer, misconception):
    result = ex.q1.evaluate(answer, data=tiny)
    assert result.status == NOT_YET
    assert result.misconception == misconception


def test_q1_realistic_wrong_answers_are_named_without_the_answer(data):
    community = ex.community_table(data)["wait_days"]
    expected = ex.q1.expected(data=data)
    wrong = {
        "mean-not-median": community.mean(),
        "never-seen-as-zero": community.fillna(0).median(),
        "weeks-not-days": community.median() / 7,
        "all-teams": ex.waiting_table(data)["wait_days"].median(),
    }
    for name, answer in wrong.items():
        result = ex.q1.evaluate(answer, data=data)
        assert result.status == NOT_YET, name
        # Two misconceptions can give the same number in a small dataset: the first one wins.
        matching = [m.name for m in ex.q1.misconceptions if m.wrong_value(data) == answer]
        assert result.misconception in matching
        for shown in _numbers_shown(expected):
            assert shown not in result.message


def test_q1_placeholder_is_not_attempted(tiny):
    assert ex.q1.evaluate(..., data=tiny).status == NOT_ATTEMPTED


def test_q1_a_whole_column_is_not_accepted(tiny):
    result = ex.q1.evaluate(ex.community_table(tiny)["wait_days"], data=tiny)
    assert result.status == NOT_YET
    assert "single number" in result.message


# --------------------------------------------------------------------------------------------
# Exercise 1b: reading the histogram.
# --------------------------------------------------------------------------------------------


def test_q1b_right_choice_is_correct():
    assert ex.q1b.evaluate("a", data=object()).status == CORRECT
    assert ex.q1b.evaluate(ex.q1b.options["a"], data=object()).status == CORRECT


@pytest.mark.parametrize(
    ("answer", "name"),
    [("b", "median-always-smaller"), ("c", "mean-leaves-out"), ("d", "median-includes-never-seen")],
)
def test_q1b_wrong_choices_explain_without_giving_the_answer(answer, name):
    result = ex.q1b.evaluate(answer, data=object())
    assert result.status == NOT_YET
    assert result.misconception == name
    assert '"a"' not in result.message and "a)" not in result.message


def test_q1b_placeholder_is_not_attempted():
    assert ex.q1b.evaluate(..., data=object()).status == NOT_ATTEMPTED


# --------------------------------------------------------------------------------------------
# Exercise 2: the percentage seen within 28 days.
# --------------------------------------------------------------------------------------------


def test_q2_hand_worked_percentage_is_correct(tiny):
    # Six referrals had 28 days (R1-R5, R7); R1, R2 and R3 (exactly 28 days) were seen in time.
    assert ex.q2.evaluate(3 / 6 * 100, data=tiny).status == CORRECT


def test_q2_reference_agrees_with_an_independent_computation(data):
    r = data.referrals
    keep = ((r["service_team_type"] == "A06") & (r["service_team_age_group"] == "03")).to_numpy()
    start = r["referral_date"].to_numpy()[keep].astype("datetime64[D]")
    waits = _independent_community_waits(data)
    had_time = start <= np.datetime64("2024-03-31") - np.timedelta64(28, "D")
    with np.errstate(invalid="ignore"):
        in_time = (waits <= 28) & had_time
    assert ex.q2.expected(data=data) == pytest.approx(in_time.sum() / had_time.sum() * 100)


def test_q2_worked_solution_is_correct(data):
    assert ex.q2.evaluate(_solution_value(ex.q2, data), data=data).status == CORRECT


@pytest.mark.parametrize(
    ("answer", "misconception"),
    [
        (0.5, "proportion-not-percentage"),
        (3 / 4 * 100, "denominator-seen-only"),  # only those seen, among those with 28 days
        (3 / 5 * 100, "denominator-seen-only"),  # the count in time over everyone seen
        (4 / 5 * 100, "denominator-seen-only"),  # everyone seen, in the whole year
        (4 / 7 * 100, "denominator-all-referrals"),  # every referral, even the last 28 days
        (3 / 7 * 100, "denominator-all-referrals"),  # the count in time over every referral
        (2 / 6 * 100, "strictly-less-than"),  # leaves out the wait of exactly 28 days
    ],
)
def test_q2_hand_worked_misconceptions_are_named(tiny, answer, misconception):
    result = ex.q2.evaluate(answer, data=tiny)
    assert result.status == NOT_YET
    assert result.misconception == misconception
    assert "50" not in result.message


def test_q2_realistic_wrong_answers_are_named_without_the_answer(data):
    had = ex.had_threshold_table(data)["wait_days"]
    community = ex.community_table(data)["wait_days"]
    expected = ex.q2.expected(data=data)
    wrong = {
        "proportion-not-percentage": (had <= 28).mean(),
        "denominator-seen-only": (had.dropna() <= 28).mean() * 100,
        "denominator-all-referrals": (community <= 28).mean() * 100,
        "strictly-less-than": (had < 28).mean() * 100,
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
# Exercise 3: the median wait by decile, and reading the chart.
# --------------------------------------------------------------------------------------------


def test_q3_hand_worked_table_is_correct(tiny):
    right = pd.Series({1: 5.0, 10: 28.0})
    assert ex.q3.evaluate(right, data=tiny).status == CORRECT
    # The same table with text labels, or after reset_index(), is accepted too.
    assert ex.q3.evaluate(pd.Series({"1": 5.0, "10": 28.0}), data=tiny).status == CORRECT
    framed = right.rename_axis("imd_decile").rename("wait_days").reset_index()
    assert ex.q3.evaluate(framed, data=tiny).status == CORRECT


def test_q3_reference_agrees_with_an_independent_computation(data):
    r = data.referrals
    keep = ((r["service_team_type"] == "A06") & (r["service_team_age_group"] == "03")).to_numpy()
    decile_of = data.people.set_index("person_id")["imd_decile"]
    deciles = r["person_id"].to_numpy()[keep]
    deciles = decile_of.loc[deciles].to_numpy()
    waits = _independent_community_waits(data)
    expected = ex.q3.expected(data=data)
    for decile in range(1, 11):
        assert expected.loc[decile] == pytest.approx(np.nanmedian(waits[deciles == decile]))


def test_q3_worked_solution_is_correct(data):
    assert ex.q3.evaluate(_solution_value(ex.q3, data), data=data).status == CORRECT


@pytest.mark.parametrize(
    ("answer", "misconception"),
    [
        ({1: 5.0, 10: np.mean([28, 100, 5])}, "mean-not-median"),
        ({1: 0.0, 10: 28.0}, "never-seen-as-zero"),
        ({1: 5 / 7, 10: 4.0}, "weeks-not-days"),
    ],
)
def test_q3_hand_worked_misconceptions_are_named(tiny, answer, misconception):
    result = ex.q3.evaluate(pd.Series(answer), data=tiny)
    assert result.status == NOT_YET
    assert result.misconception == misconception


def test_q3_realistic_wrong_answers_are_named_without_the_answer(data):
    community = ex.community_table(data)
    by_decile = community.groupby("imd_decile")["wait_days"]
    wrong = {
        "mean-not-median": by_decile.mean(),
        "weeks-not-days": by_decile.median() / 7,
        "all-teams": ex.waiting_table(data).groupby("imd_decile")["wait_days"].median(),
    }
    expected = ex.q3.expected(data=data)
    for name, answer in wrong.items():
        result = ex.q3.evaluate(answer, data=data)
        assert result.status == NOT_YET, name
        assert result.misconception == name
        for value in expected:
            for shown in _numbers_shown(value):
                assert shown not in result.message


def test_q3_a_table_missing_deciles_names_them(data):
    answer = ex.q3.expected(data=data).drop([9, 10])
    result = ex.q3.evaluate(answer, data=data)
    assert result.status == NOT_YET
    assert "9" in result.message and "10" in result.message


def test_q3_placeholder_is_not_attempted(tiny):
    assert ex.q3.evaluate(..., data=tiny).status == NOT_ATTEMPTED


def test_q3b_right_choice_follows_the_data(data, tiny):
    # Planted: longer waits in deprived areas. In the hand-made data, decile 10 waits longer.
    assert ex.q3b.evaluate("a", data=data).status == CORRECT
    assert ex.q3b.evaluate("b", data=tiny).status == CORRECT
    assert ex.q3b.evaluate("a", data=tiny).status == NOT_YET


@pytest.mark.parametrize(("answer", "name"), [("b", "deciles-upside-down"), ("d", "no-difference")])
def test_q3b_wrong_choices_explain_without_giving_the_answer(data, answer, name):
    result = ex.q3b.evaluate(answer, data=data)
    assert result.status == NOT_YET
    assert result.misconception == name
    assert '"a"' not in result.message and "a)" not in result.message


def test_q3b_placeholder_is_not_attempted(data):
    assert ex.q3b.evaluate(..., data=data).status == NOT_ATTEMPTED


# --------------------------------------------------------------------------------------------
# Exercise 4: the written answer, and the lesson agreeing with its checks.
# --------------------------------------------------------------------------------------------


def test_q4_written_answer_is_received_not_marked():
    assert ex.q4.check().status == RECEIVED
    assert "model answer" in ex.q4.check().message
    assert "still waiting" in ex.q4.solution()
    assert ex.q4.evaluate("Write your answer here.").status == NOT_ATTEMPTED


def test_q4_model_answer_is_the_one_in_the_lesson():
    nb = read_lesson(LESSON)
    [written] = [
        c
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
    ]
    assert " ".join(written.source.split()) == " ".join(ex.q4.model_answer.split())


def test_every_hint_sequence_ends_by_pointing_to_the_solution():
    for exercise in (ex.q1, ex.q1b, ex.q2, ex.q3, ex.q3b, ex.q4):
        assert "solution()" in exercise.hint(len(exercise.hints))
