"""Booking services against the database: working days, spreading, continuity, overflow,
absences, closing days, both tracks, reschedule, cancel, attendance, reminders, needs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Municipality, Role, User
from intake.models import Application, DeclaredIncome, IncomeType, Track
from intake.states import Status
from meetings import booking, changes
from meetings.booking import (
    NoFreeSlot,
    SlotTaken,
    meeting_book_for_track,
    meeting_book_next_working_day,
    meeting_book_suggested,
)
from meetings.changes import meeting_cancel, meeting_free_slots, meeting_record, meeting_reschedule
from meetings.models import (
    Absence,
    Attendance,
    CancelledBy,
    ClosingDay,
    Meeting,
    NeedsScreen,
    Outcome,
    Room,
    WorkingHours,
)
from meetings.needs import needs_screen_save, needs_suggest_track
from meetings.reminders import meeting_mark_reminded, meetings_due_for_reminder
from tests.builders import hours_give

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WEDNESDAY = date(2026, 11, 18)
THURSDAY = date(2026, 11, 19)
FRIDAY = date(2026, 11, 20)
MORNING = (time(8), time(12))
AFTERNOON = (time(13), time(16))

# Reads today's date: also runs at every moment of the date matrix (tests/clock.py).
pytestmark = [pytest.mark.dates, pytest.mark.django_db]


def local(meeting: Meeting) -> datetime:
    return meeting.starts_at.astimezone(STOCKHOLM)


@pytest.fixture
def two_secretaries(make_staff: Callable[..., User], trelleborg: Municipality) -> list[User]:
    return [
        make_staff("anna", Role.SECRETARY, trelleborg),
        make_staff("bertil", Role.SECRETARY, trelleborg),
    ]


# --- the working-day rule, through booking --------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        pytest.param(date(2026, 12, 23), date(2026, 12, 28), id="christmas"),
        pytest.param(date(2026, 6, 18), date(2026, 6, 22), id="midsummer"),
        pytest.param(date(2026, 12, 30), date(2027, 1, 4), id="new-year"),
        pytest.param(date(2026, 1, 5), date(2026, 1, 7), id="trettondagen"),
        pytest.param(date(2026, 4, 2), date(2026, 4, 7), id="easter"),
        pytest.param(date(2026, 4, 30), date(2026, 5, 4), id="first-of-may"),
        pytest.param(date(2026, 5, 13), date(2026, 5, 15), id="ascension"),
        pytest.param(date(2026, 6, 5), date(2026, 6, 8), id="national-day-saturday"),
        pytest.param(date(2026, 11, 13), date(2026, 11, 16), id="weekend"),
        pytest.param(date(2026, 11, 14), date(2026, 11, 16), id="from-saturday"),
    ],
)
def test_the_meeting_lands_on_the_next_working_day(
    today: date,
    expected: date,
    secretary: User,
    make_application: Callable[..., Application],
) -> None:
    meeting = meeting_book_next_working_day(application=make_application(), today=today)

    assert local(meeting) == datetime.combine(expected, time(8), tzinfo=STOCKHOLM)
    assert meeting.overflow is False
    assert meeting.track == Track.WORK


def test_every_booking_day_in_2026_is_a_working_day(
    secretary: User, make_application: Callable[..., Application]
) -> None:
    """One booking from each Friday and each day before a holiday of 2026: a whole year."""
    from kernel.working_days import is_working_day, next_working_day

    day = date(2026, 1, 1)
    checked = 0
    while day.year == 2026:
        if not is_working_day(day + timedelta(days=1)):
            application = make_application()
            meeting = meeting_book_next_working_day(application=application, today=day)
            assert local(meeting).date() == next_working_day(day), day
            assert is_working_day(local(meeting).date())
            meeting_cancel(meeting=meeting)
            checked += 1
        day += timedelta(days=1)
    assert checked > 100


def test_a_municipal_closing_day_is_skipped(
    secretary: User, trelleborg: Municipality, make_application: Callable[..., Application]
) -> None:
    ClosingDay.objects.create(municipality=trelleborg, date=THURSDAY, name="Personaldag")

    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)

    assert local(meeting).date() == FRIDAY
    assert meeting.overflow is False  # Friday *is* the next working day for this municipality


def test_another_municipalitys_closing_day_does_not_count(
    secretary: User, svedala: Municipality, make_application: Callable[..., Application]
) -> None:
    ClosingDay.objects.create(municipality=svedala, date=THURSDAY)

    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)

    assert local(meeting).date() == THURSDAY


# --- spreading, continuity, absences, overflow ----------------------------------------------


def test_meetings_spread_across_secretaries_by_load(
    two_secretaries: list[User], make_application: Callable[..., Application]
) -> None:
    meetings = [
        meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
        for _ in range(6)
    ]

    assert Counter(m.secretary for m in meetings) == {s: 3 for s in two_secretaries}
    assert sorted(local(m).time() for m in meetings) == [
        time(8), time(8), time(8, 45), time(8, 45), time(9, 30), time(9, 30)
    ]  # fmt: skip


def test_continuity_prefers_who_met_the_household_last_time(
    two_secretaries: list[User],
    make_applicant: Callable[..., User],
    make_application: Callable[..., Application],
) -> None:
    _anna, bertil = two_secretaries
    household = make_applicant()
    earlier = make_application(applicant=household, month=date(2026, 10, 1))
    Meeting.objects.create(
        municipality=earlier.municipality,
        secretary=bertil,
        application=earlier,
        starts_at=datetime(2026, 10, 15, 9, tzinfo=STOCKHOLM),
        ends_at=datetime(2026, 10, 15, 9, 45, tzinfo=STOCKHOLM),
        attendance=Attendance.ATTENDED,
    )
    # Bertil is busier on Thursday than Anna...
    meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    loads = Counter(Meeting.objects.filter(starts_at__date=THURSDAY).values_list("secretary"))
    assert loads[(bertil.pk,)] >= 1

    # ...but he met this household last month, so he gets them again.
    meeting = meeting_book_next_working_day(
        application=make_application(applicant=household), today=WEDNESDAY
    )
    assert meeting.secretary == bertil
    assert local(meeting).date() == THURSDAY


def test_continuity_gives_way_when_that_secretary_is_absent(
    two_secretaries: list[User],
    make_applicant: Callable[..., User],
    make_application: Callable[..., Application],
) -> None:
    anna, bertil = two_secretaries
    household = make_applicant()
    earlier = make_application(applicant=household, month=date(2026, 10, 1))
    Meeting.objects.create(
        municipality=earlier.municipality,
        secretary=bertil,
        application=earlier,
        starts_at=datetime(2026, 10, 15, 9, tzinfo=STOCKHOLM),
        ends_at=datetime(2026, 10, 15, 9, 45, tzinfo=STOCKHOLM),
    )
    Absence.objects.create(secretary=bertil, start=THURSDAY, end=THURSDAY, reason="Kurs")

    meeting = meeting_book_next_working_day(
        application=make_application(applicant=household), today=WEDNESDAY
    )

    assert meeting.secretary == anna
    assert local(meeting).date() == THURSDAY


def test_an_absent_only_secretary_means_overflow(
    secretary: User, make_application: Callable[..., Application]
) -> None:
    Absence.objects.create(secretary=secretary, start=THURSDAY - timedelta(days=3), end=THURSDAY)

    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)

    assert local(meeting) == datetime.combine(FRIDAY, time(8), tzinfo=STOCKHOLM)
    assert meeting.overflow is True


def test_a_full_day_overflows_to_the_following_working_day_flagged(
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    make_application: Callable[..., Application],
) -> None:
    short = make_staff("kort", Role.SECRETARY, trelleborg, hours=False)
    hours_give(short, (time(9), time(10, 30)))  # two 45-minute slots a day

    first, second, third = (
        meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
        for _ in range(3)
    )

    assert [local(m).date() for m in (first, second, third)] == [THURSDAY, THURSDAY, FRIDAY]
    assert [m.overflow for m in (first, second, third)] == [False, False, True]


def test_nobody_with_hours_raises_no_free_slot(
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    make_application: Callable[..., Application],
) -> None:
    make_staff("utan", Role.SECRETARY, trelleborg, hours=False)

    with pytest.raises(NoFreeSlot):
        meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)


def test_a_slot_lost_to_a_concurrent_booking_is_looked_for_again(
    secretary: User,
    make_application: Callable[..., Application],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The day was read before another booking committed: the insert loses the 08:00 slot to
    the unique index, and the booking reads the day again and takes the next free time."""
    first = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    stale_reads = []

    def read_before_the_other_booking(
        staff_ids: list[int], day: date
    ) -> tuple[dict[int, int], dict[int, list[datetime]]]:
        stale_reads.append(day)
        return {}, {pk: [] for pk in staff_ids}

    monkeypatch.setattr(booking, "day_bookings", read_before_the_other_booking)

    second = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)

    assert stale_reads == [THURSDAY]
    assert local(first) == datetime.combine(THURSDAY, time(8), tzinfo=STOCKHOLM)
    assert second.secretary == secretary
    assert second.starts_at == first.ends_at  # the next slot, read again after losing 08:00
    assert Meeting.objects.filter(secretary=secretary, starts_at=first.starts_at).count() == 1


