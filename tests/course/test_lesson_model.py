"""Tests of the Lesson model: one source read once, and every worked answer kept in one place."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import mhtrain
from mhtrain.checks import FreeTextExercise, NumberExercise, exercises_in, use_dataset
from mhtrain.course import lessons
from mhtrain.course.lab import prepare_workspace
from mhtrain.course.lessons import (
    answer_cell_id,
    find_lesson,
    lesson_sources,
    placeholders,
    read_lesson,
    worked_answer_for,
)
from mhtrain.errors import MhtrainError

REPO = Path(__file__).resolve().parents[2]
LESSONS = lesson_sources()
WITH_CHECKS = [
    p for p in LESSONS if (REPO / "mhtrain" / "checks" / f"lesson{p.stem[:2]}.py").exists()
]


def _normalised(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------------------------------
# Reading and finding
# ------------------------------------------------------------------------------------------


def test_a_source_is_read_once_and_again_when_its_text_changes(tmp_path):
    path = tmp_path / "00-first.md"
    text = (REPO / "notebooks" / "00-getting-started.md").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    first = read_lesson(path)
    assert read_lesson(path) is first
    path.write_text(text.replace("# 0. ", "# 0. Changed: ", 1), encoding="utf-8")
    changed = read_lesson(path)
    assert changed is not first and changed.title.startswith("0. Changed:")


def test_a_lesson_knows_its_answers_tests_notes_and_checks_module():
    lesson = read_lesson(REPO / "notebooks" / "00-getting-started.md")
    assert lesson.id == "00-getting-started" and lesson.number == "00"
    assert list(lesson.answer_cells) == ["q1-answer", "q2-answer", "q3-reflection"]
    assert set(lesson.test_cells) <= set(lesson.graded_ids)
    assert lesson.test_cells and lesson.tutor_notes
    assert lesson.checks_module().__name__ == "mhtrain.checks.lesson00"
    assert set(lesson.exercises()) == {"q1", "q2", "q3"}


@pytest.mark.parametrize(
    ("key", "found"),
    [(3, "03-b"), ("3", "03-b"), ("03", "03-b"), ("03-b", "03-b"), ("04", None), ("b", None)],
)
def test_finding_a_lesson_by_number_or_id(key, found):
    assert find_lesson(key, ["00-a", "03-b", "11-c"]) == found


def test_the_answer_cell_of_an_exercise_is_its_answer_cell_or_its_one_named_cell():
    ids = ["q1-answer", "q2-answer", "q3-reflection", "q4-plan", "q4-chart"]
    assert answer_cell_id("q1", ids) == "q1-answer"
    assert answer_cell_id("q3", ids) == "q3-reflection"
    assert answer_cell_id("q4", ids) is None  # two cells could be meant: none is chosen
    assert answer_cell_id("q1b", ids) is None


def test_a_missing_checks_module_is_named_with_its_fix(tmp_path):
    text = (REPO / "notebooks" / "00-getting-started.md").read_text(encoding="utf-8")
    path = tmp_path / "98-no-checks.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MhtrainError, match=r"create mhtrain/checks/lesson98\.py"):
        read_lesson(path).checks_module()


def test_installed_lesson_sources_are_found_when_there_is_no_clone(tmp_path, monkeypatch):
    """Does a non-editable install find the lesson sources it ships (see pyproject.toml)?"""
    installed = tmp_path.joinpath(*lessons.INSTALLED_LESSONS)
    installed.mkdir(parents=True)
    (installed / "00-getting-started.md").write_text(
        (REPO / "notebooks" / "00-getting-started.md").read_text(encoding="utf-8")
    )
    monkeypatch.delenv("MHTRAIN_NOTEBOOKS", raising=False)
    monkeypatch.setattr(lessons, "REPO_ROOT", tmp_path / "site-packages")
    monkeypatch.setattr(lessons.sysconfig, "get_path", lambda name, *scheme: str(tmp_path))
    assert lessons.lessons_dir() == installed


# ------------------------------------------------------------------------------------------
# One worked answer: in the lesson source, and nowhere else
# ------------------------------------------------------------------------------------------


def _lesson_exercises():
    for path in WITH_CHECKS:
        lesson = read_lesson(path)
        for exercise in lesson.exercises().values():
            yield pytest.param(lesson, exercise, id=f"{path.stem[:2]}.{exercise.id}")


@pytest.mark.parametrize(("lesson", "exercise"), list(_lesson_exercises()))
def test_each_exercise_shows_the_worked_answer_of_its_own_answer_cell(lesson, exercise):
    """Is what solution() shows exactly the lesson's answer cell, and is it that exercise's cell?"""
    gid = lesson.answer_id(exercise.id)
    if isinstance(exercise, FreeTextExercise):
        if gid is not None:  # a written answer: the model answer is the lesson's cell
            assert _normalised(exercise.model_answer) == _normalised(lesson.worked_answers[gid])
        return
    assert gid is not None, (
        f"{exercise.id} has no answer cell ({exercise.id}-answer, or one naming {exercise.variable})"
    )
    cell = lesson.answer_cells[gid]
    assert exercise.solution_text == lesson.worked_answers[gid]
    assert exercise.solution_text.strip() and "SOLUTION" not in exercise.solution_text
    assert "= ..." not in exercise.solution_text
    if exercise.variable is not None:
        assert exercise.variable in placeholders(cell.source)  # the cell answers this exercise
    assert exercise.id in exercise.solution()  # solution() shows it, not "no worked solution"


def test_no_checks_module_passes_a_solution_of_its_own():
    offenders = []
    for path in sorted((REPO / "mhtrain" / "checks").glob("lesson*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and any(k.arg == "solution" for k in node.keywords):
                offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, f"solution= retypes a lesson's worked answer: {offenders}"


# Last hints that spell a one-line answer out ("Write residents = ..."): a hint, not a copy of
# the solution for solution() to show. Any other retyping fails the test below.
HINTS_THAT_SPELL_IT_OUT = {("01-meet-the-data", "q1-answer"), ("01-meet-the-data", "q2-answer")}


def _string_constants() -> list[tuple[str, str, bool]]:
    """Every string constant in the package: where, its text, and whether it is in hints=."""
    found = []
    for path in sorted((REPO / "mhtrain").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_hints = {
            id(node)
            for call in ast.walk(tree)
            if isinstance(call, ast.Call)
            for keyword in call.keywords
            if keyword.arg == "hints"
            for node in ast.walk(keyword.value)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                where = f"{path.relative_to(REPO)}:{node.lineno}"
                found.append((where, node.value, id(node) in in_hints))
    return found


def test_no_worked_answer_is_retyped_anywhere_in_the_package():
    constants = _string_constants()
    retyped = []
    for path in LESSONS:
        lesson = read_lesson(path)
        for gid, cell in lesson.answer_cells.items():
            if cell.cell_type != "code":
                continue
            worked = lesson.worked_answers[gid].strip()
            for where, text, hint in constants:
                if hint and (lesson.id, gid) in HINTS_THAT_SPELL_IT_OUT:
                    continue
                if worked and worked in text:
                    retyped.append(f"{lesson.id} {gid} in {where}")
    assert not retyped, retyped


def test_an_exercise_outside_any_lesson_has_no_worked_answer():
    stray = NumberExercise("q1", variable="x", expected=lambda data: 1.0)
    assert worked_answer_for(stray) == ""
    assert "no worked solution" in stray.solution()


def test_solution_works_in_a_learners_workspace(tmp_path):
    """In a workspace made by `mhtrain lab`, does ex.q1.solution() show the lesson's answer?"""
    workspace = tmp_path / "workspace"
    prepare_workspace(workspace, lessons=["00"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("MHTRAIN_")}
    code = "from mhtrain.checks import lesson00 as ex\nex.q1.solution()"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=workspace, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    lesson = read_lesson(REPO / "notebooks" / "00-getting-started.md")
    assert lesson.worked_answer("q1") in result.stdout


# ------------------------------------------------------------------------------------------
# Set-up cells the checks modules compute again ("as the lesson's ready-made cell makes them")
# ------------------------------------------------------------------------------------------

# (lesson, variable the lesson's ready-made cells make, the checks function that remakes it)
SET_UP = [
    ("03", "by_group", "detentions_by_group"),
    ("04", "by_age", "detentions_by_age"),
    ("08", "finished", "_finished"),
]


def _run_set_up(lesson, data) -> dict:
    """Run a lesson's ready-made code cells (those before its first answer cell) on ``data``."""
    import matplotlib

    matplotlib.use("Agg")
    namespace: dict = {}
    for cell in lesson.cells:
        if cell.cell_type != "code":
            continue
        if cell.metadata.get("nbgrader"):
            break
        exec(compile(cell.source, lesson.id, "exec"), namespace)
    return namespace


@pytest.mark.parametrize(("number", "variable", "function"), SET_UP)
def test_checks_remake_the_lessons_ready_made_tables_exactly(number, variable, function):
    [path] = lesson_sources(lessons=[number])
    lesson = read_lesson(path)
    data = mhtrain.load()
    with use_dataset(data):
        made = _run_set_up(lesson, data)[variable]
    remade = getattr(lesson.checks_module(), function)(data)
    pd.testing.assert_frame_equal(
        made.reset_index()[remade.reset_index().columns],
        remade.reset_index(),
        check_dtype=False,
        check_names=False,
    )


def test_every_lesson_with_checks_is_covered():
    covered = {p.stem[:2] for p in WITH_CHECKS}
    assert covered >= {f"{n:02d}" for n in range(12)}
    assert all(exercises_in(read_lesson(p).checks_module()) for p in WITH_CHECKS)


# ------------------------------------------------------------------------------------------
# Worked answers in words
# ------------------------------------------------------------------------------------------

_LESSON0 = REPO / "notebooks" / "00-getting-started.md"
_WORDS = '+++ {{"tags": ["worked-answer"], "mhtrain": {{"exercise": "{exercise}"}}}}\n\n{text}\n\n'


def _lesson0_without_words() -> str:
    """Lesson 0's source without its own worked-answer-in-words cells."""
    import jupytext

    nb = jupytext.read(_LESSON0)
    nb.cells = [c for c in nb.cells if "worked-answer" not in c.metadata.get("tags", [])]
    return jupytext.writes(nb, fmt="md:myst")


def _with_words(tmp_path, *blocks: tuple[str, str], name: str = "00-words.md") -> Path:
    """Lesson 0 with its worked-answer-in-words cells replaced by ``blocks``, before its Key
    points."""
    text = _lesson0_without_words()
    added = "".join(_WORDS.format(exercise=ex, text=words) for ex, words in blocks)
    path = tmp_path / name
    path.write_text(text.replace("## Key points", added + "+++\n\n## Key points", 1))
    return path


def test_a_lesson_knows_its_worked_answers_in_words_by_exercise(tmp_path):
    path = _with_words(tmp_path, ("q2", "Option b, because..."), ("q1", "{{ x:.1f }} per cent"))
    lesson = read_lesson(path)
    assert lesson.worked_words["q2"] == "Option b, because..."
    assert lesson.worked_words["q1"] == "{{ x:.1f }} per cent"


def _cell_number(path: Path, words: str) -> int:
    import jupytext

    cells = jupytext.read(path).cells
    return next(i for i, c in enumerate(cells) if c.source == words) + 1


def test_two_worked_answers_for_one_exercise_are_refused_with_the_place(tmp_path):
    path = _with_words(tmp_path, ("q2", "First words."), ("q2", "Second words."))
    second = _cell_number(path, "Second words.")
    with pytest.raises(MhtrainError) as caught:
        read_lesson(path)
    message = str(caught.value)
    assert f"{path} cell {second}: exercise q2 already has a worked answer in words" in message
    assert f"(cell {second - 1})" in message


def test_a_worked_answer_naming_an_unknown_exercise_is_refused_with_the_place(tmp_path):
    path = _with_words(tmp_path, ("q9", "Words for an exercise that does not exist."))
    where = _cell_number(path, "Words for an exercise that does not exist.")
    with pytest.raises(MhtrainError) as caught:
        read_lesson(path)
    message = str(caught.value)
    assert f"{path} cell {where}: the worked answer in words names exercise 'q9'" in message
    assert "mhtrain.checks.lesson00 does not declare (it has: q1, q2, q3)" in message
    # the refused lesson is not remembered as read
    path.write_text(path.read_text().replace('"q9"', '"q2"'))
    assert read_lesson(path).worked_words["q2"].startswith("Words for")


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ('+++ {"tags": ["worked-answer"]}\n\nNo exercise named.\n\n', "must name its exercise"),
        (
            '```{code-cell} ipython3\n:tags: [worked-answer]\nprint("code")\n```\n\n',
            "only plain Markdown cells can be tagged worked-answer",
        ),
        (
            '+++ {"tags": ["worked-answer"], "mhtrain": {"exercise": "q1"}}\n\n{{ }} per cent\n\n',
            "empty or nests braces",
        ),
    ],
)
def test_malformed_worked_answer_cells_are_refused(tmp_path, cell, message):
    text = _lesson0_without_words()
    path = tmp_path / "00-words.md"
    path.write_text(text.replace("## Key points", cell + "+++\n\n## Key points", 1))
    with pytest.raises(MhtrainError, match=message) as caught:
        read_lesson(path)
    assert f"{path} cell " in str(caught.value)


@pytest.mark.parametrize("path", WITH_CHECKS, ids=lambda p: p.stem)
def test_every_exercise_has_its_worked_answer_in_words(path):
    """Can a reader who does not code check every answer of the lesson from its words?"""
    lesson = read_lesson(path)
    missing = [ex for ex in lesson.exercises() if ex not in lesson.worked_words]
    assert not missing, f"{path.name}: no worked answer in words for {', '.join(missing)}"
