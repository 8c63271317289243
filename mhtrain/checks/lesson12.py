"""Checks for lesson 12, Real open data: NHS Talking Therapies' published annual figures.

The right answers come from the real published file the course ships
(:mod:`mhtrain.open_data`), not from the learner's synthetic dataset.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import pandas as pd

from mhtrain import open_data
from mhtrain.checks import (
    ChoiceExercise,
    FreeTextExercise,
    Misconception,
    NumberExercise,
    TableExercise,
)
from mhtrain.stats import xmr

DECILES = "Indices of Deprivation Decile"
LEAST_DEPRIVED = "01 Least deprived"
MOST_DEPRIVED = "10 Most deprived"

# --------------------------------------------------------------------------------------------
# The published tables the answers come from.
# --------------------------------------------------------------------------------------------


@cache
def england() -> pd.DataFrame:
    """Return the England rows of the shipped file (every year, breakdown and measure)."""
    return open_data.talking_therapies(org_type="England")


@cache
def _providers(reporting_period: str | None = None) -> pd.DataFrame:
    return open_data.talking_therapies(org_type="Provider", reporting_period=reporting_period)


def latest_period() -> str:
    """Return the latest reporting year in the shipped file, e.g. ``"2024-25"``."""
    return str(england()["reporting_period"].max())


def _rows(
    table: pd.DataFrame,
    *,
    period: str | None = None,
    breakdown: str = "Total",
    measure: str = "recovery",
    statistic: str = "percentage",
) -> pd.DataFrame:
    return table[
        (table["reporting_period"] == (period or latest_period()))
        & (table["variable_type"] == breakdown)
        & (table["measure_name"] == measure)
        & (table["measure_statistic"] == statistic)
    ]


def _england_count(measure: str, period: str | None = None) -> float:
    return float(
        _rows(england(), period=period, measure=measure, statistic="count")["value"].iloc[0]
    )


def latest_providers() -> pd.DataFrame:
    """Return every provider row of the latest year."""
    return _providers(latest_period())


def by_decile(
    *, period: str | None = None, measure: str = "recovery", statistic: str = "percentage"
) -> pd.Series:
    """England's published value for each deprivation decile label, in one year."""
    rows = _rows(england(), period=period, breakdown=DECILES, measure=measure, statistic=statistic)
    return rows.set_index("variable_a")["value"]


def recovery_over_time(measure: str = "recovery") -> pd.Series:
    """England's published percentage for one measure, one value per year."""
    rows = england()
    rows = rows[
        (rows["variable_type"] == "Total")
        & (rows["measure_name"] == measure)
        & (rows["measure_statistic"] == "percentage")
    ]
    return rows.set_index("reporting_period")["value"].sort_index()


def provider_funnel_table() -> pd.DataFrame:
    """Providers in the latest year with the counts a recovery funnel plot needs.

    Providers missing (suppressed) any of the three counts are left out; ``cases`` is the
    recovery denominator, finished treatment minus not at caseness.
    """
    rows = latest_providers()
    counts = open_data.wide(rows[rows["variable_type"] == "Total"], index=["org_code", "org_name"])
    counts = counts.dropna(subset=["recovery", "finished_course_treatment", "not_at_caseness"])
    counts = counts.assign(cases=counts["finished_course_treatment"] - counts["not_at_caseness"])
    return counts.reset_index()


def _proportion_not_percentage(percent: Callable[[Any], float]) -> Misconception:
    """The slip of giving a share of 1 where a percentage is asked for."""
    return Misconception(
        "This looks like a proportion (a share of 1), not a percentage. Multiply by 100.",
        compute=lambda data: percent(data) / 100,
        name="proportion-not-percentage",
    )


# --------------------------------------------------------------------------------------------
# Exercise 1: what kind of data these are.
# --------------------------------------------------------------------------------------------

