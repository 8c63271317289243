"""Hospital records for one area: detentions, inpatient spells, restrictive interventions, CTOs
and their recalls, place of safety orders, and the detentions already in force on the first day
of the year.

The draws are made in a fixed order from the area's ``records`` stream (detentions, then spells,
then informal admissions, restrictive interventions and orders); the detentions in force at the
start, the place of safety orders and the recalls come from the area's own ``mha_pathways``
stream. So the same seed always gives the same records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mhtrain.errors import MhtrainError
from mhtrain.synth import model, streams
from mhtrain.synth.draws import choice_fixed, codes_at, lognormal_days, sort_within
from mhtrain.synth.ids import make_ids
from mhtrain.synth.model import HOLDING_POWERS
from mhtrain.synth.orders import CTO_AFTER, cto_tables
from mhtrain.synth.periods import HOURS_PER_DAY, capped_lognormal, period_dates
from mhtrain.synth.scenario import Scenario, in_ages

if TYPE_CHECKING:
    from mhtrain.synth.records import AreaContext

# Sections under which a person is detained in hospital (so the detention has a spell).
_IN_HOSPITAL = ("s2", "s3", "s4", "s5_2", "s37", "s37_41", "s35", "s38", "s47_49")
RENEWABLE = ("s3", "s37")
"""Sections whose authority runs out and must be renewed (Mental Health Act 1983, section 20; a
hospital order under section 37 without restrictions is renewed as if it were a section 3,
Schedule 1). Restricted patients (37/41, 47/49) are detained without limit of time."""
ROUTES = ("on_admission", "following_admission", "after_place_of_safety")
"""How a new detention starts, as the annual statistics count them (codes ``detention_start_route``)."""
PLACE_OF_SAFETY_SECTIONS = ("s136", "s135")
"""Place of safety orders: police powers in a public place (136) or a warrant for a home (135)."""
_PLACES = ("health_based", "emergency_department", "police_station")
_OPENS_ROUTE = ("s2", "s3")  # the sections a person can be admitted under from home or a PoS
# A detention in force on the first day began at least a day before it and ends after it.
_SHORTEST_IN_FORCE_DAYS = 2
# The calibration runs measure only the chains of sections, so every route is given one weight.
_STRUCTURE_ONLY = dict.fromkeys(ROUTES, 1.0)
# Rates in the specs are per 100,000 residents.
PER_100K = 100_000


def hospital_tables(
    ctx: AreaContext, rng, detained, on_cto, det_start_day, person_id, age, persons, crisis
):
    """Detentions, inpatient spells (detained and informal), restrictive interventions, CTOs,
    place of safety orders and the detentions in force on the first day of the year."""
    sc = ctx.sc
    prng = streams.rng("mha_pathways", ctx.seed, ctx.area)
    det = _detentions(sc, rng, detained, on_cto, det_start_day)
    spells = _detained_spells(sc, rng, det)
    informal = _informal_spells(sc, rng, detained, age, crisis, n_detentions=len(det["person"]))
    # people already detained on the first day: in contact, with no other record of detention,
    # order or informal stay this year
    free = ~detained & ~on_cto
    free[informal["person"]] = False
    at_start = _in_force_at_start(ctx, prng, free, persons["detention_weight"])
    free[at_start["person"]] = False
    sp = {
        k: np.r_[spells[k], informal[k], at_start[k]]
        for k in ("person", "admission", "discharge", "detained")
    }
    sp["long_stay"] = np.arange(len(sp["person"])) >= len(spells["person"]) + len(
        informal["person"]
    )
    spell_ids = make_ids("spell", ctx.seed, ctx.area, np.arange(len(sp["person"])))
    n_spells, n_informal = len(spells["person"]), len(informal["person"])
    spells_df = pd.DataFrame(
        {
            "spell_id": spell_ids,
            "person_id": person_id[sp["person"]],
            "admission_date": period_dates(sc, sp["admission"]),
            "discharge_date": period_dates(
                sc, sp["discharge"], known=sp["discharge"] < sc.period_days
            ),
        }
    )
    detention_ids = make_ids("detention", ctx.seed, ctx.area, np.arange(len(det["person"])))
    detentions = pd.DataFrame(
        {
            "detention_id": detention_ids,
            "person_id": person_id[det["person"]],
            "spell_id": np.where(
                det["in_hospital"],
                spell_ids[:n_spells][spells["number"]] if n_spells else "",
                None,
            ),
            "legal_status": codes_at("mha_legal_status", det["keys"], det["status"]),
            "start_date": period_dates(sc, det["start"]),
            "end_date": period_dates(sc, det["end"], known=det["end"] < sc.period_days),
            "start_route": codes_at("detention_start_route", ROUTES, det["route"]),
            "renewals": det["renewals"].astype(np.int32),
        }
    )
    in_force = pd.DataFrame(
        {
            "detention_id": make_ids(
                "detention_at_start", ctx.seed, ctx.area, np.arange(len(at_start["person"]))
            ),
            "person_id": person_id[at_start["person"]],
            "spell_id": spell_ids[n_spells + n_informal :],
            "legal_status": codes_at("mha_legal_status", at_start["keys"], at_start["status"]),
            "start_date": period_dates(sc, at_start["admission"]),
            "end_date": period_dates(sc, at_start["end"], known=at_start["end"] < sc.period_days),
            "renewals": at_start["renewals"].astype(np.int32),
        }
    )
    places = _places_of_safety(
        ctx,
        prng,
        det,
        detention_ids,
        informal,
        spell_ids[n_spells : n_spells + n_informal],
        free & crisis,
        age,
        person_id,
    )
    ri = _restrictive(ctx, rng, sp, spell_ids, person_id, persons, age)
    ctos, recalls = cto_tables(ctx, rng, prng, on_cto, det, person_id)
    return detentions, spells_df, ri, ctos, recalls, places, in_force


def _in_force_at_start(ctx: AreaContext, rng, free: np.ndarray, weight: np.ndarray) -> dict:
    """People already detained on the first day of the year, and their hospital spells.

    Their number follows ``detention.in_force_at_start_per_100k``; they are drawn from people in
    contact who have no other detention, order or informal stay this year, in proportion to
    their chance of detention (so the same inequalities show). Each detention began a while
    before the period: a whole length is drawn (long ones are the likelier to be in force on
    one day) and the first day of the year falls somewhere inside it.
    """
    sc = ctx.sc
    expected = float(ctx.cells.sum()) * float(sc.p("detention.in_force_at_start_per_100k"))
    who = np.flatnonzero(free & (weight > 0))
    n = min(int(rng.poisson(expected / PER_100K)), len(who))
    p = weight[who] / weight[who].sum() if len(who) else None
    person = np.sort(rng.choice(who, n, replace=False, p=p)) if n else np.array([], int)
    shares = sc.p("detention.in_force_section_shares")
    keys = list(shares)
    status = choice_fixed(rng, n, [float(shares[k]) for k in keys])
    dur = sc.p("detention.in_force_duration_days")
    med = np.array([float(dur[k][0]) for k in keys])[status]
    cap = np.array([float(dur[k][-1]) for k in keys])[status]
    length = np.maximum(
        capped_lognormal(rng, med, float(sc.p("detention.duration_spread")), cap),
        _SHORTEST_IN_FORCE_DAYS,
    )
    elapsed = 1 + np.floor(rng.random(n) * (length - 1)).astype(int)
    start = -elapsed
    end = start + length
    after = int(sc.p("detention.stay_after_detention_days"))
    status_keys = np.asarray(keys)[status]
    return {
        "person": person,
        "admission": start,
        "end": end,
        "discharge": end + rng.integers(0, after, n),
        "detained": np.ones(n, bool),
        "status": status,
        "keys": keys,
        "renewals": np.where(
            np.isin(status_keys, RENEWABLE),
            renewals(sc, np.minimum(end, sc.period_days) - start),
            0,
        ),
    }


def _places_of_safety(
    ctx: AreaContext, rng, det, detention_ids, informal, informal_ids, free, age, person_id
) -> pd.DataFrame:
    """Place of safety orders (sections 135 and 136) and what followed each of them.

    Detentions that start after a place of safety order get one that ends on their first day;
    the rest of the published number of orders lead to an informal admission (the order ends on
    the day the stay begins) or to the person going home.
    """
    sc = ctx.sc
    ndays = sc.period_days
    s135 = float(sc.p("detention.place_of_safety_s135_share"))
    expected = (
        float(ctx.cells.sum()) * float(sc.p("detention.place_of_safety_per_100k")) / PER_100K
    ) / (1 - s135)
    linked = np.flatnonzero(det["route"] == ROUTES.index("after_place_of_safety"))
    n_other = int(rng.poisson(max(expected - len(linked), 0.0)))
    outcome_shares = sc.p("detention.place_of_safety_outcome_shares")
    outcome_keys = list(outcome_shares)
    other_outcome = choice_fixed(rng, n_other, [float(outcome_shares[k]) for k in outcome_keys])
    to_informal = other_outcome == outcome_keys.index("informal_admission")
    n_inf = min(int(to_informal.sum()), len(informal["person"]))
    inf_pick = np.sort(rng.choice(len(informal["person"]), n_inf, replace=False))
    home = np.flatnonzero(free)
    n_home = min(n_other - int(to_informal.sum()), len(home))
    home_pick = rng.choice(home, n_home, replace=True) if len(home) else np.array([], int)
    n = len(linked) + n_inf + n_home
    person = np.r_[det["person"][linked], informal["person"][inf_pick], home_pick]
    ends = np.r_[
        det["start"][linked], informal["admission"][inf_pick], rng.integers(0, ndays, n_home)
    ]
    all_outcomes = ("detained_s2", "detained_s3", "informal_admission", "discharged")
    outcome = np.r_[
        np.where(det["status_keys"][linked] == "s2", 0, 1),
        np.full(n_inf, all_outcomes.index("informal_admission")),
        np.full(n_home, all_outcomes.index("discharged")),
    ].astype(int)
    hours = _place_of_safety_hours(sc, rng, n)
    # an order that began the evening before ends the next day
    start = np.maximum(ends - (rng.random(n) * HOURS_PER_DAY < hours), 0)
    section = (rng.random(n) < s135).astype(int)
    adult = age[person] >= int(sc.p("referrals.adult_from_age"))
    police = (rng.random(n) < float(sc.p("detention.place_of_safety_police_station_share"))) & adult
    ed = rng.random(n) < float(sc.p("detention.place_of_safety_emergency_department_share"))
    place = np.where(
        police,
        _PLACES.index("police_station"),
        np.where(ed, _PLACES.index("emergency_department"), _PLACES.index("health_based")),
    )
    order = sort_within(person, start)
    none = np.full(n, None, dtype=object)
    detention, spell = none.copy(), none.copy()
    detention[: len(linked)] = np.asarray(detention_ids, dtype=object)[linked]
    spell[len(linked) : len(linked) + n_inf] = np.asarray(informal_ids, dtype=object)[inf_pick]
    return pd.DataFrame(
        {
            "order_id": make_ids("place_of_safety", ctx.seed, ctx.area, np.arange(n)),
            "person_id": person_id[person[order]],
            "legal_status": codes_at("mha_legal_status", PLACE_OF_SAFETY_SECTIONS, section[order]),
            "start_date": period_dates(sc, start[order]),
            "duration_hours": hours[order].astype(np.int32),
            "extended": hours[order]
            > float(sc.p("detention.place_of_safety_max_days")) * HOURS_PER_DAY,
            "place_of_safety": codes_at("place_of_safety_type", _PLACES, place[order]),
            "outcome": codes_at("place_of_safety_outcome", all_outcomes, outcome[order]),
            "detention_id": detention[order],
            "spell_id": spell[order],
        }
    )


def _place_of_safety_hours(sc: Scenario, rng, n: int) -> np.ndarray:
    """Whole hours kept at a place of safety: up to 24, or up to 36 when extended."""
    limit = float(sc.p("detention.place_of_safety_max_days")) * HOURS_PER_DAY
    extension = float(sc.p("detention.place_of_safety_extension_days")) * HOURS_PER_DAY
    median = float(sc.p("detention.place_of_safety_median_days")) * HOURS_PER_DAY
    hours = np.clip(
        np.ceil(
            lognormal_days(rng, np.full(n, median), float(sc.p("detention.place_of_safety_spread")))
        ),
        1,
        limit,
    )
    extended = rng.random(n) < float(sc.p("detention.place_of_safety_extended_share"))
    extra = np.ceil(rng.random(n) * extension)
    return np.where(extended, limit + np.maximum(extra, 1), hours).astype(int)


# Detained people simulated to find how many detention records fall in the year per person
# (periods that run past the end, or start too late, have records in the next year instead).
_CALIBRATION_PEOPLE = 200_000


def person_probabilities(sc: Scenario) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each cell's chance of being detained in the year, of being on a community treatment
    order, and of both (an order that follows a detention this year)."""
    det_rate = model.cached(sc, model.detention_rate)
    per_person = detentions_per_detained_person(sc)
    p_det = np.clip(det_rate / per_person, 0, float(sc.p("detention.max_person_probability")))
    p_cto = np.clip(
        model.cached(sc, model.cto_rate),
        0,
        float(sc.p("community_treatment_orders.max_person_probability")),
    )
    p_both = np.minimum(
        p_cto * float(sc.p("community_treatment_orders.detained_in_year_share")), p_det
    )
    return p_det, p_cto, p_both


