"""NHS Talking Therapies referrals, with PHQ-9 / GAD-7 scores and the published outcome flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from mhtrain.specload import code_for
from mhtrain.synth import model, streams
from mhtrain.synth.draws import constant_column, labels
from mhtrain.synth.ids import make_ids
from mhtrain.synth.records import _SEX_CODES, AreaContext, _ages, _band_labels
from mhtrain.synth.scenario import BROAD_GROUPS

_DAY = np.timedelta64(1, "D")

# Published definitions (NHS Talking Therapies manual): thresholds of clinical caseness and of
# reliable change on each questionnaire. These are definitions, not calibration figures.
PHQ9_CASENESS, GAD7_CASENESS = 10, 8
PHQ9_RELIABLE_CHANGE, GAD7_RELIABLE_CHANGE = 6, 4
PHQ9_MAX, GAD7_MAX = 27, 21
# The published measure counts a referral as finished treatment with at least two sessions.
FINISHED_MIN_SESSIONS = 2


def outcome_flags(df: pd.DataFrame) -> pd.DataFrame:
    """Caseness, finished treatment and the outcome flags by the published rules.

    Parameters
    ----------
    df
        Rows with ``sessions``, ``phq9_first``, ``phq9_last``, ``gad7_first``, ``gad7_last`` and,
        when known, ``referral_ended`` (a referral still open has not finished treatment). A
        missing score counts against a flag: no recovery or change without both scores.

    Returns
    -------
    pandas.DataFrame
        Boolean columns ``caseness_first``, ``finished_treatment``, ``recovered``,
        ``reliable_improvement``, ``reliable_recovery`` and ``reliable_deterioration``,
        aligned with ``df``.
    """

    def column(name: str) -> np.ndarray:
        return pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    ended = (
        df["referral_ended"].notna().to_numpy()
        if "referral_ended" in df
        else np.ones(len(df), bool)
    )
    flags = _flags(
        column("sessions"),
        ended,
        column("phq9_first"),
        column("phq9_last"),
        column("gad7_first"),
        column("gad7_last"),
    )
    return pd.DataFrame(flags, index=df.index)


def _flags(sessions, ended, phq1, phq2, gad1, gad2) -> dict[str, np.ndarray]:
    """The published definitions on arrays of scores (NaN where a score is missing).

    Finished a course of treatment: the referral ended, after two or more treatment sessions.
    Recovery: finished, at caseness at the start and not at the end. Reliable improvement: a
    reliable fall on either questionnaire and no reliable rise on the other; reliable
    deterioration the reverse; reliable recovery: recovered with reliable improvement.
    """
    with np.errstate(invalid="ignore"):
        finished = (np.nan_to_num(sessions, nan=0.0) >= FINISHED_MIN_SESSIONS) & ended
        case_first = (phq1 >= PHQ9_CASENESS) | (gad1 >= GAD7_CASENESS)
        known_last = ~np.isnan(phq2) & ~np.isnan(gad2)
        case_last = (phq2 >= PHQ9_CASENESS) | (gad2 >= GAD7_CASENESS)
        phq_change, gad_change = phq1 - phq2, gad1 - gad2
        improved = (phq_change >= PHQ9_RELIABLE_CHANGE) | (gad_change >= GAD7_RELIABLE_CHANGE)
        worse = (phq_change <= -PHQ9_RELIABLE_CHANGE) | (gad_change <= -GAD7_RELIABLE_CHANGE)
    recovered = finished & case_first & known_last & ~case_last
    reliable_improvement = finished & known_last & improved & ~worse
    return {
        "caseness_first": case_first,
        "finished_treatment": finished,
        "recovered": recovered,
        "reliable_improvement": reliable_improvement,
        "reliable_recovery": recovered & reliable_improvement,
        "reliable_deterioration": finished & known_last & worse & ~improved,
    }


def generate_talking_therapies(ctx: AreaContext) -> pd.DataFrame:
    """Talking Therapies referrals for one area (one row per referral)."""
    sc = ctx.sc
    rng = streams.rng("talking_therapies", ctx.seed, ctx.area)
    start = np.datetime64(sc.period[0].date(), "D")
    ndays = sc.period_days
    counts = rng.poisson(model.cached(sc, model.tt_rate) * ctx.cells)
    flat = counts.ravel()
    idx = np.repeat(np.arange(flat.size), flat)
    d, e, g, s = np.unravel_index(idx, counts.shape)
    n = len(idx)
    age = _ages(ctx, rng, g, min_age=int(sc.p("talking_therapies.min_age")))
    ref_day = rng.integers(0, ndays, n)

    entered = rng.random(n) < float(sc.p("talking_therapies.entered_treatment_probability"))
    full_course = model.cached(sc, model.tt_finish_probability)[d, e, 0, 0]
    finished = entered & (rng.random(n) < full_course)
    wait = float(sc.p("talking_therapies.wait_median_days")) * np.exp(
        float(sc.p("talking_therapies.wait_spread")) * rng.standard_normal(n)
    )
    first_day = ref_day + np.floor(wait).astype(int)
    gap_lo, gap_hi = (int(v) for v in sc.p("talking_therapies.session_gap_days"))
    # sessions: two or more for a full course, else one or none
    extra = rng.poisson(float(sc.p("talking_therapies.extra_sessions_mean")), n)
    sessions = np.where(finished, FINISHED_MIN_SESSIONS + extra, np.where(entered, 1, 0))
    second_day = first_day + rng.integers(gap_lo, gap_hi + 1, n)
    mean_gap = np.mean([gap_lo, gap_hi])
    end_day = first_day + (np.maximum(sessions - 1, 0) * mean_gap).astype(int)

    # scores: people at caseness score above a threshold; others below both
    caseness = rng.random(n) < float(sc.p("talking_therapies.caseness_probability"))
    phq_m, phq_s = (float(v) for v in sc.p("talking_therapies.phq9_first"))
    gad_m, gad_s = (float(v) for v in sc.p("talking_therapies.gad7_first"))
    phq1 = np.clip(np.rint(phq_m + phq_s * rng.standard_normal(n)), 0, PHQ9_MAX)
    gad1 = np.clip(np.rint(gad_m + gad_s * rng.standard_normal(n)), 0, GAD7_MAX)
    below = (phq1 < PHQ9_CASENESS) & (gad1 < GAD7_CASENESS)
    lift = int(sc.p("talking_therapies.caseness_phq9_lift"))
    phq1 = np.where(caseness & below, PHQ9_CASENESS + rng.integers(0, lift, n), phq1)
    phq1 = np.where(~caseness, rng.integers(0, PHQ9_CASENESS, n), phq1)
    gad1 = np.where(~caseness, rng.integers(0, GAD7_CASENESS, n), gad1)

    # recovery drawn from the planted model, then last scores drawn to agree with it
    recover = rng.random(n) < expit(model.cached(sc, model.tt_recovery_logit)[d, e, g, s])
    kept = sc.p("talking_therapies.last_score_shrink")
    noise = sc.p("talking_therapies.last_score_noise")
    shrink = np.where(
        recover, rng.uniform(*kept["recovered"], n), rng.uniform(*kept["not_recovered"], n)
    )
    phq2 = np.clip(np.rint(phq1 * shrink + rng.normal(0, float(noise["phq9"]), n)), 0, PHQ9_MAX)
    gad2 = np.clip(np.rint(gad1 * shrink + rng.normal(0, float(noise["gad7"]), n)), 0, GAD7_MAX)
    phq2 = np.where(recover, np.minimum(phq2, PHQ9_CASENESS - 1), phq2)
    gad2 = np.where(recover, np.minimum(gad2, GAD7_CASENESS - 1), gad2)
    still_case = (phq2 >= PHQ9_CASENESS) | (gad2 >= GAD7_CASENESS)
    need_case = caseness & ~recover & ~still_case
    phq2 = np.where(need_case, np.maximum(phq2, PHQ9_CASENESS), phq2)
    has_last = sessions >= 1
    phq2 = np.where(has_last, phq2, np.nan)
    gad2 = np.where(has_last, gad2, np.nan)
    phq1 = np.where(has_last, phq1, np.nan)
    gad1 = np.where(has_last, gad1, np.nan)

    def day_or_nat(day: np.ndarray, ok: np.ndarray) -> np.ndarray:
        return np.where(ok & (day < ndays), start + day * _DAY, np.datetime64("NaT")).astype(
            "datetime64[s]"
        )

    within = first_day < ndays
    # a referral whose treatment had not started by the period end is still waiting
    waiting = ~within & entered
    sessions = np.where(waiting, 0, sessions)
    sessions = np.where(finished & (second_day < ndays), sessions, np.minimum(sessions, 1))
    # sessions after the period end are not in this year's records: the referral is still open
    so_far = 1 + np.floor(np.maximum(ndays - 1 - first_day, 0) / mean_gap).astype(int)
    still_open = entered & within & (end_day >= ndays)
    sessions = np.where(still_open, np.minimum(sessions, so_far), sessions)
    end_day = np.where(
        still_open, first_day + (np.maximum(sessions - 1, 0) * mean_gap).astype(int), end_day
    )
    # with one session the first score is also the last
    phq2 = np.where(sessions == 1, phq1, phq2)
    gad2 = np.where(sessions == 1, gad1, gad2)
    # a referral ends after its last session, or (no treatment) when it would have started
    ended = ~still_open & ~waiting & (np.where(entered, end_day, first_day) < ndays)
    ended_day = np.where(entered, end_day, first_day)
    for scores in (phq1, phq2, gad1, gad2):
        scores[waiting] = np.nan
    df = pd.DataFrame(
        {
            "tt_referral_id": make_ids("tt", ctx.seed, ctx.area, np.arange(n)),
            "area_code": constant_column(ctx.area_code, n),
            "age": age.astype(np.int32),
            "age_band": _band_labels(sc, age),
            "sex": labels(_SEX_CODES, s),
            "ethnic_category": _record_tt_ethnicity(sc, rng, e),
            "imd_decile": (d + 1).astype(np.int32),
            "referral_date": (start + ref_day * _DAY).astype("datetime64[s]"),
            "first_treatment_date": day_or_nat(first_day, entered),
            "second_treatment_date": day_or_nat(second_day, finished),
            "end_date": day_or_nat(end_day, entered),
            "referral_ended": day_or_nat(ended_day, ended),
            "sessions": sessions.astype(np.int32),
            "phq9_first": pd.array(phq1, dtype="Int32"),
            "phq9_last": pd.array(phq2, dtype="Int32"),
            "gad7_first": pd.array(gad1, dtype="Int32"),
            "gad7_last": pd.array(gad2, dtype="Int32"),
            **_flags(sessions.astype(float), ended, phq1, phq2, gad1, gad2),
        }
    )
    return df


def _record_tt_ethnicity(sc, rng, eth: np.ndarray) -> np.ndarray:
    missing = rng.random(len(eth)) < float(sc.p("recording.talking_therapies_missing"))
    index = np.where(missing, len(sc.ethnic_codes), eth)
    return labels([*sc.ethnic_codes, code_for("ethnic_category", "not_known")], index)


__all__ = ["outcome_flags", "generate_talking_therapies", "BROAD_GROUPS"]
