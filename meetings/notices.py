"""What the applicant is told about meetings: the wording, and when (#5, #6).

The notice carries the time and nothing else (OSL 26 kap.): "you have a meeting on ..., log in
to see more". Sending is notifications' business (`notifications.delivery`).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from accounts.mandates import mandates_active
from accounts.models import User
from meetings.models import Meeting
from meetings.reminders import meeting_mark_reminded, meetings_due_for_reminder
from notifications.delivery import channel_for, notifications_dispatch, notify_applicant
from notifications.models import Notification, NotificationKind

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


def meeting_time_text(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} kl. {local:%H.%M}"


def notify_meeting_booked(meeting: Meeting) -> list[Notification]:
    return notify_applicant(
        application=meeting.application,
        kind=NotificationKind.MEETING_BOOKED,
        body=MEETING_BOOKED.format(when=meeting_time_text(meeting.starts_at)),
    )


def notify_meetings_booked(meetings: list[Meeting]) -> list[Notification]:
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


def notify_meeting_changed(meeting: Meeting) -> list[Notification]:
    return notify_applicant(
        application=meeting.application,
        kind=NotificationKind.MEETING_CHANGED,
        body=MEETING_CHANGED.format(when=meeting_time_text(meeting.starts_at)),
    )


def meeting_reminders_send(*, day: date | None = None) -> int:
    """Remind everyone with a meeting tomorrow (beat; safe to run twice)."""
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