def _simulated_detentions(
    sc: Scenario, stream: str, *, on_order: float | None = None
) -> dict[str, np.ndarray]:
    """Detention records of ``_CALIBRATION_PEOPLE`` simulated detained people, drawn on a
    stream of their own (the same for every seed); with ``on_order``, that share of them is
    on a community treatment order."""
    rng = streams.rng(stream, 0)
    n = _CALIBRATION_PEOPLE
    ordered = np.zeros(n, bool) if on_order is None else rng.random(n) < on_order
    return _detentions(
        sc,
        rng,
        np.ones(n, bool),
        ordered,
        rng.integers(0, sc.period_days, n),
        chances=_STRUCTURE_ONLY,
    )


def detentions_per_detained_person(sc: Scenario) -> float:
    """Mean detention records starting in the period per person detained (cached).

    Found by simulating detained people on a stream of its own (the same for every seed), so
    the detention rate can be set to give the published number of detentions in the year.
    """
    if "_detentions_per_person" not in sc.__dict__:
        det = _simulated_detentions(sc, "detention_calibration")
        sc.__dict__["_detentions_per_person"] = len(det["person"]) / _CALIBRATION_PEOPLE
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


def _detentions(
    sc: Scenario, rng, detained, on_cto, det_start_day, *, chances: dict | None = None
) -> dict[str, np.ndarray]:
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
        lengths.append(np.where(c >= 0, capped_lognormal(rng, med[idx], spread, cap[idx]), 0))
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
    link = np.concatenate([np.full(len(i), n) for n, (i, _, _) in enumerate(rows)])
    keep = d_start < ndays
    person, status, d_start, d_end, episode, link = (
        a[keep] for a in (person, status, d_start, d_end, episode, link)
    )
    order = sort_within(person, d_start)
    person, status, d_start, d_end, episode, link = (
        a[order] for a in (person, status, d_start, d_end, episode, link)
    )
    status_keys = np.asarray(keys)[status]
    following = ROUTES.index("following_admission")
    opens = (link == 0) & np.isin(status_keys, _OPENS_ROUTE)
    already_in = (link > 0) | (status_keys == "s5_2")
    chances = start_route_chances(sc) if chances is None else chances
    drawn = choice_fixed(rng, len(person), [chances[r] for r in ROUTES])
    route = np.where(opens, drawn, np.where(already_in, following, ROUTES.index("on_admission")))
    renewable = np.isin(status_keys, RENEWABLE)
    return {
        "person": person,
        "start": d_start,
        "end": d_end,
        "status": status,
        "keys": keys,
        "status_keys": status_keys,
        "episode": episode,
        "in_hospital": np.isin(status_keys, _IN_HOSPITAL),
        "route": route,
        "opens": opens,
        "already_in": already_in,
        "after_informal": opens & (route == following),
        "renewals": np.where(renewable, renewals(sc, np.minimum(d_end, ndays) - d_start), 0),
    }


