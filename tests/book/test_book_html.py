"""Static checks of every built page: image text, heading order, buttons, and nothing leaked."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from book_html import (
    MARKERS,
    heading_skips,
    html_pages,
    lesson_pages,
    marked_lines,
    normalise,
    page_headings,
    read_page,
    source_code,
    text_files,
)

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]


def _lesson_sources() -> list[Path]:
    return sorted(p for p in (REPO / "notebooks").glob("[0-9][0-9]-*.*") if p.is_file())


def _code_lines_of_build(html: Path) -> dict[str, set[str]]:
    """Map each readable file of a build to its normalised code lines."""
    found: dict[str, set[str]] = {}
    for path in text_files(html):
        rel = str(path.relative_to(html))
        if path.suffix == ".html":
            found[rel] = read_page(path).code_lines
        elif path.suffix == ".ipynb":
            found[rel] = {
                normalise(line) for line in source_code(path).splitlines() if line.strip()
            }
        elif "_sources" in path.parts:
            text = path.read_text(encoding="utf-8", errors="replace")
            found[rel] = {normalise(line) for line in text.splitlines() if line.strip()}
    return found


def test_every_image_has_alternative_text(built_books: dict[str, Path]) -> None:
    missing = []
    for name, html in built_books.items():
        for page in html_pages(html):
            for img in read_page(page).images:
                if not (img.get("alt") or "").strip():
                    missing.append(f"{name}: {page.relative_to(html)}: {img.get('src')}")
    assert not missing, "images without alt text:\n" + "\n".join(missing)


def test_headings_start_at_one_title_and_never_skip_a_level(
    built_books: dict[str, Path],
) -> None:
    problems = []
    for name, html in built_books.items():
        for page in html_pages(html):
            headings = page_headings(page)
            where = f"{name}: {page.relative_to(html)}"
            if [level for level, _ in headings].count(1) != 1:
                problems.append(f"{where}: has {len(headings)} headings but not exactly one h1")
            problems += [f"{where}: {p}" for p in heading_skips(headings)]
    assert not problems, "\n".join(problems)


def _leaks(html: Path, kind: str) -> list[str]:
    """Code lines that only ``kind`` regions of a lesson source hold, found in that lesson's
    built files (its page and its downloadable notebook).

    Lessons are compared one by one: a line that is a solution in one lesson may be shown
    openly in another.
    """
    files = _code_lines_of_build(html)
    found = []
    for source in _lesson_sources():
        marked = marked_lines(source_code(source), kind)
        for rel, lines in files.items():
            if Path(rel).name.split(".")[0] == source.stem:
                found += [f"{rel}: {line}" for line in sorted(marked & lines)]
    return found


def _files_with(html: Path, markers: tuple[str, ...]) -> list[str]:
    found = []
    for path in text_files(html):
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(html)} holds '{m}'" for m in markers if m in text]
    return found


def test_no_page_contains_hidden_tests(built_books: dict[str, Path]) -> None:
    leaks = []
    for name, html in built_books.items():
        hidden_markers = tuple(m for m in MARKERS if "HIDDEN" in m)
        leaks += [f"{name}: {leak}" for leak in _files_with(html, hidden_markers)]
        leaks += [f"{name}: {leak}" for leak in _leaks(html, "HIDDEN TESTS")]
    assert not leaks, "hidden tests reached the website:\n" + "\n".join(leaks)


def test_cohort_book_contains_no_solution_code(built_books: dict[str, Path]) -> None:
    solutions = set()
    for source in _lesson_sources():
        solutions |= marked_lines(source_code(source), "SOLUTION")
    assert solutions, "the lesson sources mark no solutions, so this test would prove nothing"
    html = built_books["cohort"]
    leaks = _files_with(html, MARKERS) + _leaks(html, "SOLUTION")
    assert not leaks, "solution code reached the cohort book:\n" + "\n".join(leaks)


def test_public_book_shows_worked_answers(built_books: dict[str, Path]) -> None:
    """The check above is only meaningful if the same lines do appear in the public book."""
    assert _leaks(built_books["public"], "SOLUTION"), (
        "no worked answer of any lesson appears in the public book"
    )


def test_every_lesson_page_offers_download_binder_and_colab(built_books: dict[str, Path]) -> None:
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    repo = urlsplit(config["repository"]["url"]).path.strip("/")
    branch = config["repository"]["branch"]
    binder = f"{config['launch_buttons']['binderhub_url'].rstrip('/')}/v2/gh/{repo}/{branch}"
    colab = f"{config['launch_buttons']['colab_url'].rstrip('/')}/github/{repo}/blob/{branch}/"
    html = built_books["public"]
    pages = lesson_pages(html)
    assert pages, "the public book has no lesson pages"
    for page in pages:
        hrefs = [link.get("href") or "" for link in read_page(page).links]
        name = page.stem
        assert any(h.startswith(binder) and name in h for h in hrefs), f"{name}: no Binder link"
        assert any(h.startswith(colab) and name in h for h in hrefs), f"{name}: no Colab link"
        downloads = [h for h in hrefs if h.endswith(f"{name}.ipynb") and "_sources" in h]
        assert downloads, f"{name}: no notebook download link"
        target = (page.parent / downloads[0]).resolve()
        assert target.is_file(), f"{name}: download link points to a missing file"
        json.loads(target.read_text(encoding="utf-8"))  # a real notebook, not an error page


def test_every_lesson_that_draws_a_chart_shows_it(built_books: dict[str, Path]) -> None:
    from bs4 import BeautifulSoup

    html = built_books["public"]
    missing = []
    for source in _lesson_sources():
        # charts drawn only inside a worked answer (the capstone's) stay folded in the book
        shown = re.sub(
            r"### BEGIN SOLUTION.*?### END SOLUTION", "", source_code(source), flags=re.S
        )
        if "plt.show()" not in shown:
            continue
        page = html / "book" / "lessons" / f"{source.stem}.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        images = soup.select(".cell_output img")
        if not images:
            missing.append(source.stem)
        for img in images:
            assert (page.parent / img["src"]).resolve().is_file(), f"{source.stem}: {img['src']}"
    assert not missing, f"lessons whose charts did not reach the page: {missing}"
