"""Hospital records for one area: detentions, inpatient spells, restrictive interventions, CTOs.

The draws are made in a fixed order from the area's ``records`` stream (detentions, then spells,
then informal admissions, restrictive interventions and orders), so the same seed always gives
the same records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mhtrain.synth import streams
from mhtrain.synth.draws import choice_fixed, codes_at, lognormal_days, sort_within
from mhtrain.synth.ids import make_ids
from mhtrain.synth.model import HOLDING_POWERS
from mhtrain.synth.scenario import Scenario, in_ages

if TYPE_CHECKING:
    from mhtrain.synth.records import AreaContext

_DAY = np.timedelta64(1, "D")
_NAT = np.datetime64("NaT")
# Sections under which a person is detained in hospital (so the detention has a spell).
_IN_HOSPITAL = ("s2", "s3", "s4", "s5_2", "s37", "s37_41", "s35", "s47_49")
CTO_AFTER = ("s3", "s37")
"""Sections a community treatment order can follow (Mental Health Act 1983, section 17A: a
patient detained for treatment under section 3, or under an unrestricted hospital order, s37)."""


def _dates(sc: Scenario, day: np.ndarray, *, known: np.ndarray | None = None) -> np.ndarray:
    """Days from the period start as dates; empty where ``known`` is false."""
    start = np.datetime64(sc.period[0].date(), "D")
    dates = start + day * _DAY
    if known is not None:
        dates = np.where(known, dates, _NAT)
    return dates.astype("datetime64[s]")


def _capped_lognormal(rng, median: np.ndarray, spread: float, cap) -> np.ndarray:
    """Whole days drawn around ``median`` and capped."""
    return np.minimum(np.ceil(lognormal_days(rng, median, spread)), cap).astype(int)


def hospital_tables(
    ctx: AreaContext, rng, detained, on_cto, det_start_day, person_id, age, persons, crisis
):
    """Detentions, inpatient spells (detained and informal), restrictive interventions, CTOs."""
    sc = ctx.sc
    det = _detentions(sc, rng, detained, on_cto, det_start_day)
    spells = _detained_spells(sc, rng, det)
    informal = _informal_spells(sc, rng, detained, age, crisis, n_detentions=len(det["person"]))
    sp = {
        k: np.r_[spells[k], informal[k]] for k in ("person", "admission", "discharge", "detained")
    }
    spell_ids = make_ids("spell", ctx.seed, ctx.area, np.arange(len(sp["person"])))
    n_spells = len(spells["person"])
    spells_df = pd.DataFrame(
        {
            "spell_id": spell_ids,
            "person_id": person_id[sp["person"]],
            "admission_date": _dates(sc, sp["admission"]),
            "discharge_date": _dates(sc, sp["discharge"], known=sp["discharge"] < sc.period_days),
        }
    )
    detentions = pd.DataFrame(
        {
            "detention_id": make_ids(
                "detention", ctx.seed, ctx.area, np.arange(len(det["person"]))
            ),
            "person_id": person_id[det["person"]],
            "spell_id": np.where(
                det["in_hospital"],
                spell_ids[:n_spells][spells["number"]] if n_spells else "",
                None,
            ),
            "legal_status": codes_at("mha_legal_status", det["keys"], det["status"]),
            "start_date": _dates(sc, det["start"]),
            "end_date": _dates(sc, det["end"], known=det["end"] < sc.period_days),
        }
    )
    ri = _restrictive(ctx, rng, sp, spell_ids, person_id, persons, age)
    ctos = _ctos(ctx, rng, on_cto, det, person_id)
    return detentions, spells_df, ri, ctos


# Detained people simulated to find how many detention records fall in the year per person
# (periods that run past the end, or start too late, have records in the next year instead).
_CALIBRATION_PEOPLE = 200_000


def detentions_per_detained_person(sc: Scenario) -> float:
    """Mean detention records starting in the period per person detained (cached).

    Found by simulating detained people on a stream of its own (the same for every seed), so
    the detention rate can be set to give the published number of detentions in the year.
    """
    if "_detentions_per_person" not in sc.__dict__:
        rng = streams.rng("detention_calibration", 0)
        n = _CALIBRATION_PEOPLE
        det = _detentions(
            sc, rng, np.ones(n, bool), np.zeros(n, bool), rng.integers(0, sc.period_days, n)
        )
        sc.__dict__["_detentions_per_person"] = len(det["person"]) / n
    return sc.__dict__["_detentions_per_person"]


def _episode_chain(sc: Scenario, rng, first: np.ndarray, keys: list[str]) -> list[np.ndarray]:
    """The sections of each period of detention, in order: a holding power may lead to section
    2 or 3, and a section 2 may be followed by a section 3. Returns up to three columns of
    section indices (-1 where the chain has ended)."""
    n = len(first)
    at = {k: i for i, k in enumerate(keys)}
    after = sc.p("detention.holding_power_outcome_shares")
    outcomes = list(after)
    holding = np.isin(first, [at[k] for k in HOLDING_POWERS])
    nxt = np.asarray([at.get(k, -1) for k in outcomes])[
        choice_fixed(rng, n, [float(after[k]) for k in outcomes])
    ]
    second = np.where(holding, nxt, -1)
    to_s3 = rng.random(n) < float(sc.p("detention.s2_to_s3_probability"))
    s2_at = np.where(first == at["s2"], 0, np.where(second == at["s2"], 1, -1))
    third = np.full(n, -1)
    second = np.where(to_s3 & (s2_at == 0), at["s3"], second)
    third = np.where(to_s3 & (s2_at == 1), at["s3"], third)
    return [first, second, third]


def _detentions(sc: Scenario, rng, detained, on_cto, det_start_day) -> dict[str, np.ndarray]:
    """Each detained person's periods of detention, each a legal chain of sections.

    A period starts under a section drawn from ``first_section_shares`` (a person who is also on
    a community treatment order this year starts under section 3 or 37, the sections a CTO can
    follow). Periods of one person do not overlap: a later one starts after the last ended, with
    a gap longer than ``inpatient.spell_gap_days`` (so it is a new hospital spell).
    """
    ndays = sc.period_days
    who = np.flatnonzero(detained)
    n_ep = 1 + rng.poisson(float(sc.p("detention.extra_detentions_mean")), len(who))
    ep_person = np.repeat(who, n_ep)
    first_of = np.cumsum(n_ep) - n_ep
    rank = np.arange(len(ep_person)) - np.repeat(first_of, n_ep)
    place = rng.random(len(ep_person))  # where a later period falls in the time left
    shares = sc.p("detention.first_section_shares")
    keys = list(shares)
    first = choice_fixed(rng, len(ep_person), [float(shares[k]) for k in keys])
    # a person on a CTO this year was detained under a section a CTO can follow
    cto_first = on_cto[ep_person] & ~np.isin(first, [keys.index(k) for k in CTO_AFTER])
    weights = np.array([float(shares[k]) for k in CTO_AFTER])
    first[cto_first] = np.asarray([keys.index(k) for k in CTO_AFTER])[
        choice_fixed(rng, int(cto_first.sum()), weights)
    ]
    chain = _episode_chain(sc, rng, first, keys)
    dur = sc.p("detention.duration_days")
    med = np.array([float(dur[k][0]) for k in keys])
    cap = np.array([float(dur[k][-1]) for k in keys])
    spread = float(sc.p("detention.duration_spread"))
    lengths = []
    for c in chain:
        idx = np.maximum(c, 0)
        lengths.append(np.where(c >= 0, _capped_lognormal(rng, med[idx], spread, cap[idx]), 0))
    span = sum(lengths)
    # place the periods of each person one after another: the first on its drawn day, each
    # later one somewhere in the time left after the one before (if there is any)
    gap = int(sc.p("inpatient.spell_gap_days"))
    start = np.zeros(len(ep_person), int)
    start[first_of] = det_start_day[who]
    for k in range(1, int(rank.max()) + 1 if len(rank) else 1):
        later = np.flatnonzero(rank == k)
        earliest = start[later - 1] + span[later - 1] + gap + 1
        room = np.maximum(ndays - earliest, 0)
        start[later] = earliest + np.floor(place[later] * room).astype(int)
    rows = [
        (np.flatnonzero(c >= 0), c, offset)
        for c, offset in zip(
            chain, np.cumsum([np.zeros_like(span), *lengths[:-1]], axis=0), strict=True
        )
    ]
    person = np.concatenate([ep_person[i] for i, _, _ in rows])
    status = np.concatenate([c[i] for i, c, _ in rows])
    d_start = np.concatenate([start[i] + off[i] for i, _, off in rows])
    d_end = np.concatenate(
        [start[i] + off[i] + lengths[n][i] for n, (i, _, off) in enumerate(rows)]
    )
    episode = np.concatenate([i for i, _, _ in rows])
    keep = d_start < ndays
    person, status, d_start, d_end, episode = (
        a[keep] for a in (person, status, d_start, d_end, episode)
    )
    order = sort_within(person, d_start)
    person, status, d_start, d_end, episode = (
        a[order] for a in (person, status, d_start, d_end, episode)
    )
    status_keys = np.asarray(keys)[status]
    return {
        "person": person,
        "start": d_start,
        "end": d_end,
        "status": status,
        "keys": keys,
        "status_keys": status_keys,
        "episode": episode,
        "in_hospital": np.isin(status_keys, _IN_HOSPITAL),
        "after_informal": rng.random(len(person))
        < float(sc.p("detention.after_informal_admission_probability")),
    }


def _detained_spells(sc: Scenario, rng, det: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Hospital spells of detained people: detentions close together share a spell."""
    d_person, d_start, d_end = det["person"], det["start"], det["end"]
    gap = int(sc.p("inpatient.spell_gap_days"))
    new_spell = np.ones(len(d_person), bool)
    new_spell[1:] = (d_person[1:] != d_person[:-1]) | (d_start[1:] > d_end[:-1] + gap)
    spell_no = np.cumsum(new_spell) - 1
    n_spells = int(spell_no.max() + 1) if len(spell_no) else 0
    before_holding = [int(v) for v in sc.p("detention.informal_days_before_holding_power")]
    opening = det["status_keys"][new_spell]
    already_in = (opening == "s5_2") | (
        det["after_informal"][new_spell] & np.isin(opening, ["s2", "s3"])
    )
    admission = d_start[new_spell] - np.where(
        already_in, rng.integers(*before_holding, n_spells), 0
    )
    last = np.zeros(n_spells, int)
    np.maximum.at(last, spell_no, d_end)
    after = int(sc.p("detention.stay_after_detention_days"))
    return {
        "person": d_person[new_spell],
        "admission": admission,
        "discharge": last + rng.integers(0, after, n_spells),
        "detained": np.ones(n_spells, bool),
        "number": spell_no,
    }


