"""Tests of lesson 14's checks: group sizes and k, people alone after linkage, the choices
about data rules and safe access, and the written answers of the citizens' jury."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import mhtrain
from mhtrain.checks import CORRECT, NOT_ATTEMPTED, NOT_YET, RECEIVED
from mhtrain.checks import lesson14 as ex
from mhtrain.course.build import read_lesson

LESSON = Path(__file__).parents[2] / "notebooks" / "14-whose-data.md"

# Thirteen people in two areas. Grouped by age band, sex and area there are four groups of
# 5, 2, 3 and 3 people (k = 2). Adding the broad ethnic group leaves P04 alone; adding the
# detailed category leaves P09 alone too (H and J are both in the broad Asian group).
PEOPLE = [
    # person, area, age band, sex, ethnic category
    ("P01", "SYN01", "30-34", "1", "A"),
    ("P02", "SYN01", "30-34", "1", "A"),
    ("P03", "SYN01", "30-34", "1", "A"),
    ("P13", "SYN01", "30-34", "1", "A"),
    ("P04", "SYN01", "30-34", "1", "M"),
    ("P05", "SYN01", "30-34", "2", "A"),
    ("P06", "SYN01", "30-34", "2", "A"),
    ("P07", "SYN02", "40-44", "1", "H"),
    ("P08", "SYN02", "40-44", "1", "H"),
    ("P09", "SYN02", "40-44", "1", "J"),
    ("P10", "SYN02", "40-44", "2", "A"),
    ("P11", "SYN02", "40-44", "2", "A"),
    ("P12", "SYN02", "40-44", "2", "A"),
]
# Eight detentions of seven people; P01 is detained twice and keeps April, the first.
DETENTIONS = [
    ("D1", "P01", "2023-04-03"),
    ("D2", "P01", "2023-06-20"),
    ("D3", "P02", "2023-05-11"),
    ("D4", "P03", "2023-04-28"),
    ("D5", "P04", "2023-05-02"),
    ("D6", "P07", "2023-05-15"),
    ("D7", "P08", "2023-05-30"),
    ("D8", "P10", "2023-04-09"),
]
# Residents: 1,000 White (A), 100 Black (M) and 200 Asian (H) people.
RESIDENTS = {"A": 1000, "M": 100, "H": 200}


def _dataset(detentions=DETENTIONS) -> SimpleNamespace:
    people = pd.DataFrame(
        PEOPLE, columns=["person_id", "area_code", "age_band", "sex", "ethnic_category"]
    )
    detained = pd.DataFrame(detentions, columns=["detention_id", "person_id", "start_date"])
    detained["start_date"] = pd.to_datetime(detained["start_date"])
    population = pd.DataFrame(
        {
            "area_code": "SYN01",
            "age_band": "30-34",
            "sex": "1",
            "ethnic_category": list(RESIDENTS),
            "residents": list(RESIDENTS.values()),
        }
    )
    return SimpleNamespace(people=people, mha_detentions=detained, population=population)


@pytest.fixture(scope="module")
def hand():
    return _dataset()


@pytest.fixture(scope="module")
def data(small_dataset):
    return small_dataset


def _by_hand(rows: list[tuple], fields: list[int]) -> tuple[int, int]:
    """(k, people alone) counted with a Counter, independently of pandas."""
    counts = Counter(tuple(row[i] for i in fields) for row in rows)
    return min(counts.values()), sum(
        1 for row in rows if counts[tuple(row[i] for i in fields)] == 1
    )


def _solutions() -> dict[str, str]:
    """Each answer cell's worked answer in the lesson, as a learner would finish it."""
    out = {}
    for cell in read_lesson(LESSON).cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if cell.cell_type == "code" and grade_id.endswith("-answer"):
            body = cell.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            out[grade_id.removesuffix("-answer")] = body.strip("\n")
    return out


def _model_answers() -> dict[str, str]:
    out = {}
    for cell in read_lesson(LESSON).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and meta.get("solution"):
            out[meta["grade_id"].removesuffix("-answer")] = " ".join(cell.source.split())
    return out


