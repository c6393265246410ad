"""Sending notices through their channel (the transports), retrying what failed, and the
providers' delivery receipts. Writing a notice is `notifications.delivery`."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from accounts.models import User
from notifications.events import (
    AddressQuery,
    notices_delivered,
    notices_failed,
    notices_sent,
    notices_undeliverable,
    postal_address,
)
from notifications.models import DeliveryChannel, Notification, NotificationStatus
from notifications.transports import (
    LetterReceipt,
    LetterReceiptSource,
    NotificationBackend,
    NotificationFailed,
    NotificationRejected,
    OutgoingMessage,
)

logger = logging.getLogger(__name__)

SUBJECT = gettext_lazy("Något nytt i din ansökan om ekonomiskt bistånd")
# `last_error` of a letter that cannot be posted: no registered address, not protected.
NO_POSTAL_ADDRESS = "ingen folkbokföringsadress"


class NoPostalAddress(Exception):
    """The person has no registered address and no protected identity: no letter can be posted
    (Skatteverket's forwarding exists only for skyddade personuppgifter)."""


def subject_for(recipient: User) -> str:
    """The e-mail's and letter's subject, in the recipient's language."""
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        return str(SUBJECT)


def _backend(channel: str) -> NotificationBackend:
    key = "letter" if channel == DeliveryChannel.FORWARDING else channel
    backend: NotificationBackend = import_string(settings.NOTIFICATION_BACKENDS[key])()
    return backend


def _letter_message(notification: Notification) -> OutgoingMessage:
    recipient = notification.recipient
    application = notification.application
    forwarding = notification.channel == DeliveryChannel.FORWARDING
    address = ""
    if not forwarding:
        found = postal_address.ask(
            AddressQuery(
                personnummer=recipient.personnummer or "",
                municipality_code=application.municipality.code if application else "",
                reference=application.reference if application else "",
            )
        )
        if found.protected:
            forwarding = True  # skyddade personuppgifter: Skatteverket forwards
        elif not found.address:
            raise NoPostalAddress(NO_POSTAL_ADDRESS)
        else:
            address = found.address
    return OutgoingMessage(
        channel=DeliveryChannel.FORWARDING if forwarding else DeliveryChannel.LETTER,
        body=notification.body,
        subject=subject_for(recipient),
        recipient_name=recipient.display_name() if recipient.get_full_name() else "",
        recipient_personnummer=recipient.personnummer or "",
        address=address,
        via_forwarding=forwarding,
        enclosure=notification.enclosure,
        sender=(application.municipality.postal_address or application.municipality.name)
        if application
        else "",
        notice_id=notification.pk,
        language=recipient.language or settings.LANGUAGE_CODE,
    )


SENT_FIELDS = (
    "status",
    "channel",
    "sent_at",
    "delivered_at",
    "provider_reference",
    "attempts",
    "last_error",
)


def notification_send(*, notification_id: int) -> Notification:
    """Send one notice. Idempotent: a sent notice is not sent again."""
    notification = Notification.objects.select_related(
        "recipient", "application__municipality"
    ).get(pk=notification_id)
    if notification.status == NotificationStatus.SENT:
        return notification
    if not _send(notification):
        notification.refresh_from_db()
        return notification
    with transaction.atomic():
        notification.save(update_fields=SENT_FIELDS)
        notices_sent.publish([notification])
    return notification


def notifications_send(*, notification_ids: list[int]) -> int:
    """``notification_send`` for many notices (the robot's batch): one read, each notice
    through its channel, one write for all that went out. Returns how many went out."""
    notices = list(
        Notification.objects.select_related("recipient", "application__municipality")
        .filter(pk__in=notification_ids)
        .exclude(status=NotificationStatus.SENT)
        .order_by("pk")
    )
    now = timezone.now()
    sent = [notification for notification in notices if _send(notification, now)]
    # One UPDATE per (channel, delivered) group, the provider's reference per row: cheaper to
    # build than ``bulk_update``'s CASE for every field.
    groups: dict[tuple[str, bool], list[Notification]] = {}
    for notification in sent:
        key = (notification.channel, notification.delivered_at is not None)
        groups.setdefault(key, []).append(notification)
    with transaction.atomic():
        for (channel, delivered), group in groups.items():
            Notification.objects.filter(pk__in=[n.pk for n in group]).update(
                status=NotificationStatus.SENT,
                channel=channel,
                sent_at=now,
                delivered_at=now if delivered else None,
                provider_reference=Case(
                    *(When(pk=n.pk, then=Value(n.provider_reference)) for n in group),
                    output_field=CharField(),
                ),
                attempts=F("attempts") + 1,
                last_error="",
            )
        notices_sent.publish(sent)
    return len(sent)


def _send(notification: Notification, now: datetime | None = None) -> bool:
    """Hand one notice to its channel. On success the notice's fields say so (not saved yet);
    on failure the failure is saved and False returned (the retry task tries again)."""
    recipient = notification.recipient
    try:
        if notification.channel in (DeliveryChannel.LETTER, DeliveryChannel.FORWARDING):
            message = _letter_message(notification)
        else:
            message = OutgoingMessage(
                channel=notification.channel,
                body=notification.body,
                subject=subject_for(recipient),
                phone=recipient.phone if notification.channel == DeliveryChannel.SMS else "",
                email=recipient.email if notification.channel == DeliveryChannel.EMAIL else "",
                notice_id=notification.pk,
                language=recipient.language or settings.LANGUAGE_CODE,
            )
        receipt = _backend(message.channel).send(message)
    except NoPostalAddress:
        _undeliverable(notification)
        return False
    except NotificationRejected as exc:  # retrying will not help: the next channel
        _failed_for_good(notification, str(exc))
        return False
    except Exception as exc:  # NotificationFailed, or the register/backend broke
        Notification.objects.filter(pk=notification.pk).update(
            status=NotificationStatus.FAILED,
            attempts=notification.attempts + 1,
            last_error=(str(exc) if isinstance(exc, NotificationFailed) else type(exc).__name__)[
                :200
            ],
        )
        return False
    now = now or timezone.now()
    notification.status = NotificationStatus.SENT
    notification.channel = message.channel
    notification.sent_at = now
    notification.delivered_at = now if receipt.delivered else None
    notification.provider_reference = receipt.reference
    notification.attempts += 1
    notification.last_error = ""
    return True


@transaction.atomic
def _undeliverable(notification: Notification) -> None:
    """No address to post to: retrying will not help, so the notice is failed for good and the
    case side is told (`notices_undeliverable`) in the same transaction."""
    notification.status = NotificationStatus.FAILED
    notification.attempts = max(notification.attempts + 1, settings.NOTIFICATION_MAX_ATTEMPTS)
    notification.last_error = NO_POSTAL_ADDRESS
    Notification.objects.filter(pk=notification.pk).update(
        status=notification.status,
        attempts=notification.attempts,
        last_error=notification.last_error,
    )
    notices_undeliverable.publish([notification])


@transaction.atomic
def _failed_for_good(notification: Notification, reason: str) -> None:
    """The provider refused this notice for good (or reported it undelivered): no retry; the
    notice falls back to the next channel and the case side is told (`notices_failed`)."""
    notification.status = NotificationStatus.FAILED
    notification.attempts = max(notification.attempts + 1, settings.NOTIFICATION_MAX_ATTEMPTS)
    notification.last_error = reason[:200]
    notification.delivered_at = None
    Notification.objects.filter(pk=notification.pk).update(
        status=notification.status,
        attempts=notification.attempts,
        last_error=notification.last_error,
        delivered_at=None,
    )
    logger.warning(
        "notification failed for good",
        extra={"notification_id": notification.pk, "channel": notification.channel},
    )
    notices_failed.publish([notification])


# `last_error` of an SMS whose delivery report said it never arrived.
SMS_NOT_DELIVERED = "leveransrapport: inte levererat"


@transaction.atomic
def delivery_report_record(
    *,
    notification_id: int,
    provider_reference: str,
    delivered: bool,
    at: datetime | None = None,
    reason: str = SMS_NOT_DELIVERED,
) -> bool:
    """A provider's delivery report for one sent notice (the SMS gateway's callback, an e-mail's
    bounce: notifications.bounces). Delivered:
    the time is recorded; failed: the notice failed for good and falls back to the next channel.
    Idempotent: a report for a notice already settled (or for another message) changes nothing.
    Returns whether it changed anything."""
    notification = (
        # Only the notice's row: PostgreSQL refuses FOR UPDATE on the nullable side of the outer
        # join to the application.
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient", "application")
        .filter(
            pk=notification_id,
            provider_reference=provider_reference,
            status=NotificationStatus.SENT,
            delivered_at__isnull=True,
        )
        .first()
    )
    if notification is None or not provider_reference:
        return False
    if delivered:
        return delivery_mark_delivered(provider_reference=provider_reference, at=at) > 0
    _failed_for_good(notification, reason)
    return True


def delivery_report_early(*, notification_id: int) -> bool:
    """A report for a notice whose send is not recorded yet (the gateway answered, our write is
    still to come): the report is to be posted again, not dropped."""
    return Notification.objects.filter(
        pk=notification_id,
        status__in=(NotificationStatus.QUEUED, NotificationStatus.FAILED),
        provider_reference="",
        attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS,
    ).exists()


@transaction.atomic
def letter_receipt_record(receipt: LetterReceipt) -> bool:
    """The print service's receipt for one letter: accepted → handed to the post (delivered);
    rejected → failed for good, with the service's reason (the case side is told). Idempotent:
    a receipt read twice changes nothing the second time."""
    notification = (
        # Only the notice's row: PostgreSQL refuses FOR UPDATE on the nullable side of the outer
        # join to the application.
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient", "application")
        .filter(
            provider_reference=receipt.reference,
            channel__in=(DeliveryChannel.LETTER, DeliveryChannel.FORWARDING),
            status=NotificationStatus.SENT,
            delivered_at__isnull=True,
        )
        .first()
    )
    if notification is None or not receipt.reference:
        return False
    if receipt.accepted:
        return delivery_mark_delivered(provider_reference=receipt.reference, at=receipt.at) > 0
    _failed_for_good(notification, f"tryckeriet: {receipt.reason or 'avvisat'}")
    return True


def letter_receipts_collect() -> int:
    """Read the print service's receipts (beat; safe to run twice: each receipt is recorded
    before it is put away, and recording one twice changes nothing)."""
    backend = _backend(DeliveryChannel.LETTER)
    if not isinstance(backend, LetterReceiptSource):
        return 0  # a transport that answers at once (the fake)
    return backend.receipts_collect(letter_receipt_record)


@transaction.atomic
def delivery_mark_delivered(*, provider_reference: str, at: datetime | None = None) -> int:
    """A provider's delivery receipt (SMS/e-mail webhooks)."""
    when = at or timezone.now()
    notices = Notification.objects.filter(
        provider_reference=provider_reference, delivered_at__isnull=True
    )
    ids = list(notices.values_list("pk", flat=True))
    notices.update(delivered_at=when)
    notices_delivered.publish((ids, when))
    return len(ids)


def notifications_retry(*, now: datetime | None = None) -> int:
    """Resend notices that failed or were never sent (beat). Gives up after the attempt cap
    (an undelivered decision then goes out on paper: caseworker.letters.delivery)."""
    moment = now or timezone.now()
    pending = Notification.objects.filter(
        Q(status=NotificationStatus.FAILED)
        | Q(status=NotificationStatus.QUEUED, created_at__lt=moment - timedelta(minutes=2)),
        attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS,
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(pending):
        notification_send(notification_id=pk)
        count += 1
    return count
