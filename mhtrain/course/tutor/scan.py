"""Reading a learner's own code for things a lesson never asks for: files, programs, network,
and the checks' own insides.

The sandbox stops such code from doing harm, and the grader decides the marks outside the
learner's kernel; this scan tells the tutor it was tried, so a submission that reached outside
the lesson, or into the checks, is named in the grade table rather than passing unseen. It
reads the code (with :mod:`ast`), never runs it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from nbformat.notebooknode import NotebookNode
from nbgrader.utils import is_locked

from mhtrain import settings
from mhtrain.checks.core.feedback import ALIAS
from mhtrain.course.lessons import grade_id

PROGRAMS = "starts other programs"
NETWORK = "opens network connections"
WRITES = "writes, moves or deletes files"
COURSE_FILES = "names the course's own files"
ENVIRONMENT = "changes the environment"

_MODULES = {
    "subprocess": PROGRAMS,
    "multiprocessing": PROGRAMS,
    "pty": PROGRAMS,
    "signal": PROGRAMS,
    "socket": NETWORK,
    "urllib": NETWORK,
    "http": NETWORK,
    "requests": NETWORK,
    "ftplib": NETWORK,
    "smtplib": NETWORK,
    "shutil": WRITES,
    "sqlite3": WRITES,
}
_OS_CALLS = {
    **dict.fromkeys(
        ["system", "popen", "fork", "forkpty", "kill", "killpg", "setsid", "execv", "execvp"],
        PROGRAMS,
    ),
    **dict.fromkeys(
        ["remove", "unlink", "rmdir", "removedirs", "rename", "replace", "truncate", "chmod"],
        WRITES,
    ),
    **dict.fromkeys(["putenv", "unsetenv", "environ"], ENVIRONMENT),
}
_PATH_WRITES = {"write_text", "write_bytes", "unlink", "rmdir", "touch", "rmtree"}
_COURSE_NAMES = re.compile(
    r"gradebook|nbgrader_config|(^|/)(source|release|submitted|autograded|feedback)(/|$)"
    r"|synthetic_data|\.\./",
    re.IGNORECASE,
)


class _Finder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: set[str] = set()

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._module(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self._module(node.module or "")

    def _module(self, name: str) -> None:
        kind = _MODULES.get(name.split(".")[0])
        if kind:
            self.found.add(kind)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.value, ast.Name) and node.value.id == "os" and node.attr in _OS_CALLS:
            self.found.add(_OS_CALLS[node.attr])
        if node.attr.startswith("spawn") and isinstance(node.value, ast.Name):
            self.found.add(PROGRAMS)
        if node.attr in _PATH_WRITES:
            self.found.add(WRITES)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id == "open":
            mode = node.args[1] if len(node.args) > 1 else None
            for keyword in node.keywords:
                if keyword.arg == "mode":
                    mode = keyword.value
            if isinstance(mode, ast.Constant) and set(str(mode.value)) & set("wax+"):
                self.found.add(WRITES)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and _COURSE_NAMES.search(node.value):
            self.found.add(COURSE_FILES)


#: Attributes of the checks that no lesson asks a learner to touch.
_INSIDES = {
    "_reference",
    "_expected",
    "_answer",
    "_cache",
    "_cached",
    "_compare",
    "_judge",
    "_misconception_values",
    "_alias_names",
    "solution_text",
    "wrong_value",
    "__closure__",
    "__code__",
    "__globals__",
    "__wrapped__",
    "__defaults__",
}
#: Calls that hand over references, switch the dataset or the course mode, or read code.
_CHECK_CALLS = {
    "expected": "asks for the reference answer ({name}())",
    "use_dataset": "switches the dataset the checks use (use_dataset)",
    "set_course_mode": "changes the course mode (set_course_mode)",
    "set_solutions_visible": "switches solutions on (set_solutions_visible)",
    "getsource": "reads the checks' code (inspect.getsource)",
    "reload": "reloads a module (importlib.reload)",
}
_CHECK_MODULES = {"inspect": "reads code with inspect", "importlib": "reloads modules (importlib)"}
_MAX_LISTED = 5


def _dotted(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 40 else text[:37] + "..."


def _root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


class _ChecksFinder(ast.NodeVisitor):
    """Find code that changes or reads the checks' insides, or the course settings."""

    def __init__(self, checks_import: str) -> None:
        self.found: list[str] = []
        self.roots = {ALIAS}
        self._checks_import = checks_import

    def _add(self, text: str) -> None:
        if text not in self.found:
            self.found.append(text)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            if top == "mhtrain":
                self.roots.add(alias.asname or top)
            if top in _CHECK_MODULES:
                self._add(_CHECK_MODULES[top])
            if (alias.asname or top) == ALIAS:
                self._add(f"redefines {ALIAS}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        top = module.split(".")[0]
        if top in _CHECK_MODULES:
            self._add(_CHECK_MODULES[top])
        for alias in node.names:
            name = alias.asname or alias.name
            if top == "mhtrain":
                self.roots.add(name)
            if name == ALIAS and ast.unparse(node) != self._checks_import:
                self._add(f"redefines {ALIAS}")
            if alias.name in _CHECK_CALLS:
                self._add(_CHECK_CALLS[alias.name].format(name=alias.name))

    def _target(self, target: ast.AST) -> None:
        if isinstance(target, ast.Name) and target.id == ALIAS:
            self._add(f"redefines {ALIAS}")
        elif isinstance(target, ast.Attribute | ast.Subscript) and _root(target) in self.roots:
            self._add(f"sets {_dotted(target)}")
        elif isinstance(target, ast.Tuple | ast.List):
            for item in target.elts:
                self._target(item)

    def visit_Assign(self, node: ast.Assign | ast.Delete) -> None:
        for target in node.targets:
            self._target(target)
        self.generic_visit(node)

    visit_Delete = visit_Assign  # both hold their targets in .targets

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.ClassDef) -> None:
        if node.name == ALIAS:
            self._add(f"redefines {ALIAS}")
        self.generic_visit(node)

    visit_ClassDef = visit_FunctionDef

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in _INSIDES:
            self._add(f"reads {_dotted(node)}")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in {"setattr", "delattr"} and node.args and _root(node.args[0]) in self.roots:
            self._add(f"sets {_dotted(node.args[0])} with {name}()")
        elif name == "expected" and isinstance(func, ast.Attribute):
            if _root(func) in self.roots:
                self._add(f"asks for the reference answer ({_dotted(func)}())")
        elif name in _CHECK_CALLS and name != "expected":
            self._add(_CHECK_CALLS[name].format(name=name))
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and node.value.startswith(settings.PREFIX):
            self._add(f"names the course setting {node.value[:40]}")


