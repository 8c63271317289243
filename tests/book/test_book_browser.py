"""The built website in headless Chromium: what renders, what folds, and what axe-core finds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from book_browser import goto, new_page, screenshot
from book_html import html_pages, lesson_pages, read_page
from bs4 import BeautifulSoup
from conftest import SCREENSHOTS

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("book")]

# The first folded worked answer on the page (a sphinx-togglebutton dropdown admonition).
_ANSWER_JS = """(() => {
  const all = [...document.querySelectorAll('.admonition.dropdown')];
  const title = el => el.querySelector('.admonition-title')?.textContent || '';
  const box = all.find(el => /show (model )?answer/i.test(title(el)));
  if (!box) return null;
  box.id = box.id || 'first-answer';
  return box.id;
})()"""


def _url(sites: dict[str, str], html: Path, page: Path, build: str = "public") -> str:
    return sites[build] + page.relative_to(html).as_posix()


def _first_lesson_with(html: Path, selector: str) -> Path | None:
    """The first lesson page holding an element that matches a CSS selector."""
    for page in lesson_pages(html):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        if soup.select_one(selector) is not None:
            return page
    return None


def test_home_page_shows_the_course_title_and_the_way_in(browser, sites, built_books) -> None:
    html = built_books["public"]
    page = new_page(browser)
    goto(page, sites["public"] + "book/intro.html")
    title = page.evaluate("document.querySelector('article h1').textContent")
    assert "inequalities in mental health care" in title
    assert page.locator("nav.bd-docs-nav").is_visible()
    assert page.locator("article .admonition").first.is_visible()  # "data are synthetic"
    nav = page.evaluate(
        "[...document.querySelectorAll('nav.bd-docs-nav a')].map(a => a.textContent.trim())"
    )
    assert "Glossary" in nav and "About the synthetic data" in nav
    for lesson in lesson_pages(html):
        lesson_title = read_page(lesson).article_headings[0][1]
        assert lesson_title in nav, f"the menu does not list {lesson_title!r}"
    screenshot(page, SCREENSHOTS / "home.png")
    # a narrow screen still shows the title and hides the sidebar behind a button
    narrow = new_page(browser, phone=True)
    goto(narrow, sites["public"] + "book/intro.html")
    assert narrow.locator("article h1").is_visible()
    assert not narrow.locator("nav.bd-docs-nav").is_visible()
    screenshot(narrow, SCREENSHOTS / "home-narrow.png", full_page=False)


def test_lesson_figure_is_shown_with_alternative_text(browser, sites, built_books) -> None:
    html = built_books["public"]
    lesson = _first_lesson_with(html, ".cell_output img")
    if lesson is None:
        pytest.skip("no lesson in notebooks/ draws a figure yet")
    page = new_page(browser)
    goto(page, _url(sites, html, lesson))
    assert page.locator("article h1").is_visible()
    assert page.locator(".cell_output img").first.is_visible(), "the lesson's figure is not shown"
    size = page.evaluate(
        "(() => { const i = document.querySelector('.cell_output img');"
        " return [i.complete, i.naturalWidth]; })()"
    )
    assert size[0] and size[1] > 0, "the figure's image file did not load"
    alt = page.evaluate("document.querySelector('.cell_output img').getAttribute('alt')")
    assert alt and alt.strip()
    page.locator(".cell_output img").first.scroll_into_view_if_needed()
    screenshot(page, SCREENSHOTS / f"{lesson.stem}-figure.png", full_page=False)


def test_lesson_page_folds_the_worked_answer_until_clicked(browser, sites, built_books) -> None:
    html = built_books["public"]
    lesson = _first_lesson_with(html, ".admonition.dropdown")
    assert lesson is not None, "no lesson page has a folded worked answer"
    page = new_page(browser)
    goto(page, _url(sites, html, lesson))
    assert page.locator("article h1").is_visible()
    screenshot(page, SCREENSHOTS / f"{lesson.stem}.png")

    box = page.evaluate(_ANSWER_JS)
    assert box, "no 'Show answer' control on the page"
    body = f"#{box} > :not(.admonition-title)"
    button = f"#{box} .admonition-title button"
    assert page.locator(f"#{box} .admonition-title").is_visible(), "the answer control is hidden"
    assert not page.locator(body).first.is_visible(), "the answer is visible before any click"
    assert page.evaluate(f"document.querySelector('{button}').ariaExpanded") == "false"
    label = page.evaluate(f"document.querySelector('{button}').ariaLabel")
    assert "answer" in label.lower(), f"the control's accessible name is {label!r}"

    page.click(button)
    page.locator(body).first.wait_for(state="visible", timeout=5_000)
    assert page.evaluate(f"document.querySelector('{button}').ariaExpanded") == "true"
    page.evaluate(f"document.querySelector('#{box}').scrollIntoView({{block: 'start'}}); true")
    screenshot(page, SCREENSHOTS / f"{lesson.stem}-answer-open.png", full_page=False)


def test_cohort_lesson_page_has_no_answer_to_unfold(browser, sites, built_books) -> None:
    html = built_books["cohort"]
    pages = lesson_pages(html)
    assert pages
    page = new_page(browser)
    for lesson in pages:
        goto(page, _url(sites, html, lesson, "cohort"))
        assert page.locator("article h1").is_visible()
        assert page.evaluate(_ANSWER_JS) is None, f"{lesson.stem} offers a worked answer"


def _axe_problems(page, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    violations = page.evaluate(
        """axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
             .filter(v => v.impact === 'serious' || v.impact === 'critical')
             .map(v => ({id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"""
    )
    return [f"{v['impact']} {v['id']}: {v['help']} at {json.dumps(v['nodes'])}" for v in violations]


def test_axe_finds_no_serious_or_critical_problem_on_any_page(
    browser, sites, built_books, axe_source
) -> None:
    page = new_page(browser)
    problems = []
    checked = 0
    for build, html in built_books.items():
        pages = html_pages(html) if build == "public" else lesson_pages(html)
        for path in pages:
            goto(page, _url(sites, html, path, build))
            checked += 1
            where = f"{build}: {path.relative_to(html)}"
            problems += [f"{where}: {p}" for p in _axe_problems(page, axe_source)]
    assert checked >= len(html_pages(built_books["public"]))
    assert not problems, "accessibility problems:\n" + "\n".join(problems)


def test_axe_would_catch_an_image_without_alt_text(browser, sites, axe_source) -> None:
    """Is the accessibility check able to fail? Break a page on purpose and look."""
    page = new_page(browser)
    goto(page, sites["public"] + "book/intro.html")
    page.evaluate(
        "document.querySelector('article p').appendChild(Object.assign("
        "document.createElement('img'), {src: '../_static/logo.svg'})); true"
    )
    problems = _axe_problems(page, axe_source)
    assert any("image-alt" in p for p in problems)
