"""Every untouched workspace notebook runs top to bottom, and shows every chart and table.

A learner who skips the coding, or runs Restart Kernel and Run All Cells before answering, must
still see the charts and tables the reading questions ask about; each exercise says "Not
attempted" in place instead of stopping the notebook.
"""

from __future__ import annotations

import ast
import os
import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from mhtrain.course.lab import prepare_workspace
from mhtrain.course.lessons import ALIAS, exercise_calls, lesson_sources
from mhtrain.data import data_dir

LESSONS = lesson_sources()
IDS = [p.stem for p in LESSONS]
# Code that draws a figure: matplotlib, seaborn or pandas plotting.
_DRAWS = re.compile(r"\bplt\.(subplots|figure|show)\(|\bsns\.(\w*plot|heatmap)\(|\.plot(\.\w+)?\(")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs") / "workspace"
    prepare_workspace(folder)
    return folder


def _shows_a_value(source: str) -> bool:
    """Whether a cell ends in a bare expression that Jupyter displays (a table, a number).

    Calls of the checks (``ex.q1.check(...)``, which print) and of ``print`` are left out:
    they print rather than display.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return False
    value = tree.body[-1].value
    if isinstance(value, ast.Call):
        name = ast.unparse(value.func)
        if name == "print" or name.startswith(f"{ALIAS}.") or name.startswith("plt."):
            return False
    return not (isinstance(source.rstrip(), str) and source.rstrip().endswith(";"))


def _kinds(cell: nbformat.NotebookNode) -> set[str]:
    kinds = set()
    for out in cell.get("outputs", []):
        kinds.add(out.output_type)
        kinds.update(out.get("data", {}))
    return kinds


@pytest.mark.slow
@pytest.mark.parametrize("lesson", IDS)
def test_untouched_workspace_notebook_runs_and_shows_its_charts_and_tables(
    lesson, workspace, monkeypatch
):
    monkeypatch.setenv("MHTRAIN_DATA_DIR", str(data_dir()))
    path = workspace / f"{lesson}.ipynb"
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(workspace)}}
    )
    try:
        client.execute()
    except CellExecutionError as exc:  # the first line names the cell's error
        pytest.fail(f"{lesson} stopped: {str(exc).strip().splitlines()[-1]}")

    missing = []
    figures = tables = checks = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        kinds = _kinds(cell)
        if _DRAWS.search(cell.source):
            figures += 1
            if "image/png" not in kinds:
                missing.append(f"cell {i + 1} draws a chart but shows none")
        elif _shows_a_value(cell.source):
            tables += 1
            if not kinds & {"execute_result", "display_data"}:
                missing.append(f"cell {i + 1} ends in a value but shows nothing")
        calls = exercise_calls(cell) or []
        if any(method == "check" for _, method in calls):
            checks += 1
            printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            # An unanswered exercise says so in place (a written answer says thank you).
            if not re.match(r"(Not attempted|Thank you|Not yet)", printed):
                missing.append(f"cell {i + 1} checks an answer but printed {printed[:80]!r}")
    assert missing == [], f"{lesson}: {missing}"
    assert figures + tables + checks > 0
    assert os.path.exists(path)  # the learner's file itself is not rewritten by the run
