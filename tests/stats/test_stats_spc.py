"""XmR charts in the Making Data Count style, checked against NHSRplotthedots' published
expected values and against hand-worked examples of each special cause rule."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from mhtrain import stats
from mhtrain.errors import MhtrainError
from mhtrain.stats.spc import xmr, xmr_alt_text, xmr_plot, xmr_summary

# R's set.seed(123); rnorm(20): the data of NHSRplotthedots' own tests
# (tests/testthat/test-ptd_spc_standard.R and test-ptd_spc.R).
R_SEED_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774,
    1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
    1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113,
    1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


def _first(table, column):
    return float(table[column].iloc[0])


def test_mean_and_limits_match_nhsrplotthedots_snapshot():
    """NHSRplotthedots tests/testthat/_snaps/ptd_spc_standard.md, result r1."""
    table = xmr(R_SEED_123)
    assert _first(table, "mean") == pytest.approx(0.1416238, abs=1e-7)
    assert _first(table, "lower_limit") == pytest.approx(-3.01138, abs=1e-5)
    assert _first(table, "upper_limit") == pytest.approx(3.294627, abs=1e-6)
    # relative_to_mean of the first 15 points, from the same snapshot
    side = np.sign(table["value"] - table["mean"]).astype(int).tolist()[:15]
    assert side == [-1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1]
    assert set(table["variation"]) == {"common_cause"}


def test_a_large_moving_range_is_screened_out_before_the_limits_are_set():
    """Same snapshot file, results r2 (screen_outliers = TRUE) and r3 (FALSE): y[15] = 10."""
    values = list(R_SEED_123)
    values[14] = 10
    screened = xmr(values)
    assert _first(screened, "mean") == pytest.approx(0.6694159, abs=1e-7)
    assert _first(screened, "lower_limit") == pytest.approx(-2.383666, abs=1e-6)
    assert _first(screened, "upper_limit") == pytest.approx(3.722497, abs=1e-6)
    unscreened = xmr(values, screen_outliers=False)
    assert _first(unscreened, "lower_limit") == pytest.approx(-4.596625, abs=1e-6)
    assert _first(unscreened, "upper_limit") == pytest.approx(5.935457, abs=1e-6)
    assert screened.loc[14, "rule"] == "above_limit"


def test_a_rebase_works_out_each_period_afresh_like_nhsrplotthedots_facets():
    """NHSRplotthedots tests/testthat/_snaps/ptd_spc.md, summary s3: the first and last ten
    points as two groups (means 0.0746 and 0.209; limits -2.60 to 2.75 and -3.28 to 3.70)."""
    summary = xmr_summary(xmr(R_SEED_123, rebase=[10]))
    assert summary["mean"].round(4).tolist() == [0.0746, 0.2086]
    assert summary["lower_limit"].round(2).tolist() == [-2.60, -3.28]
    assert summary["upper_limit"].round(2).tolist() == [2.75, 3.70]
    assert summary["points"].tolist() == [10, 10]
    assert summary["common_cause"].tolist() == [10, 10]


def test_fixing_the_limits_after_a_baseline_changes_them_and_judges_later_points():
    """NHSRplotthedots test-ptd_spc_standard.R: fix_after_n_points = 12 changes the limits."""
    fixed = xmr(R_SEED_123, fix_after=12)
    base = np.array(R_SEED_123[:12])
    assert _first(fixed, "mean") == pytest.approx(base.mean())
    mean_range = np.abs(np.diff(base)).mean()
    assert _first(fixed, "upper_limit") == pytest.approx(base.mean() + 2.66 * mean_range)
    assert _first(fixed, "upper_limit") != pytest.approx(_first(xmr(R_SEED_123), "upper_limit"))
    assert fixed["moving_range"].iloc[12:].isna().all()


def test_two_points_near_the_limits_on_opposite_sides_are_not_a_signal():
    """NHSRplotthedots test-ptd_spc_standard.R: alternating 1, -1, then 5.5 and -5.5."""
    values = [1, -1] * 8
    values[14], values[15] = 5.5, -5.5
    table = xmr(values)
    assert table["variation"].iloc[-2:].tolist() == ["common_cause", "common_cause"]


def _noisy(middle, *, before=(0, 10, 0, 10, 0, 10), after=(0, 10, 0, 10, 0, 10)):
    """Wide swings around a middle stretch, so the limits are wide and only a rule fires."""
    return [*before, *middle, *after]


def test_seven_rising_points_make_a_trend_and_a_tie_breaks_it():
    """NHSRplotthedots test-ptd_calculate_point_type.R: 1:7 is a trend, c(1:3, 3:6) is not."""
    rising = xmr(_noisy([2, 3, 4, 5, 6, 7, 8]))
    assert rising["rule"].iloc[6:13].tolist() == ["trend_up"] * 7
    assert rising["rule"].iloc[5] == "" and rising["rule"].iloc[13] == ""
    six = xmr(_noisy([2, 3, 4, 5, 6, 7]))
    assert "trend_up" not in set(six["rule"])
    tied = xmr(_noisy([2, 3, 4, 4, 5, 6, 7]))
    assert "trend_up" not in set(tied["rule"])
    falling = xmr(_noisy([8, 7, 6, 5, 4, 3, 2]))
    assert falling["rule"].iloc[6:13].tolist() == ["trend_down"] * 7


def test_seven_points_on_one_side_of_the_mean_make_a_shift_but_six_do_not():
    """test-ptd_calculate_point_type.R: eight points on one side flag all of them."""
    values = [10, 0] * 4 + [6] * 8 + [0, 10] * 4
    table = xmr(values)  # mean about 5.3: the eight 6s sit above it, with 0 on each side
    assert table["rule"].iloc[8:16].tolist() == ["shift_above"] * 8
    assert table["rule"].iloc[7] == "" and table["rule"].iloc[16] == ""
    short = xmr([10, 0] * 4 + [6] * 6 + [0, 10] * 4)
    assert "shift_above" not in set(short["rule"])


def test_two_of_three_near_a_limit_flags_the_near_points_only():
    """test-ptd_calculate_point_type.R: c(1, 0, 1) near and all above the mean flags 1 and 3."""
    values = [0.0, 1.0] * 10
    values[10:13] = [3.3, 0.9, 3.3]  # near the upper limit, then above the mean but not near
    table = xmr(values)
    mean, near, upper = (_first(table, c) for c in ("mean", "near_upper", "upper_limit"))
    assert near < 3.3 < upper and mean < 0.9 < near
    assert table["rule"].iloc[10:13].tolist() == ["two_of_three_high", "", "two_of_three_high"]
    # the same two near points with the middle one below the mean: not all on one side
    values[11] = 0.2
    table = xmr(values)
    assert _first(table, "mean") > 0.2
    assert table["rule"].iloc[10:13].tolist() == ["", "", ""]


def test_outside_the_limits_takes_priority_over_every_other_rule():
    values = _noisy([2, 3, 4, 5, 6, 7, 40])
    table = xmr(values)
    assert table["rule"].iloc[12] == "above_limit"
    assert table["rule"].iloc[11] == "trend_up"


def test_improvement_direction_decides_improvement_or_concern():
    values = [*([0, 10] * 6), 60]
    up = xmr(values, improvement="increase")["variation"].iloc[-1]
    down = xmr(values, improvement="decrease")["variation"].iloc[-1]
    neutral = xmr(values, improvement="neutral")["variation"].iloc[-1]
    assert (up, down, neutral) == (
        "special_cause_improvement",
        "special_cause_concern",
        "special_cause_neutral_high",
    )


@pytest.mark.parametrize(
    ("improvement", "expected"),
    [
        ("increase", ["consistent_fail", "consistent_pass", "inconsistent"]),
        ("decrease", ["consistent_pass", "consistent_fail", "inconsistent"]),
    ],
)
def test_assurance_against_a_target_follows_nhsrplotthedots(improvement, expected):
    """test-ptd_calculate_assurance_type.R: limits 1-3, 5-7 and 1-5 against a target of 4."""
    got = []
    for low, high in ((1, 3), (5, 7), (1, 5)):
        centre, half = (low + high) / 2, (high - low) / 2
        step = half / 2.66  # alternate so the mean moving range is exactly `step`
        values = [centre - step / 2, centre + step / 2] * 6
        table = xmr(values, improvement=improvement, target=4)
        assert _first(table, "upper_limit") == pytest.approx(high)
        got.append(table["assurance"].iloc[-1])
    assert got == expected


def test_england_recovery_2017_18_to_2024_25_shows_no_signal():
    """The lesson's chart: England recovery (NHS England annual reports) is common cause."""
    years = ["2017-18", "2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]
    recovery = pd.Series([50.8, 52.1, 51.1, 51.4, 50.2, 49.9, 50.1, 50.5], index=years)
    table = xmr(recovery)
    assert set(table["variation"]) == {"common_cause"}
    assert table["few_points"].all()
    assert _first(table, "mean") == pytest.approx(50.7625)


def test_plot_states_the_finding_and_describes_itself_from_the_data():
    years = [f"{y}-{str(y + 1)[2:]}" for y in range(2017, 2025)]
    gap = pd.Series([17.1, 14.9, 14.8, 13.9, 12.4, 13.6, 13.8, 13.4], index=years)
    table = xmr(gap, improvement="decrease")
    fig = xmr_plot(table, measure="the deprivation gap", units=" points")
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == (
        "The deprivation gap: 1 of 8 points signal special cause (1 concern)"
    )
    alt = fig.alt_text
    assert "2017-18 (17.1 points) is above the upper process limit" in alt
    assert "Mean 14.2 points" in alt and "11.8 points to 16.7 points" in alt
    assert "fewer than 13 points" in alt
    assert alt == xmr_alt_text(table, measure="the deprivation gap", units=" points")
    markers = {tuple(np.round(c.get_paths()[0].vertices[:3].ravel(), 3)) for c in ax.collections}
    assert len(markers) == 2  # common cause and concern have different shapes
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_plot_of_a_stable_process_says_so():
    fig = xmr_plot(xmr(R_SEED_123), measure="simulated values")
    assert "all 20 points show common cause variation" in fig.axes[0].get_title(loc="left")
    assert "Every point is within the limits" in fig.alt_text
    import matplotlib.pyplot as plt

    plt.close(fig)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": [1.0, np.nan, 2.0]}, "missing points"),
        ({"values": ["a", "b"]}, "must be numbers"),
        ({"values": [1.0]}, "at least 2 points"),
        ({"values": [1.0, 2.0, 3.0], "improvement": "up"}, "improvement must be one of"),
        ({"values": [1.0, 2.0, 3.0], "rebase": [7]}, "rebase point 7 is not in the index"),
        ({"values": [1.0, 2.0, 3.0], "fix_after": 1}, "fix_after must be a whole number"),
        ({"values": [1.0, 2.0, 3.0, 4.0], "rebase": [3]}, "at least 2 points to set"),
        ({"values": pd.DataFrame({"a": [1, 2]})}, "not a whole table"),
    ],
)
def test_bad_input_gets_one_clear_line(kwargs, message):
    values = kwargs.pop("values")
    with pytest.raises(MhtrainError, match=message):
        xmr(values, **kwargs)


