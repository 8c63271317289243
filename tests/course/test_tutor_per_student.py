"""Per-student data: each submission is marked against the dataset of the student who made it."""

from __future__ import annotations

import copy

import nbformat
import pytest

import mhtrain
from mhtrain.checks import lesson00
from mhtrain.course.lessons import lesson_sources, read_lesson
from mhtrain.course.tutor import grade_lesson, init_course, model_submission, read_course
from mhtrain.data import seed_for_student

pytestmark = pytest.mark.slow

LESSON = "00-getting-started"
COURSE = "demo-2025"


def _answer(nb, value: float):
    """The model submission with exercise 1 answered by a typed-in number."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q1-answer":
            cell.source = f"percent_in_contact = {value!r}"
    return nb


def test_each_student_is_marked_against_their_own_dataset(tmp_path):
    root = tmp_path / "course"
    report = init_course(root, lessons=["00"], per_student_data=True, course_id=COURSE)
    assert report.per_student_data and read_course(root).per_student_data
    assert "MHTRAIN_STUDENT" in report.next_steps()

    # What each number should be: from ana's own dataset, and from the shared course dataset.
    ana_data = mhtrain.load(seed=seed_for_student("ana", course=COURSE))
    own = lesson00.q1.expected(data=ana_data)
    shared = lesson00.q1.expected(data=mhtrain.load())
    # the two datasets must differ: the shared answer is not right on ana's data
    assert lesson00.q1.evaluate(shared, data=ana_data).status != "correct"
    bob_data = mhtrain.load(seed=seed_for_student("bob", course=COURSE))
    assert lesson00.q1.evaluate(shared, data=bob_data).status != "correct"

    release = nbformat.read(root / "release" / LESSON / f"{LESSON}.ipynb", as_version=4)
    source = read_lesson(lesson_sources(lessons=[LESSON])[0])
    worked = model_submission(source, release)
    handed_in = {
        "ana": _answer(worked, own),  # typed in her own dataset's answer: right for her
        "bob": _answer(worked, shared),  # typed in the shared dataset's answer: not his data
        "cat": worked,  # computed it in the notebook: right on any dataset
    }
    for student, nb in handed_in.items():
        folder = root / "submitted" / student / LESSON
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{LESSON}.ipynb")

    graded = grade_lesson(root, LESSON, progress=False)
    rows = {row["student_id"]: row for row in graded.rows}
    points = float(
        next(
            c.metadata["nbgrader"]["points"]
            for c in source.cells
            if c.metadata.get("nbgrader", {}).get("grade_id") == "q1-test"
        )
    )
    assert float(rows["ana"]["q1-test"]) == points
    assert float(rows["bob"]["q1-test"]) == 0
    assert float(rows["cat"]["q1-test"]) == points
    assert not graded.problems

    # The marked copy shows ana's own numbers, not the shared dataset's.
    marked = root / "autograded" / "ana" / LESSON / f"{LESSON}.ipynb"
    printed = "".join(
        out.get("text", "")
        for cell in nbformat.read(marked, as_version=4).cells
        for out in cell.get("outputs", [])
    )
    people_own = len(mhtrain.load(seed=seed_for_student("ana", course=COURSE)).people)
    assert people_own != len(mhtrain.load().people)
    assert f"People in contact with services: {people_own}" in printed
