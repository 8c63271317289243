"""Tests of lesson 13's checks: health checks, linking deaths by NHS number, the premature SMR."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from seeds import SMALL_SEED

from mhtrain.checks import CORRECT, NOT_ATTEMPTED, NOT_YET, RECEIVED
from mhtrain.checks import lesson13 as ex
from mhtrain.stats import indirectly_standardised_ratio

LESSON = Path(__file__).resolve().parents[2] / "notebooks" / "13-body-and-mind.md"


@pytest.fixture(scope="module")
def data():
    import mhtrain

    return mhtrain.generate(population=400_000, seed=SMALL_SEED)


def _hidden(message: str, value: float) -> None:
    """The message must not give the expected value away, however it is rounded."""
    for text in {f"{value:.0f}", f"{value:.1f}", f"{value:.2f}", f"{value:,.0f}"}:
        if len(text.strip("0.-")) >= 2:
            assert text not in message, f"{text!r} leaks into {message!r}"


def _not_yet(exercise, answer, data, name=None):
    result = exercise.evaluate(answer, data=data)
    assert result.status == NOT_YET, result.message
    if name is not None:
        assert result.misconception == name, (result.misconception, result.message)
    return result


# --- the learner's own ways of working things out (written independently of the module) ---------


def _bands() -> list[str]:
    return [f"{lo}-{lo + 4}" for lo in range(15, 75, 5)]


def _linked(data) -> pd.DataFrame:
    return data.deaths.merge(data.smi_register[["nhs_number"]], on="nhs_number")


def _smr_by_hand(data, *, bands=None, linked=None) -> tuple[float, float, float, float]:
    """Observed over expected, summed band by band with plain pandas."""
    bands = _bands() if bands is None else bands
    linked = _linked(data) if linked is None else linked
    residents = data.population.groupby("age_band").residents.sum()
    rate = data.deaths.groupby("age_band").size() / residents
    observed = linked.age_band.isin(bands).sum()
    on_reg = data.smi_register.age_band.value_counts()
    expected = sum(on_reg.get(b, 0) * rate.get(b, 0) for b in bands)
    table = pd.DataFrame(
        {
            "age_band": bands,
            "events": [int((linked.age_band == b).sum()) for b in bands],
            "population": [int(on_reg.get(b, 0)) for b in bands],
        }
    )
    row = indirectly_standardised_ratio(table, reference_rates=rate.reindex(bands)).iloc[0]
    return observed / expected, row["lower"], row["upper"], observed


def _crude_by_hand(data) -> float:
    """Register death rate under 75 over every resident's, with no allowance for age."""
    bands = _bands()
    reg = data.smi_register[data.smi_register.age_band.isin(bands)]
    pop = data.population[data.population.age_band.isin(bands)]
    return (_linked(data).age_band.isin(bands).sum() / len(reg)) / (
        data.deaths.age_band.isin(bands).sum() / pop.residents.sum()
    )


# --- Exercise 1 ---------------------------------------------------------------------------------


def test_q1_right_answers_written_many_ways(data):
    reg = data.smi_register
    for answer in (
        reg.all_six_checks.mean() * 100,
        100 * reg.all_six_checks.sum() / len(reg),
        reg[[c for c in reg.columns if c.endswith("_date") and c != "registered_date"]]
        .notna()
        .all(axis=1)
        .mean()
        * 100,
        np.float32(reg.all_six_checks.mean() * 100),
        round(reg.all_six_checks.mean() * 100, 2),
    ):
        assert ex.q1.evaluate(answer, data=data).status == CORRECT, answer


def test_q1_realistic_wrong_answers(data):
    reg = data.smi_register
    _not_yet(ex.q1, reg.all_six_checks.mean(), data, "proportion-not-percentage")
    _not_yet(ex.q1, reg.all_six_checks.sum(), data, "count-not-percentage")
    any_check = reg.filter(like="_date").drop(columns="registered_date").notna().any(axis=1)
    _not_yet(ex.q1, any_check.mean() * 100, data, "any-check")
    residents = data.population.residents.sum()
    _not_yet(ex.q1, reg.all_six_checks.sum() / residents * 100, data, "residents-denominator")
    result = _not_yet(ex.q1, reg.blood_pressure_date.notna().mean() * 100, data)
    _hidden(result.message, reg.all_six_checks.mean() * 100)


def test_q1_blank_is_not_attempted(data):
    for blank in (..., None):
        assert ex.q1.evaluate(blank, data=data).status == NOT_ATTEMPTED


# --- Exercise 2 ---------------------------------------------------------------------------------


def test_q2_answer_follows_the_data(data):
    share = data.smi_register.groupby("imd_decile").all_six_checks.mean()
    right = "a" if share.loc[1] < share.loc[10] - 0.02 else "b"
    assert ex.q2.evaluate(right, data=data).status == CORRECT
    assert ex.q2.evaluate(right.upper(), data=data).status == CORRECT
    for wrong in {"a", "b", "c"} - {right}:
        assert ex.q2.evaluate(wrong, data=data).status == NOT_YET
    assert ex.q2.evaluate(..., data=data).status == NOT_ATTEMPTED


def test_q2_answer_changes_when_the_gap_is_reversed(data):
    from types import SimpleNamespace

    reg = data.smi_register.copy()
    reg["all_six_checks"] = reg.imd_decile <= 5  # full checks only in deprived areas
    assert ex._deprivation_answer(SimpleNamespace(smi_register=reg)) == "b"
    reg["all_six_checks"] = True
    assert ex._deprivation_answer(SimpleNamespace(smi_register=reg)) == "c"


# --- Exercise 3 ---------------------------------------------------------------------------------


