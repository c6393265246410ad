"""The case page: declared beside register, one access-log row per request, a fixed number of
queries whatever the number of warnings, journal entries and events."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from caseworker.audit import journal_write
from caseworker.models import AccessLog
from caseworker.services import decision_record
from eligibility.models import CaseWarning, RegisterSnapshot
from intake.models import Application, ApplicationEvent, DeclaredIncome
from tests.conftest import PNR_ALVA, PNR_CHILD

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=STOCKHOLM)


@pytest.fixture(autouse=True)
def frozen_wednesday() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(WEDNESDAY, tick=False) as traveller:
        yield traveller


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def case_url_names() -> list[tuple[str, list[str]]]:
    """Every caseworker URL under arende/<pk>/ with the names of its arguments."""
    found = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "caseworker":
            for pattern in entry.url_patterns:
                assert isinstance(pattern, URLPattern)
                route = str(pattern.pattern)
                if route.startswith("arende/<int:pk>/"):
                    found.append((pattern.name, list(pattern.pattern.converters)))
    return found


def test_the_enumeration_finds_the_case_page_and_its_actions() -> None:
    names = {name for name, _args in case_url_names()}
    assert {"case_detail", "case_warnings", "case_journal", "case_calculation"} <= names
    assert len(names) >= 10


def test_every_get_of_a_case_url_writes_exactly_one_access_log_row(
    submitted_application: Application,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    """On a decided case, so that the decision's letter exists for the letter URL too."""
    with django_capture_on_commit_callbacks(execute=True):
        decision_record(
            application=submitted_application,
            caseworker=caseworker,
            outcome="approved",
            reason="Ja.",
            amount=Decimal(1000),
        )
    client = client_for(caseworker)
    for name, args in case_url_names():
        kwargs = {arg: submitted_application.pk if arg == "pk" else 999999 for arg in args}
        before = AccessLog.objects.count()
        response = client.get(reverse(f"caseworker:{name}", kwargs=kwargs))
        assert response.status_code in (200, 302, 404), (name, response.status_code)
        rows = list(AccessLog.objects.order_by("-id")[: AccessLog.objects.count() - before])
        assert len(rows) == 1, name
        assert (rows[0].user, rows[0].application_id) == (caseworker, submitted_application.pk)


def test_an_action_writes_one_change_row(submitted_application: Application, caseworker: User):
    client_for(caseworker).post(
        reverse("caseworker:case_journal", args=[submitted_application.pk]), {"text": "Notering."}
    )
    row = AccessLog.objects.get()
    assert (row.action, row.detail) == ("change", "case_journal")


def test_the_page_shows_declared_beside_register_with_differences_marked(
    submitted_application: Application, caseworker: User
) -> None:
    application = submitted_application
    DeclaredIncome.objects.create(application=application, type="salary", amount=3000)
    Application.objects.filter(pk=application.pk).update(robot_round=7)
    RegisterSnapshot.objects.create(
        application=application,
        source="population",
        round=7,
        status="ok",
        payload={
            "persons": [
                {
                    "personnummer": PNR_ALVA,
                    "found": True,
                    "household": [
                        {"relation": "barn", "personnummer": PNR_CHILD, "name": "Okänt Barn"}
                    ],
                    "payments": [
                        {
                            "kind": "salary",
                            "gross": "5000",
                            "tax": "1000",
                            "net": "4000",
                            "paid_on": "2026-10-25",
                        }
                    ],
                }
            ]
        },
    )
    response = client_for(caseworker).get(reverse("caseworker:case_detail", args=[application.pk]))
    comparison = response.context["comparison"]
    salary = next(r for r in comparison.incomes if r.kind == "salary")
    assert (salary.declared, salary.register, salary.differs) == (3000, 4000, True)
    child = next(m for m in comparison.members if m.personnummer == PNR_CHILD)
    assert (child.declared, child.in_register, child.differs) == (False, True, True)
    html = response.content.decode()
    assert "Okänt Barn" in html and "skiljer sig" in html


def _grow(application: Application, user: User, n: int) -> None:
    CaseWarning.objects.bulk_create(
        CaseWarning(application=application, kind="new_cost", key=f"k{n}-{i}", message=f"V {i}")
        for i in range(n)
    )
    for i in range(n):
        journal_write(application=application, text=f"Anteckning {i}", author=user)
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(
            application=application,
            from_status="awaiting_caseworker",
            to_status="awaiting_caseworker",
            actor_kind="caseworker",
            actor=user,
        )
        for _ in range(n)
    )


def test_the_case_page_query_count_does_not_grow_with_the_case(
    submitted_application: Application, caseworker: User
) -> None:
    client = client_for(caseworker)
    url = reverse("caseworker:case_detail", args=[submitted_application.pk])
    client.get(url)  # warm caches (sessions, content types)
    _grow(submitted_application, caseworker, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _grow(submitted_application, caseworker, 27)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries][-40:]
    assert len(few) <= 45
