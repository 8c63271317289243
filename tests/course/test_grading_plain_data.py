"""Answers read out of a learner's kernel as plain data: does the grader judge them as the
kernel would have judged the original values?

Every declared exercise of every lesson (but lesson 10, whose checks read files the lesson
writes) is judged on the course dataset twice: once with the value itself and once with the
value after the round trip the grader uses (:func:`plain_data` in the kernel, JSON, then
:func:`decode`). The reference answer and each known misconception must get the same verdict
and the same misconception name both ways. Objects that are not plain data are refused.
"""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pandas as pd
import pytest

import mhtrain
from mhtrain.checks import FreeTextExercise
from mhtrain.course.lessons import lesson_id, lesson_sources
from mhtrain.course.nbgrader import marking
from mhtrain.errors import MhtrainError

_SKIP = "10-"


def _exercises():
    """Each lesson's exercises, found the way the grader finds them (from the lesson's id)."""
    for path in lesson_sources():
        lesson = lesson_id(path)
        if lesson.startswith(_SKIP):
            continue
        found = marking.exercises_of({"nbgrader": {"assignment": lesson}})
        assert found, lesson
        for exercise in found.values():
            if not isinstance(exercise, FreeTextExercise):
                yield pytest.param(exercise, id=f"{lesson[:2]}.{exercise.id}")


@pytest.fixture(scope="module")
def data():
    return mhtrain.load()


def _round_trip(value):
    return marking.decode(json.loads(json.dumps(marking.plain_data(value))))


@pytest.mark.parametrize("exercise", list(_exercises()))
def test_the_grader_judges_a_round_tripped_answer_as_the_original(exercise, data):
    values = [exercise.expected(data=data)]
    values += [m.wrong_value(data) for m in exercise.misconceptions]
    for value in values:
        before = exercise.evaluate(value, data=data)
        after = exercise.evaluate(_round_trip(value), data=data)
        assert (after.status, after.misconception) == (before.status, before.misconception), (
            type(value).__name__,
            before.message,
            after.message,
        )


def test_shapes_survive_the_round_trip():
    frame = pd.DataFrame(
        {"rate": [1.5, 2.25], "n": [3, 4]},
        index=pd.MultiIndex.from_tuples([("a", "x"), ("b", "y")], names=["group", "band"]),
    )
    series = pd.Series([0.5, 1.0], index=pd.Index(["Black", "White"], name="group"), name="r")
    pd.testing.assert_frame_equal(_round_trip(frame), frame)
    pd.testing.assert_series_equal(_round_trip(series), series)
    assert _round_trip((6, 6)) == (6, 6)  # a tuple stays a tuple: its own misconception
    assert _round_trip(["b"]) == ["b"]
    assert _round_trip({"a": 1.5}) == {"a": 1.5}
    assert _round_trip(np.float64(2.5)) == 2.5 and isinstance(
        _round_trip(np.float64(2.5)), np.float64
    )
    assert np.isnan(_round_trip(float("nan")))
    assert _round_trip(None) is None and _round_trip(...) is Ellipsis


class Always:
    def __eq__(self, other):
        return True


class Float(float):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value", [Always(), Float(1.0), [1.0, Always()], {"a": Always()}])
def test_an_object_that_is_not_plain_data_is_refused_with_its_type(value):
    decoded = _round_trip(value)
    assert isinstance(decoded, marking.NotPlainData)
    assert decoded.type_name in {"Always", "Float"}


def test_a_not_plain_answer_is_marked_as_the_wrong_form(data):
    from mhtrain.checks import lesson00

    encoded = json.loads(json.dumps(marking.plain_data(Always())))
    result = marking.judge(lesson00.q1, encoded, data)
    assert result.status == "not yet"
    assert result.misconception == "not-plain-data"
    assert "type Always, which marking cannot read" in result.message
    assert marking.judge(lesson00.q1, None, data).misconception == "not-plain-data"
    missing = marking.judge(lesson00.q1, {"kind": "missing"}, data)
    assert missing.status == "not attempted"


def test_the_kernel_reply_is_read_only_between_this_runs_markers():
    marker = marking.new_marker()
    assert marker != marking.new_marker()
    printed = io.StringIO()
    namespace = {"answer": 6.6, "__builtins__": __builtins__}
    with contextlib.redirect_stdout(printed):
        exec(marking.kernel_query(["answer", "other"], marker).replace("globals()", "ns"),
             {"ns": namespace, "__builtins__": __builtins__})  # fmt: skip
    reply = marking.read_reply(printed.getvalue(), marker)
    assert reply == {"answer": {"kind": "value", "value": 6.6}, "other": {"kind": "missing"}}
    assert set(namespace) == {"answer", "__builtins__"}  # the learner's names are untouched
    forged = 'mhtrain-marking-0{"answer": {"kind": "value", "value": 1}}mhtrain-marking-0'
    with pytest.raises(MhtrainError):
        marking.read_reply(forged, marker)
    with pytest.raises(MhtrainError):
        marking.read_reply(printed.getvalue() * 2, marker)


def _test_cell(source: str):
    import nbformat

    meta = {"nbgrader": {"grade": True, "solution": False, "locked": True, "points": 1,
                         "grade_id": "q2-test", "schema_version": 3}}  # fmt: skip
    return nbformat.v4.new_code_cell(source, metadata=meta)


@pytest.mark.parametrize(
    ("source", "decided"),
    [
        ("# Test cell\nex.q1.grade(percent_in_contact)", ("q1", "percent_in_contact")),
        (
            "ex.q2.assert_answered(answer_q2)\n### BEGIN HIDDEN TESTS\nex.q2.grade(answer_q2)\n"
            "### END HIDDEN TESTS",
            ("q2", "answer_q2"),
        ),
        ("ex.q3.grade()", ("q3", None)),
        ("ex.q2.assert_answered(answer_q2)", None),  # nothing to decide: no grade() call
        ("ex.q2.grade(answer_q2)\nassert answer_q2 != 'a'", None),  # a test of its own
        ("ex.q1.grade(answer)\nex.q2.grade(answer)", None),  # two exercises in one cell
        ("ex.q1.grade(table.loc['Black'])", None),  # not a variable
        ("ex.q1.grade(x, data=other)", None),
        ("ex.q1.grade(", None),
    ],
)
def test_the_grader_decides_only_test_cells_that_just_call_grade(source, decided):
    assert marking.grader_call(_test_cell(source)) == decided
