"""The robot end to end against the database: registers -> proposal -> meeting -> queue."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from accounts.eid import EidIdentity
from accounts.models import Municipality, Role, User
from accounts.services import applicant_get_or_create
from eligibility.models import Proposal, RegisterSnapshot, SnapshotStatus
from eligibility.robot import claims
from eligibility.robot.assessment import assessment_run
from eligibility.robot.sweeper import robot_sweep
from eligibility.robot.tasks import process_application
from intake import services as intake
from intake.models import Application, ApplicationEvent
from intake.states import Actor, Status
from meetings.models import Meeting, WorkingHours
from tests.conftest import PNR_CARINA, robot_replaced

# On the suite's working Wednesday morning, from before the first fixture runs.
pytestmark = pytest.mark.usefixtures("frozen_wednesday")

STOCKHOLM = ZoneInfo("Europe/Stockholm")
THURSDAY = date(2026, 11, 19)
FRIDAY = date(2026, 11, 20)


@pytest.fixture
def waiting(
    make_draft: Callable[..., Application],
    applicant: User,
    caseworker: User,
    secretary: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable,
) -> Application:
    """Submitted while the robot was away (e.g. broker down): SUBMITTED, nothing computed."""
    application = make_draft(applicant)
    with monkeypatch.context() as patch:
        robot_replaced(patch, lambda pk: None)
        with django_capture_on_commit_callbacks(execute=True):
            intake.application_submit(application=application, applicant=applicant)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    return application


def active_meetings(application: Application) -> list[Meeting]:
    return list(Meeting.objects.filter(application=application, cancelled_at__isnull=True))


def assert_processed_once(application: Application) -> None:
    application.refresh_from_db()
    assert application.status == Status.AWAITING_CASEWORKER
    assert Proposal.objects.filter(application=application).count() == 1
    assert RegisterSnapshot.objects.filter(application=application).count() == len(
        settings.REGISTER_BACKENDS
    )
    assert len(active_meetings(application)) == 1
    assert application.events.filter(to_status=Status.AWAITING_CASEWORKER).count() == 1


# --- the happy path -------------------------------------------------------------------------


def test_after_submit_the_robot_leaves_a_proposal_snapshots_and_a_meeting(
    submitted_application: Application, secretary: User
) -> None:
    application = submitted_application
    assert application.status == Status.AWAITING_CASEWORKER
    assert application.robot_lease_owner == ""
    assert application.robot_lease_until is None

    proposal = Proposal.objects.get(application=application)
    assert proposal.round == 1
    assert proposal.as_of == date(2026, 11, 1)
    assert proposal.parameter_version

    snapshots = RegisterSnapshot.objects.filter(application=application)
    assert sorted(s.source for s in snapshots) == sorted(settings.REGISTER_BACKENDS)
    for snapshot in snapshots:
        assert snapshot.status == SnapshotStatus.OK
        assert snapshot.request["case"] == application.reference
        assert snapshot.request["requested_by"] == "robot"
        # The control month (October) and the month before it, for the comparison.
        assert snapshot.period_start == date(2026, 9, 1)
        assert snapshot.period_end == date(2026, 10, 31)

    [meeting] = active_meetings(application)
    assert meeting.secretary == secretary
    assert meeting.overflow is False
    starts, ends = meeting.starts_at.astimezone(STOCKHOLM), meeting.ends_at.astimezone(STOCKHOLM)
    assert starts.date() == THURSDAY
    assert ends - starts == timedelta(minutes=application.municipality.meeting_minutes)
    in_morning = time(8) <= starts.time() and ends.time() <= time(12)
    in_afternoon = time(13) <= starts.time() and ends.time() <= time(16)
    assert in_morning or in_afternoon
    assert starts.time() == time(8, 0)  # the earliest free slot


def test_the_robot_records_its_steps_in_the_event_log(submitted_application: Application) -> None:
    events = list(
        submitted_application.events.values_list("from_status", "to_status", "actor_kind")
    )
    assert events == [
        (Status.DRAFT, Status.SUBMITTED, Actor.APPLICANT),
        (Status.SUBMITTED, Status.PROCESSING, Actor.ROBOT),
        (Status.PROCESSING, Status.AWAITING_CASEWORKER, Actor.ROBOT),
    ]
    last = submitted_application.events.last()
    assert "Förslag" in last.reason


def test_the_proposal_lines_sum_to_its_amount(submitted_application: Application) -> None:
    proposal = Proposal.objects.get(application=submitted_application)
    assert proposal.lines
    assert sum(Decimal(line["amount"]) for line in proposal.lines) == proposal.amount
    assert proposal.eligible is True
    assert proposal.amount > 0


# --- safe to run twice ----------------------------------------------------------------------


def test_running_the_assessment_again_is_a_no_op(submitted_application: Application) -> None:
    before = list(submitted_application.events.values_list("id", flat=True))
    assert assessment_run(application_id=submitted_application.pk, worker_id="again") is False
    assert_processed_once(submitted_application)
    assert list(submitted_application.events.values_list("id", flat=True)) == before


def test_the_celery_task_run_twice_gives_the_same_state(waiting: Application) -> None:
    process_application.apply(args=[waiting.pk]).get()
    assert_processed_once(waiting)
    proposal = Proposal.objects.get(application=waiting)
    [meeting] = active_meetings(waiting)

    process_application.apply(args=[waiting.pk]).get()
    assert_processed_once(waiting)
    assert Proposal.objects.get(application=waiting) == proposal
    assert active_meetings(waiting) == [meeting]


def test_the_task_body_called_directly_is_also_idempotent(waiting: Application) -> None:
    process_application.run(waiting.pk)
    process_application.run(waiting.pk)
    assert_processed_once(waiting)


def test_a_run_after_a_crash_mid_way_reuses_what_was_stored(
    waiting: Application, frozen_wednesday: time_machine.Traveller
) -> None:
    """A worker claimed the case, stored the snapshots and died; the next one finishes it."""
    assert claims.application_claim_for_robot(
        application_id=waiting.pk, worker_id="crashed", lease_seconds=settings.ROBOT_LEASE_SECONDS
    )
    RegisterSnapshot.objects.create(
        application=waiting, source="population", round=1, status=SnapshotStatus.OK, payload={}
    )
    frozen_wednesday.shift(timedelta(seconds=settings.ROBOT_LEASE_SECONDS + 1))

    assert assessment_run(application_id=waiting.pk, worker_id="rescuer") is True
    assert_processed_once(waiting)


def test_a_worker_whose_lease_was_taken_over_does_not_finish(
    waiting: Application, frozen_wednesday: time_machine.Traveller, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The final transition needs the lease still held: a late worker rolls back."""
    import eligibility.robot.assessment as robot

    real_claim = robot.application_claim_for_robot

    def claim_then_lose_the_lease(**kwargs: object) -> bool:
        assert real_claim(**kwargs)
        Application.objects.filter(pk=waiting.pk).update(robot_lease_owner="someone-else")
        return True

    monkeypatch.setattr(robot, "application_claim_for_robot", claim_then_lose_the_lease)
    assert assessment_run(application_id=waiting.pk, worker_id="slow") is False

    waiting.refresh_from_db()
    assert waiting.status == Status.PROCESSING
    assert not Proposal.objects.filter(application=waiting).exists()
    assert active_meetings(waiting) == []


