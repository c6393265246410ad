"""The test suite's clock: run any selection of tests as if it were another moment.

`pytest --as-of 2026-12-31T23:30` (or `BISTAND_TEST_AS_OF=...`) starts every test at that
Stockholm local time, with the clock ticking from there (time-machine). `make test-dates` runs the
tests marked `dates` under each moment of `DATE_MATRIX`: the turns of the month and the year, the
two DST changes, Midsommarafton, the end of February in a common and a leap year, and a Friday
evening after working hours.

A test that reads the local calendar (`timezone.localdate()` or `timezone.localtime()` with no
argument, in its own code or the product's) on the suite's clock, not under a
`time_machine.travel` of its own or of one of its fixtures, must be in the matrix: its module
carries `pytestmark = pytest.mark.dates`, or the test fixes its moment with `as_of`. The suite
checks this itself: such a test fails with a message saying so. Service tests are exempt (their
workers are other processes on the real clock).

A test that needs one particular moment says so with `@pytest.mark.as_of("2026-11-20T10:00")`:
it and all its fixtures then run from that moment, whatever `--as-of` says. Otherwise a test
derives its expectations from `timezone.now()` / `timezone.localdate()`, never from a fixed date
compared with the wall clock, and never from `date.today()` at collection time (parametrize with
offsets, not dates).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# Moments known to break naive date code (Stockholm local time), used by `make test-dates`.
DATE_MATRIX: tuple[tuple[str, str], ...] = (
    ("2026-12-31T23:30", "the last half hour of the year"),
    ("2027-01-01T00:30", "the first half hour of the year (a holiday)"),
    ("2027-02-28T12:00", "the last day of February in a common year (a Sunday)"),
    ("2027-03-28T01:30", "half an hour before the spring DST change"),
    ("2027-06-18T10:00", "Midsommarafton (a de facto holiday)"),
    ("2027-10-31T02:30", "inside the repeated hour of the autumn DST change"),
    ("2027-11-05T18:30", "a Friday evening after working hours"),
    ("2028-02-29T09:00", "the leap day"),
)


class _CalendarSpy:
    """Notes whether the running test (in any thread) asked for today's date or local time."""

    def __init__(self) -> None:
        self.read = False
        # Travellers active beyond this depth are the test's own (a fixture or the test froze
        # time itself): what it reads then does not depend on the day the suite runs.
        self.base_depth = 0
        self._localdate = timezone.localdate
        self._localtime = timezone.localtime

    def _note(self) -> None:
        if len(time_machine.traveller_stack) <= self.base_depth:
            self.read = True

    def localdate(self, value: datetime | None = None, timezone: object = None) -> object:
        if value is None:
            self._note()
        return self._localdate(value, timezone)

    def localtime(self, value: datetime | None = None, timezone: object = None) -> object:
        if value is None:
            self._note()
        return self._localtime(value, timezone)


_SPY = _CalendarSpy()
# Installed at import, before any project module binds the functions. The project (and Django)
# call them as `timezone.localdate(...)`, through the module, so the spy sees every call.
timezone.localdate = _SPY.localdate
timezone.localtime = _SPY.localtime


def parse_moment(value: str) -> datetime:
    """An ISO local time in Stockholm (or with an explicit offset) as an aware datetime."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=STOCKHOLM)
    return moment


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--as-of",
        default=os.environ.get("BISTAND_TEST_AS_OF") or None,
        help="start every test at this Stockholm local time (ISO 8601), the clock ticking on",
    )
    parser.addoption(
        "--date-matrix",
        action="store_true",
        default=False,
        help="run each test marked `dates` once at every moment of DATE_MATRIX (make test-dates)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "as_of(moment): run the test and its fixtures from this Stockholm local time"
    )
    config.addinivalue_line(
        "markers", "dates: reads the clock; `make test-dates` runs it at every DATE_MATRIX moment"
    )


def pytest_report_header(config: pytest.Config) -> str | None:
    value = config.getoption("--as-of")
    if not value:
        return None
    return f"clock: every test starts at {parse_moment(value).isoformat()} (--as-of)"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if not metafunc.config.getoption("--date-matrix"):
        return
    if metafunc.definition.get_closest_marker("dates") is None:
        return
    if metafunc.definition.get_closest_marker("as_of") is not None:
        return  # it chose its own moment and runs once, at that moment
    moments = [moment for moment, _ in DATE_MATRIX]
    metafunc.parametrize("_suite_clock", moments, indirect=True, ids=moments)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With --date-matrix only the tests marked `dates` run (each once per moment)."""
    if not config.getoption("--date-matrix"):
        return
    kept = [item for item in items if item.get_closest_marker("dates") is not None]
    dropped = [item for item in items if item.get_closest_marker("dates") is None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def _suite_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    marker = request.node.get_closest_marker("as_of")
    value = (
        marker.args[0]
        if marker
        else getattr(request, "param", None) or request.config.getoption("--as-of")
    )
    # Saved and restored: a test may run pytest inside itself (tests/test_clock.py).
    outer = (_SPY.read, _SPY.base_depth)
    _SPY.read = False
    try:
        if not value:
            _SPY.base_depth = len(time_machine.traveller_stack)
            yield
        else:
            with time_machine.travel(parse_moment(value), tick=True):
                _SPY.base_depth = len(time_machine.traveller_stack)
                yield
        read = _SPY.read
    finally:
        _SPY.read, _SPY.base_depth = outer
    # Service tests are exempt: their Celery workers are other processes, on the real clock,
    # so they derive every expectation from the time they run at instead.
    unmarked = not any(
        request.node.get_closest_marker(name) for name in ("dates", "as_of", "services")
    )
    if read and unmarked:
        pytest.fail(
            "this test reads today's date or the local time but is not in the date matrix: "
            "add `pytestmark = pytest.mark.dates` to its module, or fix its moment with "
            "@pytest.mark.as_of(...) (tests/clock.py)",
            pytrace=False,
        )
