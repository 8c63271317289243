"""Fast tests of the tutor tools' parts: settings, class lists, collecting, marking helpers."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
from nbgrader.preprocessors import Execute, LimitOutput
from nbgrader.utils import parse_utc

import mhtrain.data
from mhtrain.cli import main
from mhtrain.course import tutor
from mhtrain.course.build import student_notebook
from mhtrain.course.lessons import read_lesson
from mhtrain.course.nbgrader.preprocessors import RemoveTutorNotes
from mhtrain.course.tutor import (
    CONFIG_NAME,
    DATA_FOLDER,
    CourseExecute,
    CourseOptions,
    LimitOutputSize,
    ScrubFeedback,
    collect_submissions,
    config_file_text,
    course_config,
    init_course,
    model_submission,
    read_course,
    read_students,
)
from mhtrain.errors import MhtrainError

REPO = Path(__file__).resolve().parents[2]
LESSON0 = REPO / "notebooks" / "00-getting-started.md"


def _fake_course(root: Path, *, course_id="demo", per_student_data=False, lesson="00-first"):
    """A course folder with settings and one source lesson, made without running nbgrader."""
    root.mkdir(parents=True)
    text = config_file_text(CourseOptions(course_id=course_id, per_student_data=per_student_data))
    (root / CONFIG_NAME).write_text(text, encoding="utf-8")
    folder = root / "source" / lesson
    folder.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), folder / f"{lesson}.ipynb")
    return root


# ------------------------------------------------------------------------------------------
# Settings
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("per_student", [True, False])
def test_settings_written_to_the_config_file_are_read_back(tmp_path, per_student):
    root = tmp_path / "course"
    root.mkdir()
    options = CourseOptions(
        course_id="mh-2025", per_student_data=per_student, cell_timeout=45, own_settings="x = 1"
    )
    text = config_file_text(options)
    (root / CONFIG_NAME).write_text(text, encoding="utf-8")
    settings = read_course(root)
    assert settings.course_id == "mh-2025"
    assert settings.per_student_data is per_student
    assert settings.cell_timeout == 45
    assert settings.own_settings == "x = 1"
    # The file points nbgrader at its own folder, wherever the course is moved.
    assert settings.config.CourseDirectory.root == str(root.resolve())


def test_course_config_marks_with_course_steps_and_scrubs_feedback():
    c = course_config(course_id="demo", per_student_data=True, cell_timeout=12)
    steps = c.Autograde.autograde_preprocessors
    assert Execute not in steps and CourseExecute in steps
    assert steps.index(LimitOutputSize) == steps.index(LimitOutput) + 1
    assert ScrubFeedback in c.GenerateFeedback.preprocessors
    assert c.GenerateAssignment.preprocessors[0] is RemoveTutorNotes
    assert c.Execute.timeout == 12
    assert c.CourseExecute.per_student_data is True
    assert c.ClearSolutions.code_stub == {"python": ""}
    assert c.CourseDirectory.course_id == "demo"


def test_a_new_gradebook_records_nbgrader_migration_version_without_starting_alembic(
    tmp_path, monkeypatch
):
    """nbgrader would ask a new ``alembic heads`` process; the version read in-process is the
    one that command gives, and a gradebook made through the course's settings records it."""
    import sqlite3
    import subprocess
    import sys

    import nbgrader.api
    from nbgrader.dbutil import _temp_alembic_ini

    from mhtrain.course.nbgrader.api import _alembic_head, gradebook
    from mhtrain.course.nbgrader.config import nbgrader_config

    alembic = Path(sys.executable).with_name("alembic")
    with _temp_alembic_ini(f"sqlite:///{tmp_path / 'x.db'}") as ini:
        heads = subprocess.run(
            [str(alembic), "-c", ini, "heads"], capture_output=True, text=True, check=True
        ).stdout.split()
    assert heads and heads[0] == _alembic_head()

    def no_process(*args, **kwargs):
        raise AssertionError(f"a process was started: {args or 'alembic heads'}")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    monkeypatch.setattr(nbgrader.api, "get_alembic_version", no_process)
    nbgrader_config()  # what each course's nbgrader_config.py reads, for nbgrader's commands
    with nbgrader.api.Gradebook(f"sqlite:///{tmp_path / 'own.db'}", "course-x"):
        pass
    with gradebook(tmp_path, "course-x"):  # and the course commands' own way in
        pass
    for name in ("own.db", "gradebook.db"):
        with sqlite3.connect(tmp_path / name) as db:
            recorded = db.execute("SELECT version_num FROM alembic_version").fetchall()
        assert recorded == [(heads[0],)], name