def test_booking_is_idempotent_per_application_and_track(
    secretary: User, make_application: Callable[..., Application]
) -> None:
    application = make_application()
    first = meeting_book_next_working_day(application=application, today=WEDNESDAY)
    again = meeting_book_for_track(application=application, track="work", today=WEDNESDAY)

    assert again.pk == first.pk
    assert Meeting.objects.filter(application=application).count() == 1


def test_the_room_of_the_working_hours_block_is_on_the_meeting(
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    make_application: Callable[..., Application],
) -> None:
    person = make_staff("rum", Role.SECRETARY, trelleborg, hours=False)
    room = Room.objects.create(municipality=trelleborg, name="Rum 3", accessible=True)
    video = Room.objects.create(
        municipality=trelleborg, name="Video", video_url="https://video.example/abc"
    )
    WorkingHours.objects.create(
        secretary=person, weekday=3, start=time(8), end=time(8, 45), room=room
    )
    WorkingHours.objects.create(
        secretary=person, weekday=3, start=time(13), end=time(16), room=video
    )

    morning = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    afternoon = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)

    assert (morning.room, afternoon.room) == (room, video)


# --- the social track ------------------------------------------------------------------------


def test_social_track_goes_to_the_case_owner_with_hours(
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    secretary: User,
    make_application: Callable[..., Application],
) -> None:
    owner = make_staff("agare", Role.CASEWORKER, trelleborg)
    other = make_staff("annan", Role.CASEWORKER, trelleborg)
    hours_give(owner, MORNING)
    hours_give(other, MORNING)
    application = make_application(owner=owner)

    work = meeting_book_for_track(application=application, track="work", today=WEDNESDAY)
    social = meeting_book_for_track(application=application, track="social", today=WEDNESDAY)

    assert (work.track, work.secretary) == (Track.WORK, secretary)
    assert (social.track, social.secretary) == (Track.SOCIAL, owner)
    assert local(social).date() == THURSDAY


