"""Tests of lesson 7's checks: missing ethnicity, recording by provider and the messy records."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from mhtrain.checks import CORRECT, NOT_ATTEMPTED, NOT_YET, RECEIVED
from mhtrain.checks import lesson07 as ex

SEED = 11
LESSON = Path(__file__).resolve().parents[2] / "notebooks" / "07-missing-voices.md"
MISSING = ("Z", "99")


@pytest.fixture(scope="module")
def data():
    import mhtrain

    return mhtrain.generate(population=60_000, seed=SEED)


@pytest.fixture(scope="module")
def messy():
    import mhtrain

    return mhtrain.generate(population=60_000, seed=SEED, messy=True)


def _hidden(message: str, value: float) -> None:
    """The message must not give the expected value away, however it is rounded."""
    for text in {f"{value:.0f}", f"{value:.1f}", f"{value:.2f}", f"{value:,.0f}"}:
        if len(text.strip("0.-")) >= 2:
            assert text not in message, f"{text!r} leaks into {message!r}"


def _with_provider(data) -> pd.DataFrame:
    provider = dict(zip(data.areas["area_code"], data.areas["provider_code"], strict=True))
    return data.people.assign(provider=data.people["area_code"].map(provider))


def _percent_missing(people: pd.DataFrame, codes=MISSING) -> float:
    return float(people["ethnic_category"].isin(list(codes)).mean() * 100)


# --------------------------------------------------------------------------------------------
# Exercise 1
# --------------------------------------------------------------------------------------------


def test_q1_right_percentage_is_correct(data):
    assert ex.q1.evaluate(_percent_missing(data.people), data=data).status == CORRECT


def test_q1_worked_solution_gives_a_correct_answer(data):
    namespace = {"data": data}
    exec(ex.q1.solution_text, namespace)
    assert ex.q1.evaluate(namespace["percent_missing"], data=data).status == CORRECT


@pytest.mark.parametrize(
    ("wrong", "name"),
    [
        (lambda d: _percent_missing(d.people, ["Z"]), "only-not-stated"),
        (lambda d: _percent_missing(d.people, ["99"]), "only-not-known"),
        (lambda d: _percent_missing(d.people) / 100, "proportion-not-percentage"),
        (lambda d: float(d.people["ethnic_category"].isin(MISSING).sum()), "count-not-percentage"),
        (
            lambda d: (
                d.people["ethnic_category"].isin(MISSING).sum()
                / d.population["residents"].sum()
                * 100
            ),
            "residents-denominator",
        ),
    ],
)
def test_q1_misconceptions_are_named_without_the_answer(data, wrong, name):
    result = ex.q1.evaluate(wrong(data), data=data)
    assert result.status == NOT_YET
    assert result.misconception == name
    _hidden(result.message, _percent_missing(data.people))


def test_q1_placeholder_is_not_attempted(data):
    assert ex.q1.evaluate(..., data=data).status == NOT_ATTEMPTED


def test_q1_counts_both_missing_codes_in_a_hand_built_table():
    people = pd.DataFrame({"ethnic_category": ["A", "Z", "99", "N", "Z", "C", "A", "99"]})
    small = SimpleNamespace(people=people, population=pd.DataFrame({"residents": [800]}))
    assert ex.q1.evaluate(50.0, data=small).status == CORRECT
    assert ex.q1.evaluate(25.0, data=small).misconception == "only-not-stated"


def test_q1b_right_band_depends_on_the_data():
    def dataset(n_missing: int) -> SimpleNamespace:
        codes = ["Z"] * n_missing + ["A"] * (100 - n_missing)
        return SimpleNamespace(people=pd.DataFrame({"ethnic_category": codes}))

    for n_missing, key in ((1, "a"), (11, "b"), (33, "c"), (50, "d")):
        assert ex.q1b.evaluate(key, data=dataset(n_missing)).status == CORRECT
    assert ex.q1b.evaluate("a", data=dataset(11)).status == NOT_YET


# --------------------------------------------------------------------------------------------
# Exercise 2
# --------------------------------------------------------------------------------------------


def _by_provider(data, codes=MISSING) -> pd.Series:
    people = _with_provider(data)
    return people.groupby("provider")["ethnic_category"].apply(
        lambda s: s.isin(list(codes)).mean() * 100
    )


def test_q2_right_table_is_correct(data):
    assert ex.q2.evaluate(_by_provider(data), data=data).status == CORRECT


def test_q2_worked_solution_gives_a_correct_answer(data):
    namespace = {"data": data}
    exec(ex.q2.solution_text, namespace)
    assert ex.q2.evaluate(namespace["missing_by_provider"], data=data).status == CORRECT


def test_q2_grouping_by_area_is_named(data):
    people = data.people
    by_area = people["ethnic_category"].isin(MISSING).groupby(people["area_code"]).mean() * 100
    result = ex.q2.evaluate(by_area, data=data)
    assert result.status == NOT_YET
    assert result.misconception == "by-area-not-provider"


@pytest.mark.parametrize(
    ("codes", "name"), [(["Z"], "only-not-stated"), (["99"], "only-not-known")]
)
def test_q2_counting_one_code_is_named(data, codes, name):
    result = ex.q2.evaluate(_by_provider(data, codes), data=data)
    assert result.status == NOT_YET
    assert result.misconception == name


def test_q2_counts_instead_of_percentages_are_named(data):
    people = _with_provider(data)
    counts = people["ethnic_category"].isin(MISSING).groupby(people["provider"]).sum()
    result = ex.q2.evaluate(counts, data=data)
    assert result.status == NOT_YET
    assert result.misconception == "count-not-percentage"
    for value in _by_provider(data):
        _hidden(result.message, value)


def test_q2_proportions_are_flagged_as_100_times_too_small(data):
    result = ex.q2.evaluate(_by_provider(data) / 100, data=data)
    assert result.status == NOT_YET
    assert "100 times too small" in result.message


def test_q2_a_missing_provider_is_named(data):
    table = _by_provider(data)
    result = ex.q2.evaluate(table.drop(table.index[0]), data=data)
    assert result.status == NOT_YET
    assert str(table.index[0]) in result.message


def test_q2_placeholder_is_not_attempted(data):
    assert ex.q2.evaluate(..., data=data).status == NOT_ATTEMPTED


# --------------------------------------------------------------------------------------------
# Exercise 3
# --------------------------------------------------------------------------------------------


def _letter(provider: str) -> str:
    return next(k for k, (code, _) in ex.PROVIDER_OPTIONS.items() if code == provider)


def test_q3_options_are_the_providers_in_the_data(data):
    providers = data.areas.drop_duplicates("provider_code")
    assert {code: name for code, name in ex.PROVIDER_OPTIONS.values()} == dict(
        zip(providers["provider_code"], providers["provider_name"], strict=True)
    )


def test_q3_worst_provider_is_correct_and_best_is_named(data):
    table = _by_provider(data)
    assert ex.q3.evaluate(_letter(table.idxmax()), data=data).status == CORRECT
    result = ex.q3.evaluate(_letter(table.idxmin()), data=data)
    assert result.status == NOT_YET
    assert result.misconception == "best-not-worst"


def test_q3_biggest_count_is_named_when_it_is_not_the_biggest_share():
    # P1 serves many people with a low share missing; P2 few people with a high share.
    areas = pd.DataFrame(
        {
            "area_code": ["X1", "X2", "X3", "X4", "X5", "X6"],
            "provider_code": ["SYNP1", "SYNP2", "SYNP3", "SYNP4", "SYNP5", "SYNP6"],
        }
    )
    rows = [("X1", "Z")] * 30 + [("X1", "A")] * 170
    rows += [("X2", "99")] * 10 + [("X2", "A")] * 10
    for area in ("X3", "X4", "X5", "X6"):
        rows += [(area, "Z")] + [(area, "A")] * 19
    people = pd.DataFrame(rows, columns=["area_code", "ethnic_category"])
    small = SimpleNamespace(people=people, areas=areas)
    assert ex.q3.evaluate("b", data=small).status == CORRECT
    result = ex.q3.evaluate("a", data=small)
    assert result.misconception == "count-not-share"


def test_q3_placeholder_is_not_attempted(data):
    assert ex.q3.evaluate(..., data=data).status == NOT_ATTEMPTED


# --------------------------------------------------------------------------------------------
# Exercise 4
# --------------------------------------------------------------------------------------------


@pytest.fixture
def tiny_messy():
    """P1 three times (two copies), P2 twice (one copy): three extra copies in all."""
    people = pd.DataFrame(
        {
            "person_id": ["P1", "P2", "P1", "P3", "P2", "P4", "P1", "P5"],
            "ethnic_category": ["A", "white", "A", "Z", "white", "99", "A", "X"],
        }
    )
    return SimpleNamespace(messy=True, people=people)


def test_q4_extra_copies_are_correct(tiny_messy):
    assert ex.q4.evaluate(3, data=tiny_messy).status == CORRECT


@pytest.mark.parametrize(
    ("answer", "name"),
    [(5, "all-rows-of-duplicated-ids"), (8, "all-rows"), (5.0, "all-rows-of-duplicated-ids")],
)
def test_q4_misconceptions_are_named_on_a_hand_built_table(tiny_messy, answer, name):
    result = ex.q4.evaluate(answer, data=tiny_messy)
    assert result.status == NOT_YET
    assert result.misconception == name


def test_q4_worked_solution_is_correct_on_generated_messy_data(messy):
    namespace = {"messy": messy}
    exec(ex.q4.solution_text, namespace)
    value = namespace["duplicate_rows"]
    assert ex.q4.evaluate(value, data=messy).status == CORRECT
    assert value == len(messy.people) - messy.people["person_id"].nunique()


def test_q4_counting_every_row_of_a_duplicated_id_is_named(messy):
    wrong = messy.people["person_id"].duplicated(keep=False).sum()
    result = ex.q4.evaluate(int(wrong), data=messy)
    assert result.status == NOT_YET
    assert result.misconception == "all-rows-of-duplicated-ids"
    _hidden(result.message, len(messy.people) - messy.people["person_id"].nunique())


def test_q4_distinct_people_is_named(messy):
    result = ex.q4.evaluate(messy.people["person_id"].nunique(), data=messy)
    assert result.misconception == "distinct-people"


def test_q4_placeholder_is_not_attempted(messy):
    assert ex.q4.evaluate(..., data=messy).status == NOT_ATTEMPTED


def test_q4b_two_extra_copies_of_three_rows():
    assert ex.q4b.evaluate("b").status == CORRECT
    assert ex.q4b.evaluate("c").misconception == "all-rows-of-duplicated-ids"
    assert ex.q4b.evaluate("a").misconception == "one-copy"


# --------------------------------------------------------------------------------------------
# Exercise 5
# --------------------------------------------------------------------------------------------


def test_q5_counts_invalid_codes_once_per_person(tiny_messy):
    # After removing copies: P1 A, P2 white, P3 Z, P4 99, P5 X -> "white" and "X" are invalid.
    assert ex.q5.evaluate(2, data=tiny_messy).status == CORRECT


@pytest.mark.parametrize(
    ("answer", "name"),
    [
        (4, "missing-counted-as-invalid"),  # white, X, Z, 99
        (3, "before-deduplication"),  # white twice, X
    ],
)
def test_q5_misconceptions_are_named_on_a_hand_built_table(tiny_messy, answer, name):
    result = ex.q5.evaluate(answer, data=tiny_messy)
    assert result.status == NOT_YET
    assert result.misconception == name


def test_q5_worked_solution_is_correct_on_generated_messy_data(messy):
    import mhtrain

    namespace = {"messy": messy, "mhtrain": mhtrain}
    exec(ex.q5.solution_text, namespace)
    value = namespace["invalid_codes"]
    assert ex.q5.evaluate(value, data=messy).status == CORRECT
    logged = messy.messy_log.query("table == 'people' and problem == 'invalid code'")
    assert value == logged["row_id"].nunique()


def test_q5_counting_missing_codes_as_invalid_is_named(messy):
    import mhtrain

    letters = [c for c in mhtrain.codes("ethnic_category")["code"] if c not in MISSING]
    people = messy.people.drop_duplicates("person_id")
    wrong = int((~people["ethnic_category"].isin(letters)).sum())
    result = ex.q5.evaluate(wrong, data=messy)
    assert result.status == NOT_YET
    assert result.misconception == "missing-counted-as-invalid"
    _hidden(result.message, ex.q5.expected(data=messy))


def test_q5_placeholder_is_not_attempted(messy):
    assert ex.q5.evaluate(..., data=messy).status == NOT_ATTEMPTED


@pytest.mark.slow
def test_messy_exercises_find_the_messy_version_of_clean_data(data, messy):
    """Given the clean dataset, do the messy checks compare with its messy twin?"""
    assert ex.q4.expected(data=data) == ex.q4.expected(data=messy)
    assert ex.q5.expected(data=data) == ex.q5.expected(data=messy)


# --------------------------------------------------------------------------------------------
# Exercise 6 and the lesson as a whole
# --------------------------------------------------------------------------------------------


def test_q6_written_answer_is_received_not_marked():
    assert ex.q6.check().status == RECEIVED
    assert "denominator" in ex.q6.solution()


def test_q6_model_answer_matches_the_lesson():
    from mhtrain.course.build import read_lesson

    nb = read_lesson(LESSON)
    [written] = [
        c
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
    ]
    assert " ".join(written.source.split()) == " ".join(ex.q6.model_answer.split())


def test_every_hint_sequence_ends_by_pointing_to_the_solution():
    from mhtrain.checks import exercises_in

    for exercise in exercises_in(ex).values():
        if exercise.hints:
            assert "solution()" in exercise.hint(len(exercise.hints))


def test_lesson_is_easy_to_read_and_has_a_content_note():
    from mhtrain.course.readability import TARGET, flesch_reading_ease

    text = LESSON.read_text()
    assert flesch_reading_ease(LESSON) >= TARGET
    assert "**Content note.**" in text.split("**Who this is for:**")[0]
    for heading in (
        "**Time needed:**",
        "**What you will learn.**",
        "## Key points",
        "## Reflection",
    ):
        assert heading in text
