"""Ethnicity in the records: how it is recorded, and detention effects by detailed ethnic group.

A service records a person's ethnic category with errors: some specific categories are folded
into their broad group's "any other" category (more often in a crisis), a few people are put in
"any other ethnic group", and some are not stated or not known. :func:`recording_matrix` gives the
expected result of those errors as probabilities, so calibration can aim the *recorded* rate of
each detailed group at its published figure; ``records`` draws the same errors person by person.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mhtrain.specload import code_for
from mhtrain.synth.scenario import BROAD_GROUPS, PER_100K, Scenario

# The axes of the population array that are summed away to leave (area, true code):
# (area, decile, ethnic code, age band, sex) without the area and ethnic code.
_DECILE_BAND_SEX_AXES = (1, 3, 4)

#: The "any other ... background" category of each broad group (NHS ethnic category keys).
OTHER_KEY_OF_BROAD = {
    "White": "white_other",
    "Mixed": "mixed_other",
    "Asian": "asian_other",
    "Black": "black_other",
    "Other": "other",
}


def other_code_of_broad() -> dict[str, str]:
    """NHS code of each broad group's "any other" category, e.g. ``{"White": "C", ...}``."""
    return {broad: code_for("ethnic_category", key) for broad, key in OTHER_KEY_OF_BROAD.items()}


def fold_probability(sc: Scenario, *, crisis: bool) -> np.ndarray:
    """Chance that each true category is recorded as its broad group's "any other" category.

    White British people are folded less often (``recording.to_other_white_british``) than
    people in the other specific categories (``recording.to_other_within_group``); both are
    raised in a crisis by ``recording.crisis_fold_factor``. One value per code, in
    ``sc.ethnic_codes`` order (for an "any other" code folding changes nothing).
    """
    white_british = code_for("ethnic_category", "white_british")
    base = np.where(
        np.array(sc.ethnic_codes) == white_british,
        float(sc.p("recording.to_other_white_british")),
        float(sc.p("recording.to_other_within_group")),
    )
    factor = float(sc.p("recording.crisis_fold_factor")) if crisis else 1.0
    return np.minimum(base * factor, 1.0)


def recording_matrix(sc: Scenario, missing: float, *, crisis: bool) -> np.ndarray:
    """Chance that a person of each true category is recorded in each category.

    Parameters
    ----------
    sc
        The scenario.
    missing
        Chance that the ethnicity is recorded as not stated or not known (differs by provider:
        :func:`mhtrain.synth.model.missing_probability`).
    crisis
        Whether the person was first seen in a crisis.

    Returns
    -------
    numpy.ndarray
        Shape (true code, recorded code), both in ``sc.ethnic_codes`` order. Each row sums to
        ``1 - missing``: the rest is recorded as not stated or not known.
    """
    codes = list(sc.ethnic_codes)
    at = {c: i for i, c in enumerate(codes)}
    others = other_code_of_broad()
    other_at = np.array([at[others[BROAD_GROUPS[b]]] for b in sc.broad_index])
    any_other = at[others["Other"]]
    fold = fold_probability(sc, crisis=crisis)
    to_s = float(sc.p("recording.to_any_other"))
    kept = 1.0 - float(missing)
    rows = np.arange(len(codes))
    matrix = np.zeros((len(codes), len(codes)))
    # applied in the order `records` draws them: fold, then "any other ethnic group", then missing
    np.add.at(matrix, (rows, rows), (1 - fold) * (1 - to_s) * kept)
    np.add.at(matrix, (rows, other_at), fold * (1 - to_s) * kept)
    np.add.at(matrix, (rows, np.full(len(codes), any_other)), to_s * kept)
    return matrix


def detailed_effects(sc: Scenario) -> np.ndarray:
    """Detention effect of each detailed group relative to its broad group (``sc.ethnic_codes`` order)."""
    return sc.by_code("detention.detailed_ethnic_effects")


def published_detailed_rates(sc: Scenario) -> dict[str, float]:
    """Published detentions per 100,000 of the detailed groups that have a checked figure."""
    return {c: float(v) for c, v in sc.p("detention.detailed_ethnic_rates").items()}


def expected_recorded_detentions(
    sc: Scenario, joint: np.ndarray, rate: np.ndarray, missing_by_area: np.ndarray
) -> np.ndarray:
    """Expected detentions recorded in each ethnic category (``sc.ethnic_codes`` order).

    ``joint`` is the population (area, decile, ethnic code, band, sex), ``rate`` the detentions
    per resident of each (decile, ethnic code, band, sex) cell, and ``missing_by_area`` each
    area's chance that a detained person's ethnicity is missing. Detained people are recorded
    as first seen in a crisis.
    """
    by_true = (joint * rate[None]).sum(axis=_DECILE_BAND_SEX_AXES)  # (area, true code)
    recorded = np.zeros(len(sc.ethnic_codes))
    for area_det, missing in zip(by_true, missing_by_area, strict=True):
        recorded += area_det @ recording_matrix(sc, float(missing), crisis=True)
    return recorded


def recorded_detention_rates(ds) -> pd.Series:
    """Detentions per 100,000 residents by detailed ethnic category as recorded.

    The numerator counts detentions by the category the service recorded; the denominator is
    the residents who gave that category in the census, as published rates are built.
    """
    people = ds.tables["people"][["person_id", "ethnic_category"]]
    det = ds.tables["mha_detentions"][["person_id"]].merge(people, on="person_id", how="left")
    counts = det.ethnic_category.value_counts()
    residents = ds.tables["population"].groupby("ethnic_category").residents.sum()
    return (counts.reindex(residents.index, fill_value=0) / residents * PER_100K).rename(
        "detentions_per_100k"
    )
