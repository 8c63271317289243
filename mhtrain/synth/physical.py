"""Primary care and deaths: the GP severe mental illness register with its physical health checks,
death registrations with their underlying cause, and linkage between the two by NHS number.

Every number comes from the ``physical_health`` section of the scenario. The tables are drawn
from their own random stream (:func:`_rng`) after every other table, so they change nothing else.
Deaths are not linked to the mental health service tables (``people``): those tables keep their
bytes, so no record there can be censored by a death here; within these tables no check is dated
after the person's death.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from mhtrain.specload import load_codes
from mhtrain.synth import model, streams
from mhtrain.synth.draws import choice_fixed, constant_column, expand_cells, labels
from mhtrain.synth.ids import is_valid_nhs_number, make_ids
from mhtrain.synth.records import _SEX_CODES, AreaContext, _ages, _band_labels
from mhtrain.synth.scenario import Scenario
from mhtrain.synth.truth import _r

STREAM = "physical-health"
TABLES = ("smi_register", "deaths")
CHECKS = ("bmi", "blood_pressure", "cholesterol", "glucose", "alcohol", "smoking")
BLOOD_TESTS = ("cholesterol", "glucose")
LINK_FAILURES = ("missing", "mistyped")
_DAY = np.timedelta64(1, "D")
_P = "physical_health."
_AXIS = {name: i for i, name in enumerate(("decile", "eth", "band", "sex"))}
_ALL_BUT_BAND = tuple(i for name, i in _AXIS.items() if name != "band")


def _rng(seed: int, area: int) -> np.random.Generator:
    """The one random generator of this module, for one area (the named stream table's)."""
    return streams.rng(STREAM, seed, area)


def _cause_keys() -> list[str]:
    return [c["key"] for c in load_codes()["cause_of_death_group"]["codes"]]


def _cause_codes() -> list[str]:
    return [str(c["code"]) for c in load_codes()["cause_of_death_group"]["codes"]]


def premature_bands(sc: Scenario) -> list[str]:
    """Age bands of adults under the premature age limit (18 to 74 in the default scenario)."""
    lo, hi = sc.age_bounds
    limit = int(sc.p(_P + "mortality.premature_age_limit"))
    adult = int(sc.p(_P + "register.min_age"))
    return [b for b, a, z in zip(sc.age_bands, lo, hi, strict=True) if z >= adult and z < limit]


def _premature_mask(sc: Scenario) -> np.ndarray:
    keep = set(premature_bands(sc))
    return np.array([b in keep for b in sc.age_bands])


def physical_model(sc: Scenario) -> dict[str, np.ndarray]:
    """Register, death and check probabilities per cell (decile, ethnic code, band, sex).

    The register's prevalence, the chance of all six checks and the premature-mortality ratio of
    people on the register are fitted to the scenario over the whole population (not one area),
    so areas differ only as their people do.
    """
    from mhtrain.synth import prepare

    _, joint = prepare(sc)
    pop = joint.sum(axis=0)  # decile, eth, band, sex
    dep_reg = sc.deprivation_gradient(sc.p(_P + "register.deprivation_ratio"))
    rel = sc.by_band(_P + "register.relative_by_band") * model.band_mask(
        sc, int(sc.p(_P + "register.min_age"))
    )
    eth_reg = sc.by_broad(_P + "register.ethnic_factor")
    shape = dep_reg[:, None, None, None] * eth_reg[None, :, None, None] * rel[None, None, :, None]
    shape = np.broadcast_to(shape, pop.shape)
    scale = float(sc.p(_P + "register.prevalence")) * pop.sum() / (pop * shape).sum()
    p_reg = np.clip(scale * shape, 0, 1)

    # deaths of people not on the register
    rate = sc.by_band(_P + "mortality.death_rate_by_band")
    sex = np.array([float(sc.p(_P + "mortality.male_ratio")), 1.0])  # sex codes "1", "2"
    dep_m = sc.deprivation_gradient(sc.p(_P + "mortality.deprivation_ratio"))
    tilt = np.broadcast_to(dep_m[:, None, None, None] * sex[None, None, None, :], pop.shape)
    # the tilts move deaths between people of one age, not the age's death rate
    mean_tilt = (pop * tilt).sum(axis=_ALL_BUT_BAND) / pop.sum(axis=_ALL_BUT_BAND)
    m0 = tilt * (rate / mean_tilt)[None, None, :, None]
    # factor for people on the register: fitted before 75, a set ratio from 75
    premature = _premature_mask(sc)
    on_reg, off_reg = pop * p_reg, pop * (1 - p_reg)
    reference = (off_reg * m0).sum(axis=(0, 1)) / off_reg.sum(axis=(0, 1))  # band, sex
    expected = (on_reg.sum(axis=(0, 1)) * reference)[premature].sum()
    observed_at_one = (on_reg * m0)[:, :, premature].sum()
    factor = float(sc.p(_P + "mortality.smi_premature_ratio")) * expected / observed_at_one
    lo, _ = sc.age_bounds
    old = lo >= int(sc.p(_P + "mortality.premature_age_limit"))
    smi_factor = np.where(old, float(sc.p(_P + "mortality.smi_ratio_75_plus")), factor)
    m_reg = np.clip(m0 * smi_factor[None, None, :, None], 0, 1)

    # all six checks
    dep_hc = sc.deprivation_gradient(sc.p(_P + "health_check.deprivation_ratio"))
    eth_hc = sc.by_broad(_P + "health_check.ethnic_factor")
    q_shape = np.broadcast_to(dep_hc[:, None, None, None] * eth_hc[None, :, None, None], pop.shape)
    q_scale = (
        float(sc.p(_P + "health_check.all_six_share")) * on_reg.sum() / (on_reg * q_shape).sum()
    )
    return {
        "register": p_reg,
        "death": np.clip(m0, 0, 1),
        "death_register": m_reg,
        "all_six": np.clip(q_scale * q_shape, 0, 1),
        "smi_factor_premature": np.array(factor),
    }


def _cell_values(array: np.ndarray, who: dict[str, np.ndarray]) -> np.ndarray:
    return array[who["decile"], who["eth"], who["band"], who["sex"]]


def generate_physical_health(ctx: AreaContext) -> tuple[dict[str, pd.DataFrame], dict]:
    """The SMI register and the deaths of one area, and the facts of their true linkage.

    Returns
    -------
    tables, facts
        ``smi_register`` and ``deaths``; for each death, the register patient it truly belongs
        to (empty if none) and why its NHS number fails to link (empty if it links).
    """
    sc = ctx.sc
    rng = _rng(ctx.seed, ctx.area)
    prob = model.cached(sc, physical_model)
    start = np.datetime64(sc.period[0].date(), "D")
    ndays = sc.period_days
    nat = np.datetime64("NaT")

    # --- who is on the register, and who dies ---------------------------------------------
    n_reg = rng.binomial(ctx.cells, prob["register"])
    reg = expand_cells(n_reg)
    n = len(reg["band"])
    age = _ages(ctx, rng, reg["band"], min_age=int(sc.p(_P + "register.min_age")))
    reg_dies = rng.random(n) < _cell_values(prob["death_register"], reg)
    others = expand_cells(rng.binomial(ctx.cells - n_reg, prob["death"]))
    o_age = _ages(ctx, rng, others["band"])
    joined = rng.integers(0, int(sc.p(_P + "register.years_on_register_max")) + 1, n)

    # --- physical health checks, censored at death -----------------------------------------
    death_day_reg = np.where(reg_dies, rng.integers(0, ndays, n), ndays)
    lag = int(sc.p(_P + "health_check.blood_test_lag_days"))
    full = rng.random(n) < _cell_values(prob["all_six"], reg)
    visit = rng.integers(0, ndays - lag, n)
    partial = sc.p(_P + "health_check.partial_probability")
    check_dates = {}
    for check in CHECKS:
        day = np.where(full, visit, rng.integers(0, ndays, n))
        if check in BLOOD_TESTS:
            day = np.where(full, day + rng.integers(0, lag + 1, n), day)
        done = (full | (rng.random(n) < float(partial[check]))) & (day <= death_day_reg)
        check_dates[f"{check}_date"] = np.where(done, start + day * _DAY, nat).astype(
            "datetime64[s]"
        )
    all_six = np.all([~np.isnat(v) for v in check_dates.values()], axis=0)

    numbers = ctx.nhs_numbers[::-1]
    reg_numbers = numbers[np.arange(n) % len(numbers)]
    patient_id = make_ids("smi_patient", ctx.seed, ctx.area, np.arange(n))
    register = pd.DataFrame(
        {
            "patient_id": patient_id,
            "nhs_number": _as_strings(reg_numbers),
            "age": age.astype(np.int32),
            "age_band": labels(sc.age_bands, reg["band"]),
            "sex": labels(_SEX_CODES, reg["sex"]),
            "ethnic_category": labels(sc.ethnic_codes, reg["eth"]),
            "area_code": constant_column(ctx.area_code, n),
            "imd_decile": (reg["decile"] + 1).astype(np.int32),
            "registered_date": (start - joined * _DAY).astype("datetime64[s]"),
            **check_dates,
            "all_six_checks": all_six,
        }
    )

    # --- death registrations ---------------------------------------------------------------
    dead = np.flatnonzero(reg_dies)
    n_other = len(others["band"])
    who = {k: np.r_[reg[k][dead], others[k]] for k in reg}
    d_age = np.r_[age[dead], o_age]
    day = np.r_[death_day_reg[dead], rng.integers(0, ndays, n_other)]
    on_register = np.r_[np.ones(len(dead), bool), np.zeros(n_other, bool)]
    # a birthday passes during the year in proportion to the days gone
    d_age = np.minimum(d_age + (rng.random(len(day)) < day / ndays), sc.age_bounds[1][-1])
    shares = sc.p(_P + "mortality.cause_shares")
    keys = _cause_keys()
    base = np.array([float(shares[k]) for k in keys])
    ratios = {
        **sc.p(_P + "mortality.cause_ratio_smi"),
        **sc.p(_P + "mortality.cause_ratio_smi_other"),
    }
    tilted = base * np.array([float(ratios[k]) for k in keys])
    cause = np.where(
        on_register,
        choice_fixed(rng, len(day), tilted),
        choice_fixed(rng, len(day), base),
    )
    true_numbers = np.r_[
        reg_numbers[dead], numbers[(n + np.arange(n_other)) % len(numbers)]
    ].astype(np.int64)
    recorded, failure = _linkage_errors(sc, rng, true_numbers, who, on_register)
    order = np.argsort(day, kind="stable")
    deaths = pd.DataFrame(
        {
            "death_id": make_ids("death", ctx.seed, ctx.area, np.arange(len(day))),
            "nhs_number": recorded[order],
            "sex": labels(_SEX_CODES, who["sex"][order]),
            "age_at_death": d_age[order].astype(np.int32),
            "age_band": _band_labels(sc, d_age[order]),
            "area_code": constant_column(ctx.area_code, len(day)),
            "imd_decile": (who["decile"][order] + 1).astype(np.int32),
            "date_of_death": (start + day[order] * _DAY).astype("datetime64[s]"),
            "underlying_cause_group": labels(_cause_codes(), cause[order]),
        }
    )
    truly = np.r_[np.asarray(patient_id)[dead], np.full(n_other, "", dtype=object)]
    facts = {
        "death_true_patient_id": np.asarray(truly, dtype=object)[order],
        "death_link_failure": np.asarray(failure, dtype=object)[order],
        "death_true_ethnic_code": np.asarray(sc.ethnic_codes, dtype=object)[who["eth"][order]],
    }
    return {"smi_register": register, "deaths": deaths}, facts


def _as_strings(numbers: np.ndarray) -> pd.api.extensions.ExtensionArray:
    return pd.array(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), dtype="str")


