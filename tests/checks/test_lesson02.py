"""Tests of lesson 2's checks (Counting fairly) on hand-built tables and a small generated dataset."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from mhtrain.checks import CORRECT, NOT_ATTEMPTED, NOT_YET, RECEIVED, exercises_in
from mhtrain.checks import lesson02 as ex

LESSON = Path(__file__).resolve().parents[2] / "notebooks" / "02-counting-fairly.md"
SMALL_SEED = 11  # the small test dataset's seed, as named in tests/seeds.py
GROUP_LETTERS = {"White": "a", "Mixed": "b", "Asian": "c", "Black": "d", "Other": "e"}


def _toy(
    detained: dict[str, int],
    ethnicity: dict[str, str],
    residents: dict[str, int],
) -> SimpleNamespace:
    """A dataset from three small dicts: detentions per person, each person's code, residents."""
    people = pd.DataFrame(
        {"person_id": list(ethnicity), "ethnic_category": list(ethnicity.values())}
    )
    rows = [pid for pid, n in detained.items() for _ in range(n)]
    detentions = pd.DataFrame(
        {"detention_id": [f"D{i:02d}" for i in range(len(rows))], "person_id": rows}
    )
    population = pd.DataFrame(
        {"ethnic_category": list(residents), "residents": list(residents.values())}
    )
    return SimpleNamespace(people=people, mha_detentions=detentions, population=population)


@pytest.fixture
def toy():
    """Detentions: White 4 (three people), Black 3 (two people), Asian, Mixed, Other, Unknown 1.

    Residents: White 100,000, Black 10,000, Asian 20,000, Mixed 5,000, Other 5,000. So the
    rates per 100,000 are White 4, Mixed 20, Asian 5, Black 30, Other 20: White has the most
    detentions and Black the highest rate.
    """
    ethnicity = {
        "P01": "A", "P02": "A", "P08": "B", "P10": "A",  # White; P10 not detained
        "P03": "M", "P09": "N",  # Black
        "P04": "H", "P11": "J",  # Asian; P11 not detained
        "P05": "D", "P06": "R", "P07": "Z",  # Mixed, Other, not stated
    }  # fmt: skip
    detained = {"P01": 2, "P02": 1, "P08": 1, "P03": 2, "P09": 1, "P04": 1, "P05": 1,
                "P06": 1, "P07": 1}  # fmt: skip
    residents = {"A": 90_000, "B": 10_000, "M": 6_000, "N": 4_000, "H": 15_000, "J": 5_000,
                 "D": 5_000, "R": 5_000}  # fmt: skip
    return _toy(detained, ethnicity, residents)


@pytest.fixture(scope="module")
def data():
    """A 60,000-resident dataset, with detentions in every broad group."""
    import mhtrain

    return mhtrain.generate(population=60_000, seed=SMALL_SEED)


def _lesson_namespace(data) -> dict:
    """The variables the lesson's ready-made cells make, built the same way from ``data``."""
    import mhtrain

    detentions = data.mha_detentions.merge(
        data.people[["person_id", "ethnic_category"]], on="person_id", how="left"
    )
    detentions["broad_group"] = mhtrain.broad_ethnic_group(detentions["ethnic_category"])
    population = data.population.assign(
        broad_group=mhtrain.broad_ethnic_group(data.population["ethnic_category"])
    )
    people = data.people.assign(
        broad_group=mhtrain.broad_ethnic_group(data.people["ethnic_category"])
    )
    groups = ["White", "Mixed", "Asian", "Black", "Other"]
    table = (
        pd.DataFrame(
            {
                "detentions": detentions.groupby("broad_group").size(),
                "residents": population.groupby("broad_group")["residents"].sum(),
                "people_in_contact": people.groupby("broad_group").size(),
            }
        )
        .reindex(groups)
        .fillna(0)
        .astype(int)
    )
    rates = table.assign(rate=table["detentions"] / table["residents"] * 100_000)
    return {"data": data, "detentions": detentions, "table": table, "rates": rates}


def _run_solution(exercise, data):
    namespace = _lesson_namespace(data)
    exec(exercise.solution_text, namespace)
    return namespace[exercise.variable]


def _assert_hides(message: str, table: pd.Series) -> None:
    for value in table.astype(float):
        forms = [f"{value:.1f}", f"{value:.2f}"]
        if value >= 10:
            forms += [f"{value:.0f}", f"{value:,.0f}"]
        for form in forms:
            assert form not in message, f"feedback gives away a value ({form}): {message}"


# ------------------------------------------------------------------------------------------
# Reference values against hand counts.
# ------------------------------------------------------------------------------------------


def test_counts_match_a_hand_count(toy):
    counts = ex.q1.expected(data=toy)
    assert counts.to_dict() == {
        "White": 4, "Black": 3, "Asian": 1, "Mixed": 1, "Other": 1, "Unknown": 1,
    }  # fmt: skip


