"""The team lead's dashboard (#7): figures match a hand-computed fixture."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from accounts.models import Municipality, Role, User
from caseworker.caseload.dashboard import dashboard_for
from caseworker.models.caseload import OutreachTask, Referral, SilenceSignal, StaffAlert
from intake.models import ApplicationKind
from intake.states import Status
from notifications.models import Notification
from tests.builders import applicant_make, case_make, client_for
from tests.conftest import PASSWORD

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=STOCKHOLM)
NOVEMBER = date(2026, 11, 1)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team(make_staff: Callable[..., User], trelleborg: Municipality, secretary: User) -> dict:
    anna = make_staff("anna", Role.CASEWORKER, trelleborg)
    bo = make_staff("bo", Role.CASEWORKER, trelleborg)
    lead = make_staff("ledare", Role.TEAM_LEAD, trelleborg)
    # anna: a first application with 2 children (1 + 0.5 + 0.5 = 2.0), overdue;
    #       a renewal (1.0) due tomorrow; an approved November case (forecast, not open).
    overdue = case_make(
        trelleborg,
        anna,
        kind=ApplicationKind.NEW,
        children=2,
        decision_due_at=NOW - timedelta(hours=2),
    )
    case_make(trelleborg, anna, decision_due_at=NOW + timedelta(days=1))
    case_make(trelleborg, anna, status=Status.APPROVED)
    # bo: one renewal waiting for a supplement past its deadline (paused: not overdue) = 1.0
    case_make(
        trelleborg, bo, status=Status.AWAITING_SUPPLEMENT, decision_due_at=NOW - timedelta(days=2)
    )
    # a rejected November case does not forecast a renewal; a draft is nobody's case yet
    case_make(trelleborg, bo, status=Status.REJECTED)
    case_make(trelleborg, None, status=Status.DRAFT)
    referral = Referral.objects.create(
        application=overdue,
        direction="work_to_social",
        from_owner=secretary,
        to_owner=bo,
        reason="Behöver stöd",
        acknowledge_by=NOW - timedelta(hours=1),
    )
    quiet = case_make(trelleborg, bo, status=Status.APPROVED, month=date(2026, 10, 1))
    signal = SilenceSignal.objects.create(
        trigger="no_reapplication",
        applicant=quiet.applicant,
        month=NOVEMBER,
        application=quiet,
        municipality=trelleborg,
    )
    OutreachTask.objects.create(
        signal=signal,
        application=quiet,
        municipality=trelleborg,
        assigned_to=bo,
        text="Ring",
        due_at=NOW + timedelta(days=5),
    )
    Notification.objects.create(
        recipient=applicant_make(),
        application=case_make(trelleborg, bo, status=Status.APPROVED, month=date(2026, 10, 1)),
        kind="message",
        channel="sms",
        body="x",
        status="failed",
        attempts=5,
    )
    return {"anna": anna, "bo": bo, "lead": lead, "overdue": overdue, "referral": referral}


def test_dashboard_figures_match_the_hand_computed_fixture(team: dict) -> None:
    board = dashboard_for(team["lead"])
    rows = {row.user.username: row for row in board.owners}
    assert (rows["anna"].cases, rows["anna"].load, rows["anna"].overdue) == (2, Decimal("3.0"), 1)
    assert (rows["bo"].cases, rows["bo"].load, rows["bo"].overdue) == (1, Decimal("1.0"), 0)
    assert rows["anna"].ceiling == Decimal("35")
    # November: anna has 2 open + 1 approved = 3 households; bo has 1 open (supplement), the
    # rejected one does not renew.
    assert rows["anna"].renewals_next_month == 3 and rows["bo"].renewals_next_month == 1
    assert board.renewals_next_month == 4
    assert [a.pk for a in board.overdue] == [team["overdue"].pk]
    assert [r.pk for r in board.unacknowledged] == [team["referral"].pk]
    assert len(board.outreach) == 1
    assert board.unassigned == 0
    assert board.unreachable == 1


def test_the_dashboard_page_is_for_team_leads(team: dict, client: Client) -> None:
    client.login(username=team["anna"].username, password=PASSWORD)
    assert client.get("/handlaggare/ledning/").status_code == 403
    client.login(username=team["lead"].username, password=PASSWORD)
    page = client.get("/handlaggare/ledning/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="figure-unassigned">0<' in html and 'id="figure-overdue">1<' in html
    assert 'id="figure-unacknowledged">1<' in html and team["overdue"].reference in html


@pytest.mark.django_db
def test_sixteen_ceiling_alarms_show_as_one_group_with_its_count(
    make_staff: Callable[..., User], trelleborg: Municipality
) -> None:
    """#18: sixteen near-identical "Alla handläggare över taket" alarms were sixteen lines."""
    lead = make_staff("ledare", Role.TEAM_LEAD, trelleborg)
    for n in range(16):
        StaffAlert.objects.create(
            municipality=trelleborg,
            kind="ceiling_exceeded",
            text=f"Alla handläggare över taket ({n})",
            dedupe_key=f"ceiling-{n}",
        )
    StaffAlert.objects.create(
        municipality=trelleborg, kind="emergency", text="Akut ärende", dedupe_key="emergency-1"
    )
    board = dashboard_for(lead)
    assert [(g.kind, g.count) for g in board.alert_groups] == [
        ("emergency", 1),
        ("ceiling_exceeded", 16),
    ]
    page = client_for(lead).get("/handlaggare/ledning/").content.decode()
    assert page.count('class="alert-group"') == 2 and "(16 larm)" in page


@pytest.mark.django_db
def test_caseloads_link_to_the_queue_filtered_by_that_caseworker(team: dict) -> None:
    """#18: a team lead goes from a caseload to that person's cases in one click."""
    page = client_for(team["lead"]).get("/handlaggare/ledning/").content.decode()
    anna = team["anna"]
    assert f'href="/handlaggare/?assignee={anna.pk}"' in page
    queue = client_for(team["lead"]).get(f"/handlaggare/?assignee={anna.pk}")
    assert queue.status_code == 200
    owners = {row.owner_id for row in queue.context["rows"]}
    assert owners == {anna.pk}
