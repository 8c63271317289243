"""What the lessons' words say about the shipped course dataset is true of it.

Numbers worked out from the data are never typed by hand (``test_typed_numbers.py``); the
claims a lesson makes in words ("fewer people in decile 1 ...") are checked here against the
shipped data, so a change to the data that makes a sentence untrue fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import mhtrain

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _lesson_path(number: str) -> Path:
    (path,) = NOTEBOOKS.glob(f"{number}-*.md")
    return path


# ------------------------------------------------------------------------------------------
# Lesson 13: what its words say about the shipped data
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data():
    return mhtrain.load()


@pytest.fixture(scope="module")
def text13():
    return " ".join(_lesson_path("13").read_text(encoding="utf-8").split())


def test_lesson13_single_checks_are_more_common_and_ranked_as_it_says(data, text13):
    register = data.smi_register
    done = register.filter(like="_date").drop(columns="registered_date").notna().mean()
    assert (done > register["all_six_checks"].mean()).all()  # "Each single check was more common"
    ranked = list(done.sort_values(ascending=False).index)
    assert set(ranked[:2]) == {"blood_pressure_date", "smoking_date"}
    assert set(ranked[-2:]) <= {"cholesterol_date", "glucose_date"}  # the blood tests
    assert (
        "blood pressure and smoking were checked most often, and the blood tests least often"
        in text13
    )


def test_lesson13_gaps_in_full_checks_go_the_way_it_says(data, text13):
    register = data.smi_register
    by_decile = register.groupby("imd_decile")["all_six_checks"].mean()
    broad = register["ethnic_category"].map(
        mhtrain.codes("ethnic_category").set_index("code")["broad"]
    )
    by_group = register.groupby(broad)["all_six_checks"].mean()
    assert by_decile.loc[10] - by_decile.loc[1] > 0.02  # a, and "more than 2 points" (not c)
    assert by_group["Black"] < by_group["White"]
    assert "Fewer people in decile 1 had all six checks" in text13
    assert "People from Black groups" in text13 and "also had full checks less often" in text13


def test_lesson13_unusable_numbers_are_commoner_in_deprived_areas(data, text13):
    from mhtrain.synth.ids import is_valid_nhs_number

    number = data.deaths["nhs_number"]
    unusable = number.isna() | ~is_valid_nhs_number(number.fillna("").to_numpy())
    share = unusable.groupby(data.deaths["imd_decile"]).mean()
    assert share.loc[1] > share.loc[10]
    assert share.loc[[1, 2, 3]].mean() > share.loc[[8, 9, 10]].mean()
    assert "Records from the most deprived areas are unusable more often" in text13


def test_lesson13_linkage_claims_hold(data, text13):
    truth = data.truth["physical_health"]
    linkage = truth["linkage"]
    mortality = truth["premature_mortality"]
    assert linkage["register_deaths_linked"] < linkage["register_deaths"]  # "lower than the truth"
    assert linkage["register_deaths_missed"] > linkage["false_links"]  # "nearly all ... same way"
    missed = linkage["missed_share_by_broad_group"]
    assert missed["Black"] > missed["White"]  # "fall more often on ethnic minority groups"
    assert "It is lower than the truth" in text13
    assert "nearly all of them push the same way" in text13
    # "Our reference is everyone ... which pulls the ratio down a little."
    assert mortality["true_vs_without_smi"]["ratio"] > mortality["true_vs_everyone"]["ratio"]
    assert "which pulls the ratio down a little" in text13


def test_lesson13_published_ratio_lies_in_the_interval_as_it_says(data, text13):
    mortality = data.truth["physical_health"]["premature_mortality"]
    published = mortality["planted_ratio_vs_without_smi"]
    without = mortality["true_vs_without_smi"]
    assert without["lower"] <= published <= without["upper"]
    assert (
        f"In the course dataset, OHID's published {published:g} lies inside the confidence "
        "interval printed above" in text13
    )


def test_lesson13_smr_lower_limit_is_well_above_one(data, text13):
    from mhtrain.checks import lesson13 as ex

    assert ex.q4b.expected(data=data) > 2
    assert "even its lower limit is well above 1" in text13


def test_lesson13_register_is_about_one_in_a_hundred_residents(data, text13):
    share = len(data.smi_register) / data.population["residents"].sum()
    assert 0.0075 <= share <= 0.0125
    assert "about 1 in every 100 residents" in text13


# ------------------------------------------------------------------------------------------
# Lesson 12: what it says about the synthetic data beside the real figures
# ------------------------------------------------------------------------------------------


def test_lesson12_synthetic_gap_is_as_it_says(data):
    from mhtrain.checks import lesson12 as ex
    from mhtrain.specload import load_scenario

    text = " ".join(_lesson_path("12").read_text(encoding="utf-8").split())
    synthetic = ex.synthetic_recovery_by_decile(data)
    real = ex.by_decile()
    synthetic_gap = synthetic.loc[10] - synthetic.loc[1]  # decile 1 is the most deprived here
    real_gap = real[ex.LEAST_DEPRIVED] - real[ex.MOST_DEPRIVED]
    assert synthetic_gap > real_gap > 0  # "both show recovery rising", "a little wider"
    assert synthetic_gap - real_gap < 5
    assert "comes out a little wider in the synthetic data" in text
    # "planted with the published rates for 2023-24, a year earlier"
    planted = load_scenario("default")["talking_therapies"]["recovery_by_imd_decile"]
    assert planted["source"].endswith("2023_24")
    assert "planted with the published rates for 2023-24, a year earlier" in text
    assert ex.latest_period() == "2024-25"


def test_lesson12_recovery_from_the_counts_rounds_to_the_published_rate():
    """Exercise 3's worked answer says the rate from the counts, rounded, is the published one."""
    from mhtrain import open_data
    from mhtrain.checks import lesson12 as ex

    text = " ".join(_lesson_path("12").read_text(encoding="utf-8").split())
    totals = ex.england()[ex.england()["variable_type"] == "Total"]
    counts = open_data.wide(totals, statistic="count").loc[ex.latest_period()]
    published = open_data.wide(totals, statistic="percentage").loc[ex.latest_period()]
    cases = counts["finished_course_treatment"] - counts["not_at_caseness"]
    assert round(counts["recovery"] / cases * 100, 1) == published["recovery"]
    assert "Rounded to one decimal place, it is the published rate" in text


