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
    answer_boxes,
    chart_problems,
    has_sentence,
    heading_skips,
    html_pages,
    lesson_pages,
    marked_lines,
    normalise,
    page_charts,
    page_headings,
    parsed,
    read_page,
    scaffolding,
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


def _repository() -> dict:
    return yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))["repository"]


def _launch_settings() -> dict:
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    return config["sphinx"]["config"]["mhtrain_launch_buttons"]


def _hrefs(page: Path) -> list[str]:
    return [link.get("href") or "" for link in read_page(page).links]


def test_every_lesson_page_offers_its_notebook_and_launch_links_only_with_a_repository(
    built_books: dict[str, Path],
) -> None:
    url = _repository()["url"]
    branch = _repository()["branch"]
    launch = _launch_settings()
    html = built_books["public"]
    pages = lesson_pages(html)
    assert pages, "the public book has no lesson pages"
    for page in pages:
        hrefs = _hrefs(page)
        name = page.stem
        downloads = [h for h in hrefs if h.endswith(f"{name}.ipynb") and "_sources" in h]
        assert downloads, f"{name}: no notebook download link"
        target = (page.parent / downloads[0]).resolve()
        assert target.is_file(), f"{name}: download link points to a missing file"
        json.loads(target.read_text(encoding="utf-8"))  # a real notebook, not an error page
        binder = [h for h in hrefs if h.startswith(launch["binderhub_url"].rstrip("/"))]
        colab = [h for h in hrefs if h.startswith(launch["colab_url"].rstrip("/"))]
        if not url:
            assert not binder and not colab, f"{name}: launch links with no repository set"
            continue
        repo = urlsplit(url).path.strip("/")
        assert any(f"/{repo}/{branch}" in h and name in h for h in binder), f"{name}: Binder"
        assert any(f"/{repo}/blob/{branch}/" in h and name in h for h in colab), f"{name}: Colab"


def test_no_page_links_to_an_unset_repository_or_a_guessed_account(
    built_books: dict[str, Path],
) -> None:
    url = _repository()["url"]
    launch_hosts = {urlsplit(u).netloc for u in _launch_settings().values() if "://" in u}
    problems = []
    for name, html in built_books.items():
        for page in html_pages(html):
            for href in _hrefs(page):
                parts = urlsplit(href)
                where = f"{name}: {page.relative_to(html)}: {href}"
                if "github.com/mhtrain" in href.lower():
                    problems.append(f"{where} (an account that is not this course's)")
                if not url and parts.netloc in launch_hosts:
                    problems.append(f"{where} (a launch link, but no repository is set)")
                if not url and parts.netloc and "/issues" in parts.path:
                    problems.append(f"{where} (an issues link, but no repository is set)")
        for path in text_files(html):
            if "github.com/mhtrain" in path.read_text(encoding="utf-8", errors="replace"):
                problems.append(f"{name}: {path.relative_to(html)} names github.com/mhtrain")
    assert not problems, "\n".join(problems)


def test_no_word_became_a_made_up_link(built_books: dict[str, Path]) -> None:
    """Words such as GOV.UK are not web addresses the course gives: no link was guessed."""
    found = []
    for name, html in built_books.items():
        for page in html_pages(html):
            for href in _hrefs(page):
                if re.match(r"^http://[A-Z]", href) or href.lower() == "http://gov.uk":
                    found.append(f"{name}: {page.relative_to(html)}: {href}")
    assert not found, "links made from plain words:\n" + "\n".join(found)


