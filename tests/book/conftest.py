"""Fixtures for the website tests: one strict build of the public and cohort books per session."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SCREENSHOTS = REPO / "_build" / "screenshots"
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
# The npm packages package.json installs, each found by a file it ships.
TOOLS = (
    AXE_JS,
    HERE / "node_modules" / "lighthouse" / "package.json",
    HERE / "node_modules" / "chrome-launcher" / "package.json",
)
LIGHTHOUSE_PAGES = HERE / "lighthouse_pages.mjs"


def on_ci() -> bool:
    """Say whether the tests run on CI, where missing tools are installed, not skipped."""
    return os.environ.get("CI", "").lower() == "true"


def _missing(reason: str) -> None:
    """Fail on CI (the tooling must be there), skip with the reason elsewhere."""
    if on_ci():
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def built_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build the cohort book, then the public book, strictly; return their HTML folders.

    The public book is built last so that ``book/lessons`` is left holding the public version.
    The books are built once per test run, even if several pytest-xdist workers ask for them:
    the first one builds while the others wait, then they all read the same pages.
    """
    from filelock import FileLock

    from mhtrain.course.bookpages import build_book

    def build() -> dict[str, Path]:
        cohort = build_book(answers=False, strict=True)
        public = build_book(answers=True, strict=True)
        return {"public": public, "cohort": cohort}

    if "PYTEST_XDIST_WORKER" not in os.environ:
        return build()
    # Under pytest-xdist, the folder above a worker's base temporary folder belongs to this
    # run and is shared by all its workers.
    shared = tmp_path_factory.getbasetemp().parent
    stamp = shared / "mhtrain-books.json"
    with FileLock(shared / "mhtrain-books.lock"):
        if stamp.is_file():
            return {name: Path(path) for name, path in json.loads(stamp.read_text()).items()}
        books = build()
        stamp.write_text(json.dumps({name: str(path) for name, path in books.items()}))
        return books


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of a Chromium binary (installed on CI by scripts/ensure_browser.sh if missing)."""
    script = REPO / "scripts" / "ensure_browser.sh"
    result = subprocess.run(
        ["bash", str(script)], capture_output=True, text=True, check=False, timeout=900
    )
    if result.returncode == 3:
        pytest.skip(f"headless browser tests need Chromium: {result.stderr.strip()}")
    if result.returncode != 0 or not result.stdout.strip():
        pytest.fail(f"could not provide Chromium: {result.stderr.strip()[-500:]}")
    return result.stdout.strip().splitlines()[-1]


def _node_tools() -> None:
    """Install the npm tools of package.json (locked) into node_modules, once."""
    if all(tool.is_file() for tool in TOOLS):
        return
    npm = shutil.which("npm")
    if npm is None:
        _missing("the accessibility tests need npm (Node.js) to install axe-core and Lighthouse")
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=HERE,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if result.returncode != 0 or not all(tool.is_file() for tool in TOOLS):
        _missing(f"'npm ci' in {HERE} could not install the test tools: {result.stderr[-400:]}")


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The axe-core accessibility engine's JavaScript, installed with npm from package.json."""
    _node_tools()
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def lighthouse() -> list[str]:
    """The command that audits pages with Lighthouse (npm, version pinned in package.json):
    Node running ``lighthouse_pages.mjs``, which reads its job on standard input."""
    _node_tools()
    node = shutil.which("node")
    if node is None:
        _missing("the Lighthouse tests need Node.js ('node' is not on PATH)")
    return [node, str(LIGHTHOUSE_PAGES)]


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[object]:
    """One headless Chromium for the whole session, driven by Playwright."""
    try:
        import playwright.sync_api  # noqa: F401  (Playwright is in the 'dev' extra)
    except ImportError as exc:
        _missing(f"the browser tests need Playwright for Python ({exc}); run 'make setup'")
    from book_browser import launch

    with launch(chromium) as instance:
        yield instance


@pytest.fixture(scope="session")
def sites(built_books: dict[str, Path]) -> Iterator[dict[str, str]]:
    """Serve each built book over HTTP on the loopback address; map build name to base URL."""
    from book_browser import SiteServer

    servers = {name: SiteServer(folder) for name, folder in built_books.items()}
    try:
        yield {name: server.url for name, server in servers.items()}
    finally:
        for server in servers.values():
            server.close()
