"""The planted detention inequality is there to be found in the shipped course dataset."""

from __future__ import annotations

import mhtrain
from mhtrain import stats
from mhtrain.specload import load_scenario
from mhtrain.synth import realism

TARGET = next(
    t for t in load_scenario()["targets"] if t["id"] == "black_white_detention_rate_ratio"
)


def _by_group(data):
    return realism.detention_table(data)


def test_crude_black_white_detention_ratio_is_near_the_published_one_and_clearly_above_1():
    data = mhtrain.load()
    result = stats.rate_ratio(_by_group(data), group="group", reference="White").set_index("group")
    black = result.loc["Black"]
    assert abs(black.rate_ratio / TARGET["value"] - 1) <= 0.15
    assert black.ratio_lower > 1


def test_age_standardised_ratio_agrees_with_the_truth_within_its_interval():
    """Computed with mhtrain.stats from the tables, it brackets the model's true value."""
    data = mhtrain.load()
    result = stats.dsr_ratio(_by_group(data), group="group", reference="White").set_index("group")
    lower = next(c for c in result.columns if "lower" in c)
    upper = next(c for c in result.columns if "upper" in c)
    truth = data.truth["expected"]["detention_rate_ratio_black_white"]["age_standardised"]
    assert result.loc["Black", lower] <= truth <= result.loc["Black", upper]
    recorded = data.truth["detention"]["rate_ratio_vs_white_recorded"]["Black"]
    ratio_col = next(c for c in result.columns if c.endswith("ratio") and "lower" not in c)
    assert (
        result.loc["Black", ratio_col] == recorded["age_standardised"]
        or abs(result.loc["Black", ratio_col] - recorded["age_standardised"]) < 1e-5
    )
