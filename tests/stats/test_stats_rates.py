"""Tests for crude rates, proportions, and rate ratios and differences."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson_2indep

from mhtrain.errors import MhtrainError
from mhtrain.stats import crude_rate, proportion, rate_ratio


@pytest.fixture
def groups():
    return pd.DataFrame(
        {
            "ethnic_group": ["White", "White", "Black", "Black", "Asian", "Mixed"],
            "area": ["A", "B", "A", "B", "A", "A"],
            "detentions": [120, 80, 45, 38, 12, 0],
            "residents": [150_000, 110_000, 12_000, 9_500, 20_000, 6_000],
        }
    )


def test_crude_rate_is_events_over_population_times_multiplier(groups):
    out = crude_rate(groups, events="detentions", population="residents", multiplier=1000)
    np.testing.assert_allclose(out["rate"], groups["detentions"] / groups["residents"] * 1000)


def test_crude_rate_limits_are_exact_below_10_and_byar_from_10(groups):
    out = crude_rate(groups, events="detentions", population="residents")
    x = groups["detentions"].to_numpy(float)
    n = groups["residents"].to_numpy(float)
    z = stats.norm.ppf(0.975)
    byar_hi = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    exact_hi = stats.chi2.ppf(0.975, 2 * x + 2) / 2
    expected = np.where(x < 10, exact_hi, byar_hi) / n * 100_000
    np.testing.assert_allclose(out["upper"], expected, rtol=1e-10)
    assert list(out["method"]) == ["byar"] * 5 + ["exact"]


def test_crude_rate_sums_counts_within_groups(groups):
    out = crude_rate(groups, events="detentions", population="residents", by="ethnic_group")
    white = out.set_index("ethnic_group").loc["White"]
    assert white["detentions"] == 200
    assert white["rate"] == pytest.approx(200 / 260_000 * 100_000)
    assert len(out) == 4


def test_zero_events_give_zero_rate_with_a_real_upper_limit(groups):
    out = crude_rate(groups, events="detentions", population="residents").iloc[-1]
    assert out["rate"] == 0 and out["lower"] == 0
    assert out["upper"] == pytest.approx(stats.chi2.ppf(0.975, 2) / 2 / 6000 * 100_000)


def test_zero_population_gives_nan_with_a_reason():
    out = crude_rate(pd.DataFrame({"events": [0, 3], "population": [0, 0]}))
    assert out["rate"].isna().all() and out["upper"].isna().all()
    assert out["note"].str.contains("population is zero").all()


def test_missing_values_give_nan_not_zero():
    data = pd.DataFrame({"g": ["a", "a", "b"], "events": [3, np.nan, 4], "population": [10, 10, 5]})
    out = crude_rate(data, by="g").set_index("g")
    assert np.isnan(out.loc["a", "rate"])
    assert "missing" in out.loc["a", "note"]
    assert out.loc["b", "rate"] == pytest.approx(80_000)


@pytest.mark.parametrize(("events", "message"), [(-1, "negative"), (2.5, "fractional")])
def test_crude_rate_refuses_impossible_counts(events, message):
    with pytest.raises(MhtrainError, match=message):
        crude_rate(pd.DataFrame({"events": [events], "population": [100]}))


def test_crude_rate_refuses_negative_population():
    with pytest.raises(MhtrainError, match="negative"):
        crude_rate(pd.DataFrame({"events": [1], "population": [-100]}))


def test_crude_rate_names_a_missing_column():
    with pytest.raises(MhtrainError, match="residents"):
        crude_rate(pd.DataFrame({"events": [1]}), population="residents")


def test_crude_rate_refuses_text_counts():
    with pytest.raises(MhtrainError, match="numbers"):
        crude_rate(pd.DataFrame({"events": ["many"], "population": [10]}))


def test_proportion_uses_wilson_limits_on_counts():
    data = pd.DataFrame({"recovered": [81, 0, 15], "finished": [263, 20, 148]})
    out = proportion(data, numerator="recovered", denominator="finished", multiplier=1)
    lo, hi = proportion_confint(data["recovered"], data["finished"], method="wilson")
    np.testing.assert_allclose(out["lower"], lo, atol=1e-12)
    np.testing.assert_allclose(out["upper"], hi, atol=1e-12)
    np.testing.assert_allclose(out["proportion"], data["recovered"] / data["finished"])


def test_proportion_of_records_counts_true_values_and_reports_missing():
    records = pd.DataFrame(
        {
            "group": ["a", "a", "a", "a", "b", "b"],
            "recovered": pd.array([True, False, True, pd.NA, False, False], dtype="boolean"),
        }
    )
    out = proportion(records, numerator="recovered", by="group").set_index("group")
    assert out.loc["a", "recovered"] == 2
    assert out.loc["a", "denominator"] == 3
    assert out.loc["a", "missing"] == 1
    assert out.loc["a", "proportion"] == pytest.approx(200 / 3)
    assert out.loc["b", "proportion"] == 0 and out.loc["b", "lower"] == 0


def test_proportion_of_records_refuses_non_yes_no_values():
    with pytest.raises(MhtrainError, match="true/false"):
        proportion(pd.DataFrame({"score": [3, 9]}), numerator="score")


def test_proportion_refuses_numerator_above_denominator():
    with pytest.raises(MhtrainError, match="larger"):
        proportion(pd.DataFrame({"x": [5], "n": [4]}), numerator="x", denominator="n")


def test_proportion_with_zero_denominator_is_nan_with_note():
    out = proportion(pd.DataFrame({"x": [0], "n": [0]}), numerator="x", denominator="n")
    assert np.isnan(out.loc[0, "proportion"]) and "zero" in out.loc[0, "note"]


def test_rate_ratio_log_limits_agree_with_statsmodels(groups):
    out = rate_ratio(
        groups,
        group="ethnic_group",
        reference="White",
        events="detentions",
        population="residents",
        method="log",
    ).set_index("ethnic_group")
    low, upp = confint_poisson_2indep(83, 21_500, 200, 260_000, method="wald-log")
    assert out.loc["Black", "rate_ratio"] == pytest.approx((83 / 21_500) / (200 / 260_000))
    assert out.loc["Black", "ratio_lower"] == pytest.approx(low, rel=1e-10)
    assert out.loc["Black", "ratio_upper"] == pytest.approx(upp, rel=1e-10)


def test_rate_ratio_exact_limits_invert_the_conditional_binomial(groups):
    out = rate_ratio(
        groups,
        group="ethnic_group",
        reference="White",
        events="detentions",
        population="residents",
        method="exact",
    ).set_index("ethnic_group")
    ci = stats.binomtest(12, 12 + 200).proportion_ci(confidence_level=0.95, method="exact")
    to_ratio = lambda p: p / (1 - p) * 260_000 / 20_000  # noqa: E731
    assert out.loc["Asian", "ratio_lower"] == pytest.approx(to_ratio(ci.low), rel=1e-9)
    assert out.loc["Asian", "ratio_upper"] == pytest.approx(to_ratio(ci.high), rel=1e-9)


def test_rate_ratio_auto_uses_exact_for_small_counts(groups):
    out = rate_ratio(
        groups,
        group="ethnic_group",
        reference="White",
        events="detentions",
        population="residents",
    ).set_index("ethnic_group")
    assert out.loc["Mixed", "method"] == "exact conditional"
    assert out.loc["Black", "method"] == "log"
    # Zero events: a ratio of 0 with a finite upper limit instead of no answer.
    assert out.loc["Mixed", "rate_ratio"] == 0 and 0 < out.loc["Mixed", "ratio_upper"] < np.inf


def test_reference_row_has_ratio_one_and_the_reference_is_a_parameter(groups):
    kw = {"events": "detentions", "population": "residents", "group": "ethnic_group"}
    white = rate_ratio(groups, reference="White", **kw).set_index("ethnic_group")
    black = rate_ratio(groups, reference="Black", **kw).set_index("ethnic_group")
    assert white.loc["White", "rate_ratio"] == 1 and "reference" in white.loc["White", "note"]
    assert black.loc["White", "rate_ratio"] == pytest.approx(1 / white.loc["Black", "rate_ratio"])


def test_rate_difference_limits_follow_mover_from_exact_limits(groups):
    out = rate_ratio(
        groups,
        group="ethnic_group",
        reference="White",
        events="detentions",
        population="residents",
        multiplier=1,
    ).set_index("ethnic_group")
    a, n1, b, n2 = 83, 21_500, 200, 260_000
    l1, u1 = stats.chi2.ppf([0.025, 0.975], [2 * a, 2 * a + 2]) / 2 / n1
    l2, u2 = stats.chi2.ppf([0.025, 0.975], [2 * b, 2 * b + 2]) / 2 / n2
    r1, r2 = a / n1, b / n2
    assert out.loc["Black", "rate_difference"] == pytest.approx(r1 - r2)
    assert out.loc["Black", "difference_lower"] == pytest.approx(
        r1 - r2 - np.hypot(r1 - l1, u2 - r2), rel=1e-10
    )
    assert out.loc["Black", "difference_upper"] == pytest.approx(
        r1 - r2 + np.hypot(u1 - r1, r2 - l2), rel=1e-10
    )


def test_rate_ratio_within_strata_compares_with_that_stratum_reference(groups):
    out = rate_ratio(
        groups,
        group="ethnic_group",
        reference="White",
        events="detentions",
        population="residents",
        by="area",
    ).set_index(["area", "ethnic_group"])
    assert out.loc[("B", "Black"), "rate_ratio"] == pytest.approx((38 / 9500) / (80 / 110_000))


def test_rate_ratio_with_no_reference_events_is_nan_with_note():
    data = pd.DataFrame({"g": ["ref", "other"], "events": [0, 5], "population": [100, 100]})
    out = rate_ratio(data, group="g", reference="ref").set_index("g")
    assert np.isnan(out.loc["other", "rate_ratio"])
    assert "no events" in out.loc["other", "note"]
    assert out.loc["other", "rate_difference"] == pytest.approx(5000)


def test_rate_ratio_refuses_an_unknown_reference(groups):
    with pytest.raises(MhtrainError, match="Chinese"):
        rate_ratio(
            groups,
            group="ethnic_group",
            reference="Chinese",
            events="detentions",
            population="residents",
        )


def test_without_by_each_row_keeps_its_index_and_gets_its_own_value():
    data = pd.DataFrame({"x": [1, 2], "n": [4, 8]}, index=["team a", "team b"])
    out = proportion(data, numerator="x", denominator="n")
    assert list(out.index) == ["team a", "team b"]
    assert out["proportion"].tolist() == [25.0, 25.0]
    assert out.loc["team a", "upper"] > out.loc["team b", "upper"]  # fewer people, wider