def _informal_spells(
    sc: Scenario, rng, detained, age, crisis, *, n_detentions: int
) -> dict[str, np.ndarray]:
    """Informal admissions among people in contact who were not detained."""
    ndays = sc.period_days
    n_inf = rng.poisson(float(sc.p("detention.informal_admissions_per_detention")) * n_detentions)
    eligible = np.flatnonzero(
        ~detained & (age >= int(sc.p("inpatient.informal_admission_min_age")))
    )
    weights = np.where(
        crisis[eligible], float(sc.p("detention.informal_admission_crisis_weight")), 1.0
    )
    n_inf = min(n_inf, len(eligible))
    person = (
        np.sort(rng.choice(eligible, n_inf, replace=False, p=weights / weights.sum()))
        if n_inf
        else np.array([], int)
    )
    admission = rng.integers(0, ndays, n_inf)
    median, cap = (float(v) for v in sc.p("inpatient.informal_stay_days"))
    stay = _capped_lognormal(
        rng, np.full(n_inf, median), float(sc.p("inpatient.informal_stay_spread")), cap
    )
    return {
        "person": person,
        "admission": admission,
        "discharge": admission + stay,
        "detained": np.zeros(n_inf, bool),
    }


def _restrictive(ctx: AreaContext, rng, sp, spell_ids, person_id, persons, age) -> pd.DataFrame:
    """Restrictive interventions within spells, at a rate per month of stay."""
    sc = ctx.sc
    ndays = sc.period_days
    sp_person = sp["person"]
    sp_eth = persons["eth"][sp_person]
    mean = np.where(
        sp["detained"],
        float(sc.p("inpatient.restrictive_interventions_per_detained_spell")),
        float(sc.p("inpatient.restrictive_interventions_per_informal_spell")),
    )
    mean = (
        mean
        * sc.by_broad("inpatient.restrictive_ethnic_factor")[sp_eth]
        * np.where(
            in_ages(age[sp_person], sc.p("inpatient.restrictive_young_adult_ages")),
            float(sc.p("inpatient.restrictive_young_adult_factor")),
            1,
        )
    )
    stay_end = np.minimum(sp["discharge"], ndays - 1)
    stay_start = np.maximum(sp["admission"], 0)
    stay_days = np.clip(stay_end - stay_start + 1, 1, None)
    n_ri = rng.poisson(mean * stay_days / float(sc.p("calendar.days_per_month")))
    ri_spell = np.repeat(np.arange(len(sp_person)), n_ri)
    ri_day = stay_start[ri_spell] + np.floor(
        rng.random(len(ri_spell)) * (stay_end[ri_spell] - stay_start[ri_spell] + 1)
    ).astype(int)
    ri_shares = sc.p("inpatient.restrictive_type_shares")
    ri_keys = list(ri_shares)
    ri_type = choice_fixed(rng, len(ri_spell), [float(ri_shares[k]) for k in ri_keys])
    return pd.DataFrame(
        {
            "intervention_id": make_ids(
                "intervention", ctx.seed, ctx.area, np.arange(len(ri_spell))
            ),
            "spell_id": spell_ids[ri_spell],
            "person_id": person_id[sp_person[ri_spell]],
            "intervention_type": codes_at("restrictive_intervention_type", ri_keys, ri_type),
            "intervention_date": _dates(sc, ri_day),
        }
    )


