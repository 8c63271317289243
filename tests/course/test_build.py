"""Tests of the lesson build: what each derived version must contain and must never contain."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from mhtrain.checks import exercises_in
from mhtrain.course.build import (
    book_notebook,
    build_book_lessons,
    build_nbgrader_source,
    build_student_notebooks,
    lesson_sources,
    read_lesson,
    student_notebook,
    write_notebook,
)
from mhtrain.course.lessons import is_worked_words, placeholders, worked_answer
from mhtrain.course.nbgrader.config import TEXT_STUB, config_file_text, nbgrader_config
from mhtrain.course.nbgrader.preprocessors import RemoveHiddenTestsFromFeedback
from mhtrain.errors import MhtrainError

REPO = Path(__file__).resolve().parents[2]
LESSON0 = REPO / "notebooks" / "00-getting-started.md"

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

# A small lesson that needs no data: it reuses lesson 0's multiple-choice exercise (q2), so the
# cohort book can fill its answer in. Markers in capitals let the tests look for leaks.
MINI_LESSON = (
    HEADER
    + """
# Mini lesson

Some text for everyone.

+++ {"tags": ["tutor-note"]}

TUTOR-SECRET: how to mark this lesson.

+++

```{code-cell} ipython3
from mhtrain.checks import lesson00 as ex
```

```{code-cell} ipython3
---
nbgrader:
  grade: false
  grade_id: q2-answer
  locked: false
  schema_version: 3
  solution: true
---
answer_q2 = ...  # replace ... with "a", "b" or "c"
### BEGIN SOLUTION
answer_q2 = "b"  # SOLUTION-MARKER
### END SOLUTION
```

+++ {"tags": ["worked-answer"], "mhtrain": {"exercise": "q2"}}

**Answer:** WORDS-MARKER option {{ answer_q2.upper() }}, because the data are made by a program.

+++

Check your answer:

```{code-cell} ipython3
ex.q2.check(answer_q2)
```

```{code-cell} ipython3
ex.q2.hint()
```

```{code-cell} ipython3
---
nbgrader:
  grade: true
  grade_id: q2-test
  locked: true
  points: 1
  schema_version: 3
  solution: false
---
ex.q2.assert_answered(answer_q2)
### BEGIN HIDDEN TESTS
assert answer_q2.upper() == "B"  # HIDDEN-MARKER
### END HIDDEN TESTS
```

A later cell uses the answer:

```{code-cell} ipython3
print("You chose", answer_q2.upper())
```

+++ {"nbgrader": {"grade": true, "grade_id": "q3-written", "locked": false, "points": 2, \
"schema_version": 3, "solution": true}}

MODEL-ANSWER-MARKER: a model written answer.

+++ {"tags": ["worked-answer"], "mhtrain": {"exercise": "q3"}}

WRITTEN-WORDS-MARKER: a good answer names who is missing and why.

+++

## Key points