def test_social_track_uses_another_caseworker_when_the_owner_has_no_hours(
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    svedala: Municipality,
    make_application: Callable[..., Application],
) -> None:
    owner = make_staff("agare", Role.CASEWORKER, trelleborg)
    busy = make_staff("upptagen", Role.CASEWORKER, trelleborg)
    free = make_staff("ledig", Role.CASEWORKER, trelleborg)
    elsewhere = make_staff("svedala", Role.CASEWORKER, svedala)
    for person in (busy, free, elsewhere):
        hours_give(person, MORNING)
    meeting_book_for_track(
        application=make_application(owner=busy), track="social", today=WEDNESDAY
    )

    meeting = meeting_book_for_track(
        application=make_application(owner=owner), track="social", today=WEDNESDAY
    )

    assert meeting.secretary == free  # least loaded of those with hours, same municipality


def test_social_track_without_any_caseworker_hours_raises(
    caseworker: User, secretary: User, make_application: Callable[..., Application]
) -> None:
    with pytest.raises(NoFreeSlot):
        meeting_book_for_track(
            application=make_application(owner=caseworker), track="social", today=WEDNESDAY
        )


def test_one_person_never_has_two_meetings_at_once_across_tracks(
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    make_application: Callable[..., Application],
) -> None:
    owner = make_staff("agare", Role.CASEWORKER, trelleborg)
    hours_give(owner, MORNING)
    first = meeting_book_for_track(
        application=make_application(owner=owner), track="social", today=WEDNESDAY
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            municipality=trelleborg,
            secretary=owner,
            application=make_application(owner=owner),
            track=Track.WORK,
            starts_at=first.starts_at,
            ends_at=first.ends_at,
        )


