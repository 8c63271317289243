"""Per-cell rates of each process, and their calibration to the scenario's published targets.

Every rate is a product of factors (age, sex, deprivation, ethnic group), so each planted effect is
an "all else equal" effect. Calibration adjusts the parameters marked ``calibrated`` in the spec
until the *expected* crude figures of the whole population hit the published targets; it works on
probabilities, not on a sample, so planted values do not depend on the seed or the size.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit

from mhtrain.synth.scenario import BROAD_GROUPS, N_DECILES, N_SEXES, PER_100K, Scenario

# Numerical settings of the calibration (not modelling figures): how many rounds each fit may
# take, when a fit has converged (largest change of log scale), the bracket of log-odds searched
# for the recovery intercept, and the step that turns a gap in recovery into a change of odds.
_CONTACT_ROUNDS, _DETENTION_ROUNDS, _CTO_ROUNDS, _TT_ROUNDS, _RECOVERY_ROUNDS = (
    60,
    200,
    100,
    100,
    60,
)
_CONVERGED, _RECOVERY_CONVERGED = 1e-10, 1e-9
_LOGIT_BRACKET = 10
_GAP_STEP = 4

# Broadcast shapes over (decile, ethnic code, age band, sex)
_D = (slice(None), None, None, None)
_E = (None, slice(None), None, None)
_G = (None, None, slice(None), None)
_S = (None, None, None, slice(None))


def target_value(sc: Scenario, target_id: str) -> float:
    for t in sc.spec.get("targets", []):
        if t["id"] == target_id:
            return float(t["value"])
    raise KeyError(target_id)


def cached(sc: Scenario, rate: Callable[[Scenario], np.ndarray]) -> np.ndarray:
    """A rate array computed once per calibrated scenario (the same for every area)."""
    store = sc.__dict__.setdefault("_rates", {})
    if rate.__name__ not in store:
        store[rate.__name__] = rate(sc)
    return store[rate.__name__]


def band_mask(sc: Scenario, lo: int, hi: int | None = None) -> np.ndarray:
    """Fraction of each age band's residents aged lo..hi (ages spread evenly within a band)."""
    blo, bhi = sc.age_bounds
    top = bhi if hi is None else np.minimum(bhi, hi)
    width = bhi - blo + 1
    overlap = np.clip(top - np.maximum(blo, lo) + 1, 0, None)
    return overlap / width


def ages_mask(sc: Scenario, dotted: str) -> np.ndarray:
    """:func:`band_mask` of an ``[youngest, oldest]`` age range parameter of the scenario."""
    lo, hi = sc.p(dotted)
    return band_mask(sc, int(lo), None if hi is None else int(hi))


def contact_probability(sc: Scenario) -> np.ndarray:
    """Chance that a resident is in contact with secondary mental health services in the year."""
    age = sc.by_band("contact.age_factor") * _child_scale(sc)
    sex = np.array([sc.p("contact.male_factor"), 1.0])
    dep = sc.deprivation_gradient(sc.p("contact.deprivation_ratio"))
    eth = sc.by_broad("contact.ethnic_factor")
    prob = sc.p("contact.base_probability") * dep[_D] * eth[_E] * age[_G] * sex[_S]
    return np.clip(prob, 0, float(sc.p("contact.max_probability")))


def _child_scale(sc: Scenario) -> np.ndarray:
    scale = float(sc.calibrated.get("contact.child_scale", 1.0))
    return np.where(ages_mask(sc, "contact.child_ages") == 1.0, scale, 1.0)


def detention_rate(sc: Scenario) -> np.ndarray:
    """Expected detentions per resident in the year."""
    age = sc.by_band("detention.age_factor")
    young = ages_mask(sc, "detention.young_adult_ages") == 1.0
    age = np.where(young, age * float(sc.calibrated.get("detention.young_scale", 1.0)), age)
    sex = np.array([sc.p("detention.male_factor"), 1.0])
    dep = sc.deprivation_gradient(sc.p("detention.deprivation_ratio"))
    eth = sc.by_broad("detention.ethnic_factor")
    return sc.p("detention.base_rate") * dep[_D] * eth[_E] * age[_G] * sex[_S]


