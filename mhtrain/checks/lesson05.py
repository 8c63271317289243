"""Checks for lesson 5, Waiting for care: medians, a 4-week threshold and waits by deprivation."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd

from mhtrain.checks import (
    ChoiceExercise,
    FreeTextExercise,
    Misconception,
    NumberExercise,
    TableExercise,
)
from mhtrain.checks._shared import proportion_not_percentage
from mhtrain.specload import code_for, load_scenario

#: The threshold the lesson uses, in days. It is an example threshold for the exercise (four
#: weeks), not a published target: the lesson says so where it introduces it.
THRESHOLD_DAYS = 28

#: Days in a week, for answers given in weeks instead of days.
_DAYS_PER_WEEK = 7

# The lesson looks at community mental health teams for adults: team type "community_mh" (A06)
# serving the adult and older adult age group (03).
_COMMUNITY_TEAM = code_for("service_team_type", "community_mh")
_ADULT_AGE_GROUP = code_for("service_team_age_group", "adult_and_older_adult")


class _Cache:
    """Holds the waiting-time table of the last dataset seen, so checks build it only once."""

    def __init__(self) -> None:
        self.data: Any = None
        self.waits: pd.DataFrame | None = None


_CACHE = _Cache()


def waiting_table(data: Any) -> pd.DataFrame:
    """Every referral in ``data`` with the person's age and IMD decile, and the wait in days.

    The ``referrals`` table with ``age``, ``imd_decile`` and ``wait_days`` (days from referral
    to first contact; empty when the person was not seen in the year), made once per dataset.
    """
    if _CACHE.data is not data or _CACHE.waits is None:
        people = data.people[["person_id", "age", "imd_decile"]]
        waits = data.referrals.merge(people, on="person_id", how="left")
        waits["wait_days"] = (waits["first_contact_date"] - waits["referral_date"]).dt.days
        _CACHE.data, _CACHE.waits = data, waits
    return _CACHE.waits


def community_table(data: Any) -> pd.DataFrame:
    """The referrals in ``data`` to community mental health teams for adults, with waits.

    Rows of :func:`waiting_table` for team type A06 and the adult age group (03).
    """
    waits = waiting_table(data)
    keep = (waits["service_team_type"] == _COMMUNITY_TEAM) & (
        waits["service_team_age_group"] == _ADULT_AGE_GROUP
    )
    return waits[keep]


def year_end(data: Any) -> pd.Timestamp:
    """Return the last day of the data's reporting year (31 March 2024 in the course data).

    Parameters
    ----------
    data : Dataset
        The course dataset; its scenario names the reporting period.
    """
    return _period_end(str(getattr(data, "scenario", "default")))


@lru_cache(maxsize=8)
def _period_end(scenario: str) -> pd.Timestamp:
    return pd.Timestamp(load_scenario(scenario)["reporting_period"]["end"])


def had_threshold_table(data: Any) -> pd.DataFrame:
    """Return the community referrals made early enough to have had the whole threshold to be seen.

    Parameters
    ----------
    data : Dataset
        The course dataset.
    """
    community = community_table(data)
    cut_off = year_end(data) - pd.Timedelta(days=THRESHOLD_DAYS)
    return community[community["referral_date"] <= cut_off]


def _percent_within(waits: pd.Series, *, strict: bool = False) -> float:
    within = waits < THRESHOLD_DAYS if strict else waits <= THRESHOLD_DAYS
    return float(within.mean() * 100)


def _count_within(data: Any) -> int:
    return int((had_threshold_table(data)["wait_days"] <= THRESHOLD_DAYS).sum())


# --------------------------------------------------------------------------------------------
# Exercise 1: the median wait.
# --------------------------------------------------------------------------------------------

q1 = NumberExercise(
    "q1",
    variable="median_wait",
    prompt="The median wait, in days, from referral to first contact, for people referred to "
    "community mental health teams for adults who were seen in the year.",
    expected=lambda data: community_table(data)["wait_days"].median(),
    quantity="days",
    hints=[
        "The median is the middle wait when all the waits are put in order. The waits are in "
        "the wait_days column of the community table.",
        "pandas gives the median of a column with .median(). It leaves out empty values, which "
        "here are the people who were not seen: that is what the question asks for.",
        'Write community["wait_days"].median() and store it as median_wait.',
    ],
    misconceptions=[
        Misconception(
            "This looks like the mean (the average), not the median. With a few very long "
            "waits, the mean is pulled upwards. Use .median() instead of .mean().",
            compute=lambda data: community_table(data)["wait_days"].mean(),
            name="mean-not-median",
        ),
        Misconception(
            "This looks like a median that counts people who were never seen as a wait of zero "
            "days. They did not wait zero days: they were not seen at all. Leave the empty "
            "values out (do not fill them with 0).",
            compute=lambda data: community_table(data)["wait_days"].fillna(0).median(),
            name="never-seen-as-zero",
        ),
        Misconception(
            "This looks like the median in weeks. The question asks for days: do not divide by 7.",
            compute=lambda data: community_table(data)["wait_days"].median() / _DAYS_PER_WEEK,
            name="weeks-not-days",
        ),
        Misconception(
            "This looks like the median for referrals to every kind of team, including crisis "
            "and liaison teams that see people within a day. Use the community table, not "
            "waits.",
            compute=lambda data: waiting_table(data)["wait_days"].median(),
            name="all-teams",
        ),
    ],
)

q1b = ChoiceExercise(
    "q1b",
    variable="answer_q1b",
    prompt="Why is the median a better summary of these waits than the mean?",
    options={
        "a": "Most waits are fairly short but a few are very long, and those few pull the mean "
        "upwards.",
        "b": "The median is always smaller than the mean.",
        "c": "The mean leaves out the people who waited longest.",
        "d": "The median includes the people who were never seen.",
    },
    answer="a",
    hints=[
        "Look at the shape of the histogram: where are most of the bars, and how far does the "
        "tail reach to the right?",
        "Think about what one very long wait does to an average, and what it does to the "
        "middle value.",
    ],
    misconceptions=[
        Misconception(
            "Not always: the median is smaller than the mean only when a long tail of large "
            "values pulls the mean up, as here. Look at the shape of the histogram.",
            value="b",
            name="median-always-smaller",
        ),
        Misconception(
            "The mean uses every wait, including the longest ones; that is why it moves so "
            "much. Which summary do a few very long waits pull upwards?",
            value="c",
            name="mean-leaves-out",
        ),
        Misconception(
            "Neither the mean nor the median of wait_days includes people who were never seen: "
            "they have no wait to count. The histogram shows only people who were seen.",
            value="d",
            name="median-includes-never-seen",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 2: the percentage seen within the threshold.
# --------------------------------------------------------------------------------------------

_DENOMINATOR_SEEN = (
    "Your denominator (the bottom of the fraction) seems to hold only the people who were "
    "seen. People who were never seen, or are still waiting, were not seen within 28 days "
    "either: keep them in."
)
_DENOMINATOR_ALL = (
    "Your denominator seems to include referrals made in the last 28 days of the year. They "
    "have not had 28 days to be seen yet, so leave them out: use had_28_days."
)


def _seen_only(compute: Any) -> Misconception:
    return Misconception(_DENOMINATOR_SEEN, compute=compute, name="denominator-seen-only")


def _all_referrals(compute: Any) -> Misconception:
    return Misconception(_DENOMINATOR_ALL, compute=compute, name="denominator-all-referrals")


q2 = NumberExercise(
    "q2",
    variable="percent_within_28",
    prompt="Of the referrals to community mental health teams for adults that had at least 28 "
    "days before the year ended, what percentage were seen within 28 days?",
    expected=lambda data: _percent_within(had_threshold_table(data)["wait_days"]),
    quantity="percentage",
    hints=[
        "The bottom of the fraction is every referral in had_28_days: all of them had 28 days "
        "to be seen. The top is the number of those whose wait was 28 days or less.",
        'had_28_days["wait_days"] <= 28 gives True or False for each referral (False for '
        "people never seen). The mean of True/False values is the share that are True.",
        'Write (had_28_days["wait_days"] <= 28).mean() * 100, or divide the two counts in the '
        "table above and multiply by 100.",
    ],
    misconceptions=[
        proportion_not_percentage(
            lambda data: _percent_within(had_threshold_table(data)["wait_days"]) / 100
        ),
        _seen_only(lambda data: _percent_within(had_threshold_table(data)["wait_days"].dropna())),
        _seen_only(
            lambda data: (
                _count_within(data) / community_table(data)["wait_days"].notna().sum() * 100
            )
        ),
        _seen_only(lambda data: _percent_within(community_table(data)["wait_days"].dropna())),
        _all_referrals(lambda data: _percent_within(community_table(data)["wait_days"])),
        _all_referrals(lambda data: _count_within(data) / len(community_table(data)) * 100),
        Misconception(
            "Check the comparison: a wait of exactly 28 days is within 28 days, so use <= "
            "(28 or fewer), not < (fewer than 28).",
            compute=lambda data: _percent_within(
                had_threshold_table(data)["wait_days"], strict=True
            ),
            name="strictly-less-than",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 3: the median wait by IMD decile, and reading the chart.
# --------------------------------------------------------------------------------------------


def _by_decile(table: pd.DataFrame) -> Any:
    return table.groupby("imd_decile")["wait_days"]


q3 = TableExercise(
    "q3",
    variable="median_by_decile",
    prompt="The median wait in days for each IMD decile (community mental health teams for "
    "adults, people seen in the year).",
    expected=lambda data: _by_decile(community_table(data)).median(),
    quantity="days",
    hints=[
        "Split the community table into groups by the imd_decile column, then take the median "
        "wait in each group.",
        'community.groupby("imd_decile") makes the groups; then pick the wait_days column and '
        "take its median.",
        'Write community.groupby("imd_decile")["wait_days"].median().',
    ],
    misconceptions=[
        Misconception(
            "These look like mean (average) waits, not medians. Use .median() instead of .mean().",
            compute=lambda data: _by_decile(community_table(data)).mean(),
            name="mean-not-median",
        ),
        Misconception(
            "These look like medians that count people who were never seen as waiting zero "
            "days. Leave the empty waits out: do not fill them with 0.",
            compute=lambda data: (
                community_table(data)
                .assign(wait_days=lambda t: t["wait_days"].fillna(0))
                .groupby("imd_decile")["wait_days"]
                .median()
            ),
            name="never-seen-as-zero",
        ),
        Misconception(
            "These look like medians in weeks. The question asks for days: do not divide by 7.",
            compute=lambda data: _by_decile(community_table(data)).median() / _DAYS_PER_WEEK,
            name="weeks-not-days",
        ),
        Misconception(
            "These look like medians for every kind of team, including crisis and liaison "
            "teams. Start from the community table, not waits.",
            compute=lambda data: _by_decile(waiting_table(data)).median(),
            name="all-teams",
        ),
    ],
)

_DECILE_PAIRS = {"a": (1, 2), "b": (9, 10), "c": (5, 6)}


def _longest_waiting_pair(data: Any) -> str:
    medians = _by_decile(community_table(data)).median()
    means = pd.Series(
        {key: medians.reindex(list(pair)).mean() for key, pair in _DECILE_PAIRS.items()}
    )
    if means.isna().all():
        return "d"  # no waits to compare: no decile waited longer than another
    return str(means.idxmax())


q3b = ChoiceExercise(
    "q3b",
    variable="answer_q3b",
    prompt="Looking at the chart of median waits by IMD decile, which deciles waited longest?",
    options={
        "a": "The most deprived deciles (1 and 2).",
        "b": "The least deprived deciles (9 and 10).",
        "c": "The deciles in the middle (5 and 6).",
        "d": "There is no difference at all between the deciles.",
    },
    answer=_longest_waiting_pair,
    hints=[
        "Find the tallest bars in the chart, then read their decile numbers on the bottom axis.",
        "Remember which end is which: decile 1 holds the most deprived tenth of areas and "
        "decile 10 the least deprived tenth.",
    ],
    misconceptions=[
        Misconception(
            "Check which end of the scale is which: in the Index of Multiple Deprivation, "
            "decile 1 is the most deprived tenth of areas and decile 10 the least deprived.",
            value="b",
            name="deciles-upside-down",
        ),
        Misconception(
            "Look again at the heights of the bars from decile 1 to decile 10. Are they all "
            "the same?",
            value="d",
            name="no-difference",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 4: a written answer.
# --------------------------------------------------------------------------------------------

q4 = FreeTextExercise(
    "q4",
    prompt="A service reports that its median wait is well within 4 weeks. What would you ask "
    "before you accept that?",
    model_answer=(
        "First, which teams are included? Crisis and liaison teams see people within a day, so "
        "mixing them in pulls the median down. Second, what happened to the people who were "
        "not seen: are people still waiting at the end of the year, or referrals closed "
        "without a first contact, left out? Leaving them out makes waits look shorter. Third, "
        "what does the median hide? I would ask for the 90th percentile, and for the share "
        "seen within 4 weeks by deprivation decile, age group and ethnic group, because the "
        "overall figure can hide groups who wait much longer. I would also ask whether a first "
        "contact means that help actually started."
    ),
    hints=[
        "Think about which teams and which referrals went into the median.",
        "Think about the people who were not seen, and about what a single middle value cannot "
        "show.",
    ],
)
