"""Setting up and updating a course with ``mhtrain course init`` (real nbgrader runs)."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from test_tutor_grade import _norm, _secrets

import mhtrain.data
from mhtrain.cli import main
from mhtrain.course.build import lesson_id, lesson_sources, read_lesson, source_notebook
from mhtrain.course.tutor import (
    CONFIG_NAME,
    DATA_FOLDER,
    grade_lesson,
    init_course,
    model_submission,
    read_course,
)
from mhtrain.errors import MhtrainError

# One worker runs every test here, so the module's course is made and marked once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tutor-init")]

REPO = Path(__file__).resolve().parents[2]
LESSON0 = REPO / "notebooks" / "00-getting-started.md"


def _buildable_lessons(folder: Path) -> list[Path]:
    """Every lesson source that reads cleanly (lesson 0 always; others as they are written)."""
    found = []
    for path in lesson_sources(source_dir=folder):
        try:
            read_lesson(path)
        except MhtrainError:
            continue
        found.append(path)
    assert folder / LESSON0.name in found
    return found


@pytest.fixture(scope="module")
def full_course(tmp_path_factory):
    base = tmp_path_factory.mktemp("full")
    # A snapshot of the lesson sources, so lessons being edited meanwhile cannot race the test.
    snapshot = base / "notebooks"
    shutil.copytree(REPO / "notebooks", snapshot)
    lessons = _buildable_lessons(snapshot)
    class_list = base / "class.csv"
    class_list.write_text(
        "id,first_name,last_name,email\nab123,Ada,Byron,ada@example.org\ncd456,Chidi,Okafor,\n",
        encoding="utf-8",
    )
    root = base / "mh course"  # a space in the path, as on many laptops
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.MonkeyPatch.context() as env:
        env.setenv("MHTRAIN_NOTEBOOKS", str(snapshot))
        code = main(
            [
                "course",
                "init",
                str(root),
                "--lessons",
                ",".join(lesson_id(p)[:2] for p in lessons),
                "--course-id",
                "mh-2025",
                "--students",
                str(class_list),
            ]
        )
    return {"root": root, "code": code, "stdout": out.getvalue(), "lessons": lessons}


def test_init_makes_a_complete_course_and_says_what_to_do_next(full_course):
    root = full_course["root"]
    assert full_course["code"] == 0, full_course["stdout"]
    assert "Next steps" in full_course["stdout"]
    assert "mhtrain course grade" in full_course["stdout"]
    settings = read_course(root)
    assert settings.course_id == "mh-2025" and settings.per_student_data is False
    for path in full_course["lessons"]:
        name = lesson_id(path)
        built = nbformat.read(root / "source" / name / f"{name}.ipynb", as_version=4)
        assert [c.source for c in built.cells] == [c.source for c in source_notebook(path).cells]
        assert (root / "release" / name / f"{name}.ipynb").is_file()
    # No temporary folders are left beside or inside the course.
    assert [p.name for p in root.parent.iterdir() if p.name.startswith(".")] == []
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == []


def test_init_adds_the_class_list_to_the_gradebook(full_course):
    settings = read_course(full_course["root"])
    with Gradebook(f"sqlite:///{settings.root / 'gradebook.db'}", settings.course_id) as gb:
        students = {s.id: s for s in gb.students}
        assert set(students) == {"ab123", "cd456"}
        assert students["ab123"].last_name == "Byron"
        assert students["ab123"].email == "ada@example.org"
        released = {a.name for a in gb.assignments}
    assert released == {lesson_id(p) for p in full_course["lessons"]}


def test_notebooks_anywhere_in_the_course_load_the_course_copy_of_the_data(
    full_course, monkeypatch
):
    root = full_course["root"]
    data = root / DATA_FOLDER
    shipped = mhtrain.data.REPO_ROOT / "synthetic_data"
    manifest = (data / "manifest.json").read_bytes()
    assert manifest == (shipped / "manifest.json").read_bytes()
    assert json.loads(manifest)["files"].keys() <= {p.name for p in data.iterdir()}
    monkeypatch.delenv("MHTRAIN_DATA_DIR", raising=False)
    lesson = lesson_id(LESSON0)
    for step in ("release", "submitted/ab123", "autograded/ab123", "feedback/ab123"):
        folder = root / step / lesson
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.chdir(folder)
        assert mhtrain.data.data_dir().resolve() == data.resolve(), step


def test_released_notebooks_of_every_lesson_hold_no_secrets(full_course):
    root = full_course["root"]
    for path in full_course["lessons"]:
        name = lesson_id(path)
        secrets = _secrets(source_notebook(path))
        for released in (root / "release" / name).rglob("*"):
            if not released.is_file():
                continue
            if released.suffix == ".ipynb":
                nb = nbformat.read(released, as_version=4)
                text = _norm("\n".join(c.source for c in nb.cells) + json.dumps(nb.metadata))
            else:
                text = _norm(released.read_text(encoding="utf-8", errors="replace"))
            for kind, lines in secrets.items():
                for line in lines:
                    assert line not in text, (name, kind, line)


# ------------------------------------------------------------------------------------------
# Updating a course that is in use
# ------------------------------------------------------------------------------------------


def _submission_score(root: Path, lesson: str, student: str) -> float:
    settings = read_course(root)
    with Gradebook(f"sqlite:///{settings.root / 'gradebook.db'}", settings.course_id) as gb:
        return float(gb.find_submission(lesson, student).score)


def test_rerunning_init_updates_lessons_and_keeps_marks_submissions_and_own_settings(tmp_path):
    sources = tmp_path / "notebooks"
    sources.mkdir()
    lesson_file = sources / LESSON0.name
    shutil.copy(LESSON0, lesson_file)
    root = tmp_path / "course"
    first = init_course(root, source_dir=sources, cell_timeout=60)
    assert first.created and first.lessons == [lesson_id(LESSON0)]
    name = lesson_id(LESSON0)

    # One learner hands in the model answers and is marked.
    release = nbformat.read(root / "release" / name / f"{name}.ipynb", as_version=4)
    handed_in = root / "submitted" / "ana" / name / f"{name}.ipynb"
    handed_in.parent.mkdir(parents=True)
    nbformat.write(model_submission(read_lesson(lesson_file), release), handed_in)
    grade_lesson(root, name, progress=False)
    score = _submission_score(root, name, "ana")
    assert score > 0
    submitted_bytes = handed_in.read_bytes()

    # The tutor adds a setting of their own, and the lesson text changes.
    with (root / CONFIG_NAME).open("a", encoding="utf-8") as handle:
        handle.write('c.NbGraderAPI.timezone = "Europe/London"\n')
    text = lesson_file.read_text(encoding="utf-8")
    lesson_file.write_text(
        text.replace("# 0. Getting started", "# 0. Getting started (spring term)"),
        encoding="utf-8",
    )
    # The course's data copy is never replaced under marked work (a stand-in change shows it).
    manifest = root / DATA_FOLDER / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    kept_manifest = manifest.read_bytes()
    again = init_course(root, source_dir=sources)
    assert manifest.read_bytes() == kept_manifest and not again.data_copied
    assert not again.created and again.lessons == [name]
    updated = (root / "release" / name / f"{name}.ipynb").read_text(encoding="utf-8")
    assert "spring term" in updated
    assert handed_in.read_bytes() == submitted_bytes
    assert _submission_score(root, name, "ana") == score
    assert (root / "autograded" / "ana" / name / f"{name}.ipynb").is_file()
    settings = read_course(root)
    assert settings.cell_timeout == 60  # kept from the first run
    assert 'c.NbGraderAPI.timezone = "Europe/London"' in settings.own_settings
    assert settings.config.NbGraderAPI.timezone == "Europe/London"

    # A new graded cell cannot be added once learners have handed the lesson in.
    before = {p: p.read_bytes() for p in (root / "source").rglob("*.ipynb")} | {
        p: p.read_bytes() for p in (root / "release").rglob("*.ipynb")
    }
    extra = (
        "\n```{code-cell} ipython3\n---\nnbgrader:\n  grade: true\n  grade_id: q9-test\n"
        "  locked: true\n  points: 1\n  schema_version: 3\n  solution: false\n---\n"
        "assert True\n```\n"
    )
    lesson_file.write_text(lesson_file.read_text(encoding="utf-8") + extra, encoding="utf-8")
    with pytest.raises(MhtrainError, match="was not updated"):
        init_course(root, source_dir=sources)
    after = {p: p.read_bytes() for p in (root / "source").rglob("*.ipynb")} | {
        p: p.read_bytes() for p in (root / "release").rglob("*.ipynb")
    }
    assert after == before
    assert not [p for p in root.rglob(".*") if p.is_file()]
    assert _submission_score(root, name, "ana") == score

    # The course id and the data setting cannot change under marked work.
    with pytest.raises(MhtrainError, match="cannot change"):
        init_course(root, source_dir=sources, course_id="another-id")
    with pytest.raises(MhtrainError, match="make a new course folder"):
        init_course(root, source_dir=sources, per_student_data=True)
    assert read_course(root).per_student_data is False
