"""Transports for notices, chosen by dotted path in `settings.NOTIFICATION_BACKENDS`.

One small interface, like Django's e-mail backends: `send(message) -> Receipt`, raising
`NotificationFailed` when the provider refused or could not be reached (the notice is retried).
The fakes keep what they "sent" in memory (`outbox`) for development and tests, and can be told to
fail (`fail_next`). A system check refuses fakes when DEBUG is off.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import make_msgid
from typing import ClassVar, Protocol, runtime_checkable

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.crypto import salted_hmac


class NotificationFailed(Exception):
    """The provider refused or could not be reached: try again later."""


class NotificationRejected(NotificationFailed):
    """The provider refused this message for good (a number that cannot take SMS, a letter the
    print service will not print): trying again will not help, so the notice falls back to the
    next channel (`notifications.sending`)."""


@dataclass(frozen=True)
class OutgoingMessage:
    channel: str  # sms | email | letter | forwarding
    body: str
    subject: str = ""
    phone: str = ""
    email: str = ""
    # Letters: the recipient, and the address looked up in the population register just now
    # (never stored). A letter via Skatteverket's forwarding carries no address at all.
    recipient_name: str = ""
    recipient_personnummer: str = ""
    address: str = ""
    via_forwarding: bool = False
    enclosure: str = ""  # the document in the envelope, e.g. "decision:42"
    # Letters: who sends it (the municipality's postal address, printed at the top).
    sender: str = ""
    # Our id of the notice: the SMS delivery report's callback and the letter's batch name.
    notice_id: int = 0
    language: str = ""  # the recipient's language (a letter's PDF says it)


@dataclass(frozen=True)
class LetterReceipt:
    """The print-and-post service's answer for one batch (one letter)."""

    reference: str  # the batch, as the letter's `Receipt.reference`
    accepted: bool  # printed and handed to the post
    reason: str = ""  # why not (the service's words)
    at: datetime | None = None  # when it was processed


@dataclass(frozen=True)
class Receipt:
    reference: str
    delivered: bool  # the provider confirmed delivery (a letter: handed to the post)


class NotificationBackend(Protocol):
    is_fake: bool

    def send(self, message: OutgoingMessage) -> Receipt: ...


@runtime_checkable
class LetterReceiptSource(Protocol):
    """A letter transport whose service answers later, per batch (the print service's receipt
    files): each receipt is handed to `record` and, once recorded, put away (never deleted).
    Returns how many were read."""

    def receipts_collect(self, record: Callable[[LetterReceipt], object]) -> int: ...


class FakeBackend:
    """Records messages in memory; `fail_next(n)` makes the next n sends fail."""

    is_fake = True
    channel: ClassVar[str] = ""
    outbox: ClassVar[list[OutgoingMessage]]
    _failures: ClassVar[list[str]]
    _lock = threading.Lock()

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls.outbox = []
        cls._failures = []

    @classmethod
    def fail_next(cls, times: int = 1, error: str = "provider unavailable") -> None:
        with cls._lock:
            cls._failures.extend([error] * times)

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.outbox.clear()
            cls._failures.clear()

    def send(self, message: OutgoingMessage) -> Receipt:
        with self._lock:
            if self._failures:
                raise NotificationFailed(self._failures.pop(0))
            self.outbox.append(message)
        return Receipt(reference=f"fake-{self.channel}-{secrets.token_hex(6)}", delivered=True)


class FakeSmsBackend(FakeBackend):
    channel = "sms"


class FakeEmailBackend(FakeBackend):
    channel = "email"


class FakeLetterBackend(FakeBackend):
    """Stands in for the print-and-post service; letters and forwarded letters both come here."""

    channel = "letter"


# The envelope sender that brings an e-mail's bounce back to its notice (notifications.bounces).
_BOUNCE_SALT = "notifications.bounces.verp"


def bounce_signature(notice_id: int) -> str:
    return salted_hmac(_BOUNCE_SALT, str(notice_id), secret=settings.SECRET_KEY).hexdigest()[:16]


def bounce_address(notice_id: int) -> str:
    """The envelope sender of notice `notice_id`'s e-mail ("" without a bounce mailbox)."""
    local, _at, domain = settings.EMAIL_BOUNCE_ADDRESS.partition("@")
    if not local or not domain or not notice_id:
        return ""
    return f"{local}+{notice_id}-{bounce_signature(notice_id)}@{domain}"


class DjangoEmailBackend:
    """E-mail through Django's EMAIL_BACKEND (in production `notifications.smtp.
    VerifiedSmtpBackend`: SMTP with verified STARTTLS). The receipt's reference is the message's
    Message-ID, which the relay's logs and a bounce name."""

    is_fake = False

    def send(self, message: OutgoingMessage) -> Receipt:
        message_id = make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN)
        # The envelope sender names the notice, so its bounce finds it (notifications.bounces);
        # the From the person sees stays DEFAULT_FROM_EMAIL.
        envelope_sender = bounce_address(message.notice_id) or None
        email = EmailMessage(
            message.subject,
            message.body,
            envelope_sender,
            [message.email],
            headers={"Message-ID": message_id, "From": settings.DEFAULT_FROM_EMAIL},
        )
        try:
            sent = email.send()
        except (OSError, ValueError) as exc:  # smtplib and ssl errors are OSErrors
            raise NotificationFailed(type(exc).__name__) from exc
        if sent != 1:
            raise NotificationFailed("not accepted")
        return Receipt(reference=message_id, delivered=False)


def fake_outboxes_clear() -> None:
    for backend in (FakeSmsBackend, FakeEmailBackend, FakeLetterBackend):
        backend.reset()
