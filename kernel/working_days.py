"""Working days in Sweden: weekdays that are neither public nor de facto holidays
(Midsommarafton, Julafton, Nyårsafton) nor one of a municipality's own closing days.

Pure module: no Django, no project imports. Only the standard library and ``holidays``. In the
kernel because every app needs it (meetings book on working days, intake's emergency deadline
follows office days, letters and payments count working days); weekends are decided by
``date.weekday()`` alone, whatever the ``holidays`` calendar says about Sundays.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays

__all__ = ["holiday_name", "is_working_day", "next_working_day", "working_days_between"]

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