def test_lesson12_reading_answers_hold_for_the_shipped_file():
    """Exercises 8 and 10: every yearly point inside the limits; chance would put fewer than
    one provider outside the 99.8% limits, far fewer than the plot shows."""
    from mhtrain import stats
    from mhtrain.checks import lesson12 as ex

    text = " ".join(_lesson_path("12").read_text(encoding="utf-8").split())
    chart = stats.xmr(ex.recovery_over_time(), improvement="increase")
    assert (chart["variation"] == "common_cause").all()
    assert "Every yearly point, from" in text
    funnel = stats.funnel_table(
        ex.provider_funnel_table(), numerator="recovery", denominator="cases"
    )
    assert len(funnel) * 0.002 < 1
    outside = funnel["position"].isin(["above 99.8%", "below 99.8%"]).sum()
    assert outside > 10 * len(funnel) * 0.002
    assert "chance alone would put fewer than one provider in" in text


# ------------------------------------------------------------------------------------------
# Lesson 14: what its words say about who is alone in the shipped data
# ------------------------------------------------------------------------------------------


def test_lesson14_who_is_alone_is_as_it_says(data):
    from mhtrain.checks import lesson14 as ex

    text = " ".join(_lesson_path("14").read_text(encoding="utf-8").split())
    people = ex.with_broad_group(data.people)
    risk = ex.risk_table(
        people,
        [
            ["age_band", "sex"],
            ex.THREE_FIELDS,
            ex.FOUR_FIELDS,
            ["age_band", "sex", "area_code", "ethnic_category"],
        ],
    )
    alone, small = risk["people alone"].to_numpy(), risk["people in small groups"].to_numpy()
    assert alone[0] == alone[1] == 0  # "in the course data no one is alone"
    assert "Adding the area makes them smaller, but in the course data no one is alone" in text
    assert alone[2] > 0 and small[2] > 2 * alone[2]  # "some ... alone", "many more ... < 8"
    assert alone[3] > alone[2]  # "With the detailed ethnic category, more people again are alone"
    assert "With the detailed ethnic category, more people again are alone" in text

    detained = ex.detained_people(data)
    linked = ex.risk_table(detained, [ex.FOUR_FIELDS, ex.WITH_MONTH])
    assert linked["percent alone"].iloc[-1] > 90  # "nearly everyone detained is alone"
    assert "nearly everyone detained is alone in their group" in text
    assert len(detained) < len(people) / 10  # "Far fewer people are detained than are in contact"
    assert "Far fewer people are detained than are in contact with services" in text


def test_lesson14_a_survey_of_a_thousand_would_find_few_detentions(data):
    per_1000 = len(data.mha_detentions) / data.population["residents"].sum() * 1000
    assert per_1000 < 5  # "a survey of 1,000 people would find very few people who had been"
    text = " ".join(_lesson_path("14").read_text(encoding="utf-8").split())
    assert "A survey of 1,000 people would find very few people who had been detained" in text
