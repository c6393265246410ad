"""Notices through the chosen channel, with no case details (SECURITY.md T58)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import User
from caseworker.letters.delivery import notify_decision
from intake.models import Application
from meetings.models import Meeting
from meetings.notices import meeting_reminders_send, notify_meeting_booked, notify_meeting_changed
from meetings.tasks import send_meeting_reminders
from notifications.delivery import (
    SOMETHING_NEW,
    channel_for,
    notify_applicant,
    notify_caseworker_message,
)
from notifications.events import AddressQuery, PostalAddress, postal_address
from notifications.models import Notification, NotificationKind
from notifications.transports import (
    FakeEmailBackend,
    FakeLetterBackend,
    FakeSmsBackend,
    fake_outboxes_clear,
)
from tests.notifications.helpers import (
    assert_no_case_details,
    decision_made_directly,
    every_body,
)

# Reads today's date: also runs at every moment of the date matrix (tests/clock.py).
pytestmark = [pytest.mark.dates, pytest.mark.usefixtures("clean_outboxes")]

TZ = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize(
    ("chosen", "phone", "email", "expected"),
    [
        ("sms", "0701234567", "", "sms"),
        ("sms", "", "a@example.invalid", "email"),
        ("sms", "", "", "letter"),
        ("email", "", "a@example.invalid", "email"),
        ("email", "0701234567", "", "letter"),
        ("letter", "0701234567", "a@example.invalid", "letter"),
    ],
)
def test_channel_is_the_choice_when_usable_otherwise_a_letter(
    applicant: User, chosen: str, phone: str, email: str, expected: str
) -> None:
    applicant.notification_channel, applicant.phone, applicant.email = chosen, phone, email
    assert channel_for(applicant) == expected


def test_new_applicant_defaults_to_letter(applicant: User) -> None:
    assert applicant.notification_channel == "letter"


def test_every_event_notifies_without_case_details(
    submitted_application: Application,
    applicant: User,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    """Decision, supplement, message, meeting booked/changed and reminder: no personnummer,
    amounts, other people's names or addresses in any text, stored or sent."""
    applicant.notification_channel, applicant.phone = "sms", "0701234567"
    applicant.save()
    meeting = Meeting.objects.filter(application=submitted_application).first()
    # The robot's own meeting notice went out at submit, by letter (chosen before SMS was):
    # it is checked for case details below too, but the SMS count is about this test's notices.
    earlier = list(Notification.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        notify_applicant(application=submitted_application, kind=NotificationKind.SUPPLEMENT)
        notify_caseworker_message(submitted_application)
        if meeting is not None:
            notify_meeting_booked(meeting)
            notify_meeting_changed(meeting)
        notify_decision(decision_made_directly(submitted_application, caseworker))
    new = Notification.objects.exclude(pk__in=earlier)
    kinds = set(new.values_list("kind", flat=True))
    assert {"supplement", "message", "decision"} <= kinds
    assert meeting is None or {"meeting_booked", "meeting_changed"} <= kinds
    assert all(n.status == "sent" for n in Notification.objects.all())
    assert len(FakeSmsBackend.outbox) == new.count()
    assert_no_case_details(
        every_body(),
        names=[caseworker.first_name, caseworker.last_name, "Bilal", "Carina", "Testsson"],
    )
    assert FakeSmsBackend.outbox[0].body == SOMETHING_NEW


def test_meeting_notice_carries_only_the_time(
    submitted_application: Application,
    applicant: User,
    secretary: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    applicant.notification_channel, applicant.email = "email", "alva@example.invalid"
    applicant.save()
    meeting = Meeting(
        application=submitted_application,
        municipality=submitted_application.municipality,
        secretary=secretary,
        starts_at=datetime(2026, 11, 3, 9, 30, tzinfo=TZ),
        ends_at=datetime(2026, 11, 3, 10, 15, tzinfo=TZ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify_meeting_booked(meeting)
    [mail] = FakeEmailBackend.outbox
    assert "tisdag 3 november kl. 09.30" in mail.body
    assert mail.email == "alva@example.invalid"
    assert secretary.first_name not in mail.body


def test_reminder_the_day_before_once(
    submitted_application: Application,
    applicant: User,
    secretary: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    applicant.notification_channel, applicant.phone = "sms", "0701234567"
    applicant.save()
    Meeting.objects.filter(application=submitted_application).delete()
    tomorrow = datetime(2026, 11, 3, 13, 0, tzinfo=TZ)
    meeting = Meeting.objects.create(
        application=submitted_application,
        municipality=submitted_application.municipality,
        secretary=secretary,
        starts_at=tomorrow,
        ends_at=tomorrow + timedelta(minutes=45),
    )
    with (
        time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=TZ), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert meeting_reminders_send(day=date(2026, 11, 1)) == 0  # not yet: two days out
        assert send_meeting_reminders() == 1  # the beat task
        assert meeting_reminders_send(day=date(2026, 11, 2)) == 0  # reminded already
    meeting.refresh_from_db()
    assert meeting.reminder_sent_at is not None
    [sms] = FakeSmsBackend.outbox
    assert sms.body.startswith("Påminnelse") and "kl. 13.00" in sms.body
    assert Notification.objects.filter(kind=NotificationKind.MEETING_REMINDER).count() == 1


def test_protected_identity_letter_goes_via_forwarding_without_address_lookup(
    submitted_application: Application,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    Application.objects.filter(pk=submitted_application.pk).update(protected_identity=True)
    submitted_application.refresh_from_db()
    with (
        postal_address.overridden(exploding_lookup),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify_applicant(application=submitted_application, kind=NotificationKind.SUPPLEMENT)
        delivery = notify_decision(decision_made_directly(submitted_application, caseworker))
    delivery.refresh_from_db()
    assert delivery.channel == "forwarding" and delivery.letter_channel == "forwarding"
    assert all(m.via_forwarding and m.address == "" for m in FakeLetterBackend.outbox)
    assert len(FakeLetterBackend.outbox) == 2


def exploding_lookup(query: AddressQuery) -> PostalAddress:
    raise AssertionError("no address may be looked up for a protected identity")


def protected_lookup(query: AddressQuery) -> PostalAddress:
    return PostalAddress(address="", protected=True)


def test_register_saying_protected_at_send_time_switches_to_forwarding(
    submitted_application: Application,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    fake_outboxes_clear()  # the robot's meeting letter at submit is not what this is about
    with (
        postal_address.overridden(protected_lookup),
        django_capture_on_commit_callbacks(execute=True),
    ):
        [notice] = notify_caseworker_message(submitted_application)
    notice.refresh_from_db()
    assert notice.channel == "forwarding"
    [letter] = FakeLetterBackend.outbox
    assert letter.via_forwarding and letter.address == ""


def test_preferences_page_saves_the_channel(client: Client, applicant: User) -> None:
    client.force_login(applicant)
    url = reverse("notifications:settings")
    assert url == "/ansokan/installningar/"
    assert client.get(url).status_code == 200
    missing = client.post(url, {"notification_channel": "sms", "phone": "", "email": ""})
    assert missing.status_code == 200
    assert "Skriv ditt mobilnummer" in missing.content.decode()
    saved = client.post(url, {"notification_channel": "sms", "phone": "070-123 45 67"})
    assert saved.status_code == 302
    applicant.refresh_from_db()
    assert (applicant.notification_channel, applicant.phone) == ("sms", "070-123 45 67")


def test_preferences_page_is_for_applicants_only(client: Client, caseworker: User) -> None:
    client.force_login(caseworker)
    assert client.get(reverse("notifications:settings")).status_code == 403


def test_many_notices_go_out_in_one_pass_and_a_failure_waits_for_the_retry(
    submitted_application: Application, applicant: User
) -> None:
    from notifications.sending import notifications_send

    applicant.notification_channel, applicant.email = "email", "alva@example.invalid"
    applicant.save()
    notices = Notification.objects.bulk_create(
        Notification(
            recipient=applicant,
            application=submitted_application,
            kind=NotificationKind.MEETING_BOOKED,
            channel="email",
            body=f"Notis {n}",
        )
        for n in range(3)
    )
    FakeEmailBackend.outbox.clear()
    FakeEmailBackend.fail_next(1)
    ids = [n.pk for n in notices]
    assert notifications_send(notification_ids=ids) == 2
    states = dict(Notification.objects.filter(pk__in=ids).values_list("body", "status"))
    assert states == {"Notis 0": "failed", "Notis 1": "sent", "Notis 2": "sent"}
    assert [m.body for m in FakeEmailBackend.outbox] == ["Notis 1", "Notis 2"]
    # Again: only the failed one goes out; a sent notice is never sent twice.
    assert notifications_send(notification_ids=ids) == 1
    assert [m.body for m in FakeEmailBackend.outbox] == ["Notis 1", "Notis 2", "Notis 0"]
    sent = Notification.objects.get(body="Notis 0")
    assert (sent.status, sent.attempts, sent.provider_reference != "") == ("sent", 2, True)
