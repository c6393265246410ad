"""#18 (the arbetslivssekreterare's findings): a meeting gets a free room, and the room is on
every page, in the notice and in the calendar; the plan saved after a meeting is shown back; the
meeting page says how to reach the applicant (never for skyddade personuppgifter); plurals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from accounts.models import Municipality, NotificationChannel, Role, User
from intake.models import Application, Track
from meetings.availability import RoomInfo, rooms_in_order
from meetings.booking import meeting_book_next_working_day, meetings_book_many
from meetings.changes import meeting_free_slots, meeting_reschedule, meeting_set_needs
from meetings.feeds import calendar_feed_create
from meetings.ics import meetings_to_ics
from meetings.models import Meeting, Room, WorkingHours
from meetings.notices import notify_meeting_booked
from notifications.models import Notification, NotificationKind
from tests.builders import applicant_make, case_make, client_for

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WEDNESDAY = date(2026, 11, 18)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen() -> object:
    with time_machine.travel(datetime(2026, 11, 18, 10, tzinfo=STOCKHOLM), tick=False) as t:
        yield t


@pytest.fixture
def two_secretaries(make_staff: Callable[..., User], trelleborg: Municipality) -> list[User]:
    """Two secretaries with the same hours: the day's first two meetings are at the same time."""
    return [
        make_staff("sekreterare", Role.SECRETARY, trelleborg),
        make_staff("sekreterare2", Role.SECRETARY, trelleborg),
    ]


def room(municipality: Municipality, name: str, **fields: object) -> Room:
    return Room.objects.create(municipality=municipality, name=name, **fields)


# --- a free room at booking ------------------------------------------------------------------


def test_two_meetings_at_the_same_time_get_different_rooms(
    two_secretaries: list[User],
    trelleborg: Municipality,
    make_application: Callable[..., Application],
) -> None:
    first_room, second_room = room(trelleborg, "Rum 1"), room(trelleborg, "Rum 2")

    first = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    second = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)

    assert first.starts_at == second.starts_at
    assert first.secretary_id != second.secretary_id
    assert {first.room_id, second.room_id} == {first_room.pk, second_room.pk}


def test_a_full_house_still_books_the_meeting_without_a_room(
    two_secretaries: list[User],
    trelleborg: Municipality,
    make_application: Callable[..., Application],
) -> None:
    only = room(trelleborg, "Rum 1")

    first = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    second = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)

    assert first.room_id == only.pk
    assert second.pk is not None and second.room_id is None
    page = client_for(second.secretary).get(reverse("meetings:meeting_detail", args=[second.pk]))
    assert "Ingen lokal bokad" in page.content.decode()


def test_a_room_is_free_again_when_its_meeting_is_cancelled(
    two_secretaries: list[User],
    trelleborg: Municipality,
    make_application: Callable[..., Application],
) -> None:
    only = room(trelleborg, "Rum 1")
    first = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    Meeting.objects.filter(pk=first.pk).update(cancelled_at=first.created_at)

    second = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)

    assert second.room_id == only.pk


def test_the_room_the_secretarys_hours_name_goes_first(
    secretary: User, trelleborg: Municipality, make_application: Callable[..., Application]
) -> None:
    room(trelleborg, "A-rummet")
    own = room(trelleborg, "Sekreterarens rum")
    WorkingHours.objects.filter(secretary=secretary).update(room=own)

    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)

    assert meeting.room_id == own.pk


def test_accessible_rooms_are_kept_for_those_who_need_them() -> None:
    rooms = [
        RoomInfo(1, "A", "", "", accessible=True),
        RoomInfo(2, "B", "", "", accessible=False),
        RoomInfo(3, "C", "", "", accessible=False),
    ]

    assert rooms_in_order(rooms, accessible=False) == [2, 3, 1]
    assert rooms_in_order(rooms, accessible=True) == [1]
    assert rooms_in_order(rooms, accessible=False, preferred=3) == [3, 2, 1]


def test_a_meeting_that_needs_an_accessible_room_moves_to_one(
    secretary: User, trelleborg: Municipality, make_application: Callable[..., Application]
) -> None:
    plain = room(trelleborg, "Rum 1")
    ramp = room(trelleborg, "Rum 2", accessible=True)
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    assert meeting.room_id == plain.pk

    meeting_set_needs(meeting=meeting, interpreter_language="", accessible_room=True)

    meeting.refresh_from_db()
    assert meeting.room_id == ramp.pk


def test_no_accessible_room_free_leaves_the_meeting_without_a_room(
    secretary: User, trelleborg: Municipality, make_application: Callable[..., Application]
) -> None:
    room(trelleborg, "Rum 1")
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)

    meeting_set_needs(meeting=meeting, interpreter_language="", accessible_room=True)

    meeting.refresh_from_db()
    assert (meeting.accessible_room, meeting.room_id) == (True, None)


