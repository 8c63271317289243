"""Checks for lesson 11, the capstone: a chosen question, and written parts a tutor marks."""

from __future__ import annotations

from typing import Any

from mhtrain.checks import (
    CORRECT,
    CheckResult,
    ChoiceExercise,
    FreeTextExercise,
)

QUESTIONS = {
    "a": "Detention and deprivation by area.",
    "b": "Restrictive interventions by ethnic group.",
    "c": "NHS Talking Therapies for older people.",
}


class _AnyChoice(ChoiceExercise):
    """A choice with no wrong option: any of the options is a right answer."""

    def _judge(self, key: str, data: Any) -> CheckResult:
        return self._result(
            CORRECT,
            f"you chose question {key.upper()}: {self.options[key]} Now write your plan.",
        )


q1 = _AnyChoice(
    "q1",
    variable="my_question",
    prompt="Which of the three questions will you investigate?",
    options=QUESTIONS,
    answer="a",  # every option is accepted; this key only satisfies the base class
    hints=[
        "Pick the question that matters most to you, or to the people you work with. Any of "
        "the three is fine.",
    ],
)

q2 = FreeTextExercise(
    "q2",
    prompt="Your plan: the question, the measure, the comparison, the methods and the limits.",
    model_answer=(
        "Question: are people who live in more deprived neighbourhoods detained under the "
        "Mental Health Act more often, and is the gap the same in every area? Measure: "
        "detentions in the year per 100,000 residents (numerator: detentions in "
        "mha_detentions, linked to people for the person's decile, age band and area; "
        "denominator: residents in population). Comparison: each IMD decile against the "
        "least deprived decile (10). Methods: crude rates with 95% confidence intervals; "
        "age-standardised rates (2013 European Standard Population), because deprived areas "
        "may have younger residents and detention varies with age; the ratio of the most to "
        "the least deprived decile; and rate ratios within each area, more against less "
        "deprived half. Limits: the data are synthetic; decile is of the neighbourhood, not "
        "the person; counts in some areas are small; a rate ratio says nothing about causes."
    ),
    hints=[
        "Say what you will count (the numerator) and who could have been counted (the "
        "denominator).",
        "Say what you will compare with what, which methods you will use and why, and what "
        "could make the answer wrong.",
    ],
)

q5 = FreeTextExercise(
    "q5",
    prompt="A briefing of about 250 words for the people who run the service.",
    model_answer=(
        "Detention and deprivation, 2023-24 (synthetic data). People living in the most "
        "deprived tenth of neighbourhoods were detained under the Mental Health Act much "
        "more often than people in the least deprived tenth, even after allowing for "
        "differences in age (the analysis gives the ratio and its confidence interval). "
        "Rates rose steadily with deprivation, and the gap is much larger than chance would "
        "explain. The gap was seen in most areas, but in some the numbers are too small to "
        "be sure. This mirrors the published national pattern (Mental Health Act Statistics "
        "2019-20). The figures do not tell us why. Possible reasons lie across the system: "
        "poverty and insecure housing add stress, community support may be harder to reach "
        "before a crisis, and services in deprived areas may be stretched. Questions for the "
        "service: how do people in the most deprived areas first reach care, and how often "
        "in a crisis? Are community teams and crisis alternatives as easy to reach there? "
        "What do people who use the service, and local voluntary groups, say gets in the "
        "way? Suggested next steps: look at routes into care and waiting times by "
        "deprivation, and meet local experts by experience. Counts from 1 to 7 are hidden in "
        "the tables attached and other counts are rounded to 5."
    ),
    hints=[
        "Start with the finding in one sentence: who, what, how big, compared with whom.",
        "Then: how sure you are, what it does not show, possible structural causes, and two or "
        "three questions for the service.",
    ],
)

q6 = FreeTextExercise(
    "q6",
    prompt="Reflection: what would you do differently with real data, and who would you involve?",
    model_answer=(
        "With real data I would first check the lawful basis and get approval, work in a "
        "secure setting and share only aggregated tables with small numbers hidden. I would "
        "check data quality more carefully, for example how ethnic group and address are "
        "recorded, because I could not compare with a known truth. And I would involve "
        "people with lived experience from the start, to shape the question and to read the "
        "findings before they are shared, so that the briefing does not stigmatise the "
        "people it is about."
    ),
    hints=[
        "Think about privacy and approval, data quality, and the people in the data.",
    ],
)
