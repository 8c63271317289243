"""The class report, from marking records in the shape ``course grade`` writes.

These tests build a small course by hand: its settings, a gradebook holding each learner's
marks (nbgrader's own API), and the marking record, so each case is quick and exact. The
report over a class really marked by nbgrader is in ``test_report_class.py``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from mhtrain.checks import lesson00
from mhtrain.cli import main
from mhtrain.course.nbgrader.api import gradebook
from mhtrain.course.nbgrader.config import CourseOptions, course_config_file_text
from mhtrain.course.tutor.report import class_report, write_report
from mhtrain.errors import MhtrainError

LESSON = "00-getting-started"
POINTS = {"q1-test": 2.0, "q2-test": 1.0, "q3-reflection": 2.0}
HOSTILE = "<script>alert(1)</script>"
PROBLEM = 'the folder holds <img src=x onerror="alert(2)">.ipynb'


def _exercise(outcome, points, misconception=None, *, manual=False):
    score = points if outcome == "correct" else 0.0
    return {
        "outcome": "manual" if manual else outcome,
        "misconception": misconception,
        "score": None if manual else score,
        "max_score": points,
    }


def _answers(q1, q2, q3, m1=None, m2=None):
    return {
        "q1": _exercise(q1, POINTS["q1-test"], m1),
        "q2": _exercise(q2, POINTS["q2-test"], m2),
        "q3": _exercise(q3, POINTS["q3-reflection"], manual=q3 == "manual"),
    }


#: The record ``course grade`` writes, in the marks' schema (status, problems, exercises,
#: submitted_at, late_by_s); a learner on the class list with no entry handed nothing in.
RECORD = {
    "ann": ("graded", [], _answers("correct", "correct", "manual"), 0.0),
    "bea": ("graded", [], _answers("not yet", "correct", "manual", "proportion-not-percentage"), 0),
    "cal": ("graded", [], _answers("not yet", "not yet", "manual", "upside-down", "sample-not-synthetic"), 3700.0),
    "dee": ("graded", [], _answers("not yet", "correct", "manual", "proportion-not-percentage"), 90000.0),
    "eve": ("graded", [], _answers("not attempted", "not attempted", "not attempted"), 0.0),
    HOSTILE: ("graded, with problems", [PROBLEM], _answers("not yet", "correct", "manual", "<b>made-up</b>"), 0.0),
    "fay": ("could not be marked", ["the file could not be read as a notebook (JSONDecodeError)"], {}, None),
}  # fmt: skip
ABSENT = "gus"


def _score(exercises: dict) -> float:
    return sum(r["score"] or 0.0 for r in exercises.values())


DUE = dt.datetime(2026, 12, 8, 17, 0)


def make_course(root: Path, *, due: dt.datetime | None = DUE) -> Path:
    """A course folder with lesson 0's gradebook, marks and marking record, made by hand."""
    root.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(
        course_config_file_text(CourseOptions(course_id="report-test")), encoding="utf-8"
    )
    for folder in ("source", "release"):
        path = root / folder / LESSON / f"{LESSON}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nbformat.v4.new_notebook(), path)
    record = {}
    with gradebook(root, "report-test") as gb:
        gb.add_assignment(LESSON, duedate=due)
        gb.add_notebook(LESSON, LESSON)
        for cell, points in POINTS.items():
            kind = "markdown" if cell.endswith("reflection") else "code"
            gb.add_grade_cell(cell, LESSON, LESSON, max_score=points, cell_type=kind)
        for student in [*RECORD, ABSENT]:
            gb.add_student(student)
        for student, (status, problems, exercises, late) in RECORD.items():
            entry = {"status": status, "problems": problems}
            if status != "could not be marked":
                when = (due or DUE) + dt.timedelta(seconds=(late or 0) - 600)
                gb.add_submission(LESSON, student, timestamp=when)
                for cell in POINTS:
                    grade = gb.find_grade(cell, LESSON, LESSON, student)
                    result = exercises[cell.split("-")[0]]
                    grade.auto_score = result["score"]
                    grade.needs_manual_grade = result["outcome"] == "manual"
                gb.db.commit()
                entry["exercises"] = exercises
                entry["submitted_at"] = when.replace(tzinfo=dt.UTC).isoformat()
                entry["late_by_s"] = late if due else None  # nbgrader: no due date, no lateness
            record[student] = entry
    grades = root / "grades"
    grades.mkdir()
    (grades / f"{LESSON}-marking.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """The course, made once (a gradebook takes seconds to make); tests change copies."""
    return make_course(tmp_path_factory.mktemp("report") / "course")


@pytest.fixture
def course(made, tmp_path) -> Path:
    return Path(shutil.copytree(made, tmp_path / "course"))


@pytest.fixture(scope="module")
def written(made, tmp_path_factory) -> dict:
    report, folder = write_report(made, "00", output=tmp_path_factory.mktemp("out") / "r")
    page = (folder / "index.html").read_text(encoding="utf-8")
    tables = {}
    for name in ("exercises", "misconceptions", "scores", "learners"):
        with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            tables[name] = list(csv.DictReader(handle))
    return {"report": report, "folder": folder, "page": page, "soup": _soup(page), **tables}


def _soup(page: str) -> BeautifulSoup:
    return BeautifulSoup(page, "html.parser")


def _section(soup: BeautifulSoup, anchor: str) -> str:
    """The text of one section of the page: from its heading to the next one."""
    heading = soup.find("h2", id=anchor)
    assert heading is not None, anchor
    parts = []
    for sibling in heading.find_next_siblings():
        if sibling.name == "h2":
            break
        parts.append(sibling.get_text(" ", strip=True))
    return " ".join(parts)


def _html_table(soup: BeautifulSoup, caption_start: str) -> list[list[str]]:
    [table] = [t for t in soup.find_all("table") if t.caption.get_text().startswith(caption_start)]
    return [[c.get_text(strip=True) for c in row.find_all(["th", "td"])] for row in table("tr")]


# ------------------------------------------------------------------------------------------
# What the report counts
# ------------------------------------------------------------------------------------------


def _marked() -> dict[str, dict]:
    return {s: e for s, (status, _, e, _) in RECORD.items() if status.startswith("graded")}


def test_each_exercise_counts_the_outcomes_of_the_marked_submissions_only(written):
    rows = {r["exercise"]: r for r in written["exercises"]}
    marked = _marked()
    assert list(rows) == ["q1", "q2", "q3"]
    for exercise, row in rows.items():
        counts = Counter(e[exercise]["outcome"] for e in marked.values())
        assert int(row["marked"]) == len(marked)
        for outcome, column in [
            ("correct", "correct"),
            ("not yet", "not yet"),
            ("not attempted", "not attempted"),
            ("manual", "to mark by hand"),
        ]:
            assert int(row[column]) == counts[outcome], (exercise, outcome)
            assert row[f"{column} %"] == f"{100 * counts[outcome] / len(marked):.0f}"
    assert rows["q1"]["question"] == lesson00.q1.prompt


def test_each_misconception_has_its_count_its_learners_and_the_checks_message(written):
    expected: dict[tuple[str, str], list[str]] = {}
    for student, exercises in _marked().items():
        for exercise, result in exercises.items():
            if result["misconception"]:
                expected.setdefault((exercise, result["misconception"]), []).append(student)
    found = {(r["exercise"], r["misconception"]): r for r in written["misconceptions"]}
    assert set(found) == set(expected)
    messages = {m.name: m.message for e in (lesson00.q1, lesson00.q2) for m in e.misconceptions}
    for key, who in expected.items():
        row = found[key]
        assert int(row["learners"]) == len(who)
        assert sorted(row["learner ids"].split(" ")) == sorted(who) or key[1] == "<b>made-up</b>"
        assert row["what it means"] == messages.get(key[1], "")
    assert found[("q1", "proportion-not-percentage")]["learners"] == "2"


def test_what_to_revisit_puts_the_most_not_yet_answers_and_commonest_misconception_first(written):
    items = written["report"].revisit()
    marked = _marked()
    not_yet = Counter(
        ex for e in marked.values() for ex, r in e.items() if r["outcome"] == "not yet"
    )
    hardest, count = not_yet.most_common(1)[0]
    assert items[0].startswith(f"{hardest}: {count} of {len(marked)}")
    message = next(
        m.message for m in lesson00.q1.misconceptions if m.name == "proportion-not-percentage"
    )
    assert f"q1, proportion-not-percentage (2 learners): {message}" in items
    listed = [
        li.get_text(" ", strip=True)
        for li in written["soup"].find(id="revisit").find_next("ul")("li")
    ]
    assert listed == items


def test_the_html_tables_say_what_the_csv_files_say(written):
    soup = written["soup"]
    html_rows = _html_table(soup, "Outcomes by exercise")
    header, body = html_rows[0], html_rows[1:]
    assert header == [
        "exercise",
        "marked",
        "correct",
        "not yet",
        "not attempted",
        "to mark by hand",
    ]
    for row, csv_row in zip(body, written["exercises"], strict=True):
        assert row[0] == csv_row["exercise"]
        assert row[1] == csv_row["marked"]
        for cell, column in zip(row[2:], header[2:], strict=True):
            assert cell == f"{csv_row[column]} ({csv_row[column + ' %']}%)"
    mis = _html_table(soup, "Misconceptions")
    assert [r[:4] for r in mis[1:]] == [
        [r["exercise"], r["misconception"], r["what it means"], r["learners"]]
        for r in written["misconceptions"]
    ]
    scores = _html_table(soup, "Marked learners by score")
    assert [r[:2] for r in scores[1:]] == [[r["score"], r["learners"]] for r in written["scores"]]
    # Every bar's text alternative gives the same numbers as the table.
    for bar, csv_row in zip(soup.select(".stack"), written["exercises"], strict=True):
        label = bar["aria-label"]
        assert label.startswith(csv_row["exercise"] + ":")
        if int(csv_row["correct"]):
            assert f"{csv_row['correct']} correct ({csv_row['correct %']}%)" in label


def test_the_score_distribution_counts_every_marked_learner_once(written):
    marked = _marked()
    total = sum(int(r["learners"]) for r in written["scores"])
    assert total == len(marked)
    expected = Counter(f"{_score(e):g}" for e in marked.values())
    for row in written["scores"]:
        assert int(row["learners"]) == expected.get(row["score"], 0), row
    assert [r["score"] for r in written["scores"]] == [f"{k}" for k in range(6)]  # 0 to 5 marks


def test_not_handed_in_is_kept_apart_from_a_zero_score(written):
    learners = {r["student_id"]: r for r in written["learners"]}
    assert learners[ABSENT]["status"] == "not handed in"
    assert learners[ABSENT]["score"] == ""
    assert learners["eve"]["score"] == "0"  # handed in, answered nothing
    missing = _section(written["soup"], "missing")
    scores = _section(written["soup"], "scores")
    assert ABSENT in missing and "eve" not in missing
    zero = sorted(s for s, e in _marked().items() if _score(e) == 0)
    assert "eve" in zero
    assert f"scored 0 ({len(zero)}): {' , '.join(zero)} ." in scores and ABSENT not in scores
    assert written["report"].not_handed_in == [ABSENT]
    assert sorted(written["report"].zero_scores) == zero
    # Nobody who did not hand in is in any share: the denominators are marked work only.
    assert {r["marked"] for r in written["exercises"]} == {str(len(_marked()))}


def test_lateness_lists_who_was_late_and_by_how_much(written):
    late = _html_table(written["soup"], "Handed in late")
    assert [r[0] for r in late[1:]] == ["dee", "cal"]  # latest first
    assert late[1][2] == "1 day 1 h" and late[2][2] == "1 h 2 min"
    learners = {r["student_id"]: r for r in written["learners"]}
    assert {s for s, r in learners.items() if r["late by"]} == {"dee", "cal"}
    assert "Due: 2026-12-08T17:00:00+00:00" in _section(written["soup"], "lateness")


def test_flagged_submissions_show_their_problems(written):
    flagged = _html_table(written["soup"], "Submissions marking flagged")
    assert {r[0] for r in flagged[1:]} == {HOSTILE, "fay"}
    assert any(PROBLEM in r[2] for r in flagged[1:])


def test_a_lesson_without_a_due_date_says_how_to_set_one(tmp_path):
    root = make_course(tmp_path / "c", due=None)
    report, folder = write_report(root, LESSON)
    assert report.due is None and report.late == []
    text = _section(_soup((folder / "index.html").read_text(encoding="utf-8")), "lateness")
    assert "no due date" in text and "--due LESSON=DATE" in text


# ------------------------------------------------------------------------------------------
# Safe to open: escaped, offline, ids only
# ------------------------------------------------------------------------------------------


def test_hostile_ids_and_problem_text_are_shown_as_text_never_run(written):
    page, soup = written["page"], written["soup"]
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert soup.find_all(["script", "img", "b"]) == []
    assert not [a for tag in soup.find_all(True) for a in tag.attrs if a.startswith("on")]
    text = soup.get_text(" ")
    assert HOSTILE in text and PROBLEM in text  # shown, as text
    assert "&lt;script&gt;" in page


def test_the_page_works_offline_without_scripts_and_names_nobody(course, written):
    soup = written["soup"]
    assert soup.find_all(["script", "link", "iframe", "object"]) == []
    for tag in soup.find_all(True):
        for attr in ("src", "href"):
            assert not str(tag.get(attr, "")).startswith(("http", "//")), tag
    assert "url(http" not in written["page"] and "@import" not in written["page"]
    with gradebook(course, "report-test") as gb:
        gb.update_or_create_student("ann", first_name="Annabel", email="ann@example.org")
    report, folder = write_report(course, LESSON)
    again = (folder / "index.html").read_text(encoding="utf-8")
    assert "Annabel" not in again and "example.org" not in again
    for name in ("learners", "exercises", "misconceptions", "scores"):
        assert "Annabel" not in (folder / f"{name}.csv").read_text(encoding="utf-8")


def test_the_page_has_the_landmarks_a_screen_reader_needs(written):
    soup = written["soup"]
    assert soup.html["lang"] == "en-GB"
    assert soup.find("meta", attrs={"name": "viewport"})
    assert soup.main and soup.main.h1 and soup.title.get_text().startswith("Class report")
    assert soup.find("h2")["id"] == "revisit"  # what to revisit comes first
    for table in soup.find_all("table"):
        assert table.caption and table.caption.get_text(strip=True)
        assert all(th.get("scope") in {"col", "row"} for th in table("th"))
    for bar in soup.select('[role="img"]'):
        assert re.search(r"\d+ \w", bar["aria-label"])  # a text alternative with numbers


# ------------------------------------------------------------------------------------------
# Refusals, and writing the folder whole
# ------------------------------------------------------------------------------------------


def _report(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["course", "report", *args])
    return code, out.getvalue(), err.getvalue()


def test_a_lesson_never_marked_is_refused_clearly(course):
    (course / "grades" / f"{LESSON}-marking.json").unlink()
    code, out, err = _report(str(course), "00")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert "has not been marked yet" in err and "mhtrain course grade" in err
    assert not (course / "reports").exists()


def test_a_damaged_record_is_refused_with_what_to_do(course):
    record = course / "grades" / f"{LESSON}-marking.json"
    data = json.loads(record.read_text(encoding="utf-8"))
    data["ann"]["exercises"]["q1"]["outcome"] = "brilliant"
    record.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(MhtrainError, match="cannot be read.*'ann'.*mark the lesson again"):
        class_report(course, LESSON)
    record.write_text("{ not json", encoding="utf-8")
    code, _, err = _report(str(course), LESSON)
    assert code == 2 and "cannot be read" in err


def test_the_command_writes_the_folder_and_says_what_to_revisit(course):
    code, out, _ = _report(str(course), "00")
    folder = course / "reports" / LESSON
    assert code == 0
    assert f"{folder / 'index.html'}" in out and "To revisit: q1:" in out
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["index.html", "exercises.csv", "misconceptions.csv", "scores.csv", "learners.csv"]
    )
    # Written again, the folder is replaced whole; a folder with other files is refused.
    assert _report(str(course), "00")[0] == 0
    other = course / "elsewhere"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = _report(str(course), "00", "--output", str(other))
    assert code == 2 and "holds other files (notes.txt)" in err
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]
    code, _, _ = _report(str(course), "00", "--output", str(course / "new" / "place"))
    assert code == 0 and (course / "new" / "place" / "index.html").is_file()
    assert not [p for p in (course / "new").iterdir() if p.name.startswith(".")]


def test_answers_marked_by_hand_since_count_when_the_report_is_made_again(course):
    """Marks given in Formgrader after marking: full marks is correct, fewer is not yet."""
    with gradebook(course, "report-test") as gb:
        for student, mark in (("ann", 2.0), ("cal", 1.0)):
            grade = gb.find_grade("q3-reflection", LESSON, LESSON, student)
            grade.manual_score = mark
            grade.needs_manual_grade = False
        gb.db.commit()
    report, folder = write_report(course, LESSON)
    with (folder / "learners.csv").open(encoding="utf-8", newline="") as handle:
        learners = {r["student_id"]: r for r in csv.DictReader(handle)}
    assert learners["ann"]["q3"] == "correct"
    assert learners["cal"]["q3"] == "not yet"
    assert learners["bea"]["q3"] == "manual"  # not marked by hand yet
    assert learners["ann"]["score"] == f"{_score(RECORD['ann'][2]) + 2:g}"
    [q3] = [e for e in report.exercises if e.exercise == "q3"]
    assert q3.counts["correct"] == 1 and q3.counts["not yet"] == 1


def test_the_course_command_offers_report_with_help(capsys):
    with pytest.raises(SystemExit) as done:
        main(["course", "--help"])
    assert done.value.code == 0
    assert "report" in capsys.readouterr().out
    with pytest.raises(SystemExit) as done:
        main(["course", "report", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for words in (
        "what to revisit",
        "misconceptions",
        "not handed in",
        "works offline",
        "--output",
    ):
        assert words in text, words
