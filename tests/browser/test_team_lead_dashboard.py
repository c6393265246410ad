"""The team lead opens the dashboard, sees an unacknowledged referral that has escalated, and
resolves it by acknowledging on the receiving side's behalf (#7)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Municipality, Role, User
from caseworker.caseload.referrals import referrals_escalate
from caseworker.models.caseload import Referral, StaffAlert
from tests.builders import case_make
from tests.conftest import PASSWORD

from .browser import Recorder

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
expect.set_options(timeout=10_000)


@pytest.mark.usefixtures("transactional_db")
def test_the_team_lead_resolves_an_unacknowledged_referral_from_the_dashboard(
    chromium,
    live_server,
    trelleborg: Municipality,
    caseworker: User,
    secretary: User,
    make_staff: Callable[..., User],
) -> None:
    lead = make_staff("ledare", Role.TEAM_LEAD, trelleborg)
    case = case_make(trelleborg, caseworker)
    referral = Referral.objects.create(
        application=case,
        direction="work_to_social",
        from_owner=secretary,
        to_owner=caseworker,
        reason="Hälsan gör det svårt att arbeta.",
        acknowledge_by=timezone.now() - timedelta(hours=1),
    )
    referrals_escalate()
    assert StaffAlert.objects.filter(referral=referral, resolved_at__isnull=True).exists()
    recorder = Recorder()
    context = chromium.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    recorder.attach(context, "team_lead")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/personal/logga-in/")
        page.get_by_label("Användarnamn").fill(lead.username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.goto(f"{live_server.url}/handlaggare/ledning/")
        expect(page.get_by_role("heading", name="Ledningsöversikt", level=1)).to_be_visible()
        expect(page.locator("#figure-unacknowledged")).to_have_text("1")
        expect(page.locator("#dashboard-alerts")).to_contain_text(case.reference)
        row = page.locator(f"#referral-row-{referral.pk}")
        expect(row).to_contain_text("Försenad")
        row.get_by_role("button", name="Kvittera").click()
        expect(page.locator("#figure-unacknowledged")).to_have_text("0")
        expect(page.locator("#unacknowledged-referrals")).to_contain_text(
            "Inga öppna överlämningar."
        )
        expect(page.locator("#figure-unassigned")).to_have_text("0")
        assert not recorder.page_errors and not recorder.real_failures()
    finally:
        context.close()
    referral.refresh_from_db()
    assert referral.acknowledged_by == lead
    assert not StaffAlert.objects.filter(referral=referral, resolved_at__isnull=True).exists()
