"""What the applicant is told about meetings: the wording, and when (#5, #6).

The notice carries the time and the place and nothing else (OSL 26 kap.): "you have a meeting
on ..., in room ..., log in to see more"; no name, no track, no need, no video link. A meeting
booked without a room says the time only. Sending is notifications' business
(`notifications.delivery`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext_lazy, pgettext

from accounts.mandates import mandates_active
from accounts.models import User
from meetings.availability import meeting_room, room_place_text
from meetings.models import Meeting
from meetings.reminders import meeting_mark_reminded, meetings_due_for_reminder
from notifications.delivery import channel_for, notifications_dispatch, notify_applicant
from notifications.delivery import worded as notice_worded
from notifications.models import Notification, NotificationKind

MEETING_BOOKED = gettext_lazy("Du har fått en tid för ett möte: %(when)s. Logga in för att se mer.")
MEETING_CHANGED = gettext_lazy("Ditt möte har ändrats. Ny tid: %(when)s. Logga in för att se mer.")
MEETING_REMINDER = gettext_lazy(
    "Påminnelse: du har ett möte i morgon, %(when)s. Logga in för att se mer."
)
# The staff called the meeting off ("Mötet ställdes in"): its time only, the place no longer
# matters.
MEETING_CALLED_OFF = gettext_lazy(
    "Ditt möte %(when)s är inställt. Logga in för att boka en ny tid."
)
# The same with the place (the meeting's room), when it has one.
MEETING_BOOKED_AT = gettext_lazy(
    "Du har fått en tid för ett möte: %(when)s, plats: %(where)s. Logga in för att se mer."
)
MEETING_CHANGED_AT = gettext_lazy(
    "Ditt möte har ändrats. Ny tid: %(when)s, plats: %(where)s. Logga in för att se mer."
)
MEETING_REMINDER_AT = gettext_lazy(
    "Påminnelse: du har ett möte i morgon, %(when)s, plats: %(where)s. Logga in för att se mer."
)


def meeting_time_text(moment: datetime) -> str:
    """The meeting's time in the active language ("onsdag 18 november kl. 09.00")."""
    # The format is the language's own ("Wednesday 18 November, 09:00" in English).
    return date_format(timezone.localtime(moment), pgettext("date format", "l j F \\k\\l. H.i"))


def worded(text: StrPromise, moment: datetime) -> Callable[[], str]:
    """The notice's text about a meeting at `moment`, worded in the recipient's language."""
    return lambda: str(text) % {"when": meeting_time_text(moment)}


def meeting_worded(text: StrPromise, with_place: StrPromise, meeting: Meeting) -> Callable[[], str]:
    """The notice's text about `meeting`: `with_place` (its time and place) when it has a room,
    else `text` (its time)."""
    place = meeting_room(meeting)
    if place is None:
        return worded(text, meeting.starts_at)
    return lambda: (
        str(with_place)
        % {
            "when": meeting_time_text(meeting.starts_at),
            "where": room_place_text(place),
        }
    )


def notify_meeting_booked(meeting: Meeting) -> list[Notification]:
    return notify_applicant(
        application=meeting.application,
        kind=NotificationKind.MEETING_BOOKED,
        body=meeting_worded(MEETING_BOOKED, MEETING_BOOKED_AT, meeting),
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
        body = meeting_worded(MEETING_BOOKED, MEETING_BOOKED_AT, meeting)
        notices += [
            Notification(
                recipient=person,
                application=application,
                kind=NotificationKind.MEETING_BOOKED,
                channel=channel_for(person, protected=application.protected_identity),
                body=notice_worded(body, person),
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
        body=meeting_worded(MEETING_CHANGED, MEETING_CHANGED_AT, meeting),
    )


def notify_meeting_called_off(meeting: Meeting) -> list[Notification]:
    """The applicant (and their representatives) told that the staff called ``meeting`` off;
    once per meeting, however often it is recorded."""
    return notify_applicant(
        application=meeting.application,
        kind=NotificationKind.MEETING_CHANGED,
        body=worded(MEETING_CALLED_OFF, meeting.starts_at),
        key=f"meeting-called-off:{meeting.pk}",
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
                body=meeting_worded(MEETING_REMINDER, MEETING_REMINDER_AT, meeting),
                key=f"reminder:{meeting.pk}:{timezone.localtime(meeting.starts_at):%Y%m%d%H%M}",
            )
            meeting_mark_reminded(meeting=meeting)
        count += 1
    return count
