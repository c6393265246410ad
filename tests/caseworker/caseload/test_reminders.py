"""Bevakningar (#7): dated reminders on a case for its owner."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from accounts.models import Municipality, User
from caseworker.caseload.reminders import (
    ReminderRefused,
    reminder_create,
    reminder_done,
    reminders_for,
)
from tests.builders import case_make
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(
        datetime(2026, 11, 18, 10, tzinfo=ZoneInfo("Europe/Stockholm")), tick=False
    ):
        yield


def test_a_reminder_is_for_the_case_owner_and_journaled(
    trelleborg: Municipality, caseworker: User
) -> None:
    case = case_make(trelleborg, caseworker)
    reminder = reminder_create(
        application=case, by=caseworker, due_on=date(2026, 11, 25), text="Kolla hyresavin"
    )
    assert reminder.owner == caseworker
    assert case.journal.filter(text__contains="Bevakning 2026-11-25").exists()
    assert list(reminders_for(caseworker, due_by=date(2026, 11, 24))) == []
    assert list(reminders_for(caseworker, due_by=date(2026, 11, 25))) == [reminder]
    reminder_done(reminder=reminder, by=caseworker)
    assert list(reminders_for(caseworker)) == []
    with pytest.raises(ReminderRefused):
        reminder_done(reminder=reminder, by=caseworker)


@pytest.mark.parametrize(("due", "text"), [(date(2026, 11, 17), "x"), (date(2026, 11, 20), " ")])
def test_a_reminder_needs_a_future_date_and_a_text(
    trelleborg: Municipality, caseworker: User, due: date, text: str
) -> None:
    case = case_make(trelleborg, caseworker)
    with pytest.raises(ReminderRefused):
        reminder_create(application=case, by=caseworker, due_on=due, text=text)


def test_the_caseworker_adds_a_reminder_from_the_case(
    trelleborg: Municipality, caseworker: User, client: Client
) -> None:
    case = case_make(trelleborg, caseworker)
    client.login(username=caseworker.username, password=PASSWORD)
    response = client.post(
        f"/handlaggare/arende/{case.pk}/bevakning/", {"due_on": "2026-11-20", "text": "Ring"}
    )
    assert response.status_code == 302
    assert reminders_for(caseworker).get().text == "Ring"
    assert "Ring" in client.get("/handlaggare/overlamningar/").content.decode()
