"""The meeting report, against fixtures whose figures are computed by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Municipality, Role, User
from intake.models import Application
from meetings.models import Meeting
from meetings.selectors import DayRow, MonthShare, meeting_report

STOCKHOLM = ZoneInfo("Europe/Stockholm")

pytestmark = pytest.mark.django_db

# (day, hour, track, attendance, outcome, cancelled)
ROWS = [
    (date(2026, 10, 30), 9, "work", "attended", "job", False),
    (date(2026, 10, 30), 10, "work", "no_show", "", False),
    (date(2026, 10, 30), 11, "social", "attended", "social_referral", False),
    (date(2026, 11, 2), 9, "work", "attended", "internship", False),
    (date(2026, 11, 2), 10, "work", "attended", "sfi", False),
    (date(2026, 11, 2), 11, "work", "attended", "", False),
    (date(2026, 11, 2), 13, "social", "attended", "work_ability", False),
    (date(2026, 11, 3), 9, "work", "", "", False),
    (date(2026, 11, 3), 10, "work", "cancelled", "", False),
    (date(2026, 11, 3), 11, "work", "", "", True),  # cancelled beforehand: not counted
    (date(2026, 12, 1), 9, "work", "attended", "job", False),  # outside the period
]


@pytest.fixture
def fixtures(
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    svedala: Municipality,
    make_application: Callable[..., Application],
) -> None:
    person = make_staff("rapport", Role.SECRETARY, trelleborg, hours=False)
    for day, hour, track, attendance, outcome, cancelled in ROWS:
        starts = datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM)
        Meeting.objects.create(
            municipality=trelleborg,
            secretary=person,
            application=make_application(),
            track=track,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=45),
            attendance=attendance,
            outcome=outcome,
            cancelled_at=starts - timedelta(days=1) if cancelled else None,
        )
    # Another municipality's meeting never shows.
    elsewhere = make_staff("svedala", Role.SECRETARY, svedala, hours=False)
    Meeting.objects.create(
        municipality=svedala,
        secretary=elsewhere,
        application=make_application(),
        starts_at=datetime(2026, 11, 2, 9, tzinfo=STOCKHOLM),
        ends_at=datetime(2026, 11, 2, 9, 45, tzinfo=STOCKHOLM),
        attendance="attended",
    )


@pytest.mark.usefixtures("fixtures")
def test_report_figures_match_the_hand_count(trelleborg: Municipality) -> None:
    report = meeting_report(
        municipality=trelleborg, start=date(2026, 10, 1), end=date(2026, 11, 30)
    )

    assert report.per_day == [
        DayRow(date(2026, 10, 30), booked=3, attended=2, no_show=1),
        DayRow(date(2026, 11, 2), booked=4, attended=4, no_show=0),
        DayRow(date(2026, 11, 3), booked=2, attended=0, no_show=0),
    ]
    assert report.attendance == {"attended": 6, "no_show": 1, "cancelled": 1, "unrecorded": 1}
    assert report.outcomes_by_track["work"] == {
        "job": 1,
        "internship": 1,
        "education": 0,
        "sfi": 1,
        "work_ability": 0,
        "social_referral": 0,
    }
    assert report.outcomes_by_track["social"]["social_referral"] == 1
    assert report.outcomes_by_track["social"]["work_ability"] == 1
    assert sum(report.outcomes_by_track["social"].values()) == 2
    # Held meetings: October 1 work + 1 social = 50 %; November 3 work + 1 social = 75 %.
    assert report.monthly_share == [
        MonthShare(date(2026, 10, 1), work=1, social=1),
        MonthShare(date(2026, 11, 1), work=3, social=1),
    ]
    assert [m.work_percent for m in report.monthly_share] == [Decimal(50), Decimal(75)]
    assert report.monthly_share[1].social_percent == Decimal(25)
    rows = {label: (work, social) for label, work, social in report.outcome_rows}
    assert rows["Arbete"] == (1, 0)


@pytest.mark.usefixtures("fixtures")
def test_an_empty_period_has_no_share(trelleborg: Municipality) -> None:
    report = meeting_report(municipality=trelleborg, start=date(2026, 9, 1), end=date(2026, 9, 30))

    assert report.per_day == [] and report.monthly_share == []
    assert MonthShare(date(2026, 9, 1), 0, 0).work_percent is None
