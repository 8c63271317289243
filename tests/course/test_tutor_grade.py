"""Marking a class with nbgrader: broken submissions never stop or change anyone else's marks.

One class of simulated submissions of lesson 0 is built from the released notebook, handed in
through ``mhtrain course collect``, marked once with ``mhtrain course grade`` (a real nbgrader
run, with a short cell timeout; the class report's tests read the same run), and then checked
from several sides: exit code and report, one grade row and one feedback page per student,
each student's marks against what the lesson's points give, and no hidden test or unreleased
solution anywhere in feedback or in the released files.
"""

from __future__ import annotations

import copy
import html
import json
import re
from pathlib import Path

import nbformat
import pytest

from mhtrain.course.lessons import TUTOR_NOTE_TAG
from mhtrain.course.tutor import (
    NOT_GRADED,
    NOT_SUBMITTED,
    model_submission,
    read_course,
    refresh_feedback,
)

# The class is the class report's too (tests/course/conftest.py): both modules run on one
# worker, so it is made and marked once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tutor-grade")]

LESSON = "00-getting-started"
TIMEOUT = 10  # seconds a cell may run while marking, short so the looping student is quick

FULL, ZERO, BY_HAND, NONE = "full", "zero", "by hand", "none"


# ------------------------------------------------------------------------------------------
# The lesson's structure, read from its nbgrader source (never typed in here)
# ------------------------------------------------------------------------------------------


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _grade_id(cell) -> str | None:
    return _meta(cell).get("grade_id")


def _points(source) -> dict[str, float]:
    return {_grade_id(c): float(_meta(c)["points"]) for c in source.cells if _meta(c).get("grade")}


def _tests(source) -> list[str]:
    return [
        _grade_id(c)
        for c in source.cells
        if c.cell_type == "code" and _meta(c).get("grade") and not _meta(c).get("solution")
    ]


def _written(source) -> list[str]:
    return [
        _grade_id(c) for c in source.cells if c.cell_type == "markdown" and _meta(c).get("grade")
    ]


def _answer_of(test_id: str) -> str:
    """The answer cell a test cell checks: ``q1-test`` checks ``q1-answer``."""
    return test_id.split("-", 1)[0] + "-answer"


def _with(nb, grade_id: str, source: str):
    nb = copy.deepcopy(nb)
    [cell] = [c for c in nb.cells if _grade_id(c) == grade_id]
    cell.source = source
    return nb


# ------------------------------------------------------------------------------------------
# The class: each student's notebook (or file) and the marks it should get
# ------------------------------------------------------------------------------------------


def _expect(source, *, tests: str, written: str, overrides: dict | None = None) -> dict:
    expected = dict.fromkeys(_tests(source), tests)
    expected.update(dict.fromkeys(_written(source), written))
    expected.update(overrides or {})
    return expected


