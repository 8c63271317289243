"""Checks for lesson 2, Counting fairly: detention counts, rates per 100,000 and denominators."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mhtrain.checks import (
    ChoiceExercise,
    FreeTextExercise,
    Misconception,
    TableExercise,
)
from mhtrain.checks._shared import PER_100K, broad, detentions_with, residents_by_group

#: The broad ethnic groups that have residents in the population table, in census order.
GROUPS = ("White", "Mixed", "Asian", "Black", "Other")
#: The option letter of each broad group in the questions that name one.
_GROUP_KEYS = {"White": "a", "Mixed": "b", "Asian": "c", "Black": "d", "Other": "e", "Unknown": "f"}


def _detention_groups(data: Any) -> pd.Series:
    """The recorded broad ethnic group of the person in each detention."""
    merged = detentions_with(data, ["ethnic_category"])
    return broad(merged["ethnic_category"]).rename("broad_group")


def _counts(data: Any) -> pd.Series:
    """Detentions in each broad group, Unknown included (the answer to Exercise 1)."""
    groups = _detention_groups(data)
    return groups.groupby(groups).size().rename_axis("broad_group")


def _people_detained(data: Any) -> pd.Series:
    """People (not detentions) in each broad group: the count-people slip."""
    merged = detentions_with(data, ["ethnic_category"])
    merged["broad_group"] = broad(merged["ethnic_category"])
    return merged.groupby("broad_group")["person_id"].nunique()


def _people_in_contact(data: Any) -> pd.Series:
    groups = broad(data.people["ethnic_category"])
    return groups.groupby(groups).size().rename_axis("broad_group")


def _table(data: Any) -> pd.DataFrame:
    """Detentions, residents and people in contact for each group with residents."""
    residents = residents_by_group(data.population)
    table = pd.DataFrame(
        {
            "detentions": _counts(data),
            "residents": residents,
            "people_in_contact": _people_in_contact(data),
        }
    )
    return table.reindex(list(GROUPS)).fillna(0)


def _rates(data: Any) -> pd.Series:
    """Detentions per 100,000 residents of each group (the answer to Exercise 3)."""
    table = _table(data)
    return table["detentions"] / table["residents"] * PER_100K


_SHARE_OF_DETENTIONS = (
    "This is each group's share of all detentions, as a percentage. A share mostly shows how "
    "big a group is. Divide by each group's residents instead, and multiply by 100,000."
)


def _top_count_key(data: Any) -> str:
    return _GROUP_KEYS[str(_counts(data).idxmax())]


def _top_rate_key(data: Any) -> str:
    return _GROUP_KEYS[str(_rates(data).idxmax())]


def _top_count_among_groups_key(data: Any) -> str:
    return _GROUP_KEYS[str(_table(data)["detentions"].idxmax())]


# --------------------------------------------------------------------------------------------
# Exercise 1: count detentions in each broad ethnic group.
# --------------------------------------------------------------------------------------------

q1 = TableExercise(
    "q1",
    variable="detention_counts",
    prompt="How many detentions were there in each broad ethnic group (Unknown included)?",
    expected=_counts,
    quantity="count",
    hints=[
        "Each row of the detentions table is one detention, and the broad_group column says "
        "the group of the person detained. You need the number of rows in each group.",
        'detentions.groupby("broad_group") puts the rows into groups. What counts the rows '
        "in each group?",
        'Add .size() to count the rows: detentions.groupby("broad_group").size().',
    ],
    misconceptions=[
        Misconception(
            "This counts people, not detentions: one person can be detained more than once "
            "in a year, and official figures count each detention. Count the rows of the "
            "detentions table in each group.",
            compute=_people_detained,
            name="counted-people-not-detentions",
        ),
        Misconception(
            "This counts everyone in contact with services in each group, not detentions. "
            "Start from the detentions table.",
            compute=_people_in_contact,
            name="counted-people-in-contact",
        ),
    ],
)

q1b = ChoiceExercise(
    "q1b",
    variable="answer_q1b",
    prompt="Looking at the table, which group had the most detentions?",
    options={
        "a": "White",
        "b": "Mixed",
        "c": "Asian",
        "d": "Black",
        "e": "Other",
        "f": "Unknown",
    },
    answer=_top_count_key,
    hints=[
        "Look at the detentions column of the table of counts.",
        "Find the biggest number in that column, and read the group on its row.",
    ],
    advice="Look at the detentions column of the table of counts, and find its biggest number.",
)

# --------------------------------------------------------------------------------------------
# Exercise 2: choosing the denominator.
# --------------------------------------------------------------------------------------------

q2 = ChoiceExercise(
    "q2",
    variable="answer_q2",
    prompt="What should each group's detentions be divided by, to compare groups fairly?",
    options={
        "a": "The number of residents in the whole area.",
        "b": "The number of residents in that group.",
        "c": "The number of people in that group who were in contact with services.",
        "d": "The number of detentions in all groups together.",
    },
    answer="b",
    hints=[
        "A rate compares the people who had the event with the people who could have had it.",
        "Who could have been detained, in each group?",
    ],
    misconceptions=[
        Misconception(
            "Every group would then be divided by the same number. The order of the groups "
            "would not change from the counts, and a big group would still look worst. Divide "
            "by a number that belongs to each group.",
            value="a",
            name="whole-population",
        ),
        Misconception(
            "That answers a different question: of the people who reached services, how many "
            "were detained? It leaves out everyone who never reached services, and groups "
            "differ in who gets through the door.",
            value="c",
            name="people-in-contact",
        ),
        Misconception(
            "That gives each group's share of all detentions. A share mostly shows how big a "
            "group is, not how often its members are detained.",
            value="d",
            name="share-of-detentions",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 3: detention rates per 100,000 residents.
# --------------------------------------------------------------------------------------------

q3 = TableExercise(
    "q3",
    variable="detention_rate",
    prompt="Detentions per 100,000 residents, for each broad ethnic group with residents.",
    expected=_rates,
    quantity="rate",
    hints=[
        "A rate is the count divided by the number of people who could have been counted. "
        'In the table, that is table["detentions"] divided by table["residents"].',
        "That gives detentions per person: a very small number. Multiply it by 100_000 to "
        "get detentions per 100,000 residents.",
        'Write table["detentions"] / table["residents"] * 100_000.',
    ],
    misconceptions=[
        Misconception(
            "These are counts of detentions, not rates. Divide each group's detentions by the "
            "number of residents in that group, then multiply by 100,000.",
            compute=lambda data: _table(data)["detentions"],
            name="count-not-rate",
        ),
        Misconception(
            "These are counts of detentions, not rates, and they include the Unknown group, "
            "which has no residents to divide by. Use the table, which has one row for each "
            "group with residents, and divide detentions by residents.",
            compute=_counts,
            name="count-not-rate-with-unknown",
        ),
        Misconception(
            "You divided by the residents but forgot to multiply by 100,000. These are "
            "detentions per person, which are hard to read: multiply by 100,000.",
            compute=lambda data: _rates(data) / PER_100K,
            name="forgot-100000",
        ),
        Misconception(
            "You divided every group by the residents of the whole area. Then every group has "
            "the same denominator, and the rates only repeat the counts. Divide each group's "
            "detentions by the residents in that group.",
            compute=lambda data: (
                _table(data)["detentions"] / float(data.population["residents"].sum()) * PER_100K
            ),
            name="whole-population-denominator",
        ),
        Misconception(
            "You divided by the people in contact with services. That leaves out everyone "
            "who never reached services. For a rate of detention in the population, divide by "
            "the residents in each group.",
            compute=lambda data: (
                _table(data)["detentions"] / _table(data)["people_in_contact"] * PER_100K
            ),
            name="people-in-contact-denominator",
        ),
        Misconception(
            _SHARE_OF_DETENTIONS,
            compute=lambda data: _table(data)["detentions"] / len(data.mha_detentions) * 100,
            name="share-of-detentions",
        ),
        Misconception(
            _SHARE_OF_DETENTIONS,
            compute=lambda data: (
                _table(data)["detentions"] / _table(data)["detentions"].sum() * 100
            ),
            name="share-of-detentions",
        ),
    ],
)

q3b = ChoiceExercise(
    "q3b",
    variable="answer_q3b",
    prompt="In the right-hand chart, which group has the highest rate of detention?",
    options={"a": "White", "b": "Mixed", "c": "Asian", "d": "Black", "e": "Other"},
    answer=_top_rate_key,
    hints=[
        "There are two charts. The right-hand one shows rates: detentions per 100,000 "
        "residents of each group.",
        "Find the longest bar in the right-hand chart.",
    ],
    misconceptions=[
        Misconception(
            "That group has the most detentions: the longest bar in the left-hand chart. But "
            "the question asks about the rate. Look at the right-hand chart.",
            compute=_top_count_among_groups_key,
            name="count-not-rate",
        ),
    ],
    advice="Look at the right-hand chart (the rates), and find its longest bar.",
)

# --------------------------------------------------------------------------------------------
# Exercise 4: shares and rates.
# --------------------------------------------------------------------------------------------

q4 = ChoiceExercise(
    "q4",
    variable="answer_q4",
    prompt="What is wrong with: 'Most people detained were White, so White people are the most "
    "at risk of being detained'?",
    options={
        "a": "Nothing. The group with the most detentions is the group most at risk.",
        "b": "It uses a share of detentions, which mostly shows how big each group is. To "
        "compare risk, divide each group's detentions by its own residents.",
        "c": "It should have given a percentage instead of saying 'most'.",
    },
    answer="b",
    hints=[
        "Look again at the two charts. Is the group with the longest bar on the left also "
        "the one with the longest bar on the right?",
        "A big group can have the most detentions even if each of its members is less likely "
        "to be detained.",
    ],
    misconceptions=[
        Misconception(
            "Look at the two charts again. The most detentions is not the same as the highest "
            "rate: a big group has more of everything.",
            value="a",
            name="count-is-risk",
        ),
        Misconception(
            "A percentage share of detentions would have the same problem: it still says more "
            "about the size of each group than about risk. What should each group's detentions "
            "be divided by?",
            value="c",
            name="share-is-risk",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 5: a written reflection (marked by a tutor).
# --------------------------------------------------------------------------------------------

q5 = FreeTextExercise(
    "q5",
    prompt="Why is a rate per 100,000 fairer than a count, and what would you want to know "
    "before saying what causes a gap?",
    model_answer=(
        "A count mostly shows how big a group is: the largest group has the most detentions "
        "even if each of its members is less likely to be detained. A rate divides each "
        "group's detentions by its own residents, so it compares how often detention happens "
        "to people in each group. Before saying what causes a gap, I would want to know more. "
        "Are the groups different in age or in how deprived their areas are? How good is the "
        "recording of ethnic group, and how many detentions have none? Could the gap be "
        "chance in a small group? And how do people reach care: through a GP early on, or "
        "through the police or a crisis? The causes are likely to lie in racism, deprivation, "
        "access to early help and how services are designed, not in the people themselves."
    ),
    hints=[
        "Think about a very big group and a very small group. Which has more detentions, "
        "even if the chance for each person is the same?",
        "Think about things the data do not show: age, deprivation, how people reach care, "
        "and how well ethnic group is recorded.",
    ],
)