# --- needs screen -> routing -> booking ------------------------------------------------------


def test_needs_screen_routes_to_both_tracks(
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    secretary: User,
    make_application: Callable[..., Application],
) -> None:
    owner = make_staff("agare", Role.CASEWORKER, trelleborg)
    hours_give(owner, MORNING)
    application = make_application(owner=owner, adults=2, children=1)
    assert needs_suggest_track(application=application)[:2] == (True, False)

    partner = application.members.get(role="partner")
    needs_screen_save(member=partner, answers={"housing_risk": True}, other="Vräkningshot")
    work, social, reasons = needs_suggest_track(application=application)
    assert (work, social) == (True, True)
    assert any("bostaden" in reason for reason in reasons)

    meetings = meeting_book_suggested(application=application, today=WEDNESDAY)
    assert {(m.track, m.secretary) for m in meetings} == {
        (Track.WORK, secretary),
        (Track.SOCIAL, owner),
    }


def test_sickness_benefit_of_a_single_adult_routes_to_social_only(
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    secretary: User,
    make_application: Callable[..., Application],
) -> None:
    owner = make_staff("agare", Role.CASEWORKER, trelleborg)
    hours_give(owner, MORNING)
    application = make_application(owner=owner)
    DeclaredIncome.objects.create(
        application=application, type=IncomeType.SICKNESS_BENEFIT, amount=5000
    )

    [meeting] = meeting_book_suggested(application=application, today=WEDNESDAY)

    assert (meeting.track, meeting.secretary) == (Track.SOCIAL, owner)


def test_needs_screen_is_saved_once_per_member(
    make_application: Callable[..., Application],
) -> None:
    member = make_application().members.get()
    needs_screen_save(member=member, answers={"debt": True}, other="")
    needs_screen_save(member=member, answers={"language": True}, other=" sfi ")

    screen = NeedsScreen.objects.get(member=member)
    assert (screen.debt, screen.language, screen.other) == (False, True, "sfi")


# --- reschedule and cancel -------------------------------------------------------------------


def test_free_slots_cover_the_next_working_days_without_taken_or_absent_times(
    two_secretaries: list[User], make_application: Callable[..., Application]
) -> None:
    _anna, bertil = two_secretaries
    Absence.objects.create(secretary=bertil, start=FRIDAY, end=FRIDAY)
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    other = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)

    slots = meeting_free_slots(meeting=meeting, today=WEDNESDAY)

    days = sorted({s.starts_at.astimezone(STOCKHOLM).date() for s in slots})
    assert days == [THURSDAY, FRIDAY, date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)]
    keys = {(s.secretary_id, s.starts_at) for s in slots}
    assert (meeting.secretary_id, meeting.starts_at) not in keys  # the current time
    assert (other.secretary_id, other.starts_at) not in keys  # someone else's
    assert not any(
        s.secretary_id == bertil.pk and s.starts_at.astimezone(STOCKHOLM).date() == FRIDAY
        for s in slots
    )
    assert len([s for s in slots if s.starts_at.date() == THURSDAY]) == 2 * 9 - 2


def test_reschedule_cancels_the_old_meeting_and_books_the_new_time(
    secretary: User, make_application: Callable[..., Application]
) -> None:
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    meeting.interpreter_language = "arabiska"
    meeting.save()
    choice = next(
        s
        for s in meeting_free_slots(meeting=meeting, today=WEDNESDAY)
        if s.starts_at.date() == FRIDAY
    )

    new = meeting_reschedule(meeting=meeting, choice=choice.key, today=WEDNESDAY)

    meeting.refresh_from_db()
    assert meeting.cancelled_at is not None
    assert meeting.cancelled_by == CancelledBy.RESCHEDULED
    assert new.starts_at == choice.starts_at
    assert new.interpreter_language == "arabiska"
    assert new.overflow is False
    assert Meeting.objects.filter(application=meeting.application, cancelled_at=None).get() == new


