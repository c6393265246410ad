"""50 bookings at once never double-book: the partial unique indexes decide, not the code.

On PostgreSQL (the service pass of `make test`) the threads really run at once. On SQLite the
IMMEDIATE transactions serialise them; the same assertions hold.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from accounts.models import Municipality, Role, User
from intake.models import Application
from meetings.booking import meeting_book_next_working_day
from meetings.models import Meeting

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WEDNESDAY = date(2026, 11, 18)
THURSDAY = date(2026, 11, 19)
THREADS = 50
SECRETARIES = 3
SLOTS_PER_SECRETARY_AND_DAY = 9  # 08-12 and 13-16, 45 minutes


def _book_all_at_once(applications: list[Application]) -> tuple[list[Meeting], list[BaseException]]:
    barrier = threading.Barrier(len(applications))
    meetings: list[Meeting] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def book(application: Application) -> None:
        try:
            barrier.wait(timeout=30)
            meeting = meeting_book_next_working_day(application=application, today=WEDNESDAY)
            with lock:
                meetings.append(meeting)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return meetings, errors


def _run(
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    make_application: Callable[..., Application],
) -> None:
    for i in range(SECRETARIES):
        make_staff(f"sekr{i}", Role.SECRETARY, trelleborg)
    applications = [make_application() for _ in range(THREADS)]

    meetings, errors = _book_all_at_once(applications)

    assert errors == []
    assert len(meetings) == THREADS
    live = list(Meeting.objects.filter(cancelled_at__isnull=True))
    assert len(live) == THREADS
    slots = Counter((m.secretary_id, m.starts_at) for m in live)
    assert max(slots.values()) == 1, "double booking"
    assert Counter(m.application_id for m in live).most_common(1)[0][1] == 1
    first_day = [m for m in live if m.starts_at.astimezone(STOCKHOLM).date() == THURSDAY]
    assert len(first_day) == SECRETARIES * SLOTS_PER_SECRETARY_AND_DAY  # the day is filled
    assert all(not m.overflow for m in first_day)
    assert all(m.overflow for m in live if m not in first_day)
    assert all(m.starts_at.astimezone(STOCKHOLM).time() >= time(8) for m in live)


@pytest.mark.services
@pytest.mark.timeout(180)
def test_50_threads_booking_at_once_on_postgresql_never_double_book(
    transactional_db: None,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    make_application: Callable[..., Application],
) -> None:
    if connection.vendor != "postgresql":
        reason = "DATABASE_URL is not PostgreSQL: run through `make test`"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"required in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    _run(make_staff, trelleborg, make_application)


@pytest.mark.timeout(180)
def test_50_threads_booking_at_once_on_sqlite_serialised_never_double_book(
    transactional_db: None,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    make_application: Callable[..., Application],
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant; PostgreSQL runs the services-marked test")
    if connection.settings_dict["TEST"].get("NAME") in (None, "", ":memory:"):
        pytest.skip("threads need a file database to share")
    _run(make_staff, trelleborg, make_application)
