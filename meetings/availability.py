"""Availability: the working days, the secretaries' hours and absences, the rooms (which one is
free for a meeting: `room_choose`) and the load, read from the municipality's rules. Booking
(`meetings.booking`) chooses among what this offers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext

from accounts.models import Municipality, Role, User
from accounts.reference_cache import cached
from intake.models import Application, Track
from meetings import calendar
from meetings.models import (
    Absence,
    ClosingDay,
    Meeting,
    Room,
    WorkingHours,
)

SEARCH_WORKING_DAYS = 10


# A meeting's track ("both" is a case's, never a meeting's), as the enum or its value.
TrackName = Literal["work", "social"]
MeetingTrack = Track | TrackName


def stockholm() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = stockholm()
    return (
        datetime.combine(day, time.min, tzinfo=tz),
        datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz),
    )


def closing_days_for(municipality: Municipality, start: date, end: date) -> frozenset[date]:
    """The municipality's own closing days in [start, end], as ``meetings.calendar`` wants them."""
    return frozenset(
        ClosingDay.objects.filter(
            municipality=municipality, date__gte=start, date__lte=end
        ).values_list("date", flat=True)
    )


@dataclass(frozen=True)
class WorkingBlock:
    hours: calendar.WorkingHours
    room_id: int | None


def hours_by_staff(staff: Iterable[User]) -> dict[int, list[WorkingBlock]]:
    blocks: dict[int, list[WorkingBlock]] = {person.pk: [] for person in staff}
    for row in WorkingHours.objects.filter(secretary__in=list(blocks)):
        blocks[row.secretary_id].append(
            WorkingBlock(calendar.WorkingHours(row.weekday, row.start, row.end), row.room_id)
        )
    return blocks


def absent_on(staff_ids: Iterable[int], day: date) -> set[int]:
    return set(
        Absence.objects.filter(
            secretary_id__in=list(staff_ids), start__lte=day, end__gte=day
        ).values_list("secretary_id", flat=True)
    )


def room_for(blocks: list[WorkingBlock], slot: datetime) -> int | None:
    wall = slot.astimezone(stockholm())
    for block in blocks:
        hours = block.hours
        if hours.weekday == wall.weekday() and hours.start <= wall.time() < hours.end:
            return block.room_id
    return None


def secretaries_with_hours(
    application: Application,
) -> tuple[list[User], dict[int, list[WorkingBlock]]]:
    """The municipality's active secretaries who have working hours, and their hours: one query.

    The same query asks whether the municipality has any room: when it has none, the rooms'
    cache (`municipality_rooms`) is filled with "none" and booking reads no rooms.
    """
    people: dict[int, User] = {}
    blocks: dict[int, list[WorkingBlock]] = {}
    any_room = False
    for row in (
        WorkingHours.objects.filter(
            secretary__municipality_id=application.municipality_id,
            secretary__role=Role.SECRETARY,
            secretary__is_active=True,
        )
        .annotate(
            municipality_has_rooms=Exists(
                Room.objects.filter(municipality_id=OuterRef("secretary__municipality_id"))
            )
        )
        .select_related("secretary")
        .order_by("secretary_id", "weekday", "start")
    ):
        any_room = any_room or row.municipality_has_rooms
        people.setdefault(row.secretary_id, row.secretary)
        blocks.setdefault(row.secretary_id, []).append(
            WorkingBlock(calendar.WorkingHours(row.weekday, row.start, row.end), row.room_id)
        )
    if people and not any_room:
        cached(("rooms", application.municipality_id), tuple)
    return list(people.values()), blocks


def candidates_for(application: Application, track: MeetingTrack) -> list[User]:
    """Who may hold this track's meeting: the case owner alone on the social track if they can."""
    staff = User.objects.filter(municipality=application.municipality, is_active=True)
    if track == Track.WORK:
        return list(staff.filter(role=Role.SECRETARY).order_by("id"))
    caseworkers = list(staff.filter(role=Role.CASEWORKER).order_by("id"))
    owner = application.owner
    with_hours = set(
        WorkingHours.objects.filter(secretary__in=[*caseworkers, *([owner] if owner else [])])
        .values_list("secretary_id", flat=True)
        .distinct()
    )
    if (
        owner is not None
        and owner.is_active
        and owner.municipality_id == application.municipality_id
        and owner.pk in with_hours
    ):
        return [owner]
    return [person for person in caseworkers if person.pk in with_hours]


def secretary_met_last(application: Application, track: MeetingTrack) -> int | None:
    """The staff member who met this household last time on this track (continuity)."""
    earlier = (
        Meeting.objects.filter(
            application__applicant_id=application.applicant_id,
            track=track,
            cancelled_at__isnull=True,
        )
        .exclude(application=application)
        .order_by("-starts_at")
        .values_list("secretary_id", flat=True)
        .first()
    )
    return earlier


def taken_starts(staff_ids: Iterable[int], day: date) -> dict[int, list[datetime]]:
    start, end = day_bounds(day)
    taken: dict[int, list[datetime]] = {pk: [] for pk in staff_ids}
    for secretary_id, starts_at in Meeting.objects.filter(
        secretary_id__in=list(taken),
        cancelled_at__isnull=True,
        starts_at__gte=start,
        starts_at__lt=end,
    ).values_list("secretary_id", "starts_at"):
        taken[secretary_id].append(starts_at)
    return taken


