"""Monthly statistics and the CSV export (#7): figures match a hand-computed fixture."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from accounts.models import Municipality, Role, User
from caseworker.caseload.statistics import month_statistics, nearest_rank
from eligibility.models import CaseWarning, Proposal
from intake.models import Decision
from intake.states import Status
from tests.builders import case_make
from tests.conftest import PASSWORD

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOVEMBER = date(2026, 11, 1)
BASE = datetime(2026, 11, 10, 8, 0, tzinfo=STOCKHOLM)


def test_nearest_rank_percentiles() -> None:
    values = [Decimal(v) for v in (5, 1, 4, 2, 3)]
    assert nearest_rank(values, 50) == 3 and nearest_rank(values, 90) == 5
    assert nearest_rank([], 50) is None


@pytest.fixture
def month(trelleborg: Municipality, caseworker: User) -> None:
    """Five November decisions, hours from submission 2, 4, 10, 20, 30 (p50 10, p90 30).

    1. automated approval, follows the proposal, work track, within the deadline
    2. caseworker approval as proposed, work track, warning new_cost acknowledged (dismissed)
    3. caseworker approval with another amount, social track, warnings new_cost + asset_found
       (both overridden), past the deadline
    4. caseworker rejection where the robot found the household not eligible (as proposed),
       work track
    5. caseworker approval with no proposal, undecided track
    """
    specs = [
        (2, None, "1000", True, "1000", "work", True),
        (4, caseworker, "1000", True, "1000", "work", True),
        (10, caseworker, "900", True, "1000", "social", False),
        (20, caseworker, None, False, "0", "work", True),
        (30, caseworker, "500", None, None, "", True),
    ]
    for hours, by, amount, eligible, proposed, track, in_time in specs:
        submitted = BASE - timedelta(hours=hours)
        decided = BASE
        case = case_make(
            trelleborg,
            caseworker,
            status=Status.APPROVED if amount else Status.REJECTED,
            submitted_at=submitted,
            decision_due_at=decided + timedelta(hours=1)
            if in_time
            else decided - timedelta(hours=1),
            track=track,
        )
        if eligible is not None:
            Proposal.objects.create(
                application=case,
                eligible=eligible,
                amount=Decimal(proposed),
                norm=Decimal(0),
                parameter_version="t",
                as_of=NOVEMBER,
            )
        decision = Decision.objects.create(
            application=case,
            outcome="approved" if amount else "rejected",
            amount=Decimal(amount or 0),
            reason="x",
            decided_by=by,
            automated_function="" if by else "Roboten",
            delegation_reference="" if by else "SN §1",
        )
        Decision.objects.filter(pk=decision.pk).update(decided_at=decided)
        if hours == 4:
            CaseWarning.objects.create(
                application=case, kind="new_cost", key="a", message="x", acknowledged_at=BASE
            )
        if hours == 10:
            CaseWarning.objects.create(application=case, kind="new_cost", key="b", message="x")
            CaseWarning.objects.create(application=case, kind="asset_found", key="c", message="x")
    # An October decision is not counted.
    other = case_make(trelleborg, caseworker, status=Status.APPROVED, submitted_at=BASE)
    old = Decision.objects.create(
        application=other, outcome="approved", amount=1, reason="x", decided_by=caseworker
    )
    Decision.objects.filter(pk=old.pk).update(
        decided_at=datetime(2026, 10, 31, 23, 0, tzinfo=STOCKHOLM)
    )


@pytest.mark.usefixtures("month")
def test_month_statistics_match_the_hand_computed_fixture(trelleborg: Municipality) -> None:
    stats = month_statistics(municipality_id=trelleborg.pk, month=NOVEMBER)
    assert stats.decisions == 5
    assert stats.p50_hours == Decimal("10.00") and stats.p90_hours == Decimal("30.00")
    assert stats.within_target == 4 and stats.within_target_share == Decimal("0.800")
    assert stats.automated == 1 and stats.as_proposed == 2
    assert stats.automated_or_as_proposed_share == Decimal("0.600")
    kinds = {row.kind: row for row in stats.warning_kinds}
    assert (kinds["new_cost"].total, kinds["new_cost"].overridden, kinds["new_cost"].dismissed) == (
        2,
        1,
        1,
    )
    assert kinds["new_cost"].override_rate == Decimal("0.500")
    assert kinds["asset_found"].override_rate == Decimal("1.000")
    assert kinds["asset_found"].dismissal_rate == Decimal("0.000")
    assert stats.tracks == {"work": 3, "social": 1, "undecided": 1}
    assert stats.work_share == Decimal("0.750") and stats.social_share == Decimal("0.250")


@pytest.mark.usefixtures("month")
def test_statistics_page_and_csv_export(
    trelleborg: Municipality, make_staff: Callable[..., User], client: Client
) -> None:
    lead = make_staff("ledare", Role.TEAM_LEAD, trelleborg)
    client.login(username=lead.username, password=PASSWORD)
    page = client.get("/handlaggare/statistik/?manad=2026-11")
    assert page.status_code == 200 and 'id="stat-p90">30' in page.content.decode()
    # Shares per warning kind as percent, never "0,500" or "1,000" (#18 stranger run).
    html = page.content.decode()
    warnings_table = html[
        html.index('id="stats-warnings"') : html.index(
            "</table>", html.index('id="stats-warnings"')
        )
    ]
    assert "50\u00a0%" in warnings_table and "100\u00a0%" in warnings_table
    assert "0,500" not in warnings_table and "1,000" not in warnings_table
    export = client.get("/handlaggare/statistik.csv?manad=2026-11")
    assert export["Content-Type"].startswith("text/csv")
    rows = {
        (r[0], r[1]): r[2] for r in csv.reader(io.StringIO(export.content.decode()), delimiter=";")
    }
    assert rows[("beslut", "antal")] == "5"
    assert rows[("beslutstid_timmar", "p50")] == "10.00"
    assert rows[("varning:new_cost", "ändrat_andel")] == "0.500"
    assert rows[("spår", "socialt_andel")] == "0.250"
    assert rows[("spår", "antaget_socialt_andel")] == "0.15"
