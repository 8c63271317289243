"""Record tables for one area: people, referrals, contacts, detentions, spells and more.

Each area is generated from its own random stream, so the whole dataset is the same whether it is
made in one piece or area by area (in chunks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.special import expit, logit

from mhtrain.specload import code_for
from mhtrain.synth import model
from mhtrain.synth.ids import make_ids
from mhtrain.synth.scenario import BROAD_GROUPS, N_DECILES, Scenario

_DAY = np.timedelta64(1, "D")
_CRISIS_TEAMS = ("crisis", "liaison")


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


def _choice_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (rows, categories) probability matrix.

    A row's draw is the number of its cumulative probabilities below a uniform number. The
    cumulative sums are built a column at a time (the same additions, in the same order, as
    ``np.cumsum`` along the rows), which is several times quicker for a few columns.
    """
    shares = probs / probs.sum(axis=1, keepdims=True)
    return _draw_from_cumulative(rng, [shares[:, j] for j in range(probs.shape[1])])


def _choice_columns(rng: np.random.Generator, columns: list[np.ndarray]) -> np.ndarray:
    """As :func:`_choice_rows`, for a matrix given as its (fewer than eight) columns.

    Below eight columns NumPy sums a row from left to right, so adding the columns in turn
    gives the same totals, and the same draws, without building the matrix.
    """
    if len(columns) >= 8:
        return _choice_rows(rng, np.column_stack(columns))
    total = columns[0].copy()
    for column in columns[1:]:
        total += column
    return _draw_from_cumulative(rng, [column / total for column in columns])


def _choice_fixed(rng: np.random.Generator, n: int, probs: Sequence[float]) -> np.ndarray:
    """``n`` draws from one categorical distribution: the draws ``_choice_rows`` makes for
    ``n`` identical rows, found by binary search in the one cumulative row."""
    row = np.asarray(probs, dtype=float)[None, :]
    cum = np.cumsum(row / row.sum(axis=1, keepdims=True))
    u = rng.random(n)
    return np.minimum(np.searchsorted(cum, u, side="left"), len(cum) - 1)


def _draw_from_cumulative(rng: np.random.Generator, shares: list[np.ndarray]) -> np.ndarray:
    u = rng.random(len(shares[0]))
    cum = shares[0].copy()
    drawn = (u > cum).astype(np.int64)
    for column in shares[1:]:
        cum += column
        drawn += u > cum
    return np.minimum(drawn, len(shares) - 1)


def _sort_within(group: np.ndarray, value: np.ndarray) -> np.ndarray:
    """The order that sorts rows by (non-negative integer) group, then by an integer value.

    The same order as ``np.lexsort((value, group))`` (ties keep their places), found by one
    stable sort of a combined key, which is about three times quicker.
    """
    if len(group) == 0:
        return np.arange(0)
    value = value.astype(np.int64) - int(value.min())
    key = group.astype(np.int64) * (int(value.max()) + 1) + value
    return np.argsort(key, kind="stable")


def _lognormal_days(rng, median: np.ndarray, spread: float) -> np.ndarray:
    return np.asarray(median, dtype=float) * np.exp(spread * rng.standard_normal(len(median)))


def _expand_cells(counts: np.ndarray) -> dict[str, np.ndarray]:
    """Repeat each cell's indices by its count: one row per person."""
    flat = counts.ravel()
    idx = np.repeat(np.arange(flat.size), flat)
    d, e, g, s = np.unravel_index(idx, counts.shape)
    return {"decile": d, "eth": e, "band": g, "sex": s}


def _ages(ctx: AreaContext, rng, band: np.ndarray, *, min_age: int = 0) -> np.ndarray:
    lo, hi = ctx.sc.age_bounds
    lo_b, hi_b = np.maximum(lo[band], min_age), hi[band]
    return lo_b + np.floor(rng.random(len(band)) * (hi_b - lo_b + 1)).astype(int)


