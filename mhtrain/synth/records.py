"""Record tables for one area: people, referrals, contacts, detentions, spells and more.

Each area is generated from its own random stream, so the whole dataset is the same whether it is
made in one piece or area by area (in chunks).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.special import expit, logit

from mhtrain.specload import code_for
from mhtrain.synth import ethnicity, model, streams
from mhtrain.synth.draws import (
    choice_columns,
    choice_fixed,
    choice_rows,
    codes_at,
    constant_column,
    expand_cells,
    labels,
    lognormal_days,
    multinomial_rows,
    sort_within,
)
from mhtrain.synth.hospital import hospital_tables, person_probabilities
from mhtrain.synth.ids import make_ids
from mhtrain.synth.scenario import BROAD_GROUPS, N_DECILES, Scenario, in_ages

_DAY = np.timedelta64(1, "D")
_CRISIS_TEAMS = ("crisis", "liaison")
_MONTHS = 12  # months in a year
# The four groups of people in contact drawn for each cell, in the order they are drawn.
_GROUPS = ("detained_and_cto", "detained", "cto", "other")


@dataclass
class AreaContext:
    """What the generator needs to know about one area."""

    sc: Scenario
    area: int
    seed: int
    cells: np.ndarray  # residents, shape (decile, eth, band, sex)
    nhs_numbers: np.ndarray  # this area's block of test-range NHS numbers

    @cached_property
    def area_code(self) -> str:
        return str(self.sc.areas.area_code.iloc[self.area])

    @cached_property
    def provider(self) -> str:
        return str(self.sc.areas.provider_code.iloc[self.area])


def _ages(ctx: AreaContext, rng, band: np.ndarray, *, min_age: int = 0) -> np.ndarray:
    lo, hi = ctx.sc.age_bounds
    lo_b, hi_b = np.maximum(lo[band], min_age), hi[band]
    return lo_b + np.floor(rng.random(len(band)) * (hi_b - lo_b + 1)).astype(int)


def _birth(ctx: AreaContext, rng, age: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Birth year and month consistent with age in completed years at the period start."""
    start = ctx.sc.period[0]
    months = _MONTHS * age + rng.integers(0, _MONTHS, len(age))
    total = start.year * _MONTHS + (start.month - 1) - months
    return total // _MONTHS, total % _MONTHS + 1


def _band_labels(sc: Scenario, age: np.ndarray) -> pd.api.extensions.ExtensionArray:
    lo, _ = sc.age_bounds
    return labels(sc.age_bands, np.searchsorted(lo, age, side="right") - 1)