def test_every_page_has_a_description_a_version_a_date_and_the_licences(
    built_books: dict[str, Path],
) -> None:
    from importlib.metadata import version

    release = version("mhtrain")
    problems = []
    for name, html in built_books.items():
        for page in html_pages(html):
            where = f"{name}: {page.relative_to(html)}"
            soup = parsed(page)
            descriptions = soup.select('meta[name="description"]')
            if len(descriptions) != 1 or len(descriptions[0].get("content", "")) < 40:
                problems.append(f"{where}: needs one meta description of 40 characters or more")
            footer = soup.select_one("footer.bd-footer-content")
            text = " ".join(footer.get_text(" ").split()) if footer else ""
            if f"Version {release}." not in text:
                problems.append(f"{where}: the footer does not say 'Version {release}.'")
            if not re.search(r"Last updated on \d{1,2} [A-Z][a-z]+ \d{4}\.", text):
                problems.append(f"{where}: the footer gives no date")
            links = {a.get_text(" ", strip=True): a.get("href", "") for a in footer.select("a")}
            if links.get("CC BY 4.0") != "https://creativecommons.org/licenses/by/4.0/":
                problems.append(f"{where}: the footer does not link the CC BY 4.0 licence")
            cite = links.get("How to cite this course", "")
            if not cite or not (page.parent / cite).resolve().is_file():
                problems.append(f"{where}: the footer's citation link is missing or broken")
            scripts = [s.string for s in soup.select("script:not([src])") if s.string]
            doubles = {s for s in scripts if scripts.count(s) > 1}
            if doubles:
                problems.append(f"{where}: scripts included twice: {sorted(doubles)[:1]}")
    assert not problems, "\n".join(problems)


def test_home_page_title_is_said_once_and_next_leads_to_lesson_0(
    built_books: dict[str, Path],
) -> None:

    title = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))["title"]
    home = parsed(built_books["public"] / "book" / "intro.html")
    assert home.title.get_text() == title
    assert home.select_one('link[rel="next"]')["href"] == "lessons/00-getting-started.html"
    glossary = parsed(built_books["public"] / "book" / "glossary.html")
    assert glossary.title.get_text() == f"Glossary \u2014 {title}"


def test_every_lesson_that_draws_a_chart_shows_it(built_books: dict[str, Path]) -> None:

    html = built_books["public"]
    missing, raster = [], []
    for source in _lesson_sources():
        # charts drawn only inside a worked answer (the capstone's) stay folded in the book
        shown = re.sub(
            r"### BEGIN SOLUTION.*?### END SOLUTION", "", source_code(source), flags=re.S
        )
        expected = shown.count("show_chart(")
        if not expected:
            continue
        page = html / "book" / "lessons" / f"{source.stem}.html"
        soup = parsed(page)
        found = len(soup.select(".cell_output figure.mhtrain-chart"))
        if found < expected:
            missing.append(f"{source.stem}: {found} of {expected} charts")
        raster += [f"{source.stem}: {img.get('src')}" for img in soup.select(".cell_output img")]
    assert not missing, f"lessons whose charts did not reach the page: {missing}"
    assert not raster, f"charts shown as images rather than SVG figures: {raster}"


# --- worked answers in words, and no scaffolding (issue 12) ---------------------------------


def _lessons_with_exercises() -> list[Path]:
    return [
        p
        for p in _lesson_sources()
        if p.suffix == ".md" and (REPO / "mhtrain" / "checks" / f"lesson{p.stem[:2]}.py").is_file()
    ]


@pytest.mark.parametrize("source", _lessons_with_exercises(), ids=lambda p: p.stem)
def test_every_worked_answer_holds_a_sentence_beyond_code(
    built_books: dict[str, Path], source: Path
) -> None:
    """Can a reader who does not code check each answer of the lesson from the page alone?"""
    from mhtrain.course.lessons import read_lesson

    page = built_books["public"] / "book" / "lessons" / f"{source.stem}.html"
    boxes = answer_boxes(page)
    lesson = read_lesson(source)
    assert len(boxes) >= len(lesson.answer_cells), (
        f"{source.stem}: {len(boxes)} answer boxes for {len(lesson.answer_cells)} answer cells"
    )
    code_only = [
        f"{box.heading!r}: {box.code[:60]!r}" for box in boxes if not has_sentence(box.words)
    ]
    assert not code_only, f"{source.stem}: answers with no sentence beyond code: {code_only}"
    unfilled = [box.heading for box in boxes if "{{" in box.words or "}}" in box.words]
    assert not unfilled, f"{source.stem}: answers whose fields were not filled in: {unfilled}"


