"""The suite's clock (tests/clock.py): moments, the matrix and the guard themselves."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from tests.clock import DATE_MATRIX, STOCKHOLM, parse_moment

INNER_FLAGS = ("-p", "tests.clock", "-p", "no:django", "-p", "no:randomly", "-p", "no:xdist")


@pytest.mark.as_of("2027-06-18T10:00")
def test_a_test_with_its_own_moment_runs_at_it() -> None:
    assert timezone.localdate() == date(2027, 6, 18)
    assert timezone.localtime().hour == 10


def test_moments_are_stockholm_time_and_the_autumn_hour_is_the_first_of_the_two() -> None:
    assert parse_moment("2026-12-31T23:30").utcoffset().total_seconds() == 3600
    autumn = parse_moment("2027-10-31T02:30")
    assert autumn.tzinfo is STOCKHOLM
    assert autumn.utcoffset().total_seconds() == 7200
    assert parse_moment("2027-01-01T00:30+00:00").hour == 0


def test_the_matrix_covers_the_turns_the_dst_changes_and_the_leap_day() -> None:
    moments = [parse_moment(m) for m, _ in DATE_MATRIX]
    assert any(m.month == 12 and m.day == 31 for m in moments)
    assert any(m.month == 1 and m.day == 1 for m in moments)
    assert any(m.date() == date(2028, 2, 29) for m in moments)
    assert any(m.date() == date(2027, 6, 18) for m in moments)  # Midsommarafton
    assert any(m.weekday() == 4 and m.hour >= 17 for m in moments)  # Friday evening
    dst = [m for m in moments if m.date() in (date(2027, 3, 28), date(2027, 10, 31))]
    assert len(dst) == 2


def test_every_marked_test_runs_once_at_every_moment(pytester: pytest.Pytester) -> None:
    seen = pytester.path / "seen.txt"
    pytester.makepyfile(
        f"""
        import pytest
        from django.utils import timezone

        pytestmark = pytest.mark.dates

        def test_reads_the_clock():
            with open({str(seen)!r}, "a") as out:
                out.write(timezone.localtime().strftime("%Y-%m-%dT%H:%M") + "\\n")

        def test_unmarked_tests_do_not_run():
            pass
        """
    )
    pytester.makepyfile(test_other="def test_not_in_the_matrix():\n    pass\n")
    result = pytester.runpytest_inprocess(*INNER_FLAGS, "--date-matrix", "-q")
    result.assert_outcomes(passed=2 * len(DATE_MATRIX), deselected=1)
    assert sorted(seen.read_text().split()) == sorted(m for m, _ in DATE_MATRIX)


def test_a_test_that_reads_the_calendar_outside_the_matrix_fails(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest
        import time_machine
        from django.utils import timezone

        def test_unmarked():
            timezone.localdate()

        @pytest.mark.dates
        def test_marked():
            timezone.localdate()

        @pytest.mark.as_of("2027-01-01T00:30")
        def test_own_moment():
            timezone.localdate()

        def test_timestamps_only():
            timezone.localtime(timezone.now())

        @pytest.fixture
        def frozen():
            with time_machine.travel("2026-11-18 10:00 +01:00", tick=False):
                yield

        def test_under_its_own_frozen_clock(frozen):
            timezone.localdate()

        def test_reads_before_freezing():
            timezone.localdate()
            with time_machine.travel("2026-11-18 10:00 +01:00"):
                timezone.localdate()
        """
    )
    result = pytester.runpytest_inprocess(*INNER_FLAGS, "-q")
    result.assert_outcomes(passed=6, errors=2)
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_unmarked*", "*not in the date matrix*"]
    )
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_reads_before_freezing*"])


def test_as_of_starts_every_test_at_the_moment_with_the_clock_running(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        from datetime import datetime, timedelta
        from tests.clock import STOCKHOLM

        def test_at_the_moment():
            now = datetime.now(STOCKHOLM)
            start = datetime(2028, 2, 29, 9, 0, tzinfo=STOCKHOLM)
            assert start <= now < start + timedelta(minutes=1)
        """
    )
    result = pytester.runpytest_inprocess(*INNER_FLAGS, "--as-of", "2028-02-29T09:00", "-q")
    result.assert_outcomes(passed=1)
