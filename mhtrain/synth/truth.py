"""The truth record: every planted effect as specified, as expected, and as realised.

Lessons and checks read expected answers from here (or recompute them from the tables); nothing
downstream hard-codes a number.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mhtrain.specload import code_for, standard_population
from mhtrain.synth import model, realism
from mhtrain.synth.scenario import BROAD_GROUPS

# Figures in the truth record are rounded to six decimals (stable across platforms).
_DECIMALS = 6


def _r(x: float) -> float | None:
    x = float(x)
    return None if np.isnan(x) else round(x, _DECIMALS)


def expected_detention_ratios(sc, joint: np.ndarray) -> dict[str, float]:
    """Black/White detention rate ratios the model implies for a whole population (no sample)."""
    pop = joint.sum(axis=0)  # decile, eth, band, sex
    det = model.detention_rate(sc) * pop
    weights = standard_population("esp2013").set_index("age_band").weight
    w = weights.reindex(sc.age_bands).to_numpy(dtype=float)
    w = w / w.sum()
    out = {}
    rates = {}
    for group in ("Black", "White"):
        mask = np.asarray(BROAD_GROUPS)[sc.broad_index] == group
        p = pop[:, mask].sum(axis=(0, 1, -1))
        d = det[:, mask].sum(axis=(0, 1, -1))
        rates[group] = (d.sum() / p.sum(), float((w * d / p).sum()))
    out["crude"] = _r(rates["Black"][0] / rates["White"][0])
    out["age_standardised"] = _r(rates["Black"][1] / rates["White"][1])
    return out


def _ratio_rows(table: pd.DataFrame) -> dict[str, Any]:
    from mhtrain.errors import MhtrainError
    from mhtrain.stats import dsr_ratio, rate_ratio

    try:
        crude = rate_ratio(table, group="group", reference="White").set_index("group")
        dsr = dsr_ratio(table, group="group", reference="White", age="age_band").set_index("group")
    except (MhtrainError, KeyError, ValueError):
        return {}  # too few records for a comparison (tiny datasets)
    out = {}
    for group in [g for g in BROAD_GROUPS if g != "White" and g in crude.index]:
        row = {
            "crude": _r(crude.loc[group, "rate_ratio"]),
            "crude_ci": [_r(crude.loc[group, "ratio_lower"]), _r(crude.loc[group, "ratio_upper"])],
        }
        ratio_col = next(c for c in dsr.columns if c.endswith("ratio") and "lower" not in c)
        if group in dsr.index:
            row["age_standardised"] = _r(dsr.loc[group, ratio_col])
            lower = next(c for c in dsr.columns if "lower" in c)
            upper = next(c for c in dsr.columns if "upper" in c)
            row["age_standardised_ci"] = [_r(dsr.loc[group, lower]), _r(dsr.loc[group, upper])]
        out[group] = row
    return out


def build_truth(dataset, sc) -> dict[str, Any]:
    """Assemble the truth record of a generated dataset."""
    from mhtrain.synth import prepare

    _, joint = prepare(sc)
    tt = dataset.tables["talking_therapies"]
    eligible = tt[tt.finished_treatment & tt.caseness_first]
    people = dataset.tables["people"]
    areas = dataset.tables["areas"].set_index("area_code").provider_code
    missing = people.ethnic_category.isin(
        [code_for("ethnic_category", "not_stated"), code_for("ethnic_category", "not_known")]
    )
    older_from = int(sc.p("talking_therapies.older_ages")[0])
    truth: dict[str, Any] = {
        "about": (
            "What the generator planted (planted), what the model implies for a whole "
            "population (expected) and what this sample shows (realised)."
        ),
        "planted": {k: sc.calibrated[k] for k in sorted(sc.calibrated)},
        "planted_effects": {
            "detention_ethnic_factor": sc.p("detention.ethnic_factor"),
            "detention_deprivation_ratio": sc.p("detention.deprivation_ratio"),
            "tt_recovery_ethnic_log_odds": sc.p("talking_therapies.recovery_ethnic_log_odds"),
            "tt_recovery_age_log_odds": sc.p("talking_therapies.recovery_age_log_odds"),
            "tt_recovery_deprivation_log_odds": sc.p(
                "talking_therapies.recovery_deprivation_log_odds"
            ),
            "tt_finishing_by_imd_decile": sc.p("talking_therapies.finishing_by_imd_decile"),
            "tt_finishing_by_broad_group": sc.p("talking_therapies.finishing_by_broad_group"),
            "wait_deprivation_ratio": sc.p("referrals.wait_deprivation_ratio"),
            "police_route_ethnic_factor": sc.p("referrals.police_route_ethnic_factor"),
        },
        "expected": {"detention_rate_ratio_black_white": expected_detention_ratios(sc, joint)},
        "targets": realism.measure_targets(dataset, sc),
        "detention": {
            "rate_ratio_vs_white_recorded": _ratio_rows(realism.detention_table(dataset)),
        },
        "talking_therapies": {
            "recovery_by_imd_decile": {
                str(int(k)): _r(v)
                for k, v in eligible.groupby("imd_decile").recovered.mean().items()
            },
            "recovery_by_broad_group": {
                k: _r(v)
                for k, v in eligible.groupby(realism.broad_group(eligible.ethnic_category))
                .recovered.mean()
                .items()
            },
            "recovery_65_plus": _r(eligible.recovered[eligible.age >= older_from].mean()),
            "recovery_under_65": _r(eligible.recovered[eligible.age < older_from].mean()),
        },
        "recording": {
            "ethnicity_missing_share": _r(missing.mean()),
            "ethnicity_missing_share_by_provider": {
                k: _r(v) for k, v in missing.groupby(people.area_code.map(areas)).mean().items()
            },
        },
    }
    if "facts" in dataset.extra and len(dataset.extra["facts"].get("true_eth", [])):
        truth["detention"]["rate_ratio_vs_white_true_ethnicity"] = _ratio_rows(
            realism.detention_table(dataset, use_true_ethnicity=True)
        )
    if "smi_register" in dataset.tables:
        from mhtrain.synth.physical import physical_truth

        truth["physical_health"] = physical_truth(dataset, sc)
    return truth
