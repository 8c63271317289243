"""Do Mental Health Act pathways follow the law and the published figures?

Integrity rules (on many seeds): every place of safety order has a recorded outcome that the
records bear out; renewals of detention for treatment follow the legal periods; detentions in
force on the first day began before it, each in a hospital stay of its own; no person's hospital
stays overlap. Published figures (on one large sample with a fixed seed): how detentions start,
uses of section 136, police stations as places of safety, and people detained on the first day,
each against the source its share or rate comes from.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seeds import PROPERTY_SEEDS

import mhtrain
from mhtrain.specload import code_for, load_codes, load_scenario, load_sources

_CACHE: dict[int, mhtrain.Dataset] = {}
# One large sample for the published figures: big enough that each share is measured to within
# about a percentage point, quick enough to make once for the whole module.
LARGE_POPULATION, LARGE_SEED = 3_000_000, 2718


def _dataset(seed: int) -> mhtrain.Dataset:
    if seed not in _CACHE:
        _CACHE[seed] = mhtrain.generate(population=60_000, seed=seed)
    return _CACHE[seed]


@pytest.fixture(scope="module")
def large():
    return mhtrain.generate(population=LARGE_POPULATION, seed=LARGE_SEED)


seeds = st.sampled_from(PROPERTY_SEEDS) | st.integers(min_value=0, max_value=2**31 - 1)
property_settings = settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _param(dotted: str):
    node = load_scenario()
    for part in dotted.split("."):
        node = node[part]
    return node


def _status(key: str) -> str:
    return code_for("mha_legal_status", key)


def _authorised_days(renewals: pd.Series) -> pd.Series:
    """Days a detention for treatment may last after so many renewals, straight from the Act:
    six months, renewable for six months, then for a year at a time."""
    periods = _param("detention.renewal_period_days")["value"]
    first, second, later = periods["first"], periods["second"], periods["later"]
    return first + (renewals >= 1) * second + (renewals - 1).clip(lower=0) * later


# ---- integrity, on many seeds ---------------------------------------------------------------
@property_settings
@given(seed=seeds)
def test_every_place_of_safety_order_leads_to_a_recorded_outcome(seed):
    """Detained: the detention exists, is the person's, starts when the order ends (the same
    day or the next) under the section the outcome names, and is counted as starting after a
    place of safety order. Informal: an informal stay of the person begins then. Discharged:
    nothing follows."""
    ds = _dataset(seed)
    pos, det = ds.place_of_safety_orders, ds.mha_detentions
    assert len(pos) > 0
    assert set(pos.legal_status) <= {_status("s135"), _status("s136")}
    outcome = {c["code"]: c["key"] for c in load_codes()["place_of_safety_outcome"]["codes"]}
    kind = pos.outcome.map(outcome)
    assert kind.notna().all()
    detained = pos[kind.str.startswith("detained")]
    assert detained.detention_id.notna().all() and detained.spell_id.isna().all()
    joined = detained.merge(det, on="detention_id", suffixes=("", "_det"), validate="one_to_one")
    assert len(joined) == len(detained)
    assert (joined.person_id == joined.person_id_det).all()
    wanted = joined.outcome.map(outcome).map({"detained_s2": "s2", "detained_s3": "s3"})
    assert (joined.legal_status_det == wanted.map(_status)).all()
    gap = (joined.start_date_det - joined.start_date).dt.days
    assert gap.between(0, 1).all()
    route = code_for("detention_start_route", "after_place_of_safety")
    assert (joined.start_route == route).all()
    # and every detention counted as after a place of safety has its order
    assert set(det.detention_id[det.start_route == route]) == set(detained.detention_id)
    informal = pos[kind == "informal_admission"]
    assert informal.spell_id.notna().all() and informal.detention_id.isna().all()
    stays = informal.merge(ds.inpatient_spells, on="spell_id", suffixes=("", "_spell"))
    assert len(stays) == len(informal)
    assert (stays.person_id == stays.person_id_spell).all()
    assert (stays.admission_date - stays.start_date).dt.days.between(0, 1).all()
    assert not stays.spell_id.isin(det.spell_id).any()  # an informal stay has no detention
    home = pos[kind == "discharged"]
    assert home.detention_id.isna().all() and home.spell_id.isna().all()


@property_settings
@given(seed=seeds)
def test_place_of_safety_orders_keep_to_the_legal_limits(seed):
    """At most 24 hours, or 36 when extended; a police station is never used for a child."""
    ds = _dataset(seed)
    pos = ds.place_of_safety_orders
    limit = _param("detention.place_of_safety_max_days")["value"] * 24
    extra = _param("detention.place_of_safety_extension_days")["value"] * 24
    assert (pos.duration_hours >= 1).all()
    assert (pos.duration_hours[~pos.extended] <= limit).all()
    assert pos.duration_hours[pos.extended].between(limit + 1, limit + extra).all()
    police = code_for("place_of_safety_type", "police_station")
    ages = pos.merge(ds.people, on="person_id").loc[lambda d: d.place_of_safety == police].age
    assert (ages >= 18).all()
    start, end = ds.extra["scenario"].period
    assert pos.start_date.between(start, end).all()


@property_settings
@given(seed=seeds)
def test_renewals_follow_the_legal_periods(seed):
    """A section 3 (or 37 without restrictions) renewed r times has outlasted r periods of
    authority and not the next: up to its end, or to the end of the year if it goes on."""
    ds = _dataset(seed)
    end_of_year = ds.extra["scenario"].period[1].normalize() + pd.Timedelta(days=1)
    for table in (ds.mha_detentions, ds.mha_in_force_at_start):
        renewable = table.legal_status.isin([_status("s3"), _status("s37")])
        assert (table.renewals[~renewable] == 0).all()
        det = table[renewable]
        held = (det.end_date.fillna(end_of_year).clip(upper=end_of_year) - det.start_date).dt.days
        assert (held <= _authorised_days(det.renewals)).all()
        renewed = det.renewals >= 1
        assert (held[renewed] > _authorised_days(det.renewals[renewed] - 1)).all()


@property_settings
@given(seed=seeds)
def test_detentions_in_force_at_the_start_began_before_it_in_a_stay_of_their_own(seed):
    ds = _dataset(seed)
    start, end = ds.extra["scenario"].period
    later = end + pd.Timedelta(days=1)  # stands in for "still going at the end of the year"
    at_start = ds.mha_in_force_at_start
    assert len(at_start) > 0
    assert (at_start.start_date < start).all()
    assert (at_start.end_date.fillna(later) > start).all()
    stays = at_start.merge(ds.inpatient_spells, on="spell_id", suffixes=("", "_spell"))
    assert len(stays) == len(at_start) and stays.spell_id.is_unique
    assert (stays.person_id == stays.person_id_spell).all()
    assert (stays.admission_date == stays.start_date).all()
    assert (stays.discharge_date.fillna(later) >= stays.end_date.fillna(start)).all()
    # a person detained on the first day has no new detention that would overlap it
    assert not at_start.person_id.isin(ds.mha_detentions.person_id).any()


@property_settings
@given(seed=seeds)
def test_no_person_has_two_hospital_stays_at_once(seed):
    spells = _dataset(seed).inpatient_spells.sort_values(["person_id", "admission_date"])
    prev_end = spells.groupby("person_id").discharge_date.shift(1)
    has_prev = spells.person_id.duplicated()
    assert prev_end[has_prev].notna().all()  # only a person's last stay can still be open
    assert (spells.admission_date[has_prev] > prev_end[has_prev]).all()


@property_settings
@given(seed=seeds)
def test_cto_recalls_fall_inside_the_order_and_a_revocation_ends_it(seed):
    """A recall lasts at most 72 hours (section 17E) while the order is in force; a revoked
    recall is the order's last and the order ends when it does."""
    ds = _dataset(seed)
    end = ds.extra["scenario"].period[1]
    recalls = ds.cto_recalls.merge(
        ds.community_treatment_orders, on="cto_id", suffixes=("", "_cto"), validate="many_to_one"
    )
    assert len(recalls) == len(ds.cto_recalls)
    assert (recalls.person_id == recalls.person_id_cto).all()
    max_hours = _param("community_treatment_orders.recall_max_days")["value"] * 24
    assert ds.cto_recalls.duration_hours.between(1, max_hours).all()
    assert (recalls.recall_date >= recalls.start_date).all()
    assert (recalls.recall_date <= recalls.end_date.fillna(end)).all()
    revoked = recalls.outcome == code_for("cto_recall_outcome", "revoked")
    back = recalls.recall_date + pd.to_timedelta(recalls.duration_hours // 24, unit="D")
    assert (recalls.end_date[revoked] == back[revoked]).all()
    last = recalls.groupby("cto_id").recall_date.transform("max")
    assert (recalls.recall_date[revoked] == last[revoked]).all()
    assert recalls[revoked].cto_id.is_unique


def test_route_chances_bring_the_records_to_the_published_shares():
    """Chains of sections drawn with the worked-out chances (a fresh stream, no orders) give
    the published shares of how detentions start, to within sampling noise."""
    from mhtrain.synth import prepare
    from mhtrain.synth.hospital import ROUTES, _detentions, start_route_chances

    sc, _ = prepare("default")
    chances = start_route_chances(sc)
    assert sum(chances.values()) == pytest.approx(1) and min(chances.values()) > 0
    rng = np.random.default_rng(PROPERTY_SEEDS[-1])
    n = 100_000
    det = _detentions(
        sc, rng, np.ones(n, bool), np.zeros(n, bool), rng.integers(0, sc.period_days, n)
    )
    shares = _param("detention.start_route_shares")["value"]
    realised = np.bincount(det["route"], minlength=len(ROUTES)) / len(det["route"])
    for i, route in enumerate(ROUTES):
        assert realised[i] == pytest.approx(shares[route], abs=0.01), route


# ---- published figures, on one large sample -------------------------------------------------
def _figures(source: str) -> str:
    """A source's figures as one text (figures read only in a report of the release too: they
    may set a parameter, never a target)."""
    entry = load_sources()[source]
    return " ".join([*entry.get("figures", []), *entry.get("unverified_figures", [])])


def _number(text: str, before: str) -> int:
    """The number written just before ``before`` in a source's figures (e.g. "34,982 took")."""
    found = re.search(r"([\d,]+) " + re.escape(before), text)
    assert found, f"no number before {before!r}"
    return int(found.group(1).replace(",", ""))


def test_the_route_shares_are_the_published_counts():
    """The shares in the scenario are the published 2022-23 counts, as shares of their total."""
    param = _param("detention.start_route_shares")
    assert param["source"] == "nhsd_mha_2022_23"
    text = _figures("nhsd_mha_2022_23")
    counts = {
        "on_admission": _number(text, "took place at the point of admission"),
        "following_admission": _number(text, "following admission"),
        "after_place_of_safety": _number(text, "detentions followed a place of safety order"),
    }
    total = sum(counts.values())
    for route, count in counts.items():
        assert param["value"][route] == pytest.approx(count / total, abs=5e-5)


@pytest.mark.slow
def test_detentions_start_in_the_published_proportions(large):
    """On admission about 68%, following admission 25%, after a place of safety 7%
    (nhsd_mha_2022_23), each within two percentage points."""
    shares = _param("detention.start_route_shares")["value"]
    routes = {c["code"]: c["key"] for c in load_codes()["detention_start_route"]["codes"]}
    realised = large.mha_detentions.start_route.map(routes).value_counts(normalize=True)
    for route, share in shares.items():
        assert realised[route] == pytest.approx(share, abs=0.02), route


@pytest.mark.slow
def test_section_136_is_used_at_the_published_rate_and_rarely_in_police_stations(large):
    """Uses of section 136 per 100,000 residents within 8% of the Home Office's 2023-24 rate,
    and police stations for about 1% of them (ho_police_powers_2024)."""
    param = _param("detention.place_of_safety_per_100k")
    assert param["source"] == "ho_police_powers_2024"
    text = _figures("ho_police_powers_2024")
    uses, in_police = _number(text, "detentions under section 136"), _number(text, "of them")
    assert param["value"] == pytest.approx(uses / 59_597_300 * 100_000, rel=1e-3)
    pos = large.place_of_safety_orders
    s136 = pos[pos.legal_status == _status("s136")]
    assert len(s136) / large.residents * 100_000 == pytest.approx(param["value"], rel=0.08)
    police = (s136.place_of_safety == code_for("place_of_safety_type", "police_station")).mean()
    share = _param("detention.place_of_safety_police_station_share")["value"]
    assert share == pytest.approx(in_police / uses, abs=1e-4)
    assert police == pytest.approx(share, abs=0.006)
    s135 = (pos.legal_status == _status("s135")).mean()
    assert s135 == pytest.approx(_param("detention.place_of_safety_s135_share")["value"], abs=0.02)


@pytest.mark.slow
def test_people_detained_on_the_first_day_at_the_published_rate_with_years_long_stays(large):
    """People detained in hospital on the first day of the year, per 100,000 residents, within
    10% of the latest published snapshot (nhsd_mha_2015_16: 20,151 on 31 March 2016); some
    restricted patients have been in hospital for more than five years."""
    param = _param("detention.in_force_at_start_per_100k")
    assert param["source"] == "nhsd_mha_2015_16"
    detained = _number(_figures("nhsd_mha_2015_16"), "were detained in hospitals")
    assert param["value"] == pytest.approx(detained / 54_786_300 * 100_000, rel=1e-3)
    at_start = large.mha_in_force_at_start
    rate = at_start.person_id.nunique() / large.residents * 100_000
    assert rate == pytest.approx(param["value"], rel=0.10)
    start = large.extra["scenario"].period[0]
    years = (start - at_start.start_date).dt.days / 365.25
    restricted = at_start.legal_status.isin([_status("s37_41"), _status("s47_49")])
    assert (years[restricted] > 5).any()
    assert years[restricted].median() > years[~restricted].median()
    # the longest stay in the data runs for years, not months
    spells = large.inpatient_spells
    end = large.extra["scenario"].period[1]
    stay = (spells.discharge_date.fillna(end) - spells.admission_date).dt.days
    assert stay.max() > 5 * 365


def test_legal_limits_in_the_scenario_are_the_acts():
    """The 72-hour recall, the 24-hour place of safety and its 12-hour extension, and the
    periods of detention for treatment, each from the Act it cites."""
    recall = _param("community_treatment_orders.recall_max_days")
    assert recall["source"] == "mha_1983_s17e" and "72 hours" in _figures("mha_1983_s17e")
    assert recall["value"] * 24 == 72
    pos = _param("detention.place_of_safety_max_days")
    extension = _param("detention.place_of_safety_extension_days")
    text = _figures(pos["source"])
    assert pos["value"] * 24 == 24 and "up to 24 hours" in text
    assert extension["value"] * 24 == 12 and "up to 12 hours" in text
    periods = _param("detention.renewal_period_days")
    assert periods["source"] == "mha_1983_s20"
    assert "six months" in _figures("mha_1983_s20") and "a year at a time" in _figures(
        "mha_1983_s20"
    )
    assert periods["value"] == {"first": 182, "second": 182, "later": 365}


@pytest.mark.slow
def test_some_detentions_for_treatment_are_renewed(large):
    """Renewals happen, and mostly to people detained on the first day (long stays)."""
    s3 = _status("s3")
    new = large.mha_detentions.loc[lambda d: d.legal_status == s3]
    old = large.mha_in_force_at_start.loc[lambda d: d.legal_status == s3]
    assert 0 < (new.renewals > 0).mean() < (old.renewals > 0).mean()
    assert old.renewals.max() >= 2
