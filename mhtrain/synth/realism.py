"""Measurements of a generated dataset, made from the tables as a learner would make them.

Each calibration target in a scenario names one of these statistics; the realism tests compare
them with the published figures, and the truth record stores them for the sample.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from mhtrain.specload import code_for, load_codes
from mhtrain.synth.scenario import N_DECILES, PER_100K

# The groups the published statistics are broken down by (each statistic's own definition):
# children under 15, adults 65 and over, children and young people under 18, and the 18 to 34
# group, which five-year bands can only approach as 20 to 34 (ages from 20, below 35).
_UNDER_15, _OLDER_FROM, _ADULT_FROM = 15, 65, 18
_YOUNG_ADULT_BANDS = (20, 35)
# The Talking Therapies waiting time standard: treatment starts within six weeks (42 days).
_SIX_WEEKS_DAYS = 42
# Measured values kept in the truth record: rounded to six decimals.
_DECIMALS = 6
_MOST_DEPRIVED, _LEAST_DEPRIVED = 1, N_DECILES  # IMD deciles at either end

STATISTICS: dict[str, Callable[[Any], float]] = {}


def statistic(func: Callable[[Any], float]) -> Callable[[Any], float]:
    """Register a measurement under its function name."""
    STATISTICS[func.__name__] = func
    return func


def broad_group(codes: pd.Series) -> pd.Series:
    """Broad ethnic group (White, Mixed, Asian, Black, Other, Unknown) of NHS ethnic codes."""
    mapping = {c["code"]: c["broad"] for c in load_codes()["ethnic_category"]["codes"]}
    return codes.map(mapping).fillna("Unknown")


def _pop(ds) -> pd.DataFrame:
    return ds.tables["population"]


def _share(ds, mask: pd.Series) -> float:
    pop = _pop(ds)
    return float(pop.residents[mask].sum() / pop.residents.sum())


def _band_lo(bands: pd.Series) -> pd.Series:
    """Lowest age of each age band label ("15-19" -> 15, "90+" -> 90)."""
    lows = {b: int(str(b).rstrip("+").split("-")[0]) for b in pd.unique(bands)}
    return bands.map(lows).astype(int)


def _residents(ds, mask=None) -> float:
    pop = _pop(ds)
    return float(pop.residents.sum() if mask is None else pop.residents[mask].sum())


def _detentions_people(ds) -> pd.DataFrame:
    det = ds.tables["mha_detentions"][["person_id"]]
    people = ds.tables["people"]
    return det.merge(people, on="person_id", how="left")


# ---- population ----------------------------------------------------------------------------
@statistic
def population_share_under_15(ds) -> float:
    return _share(ds, _band_lo(_pop(ds).age_band) < _UNDER_15)


@statistic
def population_share_65_plus(ds) -> float:
    return _share(ds, _band_lo(_pop(ds).age_band) >= _OLDER_FROM)


@statistic
def population_share_female(ds) -> float:
    return _share(ds, _pop(ds).sex == code_for("sex", "female"))


@statistic
def population_share_black(ds) -> float:
    return _share(ds, broad_group(_pop(ds).ethnic_category) == "Black")


@statistic
def population_share_white(ds) -> float:
    return _share(ds, broad_group(_pop(ds).ethnic_category) == "White")


# ---- detentions -----------------------------------------------------------------------------
@statistic
def detentions_per_100k(ds) -> float:
    return len(ds.tables["mha_detentions"]) / _residents(ds) * PER_100K


@statistic
def section_2_share(ds) -> float:
    det = ds.tables["mha_detentions"]
    return float((det.legal_status == code_for("mha_legal_status", "s2")).mean())


def _rate_by(ds, events: pd.DataFrame, column: str, value, pop_mask) -> float:
    return float((events[column] == value).sum() / _residents(ds, pop_mask) * PER_100K)


def _group_rate(ds, events: pd.DataFrame, group: str) -> float:
    rec = broad_group(events.ethnic_category)
    pop = _pop(ds)
    return float(
        (rec == group).sum() / _residents(ds, broad_group(pop.ethnic_category) == group) * PER_100K
    )


def _register_group_rates(measure: str, events: Callable[[Any], pd.DataFrame]) -> None:
    """Register ``{measure}_per_100k_{group}_recorded`` for the Black and White groups."""
    for group in ("Black", "White"):

        def rate(ds, group: str = group) -> float:
            return _group_rate(ds, events(ds), group)

        rate.__name__ = f"{measure}_per_100k_{group.lower()}_recorded"
        statistic(rate)


_register_group_rates("detentions", lambda ds: _detentions_people(ds))


@statistic
def detention_rate_ratio_black_white_recorded(ds) -> float:
    black = STATISTICS["detentions_per_100k_black_recorded"](ds)
    return black / STATISTICS["detentions_per_100k_white_recorded"](ds)


@statistic
def detention_rate_ratio_male_female(ds) -> float:
    ev, pop = _detentions_people(ds), _pop(ds)
    male, female = code_for("sex", "male"), code_for("sex", "female")
    return _rate_by(ds, ev, "sex", male, pop.sex == male) / _rate_by(
        ds, ev, "sex", female, pop.sex == female
    )


@statistic
def detention_rate_ratio_18_34_to_65_plus(ds) -> float:
    # Five-year bands: 20-34 stands in for the published 18-34 group.
    ev, pop = _detentions_people(ds), _pop(ds)
    lo_ev, lo_pop = _band_lo(ev.age_band), _band_lo(pop.age_band)
    lo, hi = _YOUNG_ADULT_BANDS
    young = ((lo_ev >= lo) & (lo_ev < hi)).sum() / _residents(ds, (lo_pop >= lo) & (lo_pop < hi))
    older = (lo_ev >= _OLDER_FROM).sum() / _residents(ds, lo_pop >= _OLDER_FROM)
    return float(young / older)


@statistic
def detention_rate_ratio_most_least_deprived(ds) -> float:
    ev, pop = _detentions_people(ds), _pop(ds)
    most, least = _MOST_DEPRIVED, _LEAST_DEPRIVED
    return _rate_by(ds, ev, "imd_decile", most, pop.imd_decile == most) / _rate_by(
        ds, ev, "imd_decile", least, pop.imd_decile == least
    )


@statistic
def cto_per_100k(ds) -> float:
    return ds.tables["community_treatment_orders"].person_id.nunique() / _residents(ds) * PER_100K


@statistic
def cto_rate_ratio_black_white_recorded(ds) -> float:
    cto = ds.tables["community_treatment_orders"][["person_id"]].drop_duplicates()
    ev = cto.merge(ds.tables["people"], on="person_id", how="left")
    return _group_rate(ds, ev, "Black") / _group_rate(ds, ev, "White")


# ---- how detentions start, and people detained on the first day -----------------------------
def _route_share(ds, route: str) -> float:
    det = ds.tables["mha_detentions"]
    return float((det.start_route == code_for("detention_start_route", route)).mean())


def _register(measure: Callable[[Any, str], float], names: dict[str, str]) -> None:
    """Register one statistic per name: ``measure(ds, key)`` with that name's key."""
    for name, key in names.items():
        STATISTICS[name] = partial(_measured, measure, key)


