"""A marked course and a formative course: what the checks in a learner's kernel give away.

In a marked course no route in the kernel hands over a reference (the public ones and the
checks' inner ones), while the number and table checks still say Correct or Not yet, and a
multiple-choice check only says the answer was recorded. A formative course says right or
wrong at once for every kind. The grader's own process judges in full whatever the mode.
"""

from __future__ import annotations

import pytest

import mhtrain
from mhtrain import settings
from mhtrain.checks import lesson00, lesson03, set_course_mode
from mhtrain.checks.core.state import course_mode, grader_judging
from mhtrain.course.nbgrader.config import CourseOptions, course_config, course_config_file_text
from mhtrain.errors import MhtrainError


@pytest.fixture(scope="module")
def data():
    return mhtrain.load()


@pytest.fixture
def marked():
    set_course_mode("marked")
    yield
    set_course_mode(None)


@pytest.fixture
def formative():
    set_course_mode("formative")
    yield
    set_course_mode(None)


def _routes(data):
    q1, q2 = lesson00.q1, lesson00.q2
    return {
        "expected": lambda: q1.expected(data=data),
        "solution_text": lambda: q1.solution_text,
        "_reference": lambda: q1._reference(data),
        "_expected": lambda: q1._expected(data),
        "_misconception_values": lambda: list(q1._misconception_values(data)),
        "wrong_value": lambda: q1.misconceptions[0].wrong_value(data),
        "_cached": lambda: q1._cached("expected", data, q1._reference),
        "choice answer": lambda: q2._answer(data),
        "choice _reference": lambda: q2._reference(data),
        "table _reference": lambda: lesson03.q2._reference(data),
    }


@pytest.mark.usefixtures("marked")
def test_in_a_marked_course_no_route_gives_a_reference(data):
    for name, route in _routes(data).items():
        with pytest.raises(MhtrainError, match="not available in a marked course"):
            route()
        assert name  # every route was tried


@pytest.mark.usefixtures("marked")
def test_in_a_marked_course_solution_says_kindly_there_is_none(capsys):
    shown = lesson00.q1.solution()
    assert shown.startswith("The worked solution to q1 is not available in a marked course")
    assert "people_in_contact" not in shown
    assert capsys.readouterr().out.strip() == shown


@pytest.mark.usefixtures("marked")
def test_in_a_marked_course_numbers_still_get_instant_feedback_but_choices_are_recorded(data):
    with grader_judging:
        right = lesson00.q1.expected(data=data)
    assert lesson00.q1.evaluate(right, data=data).status == "correct"
    assert lesson00.q1.evaluate(right / 100, data=data).status == "not yet"
    for letter in "abc":
        result = lesson00.q2.evaluate(letter, data=data)
        assert result.status == "received", letter
        assert result.message == (
            f"Thank you: your answer ({letter}) is recorded. It is marked when you hand the "
            "lesson in, so this check does not say whether it is right."
        )
    assert lesson00.q2.evaluate("d", data=data).misconception == "not-an-option"


@pytest.mark.usefixtures("formative")
def test_a_formative_course_says_right_or_wrong_for_every_kind(data):
    assert lesson00.q2.evaluate("b", data=data).status == "correct"
    assert lesson00.q2.evaluate("a", data=data).misconception == "deidentified-not-synthetic"
    assert lesson00.q1.expected(data=data) > 0


@pytest.mark.usefixtures("marked")
def test_the_grader_judges_in_full_whatever_the_mode(data):
    with grader_judging:
        assert course_mode() is None
        assert lesson00.q2.evaluate("b", data=data).status == "correct"
    assert course_mode() == "marked"


def test_a_marking_kernels_environment_cannot_be_opened_from_inside(monkeypatch, data):
    monkeypatch.setenv(settings.COURSE_MODE.name, "marked")
    set_course_mode("formative")
    try:
        assert course_mode() == "marked"
        with pytest.raises(MhtrainError, match="not available in a marked course"):
            lesson00.q1.expected(data=data)
    finally:
        set_course_mode(None)


def test_the_marking_environment_says_the_mode_and_drops_the_tutors_own():
    env = settings.marking_environment(
        data=None, hide_solutions=True, mode="marked", base={"MHTRAIN_COURSE_MODE": "formative"}
    )
    assert env["MHTRAIN_COURSE_MODE"] == "marked"
    env = settings.marking_environment(
        data=None, hide_solutions=True, base={"MHTRAIN_COURSE_MODE": "formative"}
    )
    assert "MHTRAIN_COURSE_MODE" not in env


def test_an_unknown_mode_is_refused_in_one_line():
    with pytest.raises(MhtrainError, match="not one of marked, formative"):
        set_course_mode("strict")
    with pytest.raises(MhtrainError, match="--mode marked"):
        course_config(course_id="c", mode="strict")


def test_the_course_settings_carry_the_mode_to_marking_and_to_the_release():
    text = course_config_file_text(CourseOptions(course_id="c", mode="formative"))
    assert "mode='formative'," in text
    config = course_config(course_id="c", mode="formative")
    assert config.CourseExecute.course_mode == "formative"
    assert config.SetCourseMode.mode == "formative"
    names = [step.__name__ for step in config.Autograde.autograde_preprocessors]
    assert names.index("DecideMarks") < names.index("SaveAutoGrades")
    assert names.index("CourseExecute") < names.index("DecideMarks")
    assert [s.__name__ for s in config.GenerateAssignment.preprocessors][-1] == "SetCourseMode"


def test_the_release_says_the_mode_in_the_cell_that_loads_the_checks():
    import nbformat

    from mhtrain.course.nbgrader.preprocessors import SetCourseMode

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import mhtrain"),
            nbformat.v4.new_code_cell("from mhtrain.checks import lesson00 as ex"),
        ]
    )
    step = SetCourseMode(mode="marked")
    nb, _ = step.preprocess(nb, {})
    nb, _ = step.preprocess(nb, {})  # twice: still one line
    assert nb.cells[0].source == "import mhtrain"
    assert nb.cells[1].source.splitlines() == [
        "from mhtrain.checks import lesson00 as ex",
        "from mhtrain.checks import set_course_mode",
        "set_course_mode('marked')  # set by your course",
    ]


@pytest.mark.slow
def test_course_init_sets_the_mode_and_an_update_keeps_it(tmp_path):
    import contextlib
    import io

    from mhtrain.cli import main
    from mhtrain.course.tutor import read_course

    root = tmp_path / "course"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["course", "init", str(root), "--lessons", "00", "--mode", "formative"]) == 0
    assert read_course(root).mode == "formative"
    released = root / "release" / "00-getting-started" / "00-getting-started.ipynb"
    assert "set_course_mode('formative')" in released.read_text(encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["course", "init", str(root)]) == 0
    assert read_course(root).mode == "formative"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit):
        main(["course", "init", str(root), "--mode", "strict"])
    assert "--mode: invalid choice: 'strict'" in err.getvalue()
    new = tmp_path / "new"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["course", "init", str(new), "--lessons", "00"]) == 0
    assert read_course(new).mode == "marked"
