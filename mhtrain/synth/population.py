"""The resident population: a joint distribution over area, deprivation, ethnicity, age and sex."""

from __future__ import annotations

import numpy as np

from mhtrain.synth.scenario import N_DECILES, Scenario

# Numerical settings of the fitting (not modelling figures): most rounds of proportional fitting,
# and the relative and absolute differences from the margins at which a fit has converged.
_IPF_ROUNDS, _JOINT_ROUNDS = 200, 300
_IPF_RTOL, _JOINT_RTOL, _ATOL = 1e-10, 1e-9, 1e-14


def _ipf_2d(
    seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, *, iters: int = _IPF_ROUNDS
) -> np.ndarray:
    """Iterative proportional fitting of a 2-D table to row and column totals."""
    table = seed.astype(float).copy()
    for _ in range(iters):
        table *= (rows / table.sum(axis=1))[:, None]
        table *= (cols / table.sum(axis=0))[None, :]
        if np.allclose(table.sum(axis=1), rows, rtol=_IPF_RTOL, atol=_ATOL):
            break
    return table


def joint_distribution(sc: Scenario) -> np.ndarray:
    """Probability of each cell, shape (area, decile, ethnic code, age band, sex), summing to 1.

    Areas get their deprivation mix from ``area_deprivation_tilt`` and their ethnic mix from
    ``area_diversity`` and each group's ``ethnic_deprivation_tilt``; fitting then restores the
    national margins (even deciles, published ethnic and age shares), so local variety never
    changes the national picture.
    """
    area_share = sc.by_area("area_shares")
    area_share = area_share / area_share.sum()
    deciles = np.arange(1, N_DECILES + 1)
    x = deciles.mean() - deciles
    x = x / x.max()  # +1 for the most deprived decile, -1 for the least
    decile_share = np.full(N_DECILES, 1 / N_DECILES)

    seed_ad = area_share[:, None] * np.exp(sc.by_area("area_deprivation_tilt")[:, None] * x)
    area_decile = _ipf_2d(seed_ad, area_share, decile_share)

    eth_share = sc.by_code("population.ethnic_shares")
    eth_share = eth_share / eth_share.sum()
    minority = np.array([c != "A" for c in sc.ethnic_codes])
    diversity = np.where(minority[None, :], sc.by_area("area_diversity")[:, None], 1.0)
    tilt = np.exp(sc.by_code("population.ethnic_deprivation_tilt")[None, :] * x[:, None])
    ade = area_decile[:, :, None] * eth_share[None, None, :] * diversity[:, None, :] * tilt[None]
    for _ in range(_JOINT_ROUNDS):  # fit margins (area, decile) and (ethnic group)
        ade *= (area_decile / ade.sum(axis=-1))[:, :, None]
        ade *= (eth_share / ade.sum(axis=(0, 1)))[None, None, :]
        if np.allclose(ade.sum(axis=-1), area_decile, rtol=_JOINT_RTOL, atol=_ATOL):
            break

    age_share = sc.by_band("population.age_shares")
    age_share = age_share / age_share.sum()
    pivot = float(sc.p("population.ethnic_age_tilt_pivot_age"))
    z = (pivot - sc.age_mid) / pivot
    seed_eg = (
        eth_share[:, None]
        * age_share[None, :]
        * np.exp(sc.by_code("population.ethnic_age_tilt")[:, None] * z[None, :])
    )
    eth_age = _ipf_2d(seed_eg, eth_share, age_share)
    age_given_eth = eth_age / eth_age.sum(axis=1, keepdims=True)

    female = sc.by_band("population.female_share_by_age")
    sex_given_age = np.stack([1 - female, female], axis=1)  # sex codes "1" male, "2" female

    joint = (
        ade[:, :, :, None, None]
        * age_given_eth[None, None, :, :, None]
        * sex_given_age[None, None, None, :, :]
    )
    return joint / joint.sum()


def draw_area_totals(sc: Scenario, residents: int, rng: np.random.Generator) -> np.ndarray:
    """Residents in each area (a multinomial draw around the areas' shares)."""
    area_share = sc.by_area("area_shares")
    return rng.multinomial(residents, area_share / area_share.sum())


def draw_area_cells(
    joint_area: np.ndarray, n_residents: int, rng: np.random.Generator
) -> np.ndarray:
    """Residents in each (decile, ethnic code, band, sex) cell of one area."""
    flat = joint_area.ravel()
    return rng.multinomial(n_residents, flat / flat.sum()).reshape(joint_area.shape)