def test_xmr_is_exported_from_stats():
    assert stats.xmr is xmr and stats.xmr_plot is xmr_plot


def test_a_peak_between_a_rising_and_a_falling_trend_takes_the_falling_side():
    """NHSRplotthedots: a point in two trends takes the direction of the step after it."""
    values = _noisy([1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1])
    rules = xmr(values)["rule"].iloc[6:19].tolist()
    assert rules == ["trend_up"] * 6 + ["trend_down"] * 7


def test_low_side_rules_mirror_the_high_side():
    values = [10, 0] * 4 + [4] * 8 + [0, 10] * 4
    table = xmr(values, improvement="neutral")
    assert table["rule"].iloc[8:16].tolist() == ["shift_below"] * 8
    assert set(table["variation"].iloc[8:16]) == {"special_cause_neutral_low"}
    mirrored = [-v for v in [0.0, 1.0] * 10]
    mirrored[10:13] = [-3.3, -0.9, -3.3]
    assert xmr(mirrored)["rule"].iloc[10:13].tolist() == [
        "two_of_three_low",
        "",
        "two_of_three_low",
    ]


def test_rebase_by_label_splits_a_series_of_years():
    years = [f"{y}-{str(y + 1)[2:]}" for y in range(2010, 2024)]
    values = pd.Series([10, 11, 10, 12, 11, 10, 11, 20, 21, 20, 22, 21, 20, 21], index=years)
    table = xmr(values, rebase=["2017-18"])
    assert table["period"].tolist() == [0] * 7 + [1] * 7
    summary = xmr_summary(table)
    assert summary["mean"].round(3).tolist() == [
        round(values.iloc[:7].mean(), 3),
        round(values.iloc[7:].mean(), 3),
    ]
    # without the rebase, the jump is a signal; with it, each period is stable
    assert (xmr(values)["variation"] != "common_cause").any()
    assert (table["variation"] == "common_cause").all()
    fig = xmr_plot(table, measure="a made-up count")
    assert "From 2017-18: Mean 20.7" in fig.alt_text
    import matplotlib.pyplot as plt

    plt.close(fig)
