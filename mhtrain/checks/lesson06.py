"""Checks for lesson 6, Did it help?: recovery in NHS Talking Therapies and who recovers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mhtrain.checks import (
    ChoiceExercise,
    FreeTextExercise,
    Misconception,
    NumberExercise,
    TableExercise,
)
from mhtrain.checks._shared import proportion_not_percentage
from mhtrain.synth.talking import (
    GAD7_CASENESS,
    PHQ9_CASENESS,
)

#: Labels of the deprivation fifths the lesson's model uses: deciles 1-2, 3-4, ... 9-10.
FIFTH_LABELS = {1: "1-2 (most deprived)", 2: "3-4", 3: "5-6", 4: "7-8", 5: "9-10 (least deprived)"}
#: The model's reference groups come first.
FIFTH_ORDER = [FIFTH_LABELS[k] for k in (5, 4, 3, 2, 1)]
AGE_ORDER = ["18 to 64", "65 and over"]
BROAD_ORDER = ["White", "Asian", "Black", "Mixed", "Other", "Unknown"]
#: The age from which the lesson (like the published reports) counts older people.
OLDER_AGE = 65

# --------------------------------------------------------------------------------------------
# Shared tables.
# --------------------------------------------------------------------------------------------


def finished_cases(data: Any) -> pd.DataFrame:
    """Return the referrals that count for recovery: finished treatment and at caseness at the start.

    Parameters
    ----------
    data : Dataset
        The course dataset (``mhtrain.load()``).
    """
    tt = data.talking_therapies
    return tt[tt["finished_treatment"] & tt["caseness_first"]]


def model_table(data: Any) -> pd.DataFrame:
    """The finished cases of ``data`` with the groups the lesson's logistic regression uses.

    ``recovered`` as 0/1, and categorical ``imd_group``, ``age_group`` and ``broad_group``
    whose first category is the reference group.
    """
    from mhtrain.data import broad_ethnic_group

    cases = finished_cases(data)
    fifth = ((cases["imd_decile"] + 1) // 2).map(FIFTH_LABELS)
    older = np.where(cases["age"] >= OLDER_AGE, AGE_ORDER[1], AGE_ORDER[0])
    return cases.assign(
        recovered=cases["recovered"].astype(int),
        imd_group=pd.Categorical(fifth, categories=FIFTH_ORDER),
        age_group=pd.Categorical(older, categories=AGE_ORDER),
        broad_group=pd.Categorical(
            broad_ethnic_group(cases["ethnic_category"]), categories=BROAD_ORDER
        ),
    )


def odds_ratios(data: Any, *, formula: str | None = None) -> pd.DataFrame:
    """Fit the lesson's logistic regression and return odds ratios with 95% confidence limits.

    Parameters
    ----------
    data : Dataset
        The course dataset.
    formula : str, optional
        The model formula; by default deprivation fifth, age group and broad ethnic group.

    Returns
    -------
    pandas.DataFrame
        One row per model term (without the intercept): ``odds_ratio``, ``lower``, ``upper``.
    """
    import statsmodels.formula.api as smf

    formula = formula or "recovered ~ C(imd_group) + C(age_group) + C(broad_group)"
    model = smf.logit(formula, data=model_table(data)).fit(disp=False)
    limits = model.conf_int()
    table = pd.DataFrame(
        {
            "odds_ratio": np.exp(model.params),
            "lower": np.exp(limits[0]),
            "upper": np.exp(limits[1]),
        }
    )
    return table.drop(index="Intercept")


def _case(first_or_last: str, tt: pd.DataFrame, *, strict: bool = False) -> pd.Series:
    phq, gad = tt[f"phq9_{first_or_last}"], tt[f"gad7_{first_or_last}"]
    if strict:
        return (phq > PHQ9_CASENESS) | (gad > GAD7_CASENESS)
    return (phq >= PHQ9_CASENESS) | (gad >= GAD7_CASENESS)


def _flag(values: pd.Series) -> pd.Series:
    """Yes/no values with no gaps: a missing answer (no scores) counts as no."""
    return values.fillna(False).astype(bool)


class _FlagExercise(TableExercise):
    """A table exercise whose answer is one True/False value per referral.

    Comparisons with missing questionnaire scores give missing values (``<NA>``); they are
    read as False (not recovered), so that a learner's flag is compared row by row.
    """

    @staticmethod
    def _coerce(answer: Any, like: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame | None:
        coerced = TableExercise._coerce(answer, like)
        if isinstance(coerced, pd.Series) and pd.api.types.is_bool_dtype(coerced.dtype):
            return _flag(coerced)
        return coerced


# --------------------------------------------------------------------------------------------
# Exercise 1: the recovery flag from the scores.
# --------------------------------------------------------------------------------------------

q1 = _FlagExercise(
    "q1",
    variable="my_recovered",
    prompt="For every referral, True if the person recovered by the published definition, "
    "worked out from the questionnaire scores.",
    expected=lambda data: _flag(data.talking_therapies["recovered"]),
    quantity="number",
    hints=[
        "Recovery needs three things at once: finished treatment, at caseness at the start, "
        "and not at caseness at the end.",
        "at_end is like at_start, but with the last scores: phq9_last and gad7_last. In "
        "pandas, & means 'and' and ~ means 'not'.",
        'Write at_end = (tt["phq9_last"] >= 10) | (tt["gad7_last"] >= 8), then '
        'my_recovered = tt["finished_treatment"] & at_start & ~at_end.',
    ],
    misconceptions=[
        Misconception(
            "Your flag counts people who had only one session. Recovery is counted only for "
            'people who finished treatment: add tt["finished_treatment"] to the conditions.',
            compute=lambda data: _flag(
                _case("first", data.talking_therapies) & ~_case("last", data.talking_therapies)
            ),
            name="no-finished-treatment",
        ),
        Misconception(
            "Your flag counts people who were never at caseness. A person can only recover if "
            "they were at caseness at the start: add at_start to the conditions.",
            compute=lambda data: _flag(
                data.talking_therapies["finished_treatment"]
                & ~_case("last", data.talking_therapies)
            ),
            name="no-caseness-at-start",
        ),
        Misconception(
            "Check the thresholds: caseness is a PHQ-9 score of 10 or more, or a GAD-7 score of "
            "8 or more, so use >= (at least), not > (more than).",
            compute=lambda data: _flag(
                data.talking_therapies["finished_treatment"]
                & _case("first", data.talking_therapies, strict=True)
                & ~_case("last", data.talking_therapies, strict=True)
            ),
            name="strict-thresholds",
        ),
        Misconception(
            "This looks like reliable improvement, not recovery. Recovery asks whether the "
            "person is below both thresholds at the end, not how far their scores fell.",
            compute=lambda data: _flag(data.talking_therapies["reliable_improvement"]),
            name="reliable-improvement-not-recovery",
        ),
    ],
    advice="Check each of the three conditions, and that at_end uses the last scores with "
    "'or' (|) between the two questionnaires.",
)

q1b = ChoiceExercise(
    "q1b",
    variable="answer_q1b",
    prompt="Which of the four example people recovered by the published definition?",
    options={
        "a": "Person A",
        "b": "Person B",
        "c": "Person C",
        "d": "Person D",
    },
    answer="c",
    hints=[
        "Check the three conditions for each person in turn: two or more sessions; PHQ-9 of "
        "10 or more or GAD-7 of 8 or more at the start; and both scores below those levels at "
        "the end.",
        "Only one person meets all three conditions.",
    ],
    misconceptions=[
        Misconception(
            "Person A's scores fell a lot, but they had only one session, so they did not "
            "finish a course of treatment. Recovery is counted only for people who finished.",
            value="a",
            name="one-session",
        ),
        Misconception(
            "Person B's scores were below both thresholds at the start, so they were not at "
            "caseness. A person who was not at caseness cannot move out of it.",
            value="b",
            name="not-at-caseness",
        ),
        Misconception(
            "Person D improved a lot on PHQ-9 (a reliable improvement), but their last GAD-7 "
            "score is still at the caseness level. To recover, both scores must end below it.",
            value="d",
            name="still-a-case-on-one-measure",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 2: the recovery rate.
# --------------------------------------------------------------------------------------------


def _percent(values: pd.Series) -> float:
    return float(values.mean() * 100)


def _recovery_rate(data: Any) -> float:
    return _percent(finished_cases(data)["recovered"])


_DENOMINATOR_NOT_CASES = (
    "Your denominator includes people who finished treatment but were not at caseness at the "
    "start. They could not recover, so leave them out: keep only people who finished treatment "
    "and were at caseness."
)

q2 = NumberExercise(
    "q2",
    variable="recovery_rate",
    prompt="The recovery rate: the percentage of referrals that finished treatment, having "
    "been at caseness at the start, that recovered.",
    expected=_recovery_rate,
    quantity="percentage",
    hints=[
        "The top of the fraction is the number who recovered. The bottom is the number who "
        "finished treatment and were at caseness at the start, not every referral.",
        'Keep the rows where tt["finished_treatment"] & tt["caseness_first"] is True, then take '
        "the mean of their recovered column: the mean of True/False values is the share True.",
        'Write tt.loc[tt["finished_treatment"] & tt["caseness_first"], "recovered"].mean() '
        "* 100, or divide the two counts in the table and multiply by 100.",
    ],
    misconceptions=[
        proportion_not_percentage(lambda data: _recovery_rate(data) / 100),
        Misconception(
            "Your denominator (the bottom of the fraction) seems to be every referral. Many "
            "people referred never started or finished treatment. The published rate counts "
            "only people who finished treatment and were at caseness at the start.",
            compute=lambda data: _percent(data.talking_therapies["recovered"]),
            name="denominator-all-referrals",
        ),
        Misconception(
            "Your denominator seems to be everyone who started treatment, including people with "
            "only one session. Keep only people who finished treatment and were at caseness.",
            compute=lambda data: _percent(
                data.talking_therapies.loc[data.talking_therapies["sessions"] >= 1, "recovered"]
            ),
            name="denominator-started",
        ),
        Misconception(
            _DENOMINATOR_NOT_CASES,
            compute=lambda data: _percent(
                data.talking_therapies.loc[
                    data.talking_therapies["finished_treatment"], "recovered"
                ]
            ),
            name="denominator-finished-not-cases",
        ),
        Misconception(
            "This looks like the reliable improvement rate, not the recovery rate. Use the "
            "recovered column.",
            compute=lambda data: _percent(finished_cases(data)["reliable_improvement"]),
            name="reliable-improvement-not-recovery",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 3: recovery by decile, and reading the chart.
# --------------------------------------------------------------------------------------------


def _by_decile(table: pd.DataFrame, column: str = "recovered") -> pd.Series:
    return table.groupby("imd_decile")[column].mean() * 100


q3 = TableExercise(
    "q3",
    variable="recovery_by_decile",
    prompt="The recovery rate (a percentage) in each IMD decile.",
    expected=lambda data: _by_decile(finished_cases(data)),
    quantity="percentage",
    hints=[
        "Start from finished_cases, the referrals that count for recovery. Then split them "
        "into groups by the imd_decile column.",
        'finished_cases.groupby("imd_decile")["recovered"].mean() gives the share who '
        "recovered in each decile. Turn it into a percentage.",
        'Write finished_cases.groupby("imd_decile")["recovered"].mean() * 100.',
    ],
    misconceptions=[
        proportion_not_percentage(lambda data: _by_decile(finished_cases(data)) / 100, table=True),
        Misconception(
            "These look like counts of people who recovered, not rates. Use .mean() (the "
            "share who recovered) instead of .sum(), then multiply by 100.",
            compute=lambda data: finished_cases(data).groupby("imd_decile")["recovered"].sum(),
            name="count-not-rate",
        ),
        Misconception(
            "Your denominators seem to be every referral in each decile. Start from "
            "finished_cases: people who finished treatment and were at caseness.",
            compute=lambda data: _by_decile(data.talking_therapies),
            name="denominator-all-referrals",
        ),
        Misconception(
            _DENOMINATOR_NOT_CASES,
            compute=lambda data: _by_decile(
                data.talking_therapies[data.talking_therapies["finished_treatment"]]
            ),
            name="denominator-finished-not-cases",
        ),
    ],
)


def _direction(data: Any) -> str:
    rates = _by_decile(finished_cases(data))
    most, least = rates.reindex([1, 2]).mean(), rates.reindex([9, 10]).mean()
    return "a" if least > most else "b"


q3b = ChoiceExercise(
    "q3b",
    variable="answer_q3b",
    prompt="Looking at the chart, how does recovery change from decile 1 (most deprived) to "
    "decile 10 (least deprived)?",
    options={
        "a": "It tends to rise: people in less deprived areas recovered more often.",
        "b": "It tends to fall: people in less deprived areas recovered less often.",
        "c": "It stays about the same in every decile.",
    },
    answer=_direction,
    hints=[
        "Compare the bars on the left of the chart (deciles 1 and 2) with those on the right "
        "(deciles 9 and 10).",
        "Remember: decile 1 is the most deprived tenth of areas, decile 10 the least deprived.",
    ],
    misconceptions=[
        *(
            Misconception(
                "Check which end of the chart is which: decile 1, on the left, is the most "
                "deprived tenth of areas and decile 10, on the right, the least deprived.",
                value=key,
                name="wrong-direction",
            )
            for key in ("a", "b")
        ),
        Misconception(
            "Look again at the heights of the bars from left to right, and at the labels of "
            "the deciles. Is the gap between the two ends small?",
            value="c",
            name="no-difference",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 4: what an odds ratio means.
# --------------------------------------------------------------------------------------------

_MOST_DEPRIVED_TERM = f"C(imd_group)[T.{FIFTH_LABELS[1]}]"


def _odds_ratio_reading(data: Any) -> str:
    ratio = float(odds_ratios(data).loc[_MOST_DEPRIVED_TERM, "odds_ratio"])
    return "a" if ratio < 1 else "b"


q4 = ChoiceExercise(
    "q4",
    variable="answer_q4",
    prompt="What does the odds ratio for deprivation group 1-2 (most deprived) mean?",
    options={
        "a": "All else being equal (the same age group and ethnic group), people from the most "
        "deprived areas had lower odds of recovery than people from the least deprived areas.",
        "b": "All else being equal (the same age group and ethnic group), people from the most "
        "deprived areas had higher odds of recovery than people from the least deprived areas.",
        "c": "People from the most deprived areas are less able to benefit from therapy.",
        "d": "The model proves that deprivation itself causes the whole gap in recovery.",
    },
    answer=_odds_ratio_reading,
    hints=[
        "An odds ratio below 1 means lower odds than the reference group; above 1 means "
        "higher odds. The reference group for deprivation is 9-10 (least deprived).",
        "A model describes differences in the data. Does it say anything about people's "
        "ability, or prove a cause?",
    ],
    misconceptions=[
        *(
            Misconception(
                "Check the direction. Find the odds ratio for 1-2 (most deprived) in the table "
                "and compare it with 1: below 1 means lower odds than the reference group, "
                "above 1 means higher odds.",
                value=key,
                name="wrong-direction",
            )
            for key in ("a", "b")
        ),
        Misconception(
            "The model compares groups; it says nothing about what people are able to do. "
            "Blaming the people who recover less often hides the causes that lie with services "
            "and living conditions. Choose the sentence that only describes the comparison.",
            value="c",
            name="blames-the-group",
        ),
        Misconception(
            "A model like this describes differences, all else in the model being equal. It "
            "cannot prove a cause, and things not in the model (such as the type of therapy "
            "offered) may explain part of the gap.",
            value="d",
            name="proves-a-cause",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 5: a written answer.
# --------------------------------------------------------------------------------------------

q5 = FreeTextExercise(
    "q5",
    prompt="Reply to the claim that talking therapies work less well for people from ethnic "
    "minority groups.",
    model_answer=(
        "The crude recovery rates do differ, but that does not show that therapy works less "
        "well for anyone. Part of the gap reflects deprivation: people from many ethnic "
        "minority groups are more likely to live in deprived areas, where recovery is lower "
        "for everyone. Once the model takes deprivation and age into account, the odds ratios "
        "move closer to 1, although some gap remains. The remaining gap points to the service, "
        "not the people: whether therapy is offered in the right language or adapted to "
        "people's culture, whether people face racism, and who gets referred. The numbers are "
        "also uncertain: some groups are small, so the confidence intervals are wide, and "
        "ethnicity is not recorded for some people. I would ask the service to look at these "
        "causes with the communities involved."
    ),
    hints=[
        "Think about what else differs between ethnic groups, such as where people live.",
        "Think about what a service could change, and about how sure we can be of small "
        "groups' figures.",
    ],
)
