"""Lessons never type a number from the synthetic data by hand, and what their words say about
the shipped course dataset is true of it.

A number worked out from the synthetic data belongs in a worked-answer template
(``{{ smr:.2f }}``), so it cannot drift when the data are made again. Every other number a
lesson types is either a published figure, named with its source in the lesson, or a fixed
part of the lesson (an age limit, a number of minutes or marks): each is listed below. Lesson
12's real figures have their own test, ``tests/open_data/test_lesson12_quotes_the_file.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import mhtrain
from mhtrain.course.lessons import read_lesson

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

_FIELD = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_FENCE = re.compile(r"^(`{3,}).*?^\1\s*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"`[^`]*`")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
# A year, or a financial year such as 2022-23.
_YEAR = re.compile(r"(?<![\w.,])(?:19|20)\d\d(?:-\d\d)?(?!\d|,\d)")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?")

#: Numbers any lesson may type: list items, steps and lesson numbers up to 10.
_SMALL = {str(n) for n in range(11)}

#: For each lesson, the other numbers its text may type, and why each is not from the data.
TYPED: dict[str, dict[str, set[str]]] = {
    "10": {
        "published": {
            "51,312",  # new detentions in England, Mental Health Act Statistics 2022-23
            "56,489,800",  # residents of England, Census 2021
            "56",  # "for 56 million": the same Census 2021 figure, in words
            "228",  # detentions per 100,000 Black people, Ethnicity facts and figures
            "64",  # detentions per 100,000 White people, the same source
            "52,500",  # detentions in 2023-24, MHA Statistics as reported (sources.yaml)
            "52,000",  # detentions in 2024-25, the same
            "18",  # Royal Assent of the Mental Health Act 2025: 18 December 2025
        },
        "fixed": {
            "60",  # minutes the lesson takes
            "100,000",  # rates per 100,000 residents
            "1.5",  # the bounds of the options of Exercise 1b
        },
    },
    "11": {
        "published": {
            "147.9",  # detentions per 100,000, most deprived areas, MHA Statistics 2019-20
            "42.8",  # the same, least deprived areas
            "150.3",  # the same, most deprived, 2024-25 edition as reported (sources.yaml)
            "41.4",  # the same, least deprived, 2024-25
        },
        "fixed": {
            "11",  # the lesson's number
            "15",  # minutes in the plan, and the 15-19 age band
            "20",  # minutes, and marks in the guide to grades
            "25",  # minutes, and the capstone's marks
            "35",  # minutes
            "60",  # minutes
            "90",  # minutes
            "100,000",  # rates per 100,000 residents
            "1,000",  # referrals per 1,000 residents
            "65",  # the age of older people in Question C
            "95",  # 95% confidence intervals
            "250",  # words in the briefing
            "18",  # the services take adults aged 18 and over
            "19",  # the 15-19 age band, and marks in the guide to grades
            "17",  # residents aged 15 to 17
            "14",  # marks in the guide to grades
        },
    },
    "13": {
        "published": {
            "4.9",  # OHID: SMI premature mortality ratio, 2018 to 2020
            "4.6",  # OHID: the same, 2015 to 2017
            "6.6",  # RCPsych from OHID's data: lung disease
            "6.5",  # RCPsych from OHID's data: liver disease
            "535,204",  # RCPsych: adults with a diagnosed SMI in England, March 2023
            "100",  # "about 1 in every 100 residents", from the same figure
        },
        "fixed": {
            "13",  # the lesson's number
            "14",  # Lesson 14
            "75",  # premature death means before 75; and the minutes the lesson takes
            "18",  # adults aged 18 to 74
            "74",
            "15",  # the 15-19 and 70-74 age bands
            "19",
            "70",
            "95",  # 95% confidence intervals
        },
    },
    "14": {
        "published": {
            "1,765",  # young people surveyed, Dekel and others, JMIR Mental Health 2025
            "24",  # the same survey: aged 16 to 24
            "34.3",  # the same survey: would share, among those who contacted services
            "21.6",  # the same survey: among those who had not
            "46",  # young people in the MindKind study, JMIR Formative Research 2024
        },
        "fixed": {
            "14",  # the lesson's number; the fictional study's children aged 14 to 17
            "17",
            "90",  # minutes the lesson takes
            "30",  # minutes the jury takes
            "251",  # section 251 of the NHS Act 2006
            "136",  # section 136 of the Mental Health Act
            "19",  # COVID-19
            "100,000",  # rates per 100,000 residents
            "1,000",  # "a survey of 1,000 people", and rates per 1,000 residents
            "16",  # a parent of a 16-year-old; Gillick competence under 16
            "11",  # Exercise 11
            "12",  # Scotland: a child of 12 or over; Exercise 12
            "40",  # "a record made when someone is 14 may still be used when they are 40"
            "15",  # Exercise 12: a 15-year-old
            "13",  # the age for online services (the Children's code), option c
        },
    },
}


def _lesson_path(number: str, folder: Path = NOTEBOOKS) -> Path:
    (path,) = folder.glob(f"{number}-*.md")
    return path


def _typed_text(number: str, folder: Path) -> list[tuple[str, str]]:
    """The text a lesson types by hand, cell by cell: Markdown and code comments, without
    template fields, code, code spans or link targets."""
    lesson = read_lesson(_lesson_path(number, folder))
    parts = []
    for i, cell in enumerate(lesson.cells):
        if cell.cell_type == "markdown":
            text = _FENCE.sub(" ", cell.source)
        else:
            text = "\n".join(
                line.split("#", 1)[1]
                for line in cell.source.splitlines()
                if "#" in line and not line.lstrip().startswith("###")
            )
        for pattern in (_FIELD, _CODE_SPAN, _LINK_TARGET, _YEAR):
            text = pattern.sub(" ", text)
        parts.append((lesson.where(i), text))
    return parts


def typed_numbers(number: str, folder: Path = NOTEBOOKS) -> dict[str, str]:
    """Each number a lesson types by hand (years left out), with where it first appears."""
    found: dict[str, str] = {}
    for where, text in _typed_text(number, folder):
        for match in _NUMBER.finditer(text):
            context = " ".join(text[max(0, match.start() - 50) : match.end() + 30].split())
            found.setdefault(match.group(), f"{where}: ...{context}...")
    return found


@pytest.mark.parametrize("number", sorted(TYPED))
def test_every_number_a_lesson_types_is_published_or_fixed(number):
    allowed = _SMALL | TYPED[number]["published"] | TYPED[number]["fixed"]
    unknown = {n: where for n, where in typed_numbers(number).items() if n not in allowed}
    assert not unknown, (
        f"lesson {number} types numbers by hand that are not listed as published or fixed: "
        f"{unknown}. A number from the synthetic data goes in a worked-answer template, as "
        "{{ name:.1f }}; a published one or a fixed part of the lesson goes in TYPED here."
    )


def test_the_scan_finds_a_number_typed_about_the_data(tmp_path):
    """Would the scan catch the slip it guards against, in prose and in a comment?"""
    text = _lesson_path("13").read_text(encoding="utf-8")
    slips = text.replace(
        "one year of one area is a small sample",
        "its interval runs from 4.58 to 6.13: one year of one area is a small sample",
    ).replace(
        "# The share of people on the register with all six checks",
        "# About 56 in every 100 people had all six checks. The share",
    )
    assert slips.count("4.58") == 1 and slips.count("About 56") == 1
    (tmp_path / _lesson_path("13").name).write_text(slips, encoding="utf-8")
    found = typed_numbers("13", tmp_path)
    assert {"4.58", "6.13", "56"} <= set(found)
    assert "cell" in found["4.58"] and "4.58 to 6.13" in found["4.58"]


def test_worked_answer_templates_are_not_scanned():
    found = typed_numbers("13")
    assert "240" not in found and "4.57" not in found  # the shipped data's numbers, templated


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