HOLDING_POWERS = ("s4", "s5_2")
"""Sections that hold a person for up to 72 hours until an assessment (Mental Health Act 1983,
sections 4 and 5(2)); what follows them is set by ``detention.holding_power_outcome_shares``."""


def detentions_per_episode(sc: Scenario) -> float:
    """Expected detention records in one period of detention (holding power, s2, then s3)."""
    first = {k: float(v) for k, v in sc.p("detention.first_section_shares").items()}
    after = {k: float(v) for k, v in sc.p("detention.holding_power_outcome_shares").items()}
    to_s3 = float(sc.p("detention.s2_to_s3_probability"))
    holding = sum(first.get(k, 0.0) for k in HOLDING_POWERS)
    return (
        1.0
        + first.get("s2", 0.0) * to_s3
        + holding * (after.get("s2", 0.0) * (1 + to_s3) + after.get("s3", 0.0))
    )


def cto_rate(sc: Scenario) -> np.ndarray:
    """Expected people on a community treatment order per resident in the year."""
    age = sc.by_band("community_treatment_orders.age_factor")
    dep = sc.deprivation_gradient(sc.p("detention.deprivation_ratio"))
    eth = sc.by_broad("community_treatment_orders.ethnic_factor")
    rate = sc.p("community_treatment_orders.base_rate") * dep[_D] * eth[_E] * age[_G]
    return np.broadcast_to(rate, rate.shape[:-1] + (N_SEXES,)).copy()


def tt_rate(sc: Scenario) -> np.ndarray:
    """Expected NHS Talking Therapies referrals per resident in the year (adults only)."""
    age = sc.by_band("talking_therapies.age_factor")
    older = ages_mask(sc, "talking_therapies.older_ages") == 1.0
    age = np.where(older, age * float(sc.calibrated.get("talking_therapies.older_scale", 1.0)), age)
    age = age * band_mask(sc, int(sc.p("talking_therapies.min_age")))
    sex = np.array([1.0, sc.p("talking_therapies.female_factor")])
    dep = sc.deprivation_gradient(sc.p("talking_therapies.deprivation_ratio"))
    eth = sc.by_broad("talking_therapies.ethnic_factor")
    return sc.p("talking_therapies.base_rate") * dep[_D] * eth[_E] * age[_G] * sex[_S]


def tt_recovery_logit(sc: Scenario) -> np.ndarray:
    """Log-odds of recovery for a person who finished treatment at caseness."""
    odds_ratio = float(sc.p("talking_therapies.recovery_deprivation_odds_ratio"))
    x = (np.arange(1, N_DECILES + 1) - 1) / (N_DECILES - 1)  # 0 most deprived .. 1 least
    dep = np.log(odds_ratio) * x
    older = (ages_mask(sc, "talking_therapies.older_ages") == 1.0) * float(
        sc.p("talking_therapies.recovery_older_log_odds")
    )
    eth_values = sc.p("talking_therapies.recovery_ethnic_log_odds")
    eth = np.array([float(eth_values[g]) for g in BROAD_GROUPS])[sc.broad_index]
    logit = sc.p("talking_therapies.recovery_intercept") + dep[_D] + eth[_E] + older[_G]
    shape = (N_DECILES, len(sc.ethnic_codes), len(sc.age_bands), N_SEXES)
    return np.broadcast_to(logit, shape).copy()


# ---- recording of ethnicity -------------------------------------------------------------------
def missing_probability(sc: Scenario, provider: str, *, crisis: bool) -> float:
    """Chance that a person's ethnicity is recorded as not stated or not known."""
    base = float(sc.p("recording.missing_by_provider")[provider])
    factor = float(sc.p("recording.missing_crisis_factor")) if crisis else 1.0
    return min(base * factor, float(sc.p("recording.max_missing_probability")))