def test_reschedule_refuses_a_time_not_on_offer(
    secretary: User, make_application: Callable[..., Application]
) -> None:
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    saturday = datetime(2026, 11, 21, 9, tzinfo=STOCKHOLM).isoformat()

    with pytest.raises(ValidationError):
        meeting_reschedule(meeting=meeting, choice=f"{secretary.pk}|{saturday}", today=WEDNESDAY)

    meeting.refresh_from_db()
    assert meeting.cancelled_at is None


def test_reschedule_to_a_time_just_taken_changes_nothing(
    secretary: User,
    make_application: Callable[..., Application],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    offered = meeting_free_slots(meeting=meeting, today=WEDNESDAY)
    target = offered[0]
    # Someone else takes the time between our look-up and the booking.
    Meeting.objects.create(
        municipality=meeting.municipality,
        secretary=secretary,
        application=make_application(),
        starts_at=target.starts_at,
        ends_at=target.starts_at + timedelta(minutes=45),
    )
    monkeypatch.setattr(changes, "meeting_free_slots", lambda **kwargs: offered)

    with pytest.raises(SlotTaken):
        meeting_reschedule(meeting=meeting, choice=target.key, today=WEDNESDAY)

    meeting.refresh_from_db()
    assert meeting.cancelled_at is None  # the old meeting is kept


def test_cancel_frees_the_time_and_is_safe_to_repeat(
    secretary: User, make_application: Callable[..., Application]
) -> None:
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    meeting_cancel(meeting=meeting)
    cancelled_at = meeting.cancelled_at
    meeting_cancel(meeting=meeting)

    assert meeting.cancelled_at == cancelled_at
    assert meeting.cancelled_by == CancelledBy.APPLICANT
    next_one = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    assert next_one.starts_at == meeting.starts_at


# --- attendance and outcomes -----------------------------------------------------------------


def test_recording_attendance_and_a_plan(
    secretary: User, make_application: Callable[..., Application]
) -> None:
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)

    with time_machine.travel(meeting.ends_at):
        meeting_record(
            meeting=meeting,
            attendance=Attendance.ATTENDED,
            outcome=Outcome.INTERNSHIP,
            note="Praktik på Trelleborgs hamn från 1 dec.",
            by=secretary,
        )

    meeting.refresh_from_db()
    assert (meeting.attendance, meeting.outcome) == (Attendance.ATTENDED, Outcome.INTERNSHIP)
    assert meeting.outcome_note.startswith("Praktik")
    assert meeting.recorded_by == secretary and meeting.recorded_at is not None


def test_a_no_show_is_recorded_without_touching_the_application(
    secretary: User, submitted_application: Application
) -> None:
    meeting = submitted_application.meetings.get()
    status = submitted_application.status

    with time_machine.travel(meeting.ends_at):
        meeting = meeting_record(
            meeting=meeting, attendance=Attendance.NO_SHOW, outcome="", note="", by=secretary
        )

    submitted_application.refresh_from_db()
    assert submitted_application.status == status == Status.AWAITING_CASEWORKER
    assert meeting.attendance == Attendance.NO_SHOW