def _class(source, release):
    """Return {student: (notebook or raw text, file name, expected marks, has a problem)}."""
    correct = model_submission(source, release)
    first_test = _tests(source)[0]
    first_answer = _answer_of(first_test)
    students = {}

    students["b-correct"] = (correct, None, _expect(source, tests=FULL, written=BY_HAND), False)
    students["d-blank"] = (release, None, _expect(source, tests=ZERO, written=ZERO), False)

    # A known misconception (a proportion, not a percentage), and a look at every solution:
    # marking switches solutions off, so none may reach the feedback.
    wrong = _with(correct, first_answer, "percent_in_contact = people_in_contact / residents")
    for written in _written(source):
        wrong = _with(wrong, written, release.cells[_index(release, written)].source)
    calls = "\n".join(f"ex.{t.split('-')[0]}.solution()" for t in _tests(source) + _written(source))
    wrong.cells.append(nbformat.v4.new_code_cell(calls))
    students["f-misconception"] = (
        wrong,
        None,
        _expect(source, tests=FULL, written=ZERO, overrides={first_test: ZERO}),
        False,
    )

    # A cell that never finishes. It waits rather than spins, so it runs into the cell
    # timeout without taking a processor from the tests running beside it.
    students["a-loop"] = (
        _with(correct, first_answer, "import time\n\nwhile True:\n    time.sleep(1)"),
        None,
        _expect(source, tests=FULL, written=BY_HAND, overrides={first_test: ZERO}),
        True,
    )

    raises = copy.deepcopy(release)
    for cell in raises.cells:
        if cell.cell_type == "code":
            cell.source = 'raise RuntimeError("this cell always fails")'
    students["c-raises"] = (raises, None, _expect(source, tests=ZERO, written=ZERO), True)

    # Wrong answers, and every test cell edited to pass: nbgrader restores the tests.
    edited = _with(release, first_answer, "percent_in_contact = people_in_contact")
    edited = _with(edited, "q2-answer", 'answer_q2 = "a"')
    for test in _tests(source):
        edited = _with(edited, test, "assert True")
    students["e-edited-tests"] = (edited, None, _expect(source, tests=ZERO, written=ZERO), True)

    deleted = copy.deepcopy(correct)
    deleted.cells = [c for c in deleted.cells if _grade_id(c) != first_answer]
    students["g-deleted-cell"] = (
        deleted,
        None,
        _expect(source, tests=FULL, written=BY_HAND, overrides={first_test: ZERO}),
        True,
    )

    noisy = copy.deepcopy(correct)
    noisy.cells.insert(
        _index(noisy, first_answer),
        nbformat.v4.new_code_cell(
            'print("x" * 3_000_000)\nfor i in range(200_000):\n    print(i, "lines")'
        ),
    )
    students["h-big-output"] = (noisy, None, _expect(source, tests=FULL, written=BY_HAND), True)

    students["i-damaged-file"] = ("{ this is not a notebook", None, _expect_none(source), True)
    students["j-wrong-name"] = (correct, "Untitled.ipynb", _expect_none(source), True)
    return students


def _expect_none(source) -> dict:
    return _expect(source, tests=NONE, written=NONE)


def _index(nb, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if _grade_id(c) == grade_id)


ABSENT = "k-absent"  # on the class list, never handed anything in
STUDENTS = [
    "a-loop",
    "b-correct",
    "c-raises",
    "d-blank",
    "e-edited-tests",
    "f-misconception",
    "g-deleted-cell",
    "h-big-output",
    "i-damaged-file",
    "j-wrong-name",
]


@pytest.fixture(scope="module")
def marked(lesson0_class):
    """A course of lesson 0 with the whole class marked once through the command line (made
    by ``test_report_class.hand_in_mark_and_report``, whose report tests read it too)."""
    students = lesson0_class["students"]
    assert sorted(students) == STUDENTS
    return {
        "root": lesson0_class["root"],
        "code": lesson0_class["grade_code"],
        "stdout": lesson0_class["graded"],
        "rows": lesson0_class["grades"],
        "students": students,
        "source": lesson0_class["source"],
        "release": lesson0_class["release"],
    }


# ------------------------------------------------------------------------------------------
# The command's result
# ------------------------------------------------------------------------------------------


def test_grading_a_class_with_broken_submissions_exits_0(marked):
    assert marked["code"] == 0, marked["stdout"]


def test_the_report_names_exactly_the_problem_submissions(marked):
    report = marked["stdout"]
    problem = {s for s, (_, _, _, bad) in marked["students"].items() if bad}
    fine = set(marked["students"]) - problem
    listed = report.split("Submissions with problems", 1)[1]
    for student in problem:
        assert f"  {student}: " in listed
    for student in fine:
        assert student not in listed
    flagged = {s for s, row in marked["rows"].items() if row["problems"]}
    assert flagged == problem


def test_every_student_gets_one_grade_row_and_a_feedback_page(marked):
    rows = marked["rows"]
    assert set(rows) == {*marked["students"], ABSENT}
    assert rows[ABSENT]["status"] == NOT_SUBMITTED
    assert rows[ABSENT]["first_name"]  # names come from the class list
    for student in marked["students"]:
        pages = list((marked["root"] / "feedback" / student / LESSON).glob("*.html"))
        assert len(pages) == 1, student
        assert pages[0].stat().st_size > 0
    assert not (marked["root"] / "feedback" / ABSENT).exists()


