"""A learner who loads another seed is checked against that data, and told so."""

from __future__ import annotations

import contextlib
import io

import pytest

import mhtrain
from mhtrain.checks import CORRECT, NOT_YET, lesson00, lesson03
from mhtrain.checks.core import state

SEED = 7


@pytest.fixture(scope="module")
def own_data():
    return mhtrain.generate("default", population=50_000, seed=SEED)


def _run(code: str, namespace: dict) -> dict:
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        exec(code, namespace)
    namespace["printed"] = printed.getvalue()
    return namespace


LESSON3_Q1 = """
black_rate = by_group.loc["Black", "detentions"] / by_group.loc["Black", "residents"]
white_rate = by_group.loc["White", "detentions"] / by_group.loc["White", "residents"]
rate_ratio_black = black_rate / white_rate
result = ex.q1.check(rate_ratio_black)
"""


def test_right_answers_from_the_learners_own_seed_are_correct(own_data, monkeypatch):
    course = mhtrain.load()
    monkeypatch.setattr(state._STATE, "loaded", course)  # the course data is also loaded
    by_group = lesson03.detentions_by_group(own_data)
    namespace = _run(LESSON3_Q1, {"data": own_data, "ex": lesson03, "by_group": by_group})
    assert namespace["result"].status == CORRECT, namespace["printed"]
    assert f"seed {SEED}" in namespace["printed"]
    # The same right answer would not be right for the course data: the check really used
    # the learner's own dataset.
    assert lesson03.q1.evaluate(namespace["rate_ratio_black"], data=course).status == NOT_YET


def test_a_dataset_under_another_name_is_found_too(own_data):
    code = (
        "percent_in_contact = len(my_data.people) / my_data.population['residents'].sum() * 100\n"
        "result = ex.q1.check(percent_in_contact)\n"
    )
    namespace = _run(code, {"my_data": own_data, "ex": lesson00})
    assert namespace["result"].status == CORRECT
    assert "seed 7, 50,000 residents" in namespace["printed"]


def test_the_course_dataset_is_checked_without_a_note():
    data = mhtrain.load()
    code = (
        "percent_in_contact = len(data.people) / data.population['residents'].sum() * 100\n"
        "result = ex.q1.check(percent_in_contact)\n"
    )
    namespace = _run(code, {"data": data, "ex": lesson00})
    assert namespace["result"].status == CORRECT
    assert "own dataset" not in namespace["printed"]


def test_use_dataset_still_decides_when_it_is_set(own_data):
    course = mhtrain.load()
    code = "result = ex.q1.check(6.6)\n"  # right for the course data only
    with state.use_dataset(course):
        namespace = _run(code, {"data": own_data, "ex": lesson00})
    assert namespace["result"].status == CORRECT


def test_a_messy_copy_is_not_taken_for_the_learners_data(own_data):
    messy = mhtrain.load(messy=True)
    assert state.dataset_in({"messy": messy, "data": own_data}) is own_data
    assert state.dataset_in({"messy": messy}) is None
