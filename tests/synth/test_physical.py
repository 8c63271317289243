"""The SMI register, deaths and their linkage: realism figure by figure, integrity, the truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from seeds import OTHER_SEED, SMALL_SEED

import mhtrain
from mhtrain.specload import load_sources
from mhtrain.synth import physical, prepare, streams
from mhtrain.synth.ids import is_valid_nhs_number
from mhtrain.synth.schema import validate_tables

SC, _ = prepare("default")
P = "physical_health."


def _source(dotted: str) -> str:
    node = SC.spec
    for part in dotted.split("."):
        node = node[part]
    return node.get("source") or node.get("basis") or "illustrative"


# --- realism, figure by figure ---------------------------------------------------------------


def test_register_prevalence_matches_published_count(default_dataset):
    """[rcpsych_smi_premature_2023] 535,204 adults on the register: 0.947% of residents."""
    source = _source(P + "register.prevalence")
    assert source in load_sources()
    target = SC.p(P + "register.prevalence")
    realised = len(default_dataset.smi_register) / default_dataset.population.residents.sum()
    # a binomial share of a million residents: within four standard errors
    se = np.sqrt(target * (1 - target) / default_dataset.population.residents.sum())
    assert abs(realised - target) < 4 * se, (realised, target, source)


def test_register_holds_adults_only_and_more_people_in_deprived_areas(default_dataset):
    reg = default_dataset.smi_register
    assert reg.age.min() >= SC.p(P + "register.min_age")
    pop = default_dataset.population.groupby("imd_decile").residents.sum()
    rate = reg.groupby("imd_decile").size() / pop
    assert rate.loc[1] > 1.5 * rate.loc[10]


def test_premature_mortality_ratio_matches_ohid(default_dataset):
    """[ohid_smi_premature_2023] 4.9 times as likely to die before 75 as adults without SMI."""
    planted = SC.p(P + "mortality.smi_premature_ratio")
    got = default_dataset.truth["physical_health"]["premature_mortality"]["true_vs_without_smi"]
    assert got["lower"] <= planted <= got["upper"], (got, planted)
    assert 0.8 * planted < got["ratio"] < 1.2 * planted


def test_model_implies_the_published_ratio_exactly():
    """Before sampling, the fitted death rates give OHID's ratio over the whole population."""
    _, joint = prepare(SC)
    prob = physical.physical_model(SC)
    pop = joint.sum(axis=0)
    on, off = pop * prob["register"], pop * (1 - prob["register"])
    premature = np.isin(SC.age_bands, physical.premature_bands(SC))
    ref = (off * prob["death"]).sum(axis=(0, 1)) / off.sum(axis=(0, 1))
    expected = (on.sum(axis=(0, 1)) * ref)[premature].sum()
    observed = (on * prob["death_register"])[:, :, premature].sum()
    assert observed / expected == pytest.approx(SC.p(P + "mortality.smi_premature_ratio"))


def test_health_check_uptake_is_as_planted_with_its_gaps(default_dataset):
    """[nhse_phsmi basis, illustrative] about 55% with all six checks; fewer where deprived."""
    hc = default_dataset.truth["physical_health"]["health_checks"]
    assert hc["all_six_share"] == pytest.approx(SC.p(P + "health_check.all_six_share"), abs=0.03)
    by_decile = hc["all_six_share_by_imd_decile"]
    assert by_decile["1"] < by_decile["10"]
    by_group = hc["all_six_share_by_broad_group"]
    assert by_group["Black"] < by_group["White"]
    # every single check is at least as common as all six together
    assert min(hc["share_by_check"].values()) >= hc["all_six_share"]


def test_deaths_are_about_one_in_a_hundred_residents_and_cancer_and_heart_lead(default_dataset):
    deaths = default_dataset.deaths
    crude = len(deaths) / default_dataset.population.residents.sum()
    assert 0.006 < crude < 0.013
    top = deaths.underlying_cause_group.value_counts().index[:3]
    assert {"C00-D48", "I00-I99"} <= set(top)


def test_causes_of_death_of_people_on_the_register_tilt_to_respiratory_and_liver(default_dataset):
    ds = default_dataset
    true_id = pd.Series(ds.extra["facts"]["death_true_patient_id"], index=ds.deaths.index)
    on_reg = ds.deaths[true_id != ""].underlying_cause_group.value_counts(normalize=True)
    others = ds.deaths[true_id == ""].underlying_cause_group.value_counts(normalize=True)
    assert on_reg["J00-J99"] > others["J00-J99"]
    assert on_reg["C00-D48"] < others["C00-D48"]


# --- integrity ---------------------------------------------------------------------------------


def test_tables_match_their_schema(small_dataset):
    validate_tables(
        {
            name: small_dataset.tables[name]
            for name in ("areas", "smi_register", "deaths", "population")
        }
    )


def test_every_death_follows_the_start_of_the_persons_records(default_dataset):
    ds = default_dataset
    true_id = pd.Series(ds.extra["facts"]["death_true_patient_id"], index=ds.deaths.index)
    joined = ds.deaths.assign(patient_id=true_id).merge(ds.smi_register, on="patient_id")
    assert len(joined) == (true_id != "").sum() > 0
    assert (joined.date_of_death > joined.registered_date).all()
    start, end = SC.period
    assert ds.deaths.date_of_death.between(start, end).all()