def _birth(ctx: AreaContext, rng, age: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Birth year and month consistent with age in completed years at the period start."""
    start = ctx.sc.period[0]
    months = 12 * age + rng.integers(0, 12, len(age))
    total = start.year * 12 + (start.month - 1) - months
    return total // 12, total % 12 + 1


def _band_labels(sc: Scenario, age: np.ndarray) -> pd.api.extensions.ExtensionArray:
    lo, _ = sc.age_bounds
    return labels(sc.age_bands, np.searchsorted(lo, age, side="right") - 1)


def generate_area(ctx: AreaContext) -> tuple[dict[str, pd.DataFrame], dict]:
    """Generate every record table for one area; also return per-person facts for the truth."""
    sc = ctx.sc
    rng = np.random.default_rng([int(ctx.seed), 1000 + ctx.area])
    start, end = (np.datetime64(t.date(), "D") for t in sc.period)
    ndays = sc.period_days
    cells = ctx.cells

    # --- who is detained, on a community treatment order, or otherwise in contact ------------
    det_rate = model.cached(sc, model.detention_rate)
    extra_det = float(sc.p("detention.extra_detentions_mean"))
    p_det = np.clip(det_rate / (1 + extra_det), 0, 0.5)
    p_cto = np.clip(model.cached(sc, model.cto_rate), 0, 0.5)
    p_contact = np.maximum(model.cached(sc, model.contact_probability), p_det + p_cto)
    p_both = p_det * p_cto
    p_det_only, p_cto_only = p_det - p_both, p_cto - p_both
    p_other = (p_contact - (p_det + p_cto - p_both)) / (1 - (p_det + p_cto - p_both))
    flat_n = cells.ravel()
    probs = np.stack([p_both.ravel(), p_det_only.ravel(), p_cto_only.ravel()], axis=1)
    probs = np.column_stack([probs, 1 - probs.sum(axis=1)])
    groups = _multinomial_rows(rng, flat_n, probs)
    other = rng.binomial(groups[:, 3], np.clip(p_other.ravel(), 0, 1))
    counts_by_kind = [groups[:, 0], groups[:, 1], groups[:, 2], other]
    expanded = [_expand_cells(c.reshape(cells.shape)) for c in counts_by_kind]
    persons = {k: np.concatenate([e[k] for e in expanded]) for k in expanded[0]}
    kind = np.concatenate([np.full(c.sum(), i) for i, c in enumerate(counts_by_kind)])
    detained = (kind == 0) | (kind == 1)
    on_cto = (kind == 0) | (kind == 2)
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
    episode = _lognormal_days(
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
            "service_team_type": _codes_at("service_team_type", _TEAM_TYPE_KEYS, team),
            "service_team_age_group": _team_age_group_codes(team, r_age),
            "referral_source": _codes_at("referral_source", _SOURCES, source),
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
    detentions, spells, ri, ctos = _hospital(
        ctx, rng, detained, on_cto, det_start_day, person_id, age, persons, crisis_person
    )
    tables = {
        "people": people,
        "referrals": referrals,
        "care_contacts": contacts,
        "mha_detentions": detentions,
        "community_treatment_orders": ctos,
        "inpatient_spells": spells,
        "restrictive_interventions": ri,
    }
    facts = {"true_eth": persons["eth"], "detained": detained, "on_cto": on_cto}
    return tables, facts


def _multinomial_rows(rng, n: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Multinomial draws per row by successive binomials (vectorised over rows)."""
    out = np.zeros(probs.shape, dtype=np.int64)
    remaining = n.astype(np.int64).copy()
    rest = np.ones(len(n))
    for k in range(probs.shape[1] - 1):
        p = np.clip(np.divide(probs[:, k], rest, out=np.zeros(len(n)), where=rest > 0), 0, 1)
        out[:, k] = rng.binomial(remaining, p)
        remaining -= out[:, k]
        rest = rest - probs[:, k]
    out[:, -1] = remaining
    return out


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


def labels(values, index: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A string column holding ``values[index]``, built in Arrow without Python objects."""
    table = _arrow_strings(tuple(str(v) for v in values))
    return pd.array(table.take(np.asarray(index, dtype=np.int64)), dtype="str")


def constant_column(value: str, n: int) -> pd.api.extensions.ExtensionArray:
    """A string column holding ``value`` ``n`` times (quicker for pandas than a scalar)."""
    return labels((value,), np.zeros(n, np.int64))


@lru_cache(maxsize=256)
def _arrow_strings(values: tuple[str, ...]) -> pa.Array:
    return pa.array(values, type=pa.string())


_SEX_CODES = ("1", "2")  # positions 0 and 1 of the sex dimension; codes checked by the schema


def _codes_at(value_set: str, keys, index: np.ndarray) -> np.ndarray:
    """NHS codes for positions ``index`` into a list of internal ``keys``."""
    return labels([code_for(value_set, k) for k in keys], index)


# MHSDS team type of each of our teams: children's community teams are community teams whose
# age group (a separate data item) is children and young people.
_TEAM_TYPE_KEYS = tuple("community_mh" if t == "cyp" else t for t in _TEAMS)


def _team_age_group_codes(team: np.ndarray, age: np.ndarray) -> np.ndarray:
    older_team = team == _TEAMS.index("older_adult")
    group = np.where(age < 18, 0, np.where(older_team, 1, 2))
    return _codes_at(
        "service_team_age_group", ("cyp", "older_adult_only", "adult_and_older_adult"), group
    )


def _team_values(sc: Scenario, dotted: str, team: np.ndarray) -> np.ndarray:
    values = sc.p(dotted)
    return np.array([float(values[t]) for t in _TEAMS])[team]


def _draw_teams(sc: Scenario, rng, age: np.ndarray, sex: np.ndarray) -> np.ndarray:
    by_age = sc.p("referrals.team_type_by_age")
    group = np.where(age < 18, 0, np.where(age < 65, 1, 2))
    table = np.array(
        [[float(by_age[g].get(t, 0.0)) for t in _TEAMS] for g in ("child", "adult", "older")]
    )
    team = _choice_rows(rng, table[group])
    # early intervention takes ages 14 to 35; perinatal teams women aged 16 to 44
    eip_wrong = (team == _TEAMS.index("eip")) & ((age < 14) | (age > 35))
    peri_wrong = (team == _TEAMS.index("perinatal")) & ((sex != 1) | (age < 16) | (age > 44))
    fallback = np.where(age < 18, _TEAMS.index("cyp"), _TEAMS.index("community_mh"))
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
    return _choice_rows(rng, probs)


def _waits(sc: Scenario, rng, team, decile, age) -> np.ndarray:
    median = _team_values(sc, "referrals.wait_median_days", team)
    dep = sc.deprivation_gradient(sc.p("referrals.wait_deprivation_ratio"))[decile]
    young = np.where((age >= 18) & (age <= 24), float(sc.p("referrals.wait_young_adult_ratio")), 1)
    return _lognormal_days(rng, median * dep * young, float(sc.p("referrals.wait_spread")))


def _record_ethnicity(
    sc: Scenario, rng, eth: np.ndarray, crisis: np.ndarray, provider: str
) -> np.ndarray:
    """Recorded NHS ethnic category: some missing, some folded into 'any other' categories."""
    # the "any other ... background" code of each broad group
    other_of = {
        broad: code_for("ethnic_category", key)
        for broad, key in (
            ("White", "white_other"),
            ("Mixed", "mixed_other"),
            ("Asian", "asian_other"),
            ("Black", "black_other"),
            ("Other", "other"),
        )
    }
    not_stated_code = code_for("ethnic_category", "not_stated")
    not_known_code = code_for("ethnic_category", "not_known")
    # Work on positions in one list of every code that can be recorded, not on strings.
    vocab = list(dict.fromkeys([*sc.ethnic_codes, *other_of.values()]))
    vocab += [not_stated_code, not_known_code]
    at = {code: i for i, code in enumerate(vocab)}
    recorded = np.array([at[c] for c in sc.ethnic_codes])[eth]
    p_fold = float(sc.p("recording.to_other_within_group")) * np.where(
        crisis, float(sc.p("recording.crisis_fold_factor")), 1.0
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
    n_more = rng.poisson(per_month * window / 30.4)
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
        (age[idx] >= 18) & (age[idx] <= 34), float(sc.p("referrals.dna_young_adult_ratio")), 1.0
    )
    p_dna = expit(
        logit(base[dna_i])
        + np.log(dep)
        + np.log(young)
        - np.log(sc.deprivation_gradient(sc.p("referrals.dna_deprivation_ratio")).mean())
    )
    others = np.arange(len(base)) != dna_i
    scale = (1 - p_dna) / base[others].sum()
    attendance = _choice_columns(
        rng, [p_dna if k == dna_i else share * scale for k, share in enumerate(base)]
    )
    attendance[first_pos] = att_keys.index("attended")  # the first contact is the one attended
    med_keys = list(sc.p("referrals.consultation_shares"))
    med_p = np.array([float(sc.p("referrals.consultation_shares")[k]) for k in med_keys])
    medium = _choice_fixed(rng, len(idx), med_p)
    order = _sort_within(idx, day)
    idx, day, attendance, medium = idx[order], day[order], attendance[order], medium[order]
    return pd.DataFrame(
        {
            "contact_id": make_ids("contact", ctx.seed, ctx.area, np.arange(len(idx))),
            "referral_id": referrals.referral_id.array[idx],
            "contact_date": (start + day * _DAY).astype("datetime64[s]"),
            "attendance": _codes_at("attendance", att_keys, attendance),
            "consultation_mechanism": _codes_at("consultation_mechanism", med_keys, medium),
        }
    )


_IN_HOSPITAL = ("s2", "s3", "s4", "s5_2", "s37", "s37_41", "s35", "s47_49")


def _hospital(ctx, rng, detained, on_cto, det_start_day, person_id, age, persons, crisis):
    """Detentions, inpatient spells (detained and informal), restrictive interventions, CTOs."""
    sc = ctx.sc
    ndays = sc.period_days
    start = np.datetime64(sc.period[0].date(), "D")
    nat = np.datetime64("NaT")
    who = np.flatnonzero(detained)
    n_det = 1 + rng.poisson(float(sc.p("detention.extra_detentions_mean")), len(who))
    d_person = np.repeat(who, n_det)
    first = np.cumsum(n_det) - n_det
    # later detentions of the same person fall between the first and the end of the period
    first_start = det_start_day[d_person]
    later = first_start + np.floor(rng.random(len(d_person)) * (ndays - first_start)).astype(int)
    later[first] = first_start[first]
    order = _sort_within(d_person, later)
    d_person, d_start = d_person[order], later[order]
    shares = sc.p("detention.legal_status_shares")
    keys = list(shares)
    status = _choice_fixed(rng, len(d_person), [float(shares[k]) for k in keys])
    dur = sc.p("detention.duration_days")
    med = np.array([float(dur[k][0]) for k in keys])[status]
    cap = np.array([float(dur[k][1]) for k in keys])[status]
    length = np.minimum(
        np.ceil(_lognormal_days(rng, med, float(sc.p("detention.duration_spread")))), cap
    ).astype(int)
    d_end = d_start + length
    # a following detention of the same person (e.g. section 2 then 3) ends this one
    same_next = np.zeros(len(d_person), bool)
    same_next[:-1] = d_person[1:] == d_person[:-1]
    nxt = np.zeros(len(d_start), int)
    nxt[:-1] = d_start[1:]
    d_end = np.where(same_next & (nxt < d_end), nxt, d_end)
    status_keys = np.asarray(keys)[status]

    # inpatient spells: consecutive hospital detentions (gap under a week) share a spell
    in_hosp = np.isin(status_keys, _IN_HOSPITAL)
    new_spell = np.ones(len(d_person), bool)
    new_spell[1:] = (d_person[1:] != d_person[:-1]) | (d_start[1:] > d_end[:-1] + 7)
    spell_no = np.cumsum(new_spell) - 1
    n_spells = int(spell_no.max() + 1) if len(spell_no) else 0
    sp_person = d_person[new_spell]
    before_holding = [int(v) for v in sc.p("detention.informal_days_before_holding_power")]
    sp_adm = d_start[new_spell] - np.where(
        status_keys[new_spell] == "s5_2", rng.integers(*before_holding, n_spells), 0
    )
    sp_last = np.zeros(n_spells, int)
    np.maximum.at(sp_last, spell_no, d_end)
    sp_dis = sp_last + rng.integers(0, int(sc.p("detention.stay_after_detention_days")), n_spells)
    sp_detained = np.ones(n_spells, bool)
    # informal admissions among people in contact who were not detained (aged 16+)
    n_inf = rng.poisson(float(sc.p("detention.informal_admissions_per_detention")) * len(d_person))
    eligible = np.flatnonzero(~detained & (age >= 16))
    weights = np.where(
        crisis[eligible], float(sc.p("detention.informal_admission_crisis_weight")), 1.0
    )
    n_inf = min(n_inf, len(eligible))
    inf_person = (
        np.sort(rng.choice(eligible, n_inf, replace=False, p=weights / weights.sum()))
        if n_inf
        else np.array([], int)
    )
    inf_adm = rng.integers(0, ndays, n_inf)
    med_i, cap_i = (float(v) for v in sc.p("inpatient.informal_stay_days"))
    inf_dis = inf_adm + np.minimum(
        np.ceil(
            _lognormal_days(
                rng, np.full(n_inf, med_i), float(sc.p("inpatient.informal_stay_spread"))
            )
        ),
        cap_i,
    ).astype(int)
    sp_person = np.r_[sp_person, inf_person]
    sp_adm = np.r_[sp_adm, inf_adm]
    sp_dis = np.r_[sp_dis, inf_dis]
    sp_detained = np.r_[sp_detained, np.zeros(n_inf, bool)]
    spell_ids = make_ids("spell", ctx.seed, ctx.area, np.arange(len(sp_person)))
    spells = pd.DataFrame(
        {
            "spell_id": spell_ids,
            "person_id": person_id[sp_person],
            "admission_date": (start + sp_adm * _DAY).astype("datetime64[s]"),
            "discharge_date": np.where(sp_dis < ndays, start + sp_dis * _DAY, nat).astype(
                "datetime64[s]"
            ),
        }
    )
    detentions = pd.DataFrame(
        {
            "detention_id": make_ids("detention", ctx.seed, ctx.area, np.arange(len(d_person))),
            "person_id": person_id[d_person],
            "spell_id": np.where(in_hosp, spell_ids[:n_spells][spell_no] if n_spells else "", None),
            "legal_status": _codes_at("mha_legal_status", keys, status),
            "start_date": (start + d_start * _DAY).astype("datetime64[s]"),
            "end_date": np.where(d_end < ndays, start + d_end * _DAY, nat).astype("datetime64[s]"),
        }
    )

    # restrictive interventions within spells
    sp_eth = persons["eth"][sp_person]
    sp_age = age[sp_person]
    mean = np.where(
        sp_detained,
        float(sc.p("inpatient.restrictive_interventions_per_detained_spell")),
        float(sc.p("inpatient.restrictive_interventions_per_informal_spell")),
    )
    mean = (
        mean
        * sc.by_broad("inpatient.restrictive_ethnic_factor")[sp_eth]
        * np.where(
            (sp_age >= 18) & (sp_age <= 34),
            float(sc.p("inpatient.restrictive_young_adult_factor")),
            1,
        )
    )
    stay_end = np.minimum(sp_dis, ndays - 1)
    stay_start = np.maximum(sp_adm, 0)
    n_ri = rng.poisson(mean * np.clip(stay_end - stay_start + 1, 1, None) / 30.4)
    ri_spell = np.repeat(np.arange(len(sp_person)), n_ri)
    ri_day = stay_start[ri_spell] + np.floor(
        rng.random(len(ri_spell)) * (stay_end[ri_spell] - stay_start[ri_spell] + 1)
    ).astype(int)
    ri_shares = sc.p("inpatient.restrictive_type_shares")
    ri_keys = list(ri_shares)
    ri_type = _choice_fixed(rng, len(ri_spell), [float(ri_shares[k]) for k in ri_keys])
    ri = pd.DataFrame(
        {
            "intervention_id": make_ids(
                "intervention", ctx.seed, ctx.area, np.arange(len(ri_spell))
            ),
            "spell_id": spell_ids[ri_spell],
            "person_id": person_id[sp_person[ri_spell]],
            "intervention_type": _codes_at("restrictive_intervention_type", ri_keys, ri_type),
            "intervention_date": (start + ri_day * _DAY).astype("datetime64[s]"),
        }
    )

    # community treatment orders: after the last detention if detained this year
    who_cto = np.flatnonzero(on_cto)
    last_end = np.full(len(person_id), -1)
    if len(d_person):
        np.maximum.at(last_end, d_person, np.minimum(d_end, ndays - 1))
    c_start = np.where(
        last_end[who_cto] >= 0, last_end[who_cto] + 1, rng.integers(0, ndays, len(who_cto))
    )
    keep = c_start < ndays
    who_cto, c_start = who_cto[keep], c_start[keep]
    med_c, cap_c = (float(v) for v in sc.p("community_treatment_orders.duration_days"))
    c_end = c_start + np.minimum(
        np.ceil(
            _lognormal_days(
                rng,
                np.full(len(who_cto), med_c),
                float(sc.p("community_treatment_orders.duration_spread")),
            )
        ),
        cap_c,
    ).astype(int)
    ctos = pd.DataFrame(
        {
            "cto_id": make_ids("cto", ctx.seed, ctx.area, np.arange(len(who_cto))),
            "person_id": person_id[who_cto],
            "start_date": (start + c_start * _DAY).astype("datetime64[s]"),
            "end_date": np.where(c_end < ndays, start + c_end * _DAY, nat).astype("datetime64[s]"),
        }
    )
    return detentions, spells, ri, ctos


__all__ = ["AreaContext", "generate_area", "N_DECILES"]
