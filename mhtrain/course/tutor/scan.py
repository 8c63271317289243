"""Reading a learner's own code for things a lesson never asks for: files, programs, network.

The sandbox stops such code from doing harm; this scan tells the tutor it was tried, so a
submission that reached outside the lesson is named in the grade table rather than passing
unseen. It reads the code (with :mod:`ast`), never runs it.
"""

from __future__ import annotations

import ast
import re

from nbformat.notebooknode import NotebookNode
from nbgrader.utils import is_locked

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


def _learners_cells(submitted: NotebookNode, release: NotebookNode) -> list[NotebookNode]:
    """The code cells a learner wrote or could change: all but the released locked ones."""
    locked = {grade_id(c) for c in release.cells if grade_id(c) and is_locked(c)}
    released = {c.source.strip() for c in release.cells if c.cell_type == "code"}
    return [
        c
        for c in submitted.cells
        if c.cell_type == "code" and grade_id(c) not in locked and c.source.strip() not in released
    ]


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
    for cell in _learners_cells(submitted, release):
        lines = [ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue  # code that cannot run reaches nothing; the run reports the error
        finder.visit(tree)
        if any(ln.lstrip().startswith("!") for ln in cell.source.splitlines()):
            finder.found.add(PROGRAMS)
    return sorted(finder.found)
