"""#19: the applicant's timeline says what we told them, by which channel, and whether it arrived
(the SMS gateway's delivery report, the print service's receipt), and that the application was
signed with BankID; a representative's notices are not the applicant's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from intake.models import Application, Signature, SignatureMethod
from intake.services.timeline import timeline_for
from notifications.models import DeliveryChannel, Notification, NotificationKind, NotificationStatus

pytestmark = [pytest.mark.django_db, pytest.mark.as_of("2026-11-18T10:00")]


@pytest.fixture(autouse=True)
def _no_earlier_notices(submitted_application: Application) -> None:
    """The robot's meeting notice of the fixture is not what these tests are about."""
    Notification.objects.all().delete()


def _notice(application: Application, recipient: User, **fields: object) -> Notification:
    values: dict[str, object] = {
        "kind": NotificationKind.DECISION,
        "channel": DeliveryChannel.SMS,
        "body": "Det finns något nytt i din ansökan – logga in för att läsa.",
        "status": NotificationStatus.SENT,
        "sent_at": timezone.now() - timedelta(minutes=5),
        **fields,
    }
    return Notification.objects.create(application=application, recipient=recipient, **values)


def _titles(application: Application) -> list[tuple[str, str]]:
    return [
        (e.title, e.detail) for e in timeline_for(application) if e.kind in ("notice", "signature")
    ]


def test_each_notice_shows_its_channel_and_whether_it_arrived(
    submitted_application: Application, other_applicant: User
) -> None:
    app = submitted_application
    _notice(app, app.applicant, delivered_at=timezone.now())
    _notice(app, app.applicant, kind=NotificationKind.DECISION_LETTER, channel="letter")
    _notice(
        app, app.applicant, kind=NotificationKind.MEETING_BOOKED, channel="email",
        status=NotificationStatus.FAILED,
    )  # fmt: skip
    _notice(app, app.applicant, channel="letter", sent_at=None, status=NotificationStatus.QUEUED)
    _notice(app, other_applicant)  # a representative's notice: not on the applicant's page
    entries = _titles(app)
    assert ("Sms skickat: beslut fattat", "Framme onsdag 18 november 2026 kl. 10:00.") in entries
    assert (
        "Brev skickat: beslutet som brev",
        "Lämnat till tryckeriet onsdag 18 november 2026 kl. 09:55.",
    ) in entries
    assert ("E-post skickad: möte bokat", "Det gick inte fram. Vi försöker på ett annat sätt.") in (
        entries
    )
    assert len(entries) == 3  # the queued letter and the representative's SMS are not listed


def test_a_letter_the_print_service_handed_to_the_post(submitted_application: Application) -> None:
    app = submitted_application
    _notice(app, app.applicant, channel="letter", delivered_at=timezone.now())
    assert _titles(app) == [
        ("Brev skickat: beslut fattat", "Lämnat till posten onsdag 18 november 2026 kl. 10:00.")
    ]


def test_a_bankid_signature_is_on_the_timeline_and_a_test_one_is_not(
    submitted_application: Application,
) -> None:
    app = submitted_application
    Signature.objects.update_or_create(
        application=app,
        personnummer=app.applicant.personnummer,
        defaults={
            "method": SignatureMethod.BANKID,
            "signer_name": "Alva Andersson",
            "signed_at": timezone.now(),
            "ocsp_verified": True,
        },
    )
    assert (
        "Underskriven med BankID",
        "Underskriven av Alva Andersson. Underskriften är kontrollerad.",
    ) in _titles(app)
    Signature.objects.filter(application=app).update(method=SignatureMethod.TEST)
    assert [t for t, _ in _titles(app) if "BankID" in t] == []


def test_the_status_page_shows_the_notices(submitted_application: Application) -> None:
    app = submitted_application
    _notice(app, app.applicant, delivered_at=timezone.now())
    client = Client()
    client.force_login(app.applicant)
    page = client.get(f"/ansokan/{app.pk}/").content.decode()
    assert "Sms skickat: beslut fattat" in page


@pytest.mark.parametrize(
    ("channel", "field", "value"), [("sms", "phone", "abc"), ("email", "email", "inte-en-adress")]
)
def test_a_wrong_contact_detail_gets_one_error_not_two(
    applicant: User, channel: str, field: str, value: str
) -> None:
    """Found in the stranger run of #19: "abc" as the mobile number was told both to be digits
    and to be entered."""
    client = Client()
    client.force_login(applicant)
    response = client.post(
        "/ansokan/installningar/", {"notification_channel": channel, field: value}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert len(errors) == 1, errors
