"""Detention by detailed ethnic group, and how ethnicity is recorded, against published figures.

Published figures: GOV.UK Ethnicity facts and figures, detentions in the year to March 2023
(``efaf_mha_detentions_2023``); recording accuracy from ONS (``ons_ethnicity_consistency_2023``)
and Saunders et al. 2013 (``saunders2013_ethnicity_accuracy``).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import mhtrain
from mhtrain.specload import code_for, load_sources
from mhtrain.synth import ethnicity, model, prepare
from mhtrain.synth.scenario import BROAD_GROUPS

LARGE_SEED = 2032
LARGE_POPULATION = 3_000_000
SOURCE = "efaf_mha_detentions_2023"


@pytest.fixture(scope="module")
def calibrated():
    sc, joint = prepare("default")
    missing = np.array(
        [model.missing_probability(sc, p, crisis=True) for p in sc.areas.provider_code]
    )
    recorded = ethnicity.expected_recorded_detentions(sc, joint, model.detention_rate(sc), missing)
    residents = joint.sum(axis=(0, 1, 3, 4))
    return sc, dict(zip(sc.ethnic_codes, recorded / residents * 1e5, strict=True)), residents


@pytest.fixture(scope="module")
def large():
    return mhtrain.generate(population=LARGE_POPULATION, seed=LARGE_SEED)


def _white_rate(sc, rates, residents) -> float:
    white = [
        c
        for c, b in zip(sc.ethnic_codes, sc.broad_index, strict=True)
        if BROAD_GROUPS[b] == "White"
    ]
    at = {c: i for i, c in enumerate(sc.ethnic_codes)}
    return sum(rates[c] * residents[at[c]] for c in white) / sum(residents[at[c]] for c in white)


PUBLISHED = {"A": 63, "B": 69, "H": 55, "P": 715, "R": 52}


@pytest.mark.parametrize("code", list(PUBLISHED), ids=[f"{c}[{SOURCE}]" for c in PUBLISHED])
def test_expected_recorded_rate_of_a_detailed_group_stands_to_white_as_published(calibrated, code):
    """Without sampling noise, each published group's rate relative to White is the published one."""
    sc, rates, residents = calibrated
    published = ethnicity.published_detailed_rates(sc)
    assert published[code] == PUBLISHED[code]
    white = _white_rate(sc, rates, residents)
    assert rates[code] / white == pytest.approx(PUBLISHED[code] / 64, rel=1e-4)


def test_published_detailed_rates_are_figures_the_source_states():
    figures = " ".join(load_sources()[SOURCE]["figures"])
    for value in PUBLISHED.values():
        assert f"({value}" in figures or f" {value} " in figures or f"({value})" in figures, value


def test_chinese_people_have_the_lowest_expected_recorded_rate_and_the_published_four_lowest(
    calibrated,
):
    """The four lowest groups are Chinese, Indian, White British and White Irish, in that order."""
    sc, rates, _ = calibrated
    order = sorted(rates, key=rates.get)
    keys = ["chinese", "indian", "white_british", "white_irish"]
    assert order[:4] == [code_for("ethnic_category", k) for k in keys], {
        c: round(rates[c]) for c in order
    }


def test_any_other_white_is_not_inflated_far_above_white_british(calibrated):
    """Misrecording lifts 'any other White' a little, not to three times White British."""
    _, rates, _ = calibrated
    assert 1.0 < rates["C"] / rates["A"] < 1.4


def test_white_british_recording_errors_stay_within_the_published_agreement():
    """Over 95% of White British people agree with the census (ONS); in a crisis too, here."""
    sc, _ = prepare("default")
    matrix = ethnicity.recording_matrix(sc, 0.0, crisis=True)
    at = {c: i for i, c in enumerate(sc.ethnic_codes)}
    kept = matrix[at["A"], at["A"]]
    assert 0.95 < kept < 1.0
    assert "greater than 95%" in " ".join(
        load_sources()["ons_ethnicity_consistency_2023"]["figures"]
    )