def test_a_plan_needs_attendance(
    secretary: User, make_application: Callable[..., Application]
) -> None:
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)

    with pytest.raises(ValidationError):
        meeting_record(
            meeting=meeting,
            attendance=Attendance.NO_SHOW,
            outcome=Outcome.JOB,
            note="",
            by=secretary,
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database agrees
        Meeting.objects.filter(pk=meeting.pk).update(outcome=Outcome.JOB)


def test_a_recorded_meeting_can_no_longer_be_cancelled(
    secretary: User, make_application: Callable[..., Application]
) -> None:
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    with time_machine.travel(meeting.ends_at):
        meeting_record(
            meeting=meeting, attendance=Attendance.ATTENDED, outcome="", note="", by=secretary
        )

    meeting_cancel(meeting=meeting)

    assert meeting.cancelled_at is None


@pytest.mark.parametrize("attendance", [Attendance.ATTENDED, Attendance.NO_SHOW])
def test_attendance_is_refused_before_the_meeting_has_started(
    attendance: Attendance, secretary: User, submitted_application: Application
) -> None:
    meeting = submitted_application.meetings.get()  # the next working day: not started yet
    assert meeting.starts_at > timezone.now()

    with pytest.raises(ValidationError, match="Mötet har inte börjat än"):
        meeting_record(meeting=meeting, attendance=attendance, outcome="", note="", by=secretary)

    meeting.refresh_from_db()
    assert (meeting.attendance, meeting.recorded_at) == ("", None)
    # A minute before its start it is still refused; at its start (Stockholm time) it is not.
    before = meeting.starts_at - timedelta(minutes=1)
    with time_machine.travel(before, tick=False), pytest.raises(ValidationError):
        meeting_record(meeting=meeting, attendance=attendance, outcome="", note="", by=secretary)
    with time_machine.travel(meeting.starts_at, tick=False):
        meeting_record(meeting=meeting, attendance=attendance, outcome="", note="", by=secretary)
    meeting.refresh_from_db()
    assert meeting.attendance == attendance


def test_a_meeting_called_off_may_be_recorded_before_its_time(
    secretary: User, submitted_application: Application
) -> None:
    meeting = submitted_application.meetings.get()

    meeting_record(
        meeting=meeting, attendance=Attendance.CANCELLED, outcome="", note="", by=secretary
    )

    meeting.refresh_from_db()
    assert meeting.attendance == Attendance.CANCELLED


# --- reminders -------------------------------------------------------------------------------


def test_meetings_due_for_reminder_are_tomorrows_live_unreminded_meetings(
    secretary: User, make_application: Callable[..., Application]
) -> None:
    thursday = [
        meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
        for _ in range(3)
    ]
    friday = meeting_book_next_working_day(application=make_application(), today=THURSDAY)
    meeting_cancel(meeting=thursday[1])
    meeting_mark_reminded(meeting=thursday[2])

    assert meetings_due_for_reminder(WEDNESDAY) == [thursday[0]]
    assert meetings_due_for_reminder(THURSDAY) == [friday]
    assert meetings_due_for_reminder(date(2026, 11, 21)) == []


def test_social_track_stays_with_the_owner_on_a_later_day_when_their_day_is_full(
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    make_application: Callable[..., Application],
) -> None:
    owner = make_staff("agare", Role.CASEWORKER, trelleborg)
    other = make_staff("annan", Role.CASEWORKER, trelleborg)
    hours_give(owner, (time(9), time(9, 45)))
    hours_give(other, MORNING)
    first = meeting_book_for_track(
        application=make_application(owner=owner), track="social", today=WEDNESDAY
    )

    second = meeting_book_for_track(
        application=make_application(owner=owner), track="social", today=WEDNESDAY
    )

    assert (first.secretary, local(first).date()) == (owner, THURSDAY)
    assert (second.secretary, local(second).date(), second.overflow) == (owner, FRIDAY, True)


# --- #17 item 9: a renewal does not book a second meeting next to the household's coming one --


@pytest.fixture
def renewal_of(make_application: Callable[..., Application]) -> Callable[..., Application]:
    def make(previous: Application) -> Application:
        renewal = make_application(applicant=previous.applicant, month=date(2026, 12, 1))
        renewal.previous = previous
        renewal.save(update_fields=["previous"])
        return renewal

    return make


def test_a_renewal_keeps_the_households_coming_meeting(
    secretary: User,
    make_application: Callable[..., Application],
    renewal_of: Callable[..., Application],
) -> None:
    first = make_application()
    coming = meeting_book_next_working_day(application=first, today=WEDNESDAY)
    renewal = renewal_of(first)
    again = meeting_book_next_working_day(application=renewal, today=WEDNESDAY)
    assert again.pk == coming.pk
    assert Meeting.objects.filter(cancelled_at__isnull=True).count() == 1
    batch = booking.meetings_book_many(applications=[renewal], track=Track.WORK, today=WEDNESDAY)
    assert batch is not None and batch[renewal.pk].pk == coming.pk
    assert Meeting.objects.count() == 1


def test_a_renewal_after_the_households_meeting_books_a_new_one(
    secretary: User,
    make_application: Callable[..., Application],
    renewal_of: Callable[..., Application],
) -> None:
    first = make_application()
    held = meeting_book_next_working_day(application=first, today=WEDNESDAY)
    renewal = renewal_of(first)
    later = meeting_book_next_working_day(application=renewal, today=FRIDAY)
    assert later.pk != held.pk and later.application_id == renewal.pk
