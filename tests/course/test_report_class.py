"""The class report over a class really marked by ``mhtrain course grade`` (one marking run).

The class is the grading tests' own (``test_tutor_grade._class``: a correct notebook, a blank
one, a known misconception, edited tests, a deleted cell, a loop, a damaged file, a wrong file
name, ...) plus a learner on the class list who hands nothing in. The notebooks come back the
laptop way, through ``mhtrain course collect``, which records each file's time; the lesson has a
due date and one learner is late. What each learner should get is worked out here from the
notebooks handed in, not read from the report.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
from collections import Counter
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from test_tutor_grade import ABSENT, BY_HAND, FULL, LESSON, NONE, STUDENTS, TIMEOUT, ZERO, _class

from mhtrain.checks import exercises_in, lesson00
from mhtrain.cli import main
from mhtrain.course.lessons import lesson_sources, read_lesson

# The class is the grading tests' too (tests/course/conftest.py): both modules run on one
# worker, so it is made and marked once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tutor-grade")]

DUE = "2026-12-08T17:00+00:00"
DUE_AT = dt.datetime(2026, 12, 8, 17, 0, tzinfo=dt.UTC)
ON_TIME = dt.datetime(2026, 12, 8, 12, 0, tzinfo=dt.UTC)
LATE_STUDENT = "b-correct"
LATE = dt.datetime(2026, 12, 10, 9, 30, tzinfo=dt.UTC)  # 1 day 16 h 30 min after the due date

#: Answers that give no value at all (a cell that loops or raises): a fair tutor may call
#: them not yet (the learner tried) or not attempted (there is no answer).
NO_VALUE = {"a-loop", "c-raises"}
#: The wrong answers planted in the class and the misconception each is (see ``_class``).
PLANTED = {
    ("q1", "proportion-not-percentage"): ["f-misconception"],  # people_in_contact / residents
    ("q1", "count-not-percentage"): ["e-edited-tests"],  # people_in_contact
    ("q2", "deidentified-not-synthetic"): ["e-edited-tests"],  # "a"
}


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def hand_in_mark_and_report(base: Path) -> dict:
    """Make the course in ``base``, hand the class in, mark it and report on it, once.

    The course of lesson 0 has a due date and the class list holds names and e-mail addresses;
    the notebooks come back through ``mhtrain course collect`` (each file's time recorded, one
    learner late), are marked with ``mhtrain course grade`` and reported on with ``mhtrain
    course report``. What the commands wrote is read at once, before any test changes a mark.
    The grading tests (``test_tutor_grade.py``) read the same marked class.
    """
    root = base / "course"
    class_list = base / "class.csv"
    class_list.write_text(
        "id,first_name,last_name,email\n"
        + "".join(f"{s},Name{i},Test,{s}@example.org\n" for i, s in enumerate([*STUDENTS, ABSENT])),
        encoding="utf-8",
    )
    code, out = _run(
        "course", "init", str(root), "--lessons", "00", "--cell-timeout", str(TIMEOUT),
        "--students", str(class_list), "--due", f"00={DUE}",
    )  # fmt: skip
    assert code == 0, out
    source = read_lesson(lesson_sources(lessons=[LESSON])[0])
    release = nbformat.read(root / "release" / LESSON / f"{LESSON}.ipynb", as_version=4)
    students = _class(source, release)
    returned = base / "returned"
    returned.mkdir()
    for student, (content, name, _, _) in students.items():
        if name is not None:  # handed in under another name: put where marking looks
            path = root / "submitted" / student / LESSON / name
            path.parent.mkdir(parents=True)
        else:
            path = returned / f"{student}.ipynb"
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            nbformat.write(content, path)
        when = (LATE if student == LATE_STUDENT else ON_TIME).timestamp()
        os.utime(path, (when, when))
    assert _run("course", "collect", str(root), "00", str(returned))[0] == 0
    grade_code, graded = _run("course", "grade", str(root), "00", "--quiet")
    code, out = _run("course", "report", str(root), "00")
    assert code == 0, out
    folder = root / "reports" / LESSON
    tables = {}
    for name in ("exercises", "misconceptions", "scores", "learners"):
        with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            tables[name] = list(csv.DictReader(handle))
    with (root / "grades" / f"{LESSON}.csv").open(encoding="utf-8", newline="") as handle:
        grades = {r["student_id"]: r for r in csv.DictReader(handle)}
    page = (folder / "index.html").read_text(encoding="utf-8")
    return {
        "root": root,
        "source": source,
        "students": students,
        "release": release,
        "grade_code": grade_code,
        "graded": graded,
        "out": out,
        "grades": grades,
        "page": page,
        "soup": BeautifulSoup(page, "html.parser"),
        "record": json.loads((root / "grades" / f"{LESSON}-marking.json").read_text()),
        **tables,
    }


@pytest.fixture(scope="module")
def reported(lesson0_class):
    assert lesson0_class["grade_code"] == 0, lesson0_class["graded"]
    return lesson0_class


# ------------------------------------------------------------------------------------------
# What each learner should get, from the notebooks handed in
# ------------------------------------------------------------------------------------------


def _answer_cells(nb) -> dict[str, str]:
    return {_meta(c)["grade_id"]: c.source.strip() for c in nb.cells if _meta(c).get("solution")}


def _expected_outcomes(reported) -> dict[str, dict[str, set[str]]]:
    """For each marked learner, each exercise's possible outcomes (one, unless NO_VALUE)."""
    released = _answer_cells(reported["release"])
    found: dict[str, dict[str, set[str]]] = {}
    for student, (content, _, marks, _) in reported["students"].items():
        if all(kind == NONE for kind in marks.values()):
            continue  # never marked: in no share
        answers = _answer_cells(content)
        found[student] = {}
        for cell, kind in marks.items():
            exercise = cell.split("-", 1)[0]
            mine = {g: s for g, s in released.items() if g.startswith(f"{exercise}-")}
            untouched = all(answers.get(g, s) == s for g, s in mine.items())
            if kind == FULL:
                outcome = {"correct"}
            elif kind == BY_HAND:
                outcome = {"manual"}
            elif untouched:
                outcome = {"not attempted"}
            elif student in NO_VALUE:
                outcome = {"not yet", "not attempted"}
            else:
                outcome = {"not yet"}
            assert kind != ZERO or outcome != {"correct"}
            found[student][exercise] = outcome
    return found


