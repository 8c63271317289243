"""Tests of lesson 1's checks (Meet the data) on a small generated dataset and hand-built tables."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from mhtrain.checks import CORRECT, NOT_ATTEMPTED, NOT_YET, RECEIVED, exercises_in
from mhtrain.checks import lesson01 as ex

LESSON = Path(__file__).resolve().parents[2] / "notebooks" / "01-meet-the-data.md"
SMALL_SEED = 11  # the small test dataset's seed, as named in tests/seeds.py


@pytest.fixture(scope="module")
def data():
    """A 60,000-resident dataset: every table has rows, and it is quick to make."""
    import mhtrain

    return mhtrain.generate(population=60_000, seed=SMALL_SEED)


def _roundings(value: float) -> list[str]:
    """Ways a learner might see the expected value written; none may appear in feedback."""
    forms = [f"{value:.1f}", f"{value:.2f}", f"{value:,.1f}"]
    if abs(value) >= 10:
        forms += [f"{value:.0f}", f"{value:,.0f}"]
    return forms


def _assert_hides(message: str, value: float) -> None:
    for form in _roundings(value):
        assert form not in message, f"feedback gives away the answer ({form}): {message}"


def _run_solution(exercise, data) -> object:
    namespace = {"data": data}
    exec(exercise.solution_text, namespace)
    return namespace[exercise.variable]


def _referrals(sources: list[str]) -> SimpleNamespace:
    frame = pd.DataFrame(
        {
            "referral_id": [f"R{i:03d}" for i in range(len(sources))],
            "referral_source": sources,
        }
    )
    people = pd.DataFrame({"person_id": [f"P{i:03d}" for i in range(len(sources) // 2)]})
    return SimpleNamespace(referrals=frame, people=people)


# ------------------------------------------------------------------------------------------
# Number exercises: right answers, placeholders and every misconception.
# ------------------------------------------------------------------------------------------

NUMBER_EXERCISES = [ex.q1, ex.q2, ex.q5]


@pytest.mark.parametrize("exercise", NUMBER_EXERCISES, ids=lambda e: e.id)
def test_worked_solution_is_correct(exercise, data):
    answer = _run_solution(exercise, data)
    assert exercise.evaluate(answer, data=data).status == CORRECT


@pytest.mark.parametrize("exercise", NUMBER_EXERCISES, ids=lambda e: e.id)
def test_placeholder_is_not_attempted(exercise, data):
    assert exercise.evaluate(..., data=data).status == NOT_ATTEMPTED


@pytest.mark.parametrize(
    ("exercise", "misconception"),
    [(e, m) for e in NUMBER_EXERCISES for m in e.misconceptions],
    ids=lambda x: getattr(x, "id", None) or getattr(x, "name", None),
)
def test_each_misconception_is_named_without_the_answer(exercise, misconception, data):
    wrong = misconception.wrong_value(data)
    result = exercise.evaluate(wrong, data=data)
    assert result.status == NOT_YET
    assert result.misconception == misconception.name
    _assert_hides(result.message, exercise.expected(data=data))


def test_q1_counts_people_not_referrals(data):
    """Do people with several referrals make the referral count differ from the answer?"""
    assert len(data.referrals) > len(data.people)
    assert ex.q1.evaluate(data.people["person_id"].nunique(), data=data).status == CORRECT


def test_q2_adds_up_residents_rather_than_counting_rows(data):
    total = int(data.population["residents"].sum())
    assert ex.q2.evaluate(total, data=data).status == CORRECT
    assert ex.q2.evaluate(float(total), data=data).status == CORRECT
    assert ex.q2.evaluate(total - 1, data=data).status == NOT_YET


def test_q5_share_matches_a_hand_count():
    """Two police referrals out of eight are 25%; courts are not police."""
    toy = _referrals(["E1", "E1", "E2", "A1", "A1", "A1", "B1", "H1"])
    assert ex.q5.expected(data=toy) == pytest.approx(25.0)
    assert ex.q5.evaluate(25, data=toy).status == CORRECT
    added_courts = ex.q5.evaluate(37.5, data=toy)
    assert added_courts.misconception == "added-courts"
    assert ex.q5.evaluate(0.25, data=toy).misconception == "proportion-not-percentage"
    assert ex.q5.evaluate(2, data=toy).misconception == "count-not-percentage"
    assert ex.q5.evaluate(50, data=toy).misconception == "divided-by-people"


def test_q5_accepts_a_rounded_percentage(data):
    expected = ex.q5.expected(data=data)
    assert ex.q5.evaluate(round(expected, 1), data=data).status == CORRECT
    assert ex.q5.evaluate(round(expected, 2), data=data).status == CORRECT
    assert ex.q5.evaluate(expected + 0.2, data=data).status == NOT_YET


def test_q5_text_answer_is_judged_and_told_to_drop_the_quote_marks(data):
    expected = ex.q5.expected(data=data)
    written = f"{expected:.2g}"  # the 2 significant figures a percentage may be rounded to
    result = ex.q5.evaluate(written, data=data)
    assert result.status == CORRECT
    assert "no quote marks" in result.message
    wrong = ex.q5.evaluate(f"{expected + 1.2:.2g}", data=data)
    assert wrong.status == NOT_YET and "no quote marks" in wrong.message


# ------------------------------------------------------------------------------------------
# Multiple choice.
# ------------------------------------------------------------------------------------------

FIXED_CHOICES = [(ex.q1b, "b"), (ex.q2b, "b"), (ex.q3, "b"), (ex.q4, "b")]


@pytest.mark.parametrize(("exercise", "key"), FIXED_CHOICES, ids=lambda x: getattr(x, "id", x))
def test_right_choice_is_correct_by_letter_or_text(exercise, key, data):
    assert exercise.evaluate(key, data=data).status == CORRECT
    assert exercise.evaluate(key.upper(), data=data).status == CORRECT
    assert exercise.evaluate(exercise.options[key], data=data).status == CORRECT
    assert _run_solution(exercise, data) == key


@pytest.mark.parametrize(("exercise", "key"), FIXED_CHOICES, ids=lambda x: getattr(x, "id", x))
def test_every_wrong_choice_is_explained_without_the_right_letter(exercise, key, data):
    for option in exercise.options:
        if option == key:
            continue
        result = exercise.evaluate(option, data=data)
        assert result.status == NOT_YET
        assert result.misconception is not None
        assert f'"{key}"' not in result.message and f"{key})" not in result.message


@pytest.mark.parametrize("exercise", [ex.q1b, ex.q2b, ex.q3, ex.q4, ex.q5b], ids=lambda e: e.id)
def test_choice_placeholder_and_non_options(exercise, data):
    assert exercise.evaluate(..., data=data).status == NOT_ATTEMPTED
    assert exercise.evaluate("z", data=data).status == NOT_YET
    assert exercise.evaluate(2, data=data).status == NOT_YET


@pytest.mark.parametrize(
    ("police", "others", "band"),
    [(1, 19, "a"), (3, 17, "b"), (5, 15, "b"), (6, 14, "c")],
)
def test_q5b_right_band_follows_the_data(police, others, band):
    """5%, 15%, 25% (the edge of 1 in 4) and 30% of referrals from the police."""
    toy = _referrals(["E1"] * police + ["A1"] * others)
    assert ex.q5b.expected(data=toy) == band
    assert ex.q5b.evaluate(band, data=toy).status == CORRECT
    wrong = next(k for k in ex.q5b.options if k != band)
    result = ex.q5b.evaluate(wrong, data=toy)
    assert result.status == NOT_YET
    assert f'"{band}"' not in result.message


def test_q5b_solution_matches_the_generated_data(data):
    assert ex.q5b.evaluate(_run_solution(ex.q5b, data), data=data).status == CORRECT


# ------------------------------------------------------------------------------------------
# The written answer, hints and the lesson text.
# ------------------------------------------------------------------------------------------


def test_q6_written_answer_is_received_not_marked():
    assert ex.q6.check().status == RECEIVED
    assert "model answer" in ex.q6.check().message
    assert "who got care" in ex.q6.solution().lower()


def test_q6_model_answer_is_the_one_in_the_lesson():
    from mhtrain.course.build import read_lesson

    nb = read_lesson(LESSON)
    [written] = [
        c
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
    ]
    assert " ".join(written.source.split()) == " ".join(ex.q6.model_answer.split())


def test_every_hint_sequence_ends_by_pointing_to_the_solution():
    for exercise in exercises_in(ex).values():
        last = exercise.hint(len(exercise.hints))
        assert "solution()" in last


def test_every_exercise_in_the_module_is_used_by_the_lesson():
    text = LESSON.read_text(encoding="utf-8")
    for exercise_id in exercises_in(ex):
        assert f"ex.{exercise_id}.check(" in text


def test_lesson1_is_easy_to_read():
    from mhtrain.course.readability import TARGET, flesch_reading_ease, prose

    assert "BEGIN SOLUTION" not in prose(LESSON)
    assert "Tutor note" not in prose(LESSON)
    assert flesch_reading_ease(LESSON) >= TARGET


def test_lesson1_opens_and_closes_as_the_style_guide_asks():
    text = LESSON.read_text(encoding="utf-8")
    assert text.split("---", 2)[2].lstrip().startswith("# 1. Meet the data")
    for heading in (
        "**Content note.**",
        "**Who this is for:**",
        "**Time needed:**",
        "**What you will learn.**",
        "## Key points",
        "## Reflection",
    ):
        assert heading in text
    assert "No real\nperson is in them." in text or "No real person is in them." in text
    assert "../data-dictionary.md" in text
    assert "mhtrain describe" in text
