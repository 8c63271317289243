"""Every lesson runs top to bottom with its solutions on another seed's data, without warnings,
and nbgrader marks it; and every lesson opens and closes as the style guide asks."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from seeds import OTHER_SEED

from mhtrain.course.build import lesson_id, lesson_sources, source_notebook
from mhtrain.data import data_dir

LESSONS = lesson_sources()
IDS = [lesson_id(p) for p in LESSONS]
# Noise that every kernel start may print and that a learner never sees in the notebook itself.
_NOISE = re.compile(r"running over TCP without encryption|Matplotlib is building the font cache")


def _problems(nb: nbformat.NotebookNode) -> list[str]:
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            text = out.get("text", "") if out.get("output_type") == "stream" else ""
            if out.get("output_type") == "error":
                found.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
            elif out.get("name") == "stderr" and not _NOISE.search(text):
                found.append(f"cell {i} printed to stderr: {text[:200]}")
            elif "Warning" in text and "warnings.warn" not in text:
                found.append(f"cell {i} printed a warning: {text[:200]}")
    return found


def _api(root: Path):
    """nbgrader's own Python API for a course folder (the same as its command line)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    from mhtrain.course.nbgrader.config import nbgrader_config

    config = Config(nbgrader_config())
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.course_id = "lesson-test"
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return NbGraderAPI(CourseDirectory(config=config), config=config)


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """One nbgrader course holding every lesson, with two students: one submits the released
    (blank) notebooks, the other the full solutions graded against another seed's data."""
    from mhtrain.course.build import build_nbgrader_source
    from mhtrain.course.nbgrader.config import config_file_text

    root = tmp_path_factory.mktemp("graded") / "course"
    sources = build_nbgrader_source(root / "source")
    (root / "nbgrader_config.py").write_text(config_file_text(course_id="lesson-test"))
    shutil.copytree(data_dir(), root / "synthetic_data")
    results = {"validate": {}, "root": root}
    api = _api(root)
    from nbgrader.validator import Validator

    validator = Validator(config=api.config)
    for source in sources:
        results["validate"][lesson_id(source)] = validator.validate(str(source))
    for source in sources:
        lesson = lesson_id(source)
        made = api.generate_assignment(lesson)
        assert made["success"], made.get("log", "")[-3000:]
        for student, notebook in (
            ("blank", root / "release" / lesson / f"{lesson}.ipynb"),
            ("full", source),
        ):
            target = root / "submitted" / student / lesson
            target.mkdir(parents=True)
            shutil.copy(notebook, target / f"{lesson}.ipynb")
    saved = os.environ.get("MHTRAIN_SEED")
    try:
        for source in sources:
            lesson = lesson_id(source)
            for student in ("blank", "full"):
                os.environ["MHTRAIN_SEED"] = str(OTHER_SEED) if student == "full" else ""
                graded = api.autograde(lesson, student)
                assert graded["success"], graded.get("log", "")[-3000:]
    finally:
        os.environ.pop("MHTRAIN_SEED", None)
        if saved is not None:
            os.environ["MHTRAIN_SEED"] = saved
    return results


@pytest.mark.slow
@pytest.mark.xdist_group("nbgrader-course")
@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_nbgrader_scores_a_blank_notebook_zero_and_the_solution_full_marks(path, graded_course):
    """Validated, released and autograded by nbgrader itself. The full solution is graded
    against another seed's data: the checks compute every expected value from the data."""
    from nbgrader.api import Gradebook

    lesson = lesson_id(path)
    assert graded_course["validate"][lesson] == {}, graded_course["validate"][lesson]
    with Gradebook(f"sqlite:///{graded_course['root'] / 'gradebook.db'}") as gb:
        blank = gb.find_submission(lesson, "blank")
        full = gb.find_submission(lesson, "full")
        assert blank.code_score == 0
        # autograded cells only: hand-marked code cells (the capstone's) wait for a tutor
        autograded = [
            g
            for nb in full.notebooks
            for g in nb.grades
            if g.cell_type == "code" and g.auto_score is not None
        ]
        assert autograded and all(g.score == g.max_score for g in autograded), [
            (g.name, g.score, g.max_score) for g in autograded if g.score < g.max_score
        ]
    # The solutions ran top to bottom with no error, warning or stray stderr output. (On the
    # shipped data they run in the strict public book build, where any of those fails it.)
    ran = nbformat.read(
        graded_course["root"] / "autograded" / "full" / lesson / f"{lesson}.ipynb", as_version=4
    )
    assert _problems(ran) == []


def _markdown(path: Path) -> str:
    """The learner-facing Markdown of a lesson (tutor notes left out)."""
    nb = source_notebook(path)
    return "\n".join(
        c.source
        for c in nb.cells
        if c.cell_type == "markdown" and "tutor-note" not in c.metadata.get("tags", [])
    )


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lesson_opens_with_audience_time_and_objectives_and_ends_with_key_points(path):
    text = _markdown(path)
    for heading in (
        "Who this is for",
        "Time needed",
        "What you will learn",
        "Key points",
        "Reflection",
    ):
        assert heading.lower() in text.lower(), f"{path.name} lacks '{heading}'"
    assert text.lower().index("what you will learn") < text.lower().index("key points")
    assert "synthetic" in text.lower(), f"{path.name} should say the data are synthetic"


SENSITIVE = re.compile(r"\b(detain|detention|restrain|restraint|self-harm|suicide|seclusion)", re.I)


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lessons_about_detention_or_restraint_carry_a_content_note(path):
    text = _markdown(path)
    if len(SENSITIVE.findall(text)) >= 5:  # the lesson is about it, not a passing mention
        head = text[: max(1500, len(text) // 6)].lower()
        assert "content note" in head, f"{path.name} discusses detention or restraint"


BANNED = {
    r"\bthe mentally ill\b": "people with mental illness",
    r"\bschizophrenics\b": "people with schizophrenia",
    r"\bcommitted suicide\b": "died by suicide",
    r"\bsuffer(s|ing)? from\b": "lives with / has",
}


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lesson_language_is_person_first(path):
    text = _markdown(path)
    for pattern, better in BANNED.items():
        assert not re.search(pattern, text, re.I), f"{path.name}: use '{better}'"
    if re.search(r"\bsectioned\b", text, re.I):
        assert re.search(r"detained under|Mental Health Act", text), "explain 'sectioned'"


@pytest.mark.parametrize(
    "path",
    [p for p in LESSONS if lesson_id(p)[:2] in {"00", "01", "02", "03"}],
    ids=[i for i in IDS if i[:2] in {"00", "01", "02", "03"}],
)
def test_first_lessons_are_easy_to_read(path):
    """Flesch reading ease of the explanatory text is at least 60 (lessons 0 to 3)."""
    from mhtrain.course.readability import flesch_reading_ease

    score = flesch_reading_ease(path)
    print(f"{path.name}: Flesch reading ease {score:.1f}")
    assert score >= 60
