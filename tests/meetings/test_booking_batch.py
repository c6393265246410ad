"""The robot's batch booking (`meetings_book_many`) chooses what one-by-one booking chooses:
continuity first, then the least loaded, absences and full days respected, overflow flagged,
with each person's booked times read in small chunks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from accounts.models import Municipality, Role, User
from accounts.reference_cache import invalidate
from intake.models import Application
from meetings import booking
from meetings.booking import meeting_book_for_track, meetings_book_many
from meetings.models import Absence, Meeting
from tests.builders import hours_give

TZ = ZoneInfo("Europe/Stockholm")
TODAY = date(2026, 11, 18)  # a Wednesday: the next working day is Thursday the 19th


@pytest.mark.parametrize("track", ["work", "social"])
def test_batch_booking_chooses_as_one_by_one_does(
    trelleborg: Municipality,
    make_staff: Callable[..., User],
    make_application: Callable[..., Application],
    monkeypatch: pytest.MonkeyPatch,
    track: str,
) -> None:
    role = Role.SECRETARY if track == "work" else Role.CASEWORKER
    staff = [make_staff(f"person{n}", role, trelleborg, hours=False) for n in range(7)]
    for person in staff:
        hours_give(person, (time(8, 0), time(10, 15)))  # three 45-minute meetings a day
    # Different loads on the day, one person away, one with a full day.
    earlier = make_application()
    for n, person in enumerate(staff[:3]):
        for slot in range(n + 1):
            Meeting.objects.create(
                municipality=trelleborg,
                secretary=person,
                application=make_application() if slot or n else earlier,
                track=track,
                starts_at=datetime(2026, 11, 19, 8, 0, tzinfo=TZ) + timedelta(minutes=45 * slot),
                ends_at=datetime(2026, 11, 19, 8, 45, tzinfo=TZ) + timedelta(minutes=45 * slot),
            )
    Absence.objects.create(secretary=staff[5], start=TODAY, end=TODAY + timedelta(days=7))
    # Continuity: half the households were met last month by person1, who has one slot left.
    applications = []
    for n in range(16):
        previous = make_application(month=date(2026, 10, 1)) if n % 2 else None
        application = make_application(owner=staff[6] if track == "social" and n % 3 else None)
        if previous is not None:
            application.previous = previous
            application.save(update_fields=["previous"])
            Meeting.objects.create(
                municipality=trelleborg,
                secretary=staff[1],
                application=previous,
                track=track,
                starts_at=datetime(2026, 10, 15, 9, 0, tzinfo=TZ) + timedelta(minutes=n),
                ends_at=datetime(2026, 10, 15, 9, 45, tzinfo=TZ) + timedelta(minutes=n),
            )
            # The applicant is the same household as last month.
            Application.objects.filter(pk=previous.pk).update(applicant=application.applicant)
        applications.append(Application.objects.select_related("previous").get(pk=application.pk))
    monkeypatch.setattr(booking._PlannedDay, "CHUNK", 2)  # read booked times in many chunks

    with transaction.atomic():
        point = transaction.savepoint()
        planned = meetings_book_many(applications=applications, track=track, today=TODAY)
        assert planned is not None
        in_batch = [
            (m.secretary_id, m.starts_at, m.overflow)
            for m in (planned[a.pk] for a in applications if a.pk in planned)
        ]
        transaction.savepoint_rollback(point)
    invalidate()
    one_by_one = []
    for application in applications:
        try:
            meeting = meeting_book_for_track(application=application, track=track, today=TODAY)
        except booking.NoFreeSlot:
            continue
        one_by_one.append((meeting.secretary_id, meeting.starts_at, meeting.overflow))
    assert in_batch == one_by_one
    assert any(overflow for _who, _when, overflow in in_batch)  # the next day filled up
    assert staff[5].pk not in {who for who, _when, _overflow in in_batch}
    # The first renewal (n = 1) gets person1's last slot although others have fewer meetings.
    assert in_batch[1][0] == staff[1].pk or track == "social"
