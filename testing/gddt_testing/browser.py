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
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
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
    context = browser.new_context(viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="vi-VN")
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