def test_a_moved_meeting_gets_a_room_that_suits_its_needs(
    secretary: User, trelleborg: Municipality, make_application: Callable[..., Application]
) -> None:
    room(trelleborg, "Rum 1")
    ramp = room(trelleborg, "Rum 2", accessible=True)
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    meeting_set_needs(meeting=meeting, interpreter_language="", accessible_room=True)

    later = meeting_free_slots(meeting=meeting, today=WEDNESDAY)[3]

    moved = meeting_reschedule(meeting=meeting, choice=later.key, today=WEDNESDAY)

    assert moved.room_id == ramp.pk


def test_the_secretary_can_look_again_for_a_room(
    secretary: User, trelleborg: Municipality, make_application: Callable[..., Application]
) -> None:
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    assert meeting.room_id is None
    url = reverse("meetings:meeting_detail", args=[meeting.pk])
    client = client_for(secretary)

    assert (
        "Ingen lokal är ledig" in client.post(url, {"action": "room"}, follow=True).content.decode()
    )
    added = room(trelleborg, "Nytt rum")
    page = client.post(url, {"action": "room"}, follow=True).content.decode()

    meeting.refresh_from_db()
    assert meeting.room_id == added.pk
    assert "Lokalen är bokad." in page and "Nytt rum" in page


def test_the_robots_batch_gives_the_rooms_one_by_one_booking_would(
    two_secretaries: list[User],
    trelleborg: Municipality,
    make_application: Callable[..., Application],
) -> None:
    only = room(trelleborg, "Rum 1")
    applications = [make_application(), make_application(), make_application()]

    booked = meetings_book_many(applications=applications, track=Track.WORK, today=WEDNESDAY)

    assert booked is not None
    meetings = [booked[a.pk] for a in applications]
    assert meetings[0].starts_at == meetings[1].starts_at
    assert [m.room_id for m in meetings] == [only.pk, None, only.pk]
    assert Meeting.objects.filter(room=only).count() == 2


# --- the room on the pages, in the notice and in the calendar -------------------------------


@pytest.fixture
def in_room(
    secretary: User, trelleborg: Municipality, make_application: Callable[..., Application]
) -> Meeting:
    room(trelleborg, "Rum 3", address="Storgatan 1")
    return meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)


def test_the_room_is_on_the_secretarys_pages_and_the_applicants(
    in_room: Meeting, secretary: User
) -> None:
    client = client_for(secretary)
    pages = [
        client.get(reverse("meetings:day") + "?dag=2026-11-19"),
        client.get(reverse("meetings:week") + "?dag=2026-11-19"),
        client.get(reverse("meetings:meeting_detail", args=[in_room.pk])),
        client_for(in_room.application.applicant).get(
            reverse("meetings:applicant_meeting", args=[in_room.application_id, in_room.pk])
        ),
    ]

    for response in pages:
        assert response.status_code == 200
        assert "Rum 3, Storgatan 1" in response.content.decode()


def test_a_meeting_without_a_room_says_so_everywhere(
    secretary: User, make_application: Callable[..., Application]
) -> None:
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    client = client_for(secretary)

    for url in (
        reverse("meetings:day") + "?dag=2026-11-19",
        reverse("meetings:week") + "?dag=2026-11-19",
        reverse("meetings:meeting_detail", args=[meeting.pk]),
    ):
        assert "Ingen lokal bokad" in client.get(url).content.decode()
    applicant_page = client_for(meeting.application.applicant).get(
        reverse("meetings:applicant_meeting", args=[meeting.application_id, meeting.pk])
    )
    assert "ingen lokal är bokad än" in applicant_page.content.decode()
    [event] = Calendar.from_ical(meetings_to_ics([meeting], audience="staff")).walk("VEVENT")
    assert "LOCATION" not in event


def test_the_notice_names_the_room(in_room: Meeting) -> None:
    notify_meeting_booked(in_room)

    notice = Notification.objects.get(kind=NotificationKind.MEETING_BOOKED)
    assert notice.body == (
        "Du har fått en tid för ett möte: torsdag 19 november kl. 08.00, plats: Rum 3, "
        "Storgatan 1. Logga in för att se mer."
    )


def test_the_notice_without_a_room_says_the_time_only(
    secretary: User, make_application: Callable[..., Application]
) -> None:
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)

    notify_meeting_booked(meeting)

    body = Notification.objects.get(kind=NotificationKind.MEETING_BOOKED).body
    assert body == (
        "Du har fått en tid för ett möte: torsdag 19 november kl. 08.00. Logga in för att se mer."
    )


def test_the_calendar_feed_has_the_room_as_location(in_room: Meeting, secretary: User) -> None:
    token = calendar_feed_create(secretary=secretary)

    response = Client().get(reverse("meetings:feed", args=[token]))

    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["location"]) == "Rum 3, Storgatan 1"
    [applicants] = Calendar.from_ical(meetings_to_ics([in_room], audience="applicant")).walk(
        "VEVENT"
    )
    assert str(applicants["location"]) == "Rum 3, Storgatan 1"


