"""The queue's facet counts kept in a table (#20 c): every change that moves a case updates them
in its own transaction, the time buckets are exact on their boundary days, and the
reconciliation (manage.py queue_counts_reconcile) proves them equal to a full count."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Municipality, Role, User
from bench.queue_rows import queue_rows_create
from caseworker.decisions.households import household_link_resolve
from caseworker.decisions.services import application_track_set, case_warning_acknowledge
from caseworker.models import QueueCount, QueueCountEntry
from caseworker.models.queue import LONG_AGO
from caseworker.workbench.assignment import applications_assign
from caseworker.workbench.queue import (
    AGE_VALUES,
    DEADLINE_VALUES,
    QueueParams,
    queue_counts,
    queue_filtered,
)
from caseworker.workbench.queue_counts import (
    queue_counts_compact,
    queue_counts_differences,
    queue_counts_refresh,
)
from eligibility.models import CaseWarning, HouseholdLink, HouseholdLinkResolution, WarningStatus
from intake.models import Application, Decision
from intake.models.queue_facts import QueueFactsChange
from intake.services.emergency import application_emergency_declare
from intake.services.lifecycle import application_withdraw
from intake.states import Status
from tests.builders import case_make

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=STOCKHOLM)  # a Wednesday

pytestmark = pytest.mark.as_of("2026-11-18T10:00")

_keys = itertools.count(1)


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def colleague(make_staff: Callable[..., User], trelleborg: Municipality) -> User:
    return make_staff("kollega", Role.CASEWORKER, trelleborg)


def reconciled() -> bool:
    differences = queue_counts_differences()
    assert differences == [], differences
    return True


def counts_match_the_filters(
    user: User, colleagues: list[User], now: datetime = NOW, **chosen: str
) -> None:
    """Every count the queue shows equals the number of cases its filter lists."""
    params = QueueParams(**chosen)
    ids = [c.pk for c in colleagues]
    counts = queue_counts(user=user, params=params, now=now, colleague_ids=ids)
    for facet, values in counts.items():
        for value, count in values.items():
            narrowed = replace(params, **{facet: value})
            expected = queue_filtered(user=user, params=narrowed, now=now).count()
            assert count == expected, (facet, value, count, expected)


def warning_make(application: Application, status: str = WarningStatus.OPEN) -> CaseWarning:
    return CaseWarning.objects.create(
        application=application,
        kind="income_changed",
        key=f"test-{next(_keys)}",
        message="Inkomst har ändrats",
        status=status,
    )


def test_a_submitted_case_robot_and_decision_keep_the_table_exact(
    submitted_application: Application, decide: Callable[..., Decision], caseworker: User
) -> None:
    # Submitted through the service and processed by the robot (warnings, proposal, status).
    assert QueueCountEntry.objects.filter(application=submitted_application).exists()
    assert reconciled()
    counts_match_the_filters(caseworker, [caseworker])
    for warning in submitted_application.warnings.filter(status=WarningStatus.OPEN):
        case_warning_acknowledge(
            application=submitted_application, warning_pk=warning.pk, by=caseworker, note="Sett."
        )
    assert reconciled()
    decide(submitted_application)
    submitted_application.refresh_from_db()
    assert submitted_application.status == Status.APPROVED
    assert QueueCountEntry.objects.get(application=submitted_application).status == Status.APPROVED
    assert reconciled()
    counts_match_the_filters(caseworker, [caseworker], status="decided")


def test_a_draft_is_never_counted_and_a_withdrawn_case_moves(
    make_draft: Callable[..., Application], applicant: User, submitted_waiting: Application
) -> None:
    draft = make_draft(applicant, month=date(2026, 12, 1))
    assert not QueueCountEntry.objects.filter(application=draft).exists()
    assert QueueCountEntry.objects.get(application=submitted_waiting).status == Status.SUBMITTED
    application_withdraw(application=submitted_waiting, applicant=applicant)
    entry = QueueCountEntry.objects.get(application=submitted_waiting)
    assert entry.status == Status.WITHDRAWN
    assert reconciled()


def test_track_owner_and_emergency_changes_move_the_case(
    trelleborg: Municipality, caseworker: User, colleague: User
) -> None:
    case = case_make(trelleborg, caseworker, submitted_at=NOW - timedelta(days=3))
    application_track_set(application=case, by=caseworker, track="work")
    assert QueueCountEntry.objects.get(application=case).track == "work"
    applications_assign(applications=[case], owner=colleague, by=caseworker)
    assert QueueCountEntry.objects.get(application=case).owner_id == colleague.pk
    application_emergency_declare(
        application=case,
        by=case.applicant,
        no_food=True,
        eviction_notice=False,
        disconnection_notice=False,
    )
    entry = QueueCountEntry.objects.get(application=case)
    assert entry.emergency
    assert reconciled()
    counts_match_the_filters(caseworker, [caseworker, colleague], emergency="yes")


def test_warnings_opened_acknowledged_and_closed_move_the_case(
    trelleborg: Municipality, caseworker: User
) -> None:
    case = case_make(trelleborg, caseworker, submitted_at=NOW - timedelta(days=1))
    warning = warning_make(case)
    assert QueueCountEntry.objects.get(application=case).live_warning
    case_warning_acknowledge(application=case, warning_pk=warning.pk, by=caseworker, note="Sett.")
    assert QueueCountEntry.objects.get(application=case).live_warning  # acknowledged: still live
    CaseWarning.objects.filter(pk=warning.pk).update(status=WarningStatus.CLOSED)
    assert not QueueCountEntry.objects.get(application=case).live_warning
    warnings = CaseWarning.objects.bulk_create(
        [
            CaseWarning(application=case, kind="income_changed", key="bulk", message="m"),
        ]
    )
    assert QueueCountEntry.objects.get(application=case).live_warning
    warnings[0].status = WarningStatus.CLOSED
    CaseWarning.objects.bulk_update(warnings, ["status"])
    assert not QueueCountEntry.objects.get(application=case).live_warning
    assert reconciled()
    counts_match_the_filters(caseworker, [caseworker], warnings="no")


def test_a_household_link_moves_both_cases_and_a_partners_status_too(
    trelleborg: Municipality, caseworker: User
) -> None:
    first = case_make(trelleborg, caseworker, submitted_at=NOW - timedelta(days=1))
    second = case_make(trelleborg, caseworker, submitted_at=NOW - timedelta(days=1))
    link = HouseholdLink.objects.create(first=first, second=second, who="sökande")
    assert QueueCountEntry.objects.get(application=first).household_open
    assert QueueCountEntry.objects.get(application=second).household_open
    # The second case withdrawn: the link no longer counts for the first (#16 item 3).
    Application.objects.filter(pk=second.pk).update(status=Status.WITHDRAWN)
    assert not QueueCountEntry.objects.get(application=first).household_open
    assert reconciled()
    third = case_make(trelleborg, caseworker, submitted_at=NOW - timedelta(days=1))
    other = HouseholdLink.objects.create(first=first, second=third, who="sökande")
    assert QueueCountEntry.objects.get(application=third).household_open
    household_link_resolve(
        application=first,
        link_id=other.pk,
        by=caseworker,
        resolution=HouseholdLinkResolution.SEPARATE,
        reason="Olika adresser och ekonomi.",
    )
    assert not QueueCountEntry.objects.get(application=first).household_open
    assert not QueueCountEntry.objects.get(application=third).household_open
    assert link.pk
    assert reconciled()
    counts_match_the_filters(caseworker, [caseworker], household="linked", status="all")


def test_the_boundary_days_are_counted_exactly_as_time_passes(
    trelleborg: Municipality, caseworker: User
) -> None:
    # Cases a minute either side of every age boundary and of now and midnight (the deadline
    # facets): keyed by their day, they would all be on the wrong side of something.
    moments = []
    for days in (2, 7, 30):
        moments += [NOW - timedelta(days=days, minutes=m) for m in (-1, 1)]
    midnight = datetime(2026, 11, 19, tzinfo=STOCKHOLM)
    for n, submitted in enumerate(moments):
        due = [NOW - timedelta(minutes=1), NOW + timedelta(minutes=1), midnight, None][n % 4]
        case_make(trelleborg, caseworker, submitted_at=submitted, decision_due_at=due)
    for value in AGE_VALUES:
        counts_match_the_filters(caseworker, [caseworker], age=value)
    for value in DEADLINE_VALUES:
        counts_match_the_filters(caseworker, [caseworker], deadline=value)
    # Two minutes later, nothing written: the cases a minute past a boundary crossed it.
    later = NOW + timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        for value in AGE_VALUES:
            counts_match_the_filters(caseworker, [caseworker], later, age=value)
        for value in DEADLINE_VALUES:
            counts_match_the_filters(caseworker, [caseworker], later, deadline=value)
        assert reconciled()


def test_bulk_inserted_cases_are_counted_and_the_roll_up_changes_no_count(
    trelleborg: Municipality, caseworker: User, colleague: User
) -> None:
    queue_rows_create(municipality=trelleborg, owners=[caseworker, colleague], count=400, now=NOW)
    old = case_make(trelleborg, caseworker, submitted_at=NOW - timedelta(days=60))
    assert reconciled()
    before = queue_counts(
        user=caseworker, params=QueueParams(), now=NOW, colleague_ids=[colleague.pk]
    )
    rows = QueueCount.objects.count()
    assert queue_counts_compact(NOW) > 0
    assert QueueCount.objects.count() < rows
    after = queue_counts(
        user=caseworker, params=QueueParams(), now=NOW, colleague_ids=[colleague.pk]
    )
    assert after == before
    assert reconciled()
    # A rolled-up case that changes is taken off its rolled-up count.
    assert QueueCountEntry.objects.get(application=old).submitted_on == LONG_AGO
    Application.objects.filter(pk=old.pk).update(track="social")
    assert reconciled()
    counts_match_the_filters(caseworker, [caseworker, colleague], status="all", age="30")


def test_a_deleted_case_is_taken_off(trelleborg: Municipality, caseworker: User) -> None:
    case = case_make(trelleborg, caseworker, submitted_at=NOW - timedelta(days=1))
    case.members.all().delete()
    Application.objects.filter(pk=case.pk).delete()
    assert not QueueCountEntry.objects.filter(application_id=case.pk).exists()
    assert reconciled()


def test_the_reconciliation_reports_and_fixes_a_corrupted_table(
    trelleborg: Municipality, caseworker: User
) -> None:
    cases = [
        case_make(trelleborg, caseworker, submitted_at=NOW - timedelta(days=n)) for n in (1, 9)
    ]
    out = StringIO()
    call_command("queue_counts_reconcile", stdout=out)
    assert "0 differences" in out.getvalue()
    QueueCount.objects.filter(status=Status.AWAITING_CASEWORKER).update(cases=5)
    QueueCountEntry.objects.filter(application=cases[0]).update(track="social")
    with pytest.raises(CommandError):
        call_command("queue_counts_reconcile", stdout=StringIO())
    differences = queue_counts_differences()
    assert any(d.startswith("count ") for d in differences)
    assert any(d.startswith(f"application {cases[0].pk}:") for d in differences)
    out = StringIO()
    call_command("queue_counts_reconcile", "--fix", stdout=out)
    assert "0 differences" in out.getvalue().splitlines()[-1]
    assert reconciled()


def test_a_refresh_is_idempotent_and_few_queries(
    trelleborg: Municipality, caseworker: User
) -> None:
    case = case_make(trelleborg, caseworker, submitted_at=NOW - timedelta(days=1))
    with CaptureQueriesContext(connection) as queries:
        queue_counts_refresh(QueueFactsChange(frozenset({case.pk})))
    assert len(queries) == 2  # the lock, the facts with the entry; nothing to write
    assert reconciled()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"status": "all"},
        {"status": "decided", "track": "work"},
        {"warnings": "yes", "assignee": "me"},
        {"deadline": "overdue"},
        {"age": "2", "status": "all"},
        {"deadline": "today"},
        {"status": "all", "emergency": "no", "warnings": "no", "deadline": "none"},
    ],
)
def test_the_total_on_the_queue_is_the_number_of_rows_the_filters_find(
    query: dict[str, str], trelleborg: Municipality, caseworker: User, colleague: User
) -> None:
    """The queue's "N ärenden" comes from the facet counts (no count query of its own, #20 c):
    it must be the number of cases the filters find."""
    from django.http import QueryDict
    from django.test import RequestFactory

    from caseworker.workbench.queue import queue_filtered, queue_params_parse
    from caseworker.workbench.queue_views import _queue_context

    queue_rows_create(municipality=trelleborg, owners=[caseworker, colleague], count=600, now=NOW)
    request = RequestFactory().get("/handlaggare/", query)
    request.user = caseworker
    context = _queue_context(request)  # type: ignore[arg-type]
    params = queue_params_parse(QueryDict(mutable=True) | query)  # type: ignore[operator]
    expected = queue_filtered(user=caseworker, params=params, now=NOW).count()
    assert expected > 0 or query.get("warnings") == "yes"
    assert context["total"] == expected
