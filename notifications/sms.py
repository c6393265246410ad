"""SMS through an HTTPS SMS gateway, with delivery reports (#19 item 4).

The gateway's API is 46elks' (`POST /a1/sms`; other Swedish gateways offer the same shape): form
fields `from` (a sender name of 3–11 letters and digits, or a number), `to` (E.164), `message`
and `whendelivered` (the URL the delivery report is posted to), HTTP basic auth with the API user
and secret; the answer is JSON with the message's `id` and `status`. The report posts `id`,
`status` ("delivered" or "failed") and `delivered` (the time) to `whendelivered`.

Each report URL names our notice and carries a signature of it (`delivery_report_token`), so
nobody who has not seen the URL can forge a report (notifications.views.sms_delivery_report).

Failures: a timeout, a connection or TLS error, HTTP 5xx, 429 or a refused login (401/403) are
temporary (`NotificationFailed`: the notice is retried); any other 4xx refuses this message
(`NotificationRejected`: a number that cannot take SMS; the notice falls back to the next
channel). No retry inside the transport: a gateway that was slow but did accept would send the
SMS twice.
"""

from __future__ import annotations

import logging
import re
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from notifications.transports import (
    NotificationFailed,
    NotificationRejected,
    OutgoingMessage,
    Receipt,
)

logger = logging.getLogger(__name__)

# An alphanumeric sender: 3–11 letters (a–z, no å/ä/ö) and digits, starting with a letter.
SENDER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{2,10}$")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_TOKEN_SALT = "notifications.sms.delivery_report"  # noqa: S105 - a salt, not a secret


class InvalidPhoneNumber(ValueError):
    pass


def phone_e164(number: str, *, country_code: str = "46") -> str:
    """A phone number as written by a person ("070-123 45 67", "+46 70 123 45 67",
    "0046701234567") in E.164 ("+46701234567"). Raises InvalidPhoneNumber."""
    compact = re.sub(r"[\s\-().]", "", number or "")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif compact.startswith("0"):
        compact = f"+{country_code}{compact[1:]}"
    if not E164.match(compact):
        raise InvalidPhoneNumber("not a phone number")
    return compact


def sender_valid(sender: str) -> bool:
    return bool(SENDER_NAME.match(sender) or E164.match(sender))


def delivery_report_token(notice_id: int) -> str:
    """The signature in a notice's report URL (HMAC-SHA256 keyed with SMS_CALLBACK_SECRET, or
    SECRET_KEY when that is empty)."""
    return salted_hmac(
        _TOKEN_SALT,
        str(notice_id),
        secret=settings.SMS_CALLBACK_SECRET or None,
        algorithm="sha256",
    ).hexdigest()[:40]


def delivery_report_token_valid(notice_id: int, token: str) -> bool:
    return constant_time_compare(delivery_report_token(notice_id), token)


def delivery_report_url(notice_id: int) -> str:
    base = settings.SMS_CALLBACK_BASE_URL.rstrip("/")
    path = reverse(
        "notifications:sms_delivery_report", args=(notice_id, delivery_report_token(notice_id))
    )
    return base + path


def _callback_base_valid(base: str) -> bool:
    """Reports come over https; plain http only to this machine (the tests)."""
    parts = urlsplit(base)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    try:
        return ip_address(parts.hostname).is_loopback
    except ValueError:
        return parts.hostname == "localhost"


class GatewaySmsBackend:
    is_fake = False

    def __init__(self) -> None:
        if not sender_valid(settings.SMS_SENDER):
            raise ImproperlyConfigured(
                "SMS_SENDER must be 3-11 letters and digits starting with a letter, or a number."
            )
        if not settings.SMS_GATEWAY_USER or not settings.SMS_GATEWAY_SECRET:
            raise ImproperlyConfigured("SMS_GATEWAY_USER and SMS_GATEWAY_SECRET are required.")
        if not _callback_base_valid(settings.SMS_CALLBACK_BASE_URL):
            raise ImproperlyConfigured("SMS_CALLBACK_BASE_URL must be this service's https URL.")
        self.endpoint = settings.SMS_GATEWAY_URL.rstrip("/") + "/a1/sms"
        self.auth = (settings.SMS_GATEWAY_USER, settings.SMS_GATEWAY_SECRET)
        self.verify: str | bool = settings.SMS_CA_FILE or True
        self.timeout = float(settings.SMS_TIMEOUT_SECONDS)

    def send(self, message: OutgoingMessage) -> Receipt:
        try:
            to = phone_e164(message.phone)
        except InvalidPhoneNumber as exc:
            raise NotificationRejected("ogiltigt mobilnummer") from exc
        data = {
            "from": settings.SMS_SENDER,
            "to": to,
            "message": message.body,
            "whendelivered": delivery_report_url(message.notice_id),
        }
        try:
            response = requests.post(
                self.endpoint,
                data=data,
                auth=self.auth,
                timeout=(min(self.timeout, 5.0), self.timeout),
                verify=self.verify,
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            raise NotificationFailed("SMS-tjänsten svarade inte i tid") from exc
        except requests.RequestException as exc:  # connection refused, TLS, reset
            raise NotificationFailed(f"SMS-tjänsten kunde inte nås ({type(exc).__name__})") from exc
        return _receipt(response)


def _receipt(response: requests.Response) -> Receipt:
    status = response.status_code
    if status in (401, 403):
        logger.error("SMS gateway refused our credentials", extra={"status": status})
        raise NotificationFailed(f"SMS-tjänsten nekade inloggningen (HTTP {status})")
    if status == 429 or status >= 500:
        raise NotificationFailed(f"SMS-tjänsten är inte tillgänglig (HTTP {status})")
    if 400 <= status < 500:
        # The gateway's text names the field (e.g. "Invalid to number"); never the number itself.
        raise NotificationRejected(f"SMS-tjänsten avvisade meddelandet (HTTP {status})")
    if status != 200:
        raise NotificationFailed(f"oväntat svar från SMS-tjänsten (HTTP {status})")
    try:
        answer: Any = response.json()
    except ValueError as exc:
        raise NotificationFailed("oläsligt svar från SMS-tjänsten") from exc
    if not isinstance(answer, dict) or not isinstance(answer.get("id"), str) or not answer["id"]:
        raise NotificationFailed("oläsligt svar från SMS-tjänsten")
    if answer.get("status") == "failed":
        raise NotificationRejected("SMS-tjänsten kunde inte skicka meddelandet")
    return Receipt(reference=answer["id"][:120], delivered=answer.get("status") == "delivered")
