"""A small headless Chromium driver (DevTools protocol over a websocket) for the book's tests."""

from __future__ import annotations

import base64
import functools
import http.server
import itertools
import json
import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import websocket

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
)


class BrowserError(RuntimeError):
    """The browser could not start, or a page command failed."""


class Browser:
    """One headless Chromium process, driven through the DevTools protocol.

    Parameters
    ----------
    executable
        Path to the Chromium binary.
    profile_dir
        An empty folder for the browser's profile (it also receives the debugging port).
    width, height
        Size of the window, in CSS pixels.
    """

    def __init__(
        self, executable: str, profile_dir: Path, *, width: int = 1280, height: int = 900
    ) -> None:
        self.width, self.height = width, height
        self._ids = itertools.count(1)
        self._events: list[dict[str, Any]] = []
        profile_dir = Path(profile_dir)
        port_file = profile_dir / "DevToolsActivePort"
        port_file.unlink(missing_ok=True)
        self._proc = subprocess.Popen(
            [
                executable,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile_dir}",
                "--remote-debugging-port=0",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not (port_file.is_file() and len(port_file.read_text().split()) >= 2):
            if self._proc.poll() is not None:
                raise BrowserError(f"Chromium exited with code {self._proc.returncode}")
            if time.monotonic() > deadline:
                self.close()
                raise BrowserError("Chromium did not open its debugging port within 30 s")
            time.sleep(0.05)
        port, path = port_file.read_text().split()[:2]
        self._ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}{path}", timeout=60, suppress_origin=True
        )

    def send(self, method: str, params: dict | None = None, *, session: str | None = None) -> dict:
        """Send one protocol command and return its result."""
        msg_id = next(self._ids)
        message: dict[str, Any] = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._ws.send(json.dumps(message))
        while True:
            reply = json.loads(self._ws.recv())
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def wait_event(self, method: str, *, session: str, timeout: float = 60) -> dict:
        """Wait for (and consume) the next event called ``method`` in a page session."""
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self._events):
                if event["method"] == method and event.get("sessionId") == session:
                    return self._events.pop(i)
            if time.monotonic() > deadline:
                raise BrowserError(f"no {method} event within {timeout} s")
            self._ws.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                event = json.loads(self._ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            finally:
                self._ws.settimeout(60)
            if "method" in event:
                self._events.append(event)

    def drop_events(self, session: str) -> None:
        """Forget the events already received for a page session."""
        self._events = [e for e in self._events if e.get("sessionId") != session]

    def new_page(self) -> Page:
        """Open a new tab and return it."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session)
        page.send("Page.enable")
        page.send("Runtime.enable")
        page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
        )
        return page

    def close(self) -> None:
        """Close the connection and end the browser process."""
        ws = getattr(self, "_ws", None)
        if ws is not None:
            try:
                self.send("Browser.close")
            except (BrowserError, OSError, websocket.WebSocketException):
                pass
            ws.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


class Page:
    """One browser tab."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser, self.session = browser, session

    def send(self, method: str, params: dict | None = None) -> dict:
        """Send a protocol command to this tab."""
        return self.browser.send(method, params, session=self.session)

    def goto(self, url: str, *, timeout: float = 60) -> None:
        """Load ``url`` and wait until the page and its fonts have loaded."""
        self.browser.drop_events(self.session)
        self.send("Page.navigate", {"url": url})
        self.browser.wait_event("Page.loadEventFired", session=self.session, timeout=timeout)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.evaluate(
                    "document.readyState === 'complete' && document.fonts.ready.then(() => true)",
                    await_promise=True,
                ):
                    return
            except BrowserError as exc:  # the page moved on (a redirect) while we asked
                if "navigated" not in str(exc) and "context" not in str(exc):
                    raise
            if time.monotonic() > deadline:
                raise BrowserError(f"{url} did not finish loading within {timeout} s")
            time.sleep(0.05)

    def evaluate(self, expression: str, *, await_promise: bool = False) -> Any:
        """Run JavaScript in the page and return its (JSON-able) value."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": await_promise},
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"JavaScript error: {text}")
        return result.get("result", {}).get("value")

    def is_visible(self, selector: str) -> bool:
        """Say whether the first element matching ``selector`` is rendered and visible."""
        return bool(
            self.evaluate(
                f"""(() => {{
                const el = document.querySelector({json.dumps(selector)});
                if (!el) return false;
                if (el.checkVisibility && !el.checkVisibility({{visibilityProperty: true}}))
                    return false;
                const box = el.getBoundingClientRect();
                return box.width > 0 && box.height > 0;
            }})()"""
            )
        )

    def click(self, selector: str) -> None:
        """Click the centre of the first element matching ``selector``, as a person would."""
        box = self.evaluate(
            f"""(() => {{
            const el = document.querySelector({json.dumps(selector)});
            if (!el) return null;
            el.scrollIntoView({{block: "center"}});
            const r = el.getBoundingClientRect();
            return {{x: r.left + r.width / 2, y: r.top + r.height / 2}};
        }})()"""
        )
        if box is None:
            raise BrowserError(f"nothing matches {selector!r} to click")
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": box["x"], "y": box["y"], "button": "left", "clickCount": 1},
            )
        time.sleep(0.3)  # let the page's transition finish before anyone looks

    def screenshot(self, path: Path, *, full_page: bool = True) -> Path:
        """Save a PNG of the page (the whole length of it by default)."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            height = min(int(size["height"]), 12000)
            params["clip"] = {"x": 0, "y": 0, "width": self.browser.width, "height": height}
            params["clip"]["scale"] = 1
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params)["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
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
