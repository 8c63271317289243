"""Tests of lesson 0's checks against a small dataset whose answers are known by hand."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from mhtrain.checks import CORRECT, NOT_ATTEMPTED, NOT_YET, RECEIVED
from mhtrain.checks import lesson00 as ex


@pytest.fixture
def data():
    """30 people in contact among 6,000 residents: 0.5% of residents."""
    people = pd.DataFrame({"person_id": [f"P{i:03d}" for i in range(30)]})
    population = pd.DataFrame({"area_code": ["SYN01", "SYN02"], "residents": [4000, 2000]})
    return SimpleNamespace(people=people, population=population)


def test_q1_right_percentage_is_correct(data):
    assert ex.q1.evaluate(0.5, data=data).status == CORRECT


def test_q1_worked_solution_gives_a_correct_answer(data):
    namespace = {"people_in_contact": 30, "residents": 6000}
    exec(ex.q1.solution_text, namespace)
    assert ex.q1.evaluate(namespace["percent_in_contact"], data=data).status == CORRECT


@pytest.mark.parametrize(
    ("answer", "misconception"),
    [
        (30, "count-not-percentage"),
        (0.005, "proportion-not-percentage"),
        (500, "per-100000-not-percentage"),
        (20_000, "upside-down"),
    ],
)
def test_q1_misconceptions_are_named(data, answer, misconception):
    result = ex.q1.evaluate(answer, data=data)
    assert result.status == NOT_YET
    assert result.misconception == misconception
    assert "0.5" not in result.message


def test_q1_placeholder_is_not_attempted(data):
    assert ex.q1.evaluate(..., data=data).status == NOT_ATTEMPTED


@pytest.mark.parametrize(
    "answer",
    [
        "b",
        "B",
        "They were made by a computer program, with patterns "
        "planted to match published statistics.",
    ],
)
def test_q2_right_choice_is_correct(answer):
    assert ex.q2.evaluate(answer, data=object()).status == CORRECT


@pytest.mark.parametrize(
    ("answer", "name"), [("a", "deidentified-not-synthetic"), ("c", "sample-not-synthetic")]
)
def test_q2_wrong_choices_explain_without_giving_the_answer(answer, name):
    result = ex.q2.evaluate(answer, data=object())
    assert result.status == NOT_YET
    assert result.misconception == name
    assert '"b"' not in result.message and "b)" not in result.message


def test_q3_written_answer_is_received_not_marked():
    assert ex.q3.check().status == RECEIVED
    assert "model answer" in ex.q3.check().message
    assert "no real person" in ex.q3.solution().lower()


def test_every_hint_sequence_ends_by_pointing_to_the_solution():
    for exercise in (ex.q1, ex.q2, ex.q3):
        last = exercise.hint(len(exercise.hints))
        assert "solution()" in last
