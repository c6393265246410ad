"""Availability: the working days, the secretaries' hours and absences, the rooms and the load,
read from the municipality's rules. Booking (`meetings.booking`) chooses among what this offers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count

from accounts.models import Municipality, Role, User
from intake.models import Application, Track
from meetings import calendar
from meetings.models import (
    Absence,
    ClosingDay,
    Meeting,
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
    """The municipality's active secretaries who have working hours, and their hours: one query."""
    people: dict[int, User] = {}
    blocks: dict[int, list[WorkingBlock]] = {}
    for row in (
        WorkingHours.objects.filter(
            secretary__municipality_id=application.municipality_id,
            secretary__role=Role.SECRETARY,
            secretary__is_active=True,
        )
        .select_related("secretary")
        .order_by("secretary_id", "weekday", "start")
    ):
        people.setdefault(row.secretary_id, row.secretary)
        blocks.setdefault(row.secretary_id, []).append(
            WorkingBlock(calendar.WorkingHours(row.weekday, row.start, row.end), row.room_id)
        )
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
