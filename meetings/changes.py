"""Changes to a booked meeting: another time, cancelled, needs, and what came of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from intake.models import Track
from kernel.working_days import next_working_day
from meetings import calendar
from meetings.availability import (
    absent_on,
    candidates_for,
    closing_days_for,
    hours_by_staff,
    room_choose,
    room_for,
    stockholm,
    taken_starts,
)
from meetings.booking import SlotTaken
from meetings.events import SocialReferralPlanned, social_referral_planned
from meetings.models import (
    Attendance,
    CancelledBy,
    Meeting,
    Outcome,
)
from meetings.notices import (
    notify_meeting_booked,
    notify_meeting_called_off,
    notify_meeting_changed,
)

OFFER_WORKING_DAYS = 5


@dataclass(frozen=True)
class FreeSlot:
    starts_at: datetime
    secretary_id: int
    secretary_name: str

    @property
    def key(self) -> str:
        return f"{self.secretary_id}|{self.starts_at.astimezone(stockholm()).isoformat()}"

    @classmethod
    def of(cls, meeting: Meeting) -> FreeSlot:
        """The time ``meeting`` has, as it was on offer."""
        return cls(meeting.starts_at, meeting.secretary_id, "")


def meeting_free_slots(
    *, meeting: Meeting, today: date, working_days: int = OFFER_WORKING_DAYS
) -> list[FreeSlot]:
    """Free times the applicant may move ``meeting`` to: the same track's staff, the next
    ``working_days`` working days after ``today``, absences and closing days respected."""
    application = meeting.application
    candidates = candidates_for(application, Track(meeting.track))
    blocks = hours_by_staff(candidates)
    minutes = application.municipality.meeting_minutes
    closing = closing_days_for(application.municipality, today, today + timedelta(days=60))
    free: list[FreeSlot] = []
    day = today
    for _ in range(working_days):
        day = next_working_day(day, closing)
        absent = absent_on(blocks, day)
        taken = taken_starts(blocks, day)
        for person in candidates:
            if person.pk in absent:
                continue
            hours = [block.hours for block in blocks[person.pk]]
            others = [
                t
                for t in taken[person.pk]
                if not (person.pk == meeting.secretary_id and t == meeting.starts_at)
            ]
            length = timedelta(minutes=minutes)
            for slot in calendar.day_slots(day, hours, minutes, stockholm()):
                if all(not (t < slot + length and slot < t + length) for t in others):
                    free.append(FreeSlot(slot, person.pk, person.display_name()))
    free.sort(key=lambda s: (s.starts_at, s.secretary_name))
    current = (meeting.starts_at, meeting.secretary_id)
    return [s for s in free if (s.starts_at, s.secretary_id) != current]


def meeting_replacement(meeting: Meeting) -> Meeting | None:
    """The live meeting that took over from ``meeting`` once the staff called it off: the
    application's live meeting on the same track, if it has one."""
    if meeting.cancelled_at is None:
        return None
    return (
        Meeting.objects.filter(
            application_id=meeting.application_id, track=meeting.track, cancelled_at__isnull=True
        )
        .order_by("starts_at")
        .first()
    )


def meeting_can_rebook(meeting: Meeting) -> bool:
    """Whether the applicant may book a new time in place of ``meeting``: the staff called it
    off ("Mötet ställdes in") and nothing has been booked in its place yet."""
    return (
        meeting.cancelled_at is not None
        and meeting.attendance == Attendance.CANCELLED
        and meeting_replacement(meeting) is None
    )


def meeting_can_change(meeting: Meeting) -> bool:
    """Whether the applicant may move, cancel or state needs for ``meeting``: it is still booked
    and nothing has been recorded about it."""
    return meeting.cancelled_at is None and not meeting.attendance


