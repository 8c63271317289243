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
from scipy.special import expit, logit

from mhtrain.specload import parse_age_band
from mhtrain.synth import ethnicity
from mhtrain.synth.scenario import BROAD_GROUPS, N_DECILES, N_SEXES, PER_100K, Scenario

# Numerical settings of the calibration (not modelling figures): how many rounds each fit may
# take (the recovery fit, over four sets of margins, takes up to 3,600), and when a fit has
# converged (largest change on the log scale).
_CONTACT_ROUNDS, _DETENTION_ROUNDS, _CTO_ROUNDS, _TT_ROUNDS = 60, 200, 100, 100
_RECOVERY_ROUNDS = 3600
_CONVERGED, _RECOVERY_CONVERGED = 1e-10, 1e-9

# The axes of a cell array, and broadcast shapes over (decile, ethnic code, age band, sex)
_DECILE_AXIS, _ETHNIC_AXIS, _BAND_AXIS, _SEX_AXIS = range(4)
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
    eth = sc.by_broad("detention.ethnic_factor") * ethnicity.detailed_effects(sc)
    return sc.p("detention.base_rate") * dep[_D] * eth[_E] * age[_G] * sex[_S]


HOLDING_POWERS = ("s4", "s5_2")
"""Sections that hold a person for up to 72 hours until an assessment (Mental Health Act 1983,
sections 4 and 5(2)); what follows them is set by ``detention.holding_power_outcome_shares``."""


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


def tt_age_group_shares(sc: Scenario) -> np.ndarray:
    """Share of each band's Talking Therapies referrals in each published age group.

    Shape (band, group), groups in the order of ``talking_therapies.recovery_by_age_group``;
    ages are spread evenly within a band, from the service's minimum age.
    """
    groups = list(sc.p("talking_therapies.recovery_by_age_group"))
    adult = band_mask(sc, int(sc.p("talking_therapies.min_age")))
    share = (
        np.stack([band_mask(sc, *parse_age_band(g)) for g in groups], axis=1)
        / np.where(adult > 0, adult, 1)[:, None]
    )
    return share * (adult > 0)[:, None]


def _effects(sc: Scenario, dotted: str, keys) -> np.ndarray:
    values = sc.p(dotted)
    return np.array([float(values[str(k)]) for k in keys])


def tt_recovery_logit(sc: Scenario) -> np.ndarray:
    """Log-odds of recovery for a person who finished treatment at caseness."""
    dep = _effects(sc, "talking_therapies.recovery_deprivation_log_odds", range(1, N_DECILES + 1))
    eth = _effects(sc, "talking_therapies.recovery_ethnic_log_odds", BROAD_GROUPS)[sc.broad_index]
    groups = list(sc.p("talking_therapies.recovery_by_age_group"))
    age = _effects(sc, "talking_therapies.recovery_age_log_odds", groups)
    age = age[tt_age_group_shares(sc).argmax(axis=1)]  # a band takes its main group's effect
    sex = _effects(sc, "talking_therapies.recovery_sex_log_odds", ("male", "female"))
    logit = (
        float(sc.p("talking_therapies.recovery_intercept")) + dep[_D] + eth[_E] + age[_G] + sex[_S]
    )
    shape = (N_DECILES, len(sc.ethnic_codes), len(sc.age_bands), N_SEXES)
    return np.broadcast_to(logit, shape).copy()


def tt_finish_probability(sc: Scenario) -> np.ndarray:
    """Chance that a person who starts treatment has a full course (two or more sessions).

    The base chance times a factor per decile and per broad group, fitted (see
    :func:`_calibrate_finishing`) so that finishing relative to all referrals matches the
    published ratios by decile and by broad group.
    """
    fitted = sc.__dict__.get("_finishing_log_factors")
    if fitted is None:
        dep, eth = np.zeros(N_DECILES), np.zeros(len(BROAD_GROUPS))
    else:
        dep, eth = fitted
    factor = np.exp(dep[:, None] + eth[sc.broad_index][None, :])
    base = float(sc.p("talking_therapies.finished_given_entered"))
    return np.clip(base * factor, 0, 1)[:, :, None, None]


def _calibrate_finishing(sc: Scenario, referrals: np.ndarray) -> None:
    """Fit the finishing factors to the published ratios by decile and by broad group."""
    tt = "talking_therapies."
    by_cell = referrals.sum(axis=(_BAND_AXIS, _SEX_AXIS))  # (decile, ethnic code)
    broad = np.eye(len(BROAD_GROUPS))[sc.broad_index]
    base = float(sc.p(tt + "finished_given_entered"))
    margins = [
        (_effects(sc, tt + "finishing_by_imd_decile", range(1, N_DECILES + 1)), lambda w: w.sum(1)),
        (_effects(sc, tt + "finishing_by_broad_group", BROAD_GROUPS), lambda w: w.sum(0) @ broad),
    ]
    # each set of ratios is rescaled so that, over these referrals, it averages one
    wanted = [
        base * ratios * by_cell.sum() / (collapse(by_cell) * ratios).sum()
        for ratios, collapse in margins
    ]
    dep, eth = np.zeros(N_DECILES), np.zeros(len(BROAD_GROUPS))
    for _ in range(_TT_ROUNDS):
        sc.__dict__["_finishing_log_factors"] = (dep, eth)
        p = tt_finish_probability(sc)[:, :, 0, 0]
        step_d = np.log(wanted[0] / margins[0][1](p * by_cell) * margins[0][1](by_cell))
        dep = dep + step_d
        sc.__dict__["_finishing_log_factors"] = (dep, eth)
        p = tt_finish_probability(sc)[:, :, 0, 0]
        step_e = np.log(wanted[1] / margins[1][1](p * by_cell) * margins[1][1](by_cell))
        eth = eth + step_e
        sc.__dict__["_finishing_log_factors"] = (dep, eth)
        if max(np.abs(step_d).max(), np.abs(step_e).max()) < _CONVERGED:
            break
    sc.calibrated[tt + "finishing_log_factor_by_imd_decile"] = dict(
        zip([str(d) for d in range(1, N_DECILES + 1)], dep.tolist(), strict=True)
    )
    sc.calibrated[tt + "finishing_log_factor_by_broad_group"] = dict(
        zip(BROAD_GROUPS, eth.tolist(), strict=True)
    )


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
    missing_in_crisis = np.array(
        [missing_probability(sc, prov, crisis=True) for prov in sc.areas.provider_code]
    )
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
            **_detailed_ethnic_moves(sc, joint, rate, missing_in_crisis),
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

    # Finishing treatment, then recovery among those who finish.
    referrals = tt_rate(sc) * pop
    _calibrate_finishing(sc, referrals)
    _calibrate_recovery(sc, referrals * tt_finish_probability(sc))
    return dict(sc.calibrated)


