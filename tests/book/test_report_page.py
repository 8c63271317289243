"""The class report page in headless Chromium: axe-core finds nothing; it fits a phone.

It sits with the website tests to share their one browser, Chromium and axe-core
(``tests/book/conftest.py``, ``tests/book/book_browser.py``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from book_browser import SiteServer, goto, new_page

from mhtrain.course.tutor.report import write_report

# The hand-made class of the report tests (tests/course/test_report.py).
_spec = importlib.util.spec_from_file_location(
    "report_tests", Path(__file__).resolve().parents[1] / "course" / "test_report.py"
)
_report_tests = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_report_tests)
make_course = _report_tests.make_course

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("book")]

_AXE = """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
    .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})))"""


@pytest.fixture(scope="module")
def report_url(tmp_path_factory):
    """The report of a hand-made class with every section filled, served over HTTP."""
    root = make_course(tmp_path_factory.mktemp("browser") / "course")
    _, folder = write_report(root, "00")
    server = SiteServer(folder)
    try:
        yield server.url + "index.html"
    finally:
        server.close()


def _violations(page, axe_source: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    return page.evaluate(_AXE)


@pytest.mark.parametrize("phone", [False, True], ids=["laptop", "phone"])
def test_axe_finds_no_violation_on_the_report_page(browser, axe_source, report_url, phone):
    page = new_page(browser, phone=phone)
    try:
        goto(page, report_url)
        found = _violations(page, axe_source)
    finally:
        page.close()
    serious = [v for v in found if v["impact"] in {"serious", "critical"}]
    assert serious == []
    assert found == []  # not even a minor one


def test_axe_would_catch_a_report_page_broken_on_purpose(browser, axe_source, report_url):
    """A positive control: the same run finds an image without a text alternative."""
    page = new_page(browser)
    try:
        goto(page, report_url)
        page.evaluate("() => document.querySelector('main').append(document.createElement('img'))")
        found = _violations(page, axe_source)
    finally:
        page.close()
    assert "image-alt" in {v["id"] for v in found}


def test_the_report_fits_a_390_px_phone_with_wide_tables_scrolling_in_place(browser, report_url):
    page = new_page(browser, phone=True)
    try:
        goto(page, report_url)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        smallest = page.evaluate(
            "() => Math.min(...[...document.querySelectorAll('p, li, td, th')]"
            ".map(e => parseFloat(getComputedStyle(e).fontSize)))"
        )
        no_js = page.evaluate("() => document.scripts.length")
    finally:
        page.close()
    assert width <= 390
    assert smallest >= 12  # CSS px: readable without zooming
    assert no_js == 0