- Done.
"""
)


@pytest.fixture
def mini_dir(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "00-mini-lesson.md").write_text(MINI_LESSON, encoding="utf-8")
    return folder


@pytest.fixture
def mini(mini_dir):
    return mini_dir / "00-mini-lesson.md"


def _sources(nb):
    return [cell.source for cell in nb.cells]


def _text(nb) -> str:
    return nbformat.writes(nb)


def _tags(cell):
    return cell.metadata.get("tags", [])


def _graded(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _data_available() -> bool:
    try:
        import mhtrain

        mhtrain.load()
    except Exception:
        return False
    return True


# The course dataset is shipped, so on CI these tests must run; elsewhere they may skip.
needs_data = pytest.mark.skipif(
    not _data_available() and os.environ.get("CI", "").lower() not in {"1", "true", "yes"},
    reason="mhtrain.load() cannot load the course data",
)


# ------------------------------------------------------------------------------------------
# Reading and finding lessons
# ------------------------------------------------------------------------------------------


def test_lesson_sources_are_found_in_order_and_by_number(mini_dir):
    (mini_dir / "01-second.md").write_text(MINI_LESSON, encoding="utf-8")
    (mini_dir / "README.md").write_text("not a lesson", encoding="utf-8")
    found = lesson_sources(source_dir=mini_dir)
    assert [p.stem for p in found] == ["00-mini-lesson", "01-second"]
    assert lesson_sources(lessons=[1], source_dir=mini_dir)[0].stem == "01-second"
    assert lesson_sources(lessons=["00-mini-lesson"], source_dir=mini_dir)[0].stem == (
        "00-mini-lesson"
    )
    with pytest.raises(MhtrainError, match="no single lesson"):
        lesson_sources(lessons=["07"], source_dir=mini_dir)


def test_every_committed_lesson_reads_and_validates():
    paths = lesson_sources()
    assert LESSON0 in paths
    for path in paths:
        nb = read_lesson(path)
        assert nb.metadata["kernelspec"]["language"] == "python"
        assert "jupytext" not in nb.metadata


def test_build_is_deterministic(mini, tmp_path):
    first = build_student_notebooks(tmp_path / "a", source_dir=mini.parent)[0].read_bytes()
    second = build_student_notebooks(tmp_path / "b", source_dir=mini.parent)[0].read_bytes()
    assert first == second


# ------------------------------------------------------------------------------------------
# The nbgrader source version
# ------------------------------------------------------------------------------------------


def test_source_version_keeps_solutions_hidden_tests_and_tutor_notes(mini, tmp_path):
    [path] = build_nbgrader_source(tmp_path / "source", source_dir=mini.parent)
    assert path == tmp_path / "source" / "00-mini-lesson" / "00-mini-lesson.ipynb"
    text = path.read_text()
    for marker in (
        "SOLUTION-MARKER",
        "HIDDEN-MARKER",
        "TUTOR-SECRET",
        "MODEL-ANSWER-MARKER",
        "WORDS-MARKER",
        "WRITTEN-WORDS-MARKER",
    ):
        assert marker in text
    nb = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")
    graded = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert graded == ["q2-answer", "q2-test", "q3-written"]


# ------------------------------------------------------------------------------------------
# The student version
# ------------------------------------------------------------------------------------------


_ANSWER_MARKERS = (
    "SOLUTION-MARKER",
    "HIDDEN-MARKER",
    "TUTOR-SECRET",
    "MODEL-ANSWER-MARKER",
    "WORDS-MARKER",
)


def test_student_version_keeps_only_the_placeholder(mini):
    nb = student_notebook(mini)
    text = _text(nb)
    for marker in _ANSWER_MARKERS:
        assert marker not in text
    assert "worked-answer" not in text
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    answer = next(
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q2-answer"
    )
    assert answer.source == 'answer_q2 = ...  # replace ... with "a", "b" or "c"'
    written = next(
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q3-written"
    )
    assert written.source == TEXT_STUB
    test_cell = next(
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q2-test"
    )
    assert test_cell.source.strip() == "ex.q2.assert_answered(answer_q2)"
    assert test_cell.metadata["editable"] is False and test_cell.metadata["deletable"] is False


def test_student_version_of_lesson0_has_no_solution_lines():
    source = read_lesson(LESSON0)
    student = _text(student_notebook(LESSON0))
    for cell in source.cells:
        if "BEGIN SOLUTION" in cell.source:
            region = cell.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            for line in filter(None, (x.strip() for x in region.splitlines())):
                assert line not in student
    assert "Tutor note" not in student
    assert "BEGIN HIDDEN TESTS" not in student and "ex.q2.grade(" not in student


# ------------------------------------------------------------------------------------------
# The book versions
# ------------------------------------------------------------------------------------------


def test_book_with_answers_folds_the_words_then_the_worked_code_behind_a_click(mini):
    nb = book_notebook(mini, answers=True)
    sources = _sources(nb)
    placeholder = sources.index('answer_q2 = ...  # replace ... with "a", "b" or "c"')
    dropdown = sources[placeholder + 1]
    assert dropdown.startswith("````{admonition} Show answer\n:class: dropdown")
    # the words first (pasted from the run, as they hold a field), then the code
    words = dropdown.index("```{glue:md} mhtrain-worked-q2\n:format: myst\n```")
    assert words < dropdown.index('answer_q2 = "b"  # SOLUTION-MARKER')
    assert "BEGIN SOLUTION" not in dropdown and "..." not in dropdown
    model = next(s for s in sources if "Show model answer" in s)
    # words with no field are written in as they are, before the model answer
    assert model.index("WRITTEN-WORDS-MARKER") < model.index("MODEL-ANSWER-MARKER")
    assert not any(is_worked_words(c) for c in nb.cells)


def _hidden_added(nb, path):
    """The hidden cells the book adds (the lesson's own cells taken off the page excepted)."""
    lesson = set(_sources(read_lesson(path))) | set(_sources(student_notebook(path)))
    return [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and "remove-cell" in _tags(c) and c.source not in lesson
    ]


def test_book_runs_the_hidden_answer_after_the_checks_and_before_later_cells(mini):
    nb = book_notebook(mini, answers=True)
    sources = _sources(nb)
    hidden = _hidden_added(nb, mini)
    assert len(hidden) == 2
    run, words = hidden
    assert 'answer_q2 = "b"' in sources[run]
    assert run > sources.index("ex.q2.hint()")
    assert words == run + 1 and "WORDS-MARKER" in sources[words]
    assert "_show_words('q2'," in sources[words]
    assert words < sources.index('print("You chose", answer_q2.upper())')


def test_book_page_leaves_the_scaffolding_off_and_folds_other_code(mini):
    nb = book_notebook(mini, answers=True)
    by_source = {c.source: c for c in nb.cells}
    for scaffold in (
        'answer_q2 = ...  # replace ... with "a", "b" or "c"',
        "ex.q2.check(answer_q2)",
        "ex.q2.hint()",
    ):
        assert "remove-cell" in _tags(by_source[scaffold]), scaffold
    # words that only say to run a removed cell go with it; other words stay
    assert "remove-cell" in _tags(by_source["Check your answer:"])
    assert "remove-cell" not in _tags(by_source["A later cell uses the answer:"])
    later = by_source['print("You chose", answer_q2.upper())']
    assert "hide-input" in _tags(later) and "remove-cell" not in _tags(later)
    assert later.metadata["mystnb"]["code_prompt_show"] == "Show code"
    setup = by_source["from mhtrain.checks import lesson00 as ex"]
    assert "hide-input" in _tags(setup)
    for answers in (True, False):
        notes = [
            c for c in book_notebook(mini, answers=answers).cells if "Try the exercises" in c.source
        ]
        assert len(notes) == 1 and "mhtrain lab" in notes[0].source
        assert nb.cells[0].source.startswith("# Mini lesson")  # the title stays first
        assert ("Show answer" in notes[0].source) is answers


def test_book_removes_tests_hidden_tests_and_tutor_notes(mini):
    for answers in (True, False):
        text = _text(book_notebook(mini, answers=answers))
        for marker in ("HIDDEN-MARKER", "TUTOR-SECRET", "assert_answered", "BEGIN HIDDEN"):
            assert marker not in text
        assert '"nbgrader"' not in text


def test_cohort_book_has_no_solution_code_anywhere(mini, tmp_path):
    [path] = build_book_lessons(tmp_path / "book", answers=False, source_dir=mini.parent)
    text = path.read_text()
    for marker in (
        "SOLUTION-MARKER",
        'answer_q2 = "b"',
        "MODEL-ANSWER-MARKER",
        "Show answer",
        "WORDS-MARKER",
        "glue:md",
        "_show_words",
    ):
        assert marker not in text
    nb = nbformat.read(path, as_version=4)
    hidden = [c.source for c in nb.cells if "remove-cell" in _tags(c)]
    assert any("set_solutions_visible(False)" in s for s in hidden)
    assert any("answer_q2 = _filled_in.q2.expected()" in s for s in hidden)


def test_cohort_book_of_lesson0_has_no_solution_code():
    source = read_lesson(LESSON0)
    book = _text(book_notebook(LESSON0, answers=False))
    for cell in source.cells:
        if "BEGIN SOLUTION" in cell.source:
            region = cell.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            for line in filter(None, (x.strip() for x in region.splitlines())):
                assert line not in book
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "markdown":
            assert cell.source.strip()[:60] not in book


def test_cohort_book_needs_an_exercise_for_each_placeholder(mini_dir):
    broken = MINI_LESSON.replace("answer_q2", "mystery_value")
    path = mini_dir / "00-broken-lesson.md"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(MhtrainError, match="variable='mystery_value'"):
        book_notebook(path, answers=False)
    assert book_notebook(path, answers=True).cells  # the public book does not need it


# ------------------------------------------------------------------------------------------
# Validation of lesson sources
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("grade_id: q2-answer", "grade_id: q2-answer\n  colour: red"), "does not allow"),
        (
            ("schema_version: 3\n  solution: true", "schema_version: 2\n  solution: true"),
            "schema_version",
        ),
        (("### END SOLUTION\n", ""), "matching"),
        (
            ('print("You chose"', '### BEGIN SOLUTION\n### END SOLUTION\nprint("You chose"'),
            "only allowed in code answer",
        ),
        (
            ("ex.q2.hint()", "### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\nex.q2.hint()"),
            "only allowed in test cells",
        ),
        (('answer_q2 = ...  # replace ... with "a", "b" or "c"\n', ""), "placeholder line"),
        (("language: python", "language: R"), "Python kernelspec"),
        (("grade_id: q2-test", "grade_id: q2-answer"), "Duplicate grade id"),
        (
            (
                "```{code-cell} ipython3\nex.q2.hint()",
                "```{code-cell} ipython3\n:tags: [tutor-note]\nex.q2.hint()",
            ),
            "tutor-note",
        ),
    ],
)
def test_invalid_sources_are_rejected_with_a_fix(mini_dir, change, message):
    old, new = change
    assert old in MINI_LESSON
    path = mini_dir / "00-mini-lesson.md"
    path.write_text(MINI_LESSON.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(MhtrainError, match=message):
        read_lesson(path)


def test_bad_file_names_are_rejected(tmp_path):
    path = tmp_path / "Lesson One.md"
    path.write_text(MINI_LESSON, encoding="utf-8")
    with pytest.raises(MhtrainError, match="NN-slug"):
        read_lesson(path)


def test_a_broken_lesson_leaves_no_files(mini_dir, tmp_path):
    (mini_dir / "01-broken.md").write_text(MINI_LESSON.replace("### END SOLUTION\n", ""))
    dest = tmp_path / "out"
    with pytest.raises(MhtrainError):
        build_student_notebooks(dest, source_dir=mini_dir)
    assert not dest.exists() or not any(dest.iterdir())


# ------------------------------------------------------------------------------------------
# Lessons agree with their checks modules
# ------------------------------------------------------------------------------------------


def _lessons_with_checks():
    import importlib

    for path in lesson_sources():
        try:
            module = importlib.import_module(f"mhtrain.checks.lesson{path.stem[:2]}")
        except ModuleNotFoundError:
            continue
        yield pytest.param(path, module, id=path.stem)


@pytest.mark.parametrize(("path", "module"), list(_lessons_with_checks()))
def test_lesson_solutions_match_their_exercise_declarations(path, module):
    """Is the solution a learner sees from solution() the one in the lesson?"""
    nb = read_lesson(path)
    by_variable = {e.variable: e for e in exercises_in(module).values() if e.variable}
    compared = 0
    for cell in nb.cells:
        if cell.cell_type != "code" or "BEGIN SOLUTION" not in cell.source:
            continue
        for name in placeholders(cell.source):
            if name in by_variable:
                worked = worked_answer(cell)
                assert by_variable[name].solution_text.strip() == worked.strip()
                compared += 1
    assert compared > 0


def test_lesson0_written_answer_matches_the_model_answer():
    from mhtrain.checks import lesson00

    nb = read_lesson(LESSON0)
    [written] = [
        c
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
    ]
    assert " ".join(written.source.split()) == " ".join(lesson00.q3.model_answer.split())


def test_lesson0_is_easy_to_read():
    from mhtrain.course.readability import TARGET, flesch_reading_ease, prose

    assert "BEGIN SOLUTION" not in prose(LESSON0)
    assert "Tutor note" not in prose(LESSON0)
    assert flesch_reading_ease(LESSON0) >= TARGET


def test_lesson0_opens_and_closes_as_the_style_guide_asks():
    text = LESSON0.read_text()
    for heading in (
        "**Who this is for:**",
        "**Time needed:**",
        "**What you will learn.**",
        "## Key points",
        "## Reflection",
    ):
        assert heading in text
    assert "No real person is in them" in text


# ------------------------------------------------------------------------------------------
# nbgrader configuration
# ------------------------------------------------------------------------------------------


def test_config_sets_an_empty_code_stub_and_safe_feedback():
    c = nbgrader_config(course_root="/tmp/some-course")
    assert c.ClearSolutions.code_stub == {"python": ""}
    assert RemoveHiddenTestsFromFeedback in c.GenerateFeedback.preprocessors
    assert c.GenerateAssignment.preprocessors[0].__name__ == "RemoveTutorNotes"
    assert c.CourseDirectory.root == "/tmp/some-course"
    text = config_file_text(course_id="demo")
    assert "c.merge(nbgrader_config())" in text and "course_id = 'demo'" in text


def test_feedback_preprocessor_removes_hidden_tests_and_their_traceback():
    cell = nbformat.v4.new_code_cell(
        "ex.q2.assert_answered(x)\n### BEGIN HIDDEN TESTS\nassert x == 'b'  # HIDDEN-MARKER\n"
        "### END HIDDEN TESTS",
        metadata={
            "nbgrader": {
                "grade": True,
                "solution": False,
                "locked": True,
                "grade_id": "t",
                "points": 1,
                "schema_version": 3,
            }
        },
    )
    cell.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="AssertionError",
            evalue="",
            traceback=["Traceback", "----> 3 assert x == 'b'  # HIDDEN-MARKER"],
        )
    ]
    nb = nbformat.v4.new_notebook(cells=[cell])
    processed, _ = RemoveHiddenTestsFromFeedback().preprocess(nb, {})
    assert "HIDDEN-MARKER" not in nbformat.writes(processed)
    assert processed.cells[0].outputs[0]["traceback"] == ["AssertionError: "]


