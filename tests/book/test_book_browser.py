"""The built website in headless Chromium: what renders, what folds, and what axe-core finds."""

from __future__ import annotations

import json
import re
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
    lesson = _first_lesson_with(html, ".cell_output figure svg")
    assert lesson is not None, "no lesson page shows a chart"
    page = new_page(browser)
    goto(page, _url(sites, html, lesson))
    assert page.locator("article h1").is_visible()
    chart = page.locator(".cell_output figure svg").first
    assert chart.is_visible(), "the lesson's chart is not shown"
    assert chart.bounding_box()["width"] > 200, "the chart is drawn too small to see"
    assert page.locator(".cell_output figure figcaption").first.is_visible()
    # what a screen reader announces: the chart's name is its alt text
    name = chart.get_attribute("aria-label")
    assert name and len(name.split()) >= 12
    chart.scroll_into_view_if_needed()
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


def test_cohort_lesson_page_has_no_answer_to_unfold(axe_every_page) -> None:
    shown = axe_every_page["cohort lessons"]
    assert shown
    for lesson, (title_visible, answer) in shown.items():
        assert title_visible, f"{lesson}: the lesson's title is not shown"
        assert answer is None, f"{lesson} offers a worked answer"


def _axe_violations(page, axe_source: str) -> list[dict]:
    """Every axe-core violation on the page, whatever its impact (minor ones too).

    Each node is marked ``lesson`` when it belongs to a lesson's own content (the text, tables
    and charts of the lesson source, inside a lesson page's article); the rest is the site's
    (the theme, the site's scripts and the pages in book/).
    """
    page.add_script_tag(content=axe_source)
    return page.evaluate(
        """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
             .map(v => ({id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.map(n => {
                           const onLesson = /\\/lessons\\//.test(location.pathname);
                           const el = document.querySelector(n.target[0]);
                           return {target: n.target.join(' '),
                                   lesson: onLesson && !!(el && el.closest('article'))};
                         })})))"""
    )


def _axe_problems(page, axe_source: str, *, where: str = "page") -> list[str]:
    """Describe the violations on the page: ``where`` is ``"page"``, ``"site"`` or ``"lesson"``
    (see :func:`_axe_violations`)."""
    problems = []
    for v in _axe_violations(page, axe_source):
        nodes = [
            n["target"] for n in v["nodes"] if where == "page" or n["lesson"] == (where == "lesson")
        ]
        if nodes:
            problems.append(f"{v['impact']} {v['id']}: {v['help']} at {json.dumps(nodes[:3])}")
    return problems


@pytest.fixture(scope="module")
def axe_every_page(browser, sites, built_books, axe_source) -> dict:
    """Run axe once on every page of both books; sort what it finds into the site's problems
    (with any browser console error) and the lessons' own. On each cohort lesson page, note
    first whether its title is shown and what answer it offers to unfold (``_ANSWER_JS``)."""
    page = new_page(browser)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"script error: {exc}"))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    found: dict = {"site": [], "lesson": [], "cohort lessons": {}}
    counts = {}
    for build, html in built_books.items():
        pages = html_pages(html) if build == "public" else lesson_pages(html)
        for path in pages:
            errors.clear()
            goto(page, _url(sites, html, path, build))
            name = f"{build}: {path.relative_to(html)}"
            if build == "cohort":
                found["cohort lessons"][path.stem] = (
                    page.locator("article h1").is_visible(),
                    page.evaluate(_ANSWER_JS),
                )
            violations = _axe_violations(page, axe_source)
            counts[name] = {
                kind: sum(1 for v in violations for n in v["nodes"] if n["lesson"] == lesson)
                for kind, lesson in (("site", False), ("lesson", True))
            }
            for kind, lesson in (("site", False), ("lesson", True)):
                for v in violations:
                    nodes = [n["target"] for n in v["nodes"] if n["lesson"] == lesson]
                    if nodes:
                        found[kind].append(
                            f"{name}: {v['impact']} {v['id']}: {v['help']} at "
                            f"{json.dumps(nodes[:3])}"
                        )
            found["site"] += [f"{name}: console: {e}" for e in errors]
    page.close()
    report = SCREENSHOTS.parent / "axe-nodes.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(counts, indent=1), encoding="utf-8")
    assert len(counts) >= len(html_pages(built_books["public"]))
    return found


def test_axe_and_the_console_find_no_problem_on_any_page(axe_every_page) -> None:
    """The theme, the text and the site's scripts: no axe violation of any impact, and no
    error in the browser console, on every page of both books."""
    problems = axe_every_page["site"]
    assert not problems, "accessibility problems:\n" + "\n".join(problems)