# --------------------------------------------------------------------------------------------
# The tables: group sizes, k, people alone, and the linked detentions.
# --------------------------------------------------------------------------------------------


def test_hand_dataset_codes_fall_in_the_broad_groups_the_comments_say():
    groups = mhtrain.broad_ethnic_group(pd.Series(["A", "M", "H", "J"])).tolist()
    assert groups == ["White", "Black", "Asian", "Asian"]


def test_smallest_group_and_people_alone_match_a_count_by_hand(hand):
    people = ex.with_broad_group(hand.people)
    assert ex.smallest_group(people, ex.THREE_FIELDS) == 2
    assert ex.people_alone(people, ex.THREE_FIELDS) == 0
    assert ex.smallest_group(people, ex.FOUR_FIELDS) == 1
    assert ex.people_alone(people, ex.FOUR_FIELDS) == 1
    assert ex.people_alone(people, [*ex.THREE_FIELDS, "ethnic_category"]) == 2


def test_risk_table_rows_match_a_count_by_hand(hand):
    people = ex.with_broad_group(hand.people)
    table = ex.risk_table(people, [ex.THREE_FIELDS, ex.FOUR_FIELDS])
    first, second = table.iloc[0], table.iloc[1]
    assert list(table.index) == [
        "age band + sex + area",
        "age band + sex + area + broad ethnic group",
    ]
    assert (first["groups"], first["smallest group (k)"], first["people alone"]) == (4, 2, 0)
    assert first["people in small groups"] == 13  # every group is smaller than 8
    assert (second["groups"], second["smallest group (k)"], second["people alone"]) == (5, 1, 1)
    assert second["percent alone"] == pytest.approx(100 / 13, abs=0.05)


def test_risk_table_on_generated_data_matches_an_independent_count(data):
    people = ex.with_broad_group(data.people)
    columns = ["age_band", "sex", "area_code", "ethnic_group", "ethnic_category"]
    rows = list(people[columns].itertuples(index=False, name=None))
    table = ex.risk_table(people, [ex.THREE_FIELDS, ex.FOUR_FIELDS])
    for (_, row), fields in zip(table.iterrows(), ([0, 1, 2], [0, 1, 2, 3]), strict=True):
        k, alone = _by_hand(rows, fields)
        assert row["smallest group (k)"] == k
        assert row["people alone"] == alone


def test_more_fields_never_leave_fewer_people_alone(data):
    people = ex.with_broad_group(data.people)
    sets = [["age_band", "sex"], ex.THREE_FIELDS, ex.FOUR_FIELDS]
    alone = ex.risk_table(people, sets)["people alone"].tolist()
    k = ex.risk_table(people, sets)["smallest group (k)"].tolist()
    assert alone == sorted(alone)
    assert k == sorted(k, reverse=True)


def test_describe_risk_says_each_row_in_words_with_its_numbers(hand):
    people = ex.with_broad_group(hand.people)
    table = ex.risk_table(people, [ex.THREE_FIELDS, ex.FOUR_FIELDS])
    first, second = ex.describe_risk(table, people="people").split("\n")
    assert "at least 1 others (k = 2)" in first and "0 people (0.0%) are alone" in first
    assert "alone in their group (k = 1)" in second and "1 people (7.7%)" in second
    assert f"fewer than {ex.SMALL_GROUP}" in second


def test_detained_people_keeps_one_row_per_person_with_their_first_month(hand):
    detained = ex.detained_people(hand).set_index("person_id")
    assert sorted(detained.index) == ["P01", "P02", "P03", "P04", "P07", "P08", "P10"]
    assert detained.loc["P01", ex.DETENTION_MONTH] == "2023-04"
    assert detained.loc["P04", ex.BROAD_GROUP] == "Black"
    assert detained.loc["P10", "area_code"] == "SYN02"


def test_detained_people_has_one_row_per_person_detained_in_generated_data(data):
    detained = ex.detained_people(data)
    assert len(detained) == data.mha_detentions["person_id"].nunique()
    assert detained["person_id"].is_unique
    assert detained[ex.DETENTION_MONTH].str.fullmatch(r"\d{4}-\d{2}").all()