def _linkage_errors(sc, rng, numbers: np.ndarray, who, on_register):
    """Recorded NHS numbers of death records: some missing, some with one digit wrong."""
    dep = sc.deprivation_gradient(sc.p(_P + "linkage.deprivation_ratio"))[who["decile"]]
    eth = sc.by_broad(_P + "linkage.ethnic_factor")[who["eth"]]
    smi = np.where(on_register, float(sc.p(_P + "linkage.smi_ratio")), 1.0)
    factor = dep * eth * smi
    u = rng.random(len(numbers))
    p_missing = float(sc.p(_P + "linkage.missing_probability")) * factor
    p_mistyped = float(sc.p(_P + "linkage.mistyped_probability")) * factor
    missing = u < p_missing
    mistyped = ~missing & (u < p_missing + p_mistyped)
    text = np.asarray(numbers, dtype=np.int64).astype(str).astype(bytes)
    width = text.dtype.itemsize
    chars = text.view(np.uint8).reshape(len(numbers), width).copy()
    base, zero = len(string.digits), ord(string.digits[0])
    rows = np.arange(len(numbers))
    place = rng.integers(0, width, len(numbers))
    shift = rng.integers(1, base, len(numbers))  # never zero, so the digit always changes
    old = chars[rows, place].astype(np.int64) - zero
    chars[rows, place] = np.where(mistyped, (old + shift) % base + zero, chars[rows, place])
    recorded = chars.reshape(-1).view(f"S{width}").astype(str).astype(object)
    recorded[missing] = None
    text = recorded
    failure = np.where(missing, LINK_FAILURES[0], np.where(mistyped, LINK_FAILURES[1], ""))
    return pd.array(text, dtype="str"), failure