def test_files_that_cannot_be_marked_are_explained_to_the_learner(marked):
    rows = marked["rows"]
    for student in ("i-damaged-file", "j-wrong-name"):
        assert rows[student]["status"] == NOT_GRADED
        page = (marked["root"] / "feedback" / student / LESSON / f"{LESSON}.html").read_text()
        assert "could not be marked automatically" in page
    assert "Untitled.ipynb" in rows["j-wrong-name"]["problems"]


# ------------------------------------------------------------------------------------------
# Marks
# ------------------------------------------------------------------------------------------


def _expected_cell(kind: str, points: float) -> str:
    return {FULL: f"{points:g}", ZERO: "0", BY_HAND: "", NONE: ""}[kind]


@pytest.mark.parametrize("student", STUDENTS)
def test_each_students_marks_are_what_the_lesson_points_give(marked, student):
    points = _points(marked["source"])
    _, _, expected, _ = marked["students"][student]
    row = marked["rows"][student]
    for grade_id, kind in expected.items():
        assert row[grade_id] == _expected_cell(kind, points[grade_id]), (student, grade_id)
    if all(kind == NONE for kind in expected.values()):
        assert row["score"] == ""
        return
    total = sum(points[g] for g, kind in expected.items() if kind == FULL)
    assert float(row["score"]) == total
    assert float(row["max_score"]) == sum(points.values())
    by_hand = [g for g, kind in expected.items() if kind == BY_HAND]
    assert row["to mark by hand"].split() == by_hand


def test_the_looping_cell_was_stopped_and_the_rest_still_ran(marked):
    path = marked["root"] / "autograded" / "a-loop" / LESSON / f"{LESSON}.ipynb"
    nb = nbformat.read(path, as_version=4)
    first_answer = _answer_of(_tests(marked["source"])[0])
    loop = nb.cells[_index(nb, first_answer)]
    assert any(o.get("output_type") == "error" for o in loop.outputs)
    last_test = nb.cells[_index(nb, _tests(marked["source"])[-1])]
    assert last_test.outputs  # cells after the stopped one ran
    assert f"more than {TIMEOUT} seconds" in marked["rows"]["a-loop"]["problems"]


def test_edited_test_cells_are_restored_from_the_gradebook(marked):
    path = marked["root"] / "autograded" / "e-edited-tests" / LESSON / f"{LESSON}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for test in _tests(marked["source"]):
        original = marked["source"].cells[_index(marked["source"], test)].source
        assert nb.cells[_index(nb, test)].source.strip() == original.strip()
    assert "locked cells were edited" in marked["rows"]["e-edited-tests"]["problems"]


def test_megabytes_of_output_are_cut_before_they_reach_the_marked_copy_and_feedback(marked):
    root = marked["root"]
    copy_ = root / "autograded" / "h-big-output" / LESSON / f"{LESSON}.ipynb"
    page = root / "feedback" / "h-big-output" / LESSON / f"{LESSON}.html"
    limit = 1_000_000  # the learner printed over 3,000,000 characters
    assert copy_.stat().st_size < limit
    assert page.stat().st_size < limit


def test_refreshed_feedback_shows_marks_given_by_hand_and_keeps_the_problem_notes(marked):
    from nbgrader.api import Gradebook

    settings = read_course(marked["root"])
    points = _points(marked["source"])
    written = _written(marked["source"])
    with Gradebook(f"sqlite:///{settings.root / 'gradebook.db'}", settings.course_id) as gb:
        for grade_id in written:
            grade = gb.find_grade(grade_id, LESSON, LESSON, "b-correct")
            grade.manual_score = points[grade_id]
            grade.needs_manual_grade = False
        gb.db.commit()
    report = refresh_feedback(marked["root"], LESSON, progress=False)
    rows = {row["student_id"]: row for row in report.rows}
    assert float(rows["b-correct"]["score"]) == sum(points.values())
    assert rows["b-correct"]["to mark by hand"] == ""
    for student, row in marked["rows"].items():
        assert rows[student]["problems"] == row["problems"]
        assert rows[student]["status"] == row["status"]
    assert set(report.feedback) == set(marked["students"])