def test_axe_finds_no_problem_in_any_lesson(axe_every_page) -> None:
    """A lesson's own content (its text, and the tables and charts its code draws): no axe
    violation of any impact."""
    problems = axe_every_page["lesson"]
    assert not problems, "accessibility problems in the lessons:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        # a serious problem: an image with no text alternative
        (
            "document.querySelector('article p').appendChild(Object.assign("
            "document.createElement('img'), {src: '../_static/logo.svg'}))",
            "critical image-alt",
        ),
        # a minor one: the page check counts every impact
        (
            "document.querySelector('article p').insertAdjacentHTML('afterend',"
            " '<table><tr><th></th><th>Rate</th></tr><tr><td>A</td><td>2</td></tr></table>')",
            "minor empty-table-header",
        ),
    ],
    ids=["image-alt", "empty-table-header"],
)
def test_axe_would_catch_a_page_broken_on_purpose(
    browser, sites, axe_source, breakage: str, expected: str
) -> None:
    """Is the accessibility check able to fail? Break a page on purpose and look."""
    page = new_page(browser)
    goto(page, sites["public"] + "book/intro.html")
    page.evaluate(f"{breakage}; true")
    problems = _axe_problems(page, axe_source, where="site")
    assert any(p.startswith(expected) for p in problems), problems


# --- keyboard focus ---------------------------------------------------------------------------

# For every control a keyboard reaches (tabIndex >= 0) that is shown: focus it and measure its
# focus indicator, an outline or a box-shadow ring at least 2 px thick, against the colour
# behind it (the ring sits outside the control, so that is its parent's background, with
# transparent layers blended). WCAG 2.4.7 and 1.4.11 ask for 3:1.
_FOCUS_JS = """() => {
  const channel = c => (c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const contrast = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const parse = text => {
    let m = text.match(/rgba?\\(([^)]*)\\)/);
    if (m) {
      const v = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
      return {rgb: v.slice(0, 3), alpha: v.length > 3 ? v[3] : 1};
    }
    m = text.match(/color\\(srgb ([^)]*)\\)/);
    if (m) {
      const v = m[1].split(/[\\s\\/]+/).filter(Boolean).map(Number);
      return {rgb: v.slice(0, 3).map(x => x * 255), alpha: v.length > 3 ? v[3] : 1};
    }
    return null;
  };
  const blend = (top, under) => top.rgb.map((c, i) => c * top.alpha + under[i] * (1 - top.alpha));
  const backgroundOf = el => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour && colour.alpha > 0) layers.push(colour);
      if (colour && colour.alpha >= 1) break;
    }
    return layers.reverse().reduce((under, top) => blend(top, under), [255, 255, 255]);
  };
  const ring = el => {
    const style = getComputedStyle(el);
    const width = parseFloat(style.outlineWidth) || 0;
    if (style.outlineStyle !== "none" && width >= 2) {
      return {kind: "outline", colour: parse(style.outlineColor), width};
    }
    const shadow = style.boxShadow;
    if (shadow && shadow !== "none") {
      for (const part of shadow.split(/,(?![^(]*\\))/)) {
        const colour = parse(part);
        const sizes = part.replace(/(rgba?|color)\\([^)]*\\)/, "").match(/-?[\\d.]+px/g) || [];
        const spread = parseFloat(sizes[3] || "0");
        if (colour && spread >= 2) return {kind: "box-shadow", colour, width: spread};
      }
    }
    return null;
  };
  const describe = el => {
    const name = (el.getAttribute("aria-label") || el.textContent || el.getAttribute("title")
      || "").replace(/\\s+/g, " ").trim().slice(0, 40);
    const cls = typeof el.className === "string" && el.className
      ? "." + el.className.trim().split(/\\s+/).join(".") : "";
    return `${el.tagName.toLowerCase()}${cls} "${name}"`;
  };
  const shown = el => {
    if (el.closest("[inert]")) return false;
    if (el.checkVisibility && !el.checkVisibility({checkOpacity: true, visibilityProperty: true}))
      return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const controls = [...document.querySelectorAll("*")]
    .filter(el => el.tabIndex >= 0 && !el.disabled && shown(el));
  const problems = [], classes = new Set();
  let checked = 0;
  for (const el of controls) {
    el.focus({preventScroll: true});
    if (document.activeElement !== el) continue;  // not focusable after all (e.g. a label)
    checked += 1;
    if (typeof el.className === "string") el.className.split(/\\s+/).forEach(c => classes.add(c));
    const found = ring(el);
    if (!found || !found.colour) {
      problems.push(`${describe(el)}: no focus indicator`);
      continue;
    }
    const behind = backgroundOf(el.parentElement || el);
    const shown_colour = blend(found.colour, behind);
    const ratio = contrast(shown_colour, behind);
    if (ratio < 3) {
      problems.push(`${describe(el)}: ${found.kind} contrast ${ratio.toFixed(2)}:1`);
    }
  }
  document.activeElement && document.activeElement.blur();
  return {checked, problems, classes: [...classes]};
}"""


