"""How each decision reaches the person, and the proof of it (#5).

The applicant is told through their channel; when that channel is a letter, the letter is the
decision itself. A `DecisionDelivery` records sent, delivered and opened, the paper letter when
the decision was not opened in time (beat: `deliveries_escalate_unopened`), and the notification
date the appeal deadline counts from (FL 44 §: three weeks; `appeal_deadline`).

Wired by events, not imports of the layers above or below: `decision_signed` (a decision was
signed) queues the notice after commit; notifications' `notices_sent` and `notices_delivered`
update the record; intake's status page asks `status_page_context` (the appeal deadline) and
announces `application_shown` (the opening). Subscribed in caseworker.apps.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial

import holidays
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.mandates import mandate_for
from accounts.models import Municipality, User
from caseworker.audit.log import journal_write
from caseworker.models import DecisionDelivery
from caseworker.models.audit import JournalCategory
from caseworker.models.caseload import Reminder
from intake.events import ApplicationShown
from intake.models import Application, Decision
from notifications.delivery import SOMETHING_NEW, channel_for, notice_write, recipients
from notifications.models import DeliveryChannel, Notification, NotificationKind, NotificationStatus
from notifications.sending import NO_POSTAL_ADDRESS

DECISION_LETTER = gettext_lazy(
    "Här är beslutet i din ansökan om ekonomiskt bistånd. Du kan också läsa det när du loggar in."
)
APPEAL_WEEKS = 3  # FL 44 §


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
    notification = notice_write(
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
    for person in recipients(application):
        if person.pk != applicant.pk:
            notice_write(
                recipient=person,
                application=application,
                kind=NotificationKind.DECISION,
                body=SOMETHING_NEW,
                dedupe_key=f"decision:{decision.pk}:{person.pk}",
            )
    return delivery


def decision_notice_queue(decision: Decision) -> None:
    """Subscriber of `decision_signed`: the notice and its delivery record, after commit."""
    transaction.on_commit(partial(notify_decision, decision), robust=True)


# --- what notifications tells us --------------------------------------------------------------


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


def deliveries_record_sent(notices: list[Notification]) -> None:
    """Subscriber of notifications' `notices_sent` (inside the sending transaction)."""
    for notification in notices:
        if notification.sent_at is not None:
            _delivery_record_sent(notification, notification.sent_at)


def deliveries_record_delivered(receipt: tuple[list[int], datetime]) -> None:
    """Subscriber of notifications' `notices_delivered` (a provider's receipt)."""
    ids, when = receipt
    DecisionDelivery.objects.filter(notification_id__in=ids, delivered_at__isnull=True).update(
        delivered_at=when
    )


# --- opened, escalated to paper, appeal deadline ----------------------------------------------


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
    letter = notice_write(
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


def application_shown(shown: ApplicationShown) -> None:
    """Subscriber of intake's `application_shown`: the status page showed the application."""
    decision_seen(application=shown.application, user=shown.user)


def decision_seen(*, application: Application, user: User) -> None:
    """The status page shows the application: if it shows a decision, record the opening."""
    if application.is_decided:
        decision = Decision.objects.filter(application=application).first()
        if decision is not None:
            delivery_mark_opened(decision=decision, user=user)


def status_page_context(application: Application) -> dict[str, object]:
    """Intake's status page asks (`status_page_context`): the appeal deadline of its decision,
    and whether a letter could not be posted for want of an address (the page then says how to
    get the decision instead)."""
    decision = Decision.objects.filter(application=application).first()
    return {
        "appeal_deadline": appeal_deadline(decision) if decision else None,
        "no_postal_address": _letters_without_address(application).exists(),
    }


# --- no address (#16 item 15) -----------------------------------------------------------------


def _letters_without_address(application: Application) -> QuerySet[Notification]:
    return Notification.objects.filter(
        application=application,
        recipient_id=application.applicant_id,
        status=NotificationStatus.FAILED,
        last_error=NO_POSTAL_ADDRESS,
    )


def no_address_task_text() -> str:
    return _(
        "Sökanden har ingen folkbokföringsadress, så brevet kunde inte skickas. Nå sökanden per "
        "telefon, eller be hen hämta beslutet i receptionen."
    )


def no_address_tasks(notices: list[Notification]) -> None:
    """Subscriber of notifications' `notices_undeliverable`: a letter to the applicant could not
    be posted (no registered address, no protected identity). The case owner gets a task due
    today to reach them, once while it is open, and the journal says why."""
    for notification in notices:
        text = no_address_task_text()
        _owner_task(
            notification,
            text,
            _("Brevet kunde inte skickas: sökanden har ingen folkbokföringsadress. %(task)s")
            % {"task": text},
        )


def letter_refused_task_text() -> str:
    return _(
        "Tryckeriet kunde inte skicka brevet till sökanden. Nå sökanden på annat sätt, eller be "
        "hen hämta beslutet i receptionen."
    )


def letter_refused_tasks(notices: list[Notification]) -> None:
    """Subscriber of notifications' `notices_failed`: a letter (the last channel) was refused
    for good, e.g. rejected by the print service. The case owner gets a task to reach the
    applicant, and the journal says why (in the service's words)."""
    for notification in notices:
        if notification.channel not in (DeliveryChannel.LETTER, DeliveryChannel.FORWARDING):
            continue  # an SMS or e-mail falls back to the next channel (notifications.delivery)
        # The decision was never posted: its notification date is not the letter's arrival
        # (the day it was opened online, if it was; otherwise none yet).
        for delivery in DecisionDelivery.objects.filter(letter=notification):
            opened = timezone.localdate(delivery.opened_at) if delivery.opened_at else None
            DecisionDelivery.objects.filter(pk=delivery.pk).update(notification_date=opened)
        text = letter_refused_task_text()
        _owner_task(
            notification,
            text,
            _("Brevet kunde inte skickas (%(reason)s). %(task)s")
            % {"reason": notification.last_error, "task": text},
        )


def _owner_task(notification: Notification, text: str, journal_text: str) -> None:
    """A task due today for the case owner about a notice to the applicant, once while it is
    open, and a journal entry."""
    if notification.application_id is None:
        return
    application = Application.objects.select_related("owner").get(pk=notification.application_id)
    owner = application.owner
    if owner is None or notification.recipient_id != application.applicant_id:
        return
    if Reminder.objects.filter(application=application, text=text, done_at__isnull=True).exists():
        return
    Reminder.objects.create(
        application=application,
        owner=owner,
        due_on=timezone.localdate(),
        text=text,
        created_by=owner,
    )
    journal_write(
        category=JournalCategory.DOCUMENT, application=application, author=None, text=journal_text
    )
