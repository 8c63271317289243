"""Plain help for typing slips, shown in the notebook before Python's own error.

A learner who types ``answer_q2 = b`` (no quote marks), ``percent = 6.6%`` or
``people = 1 234`` meets a ``NameError`` or ``SyntaxError`` before any check runs. When the
checks are imported in IPython (every lesson does ``from mhtrain.checks import lessonNN as ex``)
:func:`install_helpers` adds a sentence saying what happened and the code that works; the
error still stops the cell, so nothing is marked as done by mistake.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["install_helpers", "slip_help"]

# Marks a shell that already has the helpers, so importing twice installs them once.
_MARK = "_mhtrain_slip_help"

_PERCENT = re.compile(r"(\d[\d,_]*(?:\.\d+)?)\s*%")
_SPACED_NUMBER = re.compile(r"\b\d{1,3}(?: \d{3})+\b")
_ASSIGNMENT = re.compile(r"^\s*([A-Za-z_]\w*)\s*=")


def _name_help(name: str, line: str) -> str:
    target = _ASSIGNMENT.match(line or "")
    variable = target.group(1) if target else "answer"
    if len(name) <= 2 and name.isalpha():
        return (
            f"Python read {name} as the name of a variable, and there is none. An option "
            f'letter is text, so it needs quote marks: {variable} = "{name.lower()}"'
        )
    text = (
        f"{name} has not been made yet in this notebook. Run the cell that makes it first "
        "(or Run > Run All Cells from the top), and check the spelling: capital letters count."
    )
    if target and line.split("=", 1)[1].split("#")[0].strip() == name:
        text += f' If {name} is an answer in words, put it in quote marks: {variable} = "{name}"'
    return text


def _syntax_help(line: str) -> str:
    target = _ASSIGNMENT.match(line)
    variable = target.group(1) if target else "answer"
    percent = _PERCENT.search(line)
    if percent:
        number = percent.group(1).replace(",", "")
        return (
            "Python does not read the % sign as 'per cent'. Type the number on its own, "
            f"without % and without quote marks: {variable} = {number}"
        )
    spaced = _SPACED_NUMBER.search(line)
    if spaced:
        number = spaced.group(0).replace(" ", "")
        return f"Write a number without spaces (or commas) in it: {variable} = {number}"
    if line.rstrip().endswith("="):
        return f"Put your answer after the = sign, on the same line: {variable} = ..."
    if line.count('"') % 2 or line.count("'") % 2:
        return 'A quote mark is missing: text needs one at each end, like "b".'
    return (
        "Python could not read this line. Check that quote marks and brackets come in pairs, "
        'and that an answer in words or letters is in quote marks, like "b".'
    )


def slip_help(error: BaseException, line: str = "") -> str | None:
    """Return a plain sentence about the typing slip behind ``error``, or None.

    Parameters
    ----------
    error : BaseException
        A ``NameError`` or ``SyntaxError`` from a learner's cell.
    line : str, optional
        The line of code that raised it, if known (a ``SyntaxError`` carries its own).
    """
    if isinstance(error, SyntaxError):
        return _syntax_help(error.text or line)
    if isinstance(error, NameError) and getattr(error, "name", None):
        return _name_help(str(error.name), line)
    return None


def _failing_line(error: BaseException, tb: Any) -> str:
    import linecache

    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return ""
    return linecache.getline(tb.tb_frame.f_code.co_filename, tb.tb_lineno)


def install_helpers(shell: Any = None) -> bool:
    """Show plain help for typing slips in this IPython session (the lessons do this).

    Parameters
    ----------
    shell : IPython InteractiveShell, optional
        By default the running one; outside IPython nothing happens.

    Returns
    -------
    bool
        Whether the helpers are now installed.
    """
    if shell is None:
        ipython = sys.modules.get("IPython")  # not imported: not running in IPython
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    if getattr(shell, _MARK, False):
        return True
    original: Callable[..., Any] = shell._showtraceback

    def show_with_help(etype: type, evalue: BaseException, stb: list[str]) -> Any:
        try:
            tb = evalue.__traceback__
            help_text = slip_help(evalue, _failing_line(evalue, tb))
        except Exception:  # the help must never hide the real error
            help_text = None
        if help_text:
            if isinstance(evalue, NameError):
                stb = [f"NameError: name {getattr(evalue, 'name', '')!r} is not defined"]
            stb = [help_text, "", *stb]
        return original(etype, evalue, stb)

    shell._showtraceback = show_with_help
    setattr(shell, _MARK, True)
    return True
