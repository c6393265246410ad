"""Telling people that something happened, and proving that each decision reached them (#5).

Notices go through the channel the person chose (SMS, e-mail, letter; a letter when nothing else
works) and carry no case details: only "something new, log in" and, for meetings, the time
(OSL 26 kap.; SECURITY.md T58). They go to the applicant and to anyone with an active mandate
for them.

Hooks for the other parts of the system (call them after the write commits, or inside the
transaction: the notice is written in it and sent after commit):

- `notify_decision(decision)`: the caseworker's decision (also creates the DecisionDelivery);
- `notify_supplement_requested(application)`, `notify_caseworker_message(application)`;
- `notify_meeting_booked(meeting)`, `notify_meeting_changed(meeting)`;
- beat: `meeting_reminders_send(day)`, `deliveries_escalate_unopened(now)`,
  `notifications_retry(now)`;
- the status page: `delivery_mark_opened(decision=..., user=...)` and `appeal_deadline(decision)`.

Letters: the address is looked up in the population register when the letter is sent and is
never stored; for skyddade personuppgifter no address is looked up and the letter goes through
Skatteverket's forwarding (recorded as the channel).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, Protocol

import holidays
from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.mandates import mandate_for, mandates_active, representatives_of
from accounts.models import Municipality, NotificationChannel, User

from .models import (
    Application,
    Decision,
    DecisionDelivery,
    DeliveryChannel,
    Notification,
    NotificationKind,
    NotificationStatus,
)
from .notification_backends import NotificationBackend, NotificationFailed, OutgoingMessage

logger = logging.getLogger(__name__)

# The only texts a notice may carry (plus a meeting time). Swedish: what the person reads.
SOMETHING_NEW = "Det finns något nytt i din ansökan – logga in för att läsa."
SUBJECT = "Något nytt i din ansökan om ekonomiskt bistånd"
DECISION_LETTER = (
    "Här är beslutet i din ansökan om ekonomiskt bistånd. Du kan också läsa det när du loggar in."
)
MEETING_BOOKED = "Du har fått en tid för ett möte: {when}. Logga in för att se mer."
MEETING_CHANGED = "Ditt möte har ändrats. Ny tid: {when}. Logga in för att se mer."
MEETING_REMINDER = "Påminnelse: du har ett möte i morgon, {when}. Logga in för att se mer."

WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
APPEAL_WEEKS = 3  # FL 44 §


def meeting_time_text(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} kl. {local:%H.%M}"


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


@dataclass(frozen=True)
class PostalAddress:
    address: str
    protected: bool


class AddressLookup(Protocol):
    def lookup(self, personnummer: str, *, municipality_code: str, reference: str) -> PostalAddress:
        """The registered address now; `protected` for skyddade personuppgifter."""
        ...


class PopulationRegisterAddressLookup:
    """Asks the configured population register (Navet) at send time; nothing is stored."""

    def lookup(self, personnummer: str, *, municipality_code: str, reference: str) -> PostalAddress:
        # The register adapters live in eligibility; imported here only, when a letter is sent.
        from eligibility.registers.base import RequestPurpose

        register = import_string(settings.REGISTER_BACKENDS["population"])()
        extract = register.fetch(
            personnummer,
            as_of=timezone.localdate(),
            purpose=RequestPurpose(
                municipality_code=municipality_code,
                case_reference=reference,
                requested_by="notifications",
                purpose="ekonomiskt bistånd: brev till folkbokföringsadressen",
            ),
        )
        return PostalAddress(
            address="" if extract.protected_identity else extract.address,
            protected=extract.protected_identity,
        )


def _backend(channel: str) -> NotificationBackend:
    key = "letter" if channel == DeliveryChannel.FORWARDING else channel
    backend: NotificationBackend = import_string(settings.NOTIFICATION_BACKENDS[key])()
    return backend


def _address_lookup() -> AddressLookup:
    lookup: AddressLookup = import_string(settings.NOTIFICATION_ADDRESS_LOOKUP)()
    return lookup


# --- Writing and sending notices --------------------------------------------------------------


def _recipients(application: Application) -> list[User]:
    applicant = application.applicant
    people = [applicant] if applicant.is_active else []
    people += representatives_of(principal_personnummer=applicant.personnummer or "")
    return people


def _notice(
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
    for person in _recipients(application):
        notice = _notice(
            recipient=person,
            application=application,
            kind=kind,
            body=body,
            dedupe_key=f"{key}:{person.pk}" if key else None,
        )
        if notice is not None:
            sent.append(notice)
    return sent


def notify_supplement_requested(application: Application) -> list[Notification]:
    return notify_applicant(application=application, kind=NotificationKind.SUPPLEMENT)


def notify_caseworker_message(application: Application) -> list[Notification]:
    return notify_applicant(application=application, kind=NotificationKind.MESSAGE)


def notify_meeting_booked(meeting: Any) -> list[Notification]:
    return notify_applicant(
        application=meeting.application,
        kind=NotificationKind.MEETING_BOOKED,
        body=MEETING_BOOKED.format(when=meeting_time_text(meeting.starts_at)),
    )


def notify_meetings_booked(meetings: list[Any]) -> list[Notification]:
    """``notify_meeting_booked`` for many meetings (the robot's batch): one query for the
    representatives, one INSERT, one hand-over for sending. Call inside the booking's
    transaction; the notices go out after commit."""
    if not meetings:
        return []
    principals = {m.application.applicant.personnummer or "" for m in meetings} - {""}
    representatives: dict[str, list[User]] = {}
    for mandate in (
        mandates_active()
        .filter(principal_personnummer__in=principals, representative__is_active=True)
        .select_related("representative")
    ):
        representatives.setdefault(mandate.principal_personnummer, []).append(
            mandate.representative
        )
    notices = []
    for meeting in meetings:
        application = meeting.application
        applicant = application.applicant
        people = [applicant] if applicant.is_active else []
        people += representatives.get(applicant.personnummer or "", [])
        body = MEETING_BOOKED.format(when=meeting_time_text(meeting.starts_at))
        notices += [
            Notification(
                recipient=person,
                application=application,
                kind=NotificationKind.MEETING_BOOKED,
                channel=channel_for(person, protected=application.protected_identity),
                body=body,
            )
            for person in people
        ]
    Notification.objects.bulk_create(notices)
    transaction.on_commit(partial(notifications_dispatch, [n.pk for n in notices]), robust=True)
    return notices


def notify_meeting_changed(meeting: Any) -> list[Notification]:
    return notify_applicant(
        application=meeting.application,
        kind=NotificationKind.MEETING_CHANGED,
        body=MEETING_CHANGED.format(when=meeting_time_text(meeting.starts_at)),
    )


@transaction.atomic
def notify_decision(decision: Decision) -> DecisionDelivery:
    """Tell the applicant a decision is made and start its delivery record. Safe to call twice.

    The chosen channel carries "something new, log in"; when that channel is a letter, the
    letter is the decision itself (the enclosure). Representatives get a notice too.
    """
    application = Application.objects.select_related("applicant").get(pk=decision.application_id)
    delivery = DecisionDelivery.objects.filter(decision=decision).first()
    if delivery is not None:
        return delivery
    applicant = application.applicant
    channel = channel_for(applicant, protected=application.protected_identity)
    is_letter = channel in (DeliveryChannel.LETTER, DeliveryChannel.FORWARDING)
    notification = _notice(
        recipient=applicant,
        application=application,
        kind=NotificationKind.DECISION_LETTER if is_letter else NotificationKind.DECISION,
        body=DECISION_LETTER if is_letter else SOMETHING_NEW,
        dedupe_key=f"decision:{decision.pk}",
        channel=channel,
        enclosure=f"decision:{decision.pk}" if is_letter else "",
    )
    delivery = DecisionDelivery.objects.create(
        decision=decision,
        channel=channel,
        notification=notification,
        letter=notification if is_letter else None,
        letter_channel=channel if is_letter else "",
        letter_queued_at=timezone.now() if is_letter else None,
    )
    for person in _recipients(application):
        if person.pk != applicant.pk:
            _notice(
                recipient=person,
                application=application,
                kind=NotificationKind.DECISION,
                body=SOMETHING_NEW,
                dedupe_key=f"decision:{decision.pk}:{person.pk}",
            )
    return delivery


def notification_dispatch(notification_id: int) -> None:
    """After commit: send now (no services) or hand to Celery; failures wait for the retry."""
    if settings.ROBOT_MODE == "celery":
        from .tasks import notification_send_task

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
        from .tasks import notifications_send_task

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
        found = _address_lookup().lookup(
            recipient.personnummer or "",
            municipality_code=application.municipality.code if application else "",
            reference=application.reference if application else "",
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
        _delivery_record_sent(notification, notification.sent_at or timezone.now())
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
        for notification in sent:
            _delivery_record_sent(notification, now)
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


def _letter_arrives(sent: datetime) -> date:
    return timezone.localdate(sent) + timedelta(days=settings.DECISION_LETTER_ARRIVAL_DAYS)


DECISION_KINDS = frozenset({NotificationKind.DECISION, NotificationKind.DECISION_LETTER})


def _delivery_record_sent(notification: Notification, now: datetime) -> None:
    if notification.kind not in DECISION_KINDS:
        return  # only a decision's notices carry a delivery record
    DecisionDelivery.objects.filter(notification=notification, sent_at__isnull=True).update(
        sent_at=now, channel=notification.channel
    )
    if notification.delivered_at:
        DecisionDelivery.objects.filter(
            notification=notification, delivered_at__isnull=True
        ).update(delivered_at=notification.delivered_at)
    if notification.channel in (DeliveryChannel.LETTER, DeliveryChannel.FORWARDING):
        letters = DecisionDelivery.objects.filter(letter=notification)
        letters.filter(letter_sent_at__isnull=True).update(
            letter_sent_at=now, letter_channel=notification.channel
        )
        # A paper decision is taken to have arrived a few days after posting (verify with the
        # municipality's lawyer); opened earlier on the status page, that day counts instead.
        letters.filter(notification_date__isnull=True).update(
            notification_date=_letter_arrives(now)
        )


@transaction.atomic
def delivery_mark_delivered(*, provider_reference: str, at: datetime | None = None) -> int:
    """A provider's delivery receipt (SMS/e-mail webhooks)."""
    when = at or timezone.now()
    notices = Notification.objects.filter(
        provider_reference=provider_reference, delivered_at__isnull=True
    )
    ids = list(notices.values_list("pk", flat=True))
    notices.update(delivered_at=when)
    DecisionDelivery.objects.filter(notification_id__in=ids, delivered_at__isnull=True).update(
        delivered_at=when
    )
    return len(ids)


def notifications_retry(*, now: datetime | None = None) -> int:
    """Resend notices that failed or were never sent (beat). Gives up after the attempt cap;
    an undelivered decision then goes out on paper through `deliveries_escalate_unopened`."""
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


# --- Decisions: opened, escalated to paper, appeal deadline -----------------------------------


def _may_open(decision: Decision, user: User) -> bool:
    applicant = decision.application.applicant
    if user.pk == applicant.pk:
        return True
    return (
        mandate_for(representative=user, principal_personnummer=applicant.personnummer or "")
        is not None
    )


@transaction.atomic
def delivery_mark_opened(*, decision: Decision, user: User) -> DecisionDelivery | None:
    """The applicant (or their representative) opened the decision on the status page.

    The first opening is recorded; it is also the notification date unless a paper letter
    already set one. Staff looking at the case never count.
    """
    if not user.is_authenticated or not _may_open(decision, user):
        return DecisionDelivery.objects.filter(decision=decision).first()
    now = timezone.now()
    deliveries = DecisionDelivery.objects.filter(decision=decision)
    deliveries.filter(opened_at__isnull=True).update(opened_at=now, opened_by=user)
    deliveries.filter(notification_date__isnull=True).update(
        notification_date=timezone.localdate(now)
    )
    return deliveries.first()


def _municipality_deliveries_due(municipality: Municipality, now: datetime) -> list[int]:
    cutoff = now - timedelta(days=municipality.decision_open_days)
    return list(
        DecisionDelivery.objects.filter(
            decision__application__municipality=municipality,
            opened_at__isnull=True,
            letter_queued_at__isnull=True,
        )
        .filter(
            Q(sent_at__lte=cutoff)
            | Q(
                notification__status=NotificationStatus.FAILED,
                notification__attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS,
            )
        )
        .values_list("pk", flat=True)
    )


def deliveries_escalate_unopened(now: datetime | None = None) -> list[int]:
    """Queue the paper letter for each decision not opened in time (beat; safe to run twice).

    Each municipality sets how many days (`decision_open_days`). A decision whose digital notice
    could not be sent at all goes on paper at once.
    """
    moment = now or timezone.now()
    queued: list[int] = []
    for municipality in Municipality.objects.all():
        for pk in _municipality_deliveries_due(municipality, moment):
            if _delivery_escalate(pk, moment):
                queued.append(pk)
    return queued


@transaction.atomic
def _delivery_escalate(delivery_id: int, now: datetime) -> bool:
    # Compare-and-set: two beat runs cannot both queue the letter.
    if (
        DecisionDelivery.objects.filter(pk=delivery_id, letter_queued_at__isnull=True).update(
            letter_queued_at=now
        )
        != 1
    ):
        return False
    delivery = DecisionDelivery.objects.select_related("decision__application__applicant").get(
        pk=delivery_id
    )
    application = delivery.decision.application
    channel = (
        DeliveryChannel.FORWARDING if application.protected_identity else DeliveryChannel.LETTER
    )
    letter = _notice(
        recipient=application.applicant,
        application=application,
        kind=NotificationKind.DECISION_LETTER,
        body=DECISION_LETTER,
        dedupe_key=f"decision-letter:{delivery.decision_id}",
        channel=channel,
        enclosure=f"decision:{delivery.decision_id}",
    )
    DecisionDelivery.objects.filter(pk=delivery_id).update(letter=letter, letter_channel=channel)
    return True


def _deadline_extended(day: date) -> date:
    """Lag (1930:173) om beräkning av lagstadgad tid: a deadline on a Saturday, Sunday, public
    holiday, midsommarafton, julafton or nyårsafton moves to the next weekday that is none."""
    public = holidays.country_holidays("SE", years=range(day.year, day.year + 2))

    def closed(d: date) -> bool:
        eve = (d.month, d.day) in ((12, 24), (12, 31)) or (
            d.month == 6 and d.weekday() == 4 and 19 <= d.day <= 25
        )
        return d.weekday() >= 5 or d in public or eve

    while closed(day):
        day += timedelta(days=1)
    return day


def appeal_deadline(decision: Decision) -> date | None:
    """The last day to appeal: three weeks from the recorded notification date (FL 44 §).

    None while the decision has not reached the person (no notification date yet).
    """
    notification_date = (
        DecisionDelivery.objects.filter(decision=decision)
        .values_list("notification_date", flat=True)
        .first()
    )
    if notification_date is None:
        return None
    return _deadline_extended(notification_date + timedelta(weeks=APPEAL_WEEKS))


# --- Meeting reminders ------------------------------------------------------------------------


def meeting_reminders_send(*, day: date | None = None) -> int:
    """Remind everyone with a meeting tomorrow (beat; safe to run twice)."""
    # meetings builds on intake; this is the one place intake asks meetings for something.
    from meetings.services import meeting_mark_reminded, meetings_due_for_reminder

    today = day or timezone.localdate()
    count = 0
    for meeting in meetings_due_for_reminder(today):
        with transaction.atomic():
            notify_applicant(
                application=meeting.application,
                kind=NotificationKind.MEETING_REMINDER,
                body=MEETING_REMINDER.format(when=meeting_time_text(meeting.starts_at)),
                key=f"reminder:{meeting.pk}:{timezone.localtime(meeting.starts_at):%Y%m%d%H%M}",
            )
            meeting_mark_reminded(meeting=meeting)
        count += 1
    return count


def decision_seen(*, application: Application, user: User) -> None:
    """The status page shows the application: if it shows a decision, record the opening."""
    if application.is_decided:
        decision = Decision.objects.filter(application=application).first()
        if decision is not None:
            delivery_mark_opened(decision=decision, user=user)
