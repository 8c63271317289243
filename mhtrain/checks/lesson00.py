"""Checks for lesson 0, Getting started: a first percentage, synthetic data, a short reflection."""

from __future__ import annotations

from typing import Any

from mhtrain.checks import (
    ChoiceExercise,
    FreeTextExercise,
    Misconception,
    NumberExercise,
)
from mhtrain.checks._shared import proportion_not_percentage, upside_down


def _people_in_contact(data: Any) -> int:
    return len(data.people)


def _residents(data: Any) -> float:
    return float(data.population["residents"].sum())


q1 = NumberExercise(
    "q1",
    variable="percent_in_contact",
    prompt="What percentage of residents were in contact with mental health services in the year?",
    expected=lambda data: _people_in_contact(data) / _residents(data) * 100,
    quantity="percentage",
    hints=[
        "A percentage answers: out of every 100 residents, how many? Start with the number of "
        "people in contact, then compare it with the number of residents.",
        "Divide people_in_contact by residents. That gives a proportion: a number between 0 and 1.",
        "Turn the proportion into a percentage by multiplying it by 100. In Python, divide with / "
        "and multiply with *.",
    ],
    misconceptions=[
        Misconception(
            "This is the number of people in contact, not a percentage. Divide it by the "
            "number of residents, then multiply by 100.",
            compute=_people_in_contact,
            name="count-not-percentage",
        ),
        proportion_not_percentage(lambda data: _people_in_contact(data) / _residents(data)),
        Misconception(
            "This looks like a rate per 100,000 residents, not a percentage. A percentage is "
            "out of every 100 residents, so multiply the proportion by 100.",
            compute=lambda data: _people_in_contact(data) / _residents(data) * 100_000,
            name="per-100000-not-percentage",
        ),
        upside_down(
            lambda data: _residents(data) / _people_in_contact(data) * 100,
            top="the people in contact",
            bottom="the residents",
        ),
    ],
)

q2 = ChoiceExercise(
    "q2",
    variable="answer_q2",
    prompt="Which sentence describes the data used in this course?",
    options={
        "a": "They are real NHS records with the names taken out.",
        "b": "They were made by a computer program, with patterns planted to match published "
        "statistics.",
        "c": "They are a small random sample of real patients who agreed to share their records.",
    },
    answer="b",
    hints=[
        "Look back at the section called 'What synthetic data are'.",
        "Ask yourself: is any real person in these records at all?",
    ],
    misconceptions=[
        Misconception(
            "Taking names out of real records does not make them synthetic: the records would "
            "still be about real people. Read 'What synthetic data are' again.",
            value="a",
            name="deidentified-not-synthetic",
        ),
        Misconception(
            "Even with consent, a sample of real records is still about real people. Read "
            "'What synthetic data are' again: is anyone real in these data?",
            value="c",
            name="sample-not-synthetic",
        ),
    ],
)

q3 = FreeTextExercise(
    "q3",
    prompt="Why does it matter that the course data are synthetic?",
    model_answer=(
        "Because no real person is in the data, we can share them, look at every row and make "
        "mistakes without any risk to anyone's privacy. And because the patterns were planted, "
        "the course knows the right answers and can check our methods. But the numbers are not "
        "facts about real people or real services: to say something about the NHS, we should "
        "quote the published statistics the patterns came from."
    ),
    hints=[
        "Think about privacy: who could be harmed if these were real records?",
        "Think about what you can and cannot say from a number in these data.",
    ],
)
