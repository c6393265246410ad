"""#19 item 4: SMS leave through an HTTPS gateway (46elks' API) with delivery reports, proven
against the gateway simulator on loopback (demo/simulators/sms_gateway.py).

Sent with the right fields and basic auth, the number in E.164 and no case content; the gateway's
report marks the notice delivered, or failed, and then the notice goes through the next channel;
a forged or repeated report changes nothing; a gateway that is down, slow or in error leaves the
notice to the retry, and nothing is lost."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from accounts.models import User
from caseworker.letters.delivery import deliveries_escalate_unopened, notify_decision
from demo.simulators.https import Fault
from demo.simulators.pki import Pki
from demo.simulators.sms_gateway import SmsGatewaySimulator
from intake.models import Application
from notifications.delivery import SOMETHING_NEW, notify_caseworker_message
from notifications.models import Notification, NotificationKind
from notifications.sending import SMS_NOT_DELIVERED, notification_send, notifications_retry
from notifications.sms import GatewaySmsBackend, delivery_report_token, phone_e164
from notifications.transports import (
    FakeEmailBackend,
    FakeLetterBackend,
    NotificationFailed,
    NotificationRejected,
    OutgoingMessage,
)
from tests.notifications.helpers import PNR_PATTERN, decision_made_directly

# Reads today's date (the robot at submit): also runs at every moment of the date matrix.
pytestmark = pytest.mark.dates

USER, SECRET = "u3f1a2b", "gateway-secret-1"
# Reports from the simulator go nowhere in these tests (a closed loopback port); the tests post
# them with Django's test client, except the one end-to-end test over a live server.
NOWHERE = "http://127.0.0.1:9"


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return Pki.create(tmp_path / "pki")


@pytest.fixture
def gateway(pki: Pki) -> Iterator[SmsGatewaySimulator]:
    simulator = SmsGatewaySimulator(
        pki, user=USER, secret=SECRET, report_delay=0.2, report_attempts=1
    )
    with simulator:
        yield simulator


def _gateway_values(gateway: SmsGatewaySimulator) -> dict[str, Any]:
    return {
        "SMS_GATEWAY_URL": gateway.url,
        "SMS_GATEWAY_USER": USER,
        "SMS_GATEWAY_SECRET": SECRET,
        "SMS_SENDER": "Trelleborg",
        "SMS_CALLBACK_BASE_URL": NOWHERE,
        "SMS_CALLBACK_SECRET": "callback-secret",
        "SMS_CA_FILE": str(gateway.pki.ca.cert),
        "SMS_TIMEOUT_SECONDS": 2.0,
    }


def gateway_settings(gateway: SmsGatewaySimulator, **overrides: Any) -> Any:
    return override_settings(**{**_gateway_values(gateway), **overrides})


@pytest.fixture
def sms_through_gateway(
    gateway: SmsGatewaySimulator, settings: Any, clean_outboxes: None
) -> SmsGatewaySimulator:
    """Notices by SMS go through the simulator; e-mail and letters stay with the fakes."""
    for name, value in _gateway_values(gateway).items():
        setattr(settings, name, value)
    settings.NOTIFICATION_BACKENDS = {
        **settings.NOTIFICATION_BACKENDS,
        "sms": "notifications.sms.GatewaySmsBackend",
    }
    return gateway


def _notice(phone: str = "070-123 45 67") -> OutgoingMessage:
    return OutgoingMessage(channel="sms", body=str(SOMETHING_NEW), phone=phone, notice_id=5)


# --- the transport against the simulator ------------------------------------------------------


def test_an_sms_leaves_with_the_gateways_fields_and_basic_auth(
    gateway: SmsGatewaySimulator,
) -> None:
    with gateway_settings(gateway):
        receipt = GatewaySmsBackend().send(_notice())
        token = delivery_report_token(5)
    [request] = gateway.requests
    assert request.method == "POST" and request.path == "/a1/sms"
    assert (
        request.headers["authorization"]
        == "Basic " + base64.b64encode(f"{USER}:{SECRET}".encode()).decode()
    )
    [sent] = gateway.sent
    assert sent["from"] == "Trelleborg"
    assert sent["to"] == "+46701234567"
    assert sent["message"] == str(SOMETHING_NEW)
    assert sent["whendelivered"] == f"{NOWHERE}/ansokan/sms-leveransrapport/5/{token}/"
    assert receipt.reference == sent["id"] and not receipt.delivered


def test_the_sms_text_holds_no_personnummer_or_case_content(
    sms_through_gateway: SmsGatewaySimulator,
    submitted_application: Application,
    applicant: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    applicant.notification_channel, applicant.phone = "sms", "0701234567"
    applicant.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify_caseworker_message(submitted_application)
    [sent] = sms_through_gateway.sent
    assert sent["message"] == str(SOMETHING_NEW)
    assert not PNR_PATTERN.search(sent["message"])
    assert (applicant.personnummer or "-") not in sent["message"]
    assert submitted_application.reference not in sent["message"]
    assert "Alva" not in sent["message"] and "kr" not in sent["message"]


def test_wrong_credentials_are_a_temporary_failure_not_the_numbers_fault(
    gateway: SmsGatewaySimulator,
) -> None:
    wrong = gateway_settings(gateway, SMS_GATEWAY_SECRET="wrong")
    with wrong, pytest.raises(NotificationFailed) as failure:
        GatewaySmsBackend().send(_notice())
    assert not isinstance(failure.value, NotificationRejected)
    assert "401" in str(failure.value)
    assert gateway.sent == []


@pytest.mark.parametrize("phone", ["+45 12 34 56 78", "12"])
def test_a_number_the_gateway_or_we_cannot_use_is_refused_for_good(
    gateway: SmsGatewaySimulator, phone: str
) -> None:
    with gateway_settings(gateway), pytest.raises(NotificationRejected):
        GatewaySmsBackend().send(_notice(phone=phone))
    assert gateway.sent == []


@pytest.mark.parametrize(
    ("fault", "timeout"),
    [
        (Fault("error"), 2.0),
        (Fault("down"), 2.0),
        (Fault("slow", 1.5), 0.5),
        (Fault("malformed"), 2.0),
        (Fault("wrong_certificate"), 2.0),
    ],
)
def test_a_gateway_in_trouble_is_a_temporary_failure(
    gateway: SmsGatewaySimulator, fault: Fault, timeout: float
) -> None:
    gateway.fault = fault
    configured = gateway_settings(gateway, SMS_TIMEOUT_SECONDS=timeout)
    with configured, pytest.raises(NotificationFailed) as failure:
        GatewaySmsBackend().send(_notice())
    assert not isinstance(failure.value, NotificationRejected)


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("SMS_SENDER", "Trelleborgskommun"),  # 17 characters
        ("SMS_SENDER", "Åstorp"),  # not a-z
        ("SMS_SENDER", ""),
        ("SMS_CALLBACK_BASE_URL", "http://bistand.example.se"),  # reports over plain http
        ("SMS_GATEWAY_SECRET", ""),
    ],
)
def test_the_transport_refuses_a_configuration_that_cannot_work(
    gateway: SmsGatewaySimulator, setting: str, value: str
) -> None:
    with gateway_settings(gateway, **{setting: value}), pytest.raises(ImproperlyConfigured):
        GatewaySmsBackend()


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("070-123 45 67", "+46701234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("0046701234567", "+46701234567"),
        ("(070) 123-45-67", "+46701234567"),
    ],
)
def test_phone_numbers_are_written_in_e164(written: str, e164: str) -> None:
    assert phone_e164(written) == e164


# --- sending, reports and the fallback ---------------------------------------------------------


def _sms_notice(
    application: Application, applicant: User, capture: Callable, *, email: str = ""
) -> Notification:
    applicant.notification_channel, applicant.phone, applicant.email = "sms", "0701234567", email
    applicant.save()
    with capture(execute=True):
        [notice] = notify_caseworker_message(application)
    notice.refresh_from_db()
    return notice


def _report(client: Client, gateway: SmsGatewaySimulator, status: str, **fields: str) -> Any:
    sent = gateway.sent[-1]
    path = urlsplit(sent["whendelivered"]).path
    data = {"id": sent["id"], "status": status, "delivered": "2026-11-02T09:15:00.123456"}
    return client.post(path, data | fields)


def test_the_delivery_report_marks_the_notice_delivered(
    sms_through_gateway: SmsGatewaySimulator,
    submitted_application: Application,
    applicant: User,
    client: Client,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    notice = _sms_notice(submitted_application, applicant, django_capture_on_commit_callbacks)
    assert notice.status == "sent" and notice.delivered_at is None
    assert notice.provider_reference == sms_through_gateway.sent[0]["id"]
    assert _report(client, sms_through_gateway, "delivered").status_code == 204
    notice.refresh_from_db()
    assert notice.delivered_at is not None
    assert notice.delivered_at.isoformat() == "2026-11-02T09:15:00.123456+00:00"
    # The same report again changes nothing.
    first = notice.delivered_at
    assert (
        _report(client, sms_through_gateway, "delivered", delivered="2026-11-03T10:00:00")
    ).status_code == 204
    notice.refresh_from_db()
    assert notice.delivered_at == first


def test_a_failed_report_sends_the_notice_by_email_once(
    sms_through_gateway: SmsGatewaySimulator,
    submitted_application: Application,
    applicant: User,
    client: Client,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    notice = _sms_notice(
        submitted_application,
        applicant,
        django_capture_on_commit_callbacks,
        email="alva@example.invalid",
    )
    for _ in range(2):  # the second, repeated report changes nothing
        with django_capture_on_commit_callbacks(execute=True):
            assert _report(client, sms_through_gateway, "failed").status_code == 204
    notice.refresh_from_db()
    assert notice.status == "failed" and notice.last_error == SMS_NOT_DELIVERED
    assert notice.delivered_at is None
    [fallback] = Notification.objects.filter(dedupe_key=f"fallback:{notice.pk}")
    assert fallback.channel == "email" and fallback.status == "sent"
    assert fallback.body == notice.body and fallback.kind == NotificationKind.MESSAGE
    assert [m.email for m in FakeEmailBackend.outbox] == ["alva@example.invalid"]
    assert notifications_retry() == 0  # the failed SMS is not tried again


def test_a_failed_report_without_email_sends_a_letter(
    sms_through_gateway: SmsGatewaySimulator,
    submitted_application: Application,
    applicant: User,
    client: Client,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    notice = _sms_notice(submitted_application, applicant, django_capture_on_commit_callbacks)
    FakeLetterBackend.reset()
    with django_capture_on_commit_callbacks(execute=True):
        _report(client, sms_through_gateway, "failed")
    fallback = Notification.objects.get(dedupe_key=f"fallback:{notice.pk}")
    assert fallback.channel == "letter" and fallback.status == "sent"
    assert [m.body for m in FakeLetterBackend.outbox] == [notice.body]


def test_a_failed_report_on_a_decision_sends_the_decision_itself_on_paper(
    sms_through_gateway: SmsGatewaySimulator,
    submitted_application: Application,
    applicant: User,
    caseworker: User,
    client: Client,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    applicant.notification_channel, applicant.phone, applicant.email = "sms", "0701234567", ""
    applicant.save()
    decision = decision_made_directly(submitted_application, caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = notify_decision(decision)
    with django_capture_on_commit_callbacks(execute=True):
        _report(client, sms_through_gateway, "failed")
    # No "something new" letter besides the decision: the delivery record posts the decision.
    assert not Notification.objects.filter(dedupe_key__startswith="fallback:").exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_escalate_unopened() == [delivery.pk]
    [letter] = FakeLetterBackend.outbox
    assert letter.enclosure == f"decision:{decision.pk}"


def test_a_forged_report_is_refused_and_changes_nothing(
    sms_through_gateway: SmsGatewaySimulator,
    submitted_application: Application,
    applicant: User,
    client: Client,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    notice = _sms_notice(submitted_application, applicant, django_capture_on_commit_callbacks)
    sent = sms_through_gateway.sent[0]
    forged = f"/ansokan/sms-leveransrapport/{notice.pk}/{'0' * 40}/"
    other = delivery_report_token(notice.pk + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(forged, {"id": sent["id"], "status": "failed"}).status_code == 404
        # A genuine token for another notice does not open this one.
        assert (
            client.post(
                f"/ansokan/sms-leveransrapport/{notice.pk}/{other}/",
                {"id": sent["id"], "status": "failed"},
            ).status_code
            == 404
        )
        # The right URL with another message's id changes nothing either.
        assert _report(client, sms_through_gateway, "failed", id="s-other").status_code == 204
        assert client.get(urlsplit(sent["whendelivered"]).path).status_code == 405
        assert _report(client, sms_through_gateway, "lost").status_code == 400
    notice.refresh_from_db()
    assert notice.status == "sent" and notice.delivered_at is None and notice.last_error == ""
    assert Notification.objects.filter(dedupe_key__startswith="fallback:").count() == 0


def test_a_report_before_the_send_is_recorded_is_asked_again(
    sms_through_gateway: SmsGatewaySimulator, applicant: User, client: Client
) -> None:
    notice = Notification.objects.create(
        recipient=applicant, kind=NotificationKind.MESSAGE, channel="sms", body="x"
    )
    path = f"/ansokan/sms-leveransrapport/{notice.pk}/{delivery_report_token(notice.pk)}/"
    answer = client.post(path, {"id": "s1", "status": "delivered"})
    assert answer.status_code == 503 and answer["Retry-After"]


def test_a_gateway_that_is_down_leaves_the_notice_to_the_retry_and_nothing_is_lost(
    sms_through_gateway: SmsGatewaySimulator,
    submitted_application: Application,
    applicant: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    sms_through_gateway.fault = Fault("down")
    notice = _sms_notice(submitted_application, applicant, django_capture_on_commit_callbacks)
    assert notice.status == "failed" and notice.attempts == 1
    assert "kunde inte nås" in notice.last_error
    sms_through_gateway.fault = Fault("error")
    Notification.objects.filter(pk=notice.pk).update(status="failed")
    notification_send(notification_id=notice.pk)
    notice.refresh_from_db()
    assert notice.status == "failed" and notice.attempts == 2 and "HTTP 500" in notice.last_error
    sms_through_gateway.fault = Fault()
    assert notifications_retry() == 1
    notice.refresh_from_db()
    assert notice.status == "sent" and notice.attempts == 3
    assert [s["to"] for s in sms_through_gateway.sent] == ["+46701234567"]
    assert not Notification.objects.filter(dedupe_key__startswith="fallback:").exists()


def test_a_number_the_gateway_refuses_falls_back_at_once(
    sms_through_gateway: SmsGatewaySimulator,
    submitted_application: Application,
    applicant: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    applicant.notification_channel, applicant.email = "sms", "alva@example.invalid"
    applicant.phone = "+4512345678"  # not a Swedish mobile: the simulator answers 400
    applicant.save()
    with django_capture_on_commit_callbacks(execute=True):
        [notice] = notify_caseworker_message(submitted_application)
    notice.refresh_from_db()
    assert notice.status == "failed" and "HTTP 400" in notice.last_error
    assert Notification.objects.get(dedupe_key=f"fallback:{notice.pk}").channel == "email"


@pytest.mark.django_db(transaction=True)
def test_the_gateway_posts_its_report_and_the_notice_is_delivered(
    gateway: SmsGatewaySimulator, live_server: Any, applicant: User, settings: Any
) -> None:
    """End to end: the simulator itself posts the report to our live server."""
    gateway.report_attempts = 5
    settings.NOTIFICATION_BACKENDS = {
        **settings.NOTIFICATION_BACKENDS,
        "sms": "notifications.sms.GatewaySmsBackend",
    }
    applicant.notification_channel, applicant.phone = "sms", "0701230000"  # reported failed
    applicant.email = "alva@example.invalid"
    applicant.save()
    delivered = Notification.objects.create(
        recipient=applicant, kind=NotificationKind.MESSAGE, channel="sms", body="Något nytt"
    )
    with gateway_settings(gateway, SMS_CALLBACK_BASE_URL=live_server.url):
        User.objects.filter(pk=applicant.pk).update(phone="0701234567")
        notification_send(notification_id=delivered.pk)
        User.objects.filter(pk=applicant.pk).update(phone="0701230000")
        failed = Notification.objects.create(
            recipient=applicant, kind=NotificationKind.MESSAGE, channel="sms", body="Något nytt"
        )
        notification_send(notification_id=failed.pk)
        reports = gateway.reports_settled(2)
    assert sorted(r["status"] for r in reports if r["answer"] == 204) == ["delivered", "failed"]
    delivered.refresh_from_db()
    failed.refresh_from_db()
    assert delivered.delivered_at is not None and delivered.status == "sent"
    assert failed.status == "failed" and failed.last_error == SMS_NOT_DELIVERED
    assert Notification.objects.get(dedupe_key=f"fallback:{failed.pk}").channel == "email"