def test_rates_match_a_hand_calculation(toy):
    rates = ex.q3.expected(data=toy)
    assert list(rates.index) == list(ex.GROUPS)
    assert rates.to_dict() == pytest.approx(
        {"White": 4.0, "Mixed": 20.0, "Asian": 5.0, "Black": 30.0, "Other": 20.0}
    )


def test_a_group_with_no_detentions_has_a_rate_of_zero(toy):
    toy.mha_detentions = toy.mha_detentions[toy.mha_detentions["person_id"] != "P05"]
    assert "Mixed" not in ex.q1.expected(data=toy).index
    assert ex.q3.expected(data=toy)["Mixed"] == 0
    assert ex.q3.evaluate(_run_solution(ex.q3, toy), data=toy).status == CORRECT


# ------------------------------------------------------------------------------------------
# Table exercises: right answers, other right forms, placeholders and misconceptions.
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("exercise", [ex.q1, ex.q3], ids=lambda e: e.id)
@pytest.mark.parametrize("which", ["toy", "data"])
def test_worked_solution_is_correct(exercise, which, request):
    dataset = request.getfixturevalue(which)
    assert exercise.evaluate(_run_solution(exercise, dataset), data=dataset).status == CORRECT


@pytest.mark.parametrize("exercise", [ex.q1, ex.q3], ids=lambda e: e.id)
def test_table_placeholder_is_not_attempted(exercise, toy):
    assert exercise.evaluate(..., data=toy).status == NOT_ATTEMPTED


def test_q1_accepts_value_counts_in_any_order(data):
    namespace = _lesson_namespace(data)
    answer = namespace["detentions"]["broad_group"].value_counts()
    assert ex.q1.evaluate(answer, data=data).status == CORRECT
    assert ex.q1.evaluate(answer.sort_index(), data=data).status == CORRECT


def test_q1_without_the_unknown_group_names_the_missing_row(toy):
    # the toy data always have an Unknown row (a small sample may have none)
    answer = _run_solution(ex.q1, toy).drop(index="Unknown")
    result = ex.q1.evaluate(answer, data=toy)
    assert result.status == NOT_YET
    assert "Unknown" in result.message


def test_q1_one_detention_out_is_not_yet(data):
    answer = _run_solution(ex.q1, data).copy()
    answer["White"] -= 1
    result = ex.q1.evaluate(answer, data=data)
    assert result.status == NOT_YET
    assert "White" in result.message


@pytest.mark.parametrize(
    ("exercise", "misconception"),
    [(e, m) for e in (ex.q1, ex.q3) for m in e.misconceptions],
    ids=lambda x: getattr(x, "id", None) or getattr(x, "name", None),
)
@pytest.mark.parametrize("which", ["toy", "data"])
def test_each_table_misconception_is_named_without_the_answer(
    exercise, misconception, which, request
):
    dataset = request.getfixturevalue(which)
    wrong = misconception.wrong_value(dataset)
    expected = exercise.expected(data=dataset)
    assert not wrong.equals(expected)
    result = exercise.evaluate(wrong, data=dataset)
    assert result.status == NOT_YET
    assert result.misconception == misconception.name
    _assert_hides(result.message, expected)


def test_q3_accepts_rates_rounded_to_one_decimal_place(data):
    rounded = ex.q3.expected(data=data).round(1)
    assert ex.q3.evaluate(rounded, data=data).status == CORRECT


def test_q3_percentages_are_told_to_check_the_multiplier(toy):
    as_percent = ex.q3.expected(data=toy) / 1_000
    result = ex.q3.evaluate(as_percent, data=toy)
    assert result.status == NOT_YET
    assert "1,000 times too small" in result.message


def test_q3_single_number_is_told_a_table_is_needed(toy):
    result = ex.q3.evaluate(42.0, data=toy)
    assert result.status == NOT_YET
    assert "each group" in result.message


# ------------------------------------------------------------------------------------------
# Multiple choice whose right answer depends on the data.
# ------------------------------------------------------------------------------------------


def test_q1b_most_detentions_follows_the_data(toy):
    assert ex.q1b.expected(data=toy) == "a"
    assert ex.q1b.evaluate("White", data=toy).status == CORRECT
    assert ex.q1b.evaluate("d", data=toy).status == NOT_YET


def test_q1b_unknown_can_be_the_answer():
    toy = _toy({"P1": 1, "P2": 3}, {"P1": "A", "P2": "99"}, {"A": 1000})
    assert ex.q1b.expected(data=toy) == "f"


def test_q3b_highest_rate_follows_the_data(toy):
    assert ex.q3b.expected(data=toy) == "d"
    assert ex.q3b.evaluate("d", data=toy).status == CORRECT
    assert ex.q3b.evaluate("Black", data=toy).status == CORRECT


def test_q3b_choosing_the_biggest_count_names_the_mistake(toy):
    result = ex.q3b.evaluate("a", data=toy)
    assert result.status == NOT_YET
    assert result.misconception == "count-not-rate"
    assert "Black" not in result.message and '"d"' not in result.message


