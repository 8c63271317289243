"""Does synthetic Talking Therapies data look like the real 2023-24 England figures?

The real NHS England annual figures (Open Government Licence v3.0) are the copy the project
ships in ``mhtrain/open_data/talking_therapies/`` (checked against its manifest). Each test
compares the synthetic data with that file figure by figure, within the tolerance stated beside
the figure (in percentage points), widened to three standard errors for a group too small for it
in a sample of three million residents.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mhtrain
from mhtrain import open_data
from mhtrain.specload import load_scenario
from mhtrain.synth import realism

PATH = open_data.TALKING_THERAPIES_DIR / open_data.MEASURES_FILE
# tolerances in percentage points (finishing ratios: absolute)
OVERALL, DECILE, GROUP, SMALL_GROUP, AGE, SEX, RATIO = 1.5, 3.0, 3.5, 6.0, 4.0, 2.5, 0.08
ETHNIC = {
    "White": "White",
    "Mixed": "Mixed",
    "Asian": "Asian or Asian British",
    "Black": "Black or Black British",
    "Other": "Other Ethnic Groups",
}
AGES = {"18-25": (18, 25), "26-64": (26, 64), "65-74": (65, 74), "75-89": (75, 89)}


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    open_data.verify()  # the shipped file is the published one, byte for byte
    d = pd.read_parquet(PATH)
    d = d[(d.reporting_period == "2023-24") & (d.org_type == "England")]
    d = d[d.variable_b.isna() | d.variable_b.isin(["NULL", "All"])]
    return d.assign(value=pd.to_numeric(d.value, errors="coerce"))


def _figure(real, variable, category, measure, statistic="percentage") -> float:
    row = real[
        (real.variable_type == variable)
        & (real.variable_a == category)
        & (real.measure_name == measure)
        & (real.measure_statistic == statistic)
    ]
    assert len(row) == 1, (variable, category, measure)
    return float(row.value.iloc[0])


@pytest.fixture(scope="module")
def tt() -> pd.DataFrame:
    ds = mhtrain.generate(population=3_000_000, seed=23)
    tt = ds.talking_therapies
    return tt.assign(broad=realism.broad_group(tt.ethnic_category))


def _recovery(tt) -> float:
    eligible = tt[tt.finished_treatment & tt.caseness_first]
    return 100 * eligible.recovered.mean()


def _tolerance(tt, floor: float) -> float:
    """The stated tolerance, widened to three standard errors for a small group."""
    n = int((tt.finished_treatment & tt.caseness_first).sum())
    return max(floor, 3 * 100 * np.sqrt(0.25 / max(n, 1)))


def test_recovery_and_the_reliable_measures_match_england(real, tt):
    assert _recovery(tt) == pytest.approx(_figure(real, "Total", "NULL", "recovery"), abs=OVERALL)
    eligible = tt[tt.finished_treatment & tt.caseness_first]
    finished = tt[tt.finished_treatment]
    pairs = {
        "reliable_recovery": (100 * eligible.reliable_recovery.mean(), 3.0),
        "improvement": (100 * finished.reliable_improvement.mean(), 4.0),
        "deterioration": (100 * finished.reliable_deterioration.mean(), 2.0),
    }
    for measure, (got, tolerance) in pairs.items():
        assert got == pytest.approx(_figure(real, "Total", "NULL", measure), abs=tolerance), measure


def test_recovery_by_deprivation_decile_matches_england_read_the_right_way_round(real, tt):
    """The file's decile "01" is the least deprived: our decile 10."""
    labels = sorted(
        c
        for c in real[real.variable_type == "Indices of Deprivation Decile"].variable_a.unique()
        if c[:2].isdigit()
    )
    assert labels[0].startswith("01 Least") and labels[-1].startswith("10 Most")
    for label in labels:
        ours = 11 - int(label[:2])
        group = tt[tt.imd_decile == ours]
        want = _figure(real, "Indices of Deprivation Decile", label, "recovery")
        assert _recovery(group) == pytest.approx(want, abs=_tolerance(group, DECILE)), label


def test_recovery_by_ethnic_group_age_and_sex_matches_england(real, tt):
    for ours, theirs in ETHNIC.items():
        tolerance = GROUP if ours in ("White", "Asian") else SMALL_GROUP
        group = tt[tt.broad == ours]
        want = _figure(real, "Ethnic Group", theirs, "recovery")
        assert _recovery(group) == pytest.approx(want, abs=_tolerance(group, tolerance)), ours
    for label, (lo, hi) in AGES.items():
        group = tt[tt.age.between(lo, hi)]
        want = _figure(real, "Age Group", label.replace("-", " to "), "recovery")
        assert _recovery(group) == pytest.approx(want, abs=_tolerance(group, AGE)), label
    for code, label in (("1", "Male"), ("2", "Female")):
        got = _recovery(tt[tt.sex == code])
        assert got == pytest.approx(_figure(real, "Gender", label, "recovery"), abs=SEX), label


def test_finishing_treatment_differs_by_deprivation_and_ethnic_group_as_in_england(real, tt):
    """Finished courses per referral, relative to all referrals, by group."""

    def real_ratio(variable, category):
        finished = _figure(real, variable, category, "finished_course_treatment", "count")
        referrals = _figure(real, variable, category, "referrals_received", "count")
        total = _figure(real, "Total", "NULL", "finished_course_treatment", "count") / _figure(
            real, "Total", "NULL", "referrals_received", "count"
        )
        return finished / referrals / total

    overall = tt.finished_treatment.mean()
    for ours, theirs in ETHNIC.items():
        got = tt.finished_treatment[tt.broad == ours].mean() / overall
        assert got == pytest.approx(real_ratio("Ethnic Group", theirs), abs=RATIO), ours
    for ours, theirs in ((1, "10 Most deprived"), (10, "01 Least deprived")):
        got = tt.finished_treatment[tt.imd_decile == ours].mean() / overall
        want = real_ratio("Indices of Deprivation Decile", theirs)
        assert got == pytest.approx(want, abs=RATIO), theirs


def test_the_scenarios_figures_are_the_files_figures(real):
    """The recovery figures the scenario is calibrated to are copied from the file exactly."""
    tt = load_scenario()["talking_therapies"]
    deciles = tt["recovery_by_imd_decile"]["value"]
    for ours, value in deciles.items():
        label = next(c for c in real.variable_a.unique() if c[:2] == f"{11 - int(ours):02d}")
        assert 100 * value == pytest.approx(
            _figure(real, "Indices of Deprivation Decile", label, "recovery"), abs=0.05
        )
    for ours, theirs in ETHNIC.items():
        assert 100 * tt["recovery_by_broad_group"]["value"][ours] == pytest.approx(
            _figure(real, "Ethnic Group", theirs, "recovery"), abs=0.05
        )
    ages = tt["recovery_by_age_group"]["value"]
    for label in AGES:
        assert 100 * ages[label] == pytest.approx(
            _figure(real, "Age Group", label.replace("-", " to "), "recovery"), abs=0.05
        )
    assert np.isclose(100 * ages["90+"], _figure(real, "Age Group", "90 and over", "recovery"))