# --------------------------------------------------------------------------------------------
# Measurements (used by the truth record, the realism tests and the lesson's checks)


def link_deaths(register: pd.DataFrame, deaths: pd.DataFrame) -> pd.DataFrame:
    """Deaths joined to the register by exact NHS number (an inner join, as naive linkage does)."""
    left = register[["patient_id", "nhs_number", "age_band"]].dropna(subset=["nhs_number"])
    right = deaths.dropna(subset=["nhs_number"])
    return right.merge(left, on="nhs_number", how="inner", suffixes=("", "_register"))


def premature_smr(
    register: pd.DataFrame,
    deaths: pd.DataFrame,
    population: pd.DataFrame,
    *,
    linked_deaths: pd.DataFrame,
    bands: list[str],
    reference: str = "everyone",
) -> dict[str, float | None]:
    """Indirectly standardised premature mortality ratio of people on the register.

    Parameters
    ----------
    register
        People on the register (only their ``age_band`` is used).
    deaths, population
        Every death and the residents, for the reference death rate of each age band.
    linked_deaths
        The deaths counted as deaths of people on the register (with ``age_band`` at death).
    bands
        The age bands compared (adults under 75).
    reference
        ``"everyone"`` (all residents) or ``"without_smi"`` (residents not on the register:
        the linked deaths and the register's people are taken out of the reference).

    Returns
    -------
    dict
        ``observed``, ``expected``, ``ratio`` and its 95% ``lower`` and ``upper`` limits.
    """
    from mhtrain.stats import indirectly_standardised_ratio

    observed = linked_deaths.groupby("age_band").size()
    patients = register.groupby("age_band").size()
    all_deaths = deaths.groupby("age_band").size()
    residents = population.groupby("age_band")["residents"].sum()
    if reference == "without_smi":
        all_deaths = all_deaths.sub(observed, fill_value=0)
        residents = residents.sub(patients, fill_value=0)
    rates = (all_deaths.reindex(residents.index, fill_value=0) / residents).reindex(bands)
    table = pd.DataFrame(
        {
            "age_band": bands,
            "events": observed.reindex(bands, fill_value=0).to_numpy(dtype=float),
            "population": patients.reindex(bands, fill_value=0).to_numpy(dtype=float),
        }
    )
    row = indirectly_standardised_ratio(table, reference_rates=rates.fillna(0)).iloc[0]
    return {k: _r(row[k]) for k in ("observed", "expected", "ratio", "lower", "upper")}


