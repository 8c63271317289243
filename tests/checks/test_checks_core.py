"""Tests of the declared exercise classes: outcomes, kind messages, hints, solutions, data."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mhtrain.checks.core.state as core
from mhtrain.checks import (
    CORRECT,
    NOT_ATTEMPTED,
    NOT_YET,
    RECEIVED,
    ChoiceExercise,
    FreeTextExercise,
    Misconception,
    NotYetError,
    NumberExercise,
    TableExercise,
    exercises_in,
    get_dataset,
    set_solutions_visible,
    use_dataset,
)
from mhtrain.errors import MhtrainError

STATUS_WORDS = ("Not attempted:", "Correct:", "Not yet:", "Thank you:")


@pytest.fixture
def data():
    """A tiny dataset: 7 detentions among 3,120 residents in group A, 2 among 1,480 in B."""
    detentions = pd.DataFrame({"group": ["A"] * 7 + ["B"] * 2})
    population = pd.DataFrame({"group": ["A", "B"], "residents": [3120, 1480]})
    return SimpleNamespace(detentions=detentions, population=population)


def _rate(d):
    return len(d.detentions) / d.population["residents"].sum() * 100_000


def _rate_by_group(d):
    counts = d.detentions.groupby("group").size()
    residents = d.population.set_index("group")["residents"]
    return counts / residents * 100_000


@pytest.fixture
def rate_q():
    return NumberExercise(
        "q1",
        variable="detention_rate",
        prompt="Detentions per 100,000 residents.",
        expected=_rate,
        quantity="rate",
        hints=["Count the detentions.", "Divide by residents.", "Multiply by 100,000."],
        solution="detention_rate = detentions / residents * 100_000",
        misconceptions=[
            Misconception(
                "This looks like a count of detentions, not a rate: divide by the number of "
                "residents in the group.",
                compute=lambda d: len(d.detentions),
                name="count-not-rate",
            )
        ],
    )


@pytest.fixture
def table_q():
    return TableExercise(
        "q2",
        variable="rates",
        expected=_rate_by_group,
        misconceptions=[
            Misconception(
                "These are counts of detentions, not rates.",
                compute=lambda d: d.detentions.groupby("group").size(),
                name="counts",
            )
        ],
    )


def _renderings(value: float) -> set[str]:
    """Ways a number might be written in a message: rounded, with commas, as an integer."""
    shown = set()
    for places in range(0, 5):
        rounded = round(value, places)
        shown.add(f"{rounded:.{places}f}")
        shown.add(f"{rounded:,.{places}f}")
    shown.add(str(value))
    shown.add(f"{value:g}")
    shown.add(f"{value:.3g}")
    return {s for s in shown if len(s.strip("0.,-")) >= 2}


# ------------------------------------------------------------------------------------------
# Numbers
# ------------------------------------------------------------------------------------------


def test_number_right_answer_is_correct(rate_q, data):
    right = 9 / 4600 * 100_000
    result = rate_q.evaluate(right, data=data)
    assert result.status == CORRECT
    assert result.correct
    assert result.message.startswith("Correct:")


def test_number_rounded_sensibly_is_correct_and_other_values_are_not(rate_q, data):
    right = 9 / 4600 * 100_000  # 195.652...
    for rounded in (195.65, 195.7, 196, np.float32(right), round(right, 3)):
        assert rate_q.evaluate(rounded, data=data).status == CORRECT, rounded
    for wrong in (195.6, 195.75, 197):
        assert rate_q.evaluate(wrong, data=data).status == NOT_YET, wrong


@pytest.mark.parametrize("placeholder", [..., None, "", "  ", "..."])
def test_placeholder_is_not_attempted(rate_q, data, placeholder):
    result = rate_q.evaluate(placeholder, data=data)
    assert result.status == NOT_ATTEMPTED
    assert result.message.startswith("Not attempted:")
    assert "detention_rate" in result.message


def test_known_misconception_is_named(rate_q, data):
    result = rate_q.evaluate(9, data=data)
    assert result.status == NOT_YET
    assert result.misconception == "count-not-rate"
    assert "count of detentions, not a rate" in result.message


@pytest.mark.parametrize(
    ("factor", "word"),
    [(100, "100 times too large"), (1 / 100_000, "100,000 times too small"), (1000, "1,000")],
)
def test_answer_off_by_a_common_factor_says_so(rate_q, data, factor, word):
    right = 9 / 4600 * 100_000
    result = rate_q.evaluate(right * factor, data=data)
    assert result.status == NOT_YET
    assert word in result.message


def test_wrong_sign_and_upside_down_are_named():
    q = NumberExercise("q1", expected=lambda d: 2.5)
    assert "wrong sign" in q.evaluate(-2.5, data=object()).message
    assert "upside down" in q.evaluate(0.4, data=object()).message


def test_only_a_coarser_rounding_is_told_it_is_rounded_too_far(rate_q, data):
    result = rate_q.evaluate(200, data=data)  # 195.65 to the nearest 10
    assert result.status == NOT_YET
    assert result.misconception == "rounded-too-far"
    assert "rounded more than this question allows" in result.message
    close_but_not_a_rounding = rate_q.evaluate(194, data=data)
    assert close_but_not_a_rounding.misconception != "rounded-too-far"
    assert "round" not in close_but_not_a_rounding.message


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        ("about 196", "single number"),
        (True, "True or False"),
        (pd.Series([1.0, 2.0]), "single number"),
        ([1, 2], "single number"),
        (float("nan"), "not a finite number"),
        (math.inf, "not a finite number"),
    ],
)
def test_wrong_type_gets_a_reason(rate_q, data, answer, phrase):
    result = rate_q.evaluate(answer, data=data)
    assert result.status == NOT_YET
    assert phrase in result.message


@pytest.mark.parametrize("typed", ["195.7", "195.7%", " 195.65 ", "195.7 "])
def test_a_number_typed_as_text_is_judged_with_a_tip(rate_q, data, typed):
    result = rate_q.evaluate(typed, data=data)
    assert result.status == CORRECT
    assert "no quote marks" in result.message and "detention_rate = 195." in result.message


def test_a_wrong_number_typed_as_text_is_judged_as_that_number(rate_q, data):
    result = rate_q.evaluate("9", data=data)
    assert result.misconception == "count-not-rate"


def test_numpy_scalars_are_numbers(rate_q, data):
    right = 9 / 4600 * 100_000
    assert rate_q.evaluate(np.float32(right), data=data).status == CORRECT
    assert rate_q.evaluate(np.array(right), data=data).status == CORRECT


def test_unknown_wrong_answer_says_what_to_look_at(rate_q, data):
    result = rate_q.evaluate(42.0, data=data)
    assert result.status == NOT_YET
    assert "top of the fraction" in result.message


@settings(max_examples=150, deadline=None)
@given(
    wrong=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False),
)
def test_not_yet_never_reveals_the_expected_value(wrong):
    """Whatever wrong number a learner gives, the message never shows the right one."""
    detentions = pd.DataFrame({"group": ["A"] * 7 + ["B"] * 2})
    population = pd.DataFrame({"group": ["A", "B"], "residents": [3120, 1480]})
    d = SimpleNamespace(detentions=detentions, population=population)
    q = NumberExercise(
        "q1",
        expected=_rate,
        misconceptions=[Misconception("A count, not a rate.", compute=lambda x: 9)],
    )
    expected = _rate(d)
    result = q.evaluate(wrong, data=d)
    if result.status == CORRECT:
        return
    for shown in _renderings(expected):
        assert shown not in result.message


def test_messages_are_plain_text_starting_with_a_status_word(rate_q, data):
    answers = [..., 9, 9 / 4600 * 100_000, "x", 1e9, float("nan")]
    for answer in answers:
        message = rate_q.evaluate(answer, data=data).message
        assert message.startswith(STATUS_WORDS)
        assert message.isascii()  # no emoji or colour codes: words carry the meaning


# ------------------------------------------------------------------------------------------
# check(), grade(), assert_answered()
# ------------------------------------------------------------------------------------------


def test_check_prints_the_message_and_returns_the_result(rate_q, data, capsys):
    result = rate_q.check(9, data=data)
    printed = capsys.readouterr().out
    assert printed.strip() == result.message
    assert result.status == NOT_YET


def test_check_without_argument_finds_the_notebook_variable(rate_q, data, capsys):
    namespace = {"ex_q1": rate_q, "data": data, "detention_rate": 9 / 4600 * 100_000}
    exec("result = ex_q1.check(data=data)", namespace)
    assert namespace["result"].status == CORRECT
    namespace = {"ex_q1": rate_q, "data": data}
    exec("result = ex_q1.check(data=data)", namespace)
    assert namespace["result"].status == NOT_ATTEMPTED


def test_grade_raises_assertion_error_with_the_same_message(rate_q, data):
    with pytest.raises(AssertionError) as info:
        rate_q.grade(9, data=data)
    assert isinstance(info.value, NotYetError)
    assert str(info.value) == rate_q.evaluate(9, data=data).message
    assert info.value._render_traceback_() == str(info.value).splitlines()
    with pytest.raises(NotYetError):
        rate_q.grade(..., data=data)


def test_grade_returns_the_result_when_correct(rate_q, data):
    assert rate_q.grade(9 / 4600 * 100_000, data=data).status == CORRECT


def test_assert_answered_checks_form_not_correctness(rate_q, capsys):
    rate_q.assert_answered(12345.0)  # wrong, but a number: passes
    assert "Answered" in capsys.readouterr().out
    with pytest.raises(NotYetError, match="Not attempted"):
        rate_q.assert_answered(...)
    with pytest.raises(NotYetError, match="single number"):
        rate_q.assert_answered("twelve")


def test_result_is_not_displayed_twice_in_jupyter(rate_q, data):
    result = rate_q.evaluate(9, data=data)
    assert result._ipython_display_() is None
    assert str(result) == result.message


# ------------------------------------------------------------------------------------------
# Hints and solutions
# ------------------------------------------------------------------------------------------


def test_hints_come_in_steps_and_stop_at_the_last(rate_q, capsys):
    texts = [rate_q.hint() for _ in range(4)]
    assert texts[0].startswith("Hint 1 of 3: Count the detentions.")
    assert texts[1].startswith("Hint 2 of 3")
    assert texts[2].startswith("Hint 3 of 3") and "solution()" in texts[2]
    assert texts[3] == texts[2]
    assert rate_q.hint(1).startswith("Hint 1 of 3")
    with pytest.raises(MhtrainError, match="hints 1 to 3"):
        rate_q.hint(7)


def test_solution_shows_code_unless_switched_off(rate_q, monkeypatch, capsys):
    assert "detention_rate = detentions / residents" in rate_q.solution()
    set_solutions_visible(False)
    try:
        hidden = rate_q.solution()
    finally:
        set_solutions_visible(None)
    assert "switched off" in hidden and "detentions / residents" not in hidden
    monkeypatch.setenv("MHTRAIN_HIDE_SOLUTIONS", "1")
    assert "switched off" in rate_q.solution()
    monkeypatch.setenv("MHTRAIN_HIDE_SOLUTIONS", "0")
    assert "detentions / residents" in rate_q.solution()


# ------------------------------------------------------------------------------------------
# The dataset: lazy, cached, injectable
# ------------------------------------------------------------------------------------------


def test_dataset_is_loaded_once_and_can_be_injected(monkeypatch, data, rate_q):
    import sys
    import types

    calls = []

    def fake_load():
        calls.append(1)
        return data

    stub = types.ModuleType("mhtrain")
    stub.load = fake_load
    monkeypatch.setitem(sys.modules, "mhtrain", stub)
    monkeypatch.setattr(core._STATE, "loaded", None)
    assert get_dataset() is data
    assert get_dataset() is data
    assert len(calls) == 1
    assert rate_q.evaluate(9 / 4600 * 100_000).status == CORRECT

    other = SimpleNamespace(
        detentions=pd.DataFrame({"group": ["A"]}),
        population=pd.DataFrame({"group": ["A"], "residents": [1000]}),
    )
    with use_dataset(other):
        assert get_dataset() is other
        assert rate_q.evaluate(100.0).status == CORRECT
    assert get_dataset() is data


def test_missing_loader_is_a_clear_error(monkeypatch):
    import sys
    import types

    monkeypatch.setitem(sys.modules, "mhtrain", types.ModuleType("mhtrain"))
    monkeypatch.setattr(core._STATE, "loaded", None)
    with pytest.raises(MhtrainError, match=r"mhtrain.load\(\)"):
        get_dataset()


def test_reference_is_cached_per_dataset(data):
    calls = []

    def expected(d):
        calls.append(d)
        return 1.0

    q = NumberExercise("q1", expected=expected)
    q.evaluate(1.0, data=data)
    q.evaluate(2.0, data=data)
    assert len(calls) == 1
    q.evaluate(1.0, data=SimpleNamespace())
    assert len(calls) == 2


# ------------------------------------------------------------------------------------------
# Tables
# ------------------------------------------------------------------------------------------


def _right_table():
    return pd.Series({"A": 7 / 3120 * 100_000, "B": 2 / 1480 * 100_000})


def test_table_right_answer_in_any_order_is_correct(table_q, data):
    answer = _right_table()[["B", "A"]]
    assert table_q.evaluate(answer, data=data).status == CORRECT


def test_table_accepts_one_column_frame_and_dict(table_q, data):
    frame = _right_table().rename("rate").to_frame()
    assert table_q.evaluate(frame, data=data).status == CORRECT
    assert table_q.evaluate(_right_table().to_dict(), data=data).status == CORRECT


def test_table_index_labels_as_text_match_numbers():
    q = TableExercise("q1", expected=lambda d: pd.Series({1: 0.5, 2: 0.25}))
    answer = pd.Series({"1": 0.5, "2": 0.25})
    assert q.evaluate(answer, data=object()).status == CORRECT


def test_table_names_differing_rows_without_values(table_q, data):
    answer = _right_table()
    answer["B"] = 999.0
    result = table_q.evaluate(answer, data=data)
    assert result.status == NOT_YET
    assert "1 of 2 rows differ" in result.message and ": B." in result.message
    for value in _right_table():
        for shown in _renderings(value):
            assert shown not in result.message


def test_table_names_missing_and_extra_groups(table_q, data):
    missing = table_q.evaluate(_right_table()[["A"]], data=data)
    assert "missing these groups: B" in missing.message
    extra = _right_table()
    extra["Z"] = 1.0
    result = table_q.evaluate(extra, data=data)
    assert "should not be there: Z" in result.message


def test_table_misconception_is_named(table_q, data):
    result = table_q.evaluate(pd.Series({"A": 7, "B": 2}), data=data)
    assert result.misconception == "counts"


def test_table_off_by_100_is_named(table_q, data):
    result = table_q.evaluate(_right_table() / 100, data=data)
    assert "100 times too small" in result.message


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        ([1.0, 2.0, 3.0], "no group labels"),
        (3.5, "value for each group"),
        ("A", "a table"),
    ],
)
def test_table_wrong_type_gets_a_reason(table_q, data, answer, phrase):
    result = table_q.evaluate(answer, data=data)
    assert result.status == NOT_YET
    assert phrase in result.message


def test_table_labels_that_do_not_match_at_all(table_q, data):
    answer = pd.Series([7 / 3120 * 100_000, 2 / 1480 * 100_000])  # index 0, 1
    result = table_q.evaluate(answer, data=data)
    assert "row labels" in result.message


def test_table_duplicate_groups_and_empty_rows(table_q, data):
    dupes = pd.Series([1.0, 2.0, 3.0], index=["A", "A", "B"])
    assert "more than once" in table_q.evaluate(dupes, data=data).message
    empty = _right_table()
    empty["A"] = np.nan
    result = table_q.evaluate(empty, data=data)
    assert result.misconception == "empty-rows"
    assert "empty (NaN)" in result.message and ": A." in result.message


def test_dataframe_reference_checks_every_column():
    expected = pd.DataFrame({"rate": [1.0, 2.0], "count": [10, 20]}, index=["A", "B"])
    q = TableExercise("q1", expected=lambda d: expected)
    assert q.evaluate(expected.copy(), data=object()).status == CORRECT
    missing = q.evaluate(expected[["rate"]], data=object())
    assert "missing these columns: count" in missing.message
    wrong = expected.copy()
    wrong.loc["B", "count"] = 21
    assert "rows differ" in q.evaluate(wrong, data=object()).message


def test_table_order_is_checked_when_asked():
    expected = pd.Series({"A": 3.0, "B": 2.0, "C": 1.0})
    q = TableExercise("q1", expected=lambda d: expected, check_order=True)
    assert q.evaluate(expected, data=object()).status == CORRECT
    result = q.evaluate(expected.sort_values(), data=object())
    assert result.status == NOT_YET and "order" in result.message


# ------------------------------------------------------------------------------------------
# Multiple choice and free text
# ------------------------------------------------------------------------------------------


@pytest.fixture
def choice_q():
    return ChoiceExercise(
        "q3",
        options={"a": "Group A has the higher rate.", "b": "Group B has the higher rate."},
        answer=lambda d: "a" if _rate_by_group(d).idxmax() == "A" else "b",
        misconceptions=[Misconception("B has fewer residents, not a higher rate.", value="b")],
    )


@pytest.mark.parametrize("answer", ["a", "A", " (a) ", "a)", "group a has the higher rate"])
def test_choice_accepts_letter_or_option_text(choice_q, data, answer):
    assert choice_q.evaluate(answer, data=data).status == CORRECT


def test_choice_answer_follows_the_data(choice_q):
    flipped = SimpleNamespace(
        detentions=pd.DataFrame({"group": ["A"] + ["B"] * 9}),
        population=pd.DataFrame({"group": ["A", "B"], "residents": [3000, 1000]}),
    )
    assert choice_q.evaluate("b", data=flipped).status == CORRECT
    assert choice_q.evaluate("a", data=flipped).status == NOT_YET


def test_choice_wrong_option_names_misconception_and_bad_input_lists_options(choice_q, data):
    assert "fewer residents" in choice_q.evaluate("b", data=data).message
    not_option = choice_q.evaluate("d", data=data)
    assert not_option.status == NOT_YET and '"a" or "b"' in not_option.message
    assert "quote marks" in choice_q.evaluate(1, data=data).message


def test_choice_declaration_errors():
    with pytest.raises(MhtrainError, match="not one of the option keys"):
        ChoiceExercise("q1", options={"a": "x", "b": "y"}, answer="c")
    with pytest.raises(MhtrainError, match="two options"):
        ChoiceExercise("q1", options={"a": "x"}, answer="a")


def test_free_text_thanks_without_marking():
    q = FreeTextExercise("q4", variable="reflection", model_answer="A model answer.")
    assert q.evaluate("Write your answer here.").status == NOT_ATTEMPTED
    assert q.evaluate("   ").status == NOT_ATTEMPTED
    received = q.evaluate("Privacy matters because ...")
    assert received.status == RECEIVED
    assert received.message.startswith("Thank you:") and "solution()" in received.message
    assert q.evaluate(3).status == NOT_YET
    assert q.grade("Some words.").status == RECEIVED  # never fails a test cell
    assert "A model answer." in q.solution()


def test_free_text_in_a_markdown_cell_is_received_without_argument(capsys):
    q = FreeTextExercise("q4", model_answer="A model answer.")
    assert q.check().status == RECEIVED


# ------------------------------------------------------------------------------------------
# Declarations
# ------------------------------------------------------------------------------------------


def test_misconception_needs_exactly_one_source_of_value():
    with pytest.raises(MhtrainError):
        Misconception("message")
    with pytest.raises(MhtrainError):
        Misconception("message", compute=lambda d: 1, value=1)


def test_bad_ids_are_rejected():
    with pytest.raises(MhtrainError, match="not a Python name"):
        NumberExercise("q 1", expected=lambda d: 1)
    with pytest.raises(MhtrainError, match="variable"):
        NumberExercise("q1", expected=lambda d: 1, variable="my-rate")


def test_expected_must_return_the_right_kind():
    with pytest.raises(MhtrainError, match="must return a number"):
        NumberExercise("q1", expected=lambda d: "x").evaluate(1.0, data=object())
    with pytest.raises(MhtrainError, match="Series or"):
        TableExercise("q1", expected=lambda d: 1.0).evaluate({"a": 1}, data=object())


def test_exercises_in_finds_a_modules_exercises_and_rejects_duplicate_ids():
    import types

    module = types.ModuleType("lesson_fake")
    module.q1 = NumberExercise("q1", expected=lambda d: 1)
    module.q2 = FreeTextExercise("q2", model_answer="x")
    assert list(exercises_in(module)) == ["q1", "q2"]
    module.q3 = NumberExercise("q1", expected=lambda d: 2)
    with pytest.raises(MhtrainError, match="share the id"):
        exercises_in(module)


@pytest.mark.slow
def test_in_jupyter_a_failing_grade_shows_the_kind_message_not_a_traceback(tmp_path):
    """Does a learner see one plain sentence, rather than library code, when a test fails?"""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from mhtrain.checks import ChoiceExercise\n"
            "q = ChoiceExercise('q1', options={'a': 'Yes', 'b': 'No'}, answer='a')\n"
            "result = q.check('b', data=object())"
        ),
        nbformat.v4.new_code_cell("result"),
        nbformat.v4.new_code_cell("q.hint()"),
        nbformat.v4.new_code_cell("q.grade('b', data=object())"),
    ]
    client = NotebookClient(nb, timeout=60, kernel_name="python3")
    with pytest.raises(CellExecutionError):
        client.execute(cwd=str(tmp_path))
    printed = nb.cells[0].outputs[0]["text"]
    assert printed.startswith("Not yet:")
    assert nb.cells[1].outputs == []  # the returned result is not shown a second time
    [hint] = nb.cells[2].outputs  # printed once, not echoed again as a string
    assert hint["output_type"] == "stream"
    [error] = nb.cells[3].outputs
    assert error["ename"] == "NotYetError"
    assert error["traceback"] == [printed.strip()]


def test_table_with_the_group_column_not_yet_the_index_is_understood():
    expected = pd.Series({1: 0.5, 2: 0.25}, name="rate").rename_axis("imd_decile")
    q = TableExercise("q1", expected=lambda d: expected)
    by_name = pd.DataFrame({"imd_decile": [2, 1], "rate": [0.25, 0.5]})
    assert q.evaluate(by_name, data=object()).status == CORRECT
    unnamed = pd.Series({"A": 1.0, "B": 2.0})
    q2 = TableExercise("q2", expected=lambda d: unnamed)
    text_labels = pd.DataFrame({"group": ["B", "A"], "value": [2.0, 1.0]})
    assert q2.evaluate(text_labels, data=object()).status == CORRECT


def test_hint_and_solution_text_is_printed_once_and_returned(rate_q, capsys):
    text = rate_q.hint()
    assert capsys.readouterr().out.strip() == text
    assert text._ipython_display_() is None  # not shown a second time in Jupyter