def _measured(measure: Callable[[Any, str], float], key: str, ds) -> float:
    return measure(ds, key)


_register(
    _route_share,
    {
        "detentions_on_admission_share": "on_admission",
        "detentions_following_admission_share": "following_admission",
        "detentions_after_place_of_safety_share": "after_place_of_safety",
    },
)


@statistic
def detained_on_first_day_per_100k(ds) -> float:
    people = ds.tables["mha_in_force_at_start"].person_id.nunique()
    return people / _residents(ds) * PER_100K


def _restricted_people(ds) -> pd.DataFrame:
    ri = ds.tables["restrictive_interventions"][["person_id"]].drop_duplicates()
    return ri.merge(ds.tables["people"], on="person_id", how="left")


_register_group_rates("restrictive_people", lambda ds: _restricted_people(ds))


# ---- contact with services ------------------------------------------------------------------
@statistic
def share_in_contact(ds) -> float:
    return ds.tables["people"].person_id.nunique() / _residents(ds)


@statistic
def under_18_share_of_contact(ds) -> float:
    return float((ds.tables["people"].age < _ADULT_FROM).mean())


# ---- Talking Therapies -----------------------------------------------------------------------
def _tt(ds) -> pd.DataFrame:
    return ds.tables["talking_therapies"]


def _tt_recovery(df: pd.DataFrame) -> float:
    eligible = df.finished_treatment & df.caseness_first
    return float(df.recovered[eligible].mean())


