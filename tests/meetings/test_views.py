"""The meeting pages: who may see what, and what each form changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import Municipality, Role, User
from caseworker.models import AccessAction, AccessLog
from intake.models import Application
from meetings.booking import meeting_book_next_working_day
from meetings.changes import meeting_free_slots
from meetings.feeds import calendar_feed_create
from meetings.models import Attendance, CancelledBy, Meeting, NeedsScreen, Outcome
from meetings.needs import needs_screen_save
from tests.builders import client_for

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WEDNESDAY = date(2026, 11, 18)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen() -> object:
    with time_machine.travel(datetime(2026, 11, 18, 10, tzinfo=STOCKHOLM), tick=False) as t:
        yield t


@pytest.fixture
def booked(
    secretary: User, applicant: User, make_application: Callable[..., Application]
) -> Meeting:
    application = make_application(applicant=applicant, adults=2, children=2)
    return meeting_book_next_working_day(application=application, today=WEDNESDAY)


# --- secretary pages -------------------------------------------------------------------------


def test_day_and_week_views_show_my_meetings(booked: Meeting, secretary: User) -> None:
    client = client_for(secretary)

    day = client.get(reverse("meetings:day") + "?dag=2026-11-19").content.decode()
    week = client.get(reverse("meetings:week") + "?dag=2026-11-19").content.decode()

    for page in (day, week):
        assert reverse("meetings:meeting_detail", args=[booked.pk]) in page
        assert "Arbetsspåret" in page
    assert "Möten vecka 47" in week


def test_the_meeting_page_summarises_the_applicant_without_amounts(
    booked: Meeting, secretary: User
) -> None:
    application = booked.application
    booked.interpreter_language = "tigrinja"
    booked.save()
    needs_screen_save(member=application.members.first(), answers={"debt": True}, other="")

    response = client_for(secretary).get(reverse("meetings:meeting_detail", args=[booked.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert application.applicant.display_name() in page
    assert "4 personer" in page
    assert "tigrinja" in page
    assert "Skulder" in page
    assert "Båda spåren" in page
    assert " kr" not in page
    assert application.applicant.personnummer not in page


def test_recording_attendance_and_a_plan_through_the_page(
    booked: Meeting, secretary: User, frozen: time_machine.Traveller
) -> None:
    frozen.move_to(booked.ends_at)
    url = reverse("meetings:meeting_detail", args=[booked.pk])
    client = client_for(secretary)

    response = client.post(
        url, {"attendance": "attended", "outcome": "sfi", "note": "Börjar sfi i januari."}
    )

    assert response.status_code == 302
    booked.refresh_from_db()
    assert (booked.attendance, booked.outcome) == (Attendance.ATTENDED, Outcome.SFI)
    assert "Börjar sfi i januari." in client.get(url).content.decode()


def test_a_plan_without_attendance_is_refused(booked: Meeting, secretary: User) -> None:
    response = client_for(secretary).post(
        reverse("meetings:meeting_detail", args=[booked.pk]),
        {"attendance": "no_show", "outcome": "job"},
    )

    assert response.status_code == 400
    booked.refresh_from_db()
    assert booked.attendance == ""


def test_another_secretarys_meeting_is_404(
    booked: Meeting, make_staff: Callable[..., User], trelleborg: Municipality
) -> None:
    other = make_staff("annan", Role.SECRETARY, trelleborg)
    client = client_for(other)

    assert client.get(reverse("meetings:meeting_detail", args=[booked.pk])).status_code == 404
    assert (
        client.post(
            reverse("meetings:meeting_detail", args=[booked.pk]), {"attendance": "no_show"}
        ).status_code
        == 404
    )
    assert client.get(reverse("meetings:meeting_ics", args=[booked.pk])).status_code == 404


def test_attendance_before_the_meeting_is_refused_on_the_page(
    booked: Meeting, secretary: User
) -> None:
    url = reverse("meetings:meeting_detail", args=[booked.pk])
    client = client_for(secretary)
    assert "Mötet har inte börjat än" in client.get(url).content.decode()

    for attendance in ("attended", "no_show"):
        response = client.post(url, {"attendance": attendance})

        assert response.status_code == 400
        assert "Närvaro eller utevaro kan registreras först från 2026-11-19 08:00" in (
            response.content.decode()
        )
    booked.refresh_from_db()
    assert (booked.attendance, booked.recorded_at) == ("", None)


def test_every_meeting_page_that_shows_an_applicant_writes_an_access_log_row(
    booked: Meeting,
    secretary: User,
    frozen: time_machine.Traveller,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
) -> None:
    client = client_for(secretary)
    pages = {
        "meetings:day": reverse("meetings:day") + "?dag=2026-11-19",
        "meetings:week": reverse("meetings:week") + "?dag=2026-11-19",
        "meetings:meeting_detail": reverse("meetings:meeting_detail", args=[booked.pk]),
        "meetings:meeting_ics": reverse("meetings:meeting_ics", args=[booked.pk]),
    }
    for url in pages.values():
        assert client.get(url).status_code == 200
    token = calendar_feed_create(secretary=secretary)
    assert Client().get(reverse("meetings:feed", args=[token])).status_code == 200
    frozen.move_to(booked.ends_at)
    client = client_for(secretary)  # a new day: a new login
    assert (
        client.post(pages["meetings:meeting_detail"], {"attendance": "attended"}).status_code == 302
    )

    rows = AccessLog.objects.filter(application=booked.application, user=secretary)
    assert sorted(rows.values_list("detail", "action")) == sorted(
        [(name, AccessAction.VIEW_PARTIAL) for name in [*pages, "meetings:feed"]]
        + [("meetings:meeting_detail", AccessAction.CHANGE)]
    )
    # A day without meetings shows nobody and logs nothing; a refusal logs no view.
    client.get(reverse("meetings:day") + "?dag=2026-11-20")
    other = client_for(make_staff("annan", Role.SECRETARY, trelleborg))
    assert other.get(pages["meetings:meeting_detail"]).status_code == 404
    assert AccessLog.objects.count() == len(pages) + 2


@pytest.mark.parametrize("name", ["meetings:day", "meetings:week", "meetings:report"])
def test_secretary_pages_are_closed_to_applicants_and_caseworkers(
    name: str, applicant: User, caseworker: User
) -> None:
    assert client_for(applicant).get(reverse(name)).status_code == 403
    assert client_for(caseworker).get(reverse(name)).status_code == 403
    assert Client().get(reverse(name)).status_code == 302


def test_the_no_show_shows_on_the_case_page(
    submitted_application: Application,
    secretary: User,
    caseworker: User,
    frozen: time_machine.Traveller,
) -> None:
    meeting = submitted_application.meetings.get()
    frozen.move_to(meeting.ends_at)
    client_for(secretary).post(
        reverse("meetings:meeting_detail", args=[meeting.pk]), {"attendance": "no_show"}
    )

    page = (
        client_for(caseworker)
        .get(reverse("caseworker:case_detail", args=[submitted_application.pk]))
        .content.decode()
    )

    assert "Uteblev" in page
    assert "påverkar inte biståndet automatiskt" in page


def test_feed_settings_create_and_revoke(secretary: User) -> None:
    client = client_for(secretary)
    url = reverse("meetings:feed_settings")

    created = client.post(url, {"action": "create"}).content.decode()
    assert "/moten/kalender/" in created
    assert secretary.calendar_feeds.filter(revoked_at=None).count() == 1

    assert client.post(url, {"action": "revoke"}).status_code == 302
    assert secretary.calendar_feeds.filter(revoked_at=None).count() == 0
    assert client.post(url, {"action": "nonsense"}).status_code == 400


def test_report_page_renders(booked: Meeting, secretary: User) -> None:
    response = client_for(secretary).get(
        reverse("meetings:report") + "?fran=2026-11-01&till=2026-11-30"
    )

    assert response.status_code == 200
    assert "Möten per dag" in response.content.decode()


# --- applicant pages -------------------------------------------------------------------------


def applicant_url(name: str, meeting: Meeting) -> str:
    return reverse(name, args=[meeting.application_id, meeting.pk])


def test_the_applicant_sees_free_times_and_reschedules(booked: Meeting, applicant: User) -> None:
    client = client_for(applicant)
    page = client.get(applicant_url("meetings:applicant_meeting", booked)).content.decode()
    choice = meeting_free_slots(meeting=booked, today=WEDNESDAY)[3]
    assert choice.key in page

    response = client.post(
        applicant_url("meetings:applicant_reschedule", booked), {"choice": choice.key}
    )

    assert response.status_code == 302
    new = Meeting.objects.get(application=booked.application, cancelled_at=None)
    assert new.starts_at == choice.starts_at
    booked.refresh_from_db()
    assert booked.cancelled_by == CancelledBy.RESCHEDULED


def test_a_time_taken_meanwhile_says_so_and_offers_the_next(
    booked: Meeting, applicant: User, make_application: Callable[..., Application]
) -> None:
    choice = meeting_free_slots(meeting=booked, today=WEDNESDAY)[0]
    meeting_book_next_working_day(application=make_application(), today=WEDNESDAY)  # takes it

    response = client_for(applicant).post(
        applicant_url("meetings:applicant_reschedule", booked), {"choice": choice.key}
    )

    assert response.status_code == 409
    assert "Tiden togs precis" in response.content.decode()
    booked.refresh_from_db()
    assert booked.cancelled_at is None
    assert meeting_free_slots(meeting=booked, today=WEDNESDAY)[0].key in response.content.decode()


def test_the_applicant_cancels_and_states_needs(booked: Meeting, applicant: User) -> None:
    client = client_for(applicant)

    client.post(
        applicant_url("meetings:applicant_needs", booked),
        {"interpreter_language": "dari", "accessible_room": "on"},
    )
    booked.refresh_from_db()
    assert (booked.interpreter_language, booked.accessible_room) == ("dari", True)

    assert client.post(applicant_url("meetings:applicant_cancel", booked)).status_code == 302
    booked.refresh_from_db()
    assert booked.cancelled_by == CancelledBy.APPLICANT


def test_applicant_mutations_are_post_only(booked: Meeting, applicant: User) -> None:
    client = client_for(applicant)
    for name in ("applicant_cancel", "applicant_reschedule", "applicant_needs"):
        assert client.get(applicant_url(f"meetings:{name}", booked)).status_code == 405
    booked.refresh_from_db()
    assert booked.cancelled_at is None


def test_applicant_mutations_need_csrf(booked: Meeting, applicant: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)

    assert client.post(applicant_url("meetings:applicant_cancel", booked)).status_code == 403
    booked.refresh_from_db()
    assert booked.cancelled_at is None


def test_someone_elses_meeting_is_404_for_an_applicant(
    booked: Meeting, other_applicant: User, secretary: User
) -> None:
    client = client_for(other_applicant)
    for name in ("applicant_meeting", "applicant_ics"):
        assert client.get(applicant_url(f"meetings:{name}", booked)).status_code == 404
    assert client.post(applicant_url("meetings:applicant_cancel", booked)).status_code == 404
    booked.refresh_from_db()
    assert booked.cancelled_at is None
    # staff do not use the applicant pages
    assert (
        client_for(secretary).get(applicant_url("meetings:applicant_meeting", booked)).status_code
        == 403
    )


def test_the_needs_screen_is_one_form_per_adult(booked: Meeting, applicant: User) -> None:
    application = booked.application
    adults = list(application.members.exclude(role="child"))
    url = reverse("meetings:needs_screen", args=[application.pk])
    client = client_for(applicant)
    page = client.get(url).content.decode()
    assert all(member.name in page for member in adults)

    response = client.post(url, {f"m{adults[1].pk}-violence": "on", f"m{adults[0].pk}-other": ""})

    assert response.status_code == 302
    assert NeedsScreen.objects.get(member=adults[1]).violence is True
    assert NeedsScreen.objects.get(member=adults[0]).violence is False


def test_the_status_page_links_to_the_meeting_and_needs_screen(
    submitted_application: Application, applicant: User
) -> None:
    meeting = submitted_application.meetings.get()
    page = (
        client_for(applicant)
        .get(reverse("intake:application_detail", args=[submitted_application.pk]))
        .content.decode()
    )

    assert applicant_url("meetings:applicant_meeting", meeting) in page
    assert reverse("meetings:needs_screen", args=[submitted_application.pk]) in page


def test_an_integrity_error_on_reschedule_says_the_time_was_just_taken(
    booked: Meeting, applicant: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from meetings import views
    from meetings.booking import SlotTaken

    def taken(**kwargs: object) -> Meeting:
        raise SlotTaken("x")

    monkeypatch.setattr(views, "meeting_reschedule", taken)
    choice = meeting_free_slots(meeting=booked, today=WEDNESDAY)[0]

    response = client_for(applicant).post(
        applicant_url("meetings:applicant_reschedule", booked), {"choice": choice.key}
    )

    assert response.status_code == 409
    assert "Tiden togs precis" in response.content.decode()
    assert choice.key in response.content.decode()  # the free times are shown again
