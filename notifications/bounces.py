"""E-mail delivery reports (#19 item 4): the mail system's bounces (RFC 3464 delivery status
notifications) read back from the bounce mailbox, so an e-mail that never arrived falls back to
the next channel like a failed SMS.

Each notice leaves with its own envelope sender (VERP): `EMAIL_BOUNCE_ADDRESS` with `+<notice
id>-<signature>` in the local part, so the bounce comes back addressed to that notice and nobody
can forge one for another (the signature is an HMAC). The bounce must also carry the e-mail's
Message-ID (our receipt reference) in the returned headers. `bounces_collect` reads the mailbox
over POP3 with TLS (beat, every 5 minutes; safe to run twice): each bounce is recorded, then
removed from the mailbox (a technical mailbox: the count is logged, the notice keeps the reason).
"""

from __future__ import annotations

import email
import logging
import poplib
import re
import ssl
from dataclasses import dataclass
from email.message import Message

from django.conf import settings
from django.utils.crypto import constant_time_compare

from notifications.sending import delivery_report_record
from notifications.transports import bounce_signature

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bounce:
    notice_id: int
    message_id: str  # of the e-mail that bounced: our receipt reference
    delivered: bool  # a DSN may also say "delivered" (NOTIFY=SUCCESS)
    reason: str


def _notice_of(message: Message) -> int | None:
    local, _at, domain = settings.EMAIL_BOUNCE_ADDRESS.partition("@")
    pattern = re.compile(
        rf"{re.escape(local)}\+(\d+)-([0-9a-f]{{16}})@{re.escape(domain)}", re.IGNORECASE
    )
    for header in ("Delivered-To", "X-Original-To", "To", "Envelope-To"):
        for value in message.get_all(header, []):
            found = pattern.search(str(value))
            if not found:
                continue
            notice_id = int(found.group(1))
            if constant_time_compare(found.group(2), bounce_signature(notice_id)):
                return notice_id
    return None


def _blocks(part: Message) -> list[Message]:
    """The header blocks of a message/delivery-status part (the parser gives them as a list)."""
    payload = part.get_payload()
    return [b for b in payload if isinstance(b, Message)] if isinstance(payload, list) else []


def _returned_headers(part: Message) -> Message:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return payload[0]  # message/rfc822
    text = payload if isinstance(payload, str) else ""
    return email.message_from_string(text)  # text/rfc822-headers


def bounce_parse(raw: bytes) -> Bounce | None:
    """A delivery status notification for one of our notices, or None (anything else)."""
    message = email.message_from_bytes(raw)
    if message.get_content_type() != "multipart/report" or not message.is_multipart():
        return None
    notice_id = _notice_of(message)
    if notice_id is None:
        return None
    action = status = diagnostic = message_id = ""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            # Per-message fields first, then one block per recipient (ours: one recipient).
            for block in _blocks(part):
                action = str(block.get("Action", action)).strip().lower()
                status = str(block.get("Status", status)).strip()
                diagnostic = str(block.get("Diagnostic-Code", diagnostic)).strip()
        elif kind in ("text/rfc822-headers", "message/rfc822") and not message_id:
            message_id = str(_returned_headers(part).get("Message-ID", "")).strip()
    if action not in ("failed", "delivered") or not message_id:
        return None
    reason = f"e-post studsade: {status} {diagnostic}".strip()
    return Bounce(notice_id, message_id, action == "delivered", reason[:200])


def bounce_record(bounce: Bounce) -> bool:
    return delivery_report_record(
        notification_id=bounce.notice_id,
        provider_reference=bounce.message_id,
        delivered=bounce.delivered,
        reason=bounce.reason,
    )


def bounces_collect() -> int:
    """Read the bounce mailbox; return how many notices a bounce changed."""
    if not settings.EMAIL_BOUNCE_POP3_HOST:
        return 0
    context = ssl.create_default_context(cafile=settings.EMAIL_BOUNCE_CA_FILE or None)
    mailbox = poplib.POP3_SSL(
        settings.EMAIL_BOUNCE_POP3_HOST,
        settings.EMAIL_BOUNCE_POP3_PORT,
        timeout=settings.EMAIL_TIMEOUT,
        context=context,
    )
    changed = read = 0
    try:
        mailbox.user(settings.EMAIL_BOUNCE_POP3_USER)
        mailbox.pass_(settings.EMAIL_BOUNCE_POP3_PASSWORD)
        count, _size = mailbox.stat()
        for number in range(1, count + 1):
            _response, lines, _octets = mailbox.retr(number)
            bounce = bounce_parse(b"\r\n".join(lines))
            if bounce is not None and bounce_record(bounce):
                changed += 1
            mailbox.dele(number)  # recorded (or not ours): the next read starts clean
            read += 1
    finally:
        mailbox.quit()
    logger.info("e-mail bounces read", extra={"read": read, "changed": changed})
    return changed