def test_read_course_explains_a_folder_that_is_not_a_course(tmp_path):
    with pytest.raises(MhtrainError, match="not an mhtrain course"):
        read_course(tmp_path)


def test_read_course_explains_a_broken_config_file(tmp_path):
    (tmp_path / CONFIG_NAME).write_text("c = get_config(\n", encoding="utf-8")
    with pytest.raises(MhtrainError, match="could not be read"):
        read_course(tmp_path)


# ------------------------------------------------------------------------------------------
# The kernel environment while marking
# ------------------------------------------------------------------------------------------


def _executor(root: Path, *, per_student: bool, course_id: str = "demo-2025") -> CourseExecute:
    c = course_config(course_id=course_id, per_student_data=per_student, course_root=root)
    return CourseExecute(config=c)


def test_per_student_kernels_get_the_seed_of_the_student_being_marked(tmp_path, monkeypatch):
    env = _executor(tmp_path, per_student=True).kernel_env("ana")
    assert env["MHTRAIN_STUDENT"] == "ana" and env["MHTRAIN_COURSE"] == "demo-2025"
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # The seed mhtrain.load() then uses is the student's own, as their notebook computed it.
    expected = mhtrain.data.seed_for_student("ana", course="demo-2025")
    assert mhtrain.data._seed_from_env() == expected
    assert expected != mhtrain.data.seed_for_student("ben", course="demo-2025")


def test_shared_data_kernels_ignore_the_tutors_own_data_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("MHTRAIN_STUDENT", "tutor")
    monkeypatch.setenv("MHTRAIN_SEED", "7")
    monkeypatch.setenv("MHTRAIN_COURSE", "other")
    env = _executor(tmp_path, per_student=False).kernel_env("ana")
    assert not {"MHTRAIN_STUDENT", "MHTRAIN_SEED", "MHTRAIN_COURSE"} & set(env)
    per_student = _executor(tmp_path, per_student=True).kernel_env("ana")
    assert "MHTRAIN_SEED" not in per_student  # it would override the student's seed
    assert per_student["MHTRAIN_STUDENT"] == "ana"


def test_marking_kernels_use_the_course_data_and_hide_solutions(tmp_path):
    env = _executor(tmp_path, per_student=False).kernel_env("ana")
    assert "MHTRAIN_DATA_DIR" not in env  # the course has no data copy yet
    assert env["MHTRAIN_HIDE_SOLUTIONS"] == "1"
    (tmp_path / DATA_FOLDER).mkdir()
    (tmp_path / DATA_FOLDER / "manifest.json").write_text("{}", encoding="utf-8")
    env = _executor(tmp_path, per_student=False).kernel_env("ana")
    assert env["MHTRAIN_DATA_DIR"] == str(tmp_path / DATA_FOLDER)


# ------------------------------------------------------------------------------------------
# Feedback never shows hidden tests
# ------------------------------------------------------------------------------------------

_GRADE_META = {
    "nbgrader": {
        "grade": True,
        "solution": False,
        "locked": True,
        "grade_id": "q9-test",
        "points": 1,
        "schema_version": 3,
    }
}