def generate_area(ctx: AreaContext) -> tuple[dict[str, pd.DataFrame], dict]:
    """Generate every record table for one area; also return per-person facts for the truth."""
    sc = ctx.sc
    rng = streams.rng("records", ctx.seed, ctx.area)
    start, end = (np.datetime64(t.date(), "D") for t in sc.period)
    ndays = sc.period_days
    cells = ctx.cells

    # --- who is detained, on a community treatment order, or otherwise in contact ------------
    p_det, p_cto, p_both = person_probabilities(sc)
    p_contact = np.maximum(model.cached(sc, model.contact_probability), p_det + p_cto)
    p_det_only, p_cto_only = p_det - p_both, p_cto - p_both
    p_other = (p_contact - (p_det + p_cto - p_both)) / (1 - (p_det + p_cto - p_both))
    flat_n = cells.ravel()
    probs = np.stack([p_both.ravel(), p_det_only.ravel(), p_cto_only.ravel()], axis=1)
    probs = np.column_stack([probs, 1 - probs.sum(axis=1)])
    groups = multinomial_rows(rng, flat_n, probs)
    other = rng.binomial(groups[:, -1], np.clip(p_other.ravel(), 0, 1))
    counts_by_kind = [*groups[:, :-1].T, other]
    expanded = [expand_cells(c.reshape(cells.shape)) for c in counts_by_kind]
    persons = {k: np.concatenate([e[k] for e in expanded]) for k in expanded[0]}
    kind = np.concatenate([np.full(c.sum(), i) for i, c in enumerate(counts_by_kind)])
    detained = np.isin(kind, [_GROUPS.index("detained_and_cto"), _GROUPS.index("detained")])
    on_cto = np.isin(kind, [_GROUPS.index("detained_and_cto"), _GROUPS.index("cto")])
    n_people = len(kind)
    seq = np.arange(n_people)
    person_id = make_ids("person", ctx.seed, ctx.area, seq)
    age = _ages(ctx, rng, persons["band"])
    birth_year, birth_month = _birth(ctx, rng, age)

    # --- referrals --------------------------------------------------------------------------
    n_ref = 1 + rng.poisson(sc.p("contact.extra_referrals_mean"), n_people)
    ref_person = np.repeat(seq, n_ref)
    first_of_person = np.cumsum(n_ref) - n_ref
    is_first = np.zeros(len(ref_person), bool)
    is_first[first_of_person] = True
    r_age, r_sex = age[ref_person], persons["sex"][ref_person]
    team = _draw_teams(sc, rng, r_age, r_sex)
    # a detained person's first referral is to the crisis team, around the detention
    force_crisis = is_first & detained[ref_person]
    team[force_crisis] = _TEAMS.index("crisis")
    r_broad = sc.broad_index[persons["eth"][ref_person]]
    source = _draw_sources(sc, rng, team, r_broad)
    ref_day = rng.integers(0, ndays, len(ref_person))
    # first detention start of each detained person
    det_start_day = rng.integers(0, ndays, n_people)
    ref_day[force_crisis] = np.maximum(
        det_start_day[ref_person[force_crisis]]
        - rng.integers(0, int(sc.p("detention.crisis_referral_lead_days")), force_crisis.sum()),
        0,
    )
    wait = _waits(sc, rng, team, persons["decile"][ref_person], r_age)
    wait[force_crisis] = np.minimum(
        wait[force_crisis], float(sc.p("referrals.crisis_first_contact_max_days"))
    )
    never_seen = rng.random(len(team)) < float(sc.p("referrals.never_seen_probability"))
    never_seen[force_crisis] = False
    first_day = ref_day + np.floor(wait).astype(int)
    seen = ~never_seen & (first_day < ndays)
    episode = lognormal_days(
        rng,
        _team_values(sc, "referrals.episode_median_days", team),
        float(sc.p("referrals.episode_spread")),
    )
    close_after, close_extra = (int(v) for v in sc.p("referrals.closure_without_contact_days"))
    discharge_day = np.where(
        seen,
        first_day + np.ceil(episode).astype(int),
        ref_day + close_after + rng.integers(0, close_extra, len(team)),
    )
    discharged = discharge_day < ndays
    referral_id = make_ids("referral", ctx.seed, ctx.area, np.arange(len(team)))

    # --- how ethnicity is recorded (person level, depends on crisis pathway) ------------------
    crisis_ref = np.isin(team, [_TEAMS.index(t) for t in _CRISIS_TEAMS])
    crisis_person = detained.copy()
    crisis_person[ref_person[crisis_ref]] = True
    recorded = _record_ethnicity(sc, rng, persons["eth"], crisis_person, ctx.provider)

    people = pd.DataFrame(
        {
            "person_id": person_id,
            "nhs_number": pd.array(
                pa.array(ctx.nhs_numbers[seq % len(ctx.nhs_numbers)]).cast(pa.string()),
                dtype="str",
            ),
            "birth_year": birth_year.astype(np.int32),
            "birth_month": birth_month.astype(np.int32),
            "age": age.astype(np.int32),
            "age_band": labels(sc.age_bands, persons["band"]),
            "sex": labels(_SEX_CODES, persons["sex"]),
            "ethnic_category": recorded,
            "area_code": constant_column(ctx.area_code, n_people),
            "imd_decile": (persons["decile"] + 1).astype(np.int32),
        }
    )
    referrals = pd.DataFrame(
        {
            "referral_id": referral_id,
            "person_id": person_id[ref_person],
            "service_team_type": codes_at("service_team_type", _TEAM_TYPE_KEYS, team),
            "service_team_age_group": _team_age_group_codes(sc, team, r_age),
            "referral_source": codes_at("referral_source", _SOURCES, source),
            "referral_date": (start + ref_day * _DAY).astype("datetime64[s]"),
            "first_contact_date": np.where(
                seen, start + first_day * _DAY, np.datetime64("NaT")
            ).astype("datetime64[s]"),
            "discharge_date": np.where(
                discharged, start + discharge_day * _DAY, np.datetime64("NaT")
            ).astype("datetime64[s]"),
        }
    )

    contacts = _care_contacts(
        ctx,
        rng,
        referrals,
        team,
        seen,
        first_day,
        discharge_day,
        persons["decile"][ref_person],
        r_age,
        ref_person,
        person_id,
    )
    # each person's chance of detention, for drawing who is already detained on the first day
    persons["detention_weight"] = p_det[
        persons["decile"], persons["eth"], persons["band"], persons["sex"]
    ]
    detentions, spells, ri, ctos, recalls, places, in_force = hospital_tables(
        ctx, rng, detained, on_cto, det_start_day, person_id, age, persons, crisis_person
    )
    tables = {
        "people": people,
        "referrals": referrals,
        "care_contacts": contacts,
        "mha_detentions": detentions,
        "mha_in_force_at_start": in_force,
        "place_of_safety_orders": places,
        "community_treatment_orders": ctos,
        "cto_recalls": recalls,
        "inpatient_spells": spells,
        "restrictive_interventions": ri,
    }
    facts = {"true_eth": persons["eth"], "detained": detained, "on_cto": on_cto}
    return tables, facts


