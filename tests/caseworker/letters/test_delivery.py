"""Every decision provably reaches the person: delivery record, paper after N days, deadline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import User
from caseworker.letters.delivery import (
    appeal_deadline,
    deliveries_escalate_unopened,
    delivery_mark_opened,
    notify_decision,
)
from caseworker.models.letters import DecisionDelivery
from intake.models import Application
from notifications.models import Notification, NotificationKind
from notifications.sending import notifications_retry
from notifications.transports import FakeEmailBackend, FakeLetterBackend, FakeSmsBackend
from tests.notifications.helpers import decision_made_directly

pytestmark = pytest.mark.usefixtures("clean_outboxes")

TZ = ZoneInfo("Europe/Stockholm")
MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def _decided(
    application: Application, caseworker: User, capture: Callable, *, sms_failures: int = 0
) -> DecisionDelivery:
    # starts with empty outboxes and no failures
    decision = decision_made_directly(application, caseworker)
    # Failures are set up only now, so that they hit the decision's notice and not an earlier
    # one (the robot's meeting notice at submit).
    if sms_failures:
        FakeSmsBackend.fail_next(sms_failures)
    with capture(execute=True):
        return notify_decision(decision)


def test_applicant_without_email_gets_the_decision_by_the_chosen_sms(
    submitted_application: Application,
    applicant: User,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    applicant.notification_channel, applicant.phone, applicant.email = "sms", "0701234567", ""
    applicant.save()
    delivery = _decided(submitted_application, caseworker, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.channel == "sms"
    assert delivery.sent_at == MONDAY and delivery.delivered_at == MONDAY
    assert [m.phone for m in FakeSmsBackend.outbox] == ["0701234567"]
    assert FakeEmailBackend.outbox == [] and FakeLetterBackend.outbox == []
    assert delivery.notification_date is None  # not yet received: no deadline runs
    assert appeal_deadline(delivery.decision) is None


def test_unopened_decision_goes_out_on_paper_and_the_deadline_counts_from_its_arrival(
    submitted_application: Application,
    applicant: User,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
    _frozen: time_machine.Traveller,
) -> None:
    applicant.notification_channel, applicant.phone = "sms", "0701234567"
    applicant.save()
    delivery = _decided(submitted_application, caseworker, django_capture_on_commit_callbacks)
    _frozen.move_to(MONDAY + timedelta(days=2, hours=23))
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_escalate_unopened() == []  # the municipality gives three days
    _frozen.move_to(MONDAY + timedelta(days=3, minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_escalate_unopened() == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.letter_channel == "letter"
    assert delivery.letter_sent_at is not None
    [letter] = FakeLetterBackend.outbox
    assert letter.address == "Testgatan 1, 231 42 Trelleborg"  # looked up at send time
    assert letter.enclosure == f"decision:{delivery.decision_id}"
    # Posted Thursday 5 Nov, taken to arrive three days later; three weeks from Sunday 8 Nov is
    # Sunday 29 Nov, so the deadline moves to Monday 30 Nov (lag 1930:173).
    assert delivery.notification_date == date(2026, 11, 8)
    assert appeal_deadline(delivery.decision) == date(2026, 11, 30)
    # Running the job again queues nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_escalate_unopened() == []
    assert len(FakeLetterBackend.outbox) == 1


def test_no_address_is_stored_anywhere(
    submitted_application: Application,
    applicant: User,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
    _frozen: time_machine.Traveller,
) -> None:
    delivery = _decided(submitted_application, caseworker, django_capture_on_commit_callbacks)
    assert delivery.channel == "letter"  # nothing chosen: a letter
    stored = [*Notification.objects.values_list("body", "enclosure", "last_error")]
    assert all("Testgatan" not in str(row) for row in stored)
    assert FakeLetterBackend.outbox[0].address == "Testgatan 1, 231 42 Trelleborg"


def test_opening_on_the_status_page_records_it_and_sets_the_notification_date(
    client: Client,
    submitted_application: Application,
    applicant: User,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
    _frozen: time_machine.Traveller,
) -> None:
    applicant.notification_channel, applicant.email = "email", "alva@example.invalid"
    applicant.save()
    delivery = _decided(submitted_application, caseworker, django_capture_on_commit_callbacks)
    _frozen.move_to(MONDAY + timedelta(days=1))
    client.force_login(applicant)
    page = client.get(reverse("intake:application_detail", args=[submitted_application.pk]))
    assert page.status_code == 200
    assert page.context["appeal_deadline"] == date(2026, 11, 24)
    delivery.refresh_from_db()
    assert delivery.opened_at == MONDAY + timedelta(days=1)
    assert delivery.opened_by == applicant
    assert delivery.notification_date == date(2026, 11, 3)
    assert appeal_deadline(delivery.decision) == date(2026, 11, 24)
    _frozen.move_to(MONDAY + timedelta(days=10))
    client.get(reverse("intake:application_detail", args=[submitted_application.pk]))
    delivery.refresh_from_db()
    assert delivery.opened_at == MONDAY + timedelta(days=1)  # the first opening counts
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_escalate_unopened() == []  # opened: no paper


def test_staff_looking_never_counts_as_opened(
    submitted_application: Application,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    delivery = _decided(submitted_application, caseworker, django_capture_on_commit_callbacks)
    delivery_mark_opened(decision=delivery.decision, user=caseworker)
    delivery.refresh_from_db()
    assert delivery.opened_at is None


def test_notify_decision_twice_sends_once(
    submitted_application: Application,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    delivery = _decided(submitted_application, caseworker, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_decision(delivery.decision) == delivery
    assert DecisionDelivery.objects.count() == 1
    assert Notification.objects.filter(kind=NotificationKind.DECISION_LETTER).count() == 1


def test_failed_sms_is_retried_and_then_goes_on_paper(
    submitted_application: Application,
    applicant: User,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
    settings: object,
) -> None:
    applicant.notification_channel, applicant.phone = "sms", "0701234567"
    applicant.save()
    delivery = _decided(
        submitted_application, caseworker, django_capture_on_commit_callbacks, sms_failures=10
    )
    delivery.refresh_from_db()
    assert delivery.sent_at is None
    assert delivery.notification.status == "failed"
    for _ in range(6):
        notifications_retry()
    delivery.notification.refresh_from_db()
    assert delivery.notification.attempts == settings.NOTIFICATION_MAX_ATTEMPTS
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_escalate_unopened() == [delivery.pk]  # at once, not after 3 days
    assert len(FakeLetterBackend.outbox) == 1


def test_sms_that_fails_once_is_sent_on_retry(
    submitted_application: Application,
    applicant: User,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    applicant.notification_channel, applicant.phone = "sms", "0701234567"
    applicant.save()
    delivery = _decided(
        submitted_application, caseworker, django_capture_on_commit_callbacks, sms_failures=1
    )
    assert notifications_retry() == 1
    delivery.refresh_from_db()
    assert delivery.sent_at is not None
    assert len(FakeSmsBackend.outbox) == 1


def test_municipality_sets_the_number_of_days(
    submitted_application: Application,
    applicant: User,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
    _frozen: time_machine.Traveller,
) -> None:
    municipality = submitted_application.municipality
    municipality.decision_open_days = 7
    municipality.save()
    applicant.notification_channel, applicant.email = "email", "alva@example.invalid"
    applicant.save()
    _decided(submitted_application, caseworker, django_capture_on_commit_callbacks)
    _frozen.move_to(MONDAY + timedelta(days=5))
    assert deliveries_escalate_unopened() == []
    _frozen.move_to(MONDAY + timedelta(days=7, minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert len(deliveries_escalate_unopened()) == 1


@pytest.mark.parametrize(
    ("notified", "deadline"),
    [
        (date(2026, 11, 3), date(2026, 11, 24)),  # a Tuesday: three weeks later
        (date(2026, 12, 3), date(2026, 12, 28)),  # 24 Dec julafton → past juldagar and weekend
        (date(2026, 5, 29), date(2026, 6, 22)),  # 19 Jun midsommarafton, 20 Sat, 21 Sun
        (date(2026, 12, 10), date(2027, 1, 4)),  # 31 Dec nyårsafton, 1 Jan, weekend
    ],
)
def test_appeal_deadline_moves_past_weekends_and_holidays(
    submitted_application: Application,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
    notified: date,
    deadline: date,
) -> None:
    delivery = _decided(submitted_application, caseworker, django_capture_on_commit_callbacks)
    DecisionDelivery.objects.filter(pk=delivery.pk).update(notification_date=notified)
    assert appeal_deadline(delivery.decision) == deadline