def day_bookings(
    staff_ids: Iterable[int], day: date
) -> tuple[dict[int, int], dict[int, list[datetime]]]:
    """Each person's load and taken start times that day, from one query."""
    taken = taken_starts(staff_ids, day)
    return {pk: len(starts) for pk, starts in taken.items()}, taken


def loads_on(staff_ids: Iterable[int], day: date) -> dict[int, int]:
    start, end = day_bounds(day)
    return dict(
        Meeting.objects.filter(
            secretary_id__in=list(staff_ids),
            cancelled_at__isnull=True,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .values_list("secretary")
        .annotate(n=Count("id"))
    )


# --- rooms (#18) -------------------------------------------------------------------------------
#
# A room is free for a meeting when no other live (not cancelled) meeting overlaps it in that
# room. A meeting that needs an accessible room gets an accessible one; others get a room without
# that flag first, so accessible rooms stay free for those who need them. The room the
# secretary's working hours name, if any, goes first. When no room is free the meeting is still
# booked, without a room: the pages then say "Ingen lokal bokad", and the secretary can look
# again. The municipality's rooms are reference data (`accounts.reference_cache`).

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class RoomInfo:
    pk: int
    name: str
    address: str
    video_url: str
    accessible: bool


def municipality_rooms(municipality_id: int) -> tuple[RoomInfo, ...]:
    """The municipality's rooms, by name (cached reference data)."""

    def read() -> tuple[RoomInfo, ...]:
        return tuple(
            RoomInfo(*row)
            for row in Room.objects.filter(municipality_id=municipality_id)
            .order_by("name", "pk")
            .values_list("pk", "name", "address", "video_url", "accessible")
        )

    return cached(("rooms", municipality_id), read)


def rooms_in_order(
    rooms: Iterable[RoomInfo], *, accessible: bool, preferred: int | None = None
) -> list[int]:
    """The rooms that suit the meeting, best first: the secretary's own room (their working
    hours name it), then, unless the meeting needs one, rooms that are not accessible (so the
    accessible ones stay free for those who need them), then by name."""
    suitable = [room for room in rooms if room.accessible or not accessible]
    suitable.sort(key=lambda room: (room.pk != preferred, room.accessible and not accessible))
    return [room.pk for room in suitable]


def overlaps(busy: Iterable[Interval], starts_at: datetime, ends_at: datetime) -> bool:
    return any(start < ends_at and starts_at < end for start, end in busy)


def rooms_busy(
    room_ids: Iterable[int],
    starts_at: datetime,
    ends_at: datetime,
    *,
    exclude_meeting: int | None = None,
) -> dict[int, list[Interval]]:
    """The live meetings in these rooms that overlap [starts_at, ends_at), by room: one query."""
    busy: dict[int, list[Interval]] = {pk: [] for pk in room_ids}
    if not busy:
        return busy
    rows = Meeting.objects.filter(
        room_id__in=list(busy),
        cancelled_at__isnull=True,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    if exclude_meeting is not None:
        rows = rows.exclude(pk=exclude_meeting)
    for room_id, start, end in rows.values_list("room_id", "starts_at", "ends_at"):
        busy[room_id].append((start, end))
    return busy


def rooms_hold(municipality_id: int) -> None:
    """Hold the municipality's rooms until the caller's transaction ends, so two bookings cannot
    both take one room (PostgreSQL: row locks, always all the rooms and in one order, so two
    bookings never wait for each other in a circle; SQLite has one writer at a time anyway).
    Room choice is thereby one booking at a time per municipality, for the rest of its
    transaction."""
    if connection.features.has_select_for_update:
        list(
            Room.objects.select_for_update()
            .filter(municipality_id=municipality_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def room_choose(
    *,
    municipality_id: int,
    starts_at: datetime,
    ends_at: datetime,
    accessible: bool,
    preferred: int | None = None,
    exclude_meeting: int | None = None,
) -> int | None:
    """A free room for a meeting at [starts_at, ends_at), or None when none is free.

    Call inside the booking's transaction: the rooms are held until it commits (`rooms_hold`).
    No query when the municipality has no room that suits."""
    order = rooms_in_order(
        municipality_rooms(municipality_id), accessible=accessible, preferred=preferred
    )
    if not order:
        return None
    rooms_hold(municipality_id)
    busy = rooms_busy(order, starts_at, ends_at, exclude_meeting=exclude_meeting)
    return next((pk for pk in order if not busy[pk]), None)


def room_place_text(room: RoomInfo | Room | None) -> str:
    """Where the meeting is held, in words ("Rum 3, Storgatan 1"; a video room says so)."""
    if room is None:
        return ""
    parts = [room.name, room.address] if room.address else [room.name]
    text = ", ".join(part for part in parts if part)
    if room.video_url and not room.address:
        text = gettext("%(room)s (videomöte)") % {"room": text}
    return text


def meeting_room(meeting: Meeting) -> RoomInfo | Room | None:
    """The meeting's room without a query when it is loaded or the rooms are cached."""
    if meeting.room_id is None:
        return None
    if Meeting.room.is_cached(meeting):
        return meeting.room
    for room in municipality_rooms(meeting.municipality_id):
        if room.pk == meeting.room_id:
            return room
    return Room.objects.filter(pk=meeting.room_id).first()