# The theme's header buttons, which once showed no focus at all: each must be among the
# controls checked, at both screen sizes.
HEADER_BUTTONS = ("primary-toggle", "dropdown-toggle", "theme-switch-button", "search-button")


def _focus_problems(page, *, header: bool = False) -> tuple[int, list[str]]:
    # A key press first, so that the browser shows focus as it does for keyboard users.
    page.keyboard.press("Tab")
    result = page.evaluate(_FOCUS_JS)
    problems = result["problems"]
    if header:
        missing = [c for c in HEADER_BUTTONS if not any(c in k for k in result["classes"])]
        problems += [f"header button .{c} was not reached" for c in missing]
    return result["checked"], problems


@pytest.mark.parametrize("phone", [True, False], ids=["390px", "1280px"])
def test_every_control_shows_a_focus_ring_of_3_to_1_on_every_page(
    browser, sites, built_books, phone: bool
) -> None:
    html = built_books["public"]
    page = new_page(browser, phone=phone)
    problems, checked = [], 0
    for path in html_pages(html):
        goto(page, _url(sites, html, path))
        # pages written from a source (not search or the index) carry every header button
        count, found = _focus_problems(page, header="book" in path.relative_to(html).parts)
        checked += count
        problems += [f"{path.relative_to(html)}: {p}" for p in found]
    assert checked >= 10 * len(html_pages(html)), f"only {checked} controls were reached"
    assert not problems, "weak or missing focus indicators:\n" + "\n".join(problems)


def test_focus_ring_also_stands_out_in_the_dark_theme(browser, sites, built_books) -> None:
    html = built_books["public"]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    try:
        for path in [html / "book" / "intro.html", *lesson_pages(html)[:1]]:
            goto(page, _url(sites, html, path))
            assert page.evaluate("document.documentElement.dataset.theme") == "dark"
            checked, problems = _focus_problems(page)
            assert checked > 10
            assert not problems, f"{path.name}:\n" + "\n".join(problems)
    finally:
        context.close()


def test_focus_check_would_catch_the_old_amber_ring_on_white(browser, sites) -> None:
    """Is the focus check able to fail? The old #ffbf47 ring on white is about 1.6:1."""
    page = new_page(browser)
    goto(page, sites["public"] + "book/intro.html")
    page.add_style_tag(
        content="a:focus-visible { outline: 3px solid #ffbf47 !important; }"
        " button:focus-visible, button.btn:focus-visible"
        " { outline: none !important; box-shadow: none !important; }"
    )
    _, problems = _focus_problems(page)
    assert any("outline contrast 1." in p for p in problems), problems[:5]
    assert any("no focus indicator" in p for p in problems), problems[:5]


_BUTTONS_JS = """() => [...document.querySelectorAll('.admonition.dropdown .toggle-button')]
  .map(b => b.getAttribute('aria-label'))"""
_HEADINGS_JS = """() => [...document.querySelectorAll('article h2, article h3, article h4')]
  .map(h => h.textContent.replace(/#$/, '').replace(/\\s+/g, ' ').trim())"""
_CHART_BOXES_JS = """() => [...document.querySelectorAll('article figure.mhtrain-chart')].map(f => ({
  figure: f.getBoundingClientRect().right,
  panels: [...f.querySelectorAll('svg')].map(s => s.getBoundingClientRect())
    .map(r => ({left: r.left, top: r.top, right: r.right}))}))"""


@pytest.fixture(scope="module")
def lesson_visits(browser, sites, built_books) -> dict[bool, dict[Path, dict]]:
    """Every public lesson page loaded once on a phone (``True``) and once on a laptop
    (``False``), with what the layout tests below read from it: the answer buttons' names and
    the headings, each chart's drawn text sizes and images, and where each chart sits. The
    pages are only read, never changed, so one load serves every test."""
    html = built_books["public"]
    visits: dict[bool, dict[Path, dict]] = {}
    for phone in (True, False):
        page = new_page(browser, phone=phone)
        visits[phone] = {}
        for lesson in lesson_pages(html):
            goto(page, _url(sites, html, lesson))
            visits[phone][lesson] = {
                "buttons": page.evaluate(_BUTTONS_JS),
                "headings": page.evaluate(_HEADINGS_JS),
                "chart_text": page.evaluate(_CHART_TEXT_JS),
                "chart_boxes": page.evaluate(_CHART_BOXES_JS),
            }
        page.close()
    return visits