# --- the plan saved after the meeting ---------------------------------------------------------


def test_the_saved_plan_is_shown_back(
    secretary: User,
    make_application: Callable[..., Application],
    frozen: time_machine.Traveller,
) -> None:
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    frozen.move_to(meeting.ends_at)
    url = reverse("meetings:meeting_detail", args=[meeting.pk])
    client = client_for(secretary)

    client.post(
        url,
        {"attendance": "attended", "outcome": "internship", "note": "Praktik på biblioteket."},
    )
    page = client.get(url).content.decode()

    recorded = page.split('id="recorded"', 1)[1].split("</dl>", 1)[0]
    assert "Kom till mötet" in recorded
    assert "Praktik" in recorded
    assert "Praktik på biblioteket." in recorded
    assert secretary.display_name() in recorded
    assert "2026-11-19 08:45" in recorded


# --- how to reach the applicant ---------------------------------------------------------------


def test_the_meeting_page_shows_the_applicants_contact_channel(
    secretary: User, make_application: Callable[..., Application]
) -> None:
    applicant = applicant_make("Karin")
    applicant.phone = "0701234567"
    applicant.email = "karin@example.se"
    applicant.notification_channel = NotificationChannel.SMS
    applicant.save()
    meeting = meeting_book_next_working_day(
        application=make_application(applicant=applicant), today=WEDNESDAY
    )

    page = client_for(secretary).get(reverse("meetings:meeting_detail", args=[meeting.pk]))

    contact = page.content.decode().split('id="contact"', 1)[1].split("</dl>", 1)[0]
    assert "SMS" in contact
    assert "0701234567" in contact
    assert "karin@example.se" in contact


def test_protected_identity_hides_the_contact_details(
    secretary: User, caseworker: User, trelleborg: Municipality
) -> None:
    applicant = applicant_make("Skyddad")
    applicant.phone = "0709999999"
    applicant.email = "skyddad@example.se"
    applicant.save()
    application = case_make(trelleborg, caseworker, applicant=applicant, protected=True)
    meeting = meeting_book_next_working_day(application=application, today=WEDNESDAY)

    page = client_for(secretary).get(reverse("meetings:meeting_detail", args=[meeting.pk]))

    text = page.content.decode()
    assert "0709999999" not in text
    assert "skyddad@example.se" not in text
    assert "Kontakt med sökande sker via handläggaren" in text
    assert caseworker.display_name() in text


# --- plurals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("adults", "children", "expected"),
    [(1, 0, "1 person (1 vuxen)"), (2, 1, "2 vuxna, 1 barn"), (1, 2, "1 vuxen, 2 barn")],
)
def test_the_household_is_counted_in_words_that_agree(
    secretary: User,
    make_application: Callable[..., Application],
    adults: int,
    children: int,
    expected: str,
) -> None:
    meeting = meeting_book_next_working_day(
        application=make_application(adults=adults, children=children), today=WEDNESDAY
    )

    page = client_for(secretary).get(reverse("meetings:meeting_detail", args=[meeting.pk]))

    assert expected in page.content.decode()
    assert "1 vuxna" not in page.content.decode()
    assert "0 barn" not in page.content.decode()  # no children: not "0 barn"


# --- many bookings at once never share a room ------------------------------------------------


def _rooms_never_shared(
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    make_application: Callable[..., Application],
) -> None:
    from tests.meetings.test_booking_concurrency import _book_all_at_once

    for i in range(3):
        make_staff(f"sekr{i}", Role.SECRETARY, trelleborg)
    rooms = [room(trelleborg, "Rum 1"), room(trelleborg, "Rum 2")]
    applications = [make_application() for _ in range(12)]

    booked, errors = _book_all_at_once(applications)

    assert errors == []
    live = list(Meeting.objects.filter(cancelled_at__isnull=True).order_by("starts_at"))
    assert len(live) == len(booked) == 12
    for first in live:
        for other in live:
            if first.pk < other.pk and first.room_id is not None:
                overlap = first.starts_at < other.ends_at and other.starts_at < first.ends_at
                assert not (overlap and first.room_id == other.room_id), "a room booked twice"
    # Two rooms for three secretaries: each time has at most two meetings with a room.
    assert {m.room_id for m in live} - {None} == {r.pk for r in rooms}


@pytest.mark.services
@pytest.mark.timeout(180)
def test_bookings_at_once_on_postgresql_never_share_a_room(
    transactional_db: None,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    make_application: Callable[..., Application],
) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("DATABASE_URL is not PostgreSQL: run through `make test`")
    _rooms_never_shared(make_staff, trelleborg, make_application)