def _feedback_notebook():
    test = nbformat.v4.new_code_cell(
        "ex.q9.assert_answered(answer)\n### BEGIN HIDDEN TESTS\n"
        "assert answer == secret_value_42  # HIDDEN-MARKER\n### END HIDDEN TESTS",
        metadata=copy.deepcopy(_GRADE_META),
    )
    test.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="AssertionError",
            evalue="",
            traceback=[
                "\x1b[0;31mAssertionError\x1b[0m  Traceback (most recent call last)",
                "----> 3 \x1b[38;5;28massert\x1b[39m answer \x1b[38;5;241m==\x1b[39m "
                "secret_value_42  \x1b[38;5;66m# HIDDEN-MARKER\x1b[39m",
            ],
        )
    ]
    # Another cell whose output quotes the hidden line (a learner printed the cell's source).
    other = nbformat.v4.new_code_cell("print(test_source)")
    other.outputs = [
        nbformat.v4.new_output(
            "stream",
            name="stdout",
            text="ex.q9.assert_answered(answer)\n"
            "\x1b[1massert answer == secret_value_42  # HIDDEN-MARKER\x1b[0m\nend\n",
        ),
        nbformat.v4.new_output(
            "execute_result",
            data={"text/plain": "'assert answer == secret_value_42  # HIDDEN-MARKER'"},
            execution_count=1,
        ),
    ]
    return nbformat.v4.new_notebook(cells=[test, other])


def test_feedback_scrub_removes_hidden_tests_from_sources_and_every_output():
    nb, _ = ScrubFeedback().preprocess(_feedback_notebook(), {})
    text = nbformat.writes(nb)
    assert "HIDDEN-MARKER" not in text and "secret_value_42" not in text
    assert "BEGIN HIDDEN TESTS" not in text
    assert nb.cells[0].source.strip() == "ex.q9.assert_answered(answer)"
    # The learner still sees what went wrong, and the visible lines they could see anyway.
    assert nb.cells[0].outputs[0]["traceback"] == ["AssertionError: "]
    assert "ex.q9.assert_answered(answer)" in nb.cells[1].outputs[0]["text"]
    assert nb.cells[1].outputs[0]["text"].rstrip().endswith("end")


def test_feedback_scrub_leaves_notebooks_without_hidden_tests_alone():
    nb = _feedback_notebook()
    nb.cells[0].source = "ex.q9.assert_answered(answer)"
    before = nbformat.writes(nb)
    after, _ = ScrubFeedback().preprocess(nb, {})
    assert nbformat.writes(after) == before


# ------------------------------------------------------------------------------------------
# Very long output
# ------------------------------------------------------------------------------------------


def _cell_with(*outputs):
    cell = nbformat.v4.new_code_cell("print(...)")
    cell.outputs = list(outputs)
    return cell


def test_one_enormous_line_of_output_is_cut_to_the_limit_with_a_note():
    step = LimitOutputSize(max_chars=1000)
    cell = _cell_with(nbformat.v4.new_output("stream", name="stdout", text="x" * 3_000_000))
    cell, _ = step.preprocess_cell(cell, {}, 0)
    kept = sum(len(o.get("text", "")) for o in cell.outputs if "Output cut" not in o.get("text"))
    assert kept == 1000
    assert "Output cut short" in cell.outputs[-1]["text"]


def test_a_huge_result_is_dropped_but_errors_and_small_outputs_stay():
    step = LimitOutputSize(max_chars=1000)
    small = nbformat.v4.new_output("stream", name="stdout", text="hello\n")
    huge = nbformat.v4.new_output(
        "execute_result", data={"text/plain": "y" * 50_000}, execution_count=1
    )
    error = nbformat.v4.new_output("error", ename="ValueError", evalue="bad", traceback=["tb"])
    cell, _ = step.preprocess_cell(_cell_with(small, huge, error), {}, 0)
    kinds = [o["output_type"] for o in cell.outputs]
    assert "execute_result" not in kinds
    assert cell.outputs[0]["text"] == "hello\n"
    assert any(o["output_type"] == "error" and o["evalue"] == "bad" for o in cell.outputs)


