"""Run a lesson's code cells (worked answers filled in, checks left out) to get its variables."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
_CELL = re.compile(r"```\{code-cell\} ipython3\n(.*?)```", re.S)
_FRONT = re.compile(r"\A---\n.*?\n---\n", re.S)
_CHECKS = re.compile(r"^\s*ex\.\w+\.(check|grade|hint|solution|assert_answered|show_options)\(")


def _runnable(cell: str) -> str:
    body = _FRONT.sub("", cell)
    if "### BEGIN SOLUTION" in body:
        before, rest = body.split("### BEGIN SOLUTION", 1)
        solution, after = rest.split("### END SOLUTION", 1)
        kept = [line for line in before.splitlines() if "..." not in line]
        body = "\n".join([*kept, solution, after])
    lines = [line for line in body.splitlines() if not _CHECKS.match(line)]
    return "\n".join(lines)


@cache
def lesson_namespace(number: int, edit: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """The variables a learner has at the end of lesson ``number`` (run once, then cached).

    ``edit`` (optional) changes the dataset the lesson loads before any cell uses it: a test
    that needs data with a feature the shipped data may lack (an area outside the limits, a
    row that needs secondary suppression) runs the whole lesson on the edited data.
    """
    from unittest import mock

    import matplotlib

    import mhtrain

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    source = next(NOTEBOOKS.glob(f"{number:02d}-*.md")).read_text(encoding="utf-8")
    namespace: dict[str, Any] = {"display": lambda *a, **k: None, "__name__": "__lesson__"}
    load = mhtrain.load
    edited = mock.patch.object(mhtrain, "load", lambda *a, **k: edit(load(*a, **k)))
    with contextlib.redirect_stdout(io.StringIO()), edited if edit else contextlib.nullcontext():
        for cell in _CELL.findall(source):
            code = _runnable(cell)
            if not code.strip() or code.lstrip().startswith("%"):
                continue
            exec(compile(code, f"<lesson {number:02d}>", "exec"), namespace)
            plt.close("all")
    return namespace
