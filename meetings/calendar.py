"""Working days and meeting slots for Swedish municipalities.

Pure module: no Django, no project imports. Only the standard library and ``holidays``.

A working day is a weekday (Mon-Fri) that is neither a Swedish public holiday, nor a de facto
holiday (Midsommarafton, Julafton, Nyårsafton), nor one of the municipality's own closing days.
Weekends are decided by ``date.weekday()`` alone, whatever the ``holidays`` calendar says about
Sundays.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "WorkingHours",
    "day_slots",
    "first_free_slot",
    "holiday_name",
    "is_working_day",
    "next_working_day",
    "working_days_between",
]

_SATURDAY = 5


@functools.lru_cache(maxsize=64)
def _swedish_holidays(year: int) -> holidays.HolidayBase:
    """Swedish public and de facto holidays for one year, with Swedish names (cached)."""
    return holidays.country_holidays(
        "SE",
        categories=("public", "de_facto"),
        years=year,
        language="sv",
    )


def holiday_name(day: date) -> str | None:
    """The Swedish name of the holiday on ``day``, or None if it is no holiday."""
    name: str | None = _swedish_holidays(day.year).get(day)
    return name


def is_working_day(day: date, closing_days: frozenset[date] = frozenset()) -> bool:
    """True on weekdays that are not holidays and not the municipality's closing days."""
    if day.weekday() >= _SATURDAY:
        return False
    if day in closing_days:
        return False
    return day not in _swedish_holidays(day.year)


def next_working_day(after: date, closing_days: frozenset[date] = frozenset()) -> date:
    """The first working day strictly after ``after``."""
    day = after + timedelta(days=1)
    while not is_working_day(day, closing_days):
        day += timedelta(days=1)
    return day


def working_days_between(
    start: date, end: date, closing_days: frozenset[date] = frozenset()
) -> list[date]:
    """All working days from ``start`` to ``end``, both inclusive, in order."""
    days: list[date] = []
    day = start
    while day <= end:
        if is_working_day(day, closing_days):
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class WorkingHours:
    """Opening hours for one weekday (0 = Monday); several per weekday are allowed."""

    weekday: int
    start: time
    end: time


def _exists(moment: datetime) -> bool:
    """False for wall-clock times skipped by a DST change (e.g. 02:30 on spring-forward day)."""
    round_trip = moment.astimezone(UTC).astimezone(moment.tzinfo)
    return round_trip.replace(tzinfo=None) == moment.replace(tzinfo=None)


def day_slots(
    day: date, hours: Sequence[WorkingHours], meeting_minutes: int, tz: ZoneInfo
) -> list[datetime]:
    """Every meeting start on ``day`` whose whole meeting fits within that weekday's hours.

    Slots are aware datetimes in ``tz``, built from the wall-clock time so the UTC offset is the
    right one on DST change days. Overlapping or repeated hours do not produce duplicate slots.
    """
    if meeting_minutes <= 0:
        raise ValueError("meeting_minutes must be positive")
    length = timedelta(minutes=meeting_minutes)
    slots: set[datetime] = set()
    for period in hours:
        if period.weekday != day.weekday():
            continue
        end = datetime.combine(day, period.end)
        start = datetime.combine(day, period.start)
        while start + length <= end:
            slot = start.replace(tzinfo=tz)
            if _exists(slot):
                slots.add(slot)
            start += length
    return sorted(slots)


def first_free_slot(
    day: date,
    hours: Sequence[WorkingHours],
    meeting_minutes: int,
    tz: ZoneInfo,
    taken: Collection[datetime],
) -> datetime | None:
    """The earliest slot on ``day`` that overlaps no taken meeting, or None if the day is full.

    ``taken`` holds the start times of booked meetings, each assumed ``meeting_minutes`` long,
    so a booking that does not sit on the slot grid still blocks the slots it overlaps.
    """
    length = timedelta(minutes=meeting_minutes)
    taken_utc = [moment.astimezone(UTC) for moment in taken]
    for slot in day_slots(day, hours, meeting_minutes, tz):
        slot_start = slot.astimezone(UTC)
        slot_end = slot_start + length
        if all(not (other < slot_end and slot_start < other + length) for other in taken_utc):
            return slot
    return None