def test_each_learners_outcomes_are_what_their_notebook_deserves(reported):
    expected = _expected_outcomes(reported)
    learners = {r["student_id"]: r for r in reported["learners"]}
    assert set(expected) == {s for s, r in learners.items() if r["status"].startswith("graded")}
    for student, outcomes in expected.items():
        for exercise, allowed in outcomes.items():
            assert learners[student][exercise] in allowed, (student, exercise)


def test_each_exercises_counts_match_the_class(reported):
    expected = _expected_outcomes(reported)
    learners = {r["student_id"]: r for r in reported["learners"]}
    rows = {r["exercise"]: r for r in reported["exercises"]}
    assert list(rows) == list(exercises_in(lesson00))
    columns = {"manual": "to mark by hand"}
    for exercise, row in rows.items():
        assert int(row["marked"]) == len(expected)
        sure = Counter(next(iter(o[exercise])) for o in expected.values() if len(o[exercise]) == 1)
        unsure = [s for s, o in expected.items() if len(o[exercise]) > 1]
        told = Counter(learners[s][exercise] for s in expected)
        for outcome in ("correct", "not yet", "not attempted", "manual"):
            count = int(row[columns.get(outcome, outcome)])
            assert sure[outcome] <= count <= sure[outcome] + len(unsure), (exercise, outcome)
            assert count == told[outcome]  # the counts are the learners' own lines
            share = 100 * count / len(expected)
            assert row[f"{columns.get(outcome, outcome)} %"] == f"{share:.0f}"
    assert rows["q1"]["correct"] == str(sum(1 for o in expected.values() if o["q1"] == {"correct"}))