def recorded_same_broad(sc: Scenario, provider: str, *, crisis: bool) -> float:
    """Chance that a person is recorded in their own broad group (neither missing nor 'any other')."""
    return (1 - missing_probability(sc, provider, crisis=crisis)) * (
        1 - float(sc.p("recording.to_any_other"))
    )


# ---- calibration -----------------------------------------------------------------------------
def _recorded_weights(sc: Scenario, joint: np.ndarray, *, crisis: bool) -> np.ndarray:
    """Residents' share times their chance of being recorded in their own broad group."""
    providers = sc.areas.provider_code.to_numpy()
    keep = np.array([recorded_same_broad(sc, prov, crisis=crisis) for prov in providers])
    return joint * keep[:, None, None, None, None]


def calibrate(sc: Scenario, joint: np.ndarray) -> dict[str, float]:
    """Fit the calibrated parameters to the targets; store and return them."""
    sc.calibrated.clear()
    sc.__dict__.pop("_rates", None)  # rates cached under the old values are stale
    sc.calibrated.update(
        {
            "contact.child_scale": 1.0,
            "detention.young_scale": 1.0,
            "talking_therapies.older_scale": 1.0,
        }
    )
    pop = joint.sum(axis=0)  # (decile, eth, band, sex)
    broad = sc.broad_index
    black = broad == BROAD_GROUPS.index("Black")
    white = broad == BROAD_GROUPS.index("White")

    # Contact: overall share and under-18 share.
    u18 = ages_mask(sc, "contact.child_ages")[_G]
    for _ in range(_CONTACT_ROUNDS):
        prob = contact_probability(sc) * pop
        share_u18 = (prob * u18).sum() / prob.sum()
        scale = sc.calibrated.get("contact.child_scale", 1.0)
        target_u18 = target_value(sc, "under_18_share_of_people_in_contact")
        odds = (target_u18 / (1 - target_u18)) / (share_u18 / (1 - share_u18))
        sc.calibrated["contact.child_scale"] = scale * odds
        prob = contact_probability(sc) * pop
        base = sc.p("contact.base_probability")
        sc.calibrated["contact.base_probability"] = base * (
            target_value(sc, "share_in_contact_with_services") / prob.sum()
        )

    # Detention: total, Black/White recorded ratio, male/female, 18-34 v 65+, deprivation.
    rec = _recorded_weights(sc, joint, crisis=True).sum(axis=0)
    per100k = target_value(sc, "detentions_per_100k") / PER_100K
    young = ages_mask(sc, "detention.young_adult_ages")
    older = ages_mask(sc, "detention.older_ages")
    for _ in range(_DETENTION_ROUNDS):
        rate = detention_rate(sc)
        det, det_rec = rate * pop, rate * rec
        moves = {
            "detention.base_rate": per100k / det.sum(),
            "detention.ethnic_factor.Black": target_value(sc, "black_white_detention_rate_ratio")
            / (
                (det_rec[:, black].sum() / pop[:, black].sum())
                / (det_rec[:, white].sum() / pop[:, white].sum())
            ),
            "detention.male_factor": target_value(sc, "male_female_detention_rate_ratio")
            / ((det[..., 0].sum() / pop[..., 0].sum()) / (det[..., 1].sum() / pop[..., 1].sum())),
            "detention.young_scale": target_value(sc, "detention_ratio_18_34_to_65_plus")
            / (
                ((det * young[_G]).sum() / (pop * young[_G]).sum())
                / ((det * older[_G]).sum() / (pop * older[_G]).sum())
            ),
            "detention.deprivation_ratio": target_value(sc, "detention_ratio_most_least_deprived")
            / ((det[0].sum() / pop[0].sum()) / (det[-1].sum() / pop[-1].sum())),
        }
        for key, factor in moves.items():
            _scale_param(sc, key, factor)
        if max(abs(np.log(f)) for f in moves.values()) < _CONVERGED:
            break

    # Community treatment orders: total and Black/White recorded ratio.
    rec_cto = _recorded_weights(sc, joint, crisis=False).sum(axis=0)
    for _ in range(_CTO_ROUNDS):
        rate = cto_rate(sc)
        cto, cto_rec = rate * pop, rate * rec_cto
        moves = {
            "community_treatment_orders.base_rate": target_value(sc, "cto_per_100k")
            / PER_100K
            / cto.sum(),
            "community_treatment_orders.ethnic_factor.Black": target_value(
                sc, "black_white_cto_rate_ratio"
            )
            / (
                (cto_rec[:, black].sum() / pop[:, black].sum())
                / (cto_rec[:, white].sum() / pop[:, white].sum())
            ),
        }
        for key, factor in moves.items():
            _scale_param(sc, key, factor)
        if max(abs(np.log(f)) for f in moves.values()) < _CONVERGED:
            break

    # Talking Therapies: referrals per resident and the 65+ share of referrals.
    older = ages_mask(sc, "talking_therapies.older_ages")
    for _ in range(_TT_ROUNDS):
        tt = tt_rate(sc) * pop
        share_older = (tt * older[_G]).sum() / tt.sum()
        target_older = target_value(sc, "talking_therapies_65_plus_share")
        moves = {
            "talking_therapies.older_scale": (target_older / (1 - target_older))
            / (share_older / (1 - share_older)),
            "talking_therapies.base_rate": target_value(
                sc, "talking_therapies_referrals_per_resident"
            )
            / tt.sum(),
        }
        for key, factor in moves.items():
            _scale_param(sc, key, factor)
        if max(abs(np.log(f)) for f in moves.values()) < _CONVERGED:
            break

    # Recovery: overall rate and the gap between least and most deprived deciles.
    weights = tt_rate(sc) * pop  # finishing and caseness do not depend on the cell
    for _ in range(_RECOVERY_ROUNDS):
        sc.calibrated["talking_therapies.recovery_intercept"] = brentq(
            lambda a: (
                _recovery(sc, weights, intercept=a)
                - target_value(sc, "talking_therapies_recovery_rate")
            ),
            -_LOGIT_BRACKET,
            _LOGIT_BRACKET,
        )
        gap = _recovery(sc, weights, decile=N_DECILES - 1) - _recovery(sc, weights, decile=0)
        factor = np.exp(
            _GAP_STEP * (target_value(sc, "talking_therapies_recovery_gap_deprivation") - gap)
        )
        _scale_param(sc, "talking_therapies.recovery_deprivation_odds_ratio", factor)
        if abs(np.log(factor)) < _RECOVERY_CONVERGED:
            break
    return dict(sc.calibrated)


def _recovery(
    sc: Scenario, weights: np.ndarray, *, intercept: float | None = None, decile: int | None = None
) -> float:
    if intercept is not None:
        sc.calibrated["talking_therapies.recovery_intercept"] = intercept
    prob = expit(tt_recovery_logit(sc))
    if decile is not None:
        prob, weights = prob[decile], weights[decile]
    return float((prob * weights).sum() / weights.sum())


def _scale_param(sc: Scenario, key: str, factor: float) -> None:
    """Multiply a (possibly nested, e.g. ``detention.ethnic_factor.Black``) parameter."""
    if key in sc.calibrated or key.count(".") == 1:
        sc.calibrated[key] = float(sc.p(key) if key not in sc.calibrated else sc.calibrated[key])
        sc.calibrated[key] *= float(factor)
        return
    parent, leaf = key.rsplit(".", 1)
    values = dict(sc.p(parent))
    values[leaf] = float(values[leaf]) * float(factor)
    sc.calibrated[parent] = values
