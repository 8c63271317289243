"""Helpers for reading built book pages and lesson sources in the website tests."""

from __future__ import annotations

import functools
import json
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

# Folders of a Sphinx HTML build that hold assets, not pages.
_ASSET_DIRS = {"_static", "_sources", "_images", "_sphinx_design_static"}
_REGION = re.compile(r"^\s*#+\s*(BEGIN|END)\s+(SOLUTION|HIDDEN TESTS)\s*$")
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


@functools.cache
def _parsed(path: str, mtime_ns: int) -> Any:
    from bs4 import BeautifulSoup

    return BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")


def parsed(path: Path) -> Any:
    """A built page parsed by BeautifulSoup, once per version of the file, for reading only.

    Many tests read every page; parsing each once saves most of their time. Never change the
    tree this returns (parse a copy of your own for that): the next test reads the same one.
    """
    path = Path(path)
    return _parsed(str(path), path.stat().st_mtime_ns)


def normalise(line: str) -> str:
    """Collapse runs of white space so that code lines compare the same however indented."""
    return " ".join(line.split())


def html_pages(folder: Path) -> list[Path]:
    """Every HTML page of a build (not theme templates or redirects)."""
    pages = []
    for path in sorted(Path(folder).rglob("*.html")):
        if _ASSET_DIRS & set(path.relative_to(folder).parts):
            continue
        if 'http-equiv="refresh"' in path.read_text(encoding="utf-8")[:2000].lower():
            continue
        pages.append(path)
    return pages


def lesson_pages(folder: Path) -> list[Path]:
    """The built lesson pages, in book order."""
    return sorted((Path(folder) / "book" / "lessons").glob("*.html"))


def text_files(folder: Path) -> list[Path]:
    """Every file of a build that a reader could open as text (pages, sources, scripts)."""
    suffixes = {".html", ".ipynb", ".md", ".txt", ".js", ".json", ".py"}
    return sorted(p for p in Path(folder).rglob("*") if p.is_file() and p.suffix in suffixes)


@dataclass
class PageFacts:
    """What the tests need to know about one HTML page."""

    images: list[dict[str, str | None]] = field(default_factory=list)
    article_headings: list[tuple[int, str]] = field(default_factory=list)
    main_headings: list[tuple[int, str]] = field(default_factory=list)
    code_lines: set[str] = field(default_factory=set)
    links: list[dict[str, str | None]] = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.facts = PageFacts()
        self._article_depth = 0  # >0 while inside <article class="bd-article">
        self._main_depth = 0  # >0 while inside <main>
        self._stack: list[str] = []
        self._heading: list[object] | None = None
        self._pre_depth = 0
        self._pre_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        classes = (attr.get("class") or "").split()
        if tag == "img":
            self.facts.images.append(attr)
        elif tag == "a":
            self.facts.links.append(attr)
        if tag in ("img", "br", "hr", "meta", "link", "input", "source", "wbr", "col"):
            return
        self._stack.append(tag)
        if tag == "article" and "bd-article" in classes:
            self._article_depth = len(self._stack)
        if tag == "main":
            self._main_depth = len(self._stack)
        if self._main_depth and re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), [], bool(self._article_depth)]
        if tag == "pre":
            self._pre_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre" and self._pre_depth:
            self._pre_depth -= 1
            if not self._pre_depth:
                lines = "".join(self._pre_text).splitlines()
                self.facts.code_lines.update(normalise(x) for x in lines if x.strip())
                self._pre_text = []
        if self._heading is not None and tag == f"h{self._heading[0]}":
            level, parts, in_article = self._heading
            text = normalise("".join(parts)).rstrip("#").strip()
            self.facts.main_headings.append((level, text))
            if in_article:
                self.facts.article_headings.append((level, text))
            self._heading = None
        if tag in self._stack:
            while self._stack:
                if self._stack.pop() == tag:
                    break
            if self._article_depth and len(self._stack) < self._article_depth:
                self._article_depth = 0
            if self._main_depth and len(self._stack) < self._main_depth:
                self._main_depth = 0

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading[1].append(data)
        if self._pre_depth:
            self._pre_text.append(data)