@statistic
def tt_referrals_per_resident(ds) -> float:
    return len(_tt(ds)) / _residents(ds)


@statistic
def tt_recovery_rate(ds) -> float:
    return _tt_recovery(_tt(ds))


@statistic
def tt_reliable_recovery_rate(ds) -> float:
    tt = _tt(ds)
    return float(tt.reliable_recovery[tt.finished_treatment & tt.caseness_first].mean())


def _mean_when_finished(ds, column: str) -> float:
    """The mean of one Talking Therapies column over the referrals that finished treatment."""
    tt = _tt(ds)
    return float(tt[column][tt.finished_treatment].mean())


_register(
    _mean_when_finished,
    {
        "tt_reliable_improvement_rate": "reliable_improvement",
        "tt_reliable_deterioration_rate": "reliable_deterioration",
        "tt_mean_sessions_finished": "sessions",
    },
)


@statistic
def tt_share_within_6_weeks(ds) -> float:
    tt = _tt(ds).dropna(subset=["first_treatment_date"])
    wait = (tt.first_treatment_date - tt.referral_date).dt.days
    return float((wait <= _SIX_WEEKS_DAYS).mean())


@statistic
def tt_recovery_gap_least_most_deprived(ds) -> float:
    tt = _tt(ds)
    return _tt_recovery(tt[tt.imd_decile == _LEAST_DEPRIVED]) - _tt_recovery(
        tt[tt.imd_decile == _MOST_DEPRIVED]
    )


@statistic
def tt_share_65_plus(ds) -> float:
    return float((_tt(ds).age >= _OLDER_FROM).mean())


@statistic
def tt_recovery_older_minus_younger(ds) -> float:
    tt = _tt(ds)
    return _tt_recovery(tt[tt.age >= _OLDER_FROM]) - _tt_recovery(tt[tt.age < _OLDER_FROM])


# ---- the whole set -----------------------------------------------------------------------------
def measure_targets(ds, sc) -> dict[str, dict[str, Any]]:
    """Each target of the scenario with its published value and the value in this dataset."""
    out = {}
    for t in sc.spec.get("targets", []):
        try:
            with np.errstate(all="ignore"):
                value = float(STATISTICS[t["statistic"]](ds))
        except ZeroDivisionError:  # a tiny dataset may lack a group altogether
            value = float("nan")
        out[t["id"]] = {
            "statistic": t["statistic"],
            "published": t["value"],
            "realised": None if np.isnan(value) else round(value, _DECIMALS),
            "tolerance": t["tolerance"],
            "relative": bool(t.get("relative", False)),
            "kind": t.get("kind", "within"),
            "source": t["source"],
            "met": bool(not np.isnan(value) and target_met(t, value)),
        }
    return out


def target_met(target: dict[str, Any], value: float) -> bool:
    """Whether a measured value meets a target's tolerance."""
    kind = target.get("kind", "within")
    published, tol = float(target["value"]), float(target["tolerance"])
    if kind == "at_least":
        return value >= published - tol
    if kind == "greater_than":
        return value > published
    if target.get("relative"):
        return abs(value / published - 1) <= tol
    return abs(value - published) <= tol


def detention_table(ds, *, use_true_ethnicity: bool = False) -> pd.DataFrame:
    """Detentions and residents by broad ethnic group and age band (recorded or true group)."""
    people = ds.tables["people"]
    if use_true_ethnicity:
        sc = ds.extra["scenario"]
        people = people.assign(
            ethnic_category=np.asarray(sc.ethnic_codes)[ds.extra["facts"]["true_eth"]]
        )
    ev = ds.tables["mha_detentions"][["person_id"]].merge(people, on="person_id", how="left")
    ev = ev.assign(group=broad_group(ev.ethnic_category))
    counts = ev.groupby(["group", "age_band"]).size().rename("events")
    pop = _pop(ds).assign(group=broad_group(_pop(ds).ethnic_category))
    denom = pop.groupby(["group", "age_band"]).residents.sum().rename("population")
    table = pd.concat([counts, denom], axis=1).fillna({"events": 0}).reset_index()
    table = table[table.group != "Unknown"].dropna(subset=["population"])
    return table.astype({"events": "int64", "population": "int64"})
