"""Checks for lesson 4, Like with like: age-specific rates and direct age standardisation."""

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

#: The standard population the lesson uses.
STANDARD = "esp2013"


# --------------------------------------------------------------------------------------------
# The tables the lesson builds, computed the same way from the learner's own data.
# --------------------------------------------------------------------------------------------


def standard_weights() -> pd.Series:
    """The 2013 European Standard Population: people per 100,000 in each age band, in order.

    Returns
    -------
    pandas.Series
        Weights indexed by ``age_band`` (``"0-4"`` to ``"90+"``).
    """
    from mhtrain.specload import standard_population

    return standard_population(STANDARD).set_index("age_band")["weight"]


def detentions_by_age(data: Any) -> pd.DataFrame:
    """Detentions and residents by broad ethnic group and age band, as the lesson makes them.

    Parameters
    ----------
    data : Dataset
        The course data (``mhtrain.load()``) or any object with ``mha_detentions``, ``people``
        (with ``ethnic_category`` and ``age_band``) and ``population`` tables.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``ethnic_group`` and ``age_band`` (every group in the population table, every
        band of the standard population, in order), with the columns ``detentions`` (each
        detention counted in the age band and ethnic group recorded for the person; 0 where
        there were none) and ``residents``. Detentions of people with no recorded ethnic group
        are left out.
    """
    return detentions_and_residents(data, age_bands=list(standard_weights().index))


def age_specific_rates(data: Any) -> pd.Series:
    """Detentions per 100,000 residents in each ethnic group and age band of ``data``.

    A Series indexed by ``ethnic_group`` and ``age_band``, from :func:`detentions_by_age`.
    """
    table = detentions_by_age(data)
    return table["detentions"] / table["residents"] * PER_100K


def _group_rates(data: Any, group: str) -> pd.Series:
    return age_specific_rates(data).loc[group]


def _weighted(rates: pd.Series, weights: pd.Series) -> float:
    weights = weights.reindex(rates.index)
    return float((rates * weights).sum() / weights.sum())


def _dsr(data: Any, group: str) -> float:
    return _weighted(_group_rates(data, group), standard_weights())


def _crude(data: Any, group: str) -> float:
    table = detentions_by_age(data).loc[group]
    return float(table["detentions"].sum() / table["residents"].sum() * PER_100K)


def _dsr_ratio(data: Any) -> float:
    from mhtrain.stats import dsr_ratio

    table = dsr_ratio(
        detentions_by_age(data).reset_index(),
        group="ethnic_group",
        reference=REFERENCE_GROUP,
        events="detentions",
        population="residents",
    ).set_index("ethnic_group")
    return float(table.loc[FOCUS_GROUP, "dsr_ratio"])


def _crude_ratio(data: Any) -> float:
    return _crude(data, FOCUS_GROUP) / _crude(data, REFERENCE_GROUP)


# --------------------------------------------------------------------------------------------
# Exercise 1: age-specific rates.
# --------------------------------------------------------------------------------------------


class _AgeTableExercise(TableExercise):
    """A table exercise on (group, age band) rows that also accepts the table spread out wide.

    A learner may hand in one column of rates indexed by group and age band, or the same rates
    unstacked, with groups (or age bands) as columns.
    """

    def _coerce(self, answer: Any, like: Any) -> Any:
        if (
            isinstance(answer, pd.DataFrame)
            and isinstance(like, pd.Series)
            and like.index.nlevels == 2
        ):
            groups = {str(g) for g in like.index.get_level_values(0)}
            bands = {str(b) for b in like.index.get_level_values(1)}
            columns = {str(c) for c in answer.columns}
            rows = {str(r) for r in answer.index}
            if columns and columns <= groups and rows <= bands:
                answer = answer.T
                columns, rows = rows, columns
            if rows and rows <= groups and columns <= bands:
                answer = answer.stack()
        return super()._coerce(answer, like)


def _group_total_denominator(data: Any) -> pd.Series:
    table = detentions_by_age(data)
    totals = table["residents"].groupby(level="ethnic_group").transform("sum")
    return table["detentions"] / totals * PER_100K


def _all_groups_denominator(data: Any) -> pd.Series:
    table = detentions_by_age(data)
    totals = table["residents"].groupby(level="age_band").transform("sum")
    return table["detentions"] / totals * PER_100K


