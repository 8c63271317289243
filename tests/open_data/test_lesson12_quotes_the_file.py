"""Every figure lesson 12 quotes in words matches the shipped NHS England file, so the text
cannot drift from the data (for example when a new year is added)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mhtrain import open_data
from mhtrain.checks import lesson12 as ex
from mhtrain.stats import xmr

LESSON = Path(__file__).resolve().parents[2] / "notebooks" / "12-real-open-data.md"


@pytest.fixture(scope="module")
def text():
    return " ".join(LESSON.read_text(encoding="utf-8").split())


@pytest.fixture(scope="module")
def counts():
    totals = ex.england()[ex.england()["variable_type"] == "Total"]
    return open_data.wide(totals).loc[ex.latest_period()]


def _shown(text, number, fmt):
    return fmt.format(number) in text


def test_the_latest_year_is_the_one_the_text_names(text, counts):
    latest = ex.latest_period()
    assert f"In {latest}, **{counts['referrals_received']:,.0f}** referrals" in text
    assert f"real {latest} figures" in text


def test_england_counts_and_rates_quoted(text, counts):
    for measure in ("referrals_received", "finished_course_treatment", "recovery"):
        assert f"{counts[measure]:,.0f}" in text, measure
    assert f"{counts['not_at_caseness']:,.0f}" in text
    cases = counts["finished_course_treatment"] - counts["not_at_caseness"]
    assert f"{cases:,.0f}" in text
    assert f"= {counts['recovery'] / cases * 100:.2f}%" in text
    assert (
        f"({counts['at_caseness']:,.0f}) gives {counts['recovery'] / counts['at_caseness'] * 100:.2f}%"
        in text
    )
    published = open_data.wide(
        ex.england()[ex.england()["variable_type"] == "Total"], statistic="percentage"
    ).loc[ex.latest_period()]
    assert f"**{published['recovery']:.1f}%** recovered" in text
    assert f"**{published['reliable_recovery']:.1f}%** showed reliable recovery" in text


def test_suppression_figures_quoted(text):
    rows = ex.latest_providers()
    hidden, total = int(rows["suppressed"].sum()), len(rows)
    assert (
        f"{hidden:,} of the {total:,} provider values were hidden: {hidden / total * 100:.1f}%"
        in text
    )


def test_deprivation_figures_quoted(text):
    rates = ex.by_decile()
    least, most = rates[ex.LEAST_DEPRIVED], rates[ex.MOST_DEPRIVED]
    assert f"{least:.1f}% of people from the least deprived tenth" in text
    assert f"against {most:.1f}% from the most deprived tenth" in text
    assert f"a gap of {least - most:.1f}" in text
    assert f"against {least - most:.1f} in the real 2024-25 figures" in text


def test_gap_charts_say_what_the_text_says(text):
    deciles = ex.england()[
        (ex.england()["variable_type"] == ex.DECILES)
        & (ex.england()["measure_name"] == "recovery")
        & (ex.england()["measure_statistic"] == "percentage")
    ].pivot(index="reporting_period", columns="variable_a", values="value")
    gap = deciles[ex.LEAST_DEPRIVED] - deciles[ex.MOST_DEPRIVED]
    chart = xmr(gap, improvement="decrease")
    assert chart.loc["2017-18", "rule"] == "above_limit"
    assert (chart["variation"].iloc[1:] == "common_cause").all()
    assert f"2017-18, at {gap['2017-18']:.1f} points" in text
    later = gap.iloc[1:]
    assert 12 <= later.min() and later.max() <= 15  # "between about 12 and 15 points"

    ethnic = ex.england()[
        (ex.england()["variable_type"] == "Ethnic Group")
        & (ex.england()["variable_b"] == "All")
        & (ex.england()["measure_name"] == "recovery")
        & (ex.england()["measure_statistic"] == "percentage")
    ].pivot(index="reporting_period", columns="variable_a", values="value")
    white_asian = ethnic["White"] - ethnic["Asian or Asian British"]
    assert (white_asian > 0).all()  # "In every year, people from White backgrounds ..."
    assert (xmr(white_asian)["variation"] == "common_cause").all()
    low = white_asian.idxmin()
    assert f"down to {white_asian[low]:.1f} points in {low}" in text
    assert f"back up to {white_asian.iloc[-1]:.1f} points in {white_asian.index[-1]}" in text


def test_recovery_range_quoted(text):
    recovery = ex.recovery_over_time()
    assert 49.5 <= recovery.min() and recovery.max() <= 52.5  # "about 50% and 52%"
    assert "between about 50% and 52%" in text
    assert (
        re.search(r"England's recovery rate shows no\s+signal", text) or "shows no signal" in text
    )
