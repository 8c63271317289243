"""Checks for lesson 3, Comparing groups: rate ratios, their confidence intervals and what they mean."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mhtrain.checks import (
    ChoiceExercise,
    FreeTextExercise,
    Misconception,
    NumberExercise,
    TableExercise,
)
from mhtrain.checks._shared import FOCUS_GROUP, PER_100K, REFERENCE_GROUP, detentions_and_residents

# --------------------------------------------------------------------------------------------
# The tables the lesson builds, computed the same way from the learner's own data.
# --------------------------------------------------------------------------------------------


def detentions_by_group(data: Any) -> pd.DataFrame:
    """Detentions and residents by broad ethnic group, as the lesson's ready-made cell makes them.

    Parameters
    ----------
    data : Dataset
        The course data (``mhtrain.load()``) or any object with ``mha_detentions``, ``people``
        and ``population`` tables.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``ethnic_group`` (the groups in the population table), with the columns
        ``detentions`` (every detention in the year, grouped by the ethnic group recorded for
        the person) and ``residents``. Detentions of people whose ethnic group was not recorded
        have no population to be divided by, so they are left out.
    """
    return detentions_and_residents(data)


def _rates(data: Any) -> pd.Series:
    table = detentions_by_group(data)
    return table["detentions"] / table["residents"] * PER_100K


def _ratio(data: Any) -> float:
    rates = _rates(data)
    return float(rates[FOCUS_GROUP] / rates[REFERENCE_GROUP])


def _ratio_table(data: Any, *, reference: str = REFERENCE_GROUP, confidence: float = 0.95) -> Any:
    from mhtrain.stats import rate_ratio

    table = rate_ratio(
        detentions_by_group(data).reset_index(),
        group="ethnic_group",
        reference=reference,
        events="detentions",
        population="residents",
        confidence=confidence,
    )
    return table.set_index("ethnic_group")[["rate_ratio", "ratio_lower", "ratio_upper"]]


def rate_ratio_table(data: Any) -> pd.DataFrame:
    """Each group's detention rate ratio against the White group, with its 95% interval.

    Made from the course dataset ``data`` as :func:`mhtrain.stats.rate_ratio` gives it:
    indexed by ``ethnic_group``, with ``rate_ratio``, ``ratio_lower`` and ``ratio_upper`` (the
    White row has a ratio of 1 and no interval).
    """
    return _ratio_table(data)


def _excludes_one(data: Any) -> pd.Series:
    table = rate_ratio_table(data).drop(index=REFERENCE_GROUP)
    return (table["ratio_lower"] > 1) | (table["ratio_upper"] < 1)


# --------------------------------------------------------------------------------------------
# Exercise 1: the Black/White rate ratio by hand.
# --------------------------------------------------------------------------------------------


def _count_ratio(data: Any) -> float:
    table = detentions_by_group(data)
    return float(table.loc[FOCUS_GROUP, "detentions"] / table.loc[REFERENCE_GROUP, "detentions"])


def _whole_population_denominator(data: Any) -> float:
    table = detentions_by_group(data)
    everyone = table["residents"].sum()
    focus_rate = table.loc[FOCUS_GROUP, "detentions"] / everyone
    reference_rate = (
        table.loc[REFERENCE_GROUP, "detentions"] / table.loc[REFERENCE_GROUP, "residents"]
    )
    return float(focus_rate / reference_rate)


def _compared_with_everyone(data: Any) -> float:
    overall = len(data.mha_detentions) / data.population["residents"].sum() * PER_100K
    return float(_rates(data)[FOCUS_GROUP] / overall)


def _rate_difference(data: Any) -> float:
    rates = _rates(data)
    return float(rates[FOCUS_GROUP] - rates[REFERENCE_GROUP])


q1 = NumberExercise(
    "q1",
    variable="rate_ratio_black",
    prompt="The detention rate of the Black group divided by the detention rate of the White group.",
    expected=_ratio,
    quantity="ratio",
    hints=[
        "A rate ratio compares two rates, not two counts. First work out a rate for each "
        "group: detentions divided by residents, times 100,000.",
        "Use the Black row of the table for the first rate and the White row for the second. "
        "Each group's rate uses that group's own residents.",
        "Divide the Black group's rate by the White group's rate. The White group is the "
        "reference, so its rate goes underneath.",
    ],
    misconceptions=[
        Misconception(
            "This is the number of detentions in the Black group divided by the number in the "
            "White group: a ratio of counts. Counts depend on how many people are in each "
            "group. Turn each count into a rate first, using that group's own residents.",
            compute=_count_ratio,
            name="ratio-of-counts",
        ),
        Misconception(
            "Your fraction is upside down: this is the White group's rate divided by the Black "
            "group's. The reference group (White) goes underneath.",
            compute=lambda data: 1 / _ratio(data),
            name="upside-down",
        ),
        Misconception(
            "It looks like you divided the Black group's detentions by all the residents in "
            "the area. A group's rate must use that group's own residents as the bottom of "
            "the fraction.",
            compute=_whole_population_denominator,
            name="whole-population-denominator",
        ),
        Misconception(
            "It looks like you compared the Black group's rate with the rate for everyone in "
            "the area. The question compares it with the White group's rate.",
            compute=_compared_with_everyone,
            name="compared-with-everyone",
        ),
        Misconception(
            "This is a rate difference: you took one rate away from the other. A rate ratio "
            "divides one rate by the other.",
            compute=_rate_difference,
            name="rate-difference",
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# Exercise 2: the rate ratios with their 95% confidence intervals, from the stats library.
# --------------------------------------------------------------------------------------------


class _GroupTableExercise(TableExercise):
    """A table exercise that also accepts the group labels as an ordinary column.

    :func:`mhtrain.stats.rate_ratio` returns the groups in a column, not in the index; this
    lets a learner hand in its result as it comes.
    """

    def __init__(self, id: str, *, group_column: str, **kwargs: Any) -> None:
        super().__init__(id, **kwargs)
        self.group_column = group_column

    def _coerce(self, answer: Any, like: Any) -> Any:
        if (
            isinstance(answer, pd.DataFrame)
            and self.group_column in answer.columns
            and answer[self.group_column].is_unique
        ):
            answer = answer.set_index(self.group_column)
        return super()._coerce(answer, like)


q2 = _GroupTableExercise(
    "q2",
    group_column="ethnic_group",
    variable="ratios",
    prompt="Rate ratios against the White group, with 95% confidence intervals, from "
    "stats.rate_ratio.",
    expected=rate_ratio_table,
    quantity="ratio",
    hints=[
        "Use the library function stats.rate_ratio. Give it the table by_group with its "
        "groups as a column: by_group.reset_index().",
        'Tell it which column holds the groups (group="ethnic_group"), which group is the '
        'reference (reference="White"), and which columns hold the counts and the residents '
        '(events="detentions", population="residents").',
        "Store the whole table it returns under the name ratios. Leave the confidence level "
        "at its usual 95%.",
    ],
    misconceptions=[
        Misconception(
            "Your table compares every group with a different reference group. The question "
            'compares each group with the White group: use reference="White".',
            compute=lambda data: _ratio_table(data, reference=FOCUS_GROUP),
            name="wrong-reference",
        ),
        Misconception(
            "Your intervals look like 90% intervals. Leave out confidence=, or set it to 0.95.",
            compute=lambda data: _ratio_table(data, confidence=0.90),
            name="confidence-90",
        ),
        Misconception(
            "Your intervals look like 99% intervals. Leave out confidence=, or set it to 0.95.",
            compute=lambda data: _ratio_table(data, confidence=0.99),
            name="confidence-99",
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# Exercise 2b: what a 95% confidence interval means, in plain words.
# --------------------------------------------------------------------------------------------

q2b = ChoiceExercise(
    "q2b",
    variable="answer_q2b",
    prompt="Which sentence best says what the 95% confidence interval of a rate ratio means?",
    options={
        "a": "95 out of every 100 people in the group were detained.",
        "b": "The true ratio is certainly somewhere between the two limits.",
        "c": "It shows the range of true ratios that fit the data, allowing for chance. A "
        "method like this catches the true value about 95 times in every 100.",
        "d": "It shows how far the recorded ethnic groups might be wrong.",
    },
    answer="c",
    hints=[
        "Read the section 'Chance, and what a confidence interval means' again.",
        "An interval is about the ratio, not about single people. And it is never certain.",
        "Which option talks about chance, and about being right most of the time but not always?",
    ],
    misconceptions=[
        Misconception(
            "The 95% is not a share of people. It is about how often the method that makes "
            "the interval catches the true ratio.",
            value="a",
            name="percent-of-people",
        ),
        Misconception(
            "Not certainly: a 95% interval misses the true value about 1 time in 20. Which "
            "option allows for that?",
            value="b",
            name="certain",
        ),
        Misconception(
            "An interval only allows for chance. It says nothing about mistakes in how ethnic "
            "groups were recorded: those need checking in other ways.",
            value="d",
            name="covers-recording-errors",
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# Exercise 3: reading the chart of rate ratios.
# --------------------------------------------------------------------------------------------

_COUNT_OPTIONS = {
    "a": "None of them",
    "b": "One group",
    "c": "Two groups",
    "d": "Three groups",
    "e": "All four groups",
}
_KEY_FOR_COUNT = dict(enumerate(_COUNT_OPTIONS))


def _key(count: int) -> str:
    return _KEY_FOR_COUNT[min(int(count), len(_COUNT_OPTIONS) - 1)]


def _groups_excluding_one(data: Any) -> str:
    return _key(int(_excludes_one(data).sum()))


def _groups_with_dot_above_one(data: Any) -> str:
    table = rate_ratio_table(data).drop(index=REFERENCE_GROUP)
    return _key(int((table["rate_ratio"] > 1).sum()))


def _groups_including_one(data: Any) -> str:
    return _key(int((~_excludes_one(data)).sum()))


q3 = ChoiceExercise(
    "q3",
    variable="answer_q3",
    prompt="On the chart, how many of the four groups have an interval that excludes 1?",
    options=_COUNT_OPTIONS,
    answer=_groups_excluding_one,
    aliases={str(count): key for count, key in _KEY_FOR_COUNT.items()},
    hints=[
        "Look at the line through each dot, not the dot itself. The line is the interval.",
        "An interval excludes 1 when the whole line lies on one side of the dashed line at 1, "
        "without touching or crossing it.",
        "Go through the four groups one by one and count the lines that do not cross the "
        "dashed line.",
    ],
    misconceptions=[
        Misconception(
            "It looks like you counted the dots to the right of 1. Look at the whole line "
            "instead: does it cross the dashed line?",
            compute=_groups_with_dot_above_one,
            name="counted-dots",
        ),
        Misconception(
            "It looks like you counted the intervals that cross the dashed line at 1. The "
            "question asks for the ones that do not.",
            compute=_groups_including_one,
            name="counted-crossing",
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# Exercise 4: what else could explain the difference (written, marked by a tutor).
# --------------------------------------------------------------------------------------------

q4 = FreeTextExercise(
    "q4",
    prompt="A rate ratio shows a gap. What else, apart from chance, could help explain it?",
    model_answer=(
        "The ratio says how much more often people in one group were detained. It does not "
        "say why. Part of the gap could come from differences between the groups that are not "
        "about ethnicity itself, such as age or living in more deprived areas. Much of it is "
        "likely to come from how care works: racism and discrimination, fear of services and "
        "less trust in them, later or harder access to early help, more contact through the "
        "police and courts, and how services are designed and paid for. The data could also "
        "be wrong: ethnic group is not recorded for some people, it is sometimes recorded "
        "wrongly, and the population counts may be out of date. To find out more I would look "
        "at age, deprivation, routes into care and the quality of the ethnicity records, and "
        "ask people with lived experience."
    ),
    hints=[
        "Think about the people in each group: do they differ in other ways, such as age or "
        "where they live?",
        "Think about services: how people reach them, and how they are treated on the way.",
        "Think about the data: could the counts or the ethnic groups be wrong?",
    ],
)