# ------------------------------------------------------------------------------------------
# nbgrader itself, end to end (slow)
# ------------------------------------------------------------------------------------------


def _nbgrader(args, cwd):
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def course(tmp_path, mini):
    root = tmp_path / "course"
    build_nbgrader_source(root / "source", source_dir=mini.parent)
    (root / "nbgrader_config.py").write_text(config_file_text(course_id="test-course"))
    return root


@pytest.mark.slow
def test_nbgrader_validate_passes_the_source_and_fails_the_blank(course, mini, tmp_path):
    source = course / "source" / "00-mini-lesson" / "00-mini-lesson.ipynb"
    passed = _nbgrader(["validate", str(source)], cwd=course)
    assert "Success" in passed.stdout, passed.stdout + passed.stderr
    # The blank release a cohort gets (the self-paced build has no test cells to fail).
    blank = write_notebook(student_notebook(mini), tmp_path / "blank" / "00-mini-lesson.ipynb")
    failed = _nbgrader(["validate", str(blank)], cwd=course)
    assert "Success" not in failed.stdout
    assert "failed" in failed.stdout.lower()


@pytest.mark.slow
def test_nbgrader_release_matches_the_student_build_and_feedback_hides_hidden_tests(course, mini):
    made = _nbgrader(["generate_assignment", "00-mini-lesson"], cwd=course)
    assert made.returncode == 0, made.stderr
    released = course / "release" / "00-mini-lesson" / "00-mini-lesson.ipynb"
    release_nb = nbformat.read(released, as_version=4)
    student_nb = student_notebook(mini)
    assert [c.source.rstrip() for c in release_nb.cells] == [
        c.source.rstrip() for c in student_nb.cells
    ]
    text = released.read_text()
    for marker in _ANSWER_MARKERS:
        assert marker not in text

    # A learner answers "a": the visible test passes, the hidden one fails.
    submitted = course / "submitted" / "learner1" / "00-mini-lesson"
    submitted.mkdir(parents=True)
    release_nb.cells = [
        nbformat.v4.new_code_cell('answer_q2 = "a"', metadata=c.metadata, id=c.get("id"))
        if c.metadata.get("nbgrader", {}).get("grade_id") == "q2-answer"
        else c
        for c in release_nb.cells
    ]
    nbformat.write(release_nb, submitted / "00-mini-lesson.ipynb")
    graded = _nbgrader(["autograde", "00-mini-lesson"], cwd=course)
    assert graded.returncode == 0, graded.stderr
    autograded = course / "autograded" / "learner1" / "00-mini-lesson" / "00-mini-lesson.ipynb"
    assert "HIDDEN-MARKER" in autograded.read_text()  # the tutor's copy has the hidden test

    fed = _nbgrader(["generate_feedback", "00-mini-lesson"], cwd=course)
    assert fed.returncode == 0, fed.stderr
    [html] = list((course / "feedback" / "learner1" / "00-mini-lesson").glob("*.html"))
    feedback = html.read_text()
    assert "HIDDEN-MARKER" not in feedback
    assert "TUTOR-SECRET" not in feedback
    assert "assert_answered" in feedback  # the visible test is still shown