def physical_truth(dataset, sc: Scenario) -> dict[str, Any]:
    """The truth of these tables: the true linked answer, the naive one, and every failure."""
    from mhtrain.synth.realism import broad_group

    reg = dataset.tables["smi_register"]
    deaths = dataset.tables["deaths"].copy()
    pop = dataset.tables["population"]
    facts = dataset.extra.get("facts", {})
    true_id = pd.Series(facts.get("death_true_patient_id", np.full(len(deaths), "")), dtype=str)
    failure = pd.Series(facts.get("death_link_failure", np.full(len(deaths), "")), dtype=str)
    true_id.index = failure.index = deaths.index
    bands = premature_bands(sc)
    prem_reg = reg[reg.age_band.isin(bands)]
    naive = link_deaths(reg, deaths)
    of_register = true_id != ""
    true_deaths = deaths[of_register]

    def smr(linked, reference="everyone"):
        return premature_smr(
            prem_reg, deaths, pop, linked_deaths=linked, bands=bands, reference=reference
        )

    # a naive link is false when the number found belongs to someone else
    true_by_death = pd.Series(true_id.to_numpy(), index=deaths.death_id.to_numpy())
    naive_true = (naive.patient_id == naive.death_id.map(true_by_death)).to_numpy()
    missed = of_register & ~deaths.death_id.isin(naive.death_id[naive_true])
    patients = reg.set_index("patient_id")
    reg_deaths_eth = broad_group(true_id[of_register].map(patients.ethnic_category))
    reg_deaths_dec = true_id[of_register].map(patients.imd_decile)
    failures = [
        {"death_id": d, "patient_id": p, "reason": f}
        for d, p, f in zip(deaths.death_id[missed], true_id[missed], failure[missed], strict=True)
    ]
    checks = reg
    return {
        "about": (
            "People on the GP SMI register on the first day of the year, their physical health "
            "checks, and deaths linked by NHS number: the true linkage (who each death really "
            "is) and the naive one (exact NHS number)."
        ),
        "register": {
            "patients": len(reg),
            "prevalence_all_residents": _r(len(reg) / pop.residents.sum()),
            "planted_prevalence": float(sc.p(_P + "register.prevalence")),
        },
        "health_checks": {
            "all_six_share": _r(checks.all_six_checks.mean()),
            "all_six_share_by_imd_decile": {
                str(k): _r(v)
                for k, v in checks.groupby(checks.imd_decile).all_six_checks.mean().items()
            },
            "all_six_share_by_broad_group": {
                k: _r(v)
                for k, v in checks.groupby(broad_group(checks.ethnic_category))
                .all_six_checks.mean()
                .items()
            },
            "share_by_check": {c: _r(checks[f"{c}_date"].notna().mean()) for c in CHECKS},
        },
        "premature_mortality": {
            "bands": bands,
            "planted_ratio_vs_without_smi": float(sc.p(_P + "mortality.smi_premature_ratio")),
            "true_vs_everyone": smr(true_deaths),
            "true_vs_without_smi": smr(true_deaths, "without_smi"),
            "naive_vs_everyone": smr(naive),
        },
        "linkage": {
            "deaths": len(deaths),
            "death_records_failing_share": _r((failure != "").mean()),
            "register_deaths": int(of_register.sum()),
            "register_deaths_linked": int(naive_true.sum()),
            "register_deaths_missed": int(missed.sum()),
            "missed_by_reason": {r: int((failure[missed] == r).sum()) for r in LINK_FAILURES},
            "false_links": int((~naive_true).sum()),
            "missed_share_by_broad_group": {
                k: _r(v)
                for k, v in missed[of_register].groupby(reg_deaths_eth.values).mean().items()
            },
            "missed_share_by_imd_decile": {
                str(k): _r(v)
                for k, v in missed[of_register].groupby(reg_deaths_dec.values).mean().items()
            },
            "failures": failures,
        },
    }


__all__ = [
    "CHECKS",
    "TABLES",
    "generate_physical_health",
    "is_valid_nhs_number",
    "link_deaths",
    "physical_model",
    "physical_truth",
    "premature_bands",
    "premature_smr",
]