def test_outputs_within_the_limits_are_untouched():
    step = LimitOutputSize(max_chars=1000)
    image = nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBOR" * 100, "text/plain": "<Figure>"}
    )
    text = nbformat.v4.new_output("stream", name="stdout", text="a table\n" * 10)
    cell = _cell_with(text, image)
    before = copy.deepcopy(cell)
    cell, _ = step.preprocess_cell(cell, {}, 0)
    assert cell == before


# ------------------------------------------------------------------------------------------
# Class lists
# ------------------------------------------------------------------------------------------


def test_class_list_reads_loose_headings_and_an_excel_byte_order_mark(tmp_path):
    path = tmp_path / "class.csv"
    path.write_text(
        "\ufeffStudent ID,First name,Surname,Email,Notes\n"
        "ab123,Ada,Byron,ada@example.org,front row\n"
        "\n"
        "cd456,Chidi,,,\n",
        encoding="utf-8",
    )
    students = read_students(path)
    assert students == [
        {"id": "ab123", "first_name": "Ada", "last_name": "Byron", "email": "ada@example.org"},
        {"id": "cd456", "first_name": "Chidi"},
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,email\nAda,a@b\n", "no 'id' column"),
        ("id,first_name\nab1,Ada\nab1,Ada\n", "appears twice"),
        ("id,first_name\n,Ada\n", "row 2: the student id is empty"),
        ("id\nab 1\n", "cannot be used as a folder name"),
        ("id\n../etc\n", "cannot be used as a folder name"),
        ("", "is empty"),
    ],
)
def test_bad_class_lists_are_refused_naming_the_row_and_the_fix(tmp_path, content, message):
    path = tmp_path / "class.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MhtrainError, match=message):
        read_students(path)


def test_a_missing_class_list_is_refused(tmp_path):
    with pytest.raises(MhtrainError, match="does not exist"):
        read_students(tmp_path / "nope.csv")


# ------------------------------------------------------------------------------------------
# init: what is refused before anything is written
# ------------------------------------------------------------------------------------------


def test_init_refuses_a_folder_that_holds_other_things(tmp_path):
    (tmp_path / "thesis.docx").write_text("mine", encoding="utf-8")
    with pytest.raises(MhtrainError, match="not empty"):
        init_course(tmp_path, lessons=["00"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.docx"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"course_id": "my course"}, "course id"),
        ({"lessons": ["99"]}, "no single lesson matches"),
        ({"cell_timeout": 0}, "at least 1 second"),
    ],
)
def test_init_refuses_bad_options_and_leaves_no_folder(tmp_path, kwargs, message):
    root = tmp_path / "course"
    with pytest.raises(MhtrainError, match=message):
        init_course(root, **{"lessons": ["00"], **kwargs})
    assert not root.exists()
    assert not list(tmp_path.iterdir())


def test_init_refuses_a_bad_class_list_and_leaves_no_folder(tmp_path):
    bad = tmp_path / "class.csv"
    bad.write_text("name\nAda\n", encoding="utf-8")
    root = tmp_path / "course"
    with pytest.raises(MhtrainError, match="no 'id' column"):
        init_course(root, lessons=["00"], students=bad)
    assert not root.exists()


