"""Every declared exercise of every lesson, on the course dataset: the reference answer is
Correct, the placeholder is Not attempted, and each known misconception is Not yet with its own
message and without the expected value in the text."""

from __future__ import annotations

import importlib
import math
import pkgutil

import pandas as pd
import pytest

import mhtrain
import mhtrain.checks
from mhtrain.checks import Exercise, FreeTextExercise, NumberExercise, use_dataset

# Lesson 10's checks read the Parquet files the lesson itself writes; its own tests cover it.
_SKIP = {"lesson10"}


def _exercises():
    for info in sorted(pkgutil.iter_modules(mhtrain.checks.__path__), key=lambda i: i.name):
        if not info.name.startswith("lesson") or info.name in _SKIP:
            continue
        module = importlib.import_module(f"mhtrain.checks.{info.name}")
        for name, obj in vars(module).items():
            if isinstance(obj, Exercise):
                yield pytest.param(obj, id=f"{info.name}.{name}")


EXERCISES = list(_exercises())


@pytest.fixture(scope="module", autouse=True)
def course_data():
    data = mhtrain.load()
    with use_dataset(data):
        yield data


def test_every_lesson_declares_exercises():
    lessons = {p.id.split(".")[0] for p in EXERCISES}
    assert len(lessons) >= 10


@pytest.mark.parametrize("exercise", EXERCISES)
def test_placeholder_is_not_attempted(exercise):
    for placeholder in (..., None):
        assert exercise.evaluate(placeholder).status == "not attempted"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_reference_answer_is_correct(exercise):
    if isinstance(exercise, FreeTextExercise):
        pytest.skip("written answers are marked by a tutor")
    result = exercise.evaluate(exercise.expected())
    assert result.status == "correct", result.message


def _number_forms(value) -> list[str]:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return []
    forms = {f"{value:.3f}", f"{value:.2f}", f"{value:,.2f}"}
    if abs(value) >= 10:
        forms |= {f"{value:.1f}", f"{value:,.1f}"}
    return [f for f in forms if f not in {"0.00", "0.000", "1.00", "1.000"}]


def _same(a, b) -> bool:
    try:
        if isinstance(a, pd.Series | pd.DataFrame) or isinstance(b, pd.Series | pd.DataFrame):
            return bool(
                pd.DataFrame(a)
                .reset_index(drop=True)
                .equals(pd.DataFrame(b).reset_index(drop=True))
            )
        return bool(a == b)
    except (TypeError, ValueError):
        return False


@pytest.mark.parametrize("exercise", EXERCISES)
def test_each_misconception_gets_its_own_message_and_never_the_answer(exercise, course_data):
    expected = exercise.expected()
    checked = 0
    for m in exercise.misconceptions:
        wrong = m.wrong_value(course_data)
        if _same(wrong, expected):
            continue  # this dataset happens to make the mistake harmless
        result = exercise.evaluate(wrong)
        assert result.status == "not yet", (m.name, result.message)
        assert m.message in result.message, (m.name, result.message)
        if isinstance(exercise, NumberExercise):
            for form in _number_forms(float(expected)):
                assert form not in result.message, (m.name, form)
        checked += 1
    if exercise.misconceptions:
        assert checked, "no misconception could be told apart from the right answer"
