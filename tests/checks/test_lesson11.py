"""Tests of lesson 11's checks: any question may be chosen; written parts are marked by a tutor."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mhtrain.checks import CORRECT, NOT_ATTEMPTED, NOT_YET, RECEIVED
from mhtrain.checks import lesson11 as ex
from mhtrain.course.build import read_lesson

LESSON = "notebooks/11-capstone.md"


@pytest.mark.parametrize("key", sorted(ex.QUESTIONS))
def test_q1_every_question_is_an_accepted_choice(key):
    for answer in (key, key.upper(), ex.QUESTIONS[key], f"Question {key.upper()}", f"({key})"):
        result = ex.q1.evaluate(answer, data=object())
        assert result.status == CORRECT
        assert f"question {key.upper()}" in result.message


def test_q1_the_worked_choice_is_accepted():
    namespace: dict = {}
    exec(ex.q1.solution_text, namespace)
    assert ex.q1.evaluate(namespace["my_question"], data=object()).status == CORRECT


@pytest.mark.parametrize("answer", ["d", "question d", 1])
def test_q1_an_answer_that_is_not_one_of_the_questions_is_not_yet(answer):
    result = ex.q1.evaluate(answer, data=object())
    assert result.status == NOT_YET
    assert '"a", "b" or "c"' in result.message


def test_q1_placeholder_is_not_attempted():
    assert ex.q1.evaluate(..., data=object()).status == NOT_ATTEMPTED


def _written_answers() -> dict[str, str]:
    nb = read_lesson(LESSON)
    return {
        c.metadata["nbgrader"]["grade_id"]: " ".join(c.source.split())
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
    }


@pytest.mark.parametrize(
    ("exercise", "grade_id"),
    [(ex.q2, "q2-plan"), (ex.q5, "q5-briefing"), (ex.q6, "q6-reflection")],
)
def test_written_parts_are_received_and_match_the_lesson(exercise, grade_id):
    assert exercise.check().status == RECEIVED
    assert " ".join(exercise.model_answer.split()) == _written_answers()[grade_id]


def test_capstone_marks_agree_with_the_steps_table_and_the_tutor_note():
    nb = read_lesson(LESSON)
    points = sum(
        c.metadata["nbgrader"].get("points", 0)
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    )
    text = Path(LESSON).read_text(encoding="utf-8")
    steps = re.findall(r"^\| (\d) \| [^|]+ \| (\d+) \|", text, flags=re.MULTILINE)
    assert [int(step) for step, _ in steps] == [1, 2, 3, 4, 5, 6]
    assert sum(int(marks) for _, marks in steps) == points
    assert f"out of {points} marks" in text


def test_analysis_and_chart_cells_are_marked_by_hand():
    nb = read_lesson(LESSON)
    manual_code = [
        c.metadata["nbgrader"]["grade_id"]
        for c in nb.cells
        if c.cell_type == "code"
        and c.metadata.get("nbgrader", {}).get("grade")
        and c.metadata["nbgrader"].get("solution")
    ]
    assert manual_code == ["q3-analysis", "q4-chart"]


def test_every_hint_sequence_ends_by_pointing_to_the_solution():
    for exercise in (ex.q1, ex.q2, ex.q5, ex.q6):
        assert "solution()" in exercise.hint(len(exercise.hints))
