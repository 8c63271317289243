"""Marks decided by the grader: answers read out of a learner's kernel as plain data, then
judged in the grader's own process against the learner's verified data.

A learner's kernel runs the notebook, so anything living in it (the checks, their tolerances,
the dataset they compare with) can be changed by the learner's code. Its test cells are
therefore feedback only. After each test cell of the form ``ex.q1.grade(answer)`` has run, the
grader asks the kernel for the answer's value as plain data (JSON: numbers, text, lists,
tables), with a one-time random marker around the reply, and judges it here with
:meth:`~mhtrain.checks.Exercise.evaluate` on the dataset of the learner the grader chose.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import io
import json
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode

from mhtrain.checks.core.feedback import ALIAS
from mhtrain.checks.core.results import CORRECT, NOT_ATTEMPTED, NOT_YET, CheckResult
from mhtrain.course.lessons import grade_id, is_test
from mhtrain.errors import MhtrainError

__all__ = [
    "CORRECT_OUTCOME",
    "MANUAL",
    "NOT_ATTEMPTED_OUTCOME",
    "NOT_YET_OUTCOME",
    "NotPlainData",
    "decode",
    "exercise_marks",
    "grader_call",
    "grader_dataset",
    "judge",
    "kernel_query",
    "new_marker",
    "plain_data",
    "read_reply",
]

#: Outcomes in the marking record, one per exercise.
CORRECT_OUTCOME = "correct"
NOT_YET_OUTCOME = "not yet"
NOT_ATTEMPTED_OUTCOME = "not attempted"
MANUAL = "manual"
_OUTCOMES = {
    CORRECT: CORRECT_OUTCOME,
    NOT_YET: NOT_YET_OUTCOME,
    NOT_ATTEMPTED: NOT_ATTEMPTED_OUTCOME,
}

#: Where a test cell's verdict is kept in the marked notebook's cell metadata.
METADATA_KEY = "mhtrain"
#: The misconception name of an answer marking could not read as plain data.
NOT_PLAIN = "not-plain-data"
#: A lesson's checks module, from the lesson id ("03-comparing-groups" -> lesson03).
_LESSON_NUMBER = re.compile(r"^(\d\d)-")
_CALLS = {"grade", "assert_answered"}


def plain_data(value: Any) -> Any:
    """Return ``value`` as JSON-ready plain data, tagged with its kind; run inside the kernel.

    Only exact built-in types, NumPy values and pandas tables count: a subclass (which could
    change how it compares) or any other object becomes ``{"kind": "other"}``. This function
    is sent to the learner's kernel as source text, so it imports what it needs itself.

    Parameters
    ----------
    value : object
        A notebook variable.

    Returns
    -------
    dict
        ``{"kind": ..., ...}``, read back by :func:`decode`.
    """
    import math
    import sys

    np = sys.modules.get("numpy")
    pd = sys.modules.get("pandas")
    kind = type(value)
    if value is None or value is Ellipsis:
        return {"kind": "none" if value is None else "ellipsis"}
    if kind in (bool, int, str):
        return {"kind": "value", "value": value}
    if kind is float:
        if math.isfinite(value):
            return {"kind": "value", "value": value}
        return {"kind": "float", "value": repr(value)}
    if kind in (list, tuple):
        return {"kind": kind.__name__, "items": [plain_data(v) for v in value]}
    if kind is dict:
        return {"kind": "dict", "items": [[plain_data(k), plain_data(v)] for k, v in value.items()]}
    if np is not None and kind.__module__ == "numpy":
        if isinstance(value, np.ndarray):
            return {"kind": "array", "items": plain_data(value.tolist())}
        if isinstance(value, np.generic):
            return {"kind": "numpy", "dtype": str(value.dtype), "value": plain_data(value.item())}
    if pd is not None and kind in (pd.Series, pd.DataFrame):
        series = kind is pd.Series
        name = value.name if series else None
        if name is not None and type(name) not in (str, int):
            name = str(name)
        frame = value.to_frame(name="__value__") if series else value
        try:
            text, orient = frame.to_json(orient="table"), "table"
        except Exception:  # duplicate or unusual labels: the plainer layout
            text, orient = frame.to_json(orient="split"), "split"
        kind_name = "series" if series else "frame"
        return {"kind": kind_name, "json": text, "orient": orient, "name": name}
    return {"kind": "other", "type": getattr(kind, "__name__", "object")}


class NotPlainData:
    """An answer that was not plain data (an object of the named type)."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name


