"""With each learner's own data, can a learner switch the data their kernel checks against?

A per-student course of lesson 0 is marked once (in the sandbox where bubblewrap is
available). One learner works honestly on their own data. Two others compute their answer
from other data and tell their kernel's checks to use that data too, so the kernel's own test
cells say Correct: one loads the course's public copy and calls ``use_dataset``, one sets
``MHTRAIN_STUDENT`` to a classmate and loads the classmate's data. The grader judges every
answer against the data of the learner nbgrader is marking, so only the honest learner earns
the marks for exercise 1, and the switchers are named in the problems.
"""

from __future__ import annotations

import copy

import nbformat
import pytest

import mhtrain
from mhtrain.checks import lesson00
from mhtrain.course.lessons import lesson_sources, read_lesson
from mhtrain.course.tutor import grade_lesson, init_course, model_submission
from mhtrain.data import seed_for_student

# One worker runs every test here, so the module's course is made and marked once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-own-data")]

LESSON = "00-getting-started"
COURSE = "own-2026"
FROM_DATA = (
    "people_in_contact = len(data.people)\nresidents = data.population['residents'].sum()\n"
    "percent_in_contact = people_in_contact / residents * 100"
)


def _with_q1(nb, code: str):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q1-answer":
            cell.source = code
    return nb


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    root = tmp_path_factory.mktemp("own") / "course"
    init_course(root, lessons=["00"], per_student_data=True, course_id=COURSE)
    release = nbformat.read(root / "release" / LESSON / f"{LESSON}.ipynb", as_version=4)
    worked = model_submission(read_lesson(lesson_sources(lessons=[LESSON])[0]), release)
    handed_in = {
        "ana": worked,
        "ben": _with_q1(
            worked,
            "from mhtrain.checks import use_dataset\nfrom mhtrain.data import data_dir, read_dir\n"
            f"data = read_dir(data_dir())\nuse_dataset(data)\n{FROM_DATA}",
        ),
        "cat": _with_q1(
            worked,
            "import os\nimport mhtrain\nfrom mhtrain.data import seed_for_student\n"
            "os.environ['MHTRAIN_STUDENT'] = 'ana'\n"
            f"data = mhtrain.load(seed=seed_for_student('ana', course={COURSE!r}))\n{FROM_DATA}",
        ),
    }
    for student, nb in handed_in.items():
        folder = root / "submitted" / student / LESSON
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{LESSON}.ipynb")
    report = grade_lesson(root, LESSON, progress=False, jobs=2)
    return {"root": root, "report": report, "rows": {r["student_id"]: r for r in report.rows}}


def test_the_switched_data_give_other_answers():
    own = {s: mhtrain.load(seed=seed_for_student(s, course=COURSE)) for s in ("ana", "ben")}
    for other in (mhtrain.load(), own["ana"]):
        assert (
            lesson00.q1.evaluate(lesson00.q1.expected(data=other), data=own["ben"]).status
            != "correct"
        )


def test_only_the_learner_who_used_their_own_data_earns_exercise_1(marked):
    rows = marked["rows"]
    points = float(rows["ana"]["q1-test"])
    assert points > 0
    for student in ("ben", "cat"):
        assert float(rows[student]["q1-test"]) == 0, student
        assert rows[student]["q2-test"] == rows["ana"]["q2-test"], student


def test_the_kernels_own_check_was_fooled_but_the_grader_was_not(marked):
    root = marked["root"]
    nb = nbformat.read(root / "autograded" / "ben" / LESSON / f"{LESSON}.ipynb", as_version=4)
    check = next(c for c in nb.cells if c.source.strip() == "ex.q1.check(percent_in_contact)")
    assert "".join(o.get("text", "") for o in check.outputs).startswith("Correct")
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1-test")
    assert test.outputs[0]["output_type"] == "error"
    assert test.outputs[0]["evalue"].startswith("Not yet")


def test_the_switchers_are_named_and_the_honest_learner_is_not(marked):
    problems = marked["report"].problems
    assert "ana" not in problems
    assert "use_dataset" in "; ".join(problems["ben"])
    assert "MHTRAIN_STUDENT" in "; ".join(problems["cat"])
