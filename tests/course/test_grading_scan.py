"""Does the scan name code that reaches into the checks, and leave honest work alone?"""

from __future__ import annotations

import nbformat
import pytest

from mhtrain.course.tutor.scan import checks_problem, reaches_into_checks

IMPORT = "from mhtrain.checks import lesson00 as ex"


def _found(code: str) -> list[str]:
    release = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(IMPORT)])
    submitted = nbformat.v4.new_notebook(cells=[*release.cells, nbformat.v4.new_code_cell(code)])
    return reaches_into_checks(submitted, release)


@pytest.mark.parametrize(
    ("code", "named"),
    [
        ("ex.q1.grade = lambda *a, **k: None", "sets ex.q1.grade"),
        ("setattr(ex.q1, 'grade', print)", "sets ex.q1 with setattr()"),
        ("del ex.q2.check", "sets ex.q2.check"),
        ("ex.q1.rel_tol = 1e9", "sets ex.q1.rel_tol"),
        (
            "from mhtrain.checks.core import base\nbase.Exercise.evaluate = None",
            "sets base.Exercise.evaluate",
        ),
        (
            "import mhtrain.checks as c\nc.ValueExercise._compare = None",
            "sets c.ValueExercise._compare",
        ),
        ("ex = None", "redefines ex"),
        ("class ex:\n    pass", "redefines ex"),
        ("from mhtrain.checks import lesson03 as ex", "redefines ex"),
        ("x = ex.q1.expected()", "asks for the reference answer (ex.q1.expected())"),
        ("x = ex.q1._reference(data)", "reads ex.q1._reference"),
        ("exec(ex.q1.solution_text)", "reads ex.q1.solution_text"),
        ("x = ex.q2._answer.__closure__", "reads ex.q2._answer.__closure__"),
        ("import inspect\ninspect.getsource(ex)", "reads code with inspect"),
        ("import importlib\nimportlib.reload(ex)", "reloads a module (importlib.reload)"),
        ("from mhtrain.checks import use_dataset\nuse_dataset(None)", "use_dataset"),
        ("import os\nos.environ['MHTRAIN_STUDENT'] = 'x'", "MHTRAIN_STUDENT"),
    ],
)
def test_each_reach_into_the_checks_is_named(code, named):
    found = _found(code)
    assert any(named in item for item in found), found
    assert named.split(" (")[0].split(" ")[0] in checks_problem(found)


@pytest.mark.parametrize(
    "code",
    [
        IMPORT,
        "ex.q1.check(percent_in_contact)",
        "ex.q1.hint()\nex.q1.hint(2)",
        "ex.q1.solution()",
        "ex.q2.show_options()",
        "percent_in_contact = people_in_contact / residents * 100",
        "expected = 6.6  # my own guess\nprint(expected)",
        "rates = table.assign(rate=table['n'] / table['residents'])",
    ],
)
def test_honest_work_is_not_named(code):
    assert _found(code) == []


def test_a_long_list_is_cut_short_in_the_grade_table():
    found = [f"sets ex.q{i}.grade" for i in range(9)]
    text = checks_problem(found)
    assert "ex.q4.grade; ..." in text and "ex.q5" not in text
    assert "no mark changed" in text