# --- registers ------------------------------------------------------------------------------


# The override is a decorator, so the submit must happen in the test body (fixtures run first).
@override_settings(REGISTER_FAKE_FAILURES={"forsakringskassan": "unavailable"})
def test_an_unavailable_register_still_gives_a_flagged_proposal(
    make_draft: Callable[..., Application],
    applicant: User,
    secretary: User,
    submit: Callable[..., Application],
) -> None:
    application = submit(make_draft(applicant))
    assert application.status == Status.AWAITING_CASEWORKER
    proposal = Proposal.objects.get(application=application)
    assert "register_unavailable:forsakringskassan" in proposal.flags
    assert "register_unavailable:population" not in proposal.flags

    snapshot = RegisterSnapshot.objects.get(application=application, source="forsakringskassan")
    assert snapshot.status == SnapshotStatus.UNAVAILABLE
    assert snapshot.payload == {"persons": []}
    assert snapshot.error
    assert RegisterSnapshot.objects.get(application=application, source="population").status == (
        SnapshotStatus.OK
    )
    assert "forsakringskassan" in application.events.last().reason
    assert len(active_meetings(application)) == 1


@override_settings(REGISTER_FAKE_FAILURES={"population": "invalid"})
def test_an_unreadable_register_answer_is_stored_as_invalid(
    make_draft: Callable[..., Application],
    applicant: User,
    secretary: User,
    submit: Callable[..., Application],
) -> None:
    application = submit(make_draft(applicant))
    snapshot = RegisterSnapshot.objects.get(application=application, source="population")
    assert snapshot.status == SnapshotStatus.INVALID
    assert snapshot.error
    assert application.status == Status.AWAITING_CASEWORKER


