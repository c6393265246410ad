"""#17: e-mail, SMS and letters in the language the person uses here, not always Swedish."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from caseworker.models.payments import PaymentOrder, PaymentStatus
from intake.models import Application
from meetings.notices import MEETING_BOOKED, meeting_time_text, worded
from notifications.delivery import SOMETHING_NEW, notify_applicant
from notifications.delivery import worded as notice_worded
from notifications.models import Notification, NotificationKind
from notifications.sending import subject_for

pytestmark = [pytest.mark.dates, pytest.mark.django_db]


def test_the_language_an_applicant_uses_is_remembered(client: Client, applicant: User) -> None:
    client.force_login(applicant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    client.get(reverse("intake:application_list"))
    applicant.refresh_from_db()
    assert applicant.language == "ar"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("sv", "Det finns något nytt i din ansökan"),
        ("en", "There is something new in your application"),
        ("ar", "شيء جديد في طلبك"),
    ],
)
def test_a_notice_is_worded_in_the_recipients_language(
    submitted_application: Application, applicant: User, language: str, expected: str
) -> None:
    applicant.language = language
    applicant.save(update_fields=["language"])
    with translation.override("sv"):  # whoever triggers it (a caseworker) reads Swedish
        notify_applicant(application=submitted_application, kind=NotificationKind.MESSAGE)
    notice = Notification.objects.filter(kind=NotificationKind.MESSAGE).get()
    assert expected in notice.body
    assert str(subject_for(applicant)) != "" and (
        language == "sv" or "ansökan" not in subject_for(applicant)
    )


def test_a_meeting_time_is_written_in_the_recipients_language(applicant: User) -> None:
    moment = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)  # Wednesday 09:00 in Stockholm
    applicant.language = "en"
    assert "Wednesday 18 November" in notice_worded(worded(MEETING_BOOKED, moment), applicant)
    applicant.language = "sv"
    text = notice_worded(worded(MEETING_BOOKED, moment), applicant)
    assert "onsdag 18 november kl. 09.00" in text
    with translation.override("sv"):
        assert meeting_time_text(moment) == "onsdag 18 november kl. 09.00"
    assert str(SOMETHING_NEW)  # lazy, worded when sent


def test_the_payment_account_can_be_changed_later_from_my_details(
    client: Client, applicant: User
) -> None:
    client.force_login(applicant)
    url = reverse("notifications:settings")
    assert url in client.get(reverse("intake:application_list")).content.decode()  # linked
    refused = client.post(url, {"notification_channel": "letter", "bank_account": "5000 12 345 67"})
    assert "kontrollsiffran är fel" in refused.content.decode()
    client.post(url, {"notification_channel": "letter", "bank_account": "5000 12 345 60"})
    applicant.refresh_from_db()
    assert applicant.bank_account == "5000-1234560"


def test_an_account_given_later_reaches_the_payment_waiting_for_it(
    client: Client, applicant: User, approved: object, submitted_application: Application
) -> None:
    """Stranger run: after saving an account in 'Mina uppgifter' the status page still said
    "Pengarna betalas ut när vi har ditt kontonummer"."""
    order = PaymentOrder.objects.get(application=submitted_application)
    assert order.status == PaymentStatus.NEEDS_ACCOUNT
    client.force_login(applicant)
    client.post(
        reverse("notifications:settings"),
        {"notification_channel": "letter", "bank_account": "6000 123 456 789"},
    )
    order.refresh_from_db()
    assert (order.status, order.clearing, order.account) == (
        PaymentStatus.CREATED,
        "6000",
        "123456789",
    )
    page = client.get(reverse("intake:application_detail", args=[submitted_application.pk]))
    assert "när vi har ditt kontonummer" not in page.content.decode()