_TEAMS = (
    "community_mh",
    "cyp",
    "eip",
    "crisis",
    "liaison",
    "older_adult",
    "perinatal",
    "eating_disorders",
)
_SOURCES = (
    "gp",
    "self",
    "ae",
    "police",
    "criminal_justice",
    "social_services",
    "education",
    "mental_health",
    "carer",
    "other",
)


_SEX_CODES = ("1", "2")  # positions 0 and 1 of the sex dimension; codes checked by the schema


# MHSDS team type of each of our teams: children's community teams are community teams whose
# age group (a separate data item) is children and young people.
_TEAM_TYPE_KEYS = tuple("community_mh" if t == "cyp" else t for t in _TEAMS)


def _team_age_group_codes(sc: Scenario, team: np.ndarray, age: np.ndarray) -> np.ndarray:
    keys = ("cyp", "older_adult_only", "adult_and_older_adult")
    older_team = team == _TEAMS.index("older_adult")
    group = np.where(
        age < int(sc.p("referrals.adult_from_age")),
        keys.index("cyp"),
        np.where(older_team, keys.index("older_adult_only"), keys.index("adult_and_older_adult")),
    )
    return codes_at("service_team_age_group", keys, group)


def _team_values(sc: Scenario, dotted: str, team: np.ndarray) -> np.ndarray:
    values = sc.p(dotted)
    return np.array([float(values[t]) for t in _TEAMS])[team]


def _draw_teams(sc: Scenario, rng, age: np.ndarray, sex: np.ndarray) -> np.ndarray:
    by_age = sc.p("referrals.team_type_by_age")
    groups = ("child", "adult", "older")
    adult, older = int(sc.p("referrals.adult_from_age")), int(sc.p("referrals.older_from_age"))
    group = np.where(
        age < adult,
        groups.index("child"),
        np.where(age < older, groups.index("adult"), groups.index("older")),
    )
    table = np.array([[float(by_age[g].get(t, 0.0)) for t in _TEAMS] for g in groups])
    team = choice_rows(rng, table[group])
    # early intervention and perinatal teams take people of some ages only (women, perinatal)
    female = _SEX_CODES.index(code_for("sex", "female"))
    eip_wrong = (team == _TEAMS.index("eip")) & ~in_ages(age, sc.p("referrals.eip_ages"))
    peri_wrong = (team == _TEAMS.index("perinatal")) & (
        (sex != female) | ~in_ages(age, sc.p("referrals.perinatal_ages"))
    )
    fallback = np.where(age < adult, _TEAMS.index("cyp"), _TEAMS.index("community_mh"))
    team[eip_wrong | peri_wrong] = fallback[eip_wrong | peri_wrong]
    return team


def _draw_sources(sc: Scenario, rng, team: np.ndarray, broad: np.ndarray) -> np.ndarray:
    by_team = sc.p("referrals.source_by_team")
    rows = np.array(
        [[float(by_team.get(t, by_team["default"])[s]) for s in _SOURCES] for t in _TEAMS]
    )
    probs = rows[team].copy()
    police_factor = np.array(
        [float(sc.p("referrals.police_route_ethnic_factor")[g]) for g in BROAD_GROUPS]
    )[broad]
    for s in ("police", "criminal_justice"):
        probs[:, _SOURCES.index(s)] *= police_factor
    return choice_rows(rng, probs)


def _waits(sc: Scenario, rng, team, decile, age) -> np.ndarray:
    median = _team_values(sc, "referrals.wait_median_days", team)
    dep = sc.deprivation_gradient(sc.p("referrals.wait_deprivation_ratio"))[decile]
    young = np.where(
        in_ages(age, sc.p("referrals.wait_young_adult_ages")),
        float(sc.p("referrals.wait_young_adult_ratio")),
        1,
    )
    return lognormal_days(rng, median * dep * young, float(sc.p("referrals.wait_spread")))