def test_answer_buttons_are_named_for_their_exercise(lesson_visits) -> None:
    for lesson, seen in lesson_visits[False].items():
        names, headings = seen["buttons"], seen["headings"]
        for name in names:
            assert name.lower().startswith("show"), f"{lesson.stem}: {name!r}"
            inside = name[name.find("(") + 1 : name.rfind(")")]
            assert inside in headings, f"{lesson.stem}: {name!r} names no heading of the page"
        assert len(set(names)) == len(names), f"{lesson.stem}: two answer buttons share a name"


# --- charts on a phone and on a laptop ------------------------------------------------------

MIN_TEXT_CSS_PX = 11
"""Smallest chart text a reader should have to read, in CSS pixels (issue 12)."""
MIN_CHART_FONT_PT = 12
"""Smallest font size, in points, that the lessons' charts may use (``mhtrain.charts``). A PNG
holds no trace of its text, so for a raster chart this is the promise the plotting side makes;
with the image's density it gives the text's size in the image's own pixels. An SVG chart's
text is measured as the browser draws it."""

# Every chart in a lesson's article: each SVG <text> with the size the browser draws it at (its
# font size times the scale from the SVG's own units to CSS pixels), and each raster image.
_CHART_TEXT_JS = """() => {
  const texts = [...document.querySelectorAll('article figure svg text')]
    .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
    .map(t => {
      const m = t.getScreenCTM();
      const px = parseFloat(getComputedStyle(t).fontSize) * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
      const svg = t.closest('svg');
      const chart = [...document.querySelectorAll('article figure svg')].indexOf(svg) + 1;
      return {chart, text: t.textContent.trim().slice(0, 30), px,
              height: t.getBoundingClientRect().height};
    });
  const images = [...document.querySelectorAll('article .cell_output img')].map(i => ({
    src: i.getAttribute('src'), shown: i.getBoundingClientRect().width, natural: i.naturalWidth}));
  return {texts, images};
}"""

# A chart drawn too small on purpose: 1,000 units wide with 10-unit text, shown 100% wide.
_BAD_CHART_JS = """() => {
  const figure = document.createElement('figure');
  figure.innerHTML = '<svg role="img" aria-label="bad" viewBox="0 0 1000 400" '
    + 'style="width:100%;height:auto"><text x="10" y="50" style="font-size:10px">Tiny</text>'
    + '</svg><figcaption>Too small</figcaption>';
  document.querySelector('article').prepend(figure);
  return true;
}"""


def _chart_text_problems(found: dict, lesson: Path) -> tuple[list[str], int]:
    """From the measures of a page's charts (``_CHART_TEXT_JS``), what is too small to read,
    and how many charts there are."""
    from book_html import image_density

    problems = []
    for text in found["texts"]:
        if text["px"] < MIN_TEXT_CSS_PX - 0.05:
            problems.append(
                f"{lesson.stem} chart {text['chart']}: {text['text']!r} is drawn at "
                f"{text['px']:.1f} CSS px"
            )
    for image in found["images"]:
        name = f"{lesson.stem}: {Path(image['src']).name[:12]}"
        density = image_density((lesson.parent / image["src"]).resolve())
        if not density or not image["natural"]:
            problems.append(f"{name}: the image records no density, so its text size is unknown")
            continue
        text_px = MIN_CHART_FONT_PT * density / 72 * image["shown"] / image["natural"]
        if text_px < MIN_TEXT_CSS_PX:
            problems.append(
                f"{name}: {image['natural']} px wide at {density:.0f} px/in, shown "
                f"{image['shown']:.0f} px wide, so {MIN_CHART_FONT_PT} pt text is "
                f"{text_px:.1f} CSS px"
            )
    charts = len({t["chart"] for t in found["texts"]}) + len(found["images"])
    return problems, charts


@pytest.mark.parametrize("phone", [True, False], ids=["390px", "1280px"])
def test_every_chart_text_is_at_least_11_css_px(lesson_visits, phone) -> None:
    problems, checked = [], 0
    for lesson, seen in lesson_visits[phone].items():
        found, charts = _chart_text_problems(seen["chart_text"], lesson)
        problems += found
        checked += charts
    assert checked >= 20, f"only {checked} charts found on the lesson pages"
    assert not problems, "chart text too small to read:\n" + "\n".join(problems)