def _detailed_ethnic_moves(
    sc: Scenario, joint: np.ndarray, rate: np.ndarray, missing_by_area: np.ndarray
) -> dict[str, float]:
    """Steps for each detailed group's effect towards its published recorded detention rate.

    A detailed group's recorded crude rate is aimed at its published rate *relative to the
    recorded White rate of the same edition* (``detention.detailed_ethnic_rates`` and the
    ``white_detentions_per_100k`` target), so the overall level stays the total's to set.
    """
    published = ethnicity.published_detailed_rates(sc)
    if not published:
        return {}
    residents = joint.sum(axis=0).sum(axis=(_DECILE_AXIS, _BAND_AXIS, _SEX_AXIS))  # by code
    recorded = ethnicity.expected_recorded_detentions(sc, joint, rate, missing_by_area)
    white = sc.broad_index == BROAD_GROUPS.index("White")
    white_rate = recorded[white].sum() / residents[white].sum()
    white_published = target_value(sc, "white_detentions_per_100k")
    at = {c: i for i, c in enumerate(sc.ethnic_codes)}
    return {
        f"detention.detailed_ethnic_effects.{code}": (value / white_published)
        / ((recorded[at[code]] / residents[at[code]]) / white_rate)
        for code, value in published.items()
    }


def _calibrate_recovery(sc: Scenario, weights: np.ndarray) -> None:
    """Fit the recovery effects so recovery by decile, broad group, age group and sex each
    matches its published figures (iterative fitting of the margins on the log-odds scale)."""
    tt = "talking_therapies."
    broad = np.eye(len(BROAD_GROUPS))[sc.broad_index]  # (ethnic code, broad group)
    age_share = tt_age_group_shares(sc)  # (band, age group)
    margins = {  # effect parameter: (target figures, how cells map to its categories)
        "recovery_deprivation_log_odds": (
            "recovery_by_imd_decile",
            lambda w: w.sum(axis=(_ETHNIC_AXIS, _BAND_AXIS, _SEX_AXIS)),
        ),
        "recovery_ethnic_log_odds": (
            "recovery_by_broad_group",
            lambda w: w.sum(axis=(_DECILE_AXIS, _BAND_AXIS, _SEX_AXIS)) @ broad,
        ),
        "recovery_age_log_odds": (
            "recovery_by_age_group",
            lambda w: w.sum(axis=(_DECILE_AXIS, _ETHNIC_AXIS, _SEX_AXIS)) @ age_share,
        ),
        "recovery_sex_log_odds": (
            "recovery_by_sex",
            lambda w: w.sum(axis=(_DECILE_AXIS, _ETHNIC_AXIS, _BAND_AXIS)),
        ),
    }
    overall = target_value(sc, "talking_therapies_recovery_rate")
    wanted = {}
    for effect, (figures, collapse) in margins.items():
        # each breakdown is moved (on the log-odds scale) to agree with the overall figure, so
        # the four breakdowns can all be met: they differ slightly in who they leave out
        raw = logit(np.array([float(v) for v in sc.p(tt + figures).values()]))
        share = collapse(weights) / weights.sum()
        shift = brentq(lambda x, s=share, r=raw: (s * expit(r + x)).sum() - overall, -1, 1)
        wanted[effect] = expit(raw + shift)
    for _ in range(_RECOVERY_ROUNDS):
        biggest = 0.0
        for effect, (figures, collapse) in margins.items():
            prob = expit(tt_recovery_logit(sc))
            got = collapse(prob * weights) / collapse(weights)
            step = logit(wanted[effect]) - logit(got)
            values = dict(sc.p(tt + effect))
            for key, delta in zip(sc.p(tt + figures), step, strict=True):
                values[key] = float(values[key]) + float(delta)
            # keep each set of effects centred on zero (the intercept takes the mean)
            centre = float(np.mean(list(values.values())))
            sc.calibrated[tt + effect] = {k: v - centre for k, v in values.items()}
            sc.calibrated[tt + "recovery_intercept"] = (
                float(sc.p(tt + "recovery_intercept")) + centre
            )
            biggest = max(biggest, float(np.abs(step).max()))
        if biggest < _RECOVERY_CONVERGED:
            break


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
