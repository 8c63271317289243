"""Headless Chromium for the book's tests: Playwright driving the system's own browser.

Playwright is pointed at an installed Chromium (``executable_path``); it never downloads a
browser build of its own.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
)

# The two screen sizes every layout check runs at: a small phone and a laptop.
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}


@contextmanager
def launch(executable: str) -> Iterator[Any]:
    """Start headless Chromium from ``executable`` under Playwright; yield the browser.

    Parameters
    ----------
    executable
        Path of the installed Chromium binary.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Any, *, phone: bool = False) -> Any:
    """Open a tab the size of a phone (390 CSS px, touch) or of a laptop (1280 CSS px)."""
    if phone:
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True
        )
    else:
        context = browser.new_context(viewport=LAPTOP, device_scale_factor=1)
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.on("close", lambda _page: context.close())
    return page


def goto(page: Any, url: str) -> None:
    """Load ``url`` and wait until the page, its images and its fonts have loaded."""
    page.goto(url, wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")


def screenshot(page: Any, path: Path, *, full_page: bool = True) -> Path:
    """Save a PNG of the page (the whole length of it by default)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=os.fspath(path), full_page=full_page)
    return path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files without logging every request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


class SiteServer:
    """Serve a folder over HTTP on the loopback address, in a background thread."""

    def __init__(self, folder: Path) -> None:
        handler = functools.partial(QuietHandler, directory=os.fspath(folder))
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
