"""Tests for funnel plot control limits and the accessible funnel plot."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mhtrain.errors import MhtrainError
from mhtrain.stats import funnel_limits, funnel_plot, funnel_table

# Rows of the published proportion funnel (baseline 80.642448%), from the Fingertips
# reference implementation's test table testdata_funnel_prop_outputs.csv
# (PHEindicatormethods): population, lower 95%, upper 95%, lower 99.8%, upper 99.8%.
PHE_PROPORTION_FUNNEL = [
    (1, 3.204264, 100, 0, 100),
    (3, 35.933491, 100, 10.150815, 100),
    (18, 62.390093, 98.894803, 51.864359, 100),
    (41, 68.548635, 92.73626, 61.574398, 99.710497),
    (539, 77.306949, 83.977947, 75.38344, 85.901456),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
]

# Rows of the published rate funnel (baseline 116.1720835 per 100,000, three years of data),
# from testdata_funnel_rate_outputs.csv (PHEindicatormethods): events, the one-year population
# where a limit passes through that many events, and the limit there.
PHE_RATE_FUNNEL = [
    ("lower_95", 1, 1598.675694, 20.85059119),
    ("upper_95", 1, 7.264481402, 4588.535848),
    ("lower_99_8", 10, 6924.776769, 48.13632908),
    ("upper_99_8", 10, 849.4639547, 392.4043292),
    ("lower_95", 337, 107590.7057, 104.4080273),
    ("upper_95", 337, 86646.2263, 129.6459617),
    ("lower_99_8", 1360, 424043.2424, 106.9073359),
    ("upper_99_8", 1360, 358342.3275, 126.5084525),
]


@pytest.mark.parametrize("row", PHE_PROPORTION_FUNNEL)
def test_proportion_limits_reproduce_the_fingertips_funnel(row):
    population, lo95, hi95, lo998, hi998 = row
    out = funnel_limits([population], 80.642448, statistic="proportion").iloc[0]
    assert out["lower_95"] == pytest.approx(lo95, abs=2e-6)
    assert out["upper_95"] == pytest.approx(hi95, abs=2e-6)
    assert out["lower_99_8"] == pytest.approx(lo998, abs=2e-6)
    assert out["upper_99_8"] == pytest.approx(hi998, abs=2e-6)


@pytest.mark.parametrize(("column", "events", "population", "limit"), PHE_RATE_FUNNEL)
def test_rate_limits_reproduce_the_fingertips_funnel(column, events, population, limit):
    out = funnel_limits([3 * population], 116.1720835, statistic="rate").iloc[0]
    assert out[column] == pytest.approx(limit, rel=2e-6)


def test_rate_limits_are_exact_poisson_quantiles_at_whole_counts():
    """Where the target count is an exact limit of a whole count O, the control limit is O/n."""
    theta, o = 0.002, 25
    n_lower = stats.chi2.ppf(0.975, 2 * o + 2) / 2 / theta  # target = upper limit of O
    n_upper = stats.chi2.ppf(0.025, 2 * o) / 2 / theta  # target = lower limit of O
    out = funnel_limits([n_lower, n_upper], theta * 100_000, statistic="rate")
    assert out.loc[0, "lower_95"] == pytest.approx(o / n_lower * 100_000, rel=1e-8)
    assert out.loc[1, "upper_95"] == pytest.approx(o / n_upper * 100_000, rel=1e-8)


def test_limits_narrow_as_the_denominator_grows():
    n = np.geomspace(50, 1e6, 40)
    for statistic, target in (("proportion", 30.0), ("rate", 250.0)):
        out = funnel_limits(n, target, statistic=statistic)
        assert (np.diff(out["upper_99_8"]) <= 1e-9).all()
        assert (np.diff(out["lower_99_8"]) >= -1e-9).all()
        assert (out["lower_99_8"] <= out["lower_95"]).all()
        assert (out["upper_95"] <= out["upper_99_8"]).all()
        assert (out["lower_95"] <= target).all() and (out["upper_95"] >= target).all()


def test_funnel_limits_refuse_bad_input():
    with pytest.raises(MhtrainError, match="denominators"):
        funnel_limits([-5], 10)
    with pytest.raises(MhtrainError, match="above"):
        funnel_limits([100], 150, statistic="proportion")
    with pytest.raises(MhtrainError, match="statistic"):
        funnel_limits([100], 10, statistic="mean")


@pytest.fixture
def areas():
    rng = np.random.default_rng(2024)
    population = rng.integers(40_000, 400_000, 15)
    detentions = rng.poisson(population * 0.001)
    detentions[2] = int(population[2] * 0.003)  # clearly high
    return pd.DataFrame(
        {
            "area": [f"Area {i:02d}" for i in range(15)],
            "residents": population,
            "detentions": detentions,
        }
    )


def test_funnel_table_places_each_unit_against_its_limits(areas):
    out = funnel_table(areas, numerator="detentions", denominator="residents", statistic="rate")
    target = areas["detentions"].sum() / areas["residents"].sum() * 100_000
    assert out["target"].iloc[0] == pytest.approx(target)
    assert out.loc[2, "position"] == "above 99.8%"
    inside = (out["value"] >= out["lower_95"]) & (out["value"] <= out["upper_95"])
    assert (out.loc[inside, "position"] == "within").all()


def test_funnel_plot_has_a_finding_title_axis_labels_with_units_and_alt_text(areas):
    fig, alt_text = funnel_plot(
        areas,
        numerator="detentions",
        denominator="residents",
        label="area",
        statistic="rate",
        measure="detention rate",
    )
    ax = fig.axes[0]
    assert ax.get_title() == "1 of 15 areas lies outside the 99.8% limits (1 above)"
    assert ax.get_xlabel() == "Population (people)"
    assert ax.get_ylabel() == "Rate per 100,000 people"
    assert fig.alt_text == alt_text
    assert "Funnel plot of detention rate for 15 areas" in alt_text
    assert "Area 02" in alt_text
    plt.close(fig)


def test_funnel_plot_title_and_labels_can_be_chosen():
    data = pd.DataFrame({"n": [100, 200, 400], "x": [30, 61, 119]})
    fig, alt_text = funnel_plot(
        data,
        numerator="x",
        denominator="n",
        title="Recovery is similar everywhere",
        xlabel="People finishing treatment",
        ylabel="Recovered (%)",
    )
    ax = fig.axes[0]
    assert ax.get_title() == "Recovery is similar everywhere"
    assert ax.get_xlabel() == "People finishing treatment"
    assert ax.get_ylabel() == "Recovered (%)"
    assert "within the 95% limits, 3" in alt_text
    plt.close(fig)


def test_funnel_plot_default_title_says_when_all_units_are_within():
    data = pd.DataFrame({"n": [100, 200, 400], "x": [30, 61, 119]})
    fig, _ = funnel_plot(data, numerator="x", denominator="n", unit_name="teams")
    assert fig.axes[0].get_title() == "All 3 teams lie within the 99.8% limits"
    assert fig.axes[0].get_ylabel() == "Per cent (%)"
    plt.close(fig)


def test_funnel_plot_draws_on_given_axes():
    fig, ax = plt.subplots()
    data = pd.DataFrame({"n": [100, 200, 400], "x": [30, 61, 119]})
    returned, _ = funnel_plot(data, numerator="x", denominator="n", ax=ax)
    assert returned is fig and len(ax.lines) >= 5
    plt.close(fig)


def test_a_unit_with_no_denominator_has_no_value_and_is_not_counted():
    data = pd.DataFrame({"n": [0, 100, 200], "x": [0, 30, 60]})
    table = funnel_table(data, numerator="x", denominator="n")
    assert table.loc[0, "position"] == "no value" and np.isnan(table.loc[0, "value"])
    fig, alt_text = funnel_plot(data, numerator="x", denominator="n")
    assert "percentages for 2 areas" in alt_text
    plt.close(fig)
