"""Integrity of generated records on many seeds: keys, dates, ages, NHS numbers, code lists."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seeds import PROPERTY_SEEDS

import mhtrain
from mhtrain.specload import code_for, load_codes, load_scenario
from mhtrain.synth.ids import is_valid_nhs_number
from mhtrain.synth.schema import validate_tables

_CACHE: dict[int, mhtrain.Dataset] = {}


def _dataset(seed: int) -> mhtrain.Dataset:
    if seed not in _CACHE:
        _CACHE[seed] = mhtrain.generate(population=40_000, seed=seed)
    return _CACHE[seed]


seeds = st.sampled_from(PROPERTY_SEEDS) | st.integers(min_value=0, max_value=2**31 - 1)
property_settings = settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@property_settings
@given(seed=seeds)
def test_every_table_matches_its_schema_and_every_foreign_key_resolves(seed):
    validate_tables(_dataset(seed).tables)


@property_settings
@given(seed=seeds)
def test_referral_dates_are_in_order(seed):
    ref = _dataset(seed).referrals
    seen = ref.dropna(subset=["first_contact_date"])
    assert (seen.referral_date <= seen.first_contact_date).all()
    closed = seen.dropna(subset=["discharge_date"])
    assert (closed.first_contact_date <= closed.discharge_date).all()
    assert (
        ref.dropna(subset=["discharge_date"]).pipe(lambda d: d.referral_date <= d.discharge_date)
    ).all()


@property_settings
@given(seed=seeds)
def test_care_contacts_fall_inside_their_referral(seed):
    ds = _dataset(seed)
    joined = ds.care_contacts.merge(ds.referrals, on="referral_id")
    assert (joined.contact_date >= joined.first_contact_date).all()
    end = ds.extra["scenario"].period[1]
    closes = joined.discharge_date.fillna(pd.Timestamp(end))
    assert (joined.contact_date <= closes).all()


@property_settings
@given(seed=seeds)
def test_hospital_dates_are_in_order_and_detentions_inside_plausible_windows(seed):
    ds = _dataset(seed)
    sc = ds.extra["scenario"]
    start, end = sc.period
    spells = ds.inpatient_spells
    assert (
        spells.dropna(subset=["discharge_date"]).pipe(
            lambda d: d.admission_date <= d.discharge_date
        )
    ).all()
    det = ds.mha_detentions
    assert det.start_date.between(start, end).all()
    ended = det.dropna(subset=["end_date"])
    assert (ended.start_date <= ended.end_date).all()
    # no detention lasts longer than its section allows
    max_days = {
        code_for("mha_legal_status", k): v[1] for k, v in sc.p("detention.duration_days").items()
    }
    length = (ended.end_date - ended.start_date).dt.days
    assert (length <= ended.legal_status.map(max_days)).all()
    # a detention starts within its hospital spell
    in_spell = det.merge(spells, on=["spell_id", "person_id"])
    assert len(in_spell) == det.spell_id.notna().sum()
    assert (in_spell.start_date >= in_spell.admission_date).all()
    stays = in_spell.dropna(subset=["discharge_date"])
    assert (stays.start_date <= stays.discharge_date).all()
    ri = ds.restrictive_interventions.merge(spells, on=["spell_id", "person_id"])
    assert len(ri) == len(ds.restrictive_interventions)
    assert (ri.intervention_date >= ri.admission_date).all()
    assert (ri.intervention_date <= ri.discharge_date.fillna(pd.Timestamp(end))).all()
    cto = ds.community_treatment_orders.dropna(subset=["end_date"])
    assert (cto.start_date <= cto.end_date).all()


@property_settings
@given(seed=seeds)
def test_talking_therapies_dates_and_flags_follow_the_published_definitions(seed):
    tt = _dataset(seed).talking_therapies
    started = tt.dropna(subset=["first_treatment_date"])
    assert (started.referral_date <= started.first_treatment_date).all()
    second = tt.dropna(subset=["second_treatment_date"])
    assert (second.first_treatment_date < second.second_treatment_date).all()
    # finished a course: the referral ended in the period, after two or more sessions
    assert (tt.finished_treatment == ((tt.sessions >= 2) & tt.referral_ended.notna())).all()
    ended = tt.dropna(subset=["referral_ended"])
    assert (ended.referral_date <= ended.referral_ended).all()
    treated = ended.dropna(subset=["end_date"])
    assert (treated.end_date <= treated.referral_ended).all()
    assert tt.finished_treatment.sum() < (tt.sessions >= 2).sum()  # some still in treatment
    one = tt[tt.sessions == 1]
    assert (one.phq9_first == one.phq9_last).all() and (one.gad7_first == one.gad7_last).all()
    case = (tt.phq9_first >= 10) | (tt.gad7_first >= 8)
    assert (tt.caseness_first == case.fillna(False)).all()
    end_case = (tt.phq9_last >= 10) | (tt.gad7_last >= 8)
    recovered = tt.finished_treatment & case.fillna(False) & ~end_case.fillna(True)
    assert (tt.recovered == recovered).all()
    assert not tt.recovered[~tt.finished_treatment].any()
    phq_change, gad_change = tt.phq9_first - tt.phq9_last, tt.gad7_first - tt.gad7_last
    better = (phq_change >= 6) | (gad_change >= 4)
    worse = (phq_change <= -6) | (gad_change <= -4)
    deteriorated = tt.finished_treatment & (worse & ~better).fillna(False)
    assert (tt.reliable_deterioration == deteriorated).all()
    assert (tt.reliable_recovery == (tt.recovered & tt.reliable_improvement)).all()


@property_settings
@given(seed=seeds)
def test_ages_agree_with_birth_dates_and_bands(seed):
    ds = _dataset(seed)
    start = ds.extra["scenario"].period[0]
    people = ds.people
    months = (start.year - people.birth_year) * 12 + (start.month - people.birth_month)
    assert ((months // 12) == people.age).all()
    lo = people.age_band.str.extract(r"^(\d+)")[0].astype(int)
    hi = people.age_band.str.extract(r"-(\d+)$")[0].astype(float).fillna(np.inf)
    assert ((people.age >= lo) & (people.age <= hi)).all()
    assert (
        ds.talking_therapies.age >= load_scenario()["talking_therapies"]["min_age"]["value"]
    ).all()


@property_settings
@given(seed=seeds)
def test_nhs_numbers_are_valid_and_in_the_test_range(seed):
    numbers = _dataset(seed).people.nhs_number
    assert numbers.str.startswith("999").all()
    assert is_valid_nhs_number(numbers.to_numpy()).all()
    assert numbers.is_unique


def test_nhs_number_check_rejects_a_wrong_check_digit():
    assert is_valid_nhs_number(np.array(["9434765919"])).all()
    assert not is_valid_nhs_number(np.array(["9434765918", "12345", "99900000A0"])).any()


def test_schema_check_catches_an_invalid_code(small_dataset):
    tables = dict(small_dataset.tables)
    people = tables["people"].copy()
    people.loc[people.index[0], "ethnic_category"] = "X"
    tables["people"] = people
    with pytest.raises(pa.errors.SchemaErrors):
        validate_tables(tables)


def test_schema_check_catches_a_broken_foreign_key(small_dataset):
    tables = dict(small_dataset.tables)
    ref = tables["referrals"].copy()
    ref.loc[ref.index[0], "person_id"] = "NOBODY00"
    tables["referrals"] = ref
    with pytest.raises(pa.errors.SchemaError, match="not found in people.person_id"):
        validate_tables(tables)


def test_messy_mode_logs_every_error_it_adds():
    clean = mhtrain.generate(population=40_000, seed=3)
    messy = mhtrain.generate(population=40_000, seed=3, messy=True)
    log = messy.messy_log
    assert set(log.problem) == {
        "duplicate row",
        "invalid code",
        "dates out of order",
        "missing value",
    }
    dup_people = log[(log.table == "people") & (log.problem == "duplicate row")]
    assert len(messy.people) - len(clean.people) == len(dup_people)
    assert messy.people.duplicated().sum() == len(dup_people)
    valid = set(mhtrain.codes("ethnic_category").code)
    bad = ~messy.people.ethnic_category.isin(valid)
    logged_bad = log[(log.table == "people") & (log.problem == "invalid code")]
    assert bad.sum() == len(logged_bad) + messy.people.duplicated()[bad].sum()
    ref = messy.referrals
    out_of_order = (ref.first_contact_date < ref.referral_date).sum()
    logged = (log.problem == "dates out of order").sum()
    assert out_of_order >= logged > 0
    with pytest.raises(pa.errors.SchemaErrors):
        validate_tables(messy.tables)


# ---- Mental Health Act pathways ---------------------------------------------------------------
def _sections(ds) -> pd.DataFrame:
    keys = {c["code"]: c["key"] for c in load_codes()["mha_legal_status"]["codes"]}
    det = ds.mha_detentions.assign(section=ds.mha_detentions.legal_status.map(keys))
    return det.sort_values(["person_id", "start_date"]).reset_index(drop=True)


@property_settings
@given(seed=seeds)
def test_a_cto_always_follows_a_section_3_or_37(seed):
    """A community treatment order starts after a section 3 or 37 this year, or was already in
    force on the first day of the period (its detention was in an earlier year)."""
    ds = _dataset(seed)
    start = ds.extra["scenario"].period[0]
    det = _sections(ds)
    qualifying = det[det.section.isin(["s3", "s37"])]
    cto = ds.community_treatment_orders
    in_year = cto[cto.start_date >= start]
    assert (cto[cto.start_date < start].end_date.fillna(pd.Timestamp.max) >= start).all()
    joined = in_year.merge(qualifying, on="person_id", suffixes=("", "_det"))
    after = joined[joined.end_date_det.notna() & (joined.end_date_det < joined.start_date)]
    assert set(after.cto_id) == set(in_year.cto_id)


@property_settings
@given(seed=seeds)
def test_sections_in_one_spell_follow_the_legal_order(seed):
    """In a hospital spell a section 2 never follows a section 3, a holding power (4 or 5(2))
    comes first, and each section starts the day the one before it ends."""
    det = _sections(_dataset(seed)).dropna(subset=["spell_id"])
    det = det.sort_values(["spell_id", "start_date"])
    prev = det.groupby("spell_id").shift(1)
    follows = det[prev.section.notna()]
    before = prev.loc[follows.index]
    assert not ((before.section == "s3") & (follows.section == "s2")).any()
    assert not follows.section.isin(["s4", "s5_2"]).any()
    assert (follows.start_date == before.end_date).all()
    pairs = set(zip(before.section, follows.section, strict=True))
    assert pairs <= {("s2", "s3"), ("s4", "s2"), ("s4", "s3"), ("s5_2", "s2"), ("s5_2", "s3")}


def test_some_section_2_detentions_convert_to_section_3_and_holding_powers_lead_on():
    """Conversions and holding powers that lead to detention happen, in the planted shares."""
    ds = mhtrain.generate(population=2_000_000, seed=17)
    sc = ds.extra["scenario"]
    det = _sections(ds).dropna(subset=["spell_id"]).sort_values(["spell_id", "start_date"])
    nxt = det.groupby("spell_id").section.shift(-1)
    s2 = det.section == "s2"
    converted = (nxt[s2] == "s3").mean()
    assert converted == pytest.approx(float(sc.p("detention.s2_to_s3_probability")), abs=0.06)
    holding = det.section.isin(["s4", "s5_2"])
    led_on = nxt[holding].isin(["s2", "s3"]).mean()
    shares = sc.p("detention.holding_power_outcome_shares")
    assert led_on == pytest.approx(float(shares["s2"]) + float(shares["s3"]), abs=0.1)
    # some orders follow a detention this year, the others were in force on the first day
    cto = ds.community_treatment_orders
    new = (cto.start_date >= sc.period[0]).mean()
    share = float(sc.p("community_treatment_orders.detained_in_year_share"))
    assert 0.5 * share < new <= share + 0.05


@property_settings
@given(seed=seeds)
def test_periods_of_detention_of_one_person_never_overlap(seed):
    det = _sections(_dataset(seed))
    prev_end = det.groupby("person_id").end_date.shift(1)
    has_prev = prev_end.notna() | det.person_id.duplicated()
    assert (det.start_date[has_prev] >= prev_end[has_prev]).all()