def read_page(path: Path) -> PageFacts:
    """Parse one HTML page with the standard library's parser."""
    parser = _PageParser()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    parser.close()
    return parser.facts


def page_headings(path: Path) -> list[tuple[int, str]]:
    """The headings of a page's content: its article, or its main area if it has no article."""
    facts = read_page(path)
    return facts.article_headings or facts.main_headings


def heading_skips(headings: Iterable[tuple[int, str]]) -> list[str]:
    """Describe every place where a heading level jumps down by more than one."""
    problems, previous = [], 0
    for level, text in headings:
        if level > previous + 1:
            problems.append(f"h{level} '{text}' follows h{previous or '-'}")
        previous = level
    return problems


def source_code(path: Path) -> str:
    """The code of a lesson source (a MyST/jupytext Markdown file or a notebook) as text."""
    path = Path(path)
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        return "\n".join(
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in cells
            if c.get("cell_type") == "code"
        )
    return path.read_text(encoding="utf-8")


def marked_lines(text: str, kind: str) -> set[str]:
    """Lines inside ``BEGIN kind`` / ``END kind`` regions that appear nowhere else in ``text``.

    Parameters
    ----------
    text
        A lesson source.
    kind
        ``"SOLUTION"`` or ``"HIDDEN TESTS"``.

    Returns
    -------
    set of str
        Normalised lines (at least six characters) that only the marked regions contain.
    """
    inside, outside, current = set(), set(), None
    for raw in text.splitlines():
        match = _REGION.match(raw)
        if match:
            current = match.group(2) if match.group(1) == "BEGIN" else None
            continue
        line = normalise(raw)
        if not line:
            continue
        (inside if current == kind else outside).add(line)
    return {line for line in inside - outside if len(line) >= 6}


def image_density(path: Path) -> float | None:
    """Pixels per inch of a chart image file: its PNG's recorded density, or 96 for SVG.

    A browser draws an SVG at 96 CSS pixels to the inch, so its text is as large as its font
    size in points times 96 / 72. A PNG's text is its font size times the density it was saved
    at (matplotlib records it in the ``pHYs`` chunk) divided by 72, in the image's own pixels.

    Returns
    -------
    float or None
        ``None`` for a PNG that records no density in inches, or any other kind of file.
    """
    path = Path(path)
    if path.suffix.lower() == ".svg":
        return 96.0
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"pHYs":
            per_metre, _, unit = struct.unpack(">IIB", data[pos + 8 : pos + 17])
            return per_metre * 0.0254 if unit == 1 else None
        if kind == b"IDAT":
            return None  # pHYs must come before the image data
        pos += 12 + length
    return None


# --------------------------------------------------------------------------------------------
# Worked answers and exercise scaffolding on lesson pages (issue 12)

#: A call of an exercise's method, as in a check, hint or test cell.
EXERCISE_CALL = re.compile(r"\bex\.\w+\.(check|hint|solution|grade|assert_answered)\(")
#: A placeholder line a learner replaces: ``rate = ...  # replace ... with your answer``.
PLACEHOLDER = re.compile(r"=\s*\.\.\.\s*#\s*replace")
#: Words a "Show answer" box puts between its words and its code.
CODE_LABEL = "The code that works it out:"
_WORD = re.compile(r"[A-Za-z]{2,}")


@dataclass
class AnswerBox:
    """One folded worked answer of a lesson page."""

    title: str
    heading: str
    words: str
    code: str


