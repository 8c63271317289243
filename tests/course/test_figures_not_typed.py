"""Does a lesson type by hand a figure that one of its exercises works out from the course data?

A worked answer's numbers come from the data, through the templates of its worked-answer cell.
Everywhere else (the prose, tutor notes, code comments) a lesson says in words what to look
for: a figure typed by hand goes stale when the data change, and can give an answer away.
Lessons 5 to 9 are held to this here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import mhtrain
from mhtrain.checks import NumberExercise, TableExercise
from mhtrain.course.lessons import read_lesson

REPO = Path(__file__).resolve().parents[2]
LESSONS = ["05", "06", "07", "08", "09"]
#: Published figures a lesson quotes that the synthetic data may happen to give too (the data
#: are calibrated to them), by lesson: these are the source's numbers, not typed answers.
PUBLISHED = {
    "08": {"50.1"},  # NHS Talking Therapies recovery in England, 2023-24 (NHS England)
}


def _spellings(value: float, quantity: str) -> set[str]:
    """The ways a lesson might type ``value`` by hand: the roundings its answers are shown at.

    Whole numbers under 10, and whole numbers of days or counts under 100, are left out: they
    are too common in ordinary sentences ("28 days", "2 people") to point to an answer.
    """
    found: set[str] = set()
    whole = value == round(value)
    if quantity == "percentage":
        found |= {f"{value:.1f}", f"{value:.2f}", f"{value / 100:.2f}", f"{value / 100:.3f}"}
        if value >= 10:
            found.add(f"{value:.0f}%")
    elif whole:
        if abs(value) >= 100 or (quantity not in {"count", "days"} and abs(value) >= 10):
            found |= {f"{value:.0f}", f"{value:,.0f}"}
    else:
        found |= {f"{value:.1f}", f"{value:.2f}"}
    return found


def _typed_in(text: str, spelling: str) -> bool:
    """Whether ``spelling`` stands in ``text`` as a number of its own (not inside a longer one)."""
    return re.search(r"(?<![\d.,])" + re.escape(spelling) + r"(?![\d]|[.,]\d)", text) is not None


def _hand_written_text(lesson) -> list[tuple[int, str]]:
    """Each cell's text a person types as words: Markdown (not worked answers) and comments."""
    texts = []
    for i, cell in enumerate(lesson.cells):
        if cell.cell_type == "markdown":
            if "worked-answer" not in cell.metadata.get("tags", []):
                texts.append((i, cell.source))
        else:
            comments = [line.split("#", 1)[1] for line in cell.source.split("\n") if "#" in line]
            texts.append((i, "\n".join(comments)))
    return texts


def _figures(exercise, data) -> set[str]:
    """The spellings of the numbers an exercise's reference answer holds, from the course data.

    A table's cells are searched only at one and two decimal places: its whole numbers (days,
    counts) and its coarser roundings are too common in ordinary sentences to point to it.
    """
    expected = exercise.expected(data=data)
    if isinstance(exercise, TableExercise):
        cells = pd.to_numeric(pd.Series(expected.to_numpy().ravel()), errors="coerce").dropna()
        return {f"{v:.{dp}f}" for v in cells if v != round(v) for dp in (1, 2)}
    return _spellings(float(expected), exercise.quantity.name)


def test_spellings_cover_the_roundings_a_lesson_shows():
    """Is a percentage found as itself, rounded, and as a proportion, and a count with commas?"""
    assert {"11.9", "11.90", "0.12", "0.119", "12%"} <= _spellings(11.8996, "percentage")
    assert {"7124", "7,124"} <= _spellings(7124.0, "count")
    assert _spellings(28.0, "days") == set()
    assert _typed_in("a proportion such as\n0.12 instead", "0.12")
    assert not _typed_in("a share of 10.12 or 0.125", "0.12")
    assert not _typed_in("version 1.0.12", "0.12")


@pytest.mark.parametrize("number", LESSONS)
def test_no_answer_figure_is_typed_outside_a_worked_answer(number):
    (path,) = (REPO / "notebooks").glob(f"{number}-*.md")
    lesson = read_lesson(path)
    data = mhtrain.load()
    found = []
    for exercise in lesson.exercises().values():
        if not isinstance(exercise, NumberExercise | TableExercise):
            continue
        for spelling in sorted(_figures(exercise, data) - PUBLISHED.get(number, set())):
            for index, text in _hand_written_text(lesson):
                if _typed_in(text, spelling):
                    found.append(f"{exercise.id} ({spelling}) in {lesson.where(index)}")
    assert not found, (
        "figures from the course data typed by hand: "
        + "; ".join(found)
        + ". Put the number in a worked-answer template, or say it in words"
    )