#: Stands for a variable the notebook never set.
MISSING_VARIABLE = object()


def decode(encoded: Any) -> Any:
    """Return the value :func:`plain_data` described, built in the grader's process.

    Parameters
    ----------
    encoded : dict
        What :func:`plain_data` gave (after a JSON round trip).

    Returns
    -------
    object
        The value; a :class:`NotPlainData` for anything else.
    """
    import numpy as np
    import pandas as pd

    if not isinstance(encoded, dict):
        return NotPlainData(type(encoded).__name__)
    other = _other_in(encoded)
    if other is not None:
        return NotPlainData(other)
    kind = encoded.get("kind")
    if kind == "missing":
        return MISSING_VARIABLE
    if kind in {"none", "ellipsis"}:
        return None if kind == "none" else Ellipsis
    if kind == "value" and type(encoded.get("value")) in (bool, int, str, float):
        return encoded["value"]
    if kind == "float" and encoded.get("value") in {"nan", "inf", "-inf"}:
        return float(encoded["value"])
    if kind in {"list", "tuple"}:
        items = [decode(v) for v in encoded.get("items", [])]
        return items if kind == "list" else tuple(items)
    if kind == "dict":
        return {_key(decode(k)): decode(v) for k, v in encoded.get("items", [])}
    if kind == "array":
        return np.asarray(decode(encoded.get("items")))
    if kind == "numpy":
        return np.asarray(decode(encoded.get("value")), dtype=np.dtype(str(encoded["dtype"])))[()]
    if kind in {"series", "frame"}:
        orient = "table" if encoded.get("orient") == "table" else "split"
        frame = pd.read_json(io.StringIO(str(encoded.get("json"))), orient=orient)
        if kind == "frame":
            return frame
        return frame.iloc[:, 0].rename(encoded.get("name"))
    return NotPlainData(str(encoded.get("type") or kind))


def _other_in(encoded: Any) -> str | None:
    """The type of the first value inside ``encoded`` that is not plain data, if any."""
    if isinstance(encoded, list):
        for item in encoded:
            found = _other_in(item)
            if found:
                return found
        return None
    if not isinstance(encoded, dict):
        return None
    if encoded.get("kind") == "other":
        return str(encoded.get("type") or "object")
    return _other_in(encoded.get("items")) or _other_in(encoded.get("value"))