def test_misconceptions_match_the_wrong_answers_planted(reported):
    named = {
        e.get("misconception")
        for entry in reported["record"].values()
        for e in (entry.get("exercises") or {}).values()
    }
    if not any(reported["record"][s].get("exercises") for s in reported["record"]):
        pytest.skip("this marking records no per-exercise results, so no misconception names")
    assert named - {None}, "the record names no misconception at all"
    messages = {m.name: m.message for e in (lesson00.q1, lesson00.q2) for m in e.misconceptions}
    found = {(r["exercise"], r["misconception"]): r for r in reported["misconceptions"]}
    for key, who in PLANTED.items():
        assert key in found, key
        assert found[key]["learner ids"].split(" ") == who
        assert found[key]["learners"] == str(len(who))
        assert found[key]["what it means"] == messages[key[1]]


# ------------------------------------------------------------------------------------------
# Lateness, not handed in, flagged
# ------------------------------------------------------------------------------------------


def test_the_late_learner_is_late_everywhere_and_nobody_else(reported):
    late_by = "1 day 16 h 30 min"
    assert reported["grades"][LATE_STUDENT]["late by"] == late_by
    assert reported["grades"][LATE_STUDENT]["submitted at"] == "2026-12-10T09:30:00+00:00"
    assert {s for s, r in reported["grades"].items() if r["late by"]} == {LATE_STUDENT}
    assert f"Late (1 of {len(STUDENTS)}, due 2026-12-08T17:00:00+00:00): " in reported["graded"]
    assert f"{LATE_STUDENT} by {late_by}" in reported["graded"]
    record = reported["record"]
    assert record[LATE_STUDENT]["late_by_s"] == pytest.approx((LATE - DUE_AT).total_seconds())
    assert record["d-blank"]["late_by_s"] == 0
    assert record["d-blank"]["submitted_at"] == "2026-12-08T12:00:00+00:00"
    learners = {r["student_id"]: r for r in reported["learners"]}
    assert {s for s, r in learners.items() if r["late by"]} == {LATE_STUDENT}
    lateness = reported["soup"].find("h2", id="lateness").find_next("table")
    rows = [[c.get_text(strip=True) for c in tr(["th", "td"])] for tr in lateness("tr")[1:]]
    assert rows == [[LATE_STUDENT, "2026-12-10T09:30:00+00:00", late_by]]


def test_not_handed_in_is_not_a_zero(reported):
    learners = {r["student_id"]: r for r in reported["learners"]}
    assert learners[ABSENT]["status"] == "not handed in"
    assert learners[ABSENT]["score"] == ""
    assert learners["d-blank"]["score"] == "0"
    total = sum(int(r["learners"]) for r in reported["scores"])
    marked = [s for s, r in learners.items() if r["status"].startswith("graded")]
    assert total == len(marked) and ABSENT not in marked
    missing = reported["soup"].find("h2", id="missing").find_next("p").get_text(" ")
    assert ABSENT in missing and "d-blank" not in missing


def test_flagged_submissions_are_the_ones_marking_named(reported):
    flagged = reported["soup"].find("h2", id="flagged").find_next("table")
    rows = {tr.th.get_text(strip=True): tr for tr in flagged("tr")[1:]}
    named = {s for s, r in reported["grades"].items() if r["problems"]}
    broken = {s for s, (_, _, _, bad) in reported["students"].items() if bad}
    assert set(rows) == named
    assert broken <= named  # every broken submission among them
    for student, row in rows.items():
        assert reported["grades"][student]["problems"] in row.get_text()
    assert "Untitled.ipynb" in rows["j-wrong-name"].get_text()


def test_the_report_shows_ids_only_never_names_or_email(reported):
    for text in [reported["page"], *(Path(reported["root"] / "reports" / LESSON).glob("*.csv"))]:
        body = text if isinstance(text, str) else text.read_text(encoding="utf-8")
        assert "Name1" not in body and "example.org" not in body
