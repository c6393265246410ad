"""Browser fixtures: one chromium for the session, driven through Playwright's sync API.

Playwright's sync API keeps an asyncio loop on the test's thread, which makes Django refuse ORM
calls from that thread ("SynchronousOnlyOperation"). The ORM calls here are plain, synchronous
test set-up and look-ups, so we allow them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .browser import CHROMIUM, CHROMIUM_ARGS, chromium_problem, in_ci

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"chromium not installed: {reason}")


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """A launched, headless Debian chromium (playwright.sync_api.Browser)."""
    problem = chromium_problem()
    if problem:
        _unavailable(problem)
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _unavailable(f"playwright is not installed ({exc})")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except PlaywrightError as exc:
        playwright.stop()
        _unavailable(f"{CHROMIUM} did not start: {str(exc).splitlines()[0]}")
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()
