"""Telling people that something happened: channels, the outbox and sending (#5).

Notices go through the channel the person chose (SMS, e-mail, letter; a letter when nothing else
works) and carry no case details: only "something new, log in", or a text the caller words (a
meeting time: `meetings.notices`; a decision letter: `caseworker.letters.delivery`). This module
knows no decision or meeting wording. They go to the applicant and to anyone with an active
mandate for them.

- `notify_applicant(application=..., kind=..., body=..., key=...)`: the notice, written in the
  caller's transaction and sent after commit (`notice_write` for one recipient).
- sending, retries and providers' receipts: `notifications.sending`.
- `events.notices_sent` and `events.notices_delivered` tell whoever keeps a record of a delivery
  (the decision's delivery record subscribes).

Letters: the address is asked for (`events.postal_address`, answered from the population
register) when the letter is sent and never stored; for skyddade personuppgifter no address is
used and the letter goes through Skatteverket's forwarding (recorded as the channel). Anyone
else without a registered address gets no letter at all (forwarding is only for protected
identities): the notice fails for good and `events.notices_undeliverable` tells the case side.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Union

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy

from accounts.eid import EidIdentity
from accounts.mandates import representatives_of
from accounts.models import NotificationChannel, User
from accounts.services import applicant_get_or_create
from intake.models import Application
from notifications.models import DeliveryChannel, Notification, NotificationKind
from notifications.sending import notification_send, notifications_send
from notifications.tasks import notification_send_task, notifications_send_task

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

# The texts this module words itself (Swedish source, in the recipient's language when sent).
SOMETHING_NEW = gettext_lazy("Det finns något nytt i din ansökan – logga in för att läsa.")

# What a notice says: a text, or a function that words it (dates, names), called in the
# recipient's language (`User.language`, the language they last used here).
NoticeText = Union["StrOrPromise", Callable[[], str]]


def worded(body: NoticeText, recipient: User) -> str:
    """`body` in the recipient's language."""
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        return str(body()) if callable(body) else str(body)


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


def channel_after(notification: Notification) -> DeliveryChannel | None:
    """Where a notice goes when its channel failed for good: SMS → e-mail (if the person has
    given one) → a letter; after a letter, nothing (the case side is told instead). The
    applicant's decision notice never falls back to a letter here: the decision's delivery record
    posts the decision itself (caseworker.letters.delivery escalates a notice failed for good)."""
    application = notification.application
    protected = bool(application and application.protected_identity)
    letter = DeliveryChannel.FORWARDING if protected else DeliveryChannel.LETTER
    following: DeliveryChannel | None = None
    if notification.channel == DeliveryChannel.SMS and notification.recipient.email:
        following = DeliveryChannel.EMAIL
    elif notification.channel in (DeliveryChannel.SMS, DeliveryChannel.EMAIL):
        following = letter
    if (
        following == letter
        and notification.kind == NotificationKind.DECISION
        and application is not None
        and notification.recipient_id == application.applicant_id
    ):
        return None
    return following


def notices_fall_back(notices: list[Notification]) -> None:
    """Subscriber of `notices_failed` (inside the transaction that records the failure): the
    same notice again through the next channel, once (sent after commit)."""
    for notification in notices:
        following = channel_after(notification)
        if following is None:
            continue
        is_letter = following in (DeliveryChannel.LETTER, DeliveryChannel.FORWARDING)
        notice_write(
            recipient=notification.recipient,
            application=notification.application,
            kind=NotificationKind(notification.kind),
            body=notification.body,
            dedupe_key=f"fallback:{notification.pk}",
            channel=following,
            enclosure=notification.enclosure if is_letter else "",
        )


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
    body: NoticeText,
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
        body=worded(body, recipient),
        enclosure=enclosure,
        dedupe_key=dedupe_key,
    )
    transaction.on_commit(partial(notification_dispatch, notification.pk), robust=True)
    return notification


@transaction.atomic
def notify_applicant(
    *,
    application: Application,
    kind: NotificationKind,
    body: NoticeText = SOMETHING_NEW,
    key: str = "",
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


# Neutral, like every notice (an SMS or a letter may be read by someone else): no name, no
# "ekonomiskt bistånd", only that something waits for their signature (#19 stranger run).
PARTNER_TO_SIGN = gettext_lazy(
    "Du har blivit ombedd att skriva under en ansökan som medsökande. Logga in med din "
    "e-legitimation och välj Mina ansökningar för att läsa och skriva under. Ansökan skickas "
    "först när ni båda har skrivit under."
)


@transaction.atomic
def notify_partner_to_sign(application_id: int) -> Notification | None:
    """The declared partner is asked to sign, through their channel (a letter to the registered
    address when they have chosen none). A person who has never logged in gets an account keyed
    by their personnummer, as logging in with e-ID would give them. Once per signing round."""
    application = Application.objects.select_related("applicant").get(pk=application_id)
    partner = application.members.filter(role="partner").first()
    if partner is None or not partner.personnummer:
        return None
    person = User.objects.filter(personnummer=partner.personnummer).first()
    if person is None:
        given, _sep, family = partner.name.partition(" ")
        person = applicant_get_or_create(
            identity=EidIdentity(partner.personnummer, given or partner.name, family)
        )
    signature = application.signatures.filter(personnummer=partner.personnummer).first()
    round_key = signature.pk if signature is not None else 0
    return notice_write(
        recipient=person,
        application=application,
        kind=NotificationKind.SIGNATURE_REQUESTED,
        body=PARTNER_TO_SIGN,
        dedupe_key=f"sign:{application.pk}:{round_key}",
    )


def partner_asked_to_sign(application_id: int) -> None:
    """Subscriber of intake's `partner_signature_requested` (see `notify_partner_to_sign`)."""
    notify_partner_to_sign(application_id)


def notify_caseworker_message(application: Application) -> list[Notification]:
    return notify_applicant(application=application, kind=NotificationKind.MESSAGE)


def notification_dispatch(notification_id: int) -> None:
    """After commit: send now (no services) or hand to Celery; failures wait for the retry."""
    if settings.ROBOT_MODE == "celery":
        try:
            notification_send_task.apply_async(args=(notification_id,), retry=False)
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
        try:
            notifications_send_task.apply_async(args=(notification_ids,), retry=False)
        except Exception:  # the broker is down: the rows are the outbox, the retry sends them
            logger.warning("broker unavailable; %s notices wait for retry", len(notification_ids))
        return
    try:
        notifications_send(notification_ids=notification_ids)
    except Exception:
        logger.exception("sending %s notifications failed", len(notification_ids))
