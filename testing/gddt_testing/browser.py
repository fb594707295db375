"""Browser tests with Playwright and Debian's chromium, as a pytest plugin (src/gddt/conftest.py loads it with
`pytest_plugins = [..., "gddt_testing.browser"]`).

A test that requests `browser` (or `phone_page`) is skipped when /usr/bin/chromium is absent on a laptop,
and fails under CI=true, where a missing browser is a broken machine, not a reason to test less."""

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, connections

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 360, "height": 740}


def chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing, and CI=true requires the browser tests: apt-get install chromium")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); under CI=true this fails instead")


@pytest.fixture
def browser(monkeypatch) -> Iterator:
    """A headless chromium for one test. Playwright's sync API runs an event loop in this thread, so Django's
    ORM calls made by the test itself need DJANGO_ALLOW_ASYNC_UNSAFE while it is open."""
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()
            # The test's own queries ran in the context of Playwright's event loop, which Django keys its
            # connections by: close them here, or PostgreSQL refuses to drop the test database at the end.
            connections.close_all()


@pytest.fixture
def phone_page(browser) -> Iterator:
    """A page in a 360x740 touch-screen viewport, as a cheap phone shows it."""
    context = browser.new_context(
        viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


def wait_until(page, expression: str, timeout: float = 20.0) -> None:
    """Polls a JavaScript expression from the test side. Playwright's wait_for_function evaluates a string inside
    the page, which the strict Content-Security-Policy (no 'unsafe-eval') rightly refuses."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        time.sleep(0.1)


@pytest.fixture
def one_request_at_a_time(live_server, monkeypatch):
    """On SQLite the test database lives in memory, as ONE connection that the server's threads share; a page
    loads its photos in parallel, so the server answers one request at a time there (PostgreSQL needs no help)."""
    if connection.vendor != "sqlite":
        return
    httpd = live_server.thread.httpd
    application = httpd.get_app()
    lock = threading.Lock()

    def serial(environ, start_response):
        with lock:
            return application(environ, start_response)

    monkeypatch.setattr(httpd, "application", serial)


class FlowMeter:
    """Counts what a person does in a flow in one page: actions (a click, a typed text, a key, a chosen file), scrolls
    (an action whose target was not wholly inside the viewport, which a person would have scrolled to) and page
    loads (full loads of the top page, and tabs that open). Figures for the issue's note, never timed assertions."""

    def __init__(self, page) -> None:
        import time

        self.page = page
        self.actions = 0
        self.scrolls = 0
        self.loads = 0
        self.started = time.monotonic()
        self.stopped: float | None = None
        page.on("load", lambda _page: self._loaded())
        page.context.on("page", lambda _page: self._loaded())

    def _loaded(self) -> None:
        self.loads += 1

    def reach(self, locator) -> None:
        """Scrolls to `locator` as a person would (counted) when any part of it lies outside the viewport."""
        locator.wait_for(state="visible")
        box = locator.bounding_box()
        view = self.page.viewport_size
        inside = (
            box is not None
            and box["y"] >= 0
            and box["x"] >= 0
            and (box["y"] + box["height"] <= view["height"] and box["x"] + box["width"] <= view["width"])
        )
        if not inside:
            self.scrolls += 1
            locator.scroll_into_view_if_needed()

    def click(self, locator) -> None:
        self.reach(locator)
        self.actions += 1
        locator.click()

    def type(self, locator, text: str) -> None:
        self.reach(locator)
        self.actions += 1
        locator.fill(text)

    def press(self, locator, key: str) -> None:
        self.actions += 1
        locator.press(key)

    def choose_file(self, target, file_input, path) -> None:
        """Clicking `target` (the visible picker) and choosing the file in the dialog: one action."""
        self.reach(target)
        self.actions += 1
        file_input.set_input_files(str(path))

    def seconds(self) -> float:
        """From the start to the last report (or now)."""
        import time

        return (self.stopped or time.monotonic()) - self.started

    def report(self, name: str) -> str:
        import time

        self.stopped = time.monotonic()
        line = (
            f"{name}: {self.actions} actions, {self.scrolls} scrolls, {self.loads} page loads, {self.seconds():.1f} s"
        )
        print(line)
        return line


AXE = Path(__file__).parent / "fixtures" / "axe.min.js"
# Records window.print() in every frame (the PDF viewer's too) instead of opening the dialog, which a headless
# browser cannot show: a test reads the paths of the printed documents from window.top.__prints.
PRINT_RECORDER = (
    "window.print = function () { try { (window.top.__prints = window.top.__prints || []).push(location.pathname); }"
    " catch (error) {} };"
)


def axe_violations(page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core's violations of the page at `impacts`, as "rule: target" lines. The script goes in through the
    DevTools protocol (page.evaluate), which the page's Content-Security-Policy does not govern."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found = page.evaluate(
        "async () => (await window.axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [f"{v['id']} ({v['impact']}): {', '.join(v['targets'][:5])}" for v in found if v["impact"] in impacts]
