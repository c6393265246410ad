"""A secretary's meeting pages on a phone (#18): at 360 px the day, the week and the report do
not scroll sideways, no word in a table is broken inside ("Ti me", "Ap plic ant"), the day's
and the week's meetings are cards with labelled fields, and axe (WCAG 2.1 A and AA) finds
nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from accounts.models import Municipality, User
from intake.models import Track
from meetings.models import Attendance, CancelledBy, Meeting, Outcome, Room
from tests.builders import applicant_make, case_make
from tests.conftest import PASSWORD

from .applicant import assert_accessible
from .browser import Recorder

pytestmark = [pytest.mark.as_of("2026-11-18T10:00"), pytest.mark.browser, pytest.mark.timeout(240)]
expect.set_options(timeout=10_000)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TODAY = datetime(2026, 11, 18, tzinfo=STOCKHOLM)
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}

NAMES = [
    ("Maria-Josefina", "Karlsson Lindqvist"),
    ("Abdirahman Mohamed", "Abdullahi Warsame"),
    ("Örjan", "Åkesson"),
    ("Bilal", "Berg"),
    ("Alexandra", "Papadopoulou-Andersson"),
]

# Each word in the tables' cells on one line: a word whose range has two line boxes was broken
# inside. A hyphenated name may wrap after its hyphen, as print does.
BROKEN_WORDS_JS = """
() => {
  const broken = [];
  for (const cell of document.querySelectorAll('main table td, main table th')) {
    if (!cell.offsetParent) continue;  // not displayed
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const re = /[^\\s\\-–]+[-–]?/g;
      let match;
      while ((match = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set(
          [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))
        );
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}
"""

SCROLL_WIDTH_JS = "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"


@pytest.fixture
def busy_day(trelleborg: Municipality, secretary: User, caseworker: User) -> list[Meeting]:
    """Today's meetings with long names, long places and every need, one called off; and the
    month's earlier meetings, held or missed, for the report."""
    rooms = [
        Room.objects.create(
            municipality=trelleborg,
            name="Arbetsmarknadsenheten rum 204",
            address="Västra Vallgatan 12, Trelleborg",
            accessible=True,
        ),
        Room.objects.create(
            municipality=trelleborg, name="Videorum", video_url="https://video.example.se/m/1"
        ),
    ]

    def meeting(start: datetime, n: int, **fields: Any) -> Meeting:
        first, last = NAMES[n % len(NAMES)]
        applicant = applicant_make(first)
        applicant.last_name = last
        applicant.save()
        application = case_make(trelleborg, caseworker, applicant=applicant)
        return Meeting.objects.create(
            municipality=trelleborg,
            secretary=secretary,
            application=application,
            starts_at=start,
            ends_at=start + timedelta(minutes=45),
            **fields,
        )

    today = [
        meeting(
            TODAY.replace(hour=8) + timedelta(minutes=45 * n),
            n,
            room=rooms[n % 2] if n != 3 else None,
            interpreter_language="tigrinja" if n % 2 else "",
            accessible_room=n % 3 == 0,
            overflow=n == 1,
            track=Track.SOCIAL if n == 2 else Track.WORK,
        )
        for n in range(5)
    ]
    Meeting.objects.filter(pk=today[4].pk).update(
        attendance=Attendance.CANCELLED,
        cancelled_at=TODAY.replace(hour=7),
        cancelled_by=CancelledBy.STAFF,
        recorded_at=TODAY.replace(hour=7),
    )
    for day in (2, 3, 9, 10, 16):
        for n in range(3):
            meeting(
                TODAY.replace(day=day, hour=9) + timedelta(minutes=45 * n),
                n,
                attendance=Attendance.NO_SHOW if n == 2 else Attendance.ATTENDED,
                outcome=Outcome.INTERNSHIP if n == 0 else "",
                track=Track.SOCIAL if n == 1 else Track.WORK,
            )
    return today


@pytest.mark.usefixtures("transactional_db")
def test_the_meeting_pages_fit_360_px_with_no_word_broken(
    chromium, live_server, secretary: User, busy_day: list[Meeting]
) -> None:
    recorder = Recorder()
    context = chromium.new_context(locale="sv-SE", timezone_id="Europe/Stockholm", **PHONE)
    recorder.attach(context, "secretary")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/personal/logga-in/")
        page.get_by_label("Användarnamn").fill(secretary.username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        expect(page.get_by_role("button", name="Logga ut")).to_be_visible()

        # The day: one card per meeting, each field named, inside the screen.
        page.goto(f"{live_server.url}/moten/")
        cards = page.locator("#meeting-table tbody tr")
        expect(cards).to_have_count(5)
        expect(cards.nth(4)).to_contain_text("Mötet ställdes in")
        first = cards.first
        assert first.evaluate("(tr) => getComputedStyle(tr).display") == "block"
        labels = first.evaluate(
            "(tr) => [...tr.querySelectorAll('[data-label]')].map((cell) =>"
            " getComputedStyle(cell, '::before').content)"
        )
        assert labels == [
            '"Tid"', '"Sökande"', '"Ärende"', '"Spår"', '"Plats"', '"Behov"', '"Närvaro"',
        ]  # fmt: skip
        for n in range(5):
            box = cards.nth(n).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
            assert box["height"] < 400  # as tall as the content, not a column of letters
        _fits(page)

        # The week: the same cards, a table per day (Monday's three and today's five).
        page.goto(f"{live_server.url}/moten/vecka/")
        expect(page.locator(".meeting-table tbody tr")).to_have_count(8)
        _fits(page)

        # The report: each table scrolls in its own focusable box if it must; the page never.
        page.goto(f"{live_server.url}/moten/rapport/")
        regions = page.locator(".table-scroll[role=region]")
        expect(regions).to_have_count(4)
        expect(page.locator("#per-day-heading + .table-scroll tbody tr")).to_have_count(6)
        _fits(page)
        assert not recorder.page_errors
    finally:
        context.close()


def _fits(page: Any) -> None:
    """No sideways scroll, no word broken inside a table cell, nothing axe objects to."""
    assert int(page.evaluate(SCROLL_WIDTH_JS)) <= 360, page.url
    assert page.evaluate(BROKEN_WORDS_JS) == [], page.url
    assert_accessible(page)