def start_route_chances(sc: Scenario) -> dict[str, float]:
    """Chances that a period of detention opening under section 2 or 3 starts on admission,
    after an informal stay, or after a place of safety order (cached).

    Worked out so that all detention records in the year meet ``detention.start_route_shares``:
    a holding power under section 5(2), and every later section of a period (a section 3 after a
    section 2, a section 2 after a holding power), follow admission whatever happens. How many
    records are of each kind is found by simulating detained people (as many of them on a
    community treatment order as in the population) on a stream of its own, the same for every
    seed, since records that would start after the year are left out.
    """
    if "_start_route_chances" in sc.__dict__:
        return sc.__dict__["_start_route_chances"]
    shares = {k: float(v) for k, v in sc.p("detention.start_route_shares").items()}
    joint = sc.__dict__.get("_joint")
    on_order = 0.0
    if joint is not None:
        p_det, _, p_both = person_probabilities(sc)
        residents = joint.sum(axis=0)
        on_order = float((residents * p_both).sum() / (residents * p_det).sum())
    det = _simulated_detentions(sc, "start_route_calibration", on_order=on_order)
    opens, already_in = det["opens"], det["already_in"]
    opening = float(opens.mean())
    informal = (shares["following_admission"] - float(already_in.mean())) / opening
    pos = shares["after_place_of_safety"] / opening
    if informal < 0 or informal + pos > 1:
        raise MhtrainError(
            "detention.start_route_shares cannot be met with these first_section_shares "
            f"(chance after an informal stay {informal:.3f}, after a place of safety {pos:.3f}); "
            "start fewer periods under section 5(2), or convert fewer section 2s to section 3"
        )
    chances = {
        "on_admission": 1 - informal - pos,
        "following_admission": informal,
        "after_place_of_safety": pos,
    }
    sc.__dict__["_start_route_chances"] = chances
    return chances