# --- a reading question's answer, in words (issue 12, acceptance 1) --------------------------


def _reading_questions() -> list[tuple[str, str, str]]:
    """(lesson id, exercise id, right option key in the shipped data) of every lesson's reading
    questions."""
    from mhtrain.checks import ChoiceExercise
    from mhtrain.course.lessons import lesson_sources, read_lesson
    from mhtrain.errors import MhtrainError

    found = []
    for path in lesson_sources():
        lesson = read_lesson(path)
        for exercise_id, exercise in lesson.exercises().items():
            words = lesson.worked_words.get(exercise_id, "")
            lettered = all(len(k) == 1 for k in getattr(exercise, "options", {}) or {"?": 0})
            # a question whose options are letters, and whose words name the right letter (the
            # capstone's first question has no wrong option; lesson 8's first names an area)
            if (
                isinstance(exercise, ChoiceExercise)
                and lettered
                and re.search(r"Answer:\W*([a-h]\b|\{\{[^}]*\}\}\))", words)
            ):
                try:
                    key = str(exercise.expected())
                except MhtrainError:
                    # a reference read from files the lesson writes as it runs (lesson 10's
                    # big data): the book ran that lesson, so take the option its words give
                    key = re.search(r"Answer:\W*([a-h])\b", lesson.worked_words[exercise_id])[1]
                found.append((lesson.id, exercise_id, key))
    return found


@pytest.mark.parametrize("phone", [True, False], ids=["390px", "1280px"])
def test_show_answer_on_a_reading_question_reveals_the_right_option_in_words(
    browser, sites, built_books, phone
) -> None:
    html = built_books["public"]
    questions = _reading_questions()
    assert questions, "no reading question with its answer in words"
    page = new_page(browser, phone=phone)
    by_lesson: dict[str, list[tuple[str, str]]] = {}
    for lesson_id, exercise_id, key in questions:
        by_lesson.setdefault(lesson_id, []).append((exercise_id, key))
    checked = 0
    for lesson_id, asked in by_lesson.items():
        goto(page, _url(sites, html, html / "book" / "lessons" / f"{lesson_id}.html"))
        for key in sorted({key for _, key in asked}):
            # Every box whose words give this option (several questions may share a key).
            gives = re.compile(rf"Answer:\W*{key}\b")
            boxes = page.locator(".admonition.dropdown").filter(has_text=gives)
            wanted = sum(1 for _, k in asked if k == key)
            assert boxes.count() >= wanted, f"{lesson_id}: too few boxes give option {key})"
            for i in range(boxes.count()):
                box = boxes.nth(i)
                words = box.locator("p").filter(has_text=gives).first
                assert not words.is_visible(), f"{lesson_id}: an answer shows before a click"
                button = box.locator(".admonition-title button")
                assert (button.get_attribute("aria-label") or "").lower().startswith("show")
                button.click()
                words.wait_for(state="visible", timeout=5_000)
                text = " ".join(box.inner_text().split())
                assert re.search(r"is wrong|are wrong|other options?", text), (
                    f"{lesson_id}: option {key}) is given with no reason the others are wrong"
                )
                checked += 1
    assert checked >= len(questions)


def test_chart_text_check_would_catch_a_chart_drawn_too_small(browser, sites, built_books) -> None:
    """Is the text-size check able to fail? Put a chart with 10-unit text in a 1,000-unit
    wide SVG on a lesson page (about 3.6 CSS px on a phone) and measure."""
    html = built_books["public"]
    lesson = lesson_pages(html)[2]
    page = new_page(browser, phone=True)
    goto(page, _url(sites, html, lesson))
    page.evaluate(_BAD_CHART_JS)
    problems, _ = _chart_text_problems(page.evaluate(_CHART_TEXT_JS), lesson)
    assert any("'Tiny' is drawn at 3." in p for p in problems), problems[:5]


def test_charts_on_a_phone_are_the_width_of_the_page_and_panels_stack(lesson_visits) -> None:
    """On a 390 px phone every chart fits the text column (no sideways scrolling), and the
    two panels of a side-by-side figure sit one above the other."""
    stacked = 0
    for lesson, seen in lesson_visits[True].items():
        for box in seen["chart_boxes"]:
            for panel in box["panels"]:
                assert panel["right"] <= 390, f"{lesson.stem}: a chart runs off the screen"
            if len(box["panels"]) > 1:
                stacked += 1
                tops = [p["top"] for p in box["panels"]]
                assert tops == sorted(tops) and len(set(tops)) == len(tops), lesson.stem
    assert stacked >= 2, "no side-by-side figure found (lessons 2 and 9 have one each)"