q1 = ChoiceExercise(
    "q1",
    variable="answer_q1",
    prompt="Which sentence describes the data in this lesson?",
    options={
        "a": "Real statistics published by NHS England: counts and percentages for England, "
        "regions and services, with no individual records.",
        "b": "Synthetic records made by a computer program, like the rest of the course.",
        "c": "Real patient records with the names taken out.",
    },
    answer="a",
    hints=[
        "Look at the first section of the lesson: who made these figures, and what does each "
        "row describe, one person or a whole service?",
    ],
    misconceptions=[
        Misconception(
            "The rest of the course uses synthetic data, but this lesson does not: these are the "
            "figures NHS England itself published.",
            value="b",
            name="thinks-synthetic",
        ),
        Misconception(
            "No row in this file is one person. Each row is a count or a percentage for a whole "
            "organisation and group, so there are no records to take names out of.",
            value="c",
            name="thinks-individual-records",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 2: FAIR.
# --------------------------------------------------------------------------------------------

q2 = ChoiceExercise(
    "q2",
    variable="answer_q2",
    prompt="A clear licence and a record of where the data came from serve which FAIR letter?",
    options={
        "a": "F: findable",
        "b": "A: accessible",
        "c": "I: interoperable",
        "d": "R: reusable",
    },
    answer="d",
    hints=[
        "Ask what a licence and a record of the source let you do once you have the data.",
        "A licence says what you may do with the data; the source says whether you can trust "
        "them for your purpose.",
    ],
    misconceptions=[
        Misconception(
            "Findable is about being able to find the data at all: a catalogue entry, a lasting "
            "web address, a good description. A licence does not help you find anything.",
            value="a",
            name="findable",
        ),
        Misconception(
            "Accessible is about how you get the data once found (a standard way to download "
            "them, and clear access rules). A licence says what you may do with them after that.",
            value="b",
            name="accessible",
        ),
        Misconception(
            "Interoperable is about data working with other data and tools: open file formats "
            "and shared code lists. A licence and a source are about something else.",
            value="c",
            name="interoperable",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 3: England's recovery rate from the published counts.
# --------------------------------------------------------------------------------------------


def _recovery_from_counts(data: Any, denominator: str | None = None) -> float:
    recovered = _england_count("recovery")
    if denominator is None:
        bottom = _england_count("finished_course_treatment") - _england_count("not_at_caseness")
    else:
        bottom = _england_count(denominator)
    return recovered / bottom * 100


q3 = NumberExercise(
    "q3",
    variable="england_recovery",
    prompt="England's recovery rate in the latest year, worked out from the published counts.",
    expected=_recovery_from_counts,
    quantity="percentage",
    hints=[
        "The definitions file says: the referrals that recovered, divided by the referrals "
        "that finished treatment minus those not at caseness at the start.",
        "Use the counts recovery, finished_course_treatment and not_at_caseness from the "
        "table of England's counts.",
        'Write counts["recovery"] / (counts["finished_course_treatment"] - '
        'counts["not_at_caseness"]) * 100.',
    ],
    misconceptions=[
        _proportion_not_percentage(_recovery_from_counts),
        Misconception(
            "Your denominator seems to be every referral received. Recovery is counted only "
            "for referrals that finished treatment and were at caseness at the start.",
            compute=lambda data: _recovery_from_counts(data, "referrals_received"),
            name="denominator-referrals",
        ),
        Misconception(
            "Your denominator seems to be everyone who finished treatment. Take away the "
            "referrals not at caseness at the start: they had nothing to recover from.",
            compute=lambda data: _recovery_from_counts(data, "finished_course_treatment"),
            name="denominator-finished",
        ),
        Misconception(
            "Close, but you divided by the at_caseness count. The definitions file builds the "
            "denominator another way: finished treatment minus not at caseness. The two "
            "differ a little in real data, because some referrals are in neither count.",
            compute=lambda data: _recovery_from_counts(data, "at_caseness"),
            name="denominator-at-caseness",
        ),
        Misconception(
            "This looks like reliable recovery, not recovery. Use the recovery count.",
            compute=lambda data: (
                _england_count("reliable_recovery")
                / (_england_count("finished_course_treatment") - _england_count("not_at_caseness"))
                * 100
            ),
            name="reliable-recovery",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 4: how much is hidden.
# --------------------------------------------------------------------------------------------


def _suppressed_percent(data: Any) -> float:
    return float(latest_providers()["suppressed"].mean() * 100)


q4 = NumberExercise(
    "q4",
    variable="percent_hidden",
    prompt="The percentage of provider values that NHS England suppressed in the latest year.",
    expected=_suppressed_percent,
    quantity="percentage",
    hints=[
        "Start from latest_providers, every provider row of the latest year. The suppressed "
        "column is True where the value was hidden.",
        "The mean of a True/False column is the share that is True. Turn it into a percentage.",
        'Write latest_providers["suppressed"].mean() * 100, or divide the two numbers in the '
        "table and multiply by 100.",
    ],
    misconceptions=[
        _proportion_not_percentage(_suppressed_percent),
        Misconception(
            "This looks like the number of hidden values, not the percentage. Divide by the "
            "number of provider values in the year.",
            compute=lambda data: float(latest_providers()["suppressed"].sum()),
            name="count-not-percentage",
        ),
        Misconception(
            "This looks like the share for every year. The question asks about the latest year "
            "only.",
            compute=lambda data: float(_providers()["suppressed"].mean() * 100),
            name="every-year",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 5: what a star means.
# --------------------------------------------------------------------------------------------

q5 = ChoiceExercise(
    "q5",
    variable="answer_q5",
    prompt="A provider's recovery count for the most deprived decile is '*'. What may you say?",
    options={
        "a": "Nobody from the most deprived decile recovered at that service.",
        "b": "The number was small, or could reveal a small number, so NHS England hid it to "
        "protect privacy. We do not know the value, only that it is not shown.",
        "c": "The service did not record where people live.",
        "d": "The value is zero, so it can be counted as 0 in a total.",
    },
    answer="b",
    hints=[
        "Read the section on suppression again: why does NHS England hide a value?",
        "A hidden value is unknown, not zero.",
    ],
    misconceptions=[
        Misconception(
            "A star does not mean zero people. It means the value was hidden, usually because "
            "it was small. Some people may well have recovered.",
            value="a",
            name="star-means-none",
        ),
        Misconception(
            "Missing records would show up in the 'Not stated/Not known/Invalid' row. A star is "
            "NHS England's own choice to hide a value that was recorded.",
            value="c",
            name="star-means-not-recorded",
        ),
        Misconception(
            "Treating a hidden value as zero makes totals too small, and it can make a service "
            "look as if it treats nobody from a group. Leave it as missing, and say so.",
            value="d",
            name="star-as-zero",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 6: recovery by deprivation decile, as published.
# --------------------------------------------------------------------------------------------

q6 = TableExercise(
    "q6",
    variable="recovery_by_decile",
    prompt="England's published recovery percentage for each deprivation decile, latest year.",
    expected=lambda data: by_decile(),
    quantity="percentage",
    hints=[
        "Start from england. Keep the latest year, the deprivation breakdown, the recovery "
        "measure and the percentage statistic.",
        'The four conditions are reporting_period == latest, variable_type == "Indices of '
        'Deprivation Decile", measure_name == "recovery" and measure_statistic == "percentage". '
        "Combine them with &.",
        'Then .set_index("variable_a")["value"] gives one value per decile label.',
    ],
    misconceptions=[
        Misconception(
            "These look like counts of people who recovered. Keep the rows where "
            'measure_statistic is "percentage".',
            compute=lambda data: by_decile(statistic="count"),
            name="counts-not-percentages",
        ),
        Misconception(
            "These look like reliable recovery, not recovery. Keep the rows where measure_name "
            'is "recovery".',
            compute=lambda data: by_decile(measure="reliable_recovery"),
            name="reliable-recovery",
        ),
        Misconception(
            "These look like another year's figures. Keep the latest year only.",
            compute=lambda data: by_decile(
                period=sorted(england()["reporting_period"].unique())[-2]
            ),
            name="wrong-year",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 7: which end is which.
# --------------------------------------------------------------------------------------------


def _direction(data: Any) -> str:
    rates = by_decile()
    if rates[LEAST_DEPRIVED] > rates[MOST_DEPRIVED]:
        return "a"
    return "b"


q7 = ChoiceExercise(
    "q7",
    variable="answer_q7",
    prompt="In the latest year, how did recovery differ between the least and most deprived "
    "tenths of areas?",
    options={
        "a": "People from the least deprived tenth of areas recovered more often than people "
        "from the most deprived tenth.",
        "b": "People from the most deprived tenth of areas recovered more often than people "
        "from the least deprived tenth.",
        "c": "Recovery was about the same in every decile.",
    },
    answer=_direction,
    hints=[
        "Read the labels, not just the numbers: in this file, which label is the least "
        "deprived, 01 or 10?",
        '"01 Least deprived" is the least deprived tenth; "10 Most deprived" the most deprived.',
    ],
    misconceptions=[
        *(
            Misconception(
                "Check the labels. In this file decile 01 is the least deprived and 10 the most "
                "deprived: the other way round from the usual IMD deciles and from the course's "
                "synthetic data.",
                value=key,
                name="reversed-deciles",
            )
            for key in ("a", "b")
        ),
        Misconception(
            "Look again at the two ends of the table: is the difference between 01 and 10 a "
            "few tenths of a point, or many points?",
            value="c",
            name="no-difference",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 8: signal or noise.
# --------------------------------------------------------------------------------------------


def _recovery_signal(data: Any) -> str:
    chart = xmr(recovery_over_time())
    return "b" if (chart["variation"] == "common_cause").all() else "a"


q8 = ChoiceExercise(
    "q8",
    variable="answer_q8",
    prompt="What does the XmR chart of England's recovery rate say about the change over "
    "eight years?",
    options={
        "a": "At least one point breaks a rule: a signal that something changed.",
        "b": "Every point is within the process limits and no run or trend rule is broken: "
        "the ups and downs look like common cause variation, with no sign of a real change.",
        "c": "The chart proves that nothing about the service changed in eight years.",
    },
    answer=_recovery_signal,
    hints=[
        "Look at the chart's title and the colours and shapes of its points.",
        "Are any points outside the dashed lines? Is there a run of 7 on one side of the mean, "
        "or 7 rising or falling in a row?",
    ],
    misconceptions=[
        *(
            Misconception(
                "Look again at the points against the dashed process limits, and at the four "
                "rules. Does any point break one?",
                value=key,
                name="misread-signal",
            )
            for key in ("a", "b")
        ),
        Misconception(
            "No chart can prove that nothing changed. With only eight points the limits are "
            "rough, and a change can hide inside them. The chart says there is no clear "
            "signal, which is weaker.",
            value="c",
            name="proves-no-change",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 9: the size of the deprivation gap.
# --------------------------------------------------------------------------------------------


def _gap(data: Any, period: str | None = None) -> float:
    rates = by_decile(period=period)
    return float(rates[LEAST_DEPRIVED] - rates[MOST_DEPRIVED])


q9 = NumberExercise(
    "q9",
    variable="deprivation_gap_latest",
    prompt="The gap in recovery between the least and most deprived deciles in the latest "
    "year, in percentage points.",
    expected=_gap,
    quantity="percentage",
    hints=[
        "A gap in percentage points is one percentage take away another.",
        'Use recovery_by_decile: the value for "01 Least deprived" minus the value for '
        '"10 Most deprived".',
    ],
    misconceptions=[
        Misconception(
            "You took the smaller from the larger the other way round, so the gap is negative. "
            "Take the most deprived decile's rate away from the least deprived decile's.",
            compute=lambda data: -_gap(data),
            name="reversed",
        ),
        Misconception(
            "This looks like a ratio (one rate divided by the other). The question asks for a "
            "gap in percentage points: take one rate away from the other.",
            compute=lambda data: float(by_decile()[LEAST_DEPRIVED] / by_decile()[MOST_DEPRIVED]),
            name="ratio-not-gap",
        ),
        Misconception(
            "This looks like another year's gap. Use the latest year.",
            compute=lambda data: _gap(data, sorted(england()["reporting_period"].unique())[-2]),
            name="wrong-year",
        ),
        Misconception(
            "This looks like the gap in the course's synthetic data, not the published one. Use "
            "recovery_by_decile from the real file.",
            compute=lambda data: _synthetic_gap(data),
            name="synthetic-gap",
        ),
    ],
)


def synthetic_recovery_by_decile(data: Any) -> pd.Series:
    """Recovery (%) by IMD decile in the synthetic data (decile 1 = most deprived there)."""
    tt = data.talking_therapies
    cases = tt[tt["finished_treatment"] & tt["caseness_first"]]
    return cases.groupby("imd_decile")["recovered"].mean() * 100


def _synthetic_gap(data: Any) -> float:
    rates = synthetic_recovery_by_decile(data)
    return float(rates.loc[rates.index.max()] - rates.loc[rates.index.min()])


# --------------------------------------------------------------------------------------------
# Exercise 10: what a funnel plot can say.
# --------------------------------------------------------------------------------------------


q10 = ChoiceExercise(
    "q10",
    variable="answer_q10",
    prompt="What can the funnel plot of providers' recovery rates tell you?",
    options={
        "a": "The providers above the upper limit give the best therapy, and those below give "
        "the worst.",
        "b": "Providers outside the limits differ from the England average by more than chance "
        "alone would explain. The plot cannot say why: the people they treat, where they live, "
        "and how data are recorded all differ.",
        "c": "All the differences between providers are down to chance.",
    },
    answer="b",
    hints=[
        "A funnel plot compares each rate with what chance alone would give around the average.",
        "Does the plot know anything about how ill people were at the start, or where they live?",
    ],
    misconceptions=[
        Misconception(
            "The plot only says a rate is further from the average than chance would explain. "
            "It does not know about the people each service treats, so it cannot rank the "
            "quality of therapy.",
            value="a",
            name="league-table",
        ),
        Misconception(
            "Many providers lie outside the 99.8% limits, far more than chance alone would put "
            "there. So the differences are not all chance.",
            value="c",
            name="all-chance",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 11: a written answer.
# --------------------------------------------------------------------------------------------

q11 = FreeTextExercise(
    "q11",
    prompt="What can the real published figures tell you that the synthetic data cannot, and "
    "the other way round?",
    model_answer=(
        "The published figures are real: they tell me how NHS Talking Therapies actually did, "
        "for example that recovery in England has stayed at about half for eight years and "
        "that people from the most deprived areas recover less often than people from the "
        "least deprived areas. But they are counts for whole groups, with small numbers hidden "
        "and counts rounded, so I cannot follow a person, combine several factors at once (such "
        "as deprivation and ethnic group together) or check my method against a known answer. "
        "The synthetic data have one row per referral, so I can work out any rate, model "
        "several factors together and see whether my method finds the pattern that was "
        "planted. But nothing in them is a fact about a real service, and their patterns are "
        "only as current as the figures they were built from: the synthetic deprivation gap is "
        "wider than the real one now. To say something about the NHS, I quote the published "
        "figures."
    ),
    hints=[
        "Think about what one row is in each kind of data: a whole group, or one referral.",
        "Think about which kind can be quoted as a fact about real services, and which lets you "
        "check your method against a known answer.",
    ],
)
