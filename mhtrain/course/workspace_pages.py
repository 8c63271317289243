"""The book pages a learner's workspace carries, so every link in a lesson works offline.

Lessons link to book pages as ``../glossary.md`` (relative to ``book/lessons/``). A workspace
made by ``mhtrain lab`` has no ``book/`` folder, so the self-paced build points those links
at ``pages/glossary.md`` and the workspace gets a plain-Markdown copy of each page: JupyterLab
shows Markdown, not the book's MyST roles and directives, so those are turned into their plain
meaning here (a ``{glossary}`` block becomes one heading per term, ``{term}`` and ``{doc}``
roles become links, other roles their words, ``{include}`` is inlined).
"""

from __future__ import annotations

import re
import tempfile
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path

from nbformat.notebooknode import NotebookNode

from mhtrain.data import REPO_ROOT
from mhtrain.errors import MhtrainError

__all__ = [
    "PAGES_DIR",
    "book_links",
    "book_page_sources",
    "plain_markdown",
    "point_links_at_pages",
    "workspace_pages",
]

#: The workspace folder that holds the copies of the book pages.
PAGES_DIR = "pages"

# A Markdown link from a lesson to a book page: ``](../glossary.md)`` or ``](../x.md#part)``.
_BOOK_LINK = re.compile(
    r"\[(?P<words>[^\]]*)\]\(\.\./(?P<page>[a-z0-9][a-z0-9-]*\.md)(?P<anchor>#[^)\s]*)?\)"
)
# Any other MyST role, ``{term}`words <target>```, ``{ref}`...```: its words are kept.
_ROLE = re.compile(r"\{[a-z][a-z:-]*\}`(?P<body>[^`]+)`")
_DOC = re.compile(r"\{doc\}`(?P<body>[^`]+)`")
_LABELLED = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^>]+)>$", re.S)
_FENCE = re.compile(
    r"^```\{(?P<name>[a-z-]+)\}[ \t]*(?P<arg>[^\n]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S
)
# A MyST target line, ``(source-x)=``: the book's cross-reference labels.
_TARGET = re.compile(r"^\([A-Za-z0-9_-]+\)=[ \t]*\n", re.M)
_OPTION = re.compile(r"^:[a-z-]+:.*$", re.M)


def book_links(nb: NotebookNode) -> list[str]:
    """Return the book pages (``glossary.md``, ...) that a lesson's Markdown links to."""
    found: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for match in _BOOK_LINK.finditer(cell.source):
                if match.group("page") not in found:
                    found.append(match.group("page"))
    return found


def point_links_at_pages(nb: NotebookNode, available: Iterable[str]) -> NotebookNode:
    """Point a lesson's links to book pages at the workspace copies, in place.

    A link to a page in ``available`` becomes ``pages/<page>``; a link to any other page
    keeps its words and loses the link, so the workspace never holds a broken link.
    """
    available = set(available)

    def repoint(match: re.Match[str]) -> str:
        words, page, anchor = match.group("words", "page", "anchor")
        if page in available:
            return f"[{words}]({PAGES_DIR}/{page}{anchor or ''})"
        return words

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _BOOK_LINK.sub(repoint, cell.source)
    return nb


def _label(body: str) -> tuple[str, str]:
    match = _LABELLED.match(body.strip())
    if match:
        return match.group("text"), match.group("target")
    return body.strip(), body.strip()


def _glossary(body: str) -> str:
    """Turn the body of a ``{glossary}`` block into one level-two heading per term."""
    body = _OPTION.sub("", body)
    entries: list[str] = []
    term: str | None = None
    lines: list[str] = []

    def flush() -> None:
        if term is not None:
            text = textwrap.dedent("\n".join(lines)).strip()
            entries.append(f"## {term}\n\n{text}\n")

    for line in body.split("\n"):
        if line.strip() and not line.startswith((" ", "\t")):
            flush()
            term, lines = line.strip(), []
        elif term is not None:
            lines.append(line)
    flush()
    return "\n".join(entries)


def plain_markdown(text: str, *, pages: Iterable[str], read: Callable[[str], str]) -> str:
    """Return a MyST book page as plain Markdown that JupyterLab shows properly.

    Parameters
    ----------
    text : str
        The page's MyST text.
    pages : iterable of str
        The pages shipped beside it (``{doc}`` roles to these become links).
    read : callable
        Returns the text of a file an ``{include}`` names, relative to ``book/``.
    """
    pages = set(pages)

    def directive(match: re.Match[str]) -> str:
        name, arg, body = match.group("name"), match.group("arg").strip(), match.group("body")
        if name == "glossary":
            return _glossary(body)
        if name == "include":
            return read(arg).rstrip("\n")
        body = _OPTION.sub("", body).strip("\n")
        heading = arg or name.capitalize()
        return "\n".join(
            f"> {line}".rstrip() for line in [f"**{heading}.**", "", *body.split("\n")]
        )

    def doc(match: re.Match[str]) -> str:
        words, target = _label(match.group("body"))
        page = f"{Path(target).name}.md"
        if page in pages:
            return f"[{words if words != target else _title(read(page), page)}]({page})"
        return words

    text = _FENCE.sub(directive, text)
    text = _TARGET.sub("", text)
    text = _DOC.sub(doc, text)
    text = _ROLE.sub(lambda m: _label(m.group("body"))[0], text)
    text = _BOOK_LINK.sub(
        lambda m: f"[{m.group('words')}]({m.group('page')}{m.group('anchor') or ''})", text
    )
    return text.rstrip("\n") + "\n"


def _title(text: str, fallback: str) -> str:
    for line in text.split("\n"):
        if line.startswith("# "):
            return line[2:].strip()
    return fallback


def book_page_sources(book_dir: Path | None = None) -> Callable[[str], str | None]:
    """Return a function giving the MyST text of a book page (or include) by name, or None.

    Pages written by hand are read from ``book/``; the generated ones (the references, the
    data dictionary, the planted effects) are made the way the book build makes them.
    """
    from mhtrain.course import bookpages

    folder = Path(book_dir) if book_dir is not None else REPO_ROOT / bookpages.BOOK_DIR
    made: dict[str, str] = {}
    writers = {
        bookpages.REFERENCES_PAGE: bookpages.write_references,
        bookpages.DICTIONARY_PAGE: bookpages.write_data_dictionary,
        f"{bookpages.GENERATED_DIR}/{bookpages.PLANTED_PAGE}": bookpages.write_planted_effects,
    }

    def source(name: str) -> str | None:
        if name in writers:
            if name not in made:
                with tempfile.TemporaryDirectory() as tmp:
                    made[name] = writers[name](Path(tmp)).read_text(encoding="utf-8")
            return made[name]
        path = folder / name
        return path.read_text(encoding="utf-8") if path.is_file() else None

    return source


def workspace_pages(
    wanted: Iterable[str], *, source: Callable[[str], str | None] | None = None
) -> dict[str, str]:
    """Return the plain-Markdown copy of each wanted book page that can be found, by name.

    Parameters
    ----------
    wanted : iterable of str
        Page names, ``glossary.md``.
    source : callable, optional
        Gives a page's MyST text by name (see :func:`book_page_sources`).
    """
    source = source or book_page_sources()
    found = {name: text for name in dict.fromkeys(wanted) if (text := source(name)) is not None}

    def read(name: str) -> str:
        text = source(name)
        if text is None:
            raise MhtrainError(
                f"the book page {name} is missing; it is named by an include in the book pages"
            )
        return text

    return {name: plain_markdown(text, pages=found, read=read) for name, text in found.items()}