q1 = _AgeTableExercise(
    "q1",
    variable="age_rates",
    prompt="Detentions per 100,000 residents in each ethnic group and age band.",
    expected=age_specific_rates,
    quantity="rate",
    hints=[
        "An age-specific rate is a rate for one age band of one group: the detentions in that "
        "band divided by the residents in that same band.",
        'The table by_age has a row for every group and age band. Its "detentions" column '
        'divided by its "residents" column gives a rate for every row at once.',
        "Divide the detentions column by the residents column, then multiply by 100,000.",
    ],
    misconceptions=[
        Misconception(
            "It looks like you divided each age band's detentions by all the residents of the "
            "group. An age-specific rate uses only the residents in that age band.",
            compute=_group_total_denominator,
            name="group-total-denominator",
        ),
        Misconception(
            "It looks like you divided by the residents of every ethnic group in the age band. "
            "Use only the residents of the same group and the same age band.",
            compute=_all_groups_denominator,
            name="all-groups-denominator",
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# Exercise 1b: reading the chart of age-specific rates.
# --------------------------------------------------------------------------------------------

#: The age ranges offered in Exercise 1b, as the age bands each one covers.
AGE_RANGES = {
    "a": ("Under 15", ["0-4", "5-9", "10-14"]),
    "b": ("20 to 34", ["20-24", "25-29", "30-34"]),
    "c": ("65 and over", ["65-69", "70-74", "75-79", "80-84", "85-89", "90+"]),
}


def _pooled_rate(data: Any, bands: list[str]) -> float:
    table = detentions_by_age(data)
    rows = table.loc[[FOCUS_GROUP, REFERENCE_GROUP]]
    rows = rows[rows.index.get_level_values("age_band").isin(bands)]
    return float(rows["detentions"].sum() / rows["residents"].sum())


def _rarest_range(data: Any) -> str:
    rates = {key: _pooled_rate(data, bands) for key, (_, bands) in AGE_RANGES.items()}
    return min(rates, key=rates.__getitem__)


q1b = ChoiceExercise(
    "q1b",
    variable="answer_q1b",
    prompt="On the chart of age-specific rates, at which ages is detention rarest in both groups?",
    options={key: label for key, (label, _) in AGE_RANGES.items()},
    answer=_rarest_range,
    hints=[
        "Look for the part of the chart where both lines sit lowest, close to zero.",
        "Compare the left end of the chart (children), the middle (young adults) and the "
        "right end (older people).",
    ],
    advice="Look again at where both lines on the chart are lowest.",
)


# --------------------------------------------------------------------------------------------
# Exercise 2: the Black group's age-standardised rate, by hand.
# --------------------------------------------------------------------------------------------


def _area_weights(data: Any) -> pd.Series:
    return detentions_by_age(data)["residents"].groupby(level="age_band").sum()


q2 = NumberExercise(
    "q2",
    variable="dsr_black",
    prompt="The Black group's detention rate, directly standardised to the 2013 European "
    "Standard Population, per 100,000.",
    expected=lambda data: _dsr(data, FOCUS_GROUP),
    quantity="rate",
    hints=[
        "Follow the worked example for the White group, step by step, but use the Black "
        "group's rows of by_age.",
        "Work out the Black group's rate in each age band. Multiply each rate by the weight "
        "for that age band, and add up the answers.",
        "Last, divide that sum by the total of the weights, weights.sum(), so that the "
        "weights act as shares that add up to 1.",
    ],
    misconceptions=[
        Misconception(
            "This is the Black group's crude rate: all its detentions divided by all its "
            "residents. (Weighting by the group's own age make-up gives the same answer.) "
            "Weight each age band's rate by the standard population instead.",
            compute=lambda data: _crude(data, FOCUS_GROUP),
            name="crude-rate",
        ),
        Misconception(
            "You added up weight times rate but did not divide by the total of the weights. "
            "The weights add up to 100,000, so divide the sum by weights.sum().",
            compute=lambda data: _dsr(data, FOCUS_GROUP) * standard_weights().sum(),
            name="forgot-total-weight",
        ),
        Misconception(
            "This looks like a plain average of the age-specific rates, with every age band "
            "counting the same. Weight each band by the standard population instead.",
            compute=lambda data: float(_group_rates(data, FOCUS_GROUP).mean()),
            name="unweighted-mean",
        ),
        Misconception(
            "It looks like you used the age make-up of the area's own residents as the "
            "weights. Use the 2013 European Standard Population, so that every group is "
            "put on the same footing as published rates.",
            compute=lambda data: _weighted(_group_rates(data, FOCUS_GROUP), _area_weights(data)),
            name="own-population-weights",
        ),
        Misconception(
            "This is the White group's standardised rate, from the worked example. Do the "
            "same steps with the Black group's rows.",
            compute=lambda data: _dsr(data, REFERENCE_GROUP),
            name="white-group",
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# Exercise 3: the standardised rate ratio, from the stats library.
# --------------------------------------------------------------------------------------------

q3 = NumberExercise(
    "q3",
    variable="std_ratio",
    prompt="The Black group's age-standardised detention rate divided by the White group's.",
    expected=_dsr_ratio,
    quantity="ratio",
    hints=[
        "Use stats.dsr_ratio. It takes the same arguments as stats.rate_ratio in Lesson 3.",
        'Give it by_age.reset_index(), group="ethnic_group", reference="White", '
        'events="detentions" and population="residents".',
        'Pick the Black row\'s "dsr_ratio" out of the table it returns. Without code: divide '
        "the Black group's standardised rate by the White group's, from the table above.",
    ],
    misconceptions=[
        Misconception(
            "This is the crude rate ratio, from Lesson 3. Divide the two age-standardised "
            "rates instead.",
            compute=_crude_ratio,
            name="crude-ratio",
        ),
        Misconception(
            "Your ratio is upside down: the White group is the reference, so its "
            "standardised rate goes underneath.",
            compute=lambda data: 1 / _dsr_ratio(data),
            name="upside-down",
        ),
        Misconception(
            "This is a difference between the two standardised rates. The question asks for "
            "a ratio: divide one by the other.",
            compute=lambda data: _dsr(data, FOCUS_GROUP) - _dsr(data, REFERENCE_GROUP),
            name="rate-difference",
        ),
        Misconception(
            "You divided the Black group's standardised rate by the White group's crude rate. "
            "Standardise both rates the same way before you compare them: divide one "
            "standardised rate by the other.",
            compute=lambda data: _dsr(data, FOCUS_GROUP) / _crude(data, REFERENCE_GROUP),
            name="mixed-standardised-and-crude",
        ),
        Misconception(
            "You divided the Black group's crude rate by the White group's standardised rate. "
            "Use the standardised rate for both groups.",
            compute=lambda data: _crude(data, FOCUS_GROUP) / _dsr(data, REFERENCE_GROUP),
            name="mixed-standardised-and-crude",
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# Exercise 4: did standardising make the ratio bigger or smaller?
# --------------------------------------------------------------------------------------------


def _direction(data: Any) -> str:
    crude, standardised = round(_crude_ratio(data), 2), round(_dsr_ratio(data), 2)
    if standardised > crude:
        return "a"
    if standardised < crude:
        return "b"
    return "c"


q4 = ChoiceExercise(
    "q4",
    variable="answer_q4",
    prompt="Compared with the crude rate ratio, is the age-standardised Black/White ratio "
    "bigger, smaller or the same?",
    options={
        "a": "Bigger",
        "b": "Smaller",
        "c": "The same, to two decimal places",
    },
    answer=_direction,
    hints=[
        "Find the Black row in the table of crude and standardised ratios.",
        "Compare the number in the crude column with the number in the standardised column.",
    ],
    advice="Look again at the Black row of the table: compare its two ratios.",
)


# --------------------------------------------------------------------------------------------
# Exercise 5: what standardising can and cannot tell you (written, marked by a tutor).
# --------------------------------------------------------------------------------------------

q5 = FreeTextExercise(
    "q5",
    prompt="A colleague says that once age is allowed for, the rest of the gap must be down to "
    "deprivation, so it is not really about ethnicity. How would you reply?",
    model_answer=(
        "Standardising allowed for age only. It did not test deprivation, so we cannot say how "
        "much of the gap that is left is linked to it. And even if part of the gap goes "
        'together with deprivation, that does not make it "not about ethnicity". People from '
        "Black backgrounds are more likely to live in deprived areas partly because of racism "
        "in housing, work and pay, so deprivation can be one of the ways racism does harm. "
        "The gap still means that Black people are detained more often, and services still "
        "need to act on it. Next I would compare the groups within each deprivation decile, "
        "with confidence intervals, and look at data quality and routes into care."
    ),
    hints=[
        "What did standardising adjust for, and what did it leave alone?",
        "Ask why some groups are more likely to live in deprived areas in the first place.",
    ],
)