def test_specific_minority_groups_are_folded_into_any_other_more_than_white_british():
    sc, _ = prepare("default")
    fold = dict(zip(sc.ethnic_codes, ethnicity.fold_probability(sc, crisis=True), strict=True))
    assert fold["N"] > 4 * fold["A"]
    assert fold["N"] > ethnicity.fold_probability(sc, crisis=False)[sc.ethnic_codes.index("N")]


@pytest.mark.parametrize("missing", [0.0, 0.1, 0.3])
def test_recording_matrix_rows_sum_to_the_share_not_missing(missing):
    sc, _ = prepare("default")
    matrix = ethnicity.recording_matrix(sc, missing, crisis=True)
    np.testing.assert_allclose(matrix.sum(axis=1), 1 - missing)
    assert (matrix >= 0).all()
    # folding stays within the broad group, apart from "any other ethnic group" (S)
    broad = np.asarray(sc.broad_index)
    s = sc.ethnic_codes.index("S")
    off = matrix.copy()
    off[:, s] = 0
    assert np.all(off[broad[:, None] != broad[None, :]] == 0)


@pytest.mark.parametrize("code", list(PUBLISHED), ids=[f"{c}[{SOURCE}]" for c in PUBLISHED])
def test_sampled_recorded_detentions_sit_within_poisson_limits_of_the_model(
    large, calibrated, code
):
    """On 3 million residents (seed 2032), each group's recorded count is what the model expects."""
    _, rates, _ = calibrated
    residents = large.tables["population"].groupby("ethnic_category").residents.sum()
    expected = rates[code] * residents[code] / 1e5
    observed = ethnicity.recorded_detention_rates(large)[code] * residents[code] / 1e5
    lo, hi = stats.poisson.ppf([0.0005, 0.9995], expected)
    assert lo <= round(observed) <= hi, (code, observed, expected)


def test_sampled_any_other_white_rate_is_not_inflated_to_several_times_white_british(large):
    """Before recording was fixed, 'any other White' came out at 3.5 times White British; the
    model now expects about 1.2 (sampling on 3 million residents adds up to a third)."""
    rates = ethnicity.recorded_detention_rates(large)
    assert rates["C"] / rates["A"] < 2.0
    assert rates["R"] < rates["A"]


def test_sampled_any_other_white_detentions_sit_within_poisson_limits_of_the_model(
    large, calibrated
):
    _, rates, _ = calibrated
    residents = large.tables["population"].groupby("ethnic_category").residents.sum()
    expected = rates["C"] * residents["C"] / 1e5
    observed = ethnicity.recorded_detention_rates(large)["C"] * residents["C"] / 1e5
    lo, hi = stats.poisson.ppf([0.0005, 0.9995], expected)
    assert lo <= round(observed) <= hi, (observed, expected)


def test_sampled_recording_of_white_british_follows_the_recording_matrix(large):
    """Among people first seen in a crisis, White British people are recorded as 'any other
    White' about as often as the matrix says."""
    sc = large.extra["scenario"]
    people = large.tables["people"]
    true = np.asarray(sc.ethnic_codes)[large.extra["facts"]["true_eth"]]
    detained = large.extra["facts"]["detained"]
    white_british = (true == "A") & detained
    share_c = (people.ethnic_category.to_numpy()[white_british] == "C").mean()
    p_fold = ethnicity.fold_probability(sc, crisis=True)[sc.ethnic_codes.index("A")]
    n = white_british.sum()
    assert n > 1000
    expected = p_fold * (1 - float(sc.p("recording.to_any_other")))
    # a generous band: missing recording removes a few more; 4 standard errors either side
    se = np.sqrt(expected * (1 - expected) / n)
    assert expected * 0.8 - 4 * se < share_c < expected + 4 * se
