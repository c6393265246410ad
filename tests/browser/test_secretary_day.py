"""A secretary's day in a real browser: log in, open the day, open a meeting, record
attendance and a plan, and see it saved."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intake.models import Application, HouseholdMember, MemberRole
from meetings.booking import meeting_book_next_working_day
from meetings.models import Attendance, Meeting, Outcome
from tests.conftest import PASSWORD

# One fixed moment (a Wednesday morning), so a journey never depends on the day it runs; the
# date rules beneath it run at every moment of the matrix in the unit and view tests.
pytestmark = [pytest.mark.as_of("2026-11-18T10:00"), pytest.mark.browser, pytest.mark.timeout(120)]

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.mark.usefixtures("transactional_db")
def test_secretary_records_attendance_and_a_plan(
    chromium, live_server, trelleborg, secretary, applicant
):
    application = Application.objects.create(
        applicant=applicant, municipality=trelleborg, month=timezone.localdate().replace(day=1)
    )
    HouseholdMember.objects.create(
        application=application,
        role=MemberRole.APPLICANT,
        name="Alva Andersson",
        personnummer=applicant.personnummer,
        age=23,
    )
    # Booked yesterday for this morning: it has started, so attendance can be recorded.
    meeting = meeting_book_next_working_day(
        application=application, today=timezone.localdate() - timedelta(days=1)
    )
    meeting.interpreter_language = "arabiska"
    meeting.save()
    day = meeting.starts_at.astimezone(STOCKHOLM).date()

    context = chromium.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/personal/logga-in/")
        page.get_by_label("Användarnamn").fill(secretary.username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        expect(page.get_by_role("button", name="Logga ut")).to_be_visible()

        page.get_by_role("link", name="Mina möten").click()
        page.goto(f"{live_server.url}/moten/?dag={day:%Y-%m-%d}")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Möten")
        table = page.locator("#meeting-table")
        expect(table).to_contain_text(applicant.display_name())
        expect(table).to_contain_text("Tolk: arabiska")

        table.get_by_role("link", name=re.compile(r"^08:00")).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(applicant.display_name())
        expect(page.get_by_text("arabiska")).to_be_visible()
        page.get_by_label("Kom till mötet").check()
        page.get_by_label("Planering", exact=True).select_option(label="Praktik")
        page.get_by_label("Anteckning", exact=True).fill("Praktik i hamnen från måndag.")
        page.get_by_role("button", name="Spara").click()

        expect(page.get_by_role("status")).to_contain_text("Närvaro och planering är sparade.")
        expect(page.locator("#recorded")).to_contain_text("Praktik")
        expect(page.get_by_label("Anteckning", exact=True)).to_have_value(
            "Praktik i hamnen från måndag."
        )
    finally:
        context.close()

    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.attendance == Attendance.ATTENDED
    assert meeting.outcome == Outcome.INTERNSHIP
    assert meeting.recorded_by_id == secretary.pk