# ------------------------------------------------------------------------------------------
# Executing the book versions (slow)
# ------------------------------------------------------------------------------------------


def _execute(nb, cwd):
    from nbclient import NotebookClient

    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    ).execute()
    return nb


def _stdout(nb):
    return "".join(
        out.get("text", "") for c in nb.cells if c.cell_type == "code" for out in c.outputs
    )


@pytest.mark.slow
@pytest.mark.parametrize("answers", [True, False])
def test_book_versions_execute_and_later_cells_see_an_answer(mini, tmp_path, answers):
    nb = _execute(book_notebook(mini, answers=answers), tmp_path)
    assert "You chose B" in _stdout(nb)
    glued = [
        out
        for c in nb.cells
        if c.cell_type == "code"
        for out in c.outputs
        if out.get("metadata", {}).get("scrapbook", {}).get("name") == "mhtrain-worked-q2"
    ]
    if not answers:
        assert not glued
        return
    [words] = glued  # filled in from the run: the field became the learner-facing letter
    markdown = next(v for k, v in words["data"].items() if k.endswith("text/markdown"))
    assert "WORDS-MARKER option B, because" in markdown


@pytest.mark.slow
@needs_data
@pytest.mark.parametrize("answers", [True, False])
def test_lesson0_book_executes(tmp_path, answers):
    nb = _execute(book_notebook(LESSON0, answers=answers), tmp_path)
    outputs = _stdout(nb)
    assert "Not attempted" in outputs  # check cells show the unanswered state
    if not answers:
        assert "percent_in_contact = people_in_contact" not in json.dumps(nb)


