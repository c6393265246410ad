"""Helpers for the applicant's browser tests: a phone-sized context, e-ID test login, axe."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
_axe = Axe()


def phone(chromium, **options):
    context = chromium.new_context(
        locale="sv-SE", timezone_id="Europe/Stockholm", **PHONE, **options
    )
    context.set_default_timeout(10_000)
    return context


def login(page, base: str, personnummer: str) -> None:
    page.goto(f"{base}/e-legitimation/")
    page.get_by_role("button", name=re.compile(personnummer)).click()
    page.wait_for_url(re.compile(r"/ansokan/"))


def assert_accessible(page, seen: list[str] | None = None) -> None:
    """Zero axe-core violations at WCAG 2.1 A and AA on the page as it is now."""
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    violations = results.response["violations"]
    assert not violations, f"{page.url}: " + "; ".join(
        f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})" for v in violations
    )
    if seen is not None:
        seen.append(page.url)


def error_summary(page):
    """The page's error summary (role=alert). Not `get_by_role("alert")`: the idle-session banner
    is an alert too, and until session.js has run on a freshly loaded page (later when a script
    is revalidated) both match."""
    return page.locator(".error-summary[role=alert]")
