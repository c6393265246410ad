"""An emergency's deadline follows the municipality's office hours (#16 item 14): within hours
in office hours, before closing; after hours the on-call service is the channel and the
decision comes the next morning at the latest, as the applicant's status page says."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import Municipality, User
from intake import services
from intake.models import Application
from intake.states import Status
from tests.builders import client_for

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=STOCKHOLM)  # 16th is a Monday


@pytest.mark.parametrize(
    ("declared", "due", "after_hours"),
    [
        (at(18, 10), at(18, 14), False),  # Wednesday morning: four hours
        (at(18, 14), at(18, 16, 30), False),  # not after the office closes
        (at(18, 15, 45), at(19, 10), True),  # less than an hour left: the on-call service
        (at(18, 20, 25), at(19, 10), True),  # the evening: next morning, never 00:25
        (at(19, 2, 0), at(19, 10), True),  # the night: this morning
        (at(19, 7, 30), at(19, 10), True),  # before the office opens
        (at(21, 12), at(22, 10), True),  # Saturday: the next morning
    ],
)
def test_the_deadline_follows_the_office_hours(
    trelleborg: Municipality, declared: datetime, due: datetime, after_hours: bool
) -> None:
    found = services.emergency_deadline(declared, trelleborg)
    assert (found.due, found.after_hours) == (due, after_hours)


def test_a_holiday_in_office_hours_is_after_hours(trelleborg: Municipality) -> None:
    """Julafton (a Thursday in 2026) at 10:00 is no office day: the on-call service and the
    next morning, not a four-hour deadline nobody is at work to meet."""
    declared = datetime(2026, 12, 24, 10, 0, tzinfo=STOCKHOLM)
    found = services.emergency_deadline(declared, trelleborg)
    assert found.after_hours
    assert found.due == datetime(2026, 12, 25, 10, 0, tzinfo=STOCKHOLM)


def test_each_municipality_sets_its_hours(trelleborg: Municipality) -> None:
    trelleborg.office_closes = time(18, 0)
    trelleborg.emergency_morning_deadline = time(9, 0)
    assert services.emergency_deadline(at(18, 15, 45), trelleborg).due == at(18, 18)
    assert services.emergency_deadline(at(18, 20, 25), trelleborg).due == at(19, 9)


def test_an_emergency_said_in_the_evening_is_due_next_morning_and_the_status_page_says_so(
    make_draft: Callable[..., Application],
    applicant: User,
    caseworker: User,
    trelleborg: Municipality,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    Municipality.objects.filter(pk=trelleborg.pk).update(on_call_phone="0410-73 30 00")
    with time_machine.travel(at(18, 20, 25), tick=False):
        draft = make_draft(applicant)
        Application.objects.filter(pk=draft.pk).update(emergency_no_food=True)
        draft.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=False):
            services.application_submit(application=draft, applicant=applicant)
        draft.refresh_from_db()
        assert draft.decision_due_at == at(19, 10)
        # The robot has done its part: the case waits for the caseworker.
        Application.objects.filter(pk=draft.pk).update(status=Status.AWAITING_CASEWORKER)
        page = client_for(applicant).get(f"/ansokan/{draft.pk}/")
    html = page.content.decode()
    assert "Du får besked senast torsdag 19 november kl. 10:00" in html
    assert "ring socialjouren på 0410-73 30 00" in html
    # The deadline comes first and is the only promise (helper's 360 px run: it sat below the
    # steps, under "Du får beslut inom en arbetsdag").
    assert html.index('id="emergency-status"') < html.index('class="stages"')
    assert "inom en arbetsdag" not in html
