"""Hospital records for one area: detentions, inpatient spells, restrictive interventions, CTOs.

The draws are made in a fixed order from the area's ``records`` stream (detentions, then spells,
then informal admissions, restrictive interventions and orders), so the same seed always gives
the same records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mhtrain.synth.draws import choice_fixed, codes_at, lognormal_days, sort_within
from mhtrain.synth.ids import make_ids
from mhtrain.synth.scenario import Scenario, in_ages

if TYPE_CHECKING:
    from mhtrain.synth.records import AreaContext

_DAY = np.timedelta64(1, "D")
_NAT = np.datetime64("NaT")
# Sections under which a person is detained in hospital (so the detention has a spell).
_IN_HOSPITAL = ("s2", "s3", "s4", "s5_2", "s37", "s37_41", "s35", "s47_49")


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
    det = _detentions(sc, rng, detained, det_start_day)
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


def _detentions(sc: Scenario, rng, detained, det_start_day) -> dict[str, np.ndarray]:
    """Each detained person's detentions: start, section and end (in days from the start)."""
    ndays = sc.period_days
    who = np.flatnonzero(detained)
    n_det = 1 + rng.poisson(float(sc.p("detention.extra_detentions_mean")), len(who))
    d_person = np.repeat(who, n_det)
    first = np.cumsum(n_det) - n_det
    # later detentions of the same person fall between the first and the end of the period
    first_start = det_start_day[d_person]
    later = first_start + np.floor(rng.random(len(d_person)) * (ndays - first_start)).astype(int)
    later[first] = first_start[first]
    order = sort_within(d_person, later)
    d_person, d_start = d_person[order], later[order]
    shares = sc.p("detention.legal_status_shares")
    keys = list(shares)
    status = choice_fixed(rng, len(d_person), [float(shares[k]) for k in keys])
    dur = sc.p("detention.duration_days")
    med = np.array([float(dur[k][0]) for k in keys])[status]
    cap = np.array([float(dur[k][-1]) for k in keys])[status]
    d_end = d_start + _capped_lognormal(rng, med, float(sc.p("detention.duration_spread")), cap)
    # a following detention of the same person (e.g. section 2 then 3) ends this one
    same_next = np.zeros(len(d_person), bool)
    same_next[:-1] = d_person[1:] == d_person[:-1]
    nxt = np.zeros(len(d_start), int)
    nxt[:-1] = d_start[1:]
    d_end = np.where(same_next & (nxt < d_end), nxt, d_end)
    status_keys = np.asarray(keys)[status]
    return {
        "person": d_person,
        "start": d_start,
        "end": d_end,
        "status": status,
        "keys": keys,
        "status_keys": status_keys,
        "in_hospital": np.isin(status_keys, _IN_HOSPITAL),
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
    admission = d_start[new_spell] - np.where(
        det["status_keys"][new_spell] == "s5_2", rng.integers(*before_holding, n_spells), 0
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
    if len(det["person"]):
        np.maximum.at(last_end, det["person"], np.minimum(det["end"], ndays - 1))
    c_start = np.where(
        last_end[who_cto] >= 0, last_end[who_cto] + 1, rng.integers(0, ndays, len(who_cto))
    )
    keep = c_start < ndays
    who_cto, c_start = who_cto[keep], c_start[keep]
    median, cap = (float(v) for v in sc.p("community_treatment_orders.duration_days"))
    c_end = c_start + _capped_lognormal(
        rng,
        np.full(len(who_cto), median),
        float(sc.p("community_treatment_orders.duration_spread")),
        cap,
    )
    return pd.DataFrame(
        {
            "cto_id": make_ids("cto", ctx.seed, ctx.area, np.arange(len(who_cto))),
            "person_id": person_id[who_cto],
            "start_date": _dates(sc, c_start),
            "end_date": _dates(sc, c_end, known=c_end < ndays),
        }
    )
