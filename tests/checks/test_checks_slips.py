"""Typing slips get plain help, with code that works, before Python's own error."""

from __future__ import annotations

import pytest

from mhtrain.checks.core.slips import slip_help


def _error(code: str) -> BaseException:
    try:
        exec(compile(code, "<cell>", "exec"), {})
    except (NameError, SyntaxError) as exc:
        return exc
    raise AssertionError(f"{code!r} raised nothing")


@pytest.mark.parametrize(
    ("code", "phrase"),
    [
        ("answer_q2 = b", 'answer_q2 = "b"'),
        ("answer_q3 = C", 'answer_q3 = "c"'),
        ("percent_missing = 6.6%", "percent_missing = 6.6"),
        ("percent = 12,5 %", "without %"),
        ("people_in_contact = 66 000", "people_in_contact = 66000"),
        ("rate = ", "after the = sign"),
        ('answer = "b', "quote mark is missing"),
        ("ratios = by_group_table", "Run the cell that makes it first"),
        ("my_question = capstone", 'my_question = "capstone"'),
    ],
)
def test_each_slip_gets_help_that_leads_to_working_code(code, phrase):
    error = _error(code)
    help_text = slip_help(error, code)
    assert help_text is not None
    assert phrase in help_text
    assert "Traceback" not in help_text


def test_an_unknown_name_used_inside_code_is_not_told_to_add_quote_marks():
    code = "print(undefined_table)"
    text = slip_help(_error(code), code)
    assert "quote marks" not in text


def test_the_suggested_code_runs():
    for code in ("answer_q2 = b", "percent_missing = 6.6%", "people_in_contact = 66 000"):
        fixed = slip_help(_error(code), code).rsplit(": ", 1)[1]
        namespace: dict = {}
        exec(fixed, namespace)  # must not raise
        assert len([k for k in namespace if not k.startswith("__")]) == 1


def test_other_errors_get_no_help():
    assert slip_help(ValueError("x")) is None


def test_in_jupyter_the_help_comes_before_the_error_and_the_cell_still_stops():
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from mhtrain.checks import lesson11 as ex"),
        nbformat.v4.new_code_cell("my_question = b"),
        nbformat.v4.new_code_cell("percent = 6.6%"),
    ]
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    [name_error] = nb.cells[1].outputs
    assert name_error["output_type"] == "error" and name_error["ename"] == "NameError"
    assert name_error["traceback"][0].endswith('my_question = "b"')
    assert len(name_error["traceback"]) == 3  # help, a blank line, one line of error
    [syntax] = nb.cells[2].outputs
    assert syntax["ename"] == "SyntaxError"
    assert syntax["traceback"][0].endswith("percent = 6.6")
