"""The silence detector (#7): each trigger reminds the applicant first and then creates a staff
outreach task before anything lapses; once per (trigger, household, month)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import Municipality, User
from caseworker.caseload.silence import silence_detect
from caseworker.models import SupplementRequest
from caseworker.models.caseload import OutreachTask, SilenceSignal, SilenceTrigger
from caseworker.models.letters import DecisionDelivery
from intake.models import Decision
from intake.states import Status
from notifications.models import Notification, NotificationKind
from tests.builders import applicant_make, case_make

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(at(date(2026, 11, 2)), tick=False) as traveller:
        yield traveller


def reminders(applicant: User) -> int:
    return Notification.objects.filter(recipient=applicant, kind=NotificationKind.REMINDER).count()


def assert_reminded_then_outreach(
    clock: time_machine.Traveller,
    applicant: User,
    trigger: str,
    remind_at: datetime,
    outreach_at: datetime,
    owner: User,
) -> None:
    assert silence_detect() == {"reminded": 0, "outreach": 0}  # quiet, but not yet
    clock.move_to(remind_at)
    assert silence_detect() == {"reminded": 1, "outreach": 0}
    assert reminders(applicant) == 1 and not OutreachTask.objects.exists()
    assert silence_detect() == {"reminded": 0, "outreach": 0}  # once
    clock.move_to(outreach_at)
    assert silence_detect() == {"reminded": 0, "outreach": 1}
    task = OutreachTask.objects.get()
    assert task.assigned_to == owner and task.due_at > outreach_at  # before it lapses
    assert task.signal.trigger == trigger and reminders(applicant) == 1
    assert silence_detect() == {"reminded": 0, "outreach": 0}
    assert SilenceSignal.objects.count() == 1


def test_a_household_that_usually_reapplies_but_has_not_this_month(
    clock: time_machine.Traveller, trelleborg: Municipality, caseworker: User
) -> None:
    applicant = applicant_make()
    for month in (date(2026, 9, 1), date(2026, 10, 1)):
        case_make(trelleborg, caseworker, applicant=applicant, month=month, status=Status.APPROVED)
    once = applicant_make()  # applied only once: not "usually"
    case_make(
        trelleborg, caseworker, applicant=once, month=date(2026, 10, 1), status=Status.APPROVED
    )
    assert_reminded_then_outreach(
        clock,
        applicant,
        SilenceTrigger.NO_REAPPLICATION,
        at(date(2026, 11, 5)),
        at(date(2026, 11, 10)),
        caseworker,
    )
    assert reminders(once) == 0


def test_a_household_that_did_apply_is_not_silent(
    clock: time_machine.Traveller, trelleborg: Municipality, caseworker: User
) -> None:
    applicant = applicant_make()
    for month in (date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)):
        case_make(trelleborg, caseworker, applicant=applicant, month=month, status=Status.APPROVED)
    clock.move_to(at(date(2026, 11, 12)))
    assert silence_detect() == {"reminded": 0, "outreach": 0}


def test_an_unanswered_supplement(
    clock: time_machine.Traveller, trelleborg: Municipality, caseworker: User
) -> None:
    applicant = applicant_make()
    case = case_make(trelleborg, caseworker, applicant=applicant, status=Status.AWAITING_SUPPLEMENT)
    SupplementRequest.objects.create(
        application=case, what="Hyresavi", deadline=date(2026, 11, 9), requested_by=caseworker
    )
    assert_reminded_then_outreach(
        clock,
        applicant,
        SilenceTrigger.SUPPLEMENT_UNANSWERED,
        at(date(2026, 11, 7)),
        at(date(2026, 11, 9)),
        caseworker,
    )


def test_a_draft_left_unfinished_near_the_months_end(
    clock: time_machine.Traveller, trelleborg: Municipality, caseworker: User
) -> None:
    applicant = applicant_make()
    # Last month's caseworker follows up the household's unfinished draft.
    case_make(
        trelleborg, caseworker, applicant=applicant, month=date(2026, 10, 1), status=Status.APPROVED
    )
    case_make(trelleborg, None, applicant=applicant, status=Status.DRAFT, month=date(2026, 11, 1))
    clock.move_to(at(date(2026, 11, 3)))
    assert_reminded_then_outreach(
        clock,
        applicant,
        SilenceTrigger.DRAFT_UNFINISHED,
        at(date(2026, 11, 25)),
        at(date(2026, 11, 28)),
        caseworker,
    )


def test_an_unopened_decision(
    clock: time_machine.Traveller, trelleborg: Municipality, caseworker: User
) -> None:
    applicant = applicant_make()
    case = case_make(trelleborg, caseworker, applicant=applicant, status=Status.APPROVED)
    decision = Decision.objects.create(
        application=case, outcome="approved", amount=1000, reason="Norm", decided_by=caseworker
    )
    DecisionDelivery.objects.create(decision=decision, channel="sms", sent_at=at(date(2026, 11, 2)))
    assert_reminded_then_outreach(
        clock,
        applicant,
        SilenceTrigger.DECISION_UNOPENED,
        at(date(2026, 11, 4), 10),
        at(date(2026, 11, 7), 10),
        caseworker,
    )


def test_a_missed_reminder_window_still_reminds_before_the_outreach(
    clock: time_machine.Traveller, trelleborg: Municipality, caseworker: User
) -> None:
    applicant = applicant_make()
    case_make(trelleborg, None, applicant=applicant, status=Status.DRAFT, month=date(2026, 11, 1))
    case_make(trelleborg, caseworker, month=date(2026, 11, 1))
    clock.move_to(at(date(2026, 11, 29)))
    assert silence_detect() == {"reminded": 1, "outreach": 1}
    signal = SilenceSignal.objects.get()
    assert signal.reminded_at <= signal.outreach_at
    assert OutreachTask.objects.get().due_at.date() == date(2026, 11, 30)
    assert timedelta(0) < OutreachTask.objects.get().due_at - at(date(2026, 11, 29))
