"""Tests of lesson 8's checks: recovery by area, a control limit, areas outside a funnel."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from mhtrain.checks import CORRECT, NOT_ATTEMPTED, NOT_YET, RECEIVED, NotYetError
from mhtrain.checks import lesson08 as ex

SEED = 11
LESSON = Path(__file__).resolve().parents[2] / "notebooks" / "08-comparing-services-fairly.md"


@pytest.fixture(scope="module")
def data():
    import mhtrain

    return mhtrain.generate(population=60_000, seed=SEED)


def _finished(data) -> pd.DataFrame:
    tt = data.talking_therapies
    return tt[(tt["finished_treatment"] == True) & (tt["caseness_first"] == True)]  # noqa: E712


def _recovery(data) -> pd.Series:
    finished = _finished(data)
    return finished.groupby("area_code")["recovered"].agg(lambda s: s.sum() / len(s) * 100)


def _overall(data) -> float:
    finished = _finished(data)
    return float(finished["recovered"].sum() / len(finished) * 100)


def _limit(data, level: float, sign: int = 1, n: int = ex.LIMIT_DENOMINATOR) -> float:
    p = _overall(data) / 100
    z = sps.norm.ppf(0.5 + level / 2)
    return (p + sign * z * np.sqrt(p * (1 - p) / n)) * 100


def _hidden(message: str, value: float) -> None:
    for text in {f"{value:.0f}", f"{value:.1f}", f"{value:.2f}"}:
        if len(text.strip("0.-")) >= 2:
            assert text not in message, f"{text!r} leaks into {message!r}"


def _hand_built(recovered_by_area: dict[str, int], *, n: int = 1_000) -> SimpleNamespace:
    """Areas of n finished referrals at caseness each, plus referrals that do not count."""
    rows = []
    for area, recovered in recovered_by_area.items():
        rows += [(area, True, True, True)] * recovered
        rows += [(area, True, True, False)] * (n - recovered)
        rows += [(area, True, False, False)] * 50  # finished, never at caseness
        rows += [(area, False, True, False)] * 80  # did not finish
    tt = pd.DataFrame(
        rows, columns=["area_code", "finished_treatment", "caseness_first", "recovered"]
    )
    areas = pd.DataFrame(
        {
            "area_code": list(recovered_by_area),
            "area_name": [ex.AREAS[a] for a in recovered_by_area],
        }
    )
    return SimpleNamespace(talking_therapies=tt, areas=areas)


@pytest.fixture
def funnel_data():
    """SYN02 far above, SYN03 far below, SYN04 between the 95% and 99.8% limits."""
    return _hand_built({"SYN01": 500, "SYN02": 700, "SYN03": 300, "SYN04": 545})


# --------------------------------------------------------------------------------------------
# Exercise 1
# --------------------------------------------------------------------------------------------


def test_q1_right_table_is_correct(data):
    assert ex.q1.evaluate(_recovery(data), data=data).status == CORRECT


def test_q1_worked_solution_gives_a_correct_answer(data):
    namespace = {"finished": _finished(data)}
    exec(ex.q1.solution_text, namespace)
    assert ex.q1.evaluate(namespace["recovery_by_area"], data=data).status == CORRECT


@pytest.mark.parametrize(
    ("wrong", "name"),
    [
        (
            lambda d: d.talking_therapies.groupby("area_code")["recovered"].mean() * 100,
            "all-referrals-denominator",
        ),
        (
            lambda d: (
                d.talking_therapies[d.talking_therapies["finished_treatment"]]
                .groupby("area_code")["recovered"]
                .mean()
                * 100
            ),
            "finished-without-caseness",
        ),
        (lambda d: _finished(d).groupby("area_code")["recovered"].sum(), "count-not-rate"),
    ],
)
def test_q1_misconceptions_are_named_without_the_answer(data, wrong, name):
    result = ex.q1.evaluate(wrong(data), data=data)
    assert result.status == NOT_YET
    assert result.misconception == name
    for value in _recovery(data):
        _hidden(result.message, value)


def test_q1_proportions_are_flagged_as_100_times_too_small(data):
    result = ex.q1.evaluate(_recovery(data) / 100, data=data)
    assert result.status == NOT_YET
    assert "100 times too small" in result.message


def test_q1_placeholder_is_not_attempted(data):
    assert ex.q1.evaluate(..., data=data).status == NOT_ATTEMPTED


def test_q1_hand_built_rates_are_checked(funnel_data):
    right = pd.Series({"SYN01": 50.0, "SYN02": 70.0, "SYN03": 30.0, "SYN04": 54.5})
    assert ex.q1.evaluate(right, data=funnel_data).status == CORRECT
    wrong = right.copy()
    wrong["SYN03"] = 31.0
    result = ex.q1.evaluate(wrong, data=funnel_data)
    assert result.status == NOT_YET
    assert "SYN03" in result.message


# --------------------------------------------------------------------------------------------
# Exercise 1b
# --------------------------------------------------------------------------------------------


def test_q1b_areas_are_the_areas_in_the_data(data):
    assert ex.AREAS == dict(zip(data.areas["area_code"], data.areas["area_name"], strict=True))


@pytest.mark.parametrize("form", ["code", "name", "letter"])
def test_q1b_top_area_is_correct_in_any_form(data, form):
    top = str(_recovery(data).idxmax())
    answer = {
        "code": top,
        "name": ex.AREAS[top],
        "letter": "abcdefghijkl"[list(ex.AREAS).index(top)],
    }[form]
    assert ex.q1b.evaluate(answer, data=data).status == CORRECT


def test_q1b_lowest_area_is_named(data):
    result = ex.q1b.evaluate(str(_recovery(data).idxmin()), data=data)
    assert result.status == NOT_YET
    assert result.misconception == "lowest-not-highest"


def test_q1b_most_recoveries_is_named_when_it_is_not_the_highest_rate():
    # SYN01 has the most recoveries (600 of 2,000); SYN02 the highest rate (400 of 500).
    small = _hand_built({"SYN01": 600, "SYN03": 300}, n=2_000)
    extra = _hand_built({"SYN02": 400}, n=500)
    small.talking_therapies = pd.concat([small.talking_therapies, extra.talking_therapies])
    small.areas = pd.concat([small.areas, extra.areas])
    assert ex.q1b.evaluate("SYN02", data=small).status == CORRECT
    assert ex.q1b.evaluate("SYN01", data=small).misconception == "count-not-rate"


def test_q1b_unknown_area_is_not_an_option(data):
    result = ex.q1b.evaluate("SYN99", data=data)
    assert result.status == NOT_YET
    assert "not one of the options" in result.message


# --------------------------------------------------------------------------------------------
# Exercise 2
# --------------------------------------------------------------------------------------------


def test_q2_right_limit_is_correct(data):
    assert ex.q2.evaluate(_limit(data, 0.998), data=data).status == CORRECT


def test_q2_worked_solution_with_z_of_3_09_is_correct(data):
    namespace = {"overall_recovery": _overall(data)}
    exec(ex.q2.solution_text, namespace)
    assert ex.q2.evaluate(namespace["upper_limit"], data=data).status == CORRECT


@pytest.mark.parametrize(
    ("wrong", "name"),
    [
        (lambda d: _limit(d, 0.95), "used-95-limit"),
        (lambda d: _limit(d, 0.998, sign=-1), "lower-not-upper"),
        (
            lambda d: (
                (
                    _overall(d) / 100
                    + 3
                    * np.sqrt(_overall(d) / 100 * (1 - _overall(d) / 100) / ex.LIMIT_DENOMINATOR)
                )
                * 100
            ),
            "z-of-3",
        ),
        (lambda d: _limit(d, 0.998) - _overall(d), "half-width-only"),
        (
            lambda d: (
                (
                    _overall(d) / 100
                    + 3.09 * (_overall(d) / 100 * (1 - _overall(d) / 100) / ex.LIMIT_DENOMINATOR)
                )
                * 100
            ),
            "no-square-root",
        ),
    ],
)
def test_q2_misconceptions_are_named_without_the_answer(data, wrong, name):
    result = ex.q2.evaluate(wrong(data), data=data)
    assert result.status == NOT_YET
    assert result.misconception == name
    _hidden(result.message, _limit(data, 0.998))


def test_q2_proportion_instead_of_percentage_is_flagged(data):
    result = ex.q2.evaluate(_limit(data, 0.998) / 100, data=data)
    assert result.status == NOT_YET
    assert "100 times too small" in result.message


def test_q2_placeholder_is_not_attempted(data):
    assert ex.q2.evaluate(..., data=data).status == NOT_ATTEMPTED


# --------------------------------------------------------------------------------------------
# Exercise 3
# --------------------------------------------------------------------------------------------


def _outside(data, level: float) -> list[str]:
    finished = _finished(data)
    counts = finished.groupby("area_code")["recovered"].agg(["sum", "count"])
    p = counts["sum"].sum() / counts["count"].sum()
    z = sps.norm.ppf(0.5 + level / 2)
    half = z * np.sqrt(p * (1 - p) / counts["count"])
    rate = counts["sum"] / counts["count"]
    return sorted(counts.index[(rate > p + half) | (rate < p - half)])


def test_q3_hand_built_funnel_has_the_areas_beyond_the_limits(funnel_data):
    assert _outside(funnel_data, 0.998) == ["SYN02", "SYN03"]
    assert ex.q3.expected(data=funnel_data) == ["SYN02", "SYN03"]


@pytest.mark.parametrize(
    "answer",
    [
        ["SYN02", "SYN03"],
        ("SYN03", "SYN02"),
        {"syn02", "syn03"},
        "SYN02, SYN03",
        "SYN02 and SYN03",
        ["Riverside South", "Eastport"],
        pd.Series(["SYN02", "SYN03"]),
    ],
)
def test_q3_right_areas_are_correct_in_any_form(funnel_data, answer):
    assert ex.q3.evaluate(answer, data=funnel_data).status == CORRECT


@pytest.mark.parametrize(
    ("answer", "name"),
    [
        (["SYN02", "SYN03", "SYN04"], "used-95-limits"),
        (["SYN02"], "only-above"),
    ],
)
def test_q3_misconceptions_are_named(funnel_data, answer, name):
    result = ex.q3.evaluate(answer, data=funnel_data)
    assert result.status == NOT_YET
    assert result.misconception == name


def test_q3_league_table_ends_are_named_when_they_differ_from_the_answer():
    # SYN01 is lowest but only just: inside the limits. SYN02 is far above.
    small = _hand_built({"SYN01": 500, "SYN02": 600, "SYN03": 505, "SYN04": 510, "SYN05": 515})
    assert ex.q3.expected(data=small) == ["SYN02"]
    result = ex.q3.evaluate(["SYN01", "SYN02"], data=small)
    assert result.misconception == "league-table-ends"


def test_q3_none_is_right_when_every_area_is_within():
    level = _hand_built({"SYN01": 500, "SYN02": 505, "SYN03": 495})
    for answer in ([], "none", "None"):
        assert ex.q3.evaluate(answer, data=level).status == CORRECT
    assert ex.q3.evaluate(["SYN01"], data=level).status == NOT_YET


def test_q3_vague_feedback_does_not_name_the_missing_area(funnel_data):
    result = ex.q3.evaluate(["SYN02", "SYN01"], data=funnel_data)
    assert result.status == NOT_YET
    assert "SYN03" not in result.message
    assert "inside" in result.message and "missing" in result.message


def test_q3_unknown_area_and_wrong_type_are_explained(funnel_data):
    unknown = ex.q3.evaluate(["SYN02", "Atlantis"], data=funnel_data)
    assert unknown.status == NOT_YET and "Atlantis" in unknown.message
    number = ex.q3.evaluate(2, data=funnel_data)
    assert number.status == NOT_YET and "list of areas" in number.message


def test_q3_placeholder_and_form_checks(funnel_data):
    assert ex.q3.evaluate(..., data=funnel_data).status == NOT_ATTEMPTED
    ex.q3.assert_answered(["SYN01"])
    with pytest.raises(NotYetError):
        ex.q3.assert_answered(3.5)


def test_q3_worked_solution_matches_an_independent_funnel(data):
    from mhtrain import stats

    finished = _finished(data)
    by_area = (
        finished.groupby("area_code")
        .agg(recovered=("recovered", "sum"), finished=("recovered", "size"))
        .reset_index()
    )
    namespace = {
        "funnel": stats.funnel_table(by_area, numerator="recovered", denominator="finished")
    }
    exec(ex.q3.solution_text, namespace)
    assert namespace["areas_outside"] == _outside(data, 0.998)
    assert ex.q3.evaluate(namespace["areas_outside"], data=data).status == CORRECT


# --------------------------------------------------------------------------------------------
# Exercises 4 and 5, and the lesson as a whole
# --------------------------------------------------------------------------------------------


def test_q4_chance_is_the_right_choice_and_the_others_are_explained():
    assert ex.q4.evaluate("b").status == CORRECT
    names = {k: ex.q4.evaluate(k).misconception for k in "acd"}
    assert names == {"a": "skill-not-chance", "c": "largest-at-top", "d": "size-raises-rate"}


def test_q5_written_answer_is_received_and_matches_the_lesson():
    from mhtrain.course.build import read_lesson

    assert ex.q5.check().status == RECEIVED
    nb = read_lesson(LESSON)
    [written] = [
        c
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
    ]
    assert " ".join(written.source.split()) == " ".join(ex.q5.model_answer.split())


def test_every_hint_sequence_ends_by_pointing_to_the_solution():
    from mhtrain.checks import exercises_in

    for exercise in exercises_in(ex).values():
        if exercise.hints:
            assert "solution()" in exercise.hint(len(exercise.hints))


def test_lesson_is_easy_to_read_and_has_a_content_note():
    from mhtrain.course.readability import TARGET, flesch_reading_ease

    text = LESSON.read_text()
    assert flesch_reading_ease(LESSON) >= TARGET
    assert "**Content note.**" in text.split("**Who this is for:**")[0]
    for heading in (
        "**Time needed:**",
        "**What you will learn.**",
        "## Key points",
        "## Reflection",
    ):
        assert heading in text
