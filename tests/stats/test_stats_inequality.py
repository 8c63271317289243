"""Tests for the slope index of inequality across deprivation deciles."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from mhtrain.errors import MhtrainError
from mhtrain.stats import slope_index_of_inequality

# The PHEindicatormethods example input DSR_data (Period 2010): quintile populations and
# directly standardised rates with 95% limits.
PHE_DSR_2010 = pd.DataFrame(
    {
        "Quintile": [1, 2, 3, 4, 5],
        "total_pop": [1434002, 1450590, 1453827, 1440980, 1457780],
        "value": [150.2200205, 131.0221747, 127.4954973, 130.494241, 135.4664241],
        "lowercl": [147.3194185, 128.3676972, 125.0421198, 128.2469515, 133.2469515],
        "uppercl": [153.1498241, 133.7051129, 129.975513, 132.7657553, 137.8657553],
    }
)


def deciles(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    population = rng.integers(50_000, 150_000, 10)
    value = 300 - 15 * np.arange(10) + rng.normal(0, 5, 10)  # higher where more deprived
    return pd.DataFrame(
        {
            "imd_decile": np.arange(1, 11),
            "population": population,
            "value": value,
            "se": np.full(10, 4.0),
        }
    )


def midpoints(population: np.ndarray) -> np.ndarray:
    share = population / population.sum()
    return np.cumsum(share) - share / 2


def test_sii_is_the_slope_of_a_population_weighted_regression_on_rank_midpoints():
    data = deciles(1)
    out = slope_index_of_inequality(data, se="se").iloc[0]
    x = sm.add_constant(midpoints(data["population"].to_numpy(float)))
    fit = sm.WLS(data["value"].to_numpy(), x, weights=data["population"].to_numpy()).fit()
    assert out["sii"] == pytest.approx(fit.params[1], rel=1e-10)
    assert out["sii"] < 0  # higher values in more deprived deciles give a negative SII


def test_sii_of_phe_example_data_matches_independent_regression():
    out = slope_index_of_inequality(
        PHE_DSR_2010,
        quantile="Quintile",
        population="total_pop",
        value="value",
        lower="lowercl",
        upper="uppercl",
    ).iloc[0]
    x = sm.add_constant(midpoints(PHE_DSR_2010["total_pop"].to_numpy(float)))
    fit = sm.WLS(PHE_DSR_2010["value"], x, weights=PHE_DSR_2010["total_pop"]).fit()
    assert out["sii"] == pytest.approx(fit.params.iloc[1], rel=1e-10)
    assert out["lower"] < out["sii"] < out["upper"]


def test_a_perfect_line_gives_its_slope_whatever_the_populations():
    pop = np.array([10, 50, 20, 80, 30, 60, 40, 90, 70, 15]) * 1000
    x = midpoints(pop.astype(float))
    data = pd.DataFrame(
        {"imd_decile": range(1, 11), "population": pop, "value": 40 + 25 * x, "se": 1.0}
    )
    assert slope_index_of_inequality(data, se="se").iloc[0]["sii"] == pytest.approx(25)


def test_analytic_limits_propagate_the_decile_standard_errors():
    data = deciles(2)
    out = slope_index_of_inequality(data, se="se", confidence=0.95).iloc[0]
    x = sm.add_constant(midpoints(data["population"].to_numpy(float)))
    w = np.diag(data["population"].to_numpy(float))
    hat = np.linalg.solve(x.T @ w @ x, x.T @ w)[1]  # slope as a weighted sum of values
    se = np.sqrt(np.sum(hat**2 * data["se"].to_numpy() ** 2))
    assert out["upper"] - out["sii"] == pytest.approx(1.959964 * se, rel=1e-6)


def test_simulated_limits_agree_with_analytic_ones_for_normal_errors():
    data = deciles(3)
    analytic = slope_index_of_inequality(data, se="se").iloc[0]
    simulated = slope_index_of_inequality(
        data, se="se", ci_method="simulation", rng=np.random.default_rng(7)
    ).iloc[0]
    assert simulated["sii"] == analytic["sii"]
    width = analytic["upper"] - analytic["lower"]
    assert simulated["lower"] == pytest.approx(analytic["lower"], abs=0.02 * width)
    assert simulated["upper"] == pytest.approx(analytic["upper"], abs=0.02 * width)


def test_simulation_is_reproducible_with_the_same_seed_and_needs_a_generator():
    kw = {"se": "se", "ci_method": "simulation", "repetitions": 5000}
    one = slope_index_of_inequality(deciles(4), rng=np.random.default_rng(1), **kw)
    two = slope_index_of_inequality(deciles(4), rng=np.random.default_rng(1), **kw)
    pd.testing.assert_frame_equal(one, two)
    with pytest.raises(MhtrainError, match="rng"):
        slope_index_of_inequality(deciles(4), **kw)


def test_proportion_limits_are_turned_into_errors_on_the_logit_scale():
    data = deciles(5)
    data["value"] = np.linspace(40, 60, 10)
    data["lo"], data["hi"] = data["value"] - 3, data["value"] + 3
    out = slope_index_of_inequality(data, lower="lo", upper="hi", value_type="proportion")
    assert out.iloc[0]["sii"] > 0
    assert out.iloc[0]["lower"] < out.iloc[0]["sii"] < out.iloc[0]["upper"]


def test_one_sii_per_group():
    data = pd.concat([deciles(6).assign(sex="1"), deciles(7).assign(sex="2")])
    out = slope_index_of_inequality(data, se="se", by="sex")
    assert list(out["sex"]) == ["1", "2"]
    assert out["sii"].notna().all()


def test_missing_decile_gives_nan_with_a_reason():
    data = deciles(8).query("imd_decile != 4")
    out = slope_index_of_inequality(data, se="se").iloc[0]
    assert np.isnan(out["sii"]) and "quantiles" in out["note"]


def test_missing_value_or_zero_population_gives_nan_with_a_reason():
    data = deciles(9)
    data.loc[3, "value"] = np.nan
    assert "missing" in slope_index_of_inequality(data, se="se").iloc[0]["note"]
    data = deciles(9)
    data.loc[3, "population"] = 0
    assert "zero population" in slope_index_of_inequality(data, se="se").iloc[0]["note"]


def test_sii_needs_errors_or_limits():
    with pytest.raises(MhtrainError, match="se="):
        slope_index_of_inequality(deciles(10))
