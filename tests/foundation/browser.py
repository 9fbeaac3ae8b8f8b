"""A small Chrome DevTools Protocol driver for the built-book tests.

``--dump-dom`` shows a page after its scripts ran but cannot touch it. These tests must move
sliders, pick dropdown options, read what changed, watch every request and console message,
and take screenshots, so they drive headless Chromium over CDP: one browser for a whole test
module, one tab per page. Chromium can resolve only 127.0.0.1 (the same offline flags as
``rendered_dom``), so a page that reaches for the internet fails to load it and the request is
recorded.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import itertools
import json
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OFFLINE_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--hide-scrollbars",
    "--disable-extensions", "--mute-audio",
]
#: A desktop window: the book's text column is about 690 px wide at this size.
WINDOW = (1280, 900)


class BrowserError(RuntimeError):
    """A CDP command failed or a page script threw."""


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on an ephemeral loopback port (quietly: no request log on stderr)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass
class PageLog:
    """What a page did while it loaded and while the test touched it."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Browser:
    """Headless Chromium over one websocket; pages are tabs attached with flat sessions."""

    def __init__(self, timeout: float = 60) -> None:
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="cst-ref-chromium-", ignore_cleanup_errors=True)
        self._process = subprocess.Popen(
            [CHROMIUM, *OFFLINE_FLAGS, f"--user-data-dir={self._profile.name}", "--remote-debugging-port=0",
             f"--window-size={WINDOW[0]},{WINDOW[1]}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        port_file = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise BrowserError(f"{CHROMIUM} did not open its DevTools port")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self._ws = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=timeout,
                                               suppress_origin=True)
        self._ids = itertools.count(1)
        self._events: list[dict] = []

    # -- protocol -------------------------------------------------------------------------
    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float | None = None) -> dict:
        """Send one command and wait for its answer; events that arrive meanwhile are queued."""
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._ws.send(json.dumps(message))
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            self._ws.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                reply = json.loads(self._ws.recv())
            except websocket.WebSocketTimeoutException:
                raise BrowserError(f"{method}: no answer within {timeout or self.timeout} s") from None
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def drain(self, session: str, wait: float = 0.0) -> list[dict]:
        """Events queued for ``session`` (after reading whatever arrives within ``wait`` s)."""
        deadline = time.monotonic() + wait
        while True:
            remaining = deadline - time.monotonic()
            self._ws.settimeout(max(0.01, remaining))
            try:
                reply = json.loads(self._ws.recv())
                if "method" in reply:
                    self._events.append(reply)
            except websocket.WebSocketTimeoutException:
                if remaining <= 0:
                    break
        mine = [e for e in self._events if e.get("sessionId") == session]
        self._events = [e for e in self._events if e.get("sessionId") != session]
        return mine

    def new_page(self) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, target, session)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._ws.close()
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        # Chromium's helper processes may still be writing to the profile for a moment.
        for _ in range(20):
            shutil.rmtree(self._profile.name, ignore_errors=True)
            if not Path(self._profile.name).exists():
                break
            time.sleep(0.1)
        self._profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Page:
    """One tab: navigate, evaluate JavaScript, screenshot; records requests and errors."""

    def __init__(self, browser: Browser, target: str, session: str) -> None:
        self.browser, self.target, self.session = browser, target, session
        self.log = PageLog()
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.send(f"{domain}.enable")
        self._window(WINDOW[1])

    def send(self, method: str, params: dict | None = None, timeout: float | None = None) -> dict:
        return self.browser.send(method, params, self.session, timeout)

    def _record(self, events: list[dict]) -> list[dict]:
        for event in events:
            method, params = event["method"], event.get("params", {})
            if "/favicon.ico" in json.dumps(params):  # the browser's own request, not the page's
                continue
            if method == "Network.requestWillBeSent":
                self.log.requests.append(params["request"]["url"])
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                self.log.failed.append(f"{params.get('errorText')} ({params.get('requestId')})")
            elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
                self.log.failed.append(f"HTTP {params['response']['status']} {params['response']['url']}")
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                text = details.get("exception", {}).get("description") or details.get("text")
                self.log.errors.append(f"uncaught: {text}")
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                args = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
                self.log.errors.append(f"console.{params['type']}: {args}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                entry = params["entry"]
                self.log.errors.append(f"{entry['source']}: {entry['text']} {entry.get('url', '')}".strip())
        return events

    def goto(self, url: str, settle: str = "true", timeout: float = 60) -> None:
        """Load ``url`` afresh, wait for its load event, then until the JS ``settle`` expression
        (awaited) is truthy: e.g. MathJax finished typesetting."""
        self.log = PageLog()
        self.drain()
        self.send("Page.navigate", {"url": url})
        deadline = time.monotonic() + timeout
        while not any(e["method"] == "Page.loadEventFired" for e in self.drain(0.1)):
            if time.monotonic() > deadline:
                raise BrowserError(f"{url} did not finish loading within {timeout} s")
        self.wait_for(settle, timeout=max(1.0, deadline - time.monotonic()))

    def drain(self, wait: float = 0.0) -> list[dict]:
        return self._record(self.browser.drain(self.session, wait))

    def evaluate(self, expression: str, timeout: float | None = None) -> Any:
        """The value of a JS expression (promises awaited); a throw raises ``BrowserError``."""
        result = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                "returnByValue": True}, timeout)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(details.get("exception", {}).get("description") or details.get("text"))
        self.drain()
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20, interval: float = 0.1) -> Any:
        """Poll a JS expression (awaited) until it is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(f"(async () => ({expression}))()")
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out waiting for {expression}")
            self.drain(interval)

    def screenshot(self, path: Path) -> None:
        """The full page (not just the window) as a PNG: the window is made as tall as the page
        for the capture (``captureBeyondViewport`` instead drew pages shifted sideways)."""
        metrics = self.send("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        self._window(min(int(size["height"]) + 1, 30_000))
        try:
            data = self.send("Page.captureScreenshot", {"format": "png"}, timeout=60)["data"]
        finally:
            self._window(WINDOW[1])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def _window(self, height: int) -> None:
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": WINDOW[0], "height": height, "deviceScaleFactor": 1, "mobile": False})

    def close(self) -> None:
        with contextlib.suppress(BrowserError):
            self.browser.send("Target.closeTarget", {"targetId": self.target})
