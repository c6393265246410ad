"""The case page costs the same number of queries for a case with three years of history as for
a new one (#20 target f): 36 earlier months of the same case, each submitted, assessed by the
robot (snapshots, proposal, warnings, a meeting), journalled and approved (letter, notice,
payment order), against a new case in the same state. Counted per page and per partial the page
links to; no timing here (bench/run.py measures the time)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Municipality, User
from caseworker.models import JournalEntry, PaymentOrder
from eligibility.models import Proposal, RegisterSnapshot
from intake.models import Application, Decision
from meetings.models import Meeting
from notifications.models import Notification
from tests.builders import case_with_history_make, client_for

pytestmark = pytest.mark.usefixtures("frozen_wednesday")

MONTH = date(2026, 11, 1)  # the month of the suite's frozen Wednesday
HISTORY_MONTHS = 36
# The page and the partials its htmx forms swap in (nothing is fetched on open).
CASE_URL_NAMES = ("case_detail", "case_warnings", "case_journal", "case_calculation")


@pytest.fixture
def long_and_new(
    no_stickprov: Municipality,
    caseworker: User,
    secretary: User,
    applicant: User,
    other_applicant: User,
    django_capture_on_commit_callbacks: Callable,
) -> tuple[Application, Application]:
    def after_commit() -> AbstractContextManager[object]:
        return django_capture_on_commit_callbacks(execute=True)

    long = case_with_history_make(
        applicant=applicant,
        municipality=no_stickprov,
        owner=caseworker,
        month=MONTH,
        months=HISTORY_MONTHS,
        after_commit=after_commit,
    )
    new = case_with_history_make(
        applicant=other_applicant,
        municipality=no_stickprov,
        owner=caseworker,
        month=MONTH,
        months=0,
        after_commit=after_commit,
    )
    return long, new


def _history(application: Application) -> list[Application]:
    chain = []
    earlier = application.previous
    while earlier is not None:
        chain.append(earlier)
        earlier = earlier.previous
    return chain


def _queries(client: Client, name: str, application: Application) -> list[str]:
    url = reverse(f"caseworker:{name}", args=[application.pk])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (name, response.status_code)
    return [query["sql"] for query in captured.captured_queries]


def _counts(client: Client, application: Application) -> dict[str, int]:
    return {name: len(_queries(client, name, application)) for name in CASE_URL_NAMES}


def _history_checked(long: Application, new: Application) -> list[Application]:
    """The long case really has three years of decided months with what they leave behind."""
    history = _history(long)
    assert len(history) == HISTORY_MONTHS and _history(new) == []
    assert history[-1].month == date(2023, 11, 1)
    assert Decision.objects.filter(application__in=history).count() == HISTORY_MONTHS
    assert PaymentOrder.objects.filter(decision__application__in=history).count() == (
        HISTORY_MONTHS
    )
    for model in (Proposal, RegisterSnapshot, JournalEntry, Meeting, Notification):
        assert model.objects.filter(application__in=history).count() >= HISTORY_MONTHS, model
    assert long.status == new.status == "awaiting_caseworker"
    return history


def test_a_case_with_36_months_of_history_costs_the_same_queries_as_a_new_one(
    long_and_new: tuple[Application, Application],
    caseworker: User,
    record_property: Callable[[str, object], None],
) -> None:
    long, new = long_and_new
    _history_checked(long, new)
    client = client_for(caseworker)
    _counts(client, new)  # warm: the session row, content types
    new_counts = _counts(client, new)
    long_counts = _counts(client, long)
    print(f"\ncase page queries: new case {new_counts}, 36 months of history {long_counts}")
    record_property("case_page_queries_new", new_counts)
    record_property("case_page_queries_36_months", long_counts)
    assert long_counts == new_counts, "\n".join(_queries(client, "case_detail", long))
    # Both offer the approval on the first screen, so the same code ran for both.
    pages = [client.get(reverse("caseworker:case_detail", args=[a.pk])) for a in (long, new)]
    assert all(page.context["quick"] is not None for page in pages)
    # The long case carries its track on from the month before (the new one has none yet).
    assert pages[0].context["quick"]["track"] == "work"
    assert pages[0].context["form"].initial["track"] == "work"
    assert pages[1].context["quick"]["track"] == ""


def test_a_track_recorded_36_months_back_is_found_with_the_same_queries(
    long_and_new: tuple[Application, Application], caseworker: User
) -> None:
    """Decisions from before tracks were recorded: the case's track is the one decided three
    years ago, found without one query per month walked back."""
    long, new = long_and_new
    history = _history_checked(long, new)
    Decision.objects.filter(application__in=history[:-1]).update(track="")
    Application.objects.filter(pk__in=[a.pk for a in history]).update(track="")
    client = client_for(caseworker)
    _counts(client, new)
    assert _counts(client, long) == _counts(client, new)
    page = client.get(reverse("caseworker:case_detail", args=[long.pk]))
    assert page.context["quick"]["track"] == "work"
    Decision.objects.filter(application=history[-1]).update(track="")
    page = client.get(reverse("caseworker:case_detail", args=[long.pk]))
    assert page.context["quick"]["track"] == ""
    assert page.context["form"].initial["track"] is None
