"""The one tolerance rule: rounded right answers are right, and only true roundings are 'too far'."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mhtrain.checks import NumberExercise, TableExercise
from mhtrain.checks.core.tolerance import QUANTITIES, matches, too_coarse, unrounded
from mhtrain.errors import MhtrainError


@pytest.mark.parametrize(
    ("answer", "reference", "kind"),
    [
        (3.4, 3.43, "ratio"),  # lesson 3's chart title says "3.4 times"
        (3.36, 3.3595, "ratio"),
        (0.87, 0.8734, "ratio"),
        (11.8, 11.7788, "percentage"),
        (50.3, 50.25, "percentage"),
        (0.43, 0.4321, "percentage"),  # small percentages keep 2 significant figures
        (232, 231.598, "rate"),
        (231.6, 231.598, "rate"),
        (3.2, 3.24, "rate"),
        (66_000, 66_000.0, "count"),
        (31, 31.0, "days"),
        (58.0, 57.9756, "limit"),
        (0.1 + 0.2, 0.3, "proportion"),
        (np.float32(3.43), 3.4312, "ratio"),
    ],
)
def test_a_sensible_rounding_of_the_reference_is_right(answer, reference, kind):
    assert matches(answer, reference, kind)
    assert not too_coarse(answer, reference, kind)


@pytest.mark.parametrize(
    ("answer", "reference", "kind"),
    [
        (3, 3.43, "ratio"),
        (12, 11.7788, "percentage"),
        (200, 195.65, "rate"),
        (1_200, 1_234, "count"),
        (0.4, 0.4321, "percentage"),
    ],
)
def test_a_coarser_rounding_is_rounded_too_far(answer, reference, kind):
    assert not matches(answer, reference, kind)
    assert too_coarse(answer, reference, kind)


@pytest.mark.parametrize(
    ("answer", "reference", "kind"),
    [
        (3.5, 3.43, "ratio"),  # not 3.43 rounded to any number of places
        (11.7, 11.7788, "percentage"),
        (10, 11.7788, "percentage"),  # a tenth out: not blamed on rounding
        (194, 195.65, "rate"),
        (66_001, 66_000, "count"),
        (3.566, 3.5712, "ratio"),
    ],
)
def test_a_different_number_is_neither_right_nor_rounded_too_far(answer, reference, kind):
    assert not matches(answer, reference, kind)
    assert not too_coarse(answer, reference, kind)


def test_empty_cells_match_only_empty_cells():
    result = matches([np.nan, np.nan, 1.0], [np.nan, 1.0, np.nan], "ratio")
    assert result.tolist() == [True, False, False]


def test_only_an_unrounded_answer_can_tell_two_close_methods_apart():
    assert unrounded(3.5976, 3.6048, "ratio")
    assert not unrounded(3.6, 3.6048, "ratio")
    assert not unrounded(3.60, 3.6048, "ratio")


def test_a_rounded_right_answer_stays_right_when_a_wrong_method_is_as_close():
    from mhtrain.checks import Misconception

    q = NumberExercise(
        "q3",
        expected=lambda d: 3.6048,
        quantity="ratio",
        misconceptions=[Misconception("mixed methods", compute=lambda d: 3.5976, name="mixed")],
    )
    assert q.evaluate(3.6, data=object()).status == "correct"
    assert q.evaluate(3.5976, data=object()).misconception == "mixed"
    assert q.evaluate(3.6048, data=object()).status == "correct"


def test_a_table_rounded_as_the_lesson_prints_it_with_the_same_empty_cells_is_right():
    reference = pd.DataFrame(
        {"rate_ratio": [1.0, 3.3595, 1.0901], "ratio_lower": [np.nan, 2.695, 0.842]},
        index=pd.Index(["White", "Black", "Asian"], name="ethnic_group"),
    )
    q = TableExercise("q2", expected=lambda d: reference, quantity="ratio")
    assert q.evaluate(reference.round(2), data=object()).status == "correct"
    too_far = q.evaluate(reference.round(0), data=object())
    assert too_far.misconception == "rounded-too-far"


def test_every_kind_is_declared_with_both_precisions_and_advice():
    for name, kind in QUANTITIES.items():
        assert kind.name == name
        assert kind.shown.dp is not None or kind.shown.sf is not None
        assert kind.advice.endswith(".")


def test_old_tolerance_arguments_get_a_clear_error():
    with pytest.raises(MhtrainError, match='quantity="percentage"'):
        NumberExercise("q1", expected=lambda d: 1.0, rel_tol=1e-3)
    with pytest.raises(MhtrainError, match="unknown quantity"):
        NumberExercise("q1", expected=lambda d: 1.0, quantity="percent")
