"""Lighthouse on the home page and every lesson: accessibility, best practices and SEO."""

from __future__ import annotations

import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from book_html import lesson_pages
from conftest import SCREENSHOTS

# Its own group: under pytest-xdist it runs beside the other book tests, on the same build.
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("lighthouse")]

CATEGORIES = ("accessibility", "best-practices", "seo")
MINIMUM = {"accessibility": 1.0, "best-practices": 0.95, "seo": 0.95}
# Pages are shared out between four Lighthouse runs at a time, each auditing its pages one
# after another in its own Chromium: an audit spends much of its time waiting for the page to
# settle, so four keep two cores busy.
WORKERS = 4
REPORTS = SCREENSHOTS.parent / "lighthouse"
FLAGS = {
    "onlyCategories": list(CATEGORIES),
    "logLevel": "error",
    # The full-page screenshot only illustrates the report; the categories do not use it.
    "disableFullPageScreenshot": True,
}


def _audit(lighthouse: list[str], chromium: str, pages: dict[str, Path], flags: dict) -> None:
    """Audit each URL of ``pages`` in one Lighthouse run, writing its report to its path."""
    job = {
        "chrome": chromium,
        "flags": flags,
        "pages": [{"url": url, "out": str(out)} for url, out in pages.items()],
    }
    result = subprocess.run(
        lighthouse,
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=False,
        timeout=120 + 60 * len(pages),
    )
    missing = [url for url, out in pages.items() if not out.is_file()]
    if result.returncode != 0 or missing:
        raise RuntimeError(
            f"Lighthouse gave no report for {missing[:3]}: {result.stderr.strip()[-600:]}"
        )


def _audit_all(lighthouse: list[str], chromium: str, pages: dict[str, Path], flags: dict) -> dict:
    """Audit ``pages`` (URL to report path), ``WORKERS`` runs at a time; return URL to report."""
    for out in pages.values():
        out.unlink(missing_ok=True)
    urls = list(pages)
    shares = [urls[i::WORKERS] for i in range(WORKERS) if urls[i::WORKERS]]
    with ThreadPoolExecutor(max_workers=len(shares)) as pool:
        runs = [
            pool.submit(_audit, lighthouse, chromium, {u: pages[u] for u in share}, flags)
            for share in shares
        ]
        for run in runs:
            run.result()
    return {url: json.loads(out.read_text(encoding="utf-8")) for url, out in pages.items()}


def _failed_audits(report: dict, category: str) -> list[str]:
    """The weighted audits of a category that did not pass, with their titles."""
    failed = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
            failed.append(f"{ref['id']} ({audit['title']})")
    return failed


@pytest.fixture(scope="session")
def lighthouse_reports(lighthouse, chromium, sites, built_books) -> dict[str, dict]:
    """One Lighthouse report per page (home and every lesson)."""
    html = built_books["public"]
    pages = [html / "book" / "intro.html", *lesson_pages(html)]
    REPORTS.mkdir(parents=True, exist_ok=True)
    rels = {sites["public"] + p.relative_to(html).as_posix(): p for p in pages}
    found = _audit_all(
        lighthouse, chromium, {url: REPORTS / (p.stem + ".json") for url, p in rels.items()}, FLAGS
    )
    reports = {rels[url].relative_to(html).as_posix(): report for url, report in found.items()}
    summary = {
        rel: {c: report["categories"][c]["score"] for c in CATEGORIES}
        for rel, report in reports.items()
    }
    (REPORTS / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return reports


def test_lighthouse_scores_home_and_every_lesson_page(lighthouse_reports) -> None:
    assert len(lighthouse_reports) >= 2, "Lighthouse ran on no lesson page"
    problems = []
    for rel, report in lighthouse_reports.items():
        if report.get("runtimeError"):
            problems.append(f"{rel}: {report['runtimeError'].get('message')}")
            continue
        for category, minimum in MINIMUM.items():
            score = report["categories"][category]["score"]
            if score is None or score < minimum:
                failed = ", ".join(_failed_audits(report, category))
                problems.append(f"{rel}: {category} {score} < {minimum}: {failed}")
    assert not problems, "Lighthouse:\n" + "\n".join(problems)


def test_lighthouse_would_notice_a_page_without_a_description(
    lighthouse, chromium, built_books, tmp_path
) -> None:
    """Is the audit able to fail? A page with no meta description must lose SEO points.

    The page is broken in a copy of the site, so the tests reading the built book at the same
    time never meet it.
    """
    from book_browser import SiteServer

    site = tmp_path / "site"
    shutil.copytree(built_books["public"], site)
    page = (site / "book" / "glossary.html").read_text(encoding="utf-8")
    start = page.index('<meta name="description"')
    (site / "book" / "glossary.html").write_text(
        page[:start] + page[page.index(">", start) + 1 :], encoding="utf-8"
    )
    server = SiteServer(site)
    try:
        url = server.url + "book/glossary.html"
        # The one audit the control is about: the others would only repeat the page's scores.
        flags = {k: v for k, v in FLAGS.items() if k != "onlyCategories"}
        flags["onlyAudits"] = ["meta-description"]
        report = _audit_all(lighthouse, chromium, {url: tmp_path / "r.json"}, flags)[url]
    finally:
        server.close()
    assert report["categories"]["seo"]["score"] < MINIMUM["seo"]
    assert any("meta-description" in a for a in _failed_audits(report, "seo"))