def test_detention_gap_gives_the_rate_ratio_worked_out_by_hand(hand):
    gap = ex.detention_gap(hand)
    # White: 5 detentions per 1,000; Black: 1 per 100; Asian: 2 per 200.
    assert gap.loc["White", "detentions"] == 5
    assert gap.loc["Black", "rate_ratio"] == pytest.approx((1 / 100) / (5 / 1000))
    assert gap.loc["Asian", "rate_ratio"] == pytest.approx((2 / 200) / (5 / 1000))
    assert gap.loc["Black", "ratio_lower"] < 2 < gap.loc["Black", "ratio_upper"]


def test_detention_gap_agrees_with_the_ratio_the_generator_says_it_planted(data):
    """The benefit in Part 4 is the crude ratio the truth record holds (rounded to 6 places)."""
    truth = data.truth["detention"]["rate_ratio_vs_white_recorded"]
    gap = ex.detention_gap(data)
    for group, ratio in truth.items():
        assert gap.loc[group, "rate_ratio"] == pytest.approx(ratio["crude"], abs=1e-6), group
        limits = gap.loc[group, ["ratio_lower", "ratio_upper"]].tolist()
        assert limits == pytest.approx(ratio["crude_ci"], abs=1e-6), group


# --------------------------------------------------------------------------------------------
# Exercise 5: k for age band, sex and area.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [2, 2.0, np.int64(2), np.float64(2.0), 2.2])
def test_q5_right_k_is_correct_however_it_is_written(hand, answer):
    assert ex.q5.evaluate(answer, data=hand).status == CORRECT


def test_q5_worked_answer_in_the_lesson_is_correct(data):
    people = ex.with_broad_group(data.people)
    sizes = people.groupby(["age_band", "sex", "area_code"]).size()
    namespace = {"sizes": sizes}
    exec(_solutions()["q5"], namespace)
    assert ex.q5.evaluate(namespace["k_three_fields"], data=data).status == CORRECT


@pytest.mark.parametrize(
    ("answer", "name"),
    [(4, "counted-groups"), (5, "largest-group"), (1, "added-ethnic-group")],
)
def test_q5_wrong_answers_people_give_are_named(hand, answer, name):
    result = ex.q5.evaluate(answer, data=hand)
    assert result.status == NOT_YET
    assert result.misconception == name
    assert "2" not in re.sub(r"ex\.q\d+", "", result.message)


@pytest.mark.parametrize("blank", [..., None, "", "..."])
def test_q5_blank_is_not_attempted(hand, blank):
    assert ex.q5.evaluate(blank, data=hand).status == NOT_ATTEMPTED


def test_q5_an_unknown_wrong_number_is_not_yet_without_a_name(hand):
    result = ex.q5.evaluate(7, data=hand)
    assert result.status == NOT_YET
    assert result.misconception == "not-a-known-slip"  # the shared reason: no known method


def test_q5_text_is_not_a_number(hand):
    assert ex.q5.evaluate("two", data=hand).status == NOT_YET


# --------------------------------------------------------------------------------------------
# Exercise 6: people detained who are alone on four fields; 6b: what the month adds.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [2, 2.0, np.int64(2)])
def test_q6_right_count_is_correct(hand, answer):
    assert ex.q6.evaluate(answer, data=hand).status == CORRECT


def test_q6_worked_answer_in_the_lesson_is_correct(data):
    namespace = {"detained": ex.detained_people(data)}
    exec(_solutions()["q6"], namespace)
    assert ex.q6.evaluate(namespace["alone_detained"], data=data).status == CORRECT


def test_q6_a_count_written_another_way_is_correct(data):
    detained = ex.detained_people(data)
    sizes = detained.groupby(["age_band", "sex", "area_code", "ethnic_group"])["person_id"]
    alone = int((sizes.transform("count") == 1).sum())
    assert ex.q6.evaluate(alone, data=data).status == CORRECT


