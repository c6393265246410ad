"""Tests for the pure working-day and slot calendar (no database, no Django)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.working_days import (
    holiday_name,
    is_working_day,
    next_working_day,
    working_days_between,
)
from meetings.calendar import WorkingHours, day_slots, first_free_slot

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# 2026's weekdays (Mon-Fri) that are not working days, written out by hand from the Swedish
# calendar. Holidays falling on a weekend in 2026 are left out: Påskdagen 5 Apr (Sun),
# Pingstdagen 24 May (Sun), Nationaldagen 6 Jun (Sat), Midsommardagen 20 Jun (Sat),
# Alla helgons dag 31 Oct (Sat), Annandag jul 26 Dec (Sat).
NON_WORKING_WEEKDAYS_2026 = frozenset(
    {
        date(2026, 1, 1),  # Nyårsdagen, Thu
        date(2026, 1, 6),  # Trettondedag jul, Tue
        date(2026, 4, 3),  # Långfredagen, Fri
        date(2026, 4, 6),  # Annandag påsk, Mon
        date(2026, 5, 1),  # Första maj, Fri
        date(2026, 5, 14),  # Kristi himmelsfärdsdag, Thu
        date(2026, 6, 19),  # Midsommarafton (de facto), Fri
        date(2026, 12, 24),  # Julafton (de facto), Thu
        date(2026, 12, 25),  # Juldagen, Fri
        date(2026, 12, 31),  # Nyårsafton (de facto), Thu
    }
)
# 2026 starts on a Thursday and has 365 days: 52 whole weeks (260 weekdays) plus Thursday 31 Dec.
WEEKDAYS_IN_2026 = 261
WORKING_DAYS_IN_2026 = WEEKDAYS_IN_2026 - len(NON_WORKING_WEEKDAYS_2026)  # 251

MORNING_AND_AFTERNOON = [
    WorkingHours(weekday=weekday, start=start, end=end)
    for weekday in range(7)
    for start, end in ((time(8, 0), time(12, 0)), (time(13, 0), time(16, 0)))
]


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        pytest.param(date(2026, 3, 13), date(2026, 3, 16), id="friday-to-monday"),
        pytest.param(date(2026, 3, 14), date(2026, 3, 16), id="saturday-to-monday"),
        pytest.param(date(2026, 3, 16), date(2026, 3, 17), id="monday-to-tuesday"),
        pytest.param(date(2026, 4, 2), date(2026, 4, 7), id="skartorsdag-over-easter"),
        pytest.param(date(2026, 5, 13), date(2026, 5, 15), id="over-kristi-himmelsfard"),
        pytest.param(date(2026, 6, 5), date(2026, 6, 8), id="national-day-on-saturday"),
        pytest.param(date(2026, 6, 18), date(2026, 6, 22), id="over-midsommar"),
        pytest.param(date(2026, 12, 23), date(2026, 12, 28), id="over-christmas"),
        pytest.param(date(2026, 12, 30), date(2027, 1, 4), id="over-new-year"),
    ],
)
def test_next_working_day_skips_weekends_and_holidays(after: date, expected: date) -> None:
    assert next_working_day(after) == expected


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(date(2026, 4, 3), id="langfredagen"),
        pytest.param(date(2026, 4, 6), id="annandag-pask"),
        pytest.param(date(2026, 5, 14), id="kristi-himmelsfard"),
        pytest.param(date(2026, 6, 19), id="midsommarafton"),
        pytest.param(date(2026, 12, 24), id="julafton"),
        pytest.param(date(2026, 12, 31), id="nyarsafton"),
        pytest.param(date(2027, 1, 1), id="nyarsdagen"),
        pytest.param(date(2027, 6, 6), id="national-day-on-sunday"),
        pytest.param(date(2025, 6, 6), id="national-day-on-friday"),
        pytest.param(date(2026, 3, 14), id="saturday"),
        pytest.param(date(2026, 3, 15), id="sunday"),
    ],
)
def test_holidays_and_weekends_are_not_working_days(day: date) -> None:
    assert not is_working_day(day)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 4, 2), None),
        (date(2026, 4, 3), "Långfredagen"),
        (date(2026, 5, 14), "Kristi himmelsfärdsdag"),
        (date(2026, 6, 6), "Nationaldagen"),
        (date(2026, 6, 19), "Midsommarafton"),
        (date(2026, 12, 24), "Julafton"),
        (date(2026, 12, 31), "Nyårsafton"),
    ],
)
def test_holiday_name_is_swedish(day: date, name: str | None) -> None:
    assert holiday_name(day) == name


def test_municipality_closing_day_is_not_a_working_day() -> None:
    closing_day = date(2026, 1, 2)  # klämdag between Nyårsdagen and the weekend
    closing_days = frozenset({closing_day})

    assert is_working_day(closing_day)
    assert not is_working_day(closing_day, closing_days)
    assert next_working_day(date(2025, 12, 30), closing_days) == date(2026, 1, 5)
    assert closing_day not in working_days_between(date(2026, 1, 1), date(2026, 1, 9), closing_days)


def test_every_day_of_2026_matches_the_hand_written_calendar() -> None:
    day = date(2026, 1, 1)
    while day.year == 2026:
        expected = day.weekday() < 5 and day not in NON_WORKING_WEEKDAYS_2026
        assert is_working_day(day) is expected, day
        day += timedelta(days=1)


def test_2026_has_exactly_251_working_days() -> None:
    working_days = working_days_between(date(2026, 1, 1), date(2026, 12, 31))

    assert len(working_days) == WORKING_DAYS_IN_2026 == 251
    assert working_days[0] == date(2026, 1, 2)
    assert working_days[-1] == date(2026, 12, 30)


def test_working_days_between_is_inclusive_and_ordered() -> None:
    assert working_days_between(date(2026, 3, 13), date(2026, 3, 16)) == [
        date(2026, 3, 13),
        date(2026, 3, 16),
    ]
    assert working_days_between(date(2026, 3, 16), date(2026, 3, 13)) == []


def test_45_minute_slots_fit_in_morning_and_afternoon_hours() -> None:
    day = date(2026, 3, 17)  # Tuesday

    slots = day_slots(day, MORNING_AND_AFTERNOON, 45, STOCKHOLM)

    assert [slot.time() for slot in slots] == [
        time(8, 0),
        time(8, 45),
        time(9, 30),
        time(10, 15),
        time(11, 0),
        time(13, 0),
        time(13, 45),
        time(14, 30),
        time(15, 15),
    ]
    assert all(slot.tzinfo is STOCKHOLM and slot.date() == day for slot in slots)


def test_slots_follow_hours_of_the_weekday_only() -> None:
    hours = [WorkingHours(weekday=0, start=time(9, 0), end=time(10, 0))]

    assert day_slots(date(2026, 3, 16), hours, 30, STOCKHOLM) == [
        datetime(2026, 3, 16, 9, 0, tzinfo=STOCKHOLM),
        datetime(2026, 3, 16, 9, 30, tzinfo=STOCKHOLM),
    ]
    assert day_slots(date(2026, 3, 17), hours, 30, STOCKHOLM) == []


def test_slots_are_sorted_even_when_hours_are_given_out_of_order() -> None:
    hours = [
        WorkingHours(weekday=1, start=time(13, 0), end=time(14, 0)),
        WorkingHours(weekday=1, start=time(8, 0), end=time(9, 0)),
    ]

    slots = day_slots(date(2026, 3, 17), hours, 60, STOCKHOLM)

    assert [slot.hour for slot in slots] == [8, 13]


@pytest.mark.parametrize(
    ("day", "utc_offset"),
    [
        pytest.param(date(2026, 3, 28), timedelta(hours=1), id="day-before-spring-forward"),
        pytest.param(date(2026, 3, 29), timedelta(hours=2), id="spring-forward-sunday"),
        pytest.param(date(2026, 10, 24), timedelta(hours=2), id="day-before-fall-back"),
        pytest.param(date(2026, 10, 25), timedelta(hours=1), id="fall-back-sunday"),
    ],
)
def test_slots_on_dst_change_days_have_the_right_utc_offset(
    day: date, utc_offset: timedelta
) -> None:
    slots = day_slots(day, MORNING_AND_AFTERNOON, 45, STOCKHOLM)

    assert len(slots) == 9
    assert slots[0].time() == time(8, 0)
    assert all(slot.utcoffset() == utc_offset for slot in slots)


def test_no_slot_in_the_hour_skipped_by_spring_forward() -> None:
    night = [WorkingHours(weekday=6, start=time(1, 0), end=time(4, 0))]

    slots = day_slots(date(2026, 3, 29), night, 60, STOCKHOLM)

    assert [slot.time() for slot in slots] == [time(1, 0), time(3, 0)]


def test_meeting_length_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        day_slots(date(2026, 3, 17), MORNING_AND_AFTERNOON, 0, STOCKHOLM)


def test_first_free_slot_skips_taken_slots() -> None:
    day = date(2026, 3, 17)
    taken = [
        datetime(2026, 3, 17, 8, 0, tzinfo=STOCKHOLM),
        datetime(2026, 3, 17, 8, 45, tzinfo=STOCKHOLM),
    ]

    slot = first_free_slot(day, MORNING_AND_AFTERNOON, 45, STOCKHOLM, taken)

    assert slot == datetime(2026, 3, 17, 9, 30, tzinfo=STOCKHOLM)


def test_first_free_slot_treats_taken_times_in_utc_as_the_same_instant() -> None:
    day = date(2026, 3, 17)
    taken = [datetime(2026, 3, 17, 7, 0, tzinfo=ZoneInfo("UTC"))]  # 08:00 in Stockholm

    slot = first_free_slot(day, MORNING_AND_AFTERNOON, 45, STOCKHOLM, taken)

    assert slot == datetime(2026, 3, 17, 8, 45, tzinfo=STOCKHOLM)


def test_first_free_slot_skips_slots_overlapped_by_an_off_grid_booking() -> None:
    day = date(2026, 3, 17)
    taken = [datetime(2026, 3, 17, 8, 30, tzinfo=STOCKHOLM)]  # overlaps 08:00 and 08:45

    slot = first_free_slot(day, MORNING_AND_AFTERNOON, 45, STOCKHOLM, taken)

    assert slot == datetime(2026, 3, 17, 9, 30, tzinfo=STOCKHOLM)


def test_first_free_slot_is_none_when_the_day_is_full() -> None:
    day = date(2026, 3, 17)
    taken = day_slots(day, MORNING_AND_AFTERNOON, 45, STOCKHOLM)

    assert first_free_slot(day, MORNING_AND_AFTERNOON, 45, STOCKHOLM, taken) is None


def test_first_free_slot_is_none_without_hours_that_day() -> None:
    assert first_free_slot(date(2026, 3, 17), [], 45, STOCKHOLM, []) is None


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)),
    closing_offsets=st.frozensets(st.integers(min_value=0, max_value=10), max_size=5),
)
def test_next_working_day_is_the_nearest_later_working_day(
    day: date, closing_offsets: frozenset[int]
) -> None:
    closing_days = frozenset(day + timedelta(days=offset) for offset in closing_offsets)

    following = next_working_day(day, closing_days)

    assert following > day
    assert is_working_day(following, closing_days)
    between = day + timedelta(days=1)
    while between < following:
        assert not is_working_day(between, closing_days)
        between += timedelta(days=1)