def _record_ethnicity(
    sc: Scenario, rng, eth: np.ndarray, crisis: np.ndarray, provider: str
) -> np.ndarray:
    """Recorded NHS ethnic category: some missing, some folded into 'any other' categories.

    The chances are those of :func:`mhtrain.synth.ethnicity.recording_matrix`, drawn person
    by person in the same order (fold, then "any other ethnic group", then missing).
    """
    other_of = ethnicity.other_code_of_broad()
    not_stated_code = code_for("ethnic_category", "not_stated")
    not_known_code = code_for("ethnic_category", "not_known")
    # Work on positions in one list of every code that can be recorded, not on strings.
    vocab = list(dict.fromkeys([*sc.ethnic_codes, *other_of.values()]))
    vocab += [not_stated_code, not_known_code]
    at = {code: i for i, code in enumerate(vocab)}
    recorded = np.array([at[c] for c in sc.ethnic_codes])[eth]
    p_fold = np.where(
        crisis,
        ethnicity.fold_probability(sc, crisis=True)[eth],
        ethnicity.fold_probability(sc, crisis=False)[eth],
    )
    fold = rng.random(len(eth)) < p_fold
    other_at = np.array([at[other_of[b]] for b in BROAD_GROUPS])
    recorded[fold] = other_at[sc.broad_index[eth[fold]]]
    to_s = rng.random(len(eth)) < float(sc.p("recording.to_any_other"))
    recorded[to_s] = at[other_of["Other"]]
    p_missing = np.where(
        crisis,
        model.missing_probability(sc, provider, crisis=True),
        model.missing_probability(sc, provider, crisis=False),
    )
    missing = rng.random(len(eth)) < p_missing
    not_stated = rng.random(len(eth)) < float(sc.p("recording.not_stated_share_of_missing"))
    recorded[missing & not_stated] = at[not_stated_code]
    recorded[missing & ~not_stated] = at[not_known_code]
    return labels(vocab, recorded)


def _care_contacts(
    ctx, rng, referrals, team, seen, first_day, discharge_day, decile, age, ref_person, person_id
) -> pd.DataFrame:
    sc = ctx.sc
    ndays = sc.period_days
    start = np.datetime64(sc.period[0].date(), "D")
    last = np.minimum(discharge_day, ndays - 1)
    window = np.where(seen, np.maximum(last - first_day, 0), 0)
    per_month = _team_values(sc, "referrals.contacts_per_month", team)
    n_more = rng.poisson(per_month * window / float(sc.p("calendar.days_per_month")))
    n = np.where(
        seen, 1 + np.minimum(n_more, int(sc.p("referrals.max_contacts_per_referral")) - 1), 0
    )
    idx = np.repeat(np.arange(len(team)), n)
    first_pos = (np.cumsum(n) - n)[n > 0]
    offset = np.floor(rng.random(len(idx)) * (window[idx] + 1)).astype(int)
    offset[first_pos] = 0
    day = first_day[idx] + offset
    att_keys = list(sc.p("referrals.attendance_shares"))
    base = np.array([float(sc.p("referrals.attendance_shares")[k]) for k in att_keys])
    dna_i = att_keys.index("dna")
    dep = sc.deprivation_gradient(sc.p("referrals.dna_deprivation_ratio"))[decile[idx]]
    young = np.where(
        in_ages(age[idx], sc.p("referrals.dna_young_adult_ages")),
        float(sc.p("referrals.dna_young_adult_ratio")),
        1.0,
    )
    p_dna = expit(
        logit(base[dna_i])
        + np.log(dep)
        + np.log(young)
        - np.log(sc.deprivation_gradient(sc.p("referrals.dna_deprivation_ratio")).mean())
    )
    others = np.arange(len(base)) != dna_i
    scale = (1 - p_dna) / base[others].sum()
    attendance = choice_columns(
        rng, [p_dna if k == dna_i else share * scale for k, share in enumerate(base)]
    )
    attendance[first_pos] = att_keys.index("attended")  # the first contact is the one attended
    med_keys = list(sc.p("referrals.consultation_shares"))
    med_p = np.array([float(sc.p("referrals.consultation_shares")[k]) for k in med_keys])
    medium = choice_fixed(rng, len(idx), med_p)
    order = sort_within(idx, day)
    idx, day, attendance, medium = idx[order], day[order], attendance[order], medium[order]
    return pd.DataFrame(
        {
            "contact_id": make_ids("contact", ctx.seed, ctx.area, np.arange(len(idx))),
            "referral_id": referrals.referral_id.array[idx],
            "contact_date": (start + day * _DAY).astype("datetime64[s]"),
            "attendance": codes_at("attendance", att_keys, attendance),
            "consultation_mechanism": codes_at("consultation_mechanism", med_keys, medium),
        }
    )


__all__ = ["AreaContext", "generate_area", "N_DECILES"]
