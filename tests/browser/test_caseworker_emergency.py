"""A caseworker's queue at 1366 px: an emergency submitted last is on top with its marker, and
its case page opens with the deadline (#16 item 14)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from accounts.models import Municipality, User
from intake.models import Application
from tests.builders import case_make
from tests.conftest import PASSWORD

from .browser import Recorder

pytestmark = [pytest.mark.as_of("2026-11-18T10:00"), pytest.mark.browser, pytest.mark.timeout(180)]
expect.set_options(timeout=10_000)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=STOCKHOLM)


@pytest.mark.usefixtures("transactional_db")
def test_an_emergency_submitted_last_is_on_top_of_the_queue_and_its_page_shows_the_deadline(
    chromium, live_server, trelleborg: Municipality, caseworker: User
) -> None:
    for n in range(30):
        case_make(trelleborg, caseworker, submitted_at=NOW - timedelta(days=1, minutes=n))
    emergency = case_make(trelleborg, caseworker, submitted_at=NOW - timedelta(minutes=2))
    Application.objects.filter(pk=emergency.pk).update(
        emergency_no_food=True,
        emergency_eviction_notice=True,
        emergency_declared_at=NOW - timedelta(minutes=2),
        decision_due_at=NOW + timedelta(hours=4) - timedelta(minutes=2),
    )
    recorder = Recorder()
    context = chromium.new_context(
        locale="sv-SE", timezone_id="Europe/Stockholm", viewport={"width": 1366, "height": 768}
    )
    recorder.attach(context, "caseworker")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/personal/logga-in/")
        page.get_by_label("Användarnamn").fill(caseworker.username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        expect(page.get_by_role("heading", name="Ärendekö", level=1)).to_be_visible()

        first = page.locator("#queue-table tbody tr").first
        expect(first).to_contain_text(emergency.reference)
        marker = first.locator(".emergency-marker")
        expect(marker).to_have_text("Akut")
        expect(marker).to_be_visible()
        box = marker.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1366  # on screen, not cut off

        first.get_by_role("link", name=emergency.reference).click()
        expect(page.get_by_role("heading", name=f"Ärende {emergency.reference}")).to_be_visible()
        banner = page.locator("#case-emergency")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("Beslut senast onsdag 18 november 2026 kl. 13:58")
        expect(banner).to_contain_text("Inga pengar till mat i dag.")
        assert banner.bounding_box()["y"] < page.locator("#declared-heading").bounding_box()["y"]
        assert not recorder.page_errors and not recorder.real_failures()
    finally:
        context.close()