@pytest.mark.parametrize(
    ("answer", "name"),
    [
        (4, "counted-groups"),  # four groups of detained people
        (5, "counted-shared"),  # seven people, two alone
        (1, "used-everyone"),  # only P04 is alone in the whole people table
        (3, "added-month"),  # P02, P04 and P10 are alone once the month is added
        (2 / 7 * 100, "percentage-not-count"),
    ],
)
def test_q6_wrong_answers_people_give_are_named(hand, answer, name):
    result = ex.q6.evaluate(answer, data=hand)
    assert result.status == NOT_YET
    assert result.misconception == name


def test_q6_misconceptions_on_generated_data_never_show_the_answer(data):
    right = ex.q6.expected(data=data)
    for misconception in ex.q6.misconceptions:
        wrong = misconception.wrong_value(data)
        assert wrong != right, misconception.name
        result = ex.q6.evaluate(wrong, data=data)
        assert result.status == NOT_YET
        assert result.misconception == misconception.name
        assert f"{right:,}" not in result.message and str(right) not in result.message


@pytest.mark.parametrize("blank", [..., None])
def test_q6_blank_is_not_attempted(hand, blank):
    assert ex.q6.evaluate(blank, data=hand).status == NOT_ATTEMPTED


def test_q6b_right_option_follows_the_data(hand):
    assert ex.q6b.expected(data=hand) == "c"  # two alone before the month, three after
    same_month = [(d, p, "2023-05-01") for d, p, _ in DETENTIONS]
    assert ex.q6b.expected(data=_dataset(same_month)) == "b"


def test_q6b_on_generated_data_the_month_leaves_many_more_alone(data):
    detained = ex.detained_people(data)
    before = ex.people_alone(detained, ex.FOUR_FIELDS)
    after = ex.people_alone(detained, ex.WITH_MONTH)
    assert after > before
    assert ex.q6b.evaluate("c", data=data).status == CORRECT


# --------------------------------------------------------------------------------------------
# The multiple-choice exercises.
# --------------------------------------------------------------------------------------------

CHOICES = [
    (ex.q1, "c", {"a": "direct-care-nurse", "b": "direct-care-crisis"}),
    (ex.q2, "b", {"a": "opt-out-stops-care", "c": "opt-out-covers-anonymous"}),
    (ex.q3, "a", {"b": "duty-to-share", "c": "aware-of-responsibilities"}),
    (ex.q4, "c", {"a": "safe-people", "b": "safe-settings", "d": "safe-projects"}),
    (ex.q6b, "c", {"a": "fields-hide-people", "b": "no-change"}),
    (ex.q7, "b", {"a": "pseudonymised-is-anonymous", "c": "random-code-is-safe"}),
    (ex.q8, "b", {"a": "a-survey-is-enough", "c": "names-needed"}),
    (ex.q12, "b", {"a": "parents-always-decide", "c": "same-as-adult"}),
]
IDS = [exercise.id for exercise, _, _ in CHOICES]


@pytest.mark.parametrize(("exercise", "right", "wrong"), CHOICES, ids=IDS)
def test_choices_accept_the_right_option_written_many_ways(hand, exercise, right, wrong):
    text = exercise.options[right]
    for answer in (
        right,
        right.upper(),
        f" {right} ",
        f"({right})",
        f"{right}.",
        text,
        text.upper(),
    ):
        assert exercise.evaluate(answer, data=hand).status == CORRECT, answer


@pytest.mark.parametrize(("exercise", "right", "wrong"), CHOICES, ids=IDS)
def test_choices_name_each_tempting_wrong_option_without_giving_the_answer(
    hand, exercise, right, wrong
):
    assert set(wrong) | {right} == set(exercise.options)
    for key, name in wrong.items():
        for answer in (key, exercise.options[key]):
            result = exercise.evaluate(answer, data=hand)
            assert result.status == NOT_YET
            assert result.misconception == name
            assert f'"{right}"' not in result.message


@pytest.mark.parametrize(("exercise", "right", "wrong"), CHOICES, ids=IDS)
def test_choices_blank_or_not_an_option_is_not_marked_right(hand, exercise, right, wrong):
    for blank in (..., None, "", "   "):
        assert exercise.evaluate(blank, data=hand).status == NOT_ATTEMPTED
    for junk in ("z", "yes", 3, ["a", "b"]):
        assert exercise.evaluate(junk, data=hand).status == NOT_YET
    # A one-item list is read as that choice: right only for the right option.
    assert exercise.evaluate([right], data=hand).status == CORRECT
    for key in wrong:
        assert exercise.evaluate([key], data=hand).status == NOT_YET