def test_no_check_is_dated_after_the_persons_death(default_dataset):
    ds = default_dataset
    true_id = pd.Series(ds.extra["facts"]["death_true_patient_id"], index=ds.deaths.index)
    died = ds.deaths.assign(patient_id=true_id).merge(ds.smi_register, on="patient_id")
    for check in physical.CHECKS:
        dates = died[f"{check}_date"]
        assert (dates.isna() | (dates <= died.date_of_death)).all(), check
    # and the censoring bites: people who died early had fewer checks
    early = died.date_of_death < SC.period[0] + pd.Timedelta(days=60)
    assert died.all_six_checks[early].mean() < ds.smi_register.all_six_checks.mean()


def test_all_six_flag_agrees_with_the_dates(small_dataset):
    reg = small_dataset.smi_register
    dated = reg[[f"{c}_date" for c in physical.CHECKS]].notna().all(axis=1)
    assert (dated == reg.all_six_checks).all()


def test_register_numbers_are_valid_unique_and_not_those_of_people_in_contact(small_dataset):
    reg = small_dataset.smi_register
    assert is_valid_nhs_number(reg.nhs_number.to_numpy()).all()
    assert reg.nhs_number.is_unique
    assert not reg.nhs_number.isin(small_dataset.people.nhs_number).any()


# --- linkage and its failures in the truth -------------------------------------------------------


def test_linkage_failures_are_logged_in_the_truth(default_dataset):
    ds = default_dataset
    link = ds.truth["physical_health"]["linkage"]
    failures = pd.DataFrame(link["failures"])
    assert len(failures) == link["register_deaths_missed"] > 0
    assert set(failures.reason) <= set(physical.LINK_FAILURES)
    linked = physical.link_deaths(ds.smi_register, ds.deaths)
    # the logged deaths are exactly the register deaths that naive linkage misses
    assert not failures.death_id.isin(linked.death_id).any()
    recorded = ds.deaths.set_index("death_id").nhs_number.reindex(failures.death_id)
    missing = failures.reason.eq("missing").to_numpy()
    assert recorded[missing].isna().all()
    truly = ds.smi_register.set_index("patient_id").nhs_number.reindex(failures.patient_id)
    assert (recorded[~missing].to_numpy() != truly[~missing].to_numpy()).all()
    assert (
        link["register_deaths_linked"] + link["register_deaths_missed"] == link["register_deaths"]
    )


def test_naive_linkage_understates_the_ratio(default_dataset):
    pm = default_dataset.truth["physical_health"]["premature_mortality"]
    assert pm["naive_vs_everyone"]["ratio"] < pm["true_vs_everyone"]["ratio"]
    assert pm["naive_vs_everyone"]["expected"] == pm["true_vs_everyone"]["expected"]


def test_linkage_fails_more_often_for_ethnic_minority_groups():
    """Pooled over seeds (each year has few deaths), missed links fall more on minority groups."""
    missed, total = {}, {}
    for seed in (SMALL_SEED, OTHER_SEED):
        ds = mhtrain.generate(population=400_000, seed=seed)
        facts = ds.extra["facts"]
        eth = pd.Series(facts["death_true_ethnic_code"]).map(SC.broad_of)
        failed = pd.Series(facts["death_link_failure"]) != ""
        for group in ("White", "Black", "Asian"):
            missed[group] = missed.get(group, 0) + failed[eth == group].sum()
            total[group] = total.get(group, 0) + (eth == group).sum()
    rate = {g: missed[g] / total[g] for g in missed}
    assert rate["Black"] > 1.5 * rate["White"]
    assert rate["Asian"] > 1.5 * rate["White"]


def test_physical_tables_come_from_their_own_stream(small_dataset):
    """Same seed, same tables; and the other tables are untouched by them (drawn last)."""
    again = mhtrain.generate(population=60_000, seed=SMALL_SEED)
    for name in ("smi_register", "deaths"):
        pd.testing.assert_frame_equal(again.tables[name], small_dataset.tables[name])
    other = mhtrain.generate(population=60_000, seed=OTHER_SEED)
    assert not other.smi_register.patient_id.isin(small_dataset.smi_register.patient_id).all()
    assert physical.STREAM in streams.STREAMS  # keyed by name in the one stream table


def test_generator_module_holds_no_numbers_of_its_own():
    """Every rate and share comes from the spec: only 0, 1 and -1 appear in the code."""
    import ast

    tree = ast.parse(Path(physical.__file__).read_text(encoding="utf-8"))
    found = [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
        and node.value not in (0, 1, -1)
    ]
    assert found == []


def test_every_physical_health_number_has_a_kind_and_a_source_or_a_note():
    from mhtrain.specload import _walk_params, parameter_kinds

    params = list(_walk_params(SC.spec["physical_health"]))
    assert len(params) >= 20
    for where, param in params:
        assert param.get("kind") in parameter_kinds(), where
        assert param.get("source") in load_sources() or (
            param.get("illustrative") is True and param.get("note")
        ), where