def answer_boxes(path: Path) -> list[AnswerBox]:
    """The "Show answer" and "Show model answer" boxes of a page, with the words (everything
    but the title, the code blocks and the label before the code) apart from the code."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")
    boxes = []
    for box in soup.select("article .admonition.dropdown"):
        title = box.select_one(".admonition-title")
        if title is None or not re.match(
            r"show (model )?answer", title.get_text(" ", strip=True), re.I
        ):
            continue
        title_text = " ".join(title.get_text(" ").split())
        heading = box.find_previous(re.compile(r"^h[2-4]$"))
        code = " ".join(block.get_text() for block in box.select("div.highlight, pre"))
        for element in [title, *box.select("div[class*='highlight'], pre")]:
            element.decompose()
        words = " ".join(box.get_text(" ").split()).replace(CODE_LABEL, "").strip()
        boxes.append(
            AnswerBox(
                title=title_text,
                heading=" ".join(heading.get_text(" ").split()).rstrip("#").strip()
                if heading
                else "",
                words=words,
                code=code,
            )
        )
    return boxes


def has_sentence(text: str, *, words: int = 6) -> bool:
    """Whether ``text`` holds a sentence: at least ``words`` words, ending in a full stop."""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if sentence.rstrip().endswith((".", "!", "?")) and len(_WORD.findall(sentence)) >= words:
            return True
    return False


def scaffolding(path: Path) -> list[str]:
    """Text of a lesson page's code cells (input or output) that is exercise scaffolding: a
    call of an exercise's check, hint or test, or a placeholder line."""
    soup = parsed(path)
    found = []
    for cell in soup.select("article div.cell"):
        text = cell.get_text("\n")
        for line in text.splitlines():
            if EXERCISE_CALL.search(line) or PLACEHOLDER.search(line):
                found.append(" ".join(line.split()))
    return found


# --- charts ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.,])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.,])-?\d+(?:\.\d+)?")
_FILE_NAME = re.compile(r"\.(png|svg|jpe?g|gif|webp|pdf)\b|_images/|[0-9a-f]{16,}", re.I)
MIN_ALT_WORDS = 12
"""Fewest words a chart's alt text may have (issue 12)."""


@dataclass
class ChartFacts:
    """One chart of a built page: its alternative text, caption and the numbers it draws."""

    alt: str
    caption: str
    tied: bool
    numbers: list[float]


def _numbers(text: str) -> list[tuple[float, int]]:
    """Numbers written in a text, each with its count of decimal places."""
    found = []
    for match in _NUMBER.finditer(text.replace("\u2212", "-")):
        token = match.group().replace(",", "")
        found.append((float(token), len(token.split(".")[1]) if "." in token else 0))
    return found


def page_charts(soup: Any) -> list[ChartFacts]:
    """Every chart (an ``svg`` or ``img`` inside a ``figure``) of a parsed page.

    A chart's numbers are those it draws (the ``data-chart-values`` of its figure) and those
    written in its own text (tick labels, bar labels); its caption is tied to it when the
    chart's ``aria-describedby`` names a ``figcaption`` of the same figure, or the figure has
    exactly one figcaption (a figure's caption names it).
    """
    charts = []
    for figure in soup.select("article figure"):
        for chart in figure.select("svg[role=img], img"):
            alt = chart.get("aria-label") if chart.name == "svg" else chart.get("alt")
            captions = figure.find_all("figcaption")
            described = chart.get("aria-describedby")
            tied = bool(captions) and (
                any(c.get("id") == described for c in captions) or len(captions) == 1
            )
            drawn = [float(v) for v in (figure.get("data-chart-values") or "").split()]
            written = [value for t in chart.find_all("text") for value, _ in _numbers(t.text)]
            charts.append(
                ChartFacts(
                    alt=" ".join((alt or "").split()),
                    caption=" ".join(captions[0].get_text().split()) if captions else "",
                    tied=tied,
                    numbers=drawn + written,
                )
            )
    return charts


def chart_problems(chart: ChartFacts) -> list[str]:
    """What is wrong with a chart's text alternative and caption (empty when nothing is)."""
    problems = []
    if len(chart.alt.split()) < MIN_ALT_WORDS:
        problems.append(f"alt text has {len(chart.alt.split())} words: {chart.alt[:60]!r}")
    if _FILE_NAME.search(chart.alt):
        problems.append(f"alt text names a file: {chart.alt[:60]!r}")
    said = _numbers(chart.alt)
    if not any(
        abs(value - number) <= 0.5 * 10**-places + 1e-9
        for number, places in said
        for value in chart.numbers
    ):
        problems.append(f"alt text gives no number the chart shows: {chart.alt[:80]!r}")
    if not chart.caption or not chart.tied:
        problems.append("no visible figcaption tied to the chart")
    return problems
