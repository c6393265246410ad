"""Meeting slots for Swedish municipalities (working days themselves: ``kernel.working_days``).

Pure module: no Django, no project imports but the pure ``kernel.working_days``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "WorkingHours",
    "day_slots",
    "first_free_slot",
]


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
