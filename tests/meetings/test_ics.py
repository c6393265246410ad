"""iCalendar: the secret, revocable feed and the per-meeting files, parsed with icalendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from accounts.models import Municipality, User
from intake.models import Application, Track
from meetings.booking import meeting_book_next_working_day
from meetings.feeds import calendar_feed_create, calendar_feed_revoke
from meetings.ics import meetings_to_ics
from meetings.models import CalendarFeed, Meeting, Room

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WEDNESDAY = date(2026, 11, 18)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen() -> object:
    with time_machine.travel(datetime(2026, 11, 18, 10, tzinfo=STOCKHOLM), tick=False) as t:
        yield t


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def events(cal: Calendar) -> list:
    return [c for c in cal.walk("VEVENT")]


def test_the_feed_lists_my_meetings_in_stockholm_time_without_personal_data(
    secretary: User,
    trelleborg: Municipality,
    make_application: Callable[..., Application],
) -> None:
    room = Room.objects.create(municipality=trelleborg, name="Rum 2", address="Stortorget 1")
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    meeting.room = room
    meeting.interpreter_language = "somaliska"
    meeting.save()
    token = calendar_feed_create(secretary=secretary)

    response = Client().get(reverse("meetings:feed", args=[token]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = parse(response.content)
    [event] = events(cal)
    start = event.decoded("dtstart")
    assert start == datetime(2026, 11, 19, 8, tzinfo=STOCKHOLM)
    assert str(start.tzinfo) == "Europe/Stockholm"
    assert event["dtstart"].params["TZID"] == "Europe/Stockholm"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    assert meeting.application.reference in str(event["summary"])
    assert "Stortorget 1" in str(event["location"])
    assert "somaliska" not in response.content.decode()
    text = response.content.decode()
    applicant = meeting.application.applicant
    assert applicant.personnummer not in text
    assert applicant.last_name not in text
    assert " kr" not in text


def test_the_feed_holds_only_its_owners_meetings(
    secretary: User,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    make_application: Callable[..., Application],
) -> None:
    other = make_staff("annan", "secretary", trelleborg)
    meetings = [
        meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
        for _ in range(2)
    ]
    assert {m.secretary for m in meetings} == {secretary, other}
    token = calendar_feed_create(secretary=secretary)

    cal = parse(Client().get(reverse("meetings:feed", args=[token])).content)

    assert [str(e["uid"]) for e in events(cal)] == [
        f"meeting-{m.pk}@bistand" for m in meetings if m.secretary == secretary
    ]


def test_a_revoked_or_replaced_token_stops_working(secretary: User) -> None:
    first = calendar_feed_create(secretary=secretary)
    second = calendar_feed_create(secretary=secretary)
    client = Client()

    assert client.get(reverse("meetings:feed", args=[first])).status_code == 404
    assert client.get(reverse("meetings:feed", args=[second])).status_code == 200
    calendar_feed_revoke(secretary=secretary)
    assert client.get(reverse("meetings:feed", args=[second])).status_code == 404
    assert client.get(reverse("meetings:feed", args=["gissning"])).status_code == 404
    assert not CalendarFeed.objects.filter(token_hash=second).exists()  # only hashes stored


def test_a_deactivated_staff_members_feed_stops_working(secretary: User) -> None:
    token = calendar_feed_create(secretary=secretary)
    secretary.is_active = False
    secretary.save()

    assert Client().get(reverse("meetings:feed", args=[token])).status_code == 404


def test_the_applicant_downloads_their_meeting_as_a_calendar_file(
    secretary: User, applicant: User, make_application: Callable[..., Application]
) -> None:
    application = make_application(applicant=applicant)
    meeting = meeting_book_next_working_day(application=application, today=WEDNESDAY)
    client = Client()
    client.force_login(applicant)

    response = client.get(reverse("meetings:applicant_ics", args=[application.pk, meeting.pk]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    [event] = events(parse(response.content))
    assert event.decoded("dtstart") == datetime.combine(
        date(2026, 11, 19), time(8), tzinfo=STOCKHOLM
    )
    assert event.decoded("dtend") == datetime.combine(
        date(2026, 11, 19), time(8, 45), tzinfo=STOCKHOLM
    )
    assert str(event["summary"]) == "Möte med arbetslivssekreterare"
    assert secretary.display_name() in str(event["description"])
    assert applicant.personnummer not in response.content.decode()


def test_the_secretary_downloads_one_meeting(
    secretary: User, make_application: Callable[..., Application]
) -> None:
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    client = Client()
    client.force_login(secretary)

    response = client.get(reverse("meetings:meeting_ics", args=[meeting.pk]))

    [event] = events(parse(response.content))
    assert event["dtstart"].params["TZID"] == "Europe/Stockholm"


# --- a staff event: time, place and the case reference only (security assessment, item 14) ----

STAFF_EVENT_FIELDS = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "STATUS"}
# What a staff event must never say, whatever the meeting: the track, the needs, anyone's name.
NEVER_IN_A_STAFF_EVENT = (
    "socialt",
    "social",
    "arbetsspår",
    "arbetsliv",
    "spår",
    "tolk",
    "somaliska",
    "tillgänglig",
    "rullstol",
    "du träffar",
)


@pytest.fixture
def social_meeting_with_needs(
    secretary: User, trelleborg: Municipality, make_application: Callable[..., Application]
) -> Meeting:
    """A social-track meeting with an interpreter and an accessible room: everything a staff
    event must leave out."""
    room = Room.objects.create(
        municipality=trelleborg, name="Rum 2", address="Stortorget 1", accessible=True
    )
    meeting = meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)
    Meeting.objects.filter(pk=meeting.pk).update(
        track=Track.SOCIAL, room=room, interpreter_language="somaliska", accessible_room=True
    )
    meeting.refresh_from_db()
    assert meeting.secretary == secretary
    return meeting


def _staff_ics(how: str, meeting: Meeting, secretary: User) -> bytes:
    if how == "feed":
        token = calendar_feed_create(secretary=secretary)
        return Client().get(reverse("meetings:feed", args=[token])).content
    client = Client()
    client.force_login(secretary)
    return client.get(reverse("meetings:meeting_ics", args=[meeting.pk])).content


@pytest.mark.parametrize("how", ["feed", "meeting_file"])
def test_a_staff_event_holds_time_place_and_the_case_reference_only(
    how: str, social_meeting_with_needs: Meeting, secretary: User
) -> None:
    meeting = social_meeting_with_needs
    body = _staff_ics(how, meeting, secretary)

    [event] = events(parse(body))
    assert set(event.keys()) == STAFF_EVENT_FIELDS
    assert str(event["uid"]) == f"meeting-{meeting.pk}@bistand"
    assert event.decoded("dtstamp") == datetime(2026, 11, 18, 10, tzinfo=STOCKHOLM)
    assert event.decoded("dtstart") == datetime(2026, 11, 19, 8, tzinfo=STOCKHOLM)
    assert event.decoded("dtend") == datetime(2026, 11, 19, 8, 45, tzinfo=STOCKHOLM)
    assert str(event["summary"]) == f"Möte {meeting.application.reference}"
    assert str(event["location"]) == "Rum 2, Stortorget 1"
    assert str(event["status"]) == "CONFIRMED"
    text = body.decode().replace("\r\n ", "").lower()  # unfolded (RFC 5545 3.1)
    for word in NEVER_IN_A_STAFF_EVENT:
        assert word not in text, word
    applicant = meeting.application.applicant
    for personal in (
        applicant.first_name,
        applicant.last_name,
        applicant.personnummer,
        secretary.first_name,
        secretary.last_name,
    ):
        assert personal.lower() not in text, personal


@pytest.mark.parametrize("track", [Track.WORK, Track.SOCIAL])
def test_a_staff_events_text_is_the_same_on_either_track(
    track: str, social_meeting_with_needs: Meeting
) -> None:
    """The summary and the absent description do not reveal the track (nor do the needs)."""
    meeting = social_meeting_with_needs
    Meeting.objects.filter(pk=meeting.pk).update(
        track=track, interpreter_language="", accessible_room=False
    )
    bare = meetings_to_ics([Meeting.objects.get(pk=meeting.pk)], audience="staff")
    Meeting.objects.filter(pk=meeting.pk).update(
        track=Track.SOCIAL, interpreter_language="arabiska", accessible_room=True
    )
    with_needs = meetings_to_ics([Meeting.objects.get(pk=meeting.pk)], audience="staff")
    assert bare == with_needs


def test_a_cancelled_staff_event_says_cancelled_and_nothing_more(
    social_meeting_with_needs: Meeting,
) -> None:
    meeting = social_meeting_with_needs
    Meeting.objects.filter(pk=meeting.pk).update(
        cancelled_at=datetime(2026, 11, 18, 9, tzinfo=STOCKHOLM)
    )
    [event] = events(parse(meetings_to_ics([Meeting.objects.get(pk=meeting.pk)], audience="staff")))
    assert set(event.keys()) == STAFF_EVENT_FIELDS
    assert str(event["status"]) == "CANCELLED"


def test_the_applicants_own_file_still_tells_them_about_their_needs(
    social_meeting_with_needs: Meeting,
) -> None:
    """Only the staff audience is reduced: the applicant's file keeps what they need to know."""
    meeting = social_meeting_with_needs
    [event] = events(parse(meetings_to_ics([meeting], audience="applicant")))
    description = str(event["description"])
    assert "Tolk: somaliska." in description
    assert "Tillgängligt rum behövs." in description
    assert str(event["summary"]) == "Möte med socialsekreterare"
