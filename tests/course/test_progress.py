"""Tests of `mhtrain progress`: each exercise in a learner's workspace, judged as its check does."""

from __future__ import annotations

import json

import nbformat
import pytest

from mhtrain.cli import main
from mhtrain.course import progress
from mhtrain.course.lab import MANIFEST_NAME, prepare_workspace
from mhtrain.course.lessons import grade_id, lesson_sources, read_lesson
from mhtrain.course.progress import (
    CORRECT,
    NOT_ATTEMPTED,
    NOT_YET,
    WRITTEN,
    ExerciseProgress,
    format_progress,
    judge_namespace,
    workspace_progress,
)
from mhtrain.data import data_dir
from mhtrain.errors import MhtrainError

LESSON0 = read_lesson(lesson_sources(lessons=["00"])[0])


def _answer(path, grade, source):
    """Write ``source`` into the answer cell ``grade`` of a workspace notebook, as a learner."""
    nb = nbformat.read(path, as_version=4)
    [cell] = [c for c in nb.cells if grade_id(c) == grade]
    cell.source = source
    nbformat.write(nb, path)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("MHTRAIN_DATA_DIR", str(data_dir()))
    folder = tmp_path / "workspace"
    prepare_workspace(folder, lessons=["00", "01"])
    return folder


def _by_exercise(rows, lesson):
    return {r.exercise: r.status for r in rows if r.lesson == lesson}


@pytest.mark.slow
def test_right_wrong_and_blank_answers_are_told_apart(workspace):
    # A right answer written the learner's own way, a wrong option, and a written reflection.
    notebook = workspace / "00-getting-started.ipynb"
    _answer(notebook, "q1-answer", "percent_in_contact = 100 * people_in_contact / residents")
    _answer(notebook, "q2-answer", 'answer_q2 = "a"  # real records, I thought')
    _answer(notebook, "q3-reflection", "I would ask who is missing from the records.")
    before = notebook.read_bytes()

    rows = workspace_progress(workspace)

    assert _by_exercise(rows, "00-getting-started") == {
        "q1": CORRECT,
        "q2": NOT_YET,
        "q3": WRITTEN,
    }
    # The untouched lesson is not attempted, every exercise of it.
    untouched = _by_exercise(rows, "01-meet-the-data")
    assert untouched and set(untouched.values()) == {NOT_ATTEMPTED}
    assert notebook.read_bytes() == before  # the learner's notebook is not changed
    assert [r.lesson for r in rows] == sorted(r.lesson for r in rows)


@pytest.mark.slow
def test_a_proportion_instead_of_a_percentage_is_not_yet_and_a_cell_error_too(workspace):
    notebook = workspace / "00-getting-started.ipynb"
    _answer(notebook, "q1-answer", "percent_in_contact = people_in_contact / residents")
    _answer(notebook, "q2-answer", "answer_q2 = b")  # forgot the quote marks: a NameError
    rows = workspace_progress(workspace)
    got = _by_exercise(rows, "00-getting-started")
    assert got == {"q1": NOT_YET, "q2": NOT_YET, "q3": NOT_ATTEMPTED}


def test_an_untouched_workspace_is_not_run_at_all(workspace, monkeypatch):
    monkeypatch.setattr(progress, "_run", lambda *a, **k: pytest.fail("ran a notebook"))
    rows = workspace_progress(workspace)
    assert rows and {r.status for r in rows} == {NOT_ATTEMPTED}
    expected = [*LESSON0.exercises(), *read_lesson(lesson_sources(lessons=["01"])[0]).exercises()]
    assert [r.exercise for r in rows] == expected
    assert {r.notebook for r in rows} == {"00-getting-started.ipynb", "01-meet-the-data.ipynb"}


def test_the_copy_saved_last_is_read_when_an_updated_lesson_sits_beside(workspace, monkeypatch):
    runs = []
    monkeypatch.setattr(
        progress, "_run", lambda nb, lesson, folder, timeout: runs.append(lesson.id) or ({}, set())
    )
    mine = workspace / "00-getting-started.ipynb"
    _answer(mine, "q3-reflection", "My own words.")
    beside = workspace / "00-getting-started (updated).ipynb"
    beside.write_bytes(mine.read_bytes())
    records = json.loads((workspace / MANIFEST_NAME).read_text())
    records["files"][beside.name] = {"lesson": "00-getting-started", "sha256": "0" * 64}
    (workspace / MANIFEST_NAME).write_text(json.dumps(records))
    rows = workspace_progress(workspace)
    assert {r.notebook for r in rows if r.lesson == "00-getting-started"} == {beside.name}
    assert runs == ["00-getting-started"]  # a changed notebook is run; the untouched one not


def test_judge_namespace_judges_each_answer_as_the_check_does():
    from mhtrain.checks import lesson00

    data = lesson00.q1.expected()  # the reference, computed from the course data
    got = judge_namespace("mhtrain.checks.lesson00", {"percent_in_contact": data, "answer_q2": ...})
    assert got == {"q1": CORRECT, "q2": NOT_ATTEMPTED}
    got = judge_namespace("mhtrain.checks.lesson00", {"percent_in_contact": data / 100})
    assert got == {"q1": NOT_YET, "q2": NOT_ATTEMPTED}


def test_format_progress_prints_a_plain_table_with_totals():
    rows = [
        ExerciseProgress("00-getting-started", "q1", CORRECT, "00.ipynb"),
        ExerciseProgress("00-getting-started", "q2", NOT_YET, "00.ipynb"),
        ExerciseProgress("00-getting-started", "q3", WRITTEN, "00.ipynb", written=True),
        ExerciseProgress("01-meet-the-data", "q1b", NOT_ATTEMPTED, "01.ipynb"),
    ]
    text = format_progress(rows)
    lines = text.splitlines()
    assert lines[0].split() == ["Lesson", "Exercise", "Result"]
    assert lines[2].split() == ["00-getting-started", "q1", "correct"]
    assert lines[5].split() == ["01-meet-the-data", "q1b", "not", "attempted"]
    assert "Checked exercises: 1 correct, 1 not yet, 1 not attempted (of 3)." in text
    assert "Written answers: 1 written, 0 not attempted (of 1)" in text
    # columns line up
    assert lines[2].index("q1") == lines[5].index("q1b") == lines[0].index("Exercise")


def test_missing_workspace_is_one_clear_line(tmp_path, capsys):
    assert main(["progress", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err.strip()
    assert "no workspace at" in err and "mhtrain lab" in err and "\n" not in err


def test_a_folder_that_is_not_a_workspace_is_one_clear_line(tmp_path, capsys):
    (tmp_path / "notes.ipynb").write_text("{}")
    assert main(["progress", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "not a workspace made by `mhtrain lab`" in err and "\n" not in err


def test_a_damaged_notebook_is_named_with_the_fix(workspace, capsys):
    (workspace / "01-meet-the-data.ipynb").write_text('{"cells": [')
    with pytest.raises(MhtrainError, match=r"01-meet-the-data.ipynb is damaged .*mhtrain lab"):
        workspace_progress(workspace)
    assert main(["progress", str(workspace)]) == 2
    assert "\n" not in capsys.readouterr().err.strip()


def test_a_damaged_workspace_record_is_named(workspace):
    (workspace / MANIFEST_NAME).write_text("{not json")
    with pytest.raises(MhtrainError, match="damaged"):
        workspace_progress(workspace)


def test_cli_prints_the_table(workspace, capsys):
    assert main(["progress", str(workspace)]) == 0
    out = capsys.readouterr().out
    assert "00-getting-started  q1" in out
    assert "Checked exercises: 0 correct, 0 not yet" in out