def test_register_income_reduces_the_proposal(
    make_draft: Callable[..., Application],
    submit: Callable[..., Application],
    secretary: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    carina = applicant_get_or_create(identity=EidIdentity(PNR_CARINA, "Carina", "Dahl"))

    with_income = submit(make_draft(carina, month=date(2026, 11, 1)))
    # The same household a month later, with Försäkringskassan reporting nothing for her.
    import eligibility.registers.fake as fake

    monkeypatch.delitem(fake.FORSAKRINGSKASSAN, PNR_CARINA)
    without_income = submit(make_draft(carina, month=date(2026, 12, 1)))

    reduced = Proposal.objects.get(application=with_income)
    full = Proposal.objects.get(application=without_income)
    assert full.amount > reduced.amount
    assert full.amount - reduced.amount == Decimal("6120")  # the net sickness benefit
    assert sum(Decimal(line["amount"]) for line in reduced.lines) == reduced.amount

    payments = RegisterSnapshot.objects.get(
        application=with_income, source="forsakringskassan"
    ).payload["persons"][0]["payments"]
    # Individual payments for the control month and the month before (SSBTEK shape).
    assert sorted((p["kind"], p["net"], p["paid_on"]) for p in payments) == [
        ("sickness_benefit", "6120", "2026-09-25"),
        ("sickness_benefit", "6120", "2026-10-25"),
    ]


# --- the sweeper ----------------------------------------------------------------------------


def test_the_sweeper_leaves_a_recent_submission_alone(
    waiting: Application, monkeypatch: pytest.MonkeyPatch, frozen_wednesday: time_machine.Traveller
) -> None:
    calls: list[int] = []
    robot_replaced(monkeypatch, calls.append)
    frozen_wednesday.shift(timedelta(seconds=settings.ROBOT_SWEEP_AFTER_SECONDS - 1))
    assert robot_sweep() == {"redispatched": [], "given_up": []}
    assert calls == []


def test_the_sweeper_redispatches_a_submission_left_waiting(
    waiting: Application, monkeypatch: pytest.MonkeyPatch, frozen_wednesday: time_machine.Traveller
) -> None:
    calls: list[int] = []
    robot_replaced(monkeypatch, calls.append)
    frozen_wednesday.shift(timedelta(seconds=settings.ROBOT_SWEEP_AFTER_SECONDS + 1))

    assert robot_sweep() == {"redispatched": [waiting.pk], "given_up": []}
    assert calls == [waiting.pk]
    waiting.refresh_from_db()
    assert waiting.robot_requested_at == timezone.now()
    # Just re-dispatched: not again on the next sweep a moment later.
    assert robot_sweep() == {"redispatched": [], "given_up": []}


def test_the_sweeper_runs_the_robot_to_the_end_in_sync_mode(
    waiting: Application, frozen_wednesday: time_machine.Traveller
) -> None:
    frozen_wednesday.shift(timedelta(seconds=settings.ROBOT_SWEEP_AFTER_SECONDS + 1))
    robot_sweep()
    assert_processed_once(waiting)


def test_the_sweeper_takes_over_a_case_stuck_past_its_lease(
    waiting: Application, frozen_wednesday: time_machine.Traveller
) -> None:
    assert claims.application_claim_for_robot(
        application_id=waiting.pk, worker_id="died", lease_seconds=settings.ROBOT_LEASE_SECONDS
    )
    frozen_wednesday.shift(timedelta(seconds=settings.ROBOT_LEASE_SECONDS + 1))
    assert robot_sweep() == {"redispatched": [waiting.pk], "given_up": []}
    assert_processed_once(waiting)


def test_the_sweeper_gives_up_after_max_attempts_visibly(
    waiting: Application, monkeypatch: pytest.MonkeyPatch, frozen_wednesday: time_machine.Traveller
) -> None:
    calls: list[int] = []
    robot_replaced(monkeypatch, calls.append)
    Application.objects.filter(pk=waiting.pk).update(robot_attempts=settings.ROBOT_MAX_ATTEMPTS)
    frozen_wednesday.shift(timedelta(seconds=settings.ROBOT_SWEEP_AFTER_SECONDS + 1))

    assert robot_sweep() == {"redispatched": [], "given_up": [waiting.pk]}
    assert calls == []
    waiting.refresh_from_db()
    assert waiting.status == Status.NEEDS_MANUAL
    assert str(settings.ROBOT_MAX_ATTEMPTS) in waiting.robot_last_error
    event = waiting.events.last()
    assert (event.to_status, event.actor_kind) == (Status.NEEDS_MANUAL, Actor.SYSTEM)
    assert "Roboten kunde inte slutföra" in event.reason
    # and it is not swept again
    assert robot_sweep() == {"redispatched": [], "given_up": []}


@override_settings(ROBOT_MAX_ATTEMPTS=3)
def test_repeated_failures_end_in_needs_manual_after_the_configured_attempts(
    waiting: Application, monkeypatch: pytest.MonkeyPatch, frozen_wednesday: time_machine.Traveller
) -> None:
    """A robot that claims and then dies each time: the sweeper retries, then gives up."""

    def claim_and_die(application_id: int) -> None:
        claims.application_claim_for_robot(
            application_id=application_id, worker_id=f"w{timezone.now()}", lease_seconds=60
        )

    robot_replaced(monkeypatch, claim_and_die)
    outcomes = []
    for _ in range(6):
        frozen_wednesday.shift(timedelta(seconds=max(settings.ROBOT_SWEEP_AFTER_SECONDS, 60) + 1))
        outcomes.append(robot_sweep())
        waiting.refresh_from_db()
        if waiting.status == Status.NEEDS_MANUAL:
            break
    assert waiting.status == Status.NEEDS_MANUAL
    assert waiting.robot_attempts == 3
    assert sum(len(o["redispatched"]) for o in outcomes) == 3


def test_a_robot_crash_in_sync_mode_is_visible_not_silent(
    make_draft: Callable[..., Application],
    submit: Callable[..., Application],
    applicant: User,
    secretary: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import eligibility.robot.assessment as robot

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("engine exploded")

    monkeypatch.setattr(robot, "calculate", broken)
    application = submit(make_draft(applicant))
    assert application.status == Status.NEEDS_MANUAL
    assert "engine exploded" in application.robot_last_error


def test_the_robot_sweep_command_prints_counts(
    waiting: Application, monkeypatch: pytest.MonkeyPatch, frozen_wednesday: time_machine.Traveller
) -> None:
    robot_replaced(monkeypatch, lambda pk: None)
    out = io.StringIO()
    call_command("robot_sweep", stdout=out)
    assert out.getvalue().strip() == "redispatched=0 given_up=0"

    frozen_wednesday.shift(timedelta(seconds=settings.ROBOT_SWEEP_AFTER_SECONDS + 1))
    out = io.StringIO()
    call_command("robot_sweep", stdout=out)
    assert out.getvalue().strip() == "redispatched=1 given_up=0"


def test_the_robot_sweep_command_counts_given_up_cases(
    waiting: Application, frozen_wednesday: time_machine.Traveller
) -> None:
    Application.objects.filter(pk=waiting.pk).update(robot_attempts=settings.ROBOT_MAX_ATTEMPTS)
    frozen_wednesday.shift(timedelta(seconds=settings.ROBOT_SWEEP_AFTER_SECONDS + 1))
    out = io.StringIO()
    call_command("robot_sweep", stdout=out)
    assert out.getvalue().strip() == "redispatched=0 given_up=1"


# --- meetings -------------------------------------------------------------------------------


def test_when_nobody_works_the_next_working_day_the_meeting_overflows_to_a_later_day(
    make_draft: Callable[..., Application],
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    applicant: User,
    submit: Callable[..., Application],
) -> None:
    friday_only = make_staff("fredag", Role.SECRETARY, trelleborg, hours=False)
    WorkingHours.objects.create(secretary=friday_only, weekday=4, start=time(9), end=time(12))

    application = submit(make_draft(applicant))
    assert application.status == Status.AWAITING_CASEWORKER
    [meeting] = active_meetings(application)
    assert meeting.overflow is True
    assert meeting.starts_at.astimezone(STOCKHOLM) == datetime(2026, 11, 20, 9, 0, tzinfo=STOCKHOLM)


def test_when_the_next_working_day_is_fully_booked_the_meeting_overflows(
    make_draft: Callable[..., Application],
    applicant: User,
    secretary: User,
    trelleborg: Municipality,
    submit: Callable[..., Application],
) -> None:
    # Fill every slot of Thursday (08:00-12:00 and 13:00-16:00, 45 minutes: 9 slots).
    thursday_slots = [
        datetime.combine(THURSDAY, start, tzinfo=STOCKHOLM)
        for start in [
            time(8),
            time(8, 45),
            time(9, 30),
            time(10, 15),
            time(11),
            time(13),
            time(13, 45),
            time(14, 30),
            time(15, 15),
        ]
    ]
    for month, starts in enumerate(thursday_slots, start=1):
        other = Application.objects.create(
            applicant=applicant, municipality=trelleborg, month=date(2025, month, 1)
        )
        Meeting.objects.create(
            municipality=trelleborg,
            secretary=secretary,
            application=other,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=45),
        )

    application = submit(make_draft(applicant))
    [meeting] = active_meetings(application)
    assert meeting.overflow is True
    assert meeting.starts_at.astimezone(STOCKHOLM) == datetime(2026, 11, 20, 8, 0, tzinfo=STOCKHOLM)


def test_the_meeting_goes_to_the_least_loaded_secretary(
    make_draft: Callable[..., Application],
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    applicant: User,
    other_applicant: User,
    secretary: User,
    submit: Callable[..., Application],
) -> None:
    second = make_staff("andra", Role.SECRETARY, trelleborg)
    first_meeting = active_meetings(submit(make_draft(applicant)))[0]
    second_meeting = active_meetings(submit(make_draft(other_applicant)))[0]
    assert {first_meeting.secretary, second_meeting.secretary} == {secretary, second}
    assert first_meeting.starts_at == second_meeting.starts_at  # both at 08:00 Thursday
    assert second_meeting.overflow is False


def test_a_secretary_slot_cannot_hold_two_active_meetings(
    submitted_application: Application,
    make_draft: Callable[..., Application],
    other_applicant: User,
) -> None:
    [meeting] = active_meetings(submitted_application)
    other = make_draft(other_applicant)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            municipality=meeting.municipality,
            secretary=meeting.secretary,
            application=other,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
        )