def test_student_and_book_builds_write_one_notebook_per_lesson(mini_dir, tmp_path):
    (mini_dir / "01-second.md").write_text(MINI_LESSON, encoding="utf-8")
    students = build_student_notebooks(tmp_path / "s", source_dir=mini_dir)
    books = build_book_lessons(tmp_path / "b", source_dir=mini_dir)
    assert [p.name for p in students] == ["00-mini-lesson.ipynb", "01-second.ipynb"]
    assert [p.name for p in books] == ["00-mini-lesson.ipynb", "01-second.ipynb"]
    assert all(re.fullmatch(r"[0-9a-f]{12}", c["id"]) for c in nbformat.read(books[0], 4).cells)


def test_book_notebooks_install_the_course_first_only_when_the_repository_is_set(mini):
    unset = book_notebook(mini, answers=True)
    assert not any("pip" in c.source for c in unset.cells)
    nb = book_notebook(mini, answers=True, repository="https://github.com/owner/course")
    first = nb.cells[0]
    assert first.cell_type == "code" and "remove-cell" in _tags(first)
    assert "'https://github.com/owner/course'" in first.source and "'main'" in first.source
    assert [c.source for c in nb.cells[1:]] == [c.source for c in unset.cells]
    # Where mhtrain is importable (the website's build), the cell does nothing: no clone, no
    # install (either would fail here, with no network), no change to the import path.
    path = list(sys.path)
    exec(compile(first.source, "install-cell", "exec"), {})
    assert sys.path == path