def test_q3_right_answers_written_many_ways(data):
    register, deaths = data.smi_register, data.deaths
    by_isin = deaths.nhs_number.isin(register.nhs_number).sum()
    n = len(register)
    for answer in (
        len(_linked(data)) / n * 100,
        100 * by_isin / n,
        len(register.merge(deaths, on="nhs_number", how="inner")) / n * 100,
        register.nhs_number.isin(deaths.nhs_number).mean() * 100,
        register.merge(deaths, on="nhs_number", how="left", indicator=True)._merge.eq("both").mean()
        * 100,
    ):
        assert ex.q3.evaluate(answer, data=data).status == CORRECT, answer


def test_q3_realistic_wrong_answers(data):
    linked = _linked(data)
    n = len(data.smi_register)
    _not_yet(ex.q3, len(linked), data, "count-not-percentage")
    _not_yet(ex.q3, len(linked) / n, data, "proportion-not-percentage")
    _not_yet(ex.q3, len(linked) / len(data.deaths) * 100, data, "share-of-deaths")
    _not_yet(ex.q3, len(data.deaths) / n * 100, data, "all-deaths")
    premature = linked.age_band.isin(_bands()).sum()
    _not_yet(ex.q3, premature / n * 100, data, "only-premature")
    # the true share who died: what a perfect linkage would find
    true_n = data.truth["physical_health"]["linkage"]["register_deaths"]
    assert true_n > len(linked)
    result = _not_yet(ex.q3, true_n / n * 100, data)
    _hidden(result.message, len(linked) / n * 100)
    assert ex.q3.evaluate(None, data=data).status == NOT_ATTEMPTED


# --- Exercise 4 ---------------------------------------------------------------------------------


def test_q4_smr_by_hand_is_correct_and_agrees_with_the_truth_record(data):
    smr, lower, upper, _ = _smr_by_hand(data)
    assert ex.q4.evaluate(smr, data=data).status == CORRECT
    assert ex.q4.evaluate(round(smr, 3), data=data).status == CORRECT
    assert ex.q4b.evaluate(lower, data=data).status == CORRECT
    naive = data.truth["physical_health"]["premature_mortality"]["naive_vs_everyone"]
    assert smr == pytest.approx(naive["ratio"], rel=1e-6)
    assert (lower, upper) == pytest.approx((naive["lower"], naive["upper"]), rel=1e-6)


def test_q4_realistic_wrong_answers(data):
    smr, lower, upper, observed = _smr_by_hand(data)
    _not_yet(ex.q4, _crude_by_hand(data), data, "crude-ratio")
    _not_yet(ex.q4, observed, data, "observed-count")
    _not_yet(ex.q4, observed / smr, data, "expected-count")
    _not_yet(ex.q4, smr * 100, data, "per-100")
    every_band = sorted(set(data.population.age_band))
    all_ages, *_ = _smr_by_hand(data, bands=every_band)
    _not_yet(ex.q4, all_ages, data, "all-ages")
    # the true SMR (every death linked) is not the answer to the question asked
    truth = data.truth["physical_health"]["premature_mortality"]["true_vs_everyone"]["ratio"]
    result = _not_yet(ex.q4, truth, data)
    _hidden(result.message, smr)
    _not_yet(ex.q4b, upper, data, "upper-limit")
    _not_yet(ex.q4b, smr, data, "the-ratio")
    assert ex.q4.evaluate(..., data=data).status == NOT_ATTEMPTED
    assert ex.q4b.evaluate(..., data=data).status == NOT_ATTEMPTED


def test_q4_grade_raises_with_the_reason(data):
    from mhtrain.checks import use_dataset

    with pytest.raises(AssertionError, match="crude"), use_dataset(data):
        ex.q4.grade(_crude_by_hand(data))


# --- Exercise 5 ---------------------------------------------------------------------------------


def test_q5_missed_links_lower_the_ratio(data):
    assert data.truth["physical_health"]["linkage"]["register_deaths_missed"] > 0
    assert ex.q5.evaluate("b", data=data).status == CORRECT
    assert ex.q5.evaluate(" b ", data=data).status == CORRECT
    assert ex.q5.evaluate("a", data=data).status == NOT_YET
    assert ex.q5.evaluate("c", data=data).status == NOT_YET
    assert ex.q5.evaluate(None, data=data).status == NOT_ATTEMPTED


def test_q5_answer_is_the_same_when_linkage_is_perfect(data):
    from types import SimpleNamespace

    truth = data.truth["physical_health"]
    true_id = pd.Series(data.extra["facts"]["death_true_patient_id"], index=data.deaths.index)
    patients = data.smi_register.set_index("patient_id").nhs_number
    fixed = data.deaths.copy()
    fixed["nhs_number"] = true_id.map(patients).fillna(fixed.nhs_number)
    perfect = SimpleNamespace(
        smi_register=data.smi_register,
        deaths=fixed,
        population=data.population,
        truth={"physical_health": truth},
    )
    assert ex._direction(perfect) == "c"


# --- Exercise 6 and the lesson source -------------------------------------------------------------


def test_q6_written_answer_is_received_and_blank_is_not():
    assert ex.q6.evaluate(
        "Missed links fall on minority groups, so the SMR is too low."
    ).status == (RECEIVED)
    assert ex.q6.evaluate(...).status == NOT_ATTEMPTED


def test_every_exercise_has_an_answer_cell_in_the_lesson():
    text = LESSON.read_text(encoding="utf-8")
    for exercise in (ex.q1, ex.q2, ex.q3, ex.q5):
        assert f"grade_id: {exercise.id}-answer" in text
        assert f"ex.{exercise.id}.grade(" in text
    assert "grade_id: q4-answer" in text and "ex.q4b.grade(smr_lower)" in text
