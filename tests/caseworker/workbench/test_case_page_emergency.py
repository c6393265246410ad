"""The case page shows an open emergency's deadline first (#16 item 14)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Municipality, User
from intake.models import Application
from intake.states import Status
from tests.builders import case_make, client_for

pytestmark = pytest.mark.usefixtures("frozen_wednesday")

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_an_emergency_case_page_shows_its_deadline_above_everything_else(
    trelleborg: Municipality, caseworker: User
) -> None:
    declared = datetime(2026, 11, 17, 20, 25, tzinfo=STOCKHOLM)  # Tuesday evening
    case = case_make(trelleborg, caseworker)
    Application.objects.filter(pk=case.pk).update(
        emergency_no_food=True,
        emergency_eviction_notice=True,
        emergency_declared_at=declared,
        decision_due_at=datetime(2026, 11, 18, 10, 0, tzinfo=STOCKHOLM),
    )
    html = client_for(caseworker).get(f"/handlaggare/arende/{case.pk}/").content.decode()
    banner = html.index('id="case-emergency"')
    assert banner < html.index('id="declared-heading"')
    assert "Beslut senast onsdag 18 november 2026 kl. 10:00" in html
    assert "Inga pengar till mat i dag." in html and "Vräkningsbesked." in html
    assert "utanför kontorstid" in html


def test_no_banner_for_an_ordinary_or_decided_case(
    trelleborg: Municipality, caseworker: User
) -> None:
    ordinary = case_make(trelleborg, caseworker)
    decided = case_make(trelleborg, caseworker, status=Status.APPROVED)
    Application.objects.filter(pk=decided.pk).update(
        emergency_no_food=True, emergency_declared_at=datetime(2026, 11, 2, tzinfo=STOCKHOLM)
    )
    client = client_for(caseworker)
    for case in (ordinary, decided):
        page = client.get(f"/handlaggare/arende/{case.pk}/")
        assert page.status_code == 200
        assert 'id="case-emergency"' not in page.content.decode()