@pytest.mark.parametrize(("exercise", "right", "wrong"), CHOICES, ids=IDS)
def test_choices_worked_answer_in_the_lesson_is_the_right_option(hand, exercise, right, wrong):
    namespace: dict = {}
    exec(_solutions()[exercise.id], namespace)
    assert namespace[exercise.variable] == right
    assert exercise.evaluate(namespace[exercise.variable], data=hand).status == CORRECT


@pytest.mark.parametrize(("exercise", "right", "wrong"), CHOICES, ids=IDS)
def test_choices_assert_answered_refuses_a_blank_and_passes_any_option(exercise, right, wrong):
    with pytest.raises(AssertionError):
        exercise.assert_answered(...)
    for key in exercise.options:
        exercise.assert_answered(key)


def test_lesson_shows_every_choice_option_as_the_checks_declare_it():
    text = " ".join(LESSON.read_text(encoding="utf-8").split())
    for exercise, _, _ in CHOICES:
        for key, option in exercise.options.items():
            assert f"**{key})** {option}" in text, (exercise.id, key)


# --------------------------------------------------------------------------------------------
# The written answers (Exercises 9, 10 and 11).
# --------------------------------------------------------------------------------------------

WRITTEN = [ex.q9, ex.q10, ex.q11]


@pytest.mark.parametrize("exercise", WRITTEN, ids=[e.id for e in WRITTEN])
def test_written_answers_are_received_and_point_to_the_model_answer(exercise):
    result = exercise.check()
    assert result.status == RECEIVED
    assert f"ex.{exercise.id}.solution()" in result.message


@pytest.mark.parametrize("exercise", WRITTEN, ids=[e.id for e in WRITTEN])
def test_written_answers_placeholder_is_not_attempted(exercise):
    assert exercise.evaluate("Write your answer here.").status == NOT_ATTEMPTED
    assert exercise.evaluate(...).status == NOT_ATTEMPTED
    assert exercise.evaluate("I would approve it with conditions.").status == RECEIVED


@pytest.mark.parametrize("exercise", WRITTEN, ids=[e.id for e in WRITTEN])
def test_written_model_answers_are_the_ones_in_the_lesson(exercise):
    assert _model_answers()[exercise.id] == " ".join(exercise.model_answer.split())


def test_model_verdict_has_a_decision_reasons_conditions_and_a_question():
    verdict = ex.q10.model_answer
    assert re.match(r"Decision: [ABCD],", verdict)
    for part in ("Reasons:", "Conditions and changes:", "Question:"):
        assert part in verdict
    assert verdict.rstrip().endswith("?")


def test_every_written_answer_has_a_rubric_in_a_tutor_note_with_the_cell_s_marks():
    cells = read_lesson(LESSON).cells
    notes = " ".join(c.source for c in cells if "tutor-note" in c.metadata.get("tags", []))
    points = {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
        for c in cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
    }
    for exercise in WRITTEN:
        marks = points[f"{exercise.id}-answer"]
        number = exercise.id.removeprefix("q")
        assert f"marking exercise {number} ({marks} marks)" in notes.lower(), exercise.id


# --------------------------------------------------------------------------------------------
# Every exercise.
# --------------------------------------------------------------------------------------------


def test_every_exercise_in_the_lesson_is_declared_and_every_declared_one_is_used():
    from mhtrain.checks import exercises_in

    text = LESSON.read_text(encoding="utf-8")
    used = set(re.findall(r"ex\.(q\d+b?)\.", text))
    assert used == set(exercises_in(ex))


def test_every_hint_sequence_ends_by_pointing_to_the_solution():
    from mhtrain.checks import exercises_in

    for exercise in exercises_in(ex).values():
        assert exercise.hints, exercise.id
        assert "solution()" in exercise.hint(len(exercise.hints))
