"""Every auto-checked exercise, judged as a good tutor would on realistic answers.

The answers live in data tables, one per lesson (``tests/checks/answers/lessonNN.py``): right
answers written the ways learners write them must be Correct; wrong answers must be Not yet
(or Not attempted) with the named reason. No message may give the expected value away.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import answers as answer_tables
import numpy as np
import pandas as pd
import pytest
from lesson_namespace import lesson_namespace

import mhtrain.checks
from mhtrain.checks import CORRECT, NOT_ATTEMPTED, NOT_YET, FreeTextExercise, exercises_in

MIN_RIGHT = MIN_WRONG = 5


def _tables() -> dict[str, Any]:
    return {
        info.name: importlib.import_module(f"{answer_tables.__name__}.{info.name}")
        for info in pkgutil.iter_modules(answer_tables.__path__)
        if info.name.startswith("lesson")
    }


TABLES = _tables()


def _cases():
    for lesson, table in sorted(TABLES.items()):
        for qid, entry in table.ANSWERS.items():
            for i, code in enumerate(entry.get("right", [])):
                yield pytest.param(lesson, qid, code, None, id=f"{lesson}.{qid}.right{i}")
            for i, (code, reason) in enumerate(entry.get("wrong", [])):
                yield pytest.param(lesson, qid, code, reason, id=f"{lesson}.{qid}.wrong{i}")


_NAMESPACES: dict[str, dict] = {}


def _namespace(lesson: str) -> dict:
    if lesson not in _NAMESPACES:
        namespace = {"np": np, "pd": pd}
        if getattr(TABLES[lesson], "RUN_LESSON", True):
            edit = getattr(TABLES[lesson], "EDIT_DATA", None)
            namespace.update(lesson_namespace(int(lesson.removeprefix("lesson")), edit))
        setup = getattr(TABLES[lesson], "SETUP", "")
        if setup:
            exec(setup, namespace)
        _NAMESPACES[lesson] = namespace
    return _NAMESPACES[lesson]


def _answer(code: Any, namespace: dict, variable: str | None) -> Any:
    if not isinstance(code, str):
        return code  # a plain value, as typed
    local = dict(namespace)
    try:
        return eval(compile(code, "<answer>", "eval"), local)
    except SyntaxError:
        exec(compile(code, "<answer>", "exec"), local)
        return local[variable]


def _exercise(lesson: str, qid: str):
    return exercises_in(importlib.import_module(f"mhtrain.checks.{lesson}"))[qid]


@pytest.mark.parametrize(("lesson", "qid", "code", "reason"), list(_cases()))
def test_answer_is_judged_as_a_tutor_would(lesson, qid, code, reason):
    namespace = _namespace(lesson)
    exercise = _exercise(lesson, qid)
    if callable(code):  # a template written from the reference value (answers.Typed)
        code = code(exercise.expected(data=namespace["data"]), namespace)
    answer = _answer(code, namespace, exercise.variable)
    result = exercise.evaluate(answer, data=namespace["data"])
    if reason is None:
        assert result.status == CORRECT, f"{code!r}: {result.message}"
        return
    assert result.status in {NOT_YET, NOT_ATTEMPTED}, f"{code!r}: {result.message}"
    assert result.misconception == reason, f"{code!r}: {result.message}"
    expected = exercise.expected(data=namespace["data"])
    if isinstance(expected, float) and abs(expected) >= 0.01:
        for shown in {f"{expected:.2f}", f"{expected:,.2f}", f"{expected:.3f}"}:
            assert shown not in result.message, f"the message gives away {shown}"


def test_every_auto_checked_exercise_has_enough_realistic_answers():
    short = []
    for info in pkgutil.iter_modules(mhtrain.checks.__path__):
        if not info.name.startswith("lesson"):
            continue
        module = importlib.import_module(f"mhtrain.checks.{info.name}")
        table = TABLES.get(info.name)
        for qid, exercise in exercises_in(module).items():
            if isinstance(exercise, FreeTextExercise):
                continue
            entry = table.ANSWERS.get(qid, {}) if table else {}
            right, wrong = len(entry.get("right", [])), len(entry.get("wrong", []))
            if right < MIN_RIGHT or wrong < MIN_WRONG:
                short.append(f"{info.name}.{qid}: {right} right, {wrong} wrong")
    assert not short, "too few realistic answers:\n" + "\n".join(short)


def test_every_wrong_answer_names_a_reason_the_checks_can_give():
    for lesson, table in TABLES.items():
        for qid, entry in table.ANSWERS.items():
            for _, reason in entry.get("wrong", []):
                assert isinstance(reason, str) and reason, f"{lesson}.{qid}"