def authorised_days(sc: Scenario, n_renewals: np.ndarray) -> np.ndarray:
    """Days a detention for treatment is authorised for after ``n_renewals`` renewals (six
    months, then six more, then a year at a time: ``detention.renewal_period_days``)."""
    periods = sc.p("detention.renewal_period_days")
    first, second, later = (int(periods[k]) for k in ("first", "second", "later"))
    n = np.asarray(n_renewals)
    return first + np.where(n >= 1, second, 0) + np.maximum(n - 1, 0) * later


def renewals(sc: Scenario, days_detained: np.ndarray) -> np.ndarray:
    """Renewals of a detention for treatment held for ``days_detained`` days (up to its end, or
    the end of the period): one each time its authority ran out while the person was detained."""
    days = np.asarray(days_detained)
    count = np.zeros(len(days), int)
    if not len(days):
        return count
    while True:
        expires = authorised_days(sc, count)
        more = days > expires
        if not more.any():
            return count
        count = count + more


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
    discharge = last + rng.integers(0, after, n_spells)
    # a stay begins after the same person's last one ended, and ends before the next begins
    sp_person = d_person[new_spell]
    prev_same, prev_last = np.zeros(n_spells, bool), np.zeros(n_spells, int)
    prev_same[1:], prev_last[1:] = sp_person[1:] == sp_person[:-1], last[:-1]
    admission = np.where(prev_same, np.maximum(admission, prev_last + 1), admission)
    next_same, next_admission = np.zeros(n_spells, bool), np.zeros(n_spells, int)
    next_same[:-1], next_admission[:-1] = prev_same[1:], admission[1:]
    discharge = np.where(next_same, np.minimum(discharge, next_admission - 1), discharge)
    return {
        "person": sp_person,
        "admission": admission,
        "discharge": discharge,
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
    stay = capped_lognormal(
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
        sp["long_stay"],
        float(sc.p("inpatient.restrictive_interventions_per_long_stay_spell")),
        np.where(
            sp["detained"],
            float(sc.p("inpatient.restrictive_interventions_per_detained_spell")),
            float(sc.p("inpatient.restrictive_interventions_per_informal_spell")),
        ),
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
            "intervention_date": period_dates(sc, ri_day),
        }
    )