def test_q3b_when_the_biggest_count_is_also_the_highest_rate_it_is_right():
    toy = _toy({"P1": 5, "P2": 1}, {"P1": "A", "P2": "M"}, {"A": 1000, "M": 1000})
    assert ex.q3b.expected(data=toy) == "a"
    assert ex.q3b.evaluate("a", data=toy).status == CORRECT


@pytest.mark.parametrize("group", ["Other", "Mixed"])
def test_q3b_answer_moves_with_the_highest_rate(group):
    code = {"Other": "S", "Mixed": "F"}[group]
    toy = _toy({"P1": 5, "P2": 2}, {"P1": "A", "P2": code}, {"A": 1000, code: 100})
    assert ex.q3b.expected(data=toy) == GROUP_LETTERS[group]


@pytest.mark.parametrize("which", ["toy", "data"])
def test_choice_solutions_are_right_on_any_data(which, request):
    dataset = request.getfixturevalue(which)
    for exercise in (ex.q1b, ex.q2, ex.q3b, ex.q4):
        answer = _run_solution(exercise, dataset)
        assert exercise.evaluate(answer, data=dataset).status == CORRECT


# ------------------------------------------------------------------------------------------
# Multiple choice with a fixed answer.
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("exercise", "key"), [(ex.q2, "b"), (ex.q4, "b")], ids=["q2", "q4"])
def test_fixed_choice_right_and_wrong(exercise, key, toy):
    assert exercise.evaluate(key, data=toy).status == CORRECT
    assert exercise.evaluate(exercise.options[key], data=toy).status == CORRECT
    for option in exercise.options:
        if option == key:
            continue
        result = exercise.evaluate(option, data=toy)
        assert result.status == NOT_YET
        assert result.misconception is not None
        assert f'"{key}"' not in result.message and f"{key})" not in result.message


@pytest.mark.parametrize("exercise", [ex.q1b, ex.q2, ex.q3b, ex.q4], ids=lambda e: e.id)
def test_choice_placeholder_and_non_options(exercise, toy):
    assert exercise.evaluate(..., data=toy).status == NOT_ATTEMPTED
    assert exercise.evaluate("z", data=toy).status == NOT_YET
    assert exercise.evaluate(3, data=toy).status == NOT_YET


# ------------------------------------------------------------------------------------------
# The written answer, hints and the lesson text.
# ------------------------------------------------------------------------------------------


def test_q5_written_answer_is_received_not_marked():
    assert ex.q5.check().status == RECEIVED
    assert "model answer" in ex.q5.check().message
    assert "racism" in ex.q5.solution()


def test_q5_model_answer_is_the_one_in_the_lesson():
    from mhtrain.course.build import read_lesson

    nb = read_lesson(LESSON)
    [written] = [
        c
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
    ]
    assert " ".join(written.source.split()) == " ".join(ex.q5.model_answer.split())


def test_every_hint_sequence_ends_by_pointing_to_the_solution():
    for exercise in exercises_in(ex).values():
        assert "solution()" in exercise.hint(len(exercise.hints))


def test_every_exercise_in_the_module_is_used_by_the_lesson():
    text = LESSON.read_text(encoding="utf-8")
    for exercise_id in exercises_in(ex):
        assert f"ex.{exercise_id}.check(" in text


def test_lesson2_is_easy_to_read():
    from mhtrain.course.readability import TARGET, flesch_reading_ease, prose

    assert "BEGIN SOLUTION" not in prose(LESSON)
    assert "Tutor note" not in prose(LESSON)
    assert flesch_reading_ease(LESSON) >= TARGET


def test_lesson2_opens_and_closes_as_the_style_guide_asks():
    text = LESSON.read_text(encoding="utf-8")
    body = text.split("---", 2)[2].lstrip()
    assert body.startswith("# 2. Counting fairly")
    assert body.index("**Content note.**") < body.index("**Who this is for:**")
    for heading in ("**Time needed:**", "**What you will learn.**", "## Key points",
                    "## Reflection"):  # fmt: skip
        assert heading in text
    assert "no real person is in them" in text
    assert "228 detentions for every 100,000" in text  # the published figure, with its source
    assert "Ethnicity facts and" in text


def test_lesson2_first_figure_shows_counts_and_rates_side_by_side():
    """Counts and rates are two charts of one figure (side by side, stacked on a phone), each
    group in the same colour in both, with the caption declared with the chart."""
    from mhtrain.course.build import read_lesson

    nb = read_lesson(LESSON)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    first_plot = next(src for src in code if "plt.subplots" in src)
    assert '"detentions"' in first_plot and '"rate"' in first_plot
    assert "colour_of = dict(zip(groups, colours(len(groups))))" in first_plot
    assert "palette=colour_of" in first_plot
    assert "show_chart(\n    panels," in first_plot and 'label="Figure 1"' in first_plot
    assert "most_detentions" in first_plot and "highest_rate" in first_plot