@transaction.atomic
def meeting_reschedule(*, meeting: Meeting, choice: str, today: date) -> Meeting:
    """Cancel ``meeting`` and book the chosen free time, in one transaction. A meeting the staff
    called off is already cancelled: the chosen time is booked in its place (once).

    ``choice`` is a ``FreeSlot.key``. Raises ValidationError if it is not one of the times on
    offer, and SlotTaken (with nothing changed) if someone else took it a moment ago.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    rebook = meeting_can_rebook(meeting)
    if not rebook and not meeting_can_change(meeting):
        raise ValidationError("Mötet kan inte bokas om.")
    offered = {slot.key: slot for slot in meeting_free_slots(meeting=meeting, today=today)}
    slot = offered.get(choice)
    if slot is None:
        raise ValidationError("Tiden finns inte bland de lediga tiderna.")
    if not rebook:
        meeting.cancelled_at = timezone.now()
        meeting.cancelled_by = CancelledBy.RESCHEDULED
        meeting.save(update_fields=["cancelled_at", "cancelled_by"])
    blocks = hours_by_staff(User.objects.filter(pk=slot.secretary_id))
    minutes = meeting.municipality.meeting_minutes
    ends_at = slot.starts_at + timedelta(minutes=minutes)
    room_id = room_choose(
        municipality_id=meeting.municipality_id,
        starts_at=slot.starts_at,
        ends_at=ends_at,
        accessible=meeting.accessible_room,
        preferred=room_for(blocks[slot.secretary_id], slot.starts_at),
    )
    try:
        with transaction.atomic():
            moved = Meeting.objects.create(
                municipality=meeting.municipality,
                secretary_id=slot.secretary_id,
                application=meeting.application,
                track=meeting.track,
                starts_at=slot.starts_at,
                ends_at=ends_at,
                room_id=room_id,
                interpreter_language=meeting.interpreter_language,
                accessible_room=meeting.accessible_room,
            )
    except IntegrityError as exc:
        raise SlotTaken(slot.key) from exc
    notify = notify_meeting_booked if rebook else notify_meeting_changed
    transaction.on_commit(partial(notify, moved), robust=True)
    return moved


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: CancelledBy = CancelledBy.APPLICANT) -> Meeting:
    """Cancel a meeting that has not taken place; its time becomes free. Safe to repeat."""
    Meeting.objects.filter(pk=meeting.pk, cancelled_at__isnull=True, attendance="").update(
        cancelled_at=timezone.now(), cancelled_by=by
    )
    meeting.refresh_from_db()
    return meeting


@transaction.atomic
def meeting_set_needs(
    *, meeting: Meeting, interpreter_language: str, accessible_room: bool
) -> Meeting:
    """The applicant's needs. A meeting that now needs an accessible room and is not in one
    moves to a free accessible room, or to none ("Ingen lokal bokad") when none is free."""
    meeting.interpreter_language = interpreter_language.strip()[:60]
    meeting.accessible_room = accessible_room
    fields = ["interpreter_language", "accessible_room"]
    if accessible_room and (meeting.room is None or not meeting.room.accessible):
        meeting.room_id = _free_room(meeting)
        fields.append("room")
    meeting.save(update_fields=fields)
    return meeting


def _free_room(meeting: Meeting) -> int | None:
    return room_choose(
        municipality_id=meeting.municipality_id,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        accessible=meeting.accessible_room,
        exclude_meeting=meeting.pk,
    )


@transaction.atomic
def meeting_room_find(*, meeting: Meeting) -> Meeting:
    """Look again for a free room for a live meeting booked without one (a room may have been
    added or freed since). The meeting keeps having none when none is free."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.room_id is None and meeting.cancelled_at is None:
        meeting.room_id = _free_room(meeting)
        if meeting.room_id is not None:
            meeting.save(update_fields=["room"])
    return meeting


# Whether someone came or stayed away is known only once the meeting has begun; "the meeting
# was called off" may be recorded before.
ATTENDANCE_AFTER_START = frozenset({Attendance.ATTENDED, Attendance.NO_SHOW})


def not_started_message(meeting: Meeting) -> str:
    return gettext(
        "Mötet har inte börjat än. Närvaro eller utevaro kan registreras först från %(start)s."
    ) % {"start": f"{meeting.starts_at.astimezone(stockholm()):%Y-%m-%d %H:%M}"}


@transaction.atomic
def meeting_record(
    *, meeting: Meeting, attendance: str, outcome: str, note: str, by: User
) -> Meeting:
    """Record attendance and the plan agreed. A no-show is only recorded: it has no automatic
    effect on the support (the caseworker sees it on the case). Attendance or a no-show is
    refused before the meeting has started. A plan of "Hänvisning till socialtjänsten" hands the
    household over to social services (`meetings.events.social_referral_planned`).

    "Mötet ställdes in" cancels the meeting (by staff): its time is free, the applicant is told
    through their channel and may book a new time. Recording it again (a double click, or the
    note corrected) cancels nothing more and tells no one again."""
    attendance = Attendance(attendance)
    outcome = Outcome(outcome) if outcome else ""
    if outcome and attendance != Attendance.ATTENDED:
        raise ValidationError("En planering kräver att sökande kom till mötet.")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.cancelled_at is not None:
        if meeting.attendance == Attendance.CANCELLED == attendance:
            return _called_off_note(meeting, note)
        if meeting.attendance == Attendance.CANCELLED:
            raise ValidationError(
                gettext("Mötet är inställt. Sökande kan boka en ny tid, som du då ser i din dag.")
            )
        raise ValidationError(gettext("Mötet är avbokat."))
    if attendance in ATTENDANCE_AFTER_START and not meeting.has_started:
        raise ValidationError(not_started_message(meeting))
    referral_newly_planned = (
        outcome == Outcome.SOCIAL_REFERRAL and meeting.outcome != Outcome.SOCIAL_REFERRAL
    )
    meeting.attendance = attendance
    meeting.outcome = outcome
    meeting.outcome_note = note.strip()
    meeting.recorded_at = timezone.now()
    meeting.recorded_by = by
    fields = ["attendance", "outcome", "outcome_note", "recorded_at", "recorded_by"]
    called_off = attendance == Attendance.CANCELLED
    if called_off:
        meeting.cancelled_at = meeting.recorded_at
        meeting.cancelled_by = CancelledBy.STAFF
        fields += ["cancelled_at", "cancelled_by"]
    meeting.save(update_fields=fields)
    if called_off:
        # Written in this transaction (sent after commit), once per meeting.
        notify_meeting_called_off(meeting)
    if referral_newly_planned:
        # The hand-over itself (receiver, acknowledgement, escalation) is social services'
        # (caseworker); once per meeting, so saving the same plan again makes no second one.
        social_referral_planned.publish(SocialReferralPlanned(meeting=meeting, by=by))
    return meeting


def _called_off_note(meeting: Meeting, note: str) -> Meeting:
    """A meeting already recorded as called off: only its note may change."""
    if note.strip() != meeting.outcome_note:
        meeting.outcome_note = note.strip()
        meeting.save(update_fields=["outcome_note"])
    return meeting


# --- needs screen ---------------------------------------------------------------------------
