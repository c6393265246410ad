"""A meeting the secretary records as "Mötet ställdes in": cancelled, the applicant told once
and able to book a new time, the secretary still seeing what they recorded. And what the
applicant is told about a meeting that has taken place, and about a place not booked yet."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.urls import reverse
from icalendar import Calendar

from accounts.models import Municipality, Role, User
from intake.models import Application
from intake.states import Status
from meetings.booking import meeting_book_next_working_day
from meetings.changes import meeting_free_slots, meeting_record
from meetings.models import Attendance, CancelledBy, Meeting, Room
from meetings.reminders import meetings_due_for_reminder
from meetings.selectors import meeting_report, meetings_for_secretary_day
from notifications.models import Notification, NotificationKind
from tests.builders import case_make, client_for

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WEDNESDAY = date(2026, 11, 18)
THURSDAY = date(2026, 11, 19)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen() -> object:
    with time_machine.travel(datetime(2026, 11, 18, 10, tzinfo=STOCKHOLM), tick=False) as t:
        yield t


@pytest.fixture
def application(trelleborg: Municipality, applicant: User, caseworker: User) -> Application:
    """A sent application (its status page is shown), not yet decided."""
    return case_make(trelleborg, caseworker, applicant=applicant, status=Status.AWAITING_CASEWORKER)


@pytest.fixture
def booked(secretary: User, application: Application) -> Meeting:
    return meeting_book_next_working_day(application=application, today=WEDNESDAY)


def call_off(meeting: Meeting, secretary: User, note: str = "Sjuk.") -> Meeting:
    return meeting_record(
        meeting=meeting, attendance=Attendance.CANCELLED, outcome="", note=note, by=secretary
    )


def notices(kind: NotificationKind = NotificationKind.MEETING_CHANGED) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind))


def status_page(applicant: User, application: Application) -> str:
    response = client_for(applicant).get(
        reverse("intake:application_detail", args=[application.pk])
    )
    assert response.status_code == 200
    return response.content.decode()


def meeting_page(applicant: User, meeting: Meeting) -> str:
    response = client_for(applicant).get(
        reverse("meetings:applicant_meeting", args=[meeting.application_id, meeting.pk])
    )
    assert response.status_code == 200
    return response.content.decode()


# --- the service ------------------------------------------------------------------------------


def test_calling_a_meeting_off_cancels_it_frees_its_time_and_tells_the_applicant_once(
    booked: Meeting,
    secretary: User,
    make_application: Callable[..., Application],
    django_capture_on_commit_callbacks: Callable,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_off(booked, secretary)
        call_off(booked, secretary, note="Sjuk, hör av oss.")  # a double click, the note fixed

    booked.refresh_from_db()
    assert booked.cancelled_at is not None
    assert booked.cancelled_by == CancelledBy.STAFF
    assert booked.attendance == Attendance.CANCELLED
    assert booked.outcome_note == "Sjuk, hör av oss."
    [notice] = notices()
    assert notice.recipient == booked.application.applicant
    assert notice.body == (
        "Ditt möte torsdag 19 november kl. 08.00 är inställt. Logga in för att boka en ny tid."
    )
    # Its time is free again and no reminder goes out for it.
    other = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    assert (other.secretary, other.starts_at) == (secretary, booked.starts_at)
    assert booked not in meetings_due_for_reminder(WEDNESDAY)


def test_a_meeting_called_off_cannot_be_recorded_as_held_afterwards(
    booked: Meeting, secretary: User, frozen: time_machine.Traveller
) -> None:
    call_off(booked, secretary)
    frozen.move_to(booked.ends_at)

    with pytest.raises(ValidationError, match="Mötet är inställt"):
        meeting_record(
            meeting=booked, attendance=Attendance.ATTENDED, outcome="", note="", by=secretary
        )
    booked.refresh_from_db()
    assert booked.attendance == Attendance.CANCELLED


def test_the_secretary_still_sees_what_they_recorded(booked: Meeting, secretary: User) -> None:
    client = client_for(secretary)
    url = reverse("meetings:meeting_detail", args=[booked.pk])
    for _ in range(2):  # a double click records once and tells once
        response = client.post(url, {"attendance": "cancelled", "note": "Sjuk."})
        assert response.status_code == 302
    assert len(notices()) == 1

    detail = client.get(url)
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "Mötet ställdes in" in page
    assert "Mötet är inställt. Sökande har fått besked och kan boka en ny tid." in page
    assert "Sjuk." in page
    assert "Sök en ledig lokal" not in page
    assert reverse("meetings:meeting_ics", args=[booked.pk]) not in page
    assert 'name="attendance"' not in page
    day = client.get(reverse("meetings:day") + "?dag=2026-11-19").content.decode()
    assert reverse("meetings:meeting_detail", args=[booked.pk]) in day
    assert "Mötet ställdes in" in day
    week = client.get(reverse("meetings:week") + "?dag=2026-11-19").content.decode()
    assert "Mötet ställdes in" in week
    assert meetings_for_secretary_day(secretary=secretary, day=THURSDAY) == [booked]


def test_the_report_counts_a_meeting_called_off(booked: Meeting, secretary: User) -> None:
    call_off(booked, secretary)

    report = meeting_report(
        municipality=booked.municipality, start=date(2026, 11, 1), end=date(2026, 11, 30)
    )

    assert report.attendance["cancelled"] == 1
    assert report.per_day[0].booked == 1


# --- what the applicant sees --------------------------------------------------------------------


def test_the_applicant_is_told_the_meeting_is_called_off_and_may_book_a_new_time(
    booked: Meeting, secretary: User, applicant: User, application: Application
) -> None:
    call_off(booked, secretary)

    status = status_page(applicant, application)
    page = meeting_page(applicant, booked)

    for text in (status, page):
        assert "Du har en tid" not in text
        assert "är inställt" in text
        assert "Lägg till i" not in text  # no calendar file for a meeting called off
    assert "Boka en ny tid" in status
    assert "Boka en ny tid" in page
    assert "Byt tid" not in page and "Avboka mötet" not in page
    assert meeting_free_slots(meeting=booked, today=WEDNESDAY)[0].key in page
    assert 'class="contacts"' in page  # whom to contact when no time suits
    timeline = status.split('id="timeline"')[1]
    assert "Mötet ställdes in" in timeline
    ics = client_for(applicant).get(
        reverse("meetings:applicant_ics", args=[application.pk, booked.pk])
    )
    [event] = Calendar.from_ical(ics.content).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"


def test_the_applicant_books_a_new_time_once(
    booked: Meeting,
    secretary: User,
    applicant: User,
    application: Application,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    call_off(booked, secretary)
    choice = meeting_free_slots(meeting=booked, today=WEDNESDAY)[2]
    url = reverse("meetings:applicant_reschedule", args=[application.pk, booked.pk])
    client = client_for(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"choice": choice.key})
        second = client.post(url, {"choice": choice.key})  # a double click

    new = Meeting.objects.get(application=application, cancelled_at=None)
    assert new.starts_at == choice.starts_at
    target = reverse("meetings:applicant_meeting", args=[application.pk, new.pk])
    assert first["Location"] == second["Location"] == target
    assert len(notices(NotificationKind.MEETING_BOOKED)) == 1
    booked.refresh_from_db()
    assert booked.cancelled_by == CancelledBy.STAFF  # the old one stays as recorded
    assert "Du har en tid" in status_page(applicant, application)
    old = meeting_page(applicant, booked)
    assert "Du har redan fått en ny tid." in old and target in old
    assert 'name="choice"' not in old


def test_an_applicant_cannot_rebook_a_meeting_they_cancelled_themselves(
    booked: Meeting, applicant: User, application: Application
) -> None:
    client = client_for(applicant)
    client.post(reverse("meetings:applicant_cancel", args=[application.pk, booked.pk]))
    choice = meeting_free_slots(meeting=booked, today=WEDNESDAY)[0]

    client.post(
        reverse("meetings:applicant_reschedule", args=[application.pk, booked.pk]),
        {"choice": choice.key},
    )

    assert not Meeting.objects.filter(application=application, cancelled_at=None).exists()
    assert "Boka en ny tid" not in meeting_page(applicant, booked)


def test_a_meeting_held_is_told_as_held_not_as_a_time_to_come(
    booked: Meeting,
    secretary: User,
    applicant: User,
    application: Application,
    frozen: time_machine.Traveller,
) -> None:
    frozen.move_to(booked.ends_at)
    meeting_record(
        meeting=booked, attendance=Attendance.ATTENDED, outcome="", note="", by=secretary
    )

    status = status_page(applicant, application)
    page = meeting_page(applicant, booked)

    for text in (status, page):
        assert "Du har en tid" not in text
        assert "har hållits" in text
        assert "Lägg till i" not in text
    assert "Byt tid" not in page and "Avboka mötet" not in page


def test_a_meeting_over_but_not_recorded_is_not_offered_to_be_moved(
    booked: Meeting, applicant: User, frozen: time_machine.Traveller
) -> None:
    frozen.move_to(booked.ends_at)

    page = meeting_page(applicant, booked)

    assert "Du har en tid" not in page
    assert "har varit" in page
    assert "Byt tid" not in page and "Avboka mötet" not in page


def test_a_meeting_without_a_room_names_whom_to_contact(
    booked: Meeting, applicant: User, trelleborg: Municipality
) -> None:
    trelleborg.contact_phone = "0410-73 30 00"
    trelleborg.save()
    assert booked.room is None

    page = meeting_page(applicant, booked)

    assert "Kontakta oss om du undrar var mötet hålls." in page
    assert 'href="tel:0410733000"' in page


# --- rooms ------------------------------------------------------------------------------------


def test_a_room_with_meetings_cannot_be_deleted(
    booked: Meeting, trelleborg: Municipality, make_staff: Callable[..., User]
) -> None:
    room = Room.objects.create(municipality=trelleborg, name="Rum 1")
    Meeting.objects.filter(pk=booked.pk).update(room=room)
    unused = Room.objects.create(municipality=trelleborg, name="Rum 2")

    with pytest.raises(ProtectedError):
        room.delete()

    booked.refresh_from_db()
    assert booked.room == room
    unused.delete()  # a room no meeting uses may go
    admin = User.objects.create_superuser(
        username="forvaltare", password="x", role=Role.ADMIN, first_name="F", last_name="D"
    )
    client = client_for(admin)
    url = reverse("admin:meetings_room_delete", args=[room.pk])
    confirmation = client.get(url)
    assert confirmation.context["protected"]
    client.post(url, {"post": "yes"})
    assert Room.objects.filter(pk=room.pk).exists()


# --- meetings called off before this change -----------------------------------------------------


def test_meetings_recorded_as_called_off_earlier_are_cancelled_by_the_migration(
    booked: Meeting, secretary: User
) -> None:
    # As the old code left them: recorded as called off, still holding the time.
    Meeting.objects.filter(pk=booked.pk).update(
        attendance=Attendance.CANCELLED,
        recorded_at=datetime(2026, 11, 18, 9, tzinfo=STOCKHOLM),
        recorded_by=secretary,
    )
    migration = importlib.import_module("meetings.migrations.0003_called_off_meetings")

    migration.cancel_called_off(apps, None)

    booked.refresh_from_db()
    assert booked.cancelled_at == datetime(2026, 11, 18, 9, tzinfo=STOCKHOLM)
    assert booked.cancelled_by == CancelledBy.STAFF