def _checks_import(release: NotebookNode) -> str:
    """The released line that imports the lesson's checks as ``ex``."""
    for cell in release.cells:
        for line in cell.get("source", "").splitlines() if cell.cell_type == "code" else []:
            if line.startswith("from mhtrain.checks import lesson") and line.endswith(ALIAS):
                return line.strip()
    return ""


def reaches_into_checks(submitted: NotebookNode, release: NotebookNode) -> list[str]:
    """Return what the learner's own code does to the checks or the course settings.

    Such code (``ex.q1.grade = ...``, ``ex.q1.expected()``, ``inspect.getsource``,
    ``use_dataset(...)``, setting one of the course's environment variables, redefining
    ``ex``) changes no mark, because the grader decides the marks from the answers alone; the
    tutor is told so they can talk it over with the learner.

    Parameters
    ----------
    submitted : NotebookNode
        The learner's notebook.
    release : NotebookNode
        The notebook as released: its own cells, such as the line loading ``ex``, are fine.

    Returns
    -------
    list of str
        Short descriptions (``"sets ex.q1.grade"``), in the order found; empty if none.
    """
    finder = _ChecksFinder(_checks_import(release))
    for _, tree in _learners_code(submitted, release):
        finder.visit(tree)
    return finder.found


def checks_problem(found: list[str]) -> str:
    """The grade table's words for what :func:`reaches_into_checks` found."""
    listed = "; ".join(found[:_MAX_LISTED]) + ("; ..." if len(found) > _MAX_LISTED else "")
    return (
        f"code in the notebook reaches into the checks or course settings ({listed}); no "
        "mark changed, because marking judges the answers alone, but talk it over with the "
        "learner"
    )


def _learners_cells(submitted: NotebookNode, release: NotebookNode) -> list[NotebookNode]:
    """The code cells a learner wrote or could change: all but the released locked ones."""
    locked = {grade_id(c) for c in release.cells if grade_id(c) and is_locked(c)}
    released = {c.source.strip() for c in release.cells if c.cell_type == "code"}
    return [
        c
        for c in submitted.cells
        if c.cell_type == "code" and grade_id(c) not in locked and c.source.strip() not in released
    ]


def _learners_code(
    submitted: NotebookNode, release: NotebookNode
) -> Iterator[tuple[NotebookNode, ast.Module]]:
    """Each cell of the learner's own with its parsed code (IPython's % and ! lines left out).

    Code that cannot be parsed cannot run either, so it reaches nothing; the run reports it.
    """
    for cell in _learners_cells(submitted, release):
        lines = [ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        try:
            yield cell, ast.parse("\n".join(lines))
        except SyntaxError:
            continue


def reaches_outside(submitted: NotebookNode, release: NotebookNode) -> list[str]:
    """Return what the learner's own code reaches for outside the lesson, in plain words.

    Parameters
    ----------
    submitted, release : NotebookNode
        The learner's notebook and the released one (whose own cells are not counted).

    Returns
    -------
    list of str
        Kinds of reach (for example ``"starts other programs"``), sorted; empty if none.
    """
    finder = _Finder()
    for cell, tree in _learners_code(submitted, release):
        finder.visit(tree)
        if any(ln.lstrip().startswith("!") for ln in cell.source.splitlines()):
            finder.found.add(PROGRAMS)
    return sorted(finder.found)
