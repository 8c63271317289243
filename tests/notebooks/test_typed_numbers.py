"""Lessons never type by hand a number worked out from the synthetic data.

A number from the synthetic data belongs in a worked-answer template (``{{ smr:.2f }}``), so it
cannot drift when the data are made again, and cannot give an answer away. Two checks read the
same hand-typed text of each lesson (its Markdown without template fields, and its code
comments). In lessons 10, 11, 13 and 14 every number typed is a published figure, named with its
source in the lesson, or a fixed part of the lesson (an age limit, a number of minutes or
marks), each listed below; every other lesson types no figure that one of its exercises works
out from the course data. Lesson 12's real figures have their own test,
``tests/open_data/test_lesson12_quotes_the_file.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import mhtrain
from mhtrain.checks import NumberExercise, TableExercise
from mhtrain.course.lessons import Lesson, lesson_id, lesson_sources, read_lesson

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

_FIELD = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_FENCE = re.compile(r"^(`{3,}).*?^\1\s*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"`[^`]*`")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
# A year, or a financial year such as 2022-23.
_YEAR = re.compile(r"(?<![\w.,])(?:19|20)\d\d(?:-\d\d)?(?!\d|,\d)")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?")

#: Published figures a lesson quotes that the synthetic data may happen to give too (the data
#: are calibrated to them), by lesson: these are the source's numbers, not typed answers.
PUBLISHED_ANSWERS = {
    "08": {"50.1"},  # NHS Talking Therapies recovery in England, 2023-24 (NHS England)
}

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


#: The lessons whose answers the figure check looks for: those not held to the stricter list
#: above, except lesson 12, whose answers are the real published file's own figures.
FIGURE_CHECKED = [
    number
    for number in (lesson_id(path)[:2] for path in lesson_sources())
    if number not in TYPED and number != "12"
]


def _lesson_path(number: str, folder: Path = NOTEBOOKS) -> Path:
    (path,) = folder.glob(f"{number}-*.md")
    return path


def typed_text(lesson: Lesson) -> list[tuple[str, str]]:
    """The text a lesson types by hand, cell by cell: Markdown without its template fields,
    and code comments (not nbgrader's ``###`` markers), each with where it stands."""
    parts = []
    for i, cell in enumerate(lesson.cells):
        if cell.cell_type == "markdown":
            text = _FIELD.sub(" ", cell.source)
        else:
            text = "\n".join(
                line.split("#", 1)[1]
                for line in cell.source.splitlines()
                if "#" in line and not line.lstrip().startswith("###")
            )
        parts.append((lesson.where(i), text))
    return parts


# ------------------------------------------------------------------------------------------
# No lesson types a figure its exercises work out from the data
# ------------------------------------------------------------------------------------------


def _spellings(value: float, quantity: str) -> set[str]:
    """The ways a lesson might type ``value`` by hand: the roundings its answers are shown at.

    Whole numbers under 10, and whole numbers of days or counts under 100, are left out: they
    are too common in ordinary sentences ("28 days", "2 people") to point to an answer.
    """
    found: set[str] = set()
    whole = value == round(value)
    if quantity == "percentage":
        found |= {f"{value:.1f}", f"{value:.2f}", f"{value / 100:.2f}", f"{value / 100:.3f}"}
        if value >= 10:
            found.add(f"{value:.0f}%")
    elif whole:
        if abs(value) >= 100 or (quantity not in {"count", "days"} and abs(value) >= 10):
            found |= {f"{value:.0f}", f"{value:,.0f}"}
    else:
        found |= {f"{value:.1f}", f"{value:.2f}"}
    return found


def _typed_in(text: str, spelling: str) -> bool:
    """Whether ``spelling`` stands in ``text`` as a number of its own (not inside a longer one)."""
    return re.search(r"(?<![\d.,])" + re.escape(spelling) + r"(?![\d]|[.,]\d)", text) is not None


def _figures(exercise, data) -> set[str]:
    """The spellings of the numbers an exercise's reference answer holds, from the course data.

    A table's cells are searched only at one and two decimal places: its whole numbers (days,
    counts) and its coarser roundings are too common in ordinary sentences to point to it.
    """
    expected = exercise.expected(data=data)
    if isinstance(exercise, TableExercise):
        cells = pd.to_numeric(pd.Series(expected.to_numpy().ravel()), errors="coerce").dropna()
        return {f"{v:.{dp}f}" for v in cells if v != round(v) for dp in (1, 2)}
    return _spellings(float(expected), exercise.quantity.name)


def test_spellings_cover_the_roundings_a_lesson_shows():
    """Is a percentage found as itself, rounded, and as a proportion, and a count with commas?"""
    assert {"11.9", "11.90", "0.12", "0.119", "12%"} <= _spellings(11.8996, "percentage")
    assert {"7124", "7,124"} <= _spellings(7124.0, "count")
    assert _spellings(28.0, "days") == set()
    assert _typed_in("a proportion such as\n0.12 instead", "0.12")
    assert not _typed_in("a share of 10.12 or 0.125", "0.12")
    assert not _typed_in("version 1.0.12", "0.12")


@pytest.fixture(scope="module")
def data():
    return mhtrain.load()


@pytest.mark.parametrize("number", FIGURE_CHECKED)
def test_no_answer_figure_is_typed_by_hand(number, data):
    lesson = read_lesson(_lesson_path(number))
    text = typed_text(lesson)
    found = []
    for exercise in lesson.exercises().values():
        if not isinstance(exercise, NumberExercise | TableExercise):
            continue
        for spelling in sorted(_figures(exercise, data) - PUBLISHED_ANSWERS.get(number, set())):
            found += [
                f"{exercise.id} ({spelling}) in {where}"
                for where, t in text
                if _typed_in(t, spelling)
            ]
    assert not found, (
        "figures from the course data typed by hand: "
        + "; ".join(found)
        + ". Put the number in a worked-answer template, or say it in words"
    )


def test_the_figure_check_finds_an_answer_typed_in_prose_and_in_a_comment(tmp_path, data):
    """Would it catch a lesson that gives Exercise 1's answer away, in words or in a comment?"""
    from mhtrain.checks import lesson05 as ex

    spelling = f"{ex.q1.expected(data=data):.1f}"
    text = _lesson_path("05").read_text(encoding="utf-8")
    slips = text.replace("## Key points", f"The answer is {spelling}.\n\n## Key points", 1)
    assert slips != text
    (tmp_path / _lesson_path("05").name).write_text(slips, encoding="utf-8")
    lesson = read_lesson(_lesson_path("05", tmp_path))
    assert any(_typed_in(t, spelling) for _, t in typed_text(lesson))


# ------------------------------------------------------------------------------------------
# Lessons 10 to 14: every number typed is published or a fixed part of the lesson
# ------------------------------------------------------------------------------------------


def typed_numbers(number: str, folder: Path = NOTEBOOKS) -> dict[str, str]:
    """Each number a lesson types in words (years, code, code spans and link targets left
    out), with where it first appears."""
    found: dict[str, str] = {}
    for where, text in typed_text(read_lesson(_lesson_path(number, folder))):
        for pattern in (_FENCE, _CODE_SPAN, _LINK_TARGET, _YEAR):
            text = pattern.sub(" ", text)
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
