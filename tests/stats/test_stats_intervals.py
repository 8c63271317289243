"""Tests for confidence limits of counts (exact, Byar, PHE rule) and proportions (Wilson)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from mhtrain.errors import MhtrainError
from mhtrain.stats import poisson_limits
from mhtrain.stats.intervals import byar_limits, exact_poisson_limits, wilson_limits


@pytest.mark.parametrize(
    ("count", "lower", "upper"),
    [(0, 0.0, 3.689), (1, 0.0253, 5.572), (5, 1.624, 11.668), (10, 4.795, 18.390)],
)
def test_exact_limits_match_published_poisson_tables(count, lower, upper):
    """Do exact limits match the classic 95% Poisson tables (Garwood 1936; Ulm 1990)?"""
    lo, hi = exact_poisson_limits(count, 0.95)
    assert float(lo) == pytest.approx(lower, abs=6e-4)
    assert float(hi) == pytest.approx(upper, abs=6e-4)


@pytest.mark.parametrize("confidence", [0.95, 0.998, 0.9])
def test_exact_limits_equal_chi_squared_quantiles(confidence):
    counts = np.array([0, 1, 2, 7, 9, 10, 11, 250, 10_000])
    alpha = 1 - confidence
    lo, hi = exact_poisson_limits(counts, confidence)
    expected_lo = np.where(counts > 0, stats.chi2.ppf(alpha / 2, 2 * np.maximum(counts, 1)) / 2, 0)
    expected_hi = stats.chi2.ppf(1 - alpha / 2, 2 * counts + 2) / 2
    np.testing.assert_allclose(lo, expected_lo, rtol=1e-12)
    np.testing.assert_allclose(hi, expected_hi, rtol=1e-12)


def test_exact_limits_have_stated_tail_probabilities():
    """The upper limit U of O events has P(X <= O | U) = alpha/2, the lower L P(X >= O | L)."""
    counts = np.array([1, 3, 12, 80])
    lo, hi = exact_poisson_limits(counts, 0.95)
    np.testing.assert_allclose(stats.poisson.cdf(counts, hi), 0.025, rtol=1e-8)
    np.testing.assert_allclose(stats.poisson.sf(counts - 1, lo), 0.025, rtol=1e-8)


def test_byar_limits_follow_breslow_and_day_formula():
    counts = np.array([10.0, 65.0, 1045.0])
    z = stats.norm.ppf(0.975)
    lo, hi = byar_limits(counts, 0.95)
    by_hand_lo = [o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3 for o in counts]
    by_hand_hi = [(o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3 for o in counts]
    np.testing.assert_allclose(lo, by_hand_lo, rtol=1e-12)
    np.testing.assert_allclose(hi, by_hand_hi, rtol=1e-12)


def test_byar_is_within_0_2_percent_of_exact_from_10_events():
    """PHE technical guide to confidence intervals (2018): for 95% limits Byar's method is
    within 0.2% of the exact value for numerators of 10 or more."""
    counts = np.arange(10, 5001)
    exact = exact_poisson_limits(counts, 0.95)
    byar = byar_limits(counts, 0.95)
    for b, e in zip(byar, exact, strict=True):
        assert np.max(np.abs(b / e - 1)) < 0.002


def test_phe_rule_uses_exact_below_10_and_byar_from_10():
    table = poisson_limits(pd.Series([0, 3, 9, 10, 400]), method="phe")
    assert list(table["method"]) == ["exact", "exact", "exact", "byar", "byar"]
    exact_lo, exact_hi = exact_poisson_limits([3, 9], 0.95)
    np.testing.assert_allclose(table["lower"].iloc[1:3], exact_lo)
    byar_lo, byar_hi = byar_limits([10, 400], 0.95)
    np.testing.assert_allclose(table["upper"].iloc[3:], byar_hi)


def test_zero_count_has_zero_lower_limit_and_positive_upper():
    table = poisson_limits([0], method="byar")
    assert table.loc[0, "lower"] == 0
    assert table.loc[0, "upper"] > 3


def test_poisson_limits_keep_series_index_and_pass_missing_through():
    counts = pd.Series([4.0, np.nan], index=["a", "b"])
    table = poisson_limits(counts)
    assert list(table.index) == ["a", "b"]
    assert np.isnan(table.loc["b", "upper"])
    assert table.loc["b", "method"] == ""


@pytest.mark.parametrize("bad", [[-1], [2.5], [np.inf]])
def test_poisson_limits_refuse_impossible_counts(bad):
    with pytest.raises(MhtrainError, match="whole numbers"):
        poisson_limits(bad)


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.5])
def test_confidence_must_be_a_proportion(confidence):
    with pytest.raises(MhtrainError, match="confidence"):
        poisson_limits([5], confidence=confidence)


@pytest.mark.parametrize(
    ("x", "n", "lower", "upper"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_1998_worked_examples(x, n, lower, upper):
    """Newcombe (1998), Statistics in Medicine 17:857-872, method 3 (Wilson score)."""
    lo, hi = wilson_limits(x, n, 0.95)
    assert float(lo) == pytest.approx(lower, abs=5e-5)
    assert float(hi) == pytest.approx(upper, abs=5e-5)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_wilson_agrees_with_statsmodels(confidence):
    x = np.array([0, 1, 7, 50, 99, 100, 3000])
    n = np.array([10, 10, 40, 100, 100, 100, 5000])
    lo, hi = wilson_limits(x, n, confidence)
    ref_lo, ref_hi = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    np.testing.assert_allclose(lo, ref_lo, atol=1e-12)
    np.testing.assert_allclose(hi, ref_hi, atol=1e-12)


def test_wilson_limits_of_all_and_none_touch_the_bounds():
    lo, hi = wilson_limits([0, 12], [12, 12])
    assert lo[0] == 0 and hi[1] == 1
    assert 0 < hi[0] < 1 and 0 < lo[1] < 1


def test_wilson_gives_nan_for_zero_denominator():
    lo, hi = wilson_limits([0], [0])
    assert np.isnan(lo[0]) and np.isnan(hi[0])


def test_wilson_refuses_numerator_above_denominator():
    with pytest.raises(MhtrainError, match="numerator"):
        wilson_limits([11], [10])
