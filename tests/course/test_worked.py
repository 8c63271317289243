"""The worked-answer renderer: templates filled in from a lesson's namespace, or a clear error."""

from __future__ import annotations

import pandas as pd
import pytest

from mhtrain.course.worked import fields, glue_key, render
from mhtrain.errors import MhtrainError

NAMESPACE = {
    "ratio": 3.456,
    "residents": 1234567,
    "share": 0.1234,
    "group": "Black or Black British",
    "rates": pd.Series({"Asian": 80.25, "White": 60.0}),
    "answer_q2": "b",
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ ratio:.1f }} times", "3.5 times"),
        ("{{ residents:, }} residents", "1,234,567 residents"),
        ("{{residents:,}}", "1,234,567"),
        ("{{ share:.1% }}", "12.3%"),
        ("the {{ group }} group", "the Black or Black British group"),
        ("{{ rates.idxmax() }} at {{ rates.max():.0f }}", "Asian at 80"),
        ('{{ rates["White"]:.1f }}', "60.0"),
        ("{{ round(ratio, 2) }}", "3.46"),
        ("option {{ answer_q2.upper() }}", "option B"),
        ("{{ group!r }}", "'Black or Black British'"),
        ("{{ ratio:>6.2f }}", "  3.46"),
        ("No field at all: b is right.", "No field at all: b is right."),
        (
            "**Answer:** {{ ratio:.2f }}\n\nand {{ residents:, }}",
            "**Answer:** 3.46\n\nand 1,234,567",
        ),
    ],
)
def test_fields_are_filled_in_as_f_string_fields(template, expected):
    assert render(template, NAMESPACE) == expected


def test_a_field_may_span_lines_and_comprehensions_see_the_namespace():
    template = "{{ ', '.join(\n  f'{k}' for k in rates.index) }}"
    with pytest.raises(MhtrainError, match="nests braces"):
        render(template, NAMESPACE, exercise="q1")
    assert render("{{ ', '.join(k for k in rates.index\n) }}", NAMESPACE) == "Asian, White"


def test_rendering_does_not_change_the_namespace():
    names = dict(NAMESPACE)
    render("{{ ratio }}", names)
    assert names == NAMESPACE and "__builtins__" not in names


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ detention_rate:.1f }}", r"q4: \{\{ detention_rate:.1f \}\} uses a name.*not defined"),
        ("{{ ratio:,z }}", r"q4: \{\{ ratio:,z \}\} could not be filled in \(ValueError"),
        ("{{ ratio + }}", r"q4: \{\{ ratio \+ \}\} is not a valid expression"),
        ('{{ f"{residents:,}" }}', r"nests braces.*\{\{ n:, \}\}"),
        ("{{ }}", "empty field"),
        ("{{ ratio:.1f } times", "without its partner"),
        ("ratio }} times", "without its partner"),
        ("{{ rates['Mixed'] }}", r"could not be filled in \(KeyError"),
        ("{{ residents / 0 }}", "ZeroDivisionError"),
    ],
)
def test_a_broken_field_names_the_exercise_and_the_field(template, message):
    with pytest.raises(MhtrainError, match=message) as caught:
        render(template, NAMESPACE, exercise="q4")
    assert "worked answer for q4" in str(caught.value)
    assert "\n" not in str(caught.value)  # one line


def test_fields_and_glue_keys():
    assert fields("a {{ x:.1f }} b {{y}} c") == ["x:.1f", "y"]
    assert fields("no fields") == []
    assert glue_key("q1b") == "mhtrain-worked-q1b"