def _ctos(ctx: AreaContext, rng, on_cto, det, person_id) -> pd.DataFrame:
    """Community treatment orders: after the last detention if detained this year."""
    sc = ctx.sc
    ndays = sc.period_days
    who_cto = np.flatnonzero(on_cto)
    last_end = np.full(len(person_id), -1)
    qualifying = np.isin(det["status_keys"], CTO_AFTER)
    if qualifying.any():
        np.maximum.at(last_end, det["person"][qualifying], det["end"][qualifying])
    detained_first = last_end[who_cto] >= 0
    median, cap = (float(v) for v in sc.p("community_treatment_orders.duration_days"))
    length = _capped_lognormal(
        rng,
        np.full(len(who_cto), median),
        float(sc.p("community_treatment_orders.duration_spread")),
        cap,
    )
    # an order of a person not detained this year began after a detention in an earlier year,
    # and is in force on the first day of the period
    elapsed = 1 + np.floor(rng.random(len(who_cto)) * np.maximum(length - 1, 1)).astype(int)
    c_start = np.where(detained_first, last_end[who_cto] + 1, -elapsed)
    keep = c_start < ndays
    who_cto, c_start, length = who_cto[keep], c_start[keep], length[keep]
    c_end = c_start + length
    return pd.DataFrame(
        {
            "cto_id": make_ids("cto", ctx.seed, ctx.area, np.arange(len(who_cto))),
            "person_id": person_id[who_cto],
            "start_date": _dates(sc, c_start),
            "end_date": _dates(sc, c_end, known=c_end < ndays),
        }
    )
