"""Telling people that something happened: channels, the outbox and sending (#5).

Notices go through the channel the person chose (SMS, e-mail, letter; a letter when nothing else
works) and carry no case details: only "something new, log in", or a text the caller words (a
meeting time: `meetings.notices`; a decision letter: `caseworker.letters.delivery`). This module
knows no decision or meeting wording. They go to the applicant and to anyone with an active
mandate for them.

- `notify_applicant(application=..., kind=..., body=..., key=...)`: the notice, written in the
  caller's transaction and sent after commit (`notice_write` for one recipient).
- beat: `notifications_retry(now)`; providers' receipts: `delivery_mark_delivered(...)`.
- `events.notices_sent` and `events.notices_delivered` tell whoever keeps a record of a delivery
  (the decision's delivery record subscribes).

Letters: the address is asked for (`events.postal_address`, answered from the population
register) when the letter is sent and never stored; for skyddade personuppgifter no address is
used and the letter goes through Skatteverket's forwarding (recorded as the channel).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.mandates import representatives_of
from accounts.models import NotificationChannel, User
from intake.models import Application
from notifications.events import AddressQuery, notices_delivered, notices_sent, postal_address
from notifications.models import DeliveryChannel, Notification, NotificationKind, NotificationStatus
from notifications.transports import NotificationBackend, NotificationFailed, OutgoingMessage

logger = logging.getLogger(__name__)

# The texts this module words itself (Swedish: what the person reads).
SOMETHING_NEW = "Det finns något nytt i din ansökan – logga in för att läsa."
SUBJECT = "Något nytt i din ansökan om ekonomiskt bistånd"


# --- Channels and addresses -------------------------------------------------------------------


def channel_for(user: User, *, protected: bool = False) -> DeliveryChannel:
    """The person's choice when we can use it; otherwise a letter (nobody is left unreached)."""
    chosen = user.notification_channel
    if chosen == NotificationChannel.SMS and user.phone:
        return DeliveryChannel.SMS
    if chosen == NotificationChannel.EMAIL and user.email:
        return DeliveryChannel.EMAIL
    if chosen == NotificationChannel.SMS and user.email:
        return DeliveryChannel.EMAIL
    return DeliveryChannel.FORWARDING if protected else DeliveryChannel.LETTER


def _backend(channel: str) -> NotificationBackend:
    key = "letter" if channel == DeliveryChannel.FORWARDING else channel
    backend: NotificationBackend = import_string(settings.NOTIFICATION_BACKENDS[key])()
    return backend


# --- Writing and sending notices --------------------------------------------------------------


def recipients(application: Application) -> list[User]:
    """The applicant (while active) and everyone with an active mandate for them."""
    applicant = application.applicant
    people = [applicant] if applicant.is_active else []
    people += representatives_of(principal_personnummer=applicant.personnummer or "")
    return people


def notice_write(
    *,
    recipient: User,
    application: Application | None,
    kind: NotificationKind,
    body: str,
    dedupe_key: str | None,
    channel: DeliveryChannel | None = None,
    enclosure: str = "",
) -> Notification | None:
    """Write one notice (the outbox row) and send it after commit. None if it already exists."""
    protected = bool(application and application.protected_identity)
    if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    notification = Notification.objects.create(
        recipient=recipient,
        application=application,
        kind=kind,
        channel=channel or channel_for(recipient, protected=protected),
        body=body,
        enclosure=enclosure,
        dedupe_key=dedupe_key,
    )
    transaction.on_commit(partial(notification_dispatch, notification.pk), robust=True)
    return notification


@transaction.atomic
def notify_applicant(
    *, application: Application, kind: NotificationKind, body: str = SOMETHING_NEW, key: str = ""
) -> list[Notification]:
    """The same notice to the applicant and their active representatives."""
    sent = []
    for person in recipients(application):
        notice = notice_write(
            recipient=person,
            application=application,
            kind=kind,
            body=body,
            dedupe_key=f"{key}:{person.pk}" if key else None,
        )
        if notice is not None:
            sent.append(notice)
    return sent


def notify_caseworker_message(application: Application) -> list[Notification]:
    return notify_applicant(application=application, kind=NotificationKind.MESSAGE)


def notification_dispatch(notification_id: int) -> None:
    """After commit: send now (no services) or hand to Celery; failures wait for the retry."""
    if settings.ROBOT_MODE == "celery":
        from notifications.tasks import notification_send_task

        try:
            notification_send_task.apply_async(args=[notification_id], retry=False)
        except Exception:  # the broker is down: the row is the outbox, the retry task sends it
            logger.warning("broker unavailable; notification %s waits for retry", notification_id)
        return
    try:
        notification_send(notification_id=notification_id)
    except Exception:
        logger.exception("sending notification %s failed", notification_id)


def notifications_dispatch(notification_ids: list[int]) -> None:
    """``notification_dispatch`` for many notices: one task (or one loop) sends them all."""
    if not notification_ids:
        return
    if settings.ROBOT_MODE == "celery":
        from notifications.tasks import notifications_send_task

        try:
            notifications_send_task.apply_async(args=[notification_ids], retry=False)
        except Exception:  # the broker is down: the rows are the outbox, the retry sends them
            logger.warning("broker unavailable; %s notices wait for retry", len(notification_ids))
        return
    try:
        notifications_send(notification_ids=notification_ids)
    except Exception:
        logger.exception("sending %s notifications failed", len(notification_ids))


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
        if found.protected or not found.address:
            forwarding = True  # skyddade personuppgifter (or no address): Skatteverket forwards
        else:
            address = found.address
    return OutgoingMessage(
        channel=DeliveryChannel.FORWARDING if forwarding else DeliveryChannel.LETTER,
        body=notification.body,
        subject=SUBJECT,
        recipient_name=recipient.display_name() if recipient.get_full_name() else "",
        recipient_personnummer=recipient.personnummer or "",
        address=address,
        via_forwarding=forwarding,
        enclosure=notification.enclosure,
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
                subject=SUBJECT,
                phone=recipient.phone if notification.channel == DeliveryChannel.SMS else "",
                email=recipient.email if notification.channel == DeliveryChannel.EMAIL else "",
            )
        receipt = _backend(message.channel).send(message)
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