def test_answer_sentences_are_found_and_code_alone_is_not() -> None:
    """The sentence rule above would catch a box that holds code, a letter or a stub only."""
    assert has_sentence("Answer: 6.6% of residents were in contact with services in the year.")
    assert not has_sentence('answer_q2 = "b"')
    assert not has_sentence("b")
    assert not has_sentence("percent_in_contact = people_in_contact / residents * 100")
    assert not has_sentence("Show answer.")


def test_no_lesson_page_shows_exercise_scaffolding(built_books: dict[str, Path]) -> None:
    """No placeholder to fill in, no check, hint or test call, no 'run ex.q1.hint() again'."""
    found = []
    for name, html in built_books.items():
        for page in lesson_pages(html):
            found += [f"{name}: {page.stem}: {line}" for line in scaffolding(page)]
    assert not found, "exercise scaffolding on the web pages:\n" + "\n".join(found[:20])


def test_each_lesson_page_says_once_how_to_try_the_exercises(built_books: dict[str, Path]) -> None:

    with_exercises = {p.stem for p in _lessons_with_exercises()}
    problems = []
    for name, html in built_books.items():
        for page in lesson_pages(html):
            if page.stem not in with_exercises:
                continue
            soup = parsed(page)
            notes = [p for p in soup.select("article p") if "Try the exercises yourself" in p.text]
            if len(notes) != 1 or "mhtrain lab" not in notes[0].get_text():
                problems.append(f"{name}: {page.stem}: {len(notes)} notes on trying the exercises")
    assert not problems, "\n".join(problems)


def test_code_cells_are_folded_behind_show_code_with_their_output_in_view(
    built_books: dict[str, Path],
) -> None:

    unfolded = []
    for page in lesson_pages(built_books["public"]):
        soup = parsed(page)
        for cell in soup.select("article div.cell"):
            source = cell.select_one("div.cell_input")
            if source is not None and source.find_parent("details") is None:
                unfolded.append(f"{page.stem}: {' '.join(source.get_text().split())[:60]}")
    assert not unfolded, "code shown unfolded:\n" + "\n".join(unfolded[:20])


def test_every_chart_describes_itself_with_its_numbers_and_a_caption(
    built_books: dict[str, Path],
) -> None:
    """Issue 12: alt text of 12 or more words with a number the chart shows, never a file
    name, and a visible figcaption tied to the chart."""

    problems, checked = [], 0
    for page in lesson_pages(built_books["public"]):
        soup = parsed(page)
        for i, chart in enumerate(page_charts(soup), start=1):
            checked += 1
            problems += [f"{page.stem} chart {i}: {p}" for p in chart_problems(chart)]
    assert checked >= 20, f"only {checked} charts found in the lessons"
    assert not problems, "charts that do not describe themselves:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        (
            '<figure><img src="../../_images/25570eb5a1b2c3d4e5f6.png" '
            'alt="../../_images/25570eb5a1b2c3d4e5f6.png"><figcaption>x</figcaption></figure>',
            ["words", "names a file", "no number"],
        ),
        (
            '<figure data-chart-values="2.94 1"><svg role="img" aria-label="Chart of rate '
            'ratios by ethnic group compared with the White group, highest 3.7 times as high.">'
            "</svg></figure>",
            ["no number", "figcaption"],
        ),
        (
            '<figure data-chart-values="2.94 1"><svg role="img" aria-describedby="c" '
            'aria-label="Chart of rate ratios by ethnic group compared with the White group, '
            'highest 2.9 times as high."></svg><figcaption id="c">Rate ratios.</figcaption>'
            "</figure>",
            [],
        ),
    ],
    ids=["file-name-alt", "number-not-drawn-no-caption", "good"],
)
def test_chart_check_finds_what_a_bad_chart_lacks(markup: str, expected: list[str]) -> None:
    """Is the chart check able to fail? Feed it charts made bad on purpose (and a good one)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(f"<article>{markup}</article>", "html.parser")
    (chart,) = page_charts(soup)
    problems = chart_problems(chart)
    assert len(problems) == len(expected), problems
    for words, problem in zip(expected, problems, strict=True):
        assert words in problem