def _key(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def reply(namespace: Mapping[str, Any], names: list[str], marker: str) -> None:
    """Print the named variables of ``namespace`` as plain data between two markers.

    Run inside the kernel (sent as source text with :func:`plain_data`).
    """
    import json

    found = {}
    for name in names:
        if name in namespace:
            try:
                found[name] = plain_data(namespace[name])
            except Exception as exc:
                found[name] = {"kind": "other", "type": type(exc).__name__}
        else:
            found[name] = {"kind": "missing"}
    print(marker + json.dumps(found) + marker)


def new_marker() -> str:
    """Return a one-time random marker, so code in the notebook cannot print a reply early."""
    return f"mhtrain-marking-{secrets.token_hex(16)}"


def kernel_query(names: list[str], marker: str) -> str:
    """Return the code the kernel runs to print the answers ``names`` between ``marker``s.

    The helper functions are defined in a namespace of their own, so the learner's variables
    are neither used nor changed.
    """
    source = "\n\n".join(
        [
            "from __future__ import annotations",
            inspect.getsource(plain_data),
            inspect.getsource(reply),
        ]
    )
    return "\n".join(
        [
            "__mhtrain_marking = {'__builtins__': __builtins__}",
            f"exec({source!r}, __mhtrain_marking)",
            f"__mhtrain_marking['reply'](globals(), {names!r}, {marker!r})",
            "del __mhtrain_marking",
        ]
    )


def read_reply(text: str, marker: str) -> dict[str, Any]:
    """Return the answers in the kernel's printed reply ``text``.

    Raises
    ------
    MhtrainError
        When the reply is missing, doubled or not JSON.
    """
    found = re.findall(re.escape(marker) + r"(.*?)" + re.escape(marker), text, flags=re.DOTALL)
    if len(found) != 1:
        raise MhtrainError("the notebook's kernel gave no readable answers")
    try:
        answers = json.loads(found[0])
    except ValueError as exc:
        raise MhtrainError("the notebook's kernel gave answers that are not plain data") from exc
    if not isinstance(answers, dict):
        raise MhtrainError("the notebook's kernel gave answers that are not plain data")
    return answers


def grader_call(cell: NotebookNode) -> tuple[str, str | None] | None:
    """Return ``(exercise id, answer variable)`` for a test cell the grader decides, else None.

    A test cell is decided by the grader when its code (hidden tests included) only calls
    ``ex.<id>.grade(...)`` and ``ex.<id>.assert_answered(...)`` for one exercise, with the
    answer's variable (or nothing) as the argument, and calls ``grade`` at least once. The
    variable is None when the call names none (the exercise declares it).
    """
    if cell.cell_type != "code" or not is_test(cell):
        return None
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return None
    ids: set[str] = set()
    variables: set[str | None] = set()
    graded = False
    for statement in tree.body:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if not isinstance(call, ast.Call) or call.keywords or len(call.args) > 1:
            return None
        method = call.func
        if not (
            isinstance(method, ast.Attribute)
            and method.attr in _CALLS
            and isinstance(method.value, ast.Attribute)
            and isinstance(method.value.value, ast.Name)
            and method.value.value.id == ALIAS
        ):
            return None
        if call.args and not isinstance(call.args[0], ast.Name):
            return None
        ids.add(method.value.attr)
        variables.add(call.args[0].id if call.args else None)
        graded = graded or method.attr == "grade"
    if not graded or len(ids) != 1 or len(variables) != 1:
        return None
    return ids.pop(), variables.pop()


def checks_module(lesson: str) -> ModuleType:
    """Return the checks module of the lesson with id ``lesson`` (``"03-comparing-groups"``)."""
    match = _LESSON_NUMBER.match(str(lesson))
    if not match:
        raise MhtrainError(f"{lesson!r} is not a lesson id like '03-comparing-groups'")
    return importlib.import_module(f"mhtrain.checks.lesson{match.group(1)}")


def exercises_of(resources: Mapping[str, Any]) -> dict[str, Any]:
    """The exercises of the lesson nbgrader is marking (from its assignment id), by id."""
    from mhtrain.checks import exercises_in

    lesson = resources.get("nbgrader", {}).get("assignment")
    try:
        return exercises_in(checks_module(str(lesson)))
    except (MhtrainError, ImportError):
        return {}


def judge(exercise: Any, encoded: Any, data: Any) -> CheckResult:
    """Judge one answer read from the kernel, in this process, against ``data``.

    Parameters
    ----------
    exercise : Exercise
        The lesson's exercise (from the grader's own copy of the checks).
    encoded : dict or None
        The answer as :func:`plain_data` gave it; None when it could not be read.
    data : Dataset
        The learner's verified dataset.
    """
    from mhtrain.checks.core.base import MISSING

    if encoded is None:
        return exercise.unreadable(None)
    value = decode(encoded)
    if isinstance(value, NotPlainData):
        return exercise.unreadable(value.type_name)
    return exercise.evaluate(MISSING if value is MISSING_VARIABLE else value, data=data)


def verdict_outputs(result: CheckResult) -> list[NotebookNode]:
    """The outputs a test cell gets for the grader's verdict: the message, as an error if
    the answer is not correct (so nbgrader gives the cell no points)."""
    if result.status == CORRECT:
        return [nbformat.v4.new_output("stream", name="stdout", text=result.message + "\n")]
    lines = result.message.splitlines()
    return [
        nbformat.v4.new_output(
            "error", ename="NotYetError", evalue=result.message, traceback=lines or [""]
        )
    ]


def outcome_of(result: CheckResult) -> str:
    """The marking record's outcome for a check result."""
    return _OUTCOMES.get(result.status, NOT_YET_OUTCOME)


def exercise_of(gid: str) -> str:
    """The exercise an nbgrader cell id belongs to: ``"q1-test"`` -> ``"q1"``."""
    return gid.split("-", 1)[0]


def exercise_marks(marked: NotebookNode) -> dict[str, dict[str, Any]]:
    """Each exercise's outcome, misconception and points in a marked notebook.

    Test cells the grader decided carry their verdict in their metadata; other graded code
    cells are read as nbgrader reads them (an error output scores 0); written answers are
    ``"manual"`` with no score until a tutor marks them, or ``"not attempted"`` (0) when
    left as released.

    Parameters
    ----------
    marked : NotebookNode
        The notebook in ``autograded/`` (or as the autograde step left it).

    Returns
    -------
    dict of str to dict
        ``{"q1": {"outcome", "misconception", "score", "max_score"}}``, in notebook order.
    """
    found: dict[str, dict[str, Any]] = {}
    for cell in marked.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        gid = grade_id(cell)
        if not gid or not meta.get("grade"):
            continue
        points = float(meta.get("points") or 0)
        verdict = cell.get("metadata", {}).get(METADATA_KEY, {})
        if cell.cell_type != "code" or meta.get("solution"):
            from mhtrain.course.nbgrader.config import TEXT_STUB

            blank = cell.source.strip() in {"", TEXT_STUB}
            entry = {
                "outcome": NOT_ATTEMPTED_OUTCOME if blank else MANUAL,
                "misconception": None,
                "score": 0.0 if blank else None,
            }
        elif verdict.get("outcome"):
            right = verdict["outcome"] == CORRECT_OUTCOME
            entry = {
                "outcome": verdict["outcome"],
                "misconception": verdict.get("misconception"),
                "score": points if right else 0.0,
            }
        else:
            failed = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
            entry = {
                "outcome": NOT_YET_OUTCOME if failed else CORRECT_OUTCOME,
                "misconception": None,
                "score": 0.0 if failed else points,
            }
        entry["max_score"] = points
        name = exercise_of(gid)
        if name in found:  # an exercise with several graded cells: add them up
            entry = _combined(found[name], entry)
        found[name] = entry
    return found


def _combined(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    order = [NOT_ATTEMPTED_OUTCOME, NOT_YET_OUTCOME, MANUAL, CORRECT_OUTCOME]
    worse = min(first, second, key=lambda e: order.index(e["outcome"]))
    scores = [e["score"] for e in (first, second)]
    return {
        "outcome": worse["outcome"],
        "misconception": first["misconception"] or second["misconception"],
        "score": None if None in scores else sum(scores),
        "max_score": first["max_score"] + second["max_score"],
    }


def read_exercise_marks(path: Path) -> dict[str, dict[str, Any]]:
    """:func:`exercise_marks` of the marked notebook at ``path`` (empty if it is missing)."""
    if not path.is_file():
        return {}
    return exercise_marks(nbformat.read(path, as_version=4))


_DATASETS: dict[tuple[str, str | None, str], Any] = {}


def grader_dataset(folder: Path, *, student: str | None, course: str) -> Any:
    """The dataset the grader judges a learner's answers against, loaded in its own process.

    It never looks at the kernel's environment: without per-student data it is the course's
    data copy (checked against its manifest before marking, and read-only to every kernel);
    with per-student data it is the dataset of the nbgrader student being marked.

    Parameters
    ----------
    folder : Path
        The course's data copy (``synthetic_data/`` in the course folder).
    student : str or None
        With per-student data, the student being marked.
    course : str
        The course id (part of each student's seed).
    """
    from mhtrain.data import load, read_dir, seed_for_student

    key = (str(folder), student, course)
    if key not in _DATASETS:
        if student:
            _DATASETS[key] = load(seed_for_student(student, course=course))
        elif (folder / "manifest.json").is_file():
            _DATASETS[key] = read_dir(folder)
        else:
            raise MhtrainError(
                f"the course has no data copy in {folder}; run `mhtrain course init` on it"
            )
    return _DATASETS[key]
