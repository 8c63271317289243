"""Does the generator keep its numbers in the specs?

Every modelling number (a rate, a share, an age window, a cap) lives in ``mhtrain/specs/`` with
its source. This test reads every module of ``mhtrain/synth/`` and fails on any numeric literal
other than 0 and 1 (and so -1), unless it sits in a named, documented module-level constant:

* the statement is at module level and assigns only to names in UPPER_CASE, optionally with one
  leading underscore (``N_DECILES = 10``, ``_CONVERGED, _RECOVERY_CONVERGED = 1e-10, 1e-9``);
* the line above it is a ``#`` comment, or its first line ends with one, saying what it is, or
  it follows straight on from such a constant (a block of constants under one comment).

Named constants are for definitions (PHQ-9 caseness is 10), units (100,000 residents) and
numerical settings (rounds of a fit), never for modelling figures.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

SYNTH = Path(__file__).resolve().parents[2] / "mhtrain" / "synth"
ALLOWED = {0, 1}
CONSTANT_NAME = re.compile(r"^_?[A-Z][A-Z0-9_]*$")


def _comment_lines(source: str) -> tuple[set[int], set[int]]:
    """Lines that are only a comment, and lines that end with one."""
    alone, trailing = set(), set()
    lines = source.splitlines()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            row = tok.start[0]
            (alone if lines[row - 1].lstrip().startswith("#") else trailing).add(row)
    return alone, trailing


def _names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple):
        return [n for elt in target.elts for n in _names(elt)]
    return ["<not a name>"]


def _documented_constants(tree: ast.Module, source: str) -> set[int]:
    """Ids of the literal nodes inside named, documented module-level constants."""
    alone, trailing = _comment_lines(source)
    allowed: set[int] = set()
    block_end = -1  # last line of the documented constant just before (a block shares a comment)
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            targets = [n for t in stmt.targets for n in _names(t)]
        elif isinstance(stmt, ast.AnnAssign):
            targets = _names(stmt.target)
        else:
            continue
        named = all(CONSTANT_NAME.match(n) for n in targets)
        above = stmt.lineno - 1
        documented = above in alone or above == block_end or stmt.lineno in trailing
        if named and documented:
            allowed |= {id(node) for node in ast.walk(stmt)}
            block_end = stmt.end_lineno
    return allowed


def numbers_in_code(path: Path, *, root: Path = SYNTH.parent.parent) -> list[str]:
    """``file:line: value`` (relative to ``root``) for every literal the rule does not allow."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    allowed = _documented_constants(tree, source)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or type(node.value) not in (int, float, complex):
            continue
        if node.value in ALLOWED or id(node) in allowed:
            continue
        found.append(f"{path.relative_to(root)}:{node.lineno}: {node.value!r}")
    return sorted(found, key=lambda s: (s.split(":")[0], int(s.split(":")[1])))


MODULES = sorted(SYNTH.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_no_module_of_the_generator_types_a_number(path):
    found = numbers_in_code(path)
    assert not found, (
        "numbers typed in the generator:\n  "
        + "\n  ".join(found)
        + "\nMove a modelling number to mhtrain/specs/default.yaml (with `kind:` and `source:` "
        "or `illustrative: true` and a note) and read it with sc.p(...); or, for a definition, "
        "unit or numerical setting, make it a module-level UPPER_CASE constant with a comment "
        "on the line above saying what it is."
    )


def test_the_rule_catches_a_typed_number_and_allows_a_documented_constant(tmp_path):
    """The checker itself: it must flag what it should and allow only what it should."""
    folder = tmp_path / "mhtrain" / "synth"
    folder.mkdir(parents=True)
    module = folder / "example.py"
    module.write_text(
        "# a definition, documented\n"
        "CASENESS = 10\n"
        "\n"
        "UNDOCUMENTED = 7\n"
        "lower = 3  # documented but not a constant's name\n"
        "LIMITS = (2, 4)  # documented on its own line\n"
        "MORE = 5\n"
        "\n"
        "LATER = 6\n"
        "def f(x):\n"
        "    return x * 0.5 + 1 - 0 - 1\n",
        encoding="utf-8",
    )
    found = numbers_in_code(module, root=tmp_path)
    assert [f.split(": ")[-1] for f in found] == ["7", "3", "6", "0.5"]
    assert found[0].startswith("mhtrain/synth/example.py:4:")