# ------------------------------------------------------------------------------------------
# Nothing secret leaks
# ------------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    """Compare text as a reader sees it: no Markdown emphasis or backticks, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"[*`]", "", text)).strip()


def _secrets(source) -> dict[str, set[str]]:
    """Lines of hidden tests, solutions (code and model answers) and tutor notes.

    A line that the lesson also shows openly (a sentence repeated in the text, say) is no
    secret, so it is left out.
    """
    found: dict[str, set[str]] = {"hidden test": set(), "solution": set(), "tutor note": set()}
    visible: list[str] = []
    for cell in source.cells:
        lines = cell.source.split("\n")
        if TUTOR_NOTE_TAG in cell.get("metadata", {}).get("tags", []):
            found["tutor note"].update(lines)
        elif cell.cell_type == "markdown" and _meta(cell).get("solution"):
            found["solution"].update(lines)
        elif cell.cell_type == "code":
            region = None
            for line in lines:
                if "BEGIN HIDDEN TESTS" in line:
                    region = "hidden test"
                elif "BEGIN SOLUTION" in line:
                    region = "solution"
                elif "END HIDDEN TESTS" in line or "END SOLUTION" in line:
                    region = None
                else:
                    if region:
                        found[region].add(line)
                    else:
                        visible.append(line)
        else:
            visible.extend(lines)
    shown = _norm("\n".join(visible))
    return {
        kind: {n for n in map(_norm, lines) if len(n) >= 6 and n not in shown}
        for kind, lines in found.items()
    }


def _page_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", text, flags=re.S | re.I)
    return _norm(html.unescape(re.sub(r"<[^>]+>", "", text)))


def _own_lines(content) -> set[str]:
    if isinstance(content, str):
        return set()
    return {_norm(line) for cell in content.cells for line in cell.source.split("\n")}


def test_the_leak_checks_can_see_what_they_look_for(marked):
    """Positive controls: the hidden tests really ran, and page text is searchable."""
    secrets = _secrets(marked["source"])
    assert secrets["hidden test"] and secrets["solution"] and secrets["tutor note"]
    graded = marked["root"] / "autograded" / "d-blank" / LESSON / f"{LESSON}.ipynb"
    graded_text = _norm("\n".join(c.source for c in nbformat.read(graded, as_version=4).cells))
    for line in secrets["hidden test"]:
        assert line in graded_text
    page = _page_text(marked["root"] / "feedback" / "d-blank" / LESSON / f"{LESSON}.html")
    visible_test = marked["source"].cells[_index(marked["source"], "q1-test")].source
    assert _norm(visible_test.split("\n")[-1]) in page


def test_feedback_never_shows_hidden_tests_solutions_or_tutor_notes(marked):
    secrets = _secrets(marked["source"])
    for student, (content, _, _, _) in marked["students"].items():
        page = _page_text(marked["root"] / "feedback" / student / LESSON / f"{LESSON}.html")
        own = _own_lines(content)  # a learner's own answer may match a solution line
        for kind, lines in secrets.items():
            for line in lines - own:
                assert line not in page, (student, kind, line)


def test_released_files_never_hold_hidden_tests_solutions_or_tutor_notes(marked):
    secrets = _secrets(marked["source"])
    release = marked["root"] / "release"
    files = [p for p in release.rglob("*") if p.is_file()]
    assert files
    for path in files:
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            text = _norm("\n".join(c.source for c in nb.cells) + json.dumps(nb.metadata))
        else:
            text = _norm(path.read_text(encoding="utf-8", errors="replace"))
        for kind, lines in secrets.items():
            for line in lines:
                assert line not in text, (path.name, kind, line)


def test_marking_one_learner_again_leaves_everyone_elses_record_alone(marked):
    from mhtrain.course.tutor import grade_lesson

    report = grade_lesson(marked["root"], "00", students=["d-blank"], progress=False)
    assert report.graded == ["d-blank"]
    rows = {row["student_id"]: row for row in report.rows}
    assert set(rows) == set(marked["rows"])
    for student, before in marked["rows"].items():
        for column in ("status", "problems"):
            assert rows[student][column] == before[column], (student, column)
    assert rows["d-blank"]["score"] == marked["rows"]["d-blank"]["score"]
