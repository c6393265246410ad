"""#19 item 4: e-mail with delivery reports. Each notice's e-mail leaves with its own envelope
sender (VERP, signed); the relay's bounce (an RFC 3464 delivery status notification) comes back
to the bounce mailbox, which is read over POP3 with TLS; the e-mail that bounced fails for good
and the notice goes again by letter, once. A forged bounce, someone else's, or anything that is
not a bounce changes nothing; a mailbox that cannot be reached is read next time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email import message_from_string
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from demo.simulators.pki import Pki
from demo.simulators.pop3_bounces import Pop3BounceMailbox, delivery_status_notification
from demo.simulators.smtp_relay import SmtpRelaySimulator
from intake.models import Application
from notifications.bounces import bounce_parse, bounces_collect
from notifications.delivery import notify_caseworker_message
from notifications.models import Notification
from notifications.tasks import email_bounces_collect_task
from notifications.transports import FakeLetterBackend, bounce_address

pytestmark = pytest.mark.as_of("2026-11-18T10:00")

USER, PASSWORD = "bistand", "relay-secret-2"


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return Pki.create(tmp_path / "pki")


@pytest.fixture
def mail(
    pki: Pki, settings: Any, clean_outboxes: None
) -> Iterator[tuple[SmtpRelaySimulator, Pop3BounceMailbox]]:
    mailbox = Pop3BounceMailbox(pki, user="studsar", password="pop-secret")
    with mailbox, SmtpRelaySimulator(pki, user=USER, password=PASSWORD, bounces=mailbox) as relay:
        settings.EMAIL_BACKEND = "notifications.smtp.VerifiedSmtpBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", relay.port
        settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = USER, PASSWORD
        settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = True, 5
        settings.EMAIL_CA_FILE = str(pki.ca.cert)
        settings.DEFAULT_FROM_EMAIL = "Trelleborgs kommun <noreply@trelleborg.example>"
        settings.EMAIL_BOUNCE_ADDRESS = "studsar@trelleborg.example"
        settings.EMAIL_BOUNCE_POP3_HOST = "127.0.0.1"
        settings.EMAIL_BOUNCE_POP3_PORT = mailbox.port
        settings.EMAIL_BOUNCE_POP3_USER = "studsar"
        settings.EMAIL_BOUNCE_POP3_PASSWORD = "pop-secret"
        settings.EMAIL_BOUNCE_CA_FILE = str(pki.ca.cert)
        settings.NOTIFICATION_BACKENDS = {
            **settings.NOTIFICATION_BACKENDS,
            "email": "notifications.transports.DjangoEmailBackend",
        }
        yield relay, mailbox


def _email_notice(
    application: Application, applicant: User, capture: Callable, address: str
) -> Notification:
    applicant.notification_channel, applicant.email, applicant.phone = "email", address, ""
    applicant.save()
    with capture(execute=True):
        [notice] = notify_caseworker_message(application)
    notice.refresh_from_db()
    return notice


def test_a_bounced_email_fails_and_the_notice_goes_by_letter_once(
    mail: tuple[SmtpRelaySimulator, Pop3BounceMailbox],
    submitted_application: Application,
    applicant: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    relay, mailbox = mail
    notice = _email_notice(
        submitted_application, applicant, django_capture_on_commit_callbacks, "studs@example.org"
    )
    assert notice.status == "sent" and notice.provider_reference.startswith("<")
    [sent] = relay.received
    envelope = message_from_string(sent["data"])
    assert envelope["From"] == "Trelleborgs kommun <noreply@trelleborg.example>"
    assert mailbox.waiting() == 1
    FakeLetterBackend.reset()
    with django_capture_on_commit_callbacks(execute=True):
        assert bounces_collect() == 1
    notice.refresh_from_db()
    assert notice.status == "failed" and notice.last_error.startswith("e-post studsade: 5.1.1")
    fallback = Notification.objects.get(dedupe_key=f"fallback:{notice.pk}")
    assert fallback.channel == "letter" and fallback.status == "sent"
    assert [m.body for m in FakeLetterBackend.outbox] == [notice.body]
    # Read from the mailbox and removed; reading again changes nothing.
    assert mailbox.waiting() == 0
    assert bounces_collect() == 0
    assert Notification.objects.filter(dedupe_key=f"fallback:{notice.pk}").count() == 1


def test_an_email_that_arrives_brings_no_bounce_and_stays_sent(
    mail: tuple[SmtpRelaySimulator, Pop3BounceMailbox],
    submitted_application: Application,
    applicant: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    _relay, mailbox = mail
    notice = _email_notice(
        submitted_application, applicant, django_capture_on_commit_callbacks, "alva@example.org"
    )
    assert mailbox.waiting() == 0 and bounces_collect() == 0
    notice.refresh_from_db()
    assert notice.status == "sent"


def test_a_forged_or_foreign_bounce_changes_nothing(
    mail: tuple[SmtpRelaySimulator, Pop3BounceMailbox],
    submitted_application: Application,
    applicant: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    _relay, mailbox = mail
    notice = _email_notice(
        submitted_application, applicant, django_capture_on_commit_callbacks, "alva@example.org"
    )
    original = f"Message-ID: {notice.provider_reference}\r\nSubject: x\r\n\r\nbody".encode()
    genuine = bounce_address(notice.pk)
    forged = genuine[: genuine.index("-") + 1] + "0" * 16 + "@trelleborg.example"
    other_message = b"Message-ID: <someone-else@example.org>\r\n\r\nbody"
    for bounce_to, returned in ((forged, original), (genuine, other_message)):
        mailbox.deliver(
            delivery_status_notification(
                bounce_to=bounce_to, recipient="alva@example.org", original=returned
            )
        )
    mailbox.deliver(b"From: someone\r\nTo: studsar@trelleborg.example\r\n\r\nHej!")
    assert bounces_collect() == 0
    notice.refresh_from_db()
    assert notice.status == "sent"
    assert mailbox.waiting() == 0  # read and put away, none of them ours


def test_the_parser_reads_the_notice_the_message_and_the_reason(settings: Any) -> None:
    settings.EMAIL_BOUNCE_ADDRESS = "studsar@trelleborg.example"
    raw = delivery_status_notification(
        bounce_to=bounce_address(42),
        recipient="studs@example.org",
        original=b"Message-ID: <abc@bistand.invalid>\r\nSubject: x\r\n\r\nbody",
    )
    bounce = bounce_parse(raw)
    assert bounce is not None
    assert (bounce.notice_id, bounce.message_id, bounce.delivered) == (
        42,
        "<abc@bistand.invalid>",
        False,
    )
    assert "5.1.1" in bounce.reason and "user unknown" in bounce.reason


def test_without_a_bounce_mailbox_the_envelope_sender_is_the_from(settings: Any) -> None:
    settings.EMAIL_BOUNCE_ADDRESS = ""
    assert bounce_address(42) == ""


def test_a_mailbox_that_cannot_be_reached_is_read_next_time(settings: Any) -> None:
    settings.EMAIL_BOUNCE_POP3_HOST, settings.EMAIL_BOUNCE_POP3_PORT = "127.0.0.1", 9
    assert email_bounces_collect_task() == 0
