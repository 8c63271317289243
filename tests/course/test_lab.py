"""Tests of `mhtrain lab`: a learner's workspace is made, updated, and never overwritten."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from mhtrain.cli import main
from mhtrain.course.lab import MANIFEST_NAME, prepare_workspace
from mhtrain.errors import MhtrainError

HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def _lesson(title: str) -> str:
    return (
        HEADER
        + f"""
# {title}

```{{code-cell}} ipython3
---
nbgrader:
  grade: false
  grade_id: q1-answer
  locked: false
  schema_version: 3
  solution: true
---
answer = ...  # replace ... with your answer
### BEGIN SOLUTION
answer = 42
### END SOLUTION
```
"""
    )


@pytest.fixture
def sources(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "00-first.md").write_text(_lesson("First"), encoding="utf-8")
    (folder / "01-second.md").write_text(_lesson("Second"), encoding="utf-8")
    return folder


@pytest.fixture
def workspace(tmp_path):
    return tmp_path / "workspace"


def _actions(workspace, sources):
    return {a.lesson: a for a in prepare_workspace(workspace, source_dir=sources)}


def _learner_edits(path: Path) -> bytes:
    nb = nbformat.read(path, as_version=4)
    nb.cells[-1].source = "answer = 41  # my own work"
    nbformat.write(nb, path)
    return path.read_bytes()


def test_first_run_adds_student_notebooks_and_a_manifest(workspace, sources):
    actions = _actions(workspace, sources)
    assert {a.action for a in actions.values()} == {"added"}
    first = workspace / "00-first.ipynb"
    nb = nbformat.read(first, as_version=4)
    assert "answer = 42" not in first.read_text()  # the student version, not the solution
    assert nb.cells[-1].source == "answer = ...  # replace ... with your answer"
    manifest = json.loads((workspace / MANIFEST_NAME).read_text())
    assert set(manifest["files"]) == {"00-first.ipynb", "01-second.ipynb"}


def test_second_run_changes_nothing(workspace, sources):
    _actions(workspace, sources)
    before = (workspace / "00-first.ipynb").stat().st_mtime_ns
    actions = _actions(workspace, sources)
    assert {a.action for a in actions.values()} == {"unchanged"}
    assert (workspace / "00-first.ipynb").stat().st_mtime_ns == before


def test_unedited_notebook_is_updated_in_place(workspace, sources):
    _actions(workspace, sources)
    (sources / "00-first.md").write_text(_lesson("First, revised"), encoding="utf-8")
    actions = _actions(workspace, sources)
    assert actions["00-first"].action == "updated"
    assert "First, revised" in (workspace / "00-first.ipynb").read_text()
    assert not (workspace / "00-first (updated).ipynb").exists()


def test_edited_notebook_is_kept_when_the_lesson_has_not_changed(workspace, sources):
    _actions(workspace, sources)
    mine = _learner_edits(workspace / "00-first.ipynb")
    actions = _actions(workspace, sources)
    assert actions["00-first"].action == "kept"
    assert (workspace / "00-first.ipynb").read_bytes() == mine


def test_edited_notebook_is_never_overwritten_by_a_newer_lesson(workspace, sources):
    _actions(workspace, sources)
    mine = _learner_edits(workspace / "00-first.ipynb")
    (sources / "00-first.md").write_text(_lesson("First, revised"), encoding="utf-8")

    actions = _actions(workspace, sources)
    assert actions["00-first"].action == "added beside"
    assert (workspace / "00-first.ipynb").read_bytes() == mine
    beside = workspace / "00-first (updated).ipynb"
    assert "First, revised" in beside.read_text()
    assert "beside it: 00-first (updated).ipynb" in actions["00-first"].describe()

    again = _actions(workspace, sources)
    assert again["00-first"].action == "beside unchanged"
    assert (workspace / "00-first.ipynb").read_bytes() == mine


def test_an_edited_updated_copy_is_also_kept(workspace, sources):
    _actions(workspace, sources)
    _learner_edits(workspace / "00-first.ipynb")
    (sources / "00-first.md").write_text(_lesson("First, revised"), encoding="utf-8")
    _actions(workspace, sources)
    theirs = _learner_edits(workspace / "00-first (updated).ipynb")
    (sources / "00-first.md").write_text(_lesson("First, third edition"), encoding="utf-8")

    actions = _actions(workspace, sources)
    assert actions["00-first"].path.name == "00-first (updated 2).ipynb"
    assert (workspace / "00-first (updated).ipynb").read_bytes() == theirs
    assert "third edition" in (workspace / "00-first (updated 2).ipynb").read_text()


def test_unedited_updated_copy_is_refreshed_in_place(workspace, sources):
    _actions(workspace, sources)
    _learner_edits(workspace / "00-first.ipynb")
    (sources / "00-first.md").write_text(_lesson("First, revised"), encoding="utf-8")
    _actions(workspace, sources)
    (sources / "00-first.md").write_text(_lesson("First, third edition"), encoding="utf-8")
    actions = _actions(workspace, sources)
    assert actions["00-first"].path.name == "00-first (updated).ipynb"
    assert not (workspace / "00-first (updated 2).ipynb").exists()


def test_a_notebook_not_written_by_the_course_is_treated_as_the_learners(workspace, sources):
    workspace.mkdir()
    own = workspace / "00-first.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), own)
    mine = own.read_bytes()
    actions = _actions(workspace, sources)
    assert actions["00-first"].action == "added beside"
    assert own.read_bytes() == mine


def test_a_deleted_notebook_is_restored(workspace, sources):
    _actions(workspace, sources)
    (workspace / "01-second.ipynb").unlink()
    actions = _actions(workspace, sources)
    assert actions["01-second"].action == "restored"
    assert (workspace / "01-second.ipynb").exists()


def test_new_lessons_are_added_beside_existing_work(workspace, sources):
    _actions(workspace, sources)
    mine = _learner_edits(workspace / "00-first.ipynb")
    (sources / "02-third.md").write_text(_lesson("Third"), encoding="utf-8")
    actions = _actions(workspace, sources)
    assert actions["02-third"].action == "added"
    assert (workspace / "00-first.ipynb").read_bytes() == mine


def test_a_damaged_manifest_is_reported_not_guessed(workspace, sources):
    _actions(workspace, sources)
    (workspace / MANIFEST_NAME).write_text("{not json")
    with pytest.raises(MhtrainError, match="damaged"):
        prepare_workspace(workspace, source_dir=sources)


def test_a_broken_lesson_leaves_the_workspace_untouched(workspace, sources):
    _actions(workspace, sources)
    before = {p.name: p.read_bytes() for p in workspace.iterdir()}
    (sources / "01-second.md").write_text(_lesson("Second").replace("### END SOLUTION\n", ""))
    with pytest.raises(MhtrainError):
        prepare_workspace(workspace, source_dir=sources)
    assert {p.name: p.read_bytes() for p in workspace.iterdir()} == before


def test_a_file_in_place_of_the_folder_is_an_error(tmp_path, sources):
    target = tmp_path / "workspace"
    target.write_text("not a folder")
    with pytest.raises(MhtrainError, match="not a folder"):
        prepare_workspace(target, source_dir=sources)


def test_cli_builds_the_workspace_without_opening_lab(tmp_path, sources, monkeypatch, capsys):
    from mhtrain.course import lab

    monkeypatch.setenv("MHTRAIN_NOTEBOOKS", str(sources))
    launched = []
    monkeypatch.setattr(lab, "launch_lab", lambda d: launched.append(d) or 0)
    target = tmp_path / "my-work"
    assert main(["lab", "--no-open", "--dir", str(target)]) == 0
    out = capsys.readouterr().out
    assert "Added 00-first.ipynb." in out and "Added 01-second.ipynb." in out
    assert f"mhtrain progress {target}" in out  # where to see progress next
    assert (target / "01-second.ipynb").exists()
    assert launched == []

    assert main(["lab", "--no-open", "--dir", str(target), "00"]) == 0
    assert "00-first.ipynb is up to date." in capsys.readouterr().out


def test_cli_opens_lab_in_the_workspace(tmp_path, sources, monkeypatch, capsys):
    from mhtrain.course import lab

    monkeypatch.setenv("MHTRAIN_NOTEBOOKS", str(sources))
    launched = []
    monkeypatch.setattr(lab, "launch_lab", lambda d: launched.append(Path(d)) or 0)
    target = tmp_path / "my-work"
    assert main(["lab", "--dir", str(target)]) == 0
    assert launched == [target]


def test_cli_reports_bad_input_as_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MHTRAIN_NOTEBOOKS", str(tmp_path / "nowhere"))
    assert main(["lab", "--no-open", "--dir", str(tmp_path / "w")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mhtrain: error: lesson sources not found")
    assert "\n" not in err


def test_the_real_lessons_make_a_workspace(tmp_path):
    actions = prepare_workspace(tmp_path / "w")
    names = [a.path.name for a in actions]
    assert "00-getting-started.ipynb" in names
    text = (tmp_path / "w" / "00-getting-started.ipynb").read_text()
    assert "Tutor note" not in text and "BEGIN SOLUTION" not in text


def test_launch_lab_starts_jupyterlab_in_the_workspace(tmp_path, monkeypatch):
    from mhtrain.course import lab

    calls = []
    monkeypatch.setattr(
        lab.subprocess,
        "call",
        lambda cmd, cwd=None, env=None: calls.append((cmd, cwd, env)) or 3,
    )
    assert lab.launch_lab(tmp_path) == 3  # JupyterLab's exit code is passed on
    [(command, cwd, env)] = calls
    launch = lab.lab_launch(tmp_path)
    assert command == launch.command and command[1:3] == ["-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in command
    assert cwd == tmp_path.resolve()
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0] == str(
        tmp_path.resolve() / lab.JUPYTER_CONFIG_DIR
    )
    # The page configuration it reads is written inside the workspace, nowhere else.
    written = json.loads(launch.page_config_path.read_text())
    assert written == launch.page_config
    assert launch.page_config_path.is_relative_to(tmp_path.resolve())