def test_cli_reports_bad_input_as_one_line_and_exit_code_2(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    code = main(["course", "init", str(tmp_path), "--lessons", "00"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("mhtrain: error: ") and err.count("\n") == 1


def test_cli_refuses_a_non_number_timeout(capsys):
    with pytest.raises(SystemExit):
        main(["course", "init", "somewhere", "--cell-timeout", "soon"])
    assert "whole number of seconds" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------
# collect (courses without a JupyterHub)
# ------------------------------------------------------------------------------------------


def test_collect_puts_each_notebook_where_nbgrader_looks(tmp_path):
    root = _fake_course(tmp_path / "course")
    returned = tmp_path / "returned"
    returned.mkdir()
    for who in ("ab123", "cd456"):
        nbformat.write(nbformat.v4.new_notebook(), returned / f"{who}.ipynb")
    (returned / "notes.txt").write_text("not a notebook", encoding="utf-8")
    written = collect_submissions(root, "00", [returned])
    assert sorted(p.relative_to(root).as_posix() for p in written) == [
        "submitted/ab123/00-first/00-first.ipynb",
        "submitted/cd456/00-first/00-first.ipynb",
    ]
    stamp = (root / "submitted" / "ab123" / "00-first" / "timestamp.txt").read_text()
    assert parse_utc(stamp.strip()).year >= 2024  # nbgrader can read the hand-in time


def test_collect_with_a_student_id_renames_one_file(tmp_path, capsys):
    root = _fake_course(tmp_path / "course")
    path = tmp_path / "00-first.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    code = main(["course", "collect", str(root), "00-first", str(path), "--student", "ef789"])
    assert code == 0
    assert (root / "submitted" / "ef789" / "00-first" / "00-first.ipynb").is_file()
    assert "ef789" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("names", "student", "message"),
    [
        (["a.ipynb", "b.ipynb"], "ab1", "exactly one notebook"),
        (["bad name.ipynb"], None, "cannot be used as a folder name"),
        ([], None, "no notebooks"),
    ],
)
def test_collect_refuses_ambiguous_input(tmp_path, names, student, message):
    root = _fake_course(tmp_path / "course")
    returned = tmp_path / "returned"
    returned.mkdir()
    for name in names:
        nbformat.write(nbformat.v4.new_notebook(), returned / name)
    with pytest.raises(MhtrainError, match=message):
        collect_submissions(root, "00", [returned], student=student)
    assert not (root / "submitted").exists()


def test_collect_and_grade_refuse_a_lesson_the_course_does_not_have(tmp_path):
    root = _fake_course(tmp_path / "course")
    with pytest.raises(MhtrainError, match="has no lesson '03'"):
        collect_submissions(root, "03", [tmp_path])
    with pytest.raises(MhtrainError, match="has no lesson '03'"):
        tutor.grade_lesson(root, "03")


def test_grade_with_nothing_handed_in_says_to_collect_first(tmp_path):
    root = _fake_course(tmp_path / "course")
    with pytest.raises(MhtrainError, match="collect them first"):
        tutor.grade_lesson(root, "00")


def test_a_submission_nbgrader_cannot_mark_is_reported_and_still_gets_a_row(tmp_path, monkeypatch):
    """When autograde itself fails, is the tutor told why, in a row and a feedback page?"""
    from mhtrain.course.tutor import grading

    root = _fake_course(tmp_path / "course")
    for folder in (root / "release" / "00-first", root / "submitted" / "ana" / "00-first"):
        folder.mkdir(parents=True)
        nbformat.write(nbformat.v4.new_notebook(), folder / "00-first.ipynb")

    class FailingAPI:
        def __init__(self, config):
            pass

        def autograde(self, *args, **kwargs):
            return {"success": False, "log": "ValueError: the kernel died", "error": ""}

    monkeypatch.setattr(grading, "QuietAPI", FailingAPI)
    report = tutor.grade_lesson(root, "00", progress=False)
    assert report.graded == []
    assert report.problems["ana"] == ["nbgrader could not mark it (ValueError: the kernel died)"]
    [row] = report.rows
    assert row["student_id"] == "ana" and row["status"] == tutor.NOT_GRADED
    assert "the kernel died" in row["problems"]
    page = report.feedback["ana"].read_text(encoding="utf-8")
    assert "could not be marked automatically" in page and "the kernel died" in page


# ------------------------------------------------------------------------------------------
# The model submission (used to check a lesson's marking, and by the benchmark)
# ------------------------------------------------------------------------------------------


def test_model_submission_fills_every_answer_with_the_worked_solution():
    source = read_lesson(LESSON0)
    release = student_notebook(source)
    answered = model_submission(source, release)
    assert len(answered.cells) == len(release.cells)
    solutions = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    for cell in answered.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            assert "SOLUTION" not in cell.source
            assert "= ..." not in cell.source
            assert cell.source.strip() and cell.source.strip() in solutions[grade_id]
    # The released notebook itself is untouched.
    assert nbformat.writes(release) == nbformat.writes(student_notebook(LESSON0))