def test_the_repository_setting_is_read_from_the_book_config(tmp_path):
    from mhtrain.course.bookpages import repository_setting

    (tmp_path / "_config.yml").write_text('repository:\n  url: ""\n  branch: main\n')
    assert repository_setting(tmp_path) == ("", "main")
    (tmp_path / "_config.yml").write_text(
        "repository:\n  url: https://gitlab.com/o/n\n  branch: release\n"
    )
    assert repository_setting(tmp_path) == ("https://gitlab.com/o/n", "release")
    assert repository_setting(REPO)[0] == ""  # unset in this checkout: nothing changes


@pytest.mark.parametrize("path", lesson_sources()[:5], ids=lambda p: p.stem)
def test_student_and_self_paced_notebooks_of_a_lesson_hold_no_worked_words(path):
    """The words give the answers away: only the tutor's source and the book keep them."""
    from mhtrain.course.build import self_paced_notebook, source_notebook

    lesson = read_lesson(path)
    assert lesson.worked_words, f"{path.stem} has no worked answers in words to leave out"
    source = _text(source_notebook(lesson))
    for nb in (student_notebook(lesson), self_paced_notebook(lesson)):
        assert not any(is_worked_words(c) for c in nb.cells)
        text = _text(nb)
        for words in lesson.worked_words.values():
            first_line = words.splitlines()[0]
            assert json.dumps(first_line)[1:-1] in source  # the tutor's version keeps them
            assert json.dumps(first_line)[1:-1] not in text
