"""Lighthouse on the home page and every lesson: accessibility, best practices and SEO."""

from __future__ import annotations

import json
import os
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
# Four audits at a time, each in its own Chromium: an audit spends most of its time waiting
# for the page to settle, so four keep two cores busy (two took half as long again).
WORKERS = 4
REPORTS = SCREENSHOTS.parent / "lighthouse"


def _audit(lighthouse: Path, chromium: str, url: str, out: Path, *, only: str = "") -> dict:
    """Run Lighthouse once on ``url`` (``only``: a narrower ``--only-...`` choice of audits than
    the three categories); return its report (JSON)."""
    env = {**os.environ, "CHROME_PATH": chromium}
    result = subprocess.run(
        [
            str(lighthouse),
            url,
            only or f"--only-categories={','.join(CATEGORIES)}",
            "--output=json",
            f"--output-path={out}",
            "--chrome-flags=--headless --no-sandbox --disable-gpu",
            "--quiet",
            # The full-page screenshot only illustrates the report; the categories do not use it.
            "--disable-full-page-screenshot",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if result.returncode != 0 or not out.is_file():
        raise RuntimeError(f"Lighthouse failed on {url}: {result.stderr.strip()[-600:]}")
    return json.loads(out.read_text(encoding="utf-8"))


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
    """One Lighthouse report per page (home and every lesson), run two at a time."""
    html = built_books["public"]
    pages = [html / "book" / "intro.html", *lesson_pages(html)]
    REPORTS.mkdir(parents=True, exist_ok=True)
    jobs = {}
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for page in pages:
            rel = page.relative_to(html).as_posix()
            out = REPORTS / (page.stem + ".json")
            jobs[rel] = pool.submit(_audit, lighthouse, chromium, sites["public"] + rel, out)
        reports = {rel: job.result() for rel, job in jobs.items()}
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
        # The one audit the control is about: the others would only repeat the page's scores.
        report = _audit(
            lighthouse,
            chromium,
            server.url + "book/glossary.html",
            tmp_path / "r.json",
            only="--only-audits=meta-description",
        )
    finally:
        server.close()
    assert report["categories"]["seo"]["score"] < MINIMUM["seo"]
    assert any("meta-description" in a for a in _failed_audits(report, "seo"))