def test_an_application_cannot_have_two_active_meetings(
    submitted_application: Application, make_staff: Callable[..., User], trelleborg: Municipality
) -> None:
    [meeting] = active_meetings(submitted_application)
    another_secretary = make_staff("andra", Role.SECRETARY, trelleborg)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            municipality=meeting.municipality,
            secretary=another_secretary,
            application=submitted_application,
            starts_at=meeting.starts_at + timedelta(days=1),
            ends_at=meeting.ends_at + timedelta(days=1),
        )


def test_a_cancelled_meeting_frees_its_slot(
    submitted_application: Application,
    make_draft: Callable[..., Application],
    other_applicant: User,
) -> None:
    [meeting] = active_meetings(submitted_application)
    Meeting.objects.filter(pk=meeting.pk).update(cancelled_at=timezone.now())
    other = make_draft(other_applicant)
    Meeting.objects.create(
        municipality=meeting.municipality,
        secretary=meeting.secretary,
        application=other,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
    )
    assert (
        Meeting.objects.filter(secretary=meeting.secretary, starts_at=meeting.starts_at).count()
        == 2
    )


def test_the_event_log_never_loses_the_submit_event(submitted_application: Application) -> None:
    assert (
        ApplicationEvent.objects.filter(
            application=submitted_application, to_status=Status.SUBMITTED
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    ("incomes", "savings"),
    [
        ({"salary": Decimal("50000")}, Decimal("0")),  # far above the norm: nothing to pay
        ({"salary": Decimal("3000")}, Decimal("0")),
        ({}, Decimal("200000")),  # savings to live on first
    ],
)
def test_the_proposal_lines_sum_to_its_amount_also_when_income_or_savings_count(
    make_draft: Callable[..., Application],
    applicant: User,
    secretary: User,
    submit: Callable[..., Application],
    incomes: dict[str, Decimal],
    savings: Decimal,
) -> None:
    draft = make_draft(applicant)
    intake.application_set_incomes(application=draft, incomes=incomes)
    intake.application_set_assets(application=draft, assets={"savings": savings})
    application = submit(draft)
    proposal = Proposal.objects.get(application=application)
    assert sum(Decimal(line["amount"]) for line in proposal.lines) == proposal.amount
    assert proposal.amount >= 0
    if proposal.amount == 0:
        assert proposal.eligible is False


def test_without_any_secretary_the_proposal_still_reaches_the_caseworker_flagged(
    make_draft: Callable[..., Application],
    applicant: User,
    caseworker: User,
    submit: Callable[..., Application],
) -> None:
    """No free slot must not stop the robot: the caseworker gets the proposal and the flag."""
    application = submit(make_draft(applicant))
    assert application.status == Status.AWAITING_CASEWORKER
    proposal = Proposal.objects.get(application=application)
    assert "meeting_not_booked" in proposal.flags
    assert "inget möte kunde bokas" in application.events.last().reason
    assert not application.meetings.exists()


@override_settings(REGISTER_FAKE_FAILURES={"population": "invalid"})
def test_an_unreadable_register_answer_is_flagged_on_the_proposal(
    make_draft: Callable[..., Application],
    applicant: User,
    secretary: User,
    submit: Callable[..., Application],
) -> None:
    application = submit(make_draft(applicant))
    proposal = Proposal.objects.get(application=application)
    assert "register_invalid:population" in proposal.flags
    assert "oläsbart registersvar population" in application.events.last().reason
