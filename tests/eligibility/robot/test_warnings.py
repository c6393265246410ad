"""Warnings: open -> acknowledged -> closed, closed never reopens; registers that were down."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from accounts.eid import EidIdentity
from accounts.models import User
from accounts.services import applicant_get_or_create
from caseworker.decisions.services import application_return_to_robot, decision_record
from eligibility.models import (
    CaseWarning,
    Proposal,
    RegisterSnapshot,
    SnapshotStatus,
    WarningKind,
    WarningStatus,
)
from eligibility.robot import findings
from eligibility.robot.assessment import assessment_recheck, registers_recheck_due
from eligibility.robot.findings import Finding
from eligibility.robot.tasks import registers_recheck_task
from eligibility.robot.warnings import (
    CLOSED_BECAUSE_GONE,
    WarningNoteMissing,
    WarningNotOpen,
    warning_acknowledge,
    warnings_sync,
)
from intake.models import Application
from intake.states import Actor, Status
from tests.builders import warnings_acknowledge_all
from tests.conftest import PNR_CARINA

# On the suite's working Wednesday morning, from before the first fixture runs.
pytestmark = pytest.mark.usefixtures("frozen_wednesday", "secretary")

STOCKHOLM = ZoneInfo("Europe/Stockholm")

RENT = Finding("housing_cost_changed", "housing_cost_changed", "Hyran har ändrats.")
CAR = Finding("asset_found", "asset_found:vehicle:ABC123", "Fordon.", {"registration": "ABC123"})
FK_DOWN = "register_unavailable:forsakringskassan"


@pytest.fixture
def draft(make_draft: Callable[..., Application], applicant: User) -> Application:
    return make_draft(applicant)


@pytest.fixture
def carina(db: None) -> User:
    """Försäkringskassan pays her sickness benefit (6 120 kr net) every month."""
    return applicant_get_or_create(identity=EidIdentity(PNR_CARINA, "Carina", "Dahl"))


def rows(application: Application) -> list[tuple[str, str]]:
    return list(
        CaseWarning.objects.filter(application=application)
        .order_by("id")
        .values_list("key", "status")
    )


# --- warnings_sync ---------------------------------------------------------------------------


def test_sync_raises_one_open_warning_per_finding(draft: Application) -> None:
    warnings_sync(application=draft, round_=1, findings=[RENT, CAR])

    assert rows(draft) == [
        ("housing_cost_changed", WarningStatus.OPEN),
        ("asset_found:vehicle:ABC123", WarningStatus.OPEN),
    ]
    car = CaseWarning.objects.get(application=draft, key=CAR.key)
    assert (car.kind, car.message, car.details, car.round) == (
        "asset_found",
        "Fordon.",
        {"registration": "ABC123"},
        1,
    )


def test_sync_keeps_a_warning_whose_cause_is_still_there(draft: Application) -> None:
    warnings_sync(application=draft, round_=1, findings=[RENT])
    first = CaseWarning.objects.get(application=draft)

    warnings_sync(application=draft, round_=2, findings=[RENT])

    kept = CaseWarning.objects.get(application=draft)
    assert kept.pk == first.pk
    assert (kept.status, kept.round, kept.closed_at) == (WarningStatus.OPEN, 1, None)


def test_sync_closes_a_warning_whose_cause_is_gone(
    draft: Application, frozen_wednesday: time_machine.Traveller
) -> None:
    warnings_sync(application=draft, round_=1, findings=[RENT, CAR])
    frozen_wednesday.shift(timedelta(hours=1))

    warnings_sync(application=draft, round_=2, findings=[CAR])

    rent = CaseWarning.objects.get(application=draft, key=RENT.key)
    assert rent.status == WarningStatus.CLOSED
    assert rent.closed_at == timezone.now()
    assert rent.closed_reason == CLOSED_BECAUSE_GONE
    assert CaseWarning.objects.get(application=draft, key=CAR.key).status == WarningStatus.OPEN


def test_an_acknowledged_warning_stays_acknowledged_while_its_cause_remains_then_closes(
    draft: Application, caseworker: User
) -> None:
    warnings_sync(application=draft, round_=1, findings=[RENT])
    warning_acknowledge(
        warning=CaseWarning.objects.get(application=draft), user=caseworker, note="Sett."
    )

    warnings_sync(application=draft, round_=2, findings=[RENT])
    assert rows(draft) == [("housing_cost_changed", WarningStatus.ACKNOWLEDGED)]

    warnings_sync(application=draft, round_=3, findings=[])
    warning = CaseWarning.objects.get(application=draft)
    assert warning.status == WarningStatus.CLOSED
    assert warning.acknowledged_by == caseworker  # the history is kept


def test_a_closed_warning_never_reopens_the_same_cause_raises_a_new_one(
    draft: Application,
) -> None:
    warnings_sync(application=draft, round_=1, findings=[RENT])
    warnings_sync(application=draft, round_=2, findings=[])
    closed = CaseWarning.objects.get(application=draft)

    warnings_sync(application=draft, round_=3, findings=[RENT])

    assert rows(draft) == [
        ("housing_cost_changed", WarningStatus.CLOSED),
        ("housing_cost_changed", WarningStatus.OPEN),
    ]
    closed.refresh_from_db()
    assert closed.status == WarningStatus.CLOSED
    assert CaseWarning.objects.get(application=draft, status=WarningStatus.OPEN).round == 3


def test_warnings_belong_to_their_application(
    make_draft: Callable[..., Application], applicant: User, other_applicant: User
) -> None:
    mine, theirs = make_draft(applicant), make_draft(other_applicant)
    warnings_sync(application=mine, round_=1, findings=[RENT])
    warnings_sync(application=theirs, round_=1, findings=[])
    assert rows(mine) == [("housing_cost_changed", WarningStatus.OPEN)]
    assert rows(theirs) == []


# --- acknowledging ---------------------------------------------------------------------------


def test_acknowledging_records_who_when_and_the_note(draft: Application, caseworker: User) -> None:
    warnings_sync(application=draft, round_=1, findings=[RENT])
    warning = CaseWarning.objects.get(application=draft)

    acknowledged = warning_acknowledge(
        warning=warning, user=caseworker, note="  Ny hyra enligt avtal.  "
    )

    assert acknowledged.status == WarningStatus.ACKNOWLEDGED
    assert acknowledged.acknowledged_by == caseworker
    assert acknowledged.acknowledged_at == timezone.now()
    assert acknowledged.acknowledge_note == "Ny hyra enligt avtal."


def test_a_warning_can_be_acknowledged_only_once(draft: Application, caseworker: User) -> None:
    warnings_sync(application=draft, round_=1, findings=[RENT])
    warning = CaseWarning.objects.get(application=draft)
    warning_acknowledge(warning=warning, user=caseworker, note="first")

    with pytest.raises(WarningNotOpen):
        warning_acknowledge(warning=warning, user=caseworker, note="second")

    warning.refresh_from_db()
    assert warning.acknowledge_note == "first"


def test_a_closed_warning_cannot_be_acknowledged(draft: Application, caseworker: User) -> None:
    warnings_sync(application=draft, round_=1, findings=[RENT])
    warnings_sync(application=draft, round_=2, findings=[])
    warning = CaseWarning.objects.get(application=draft)

    with pytest.raises(WarningNotOpen):
        warning_acknowledge(warning=warning, user=caseworker, note="Sett.")

    warning.refresh_from_db()
    assert (warning.status, warning.acknowledged_by) == (WarningStatus.CLOSED, None)


def test_a_warning_is_never_acknowledged_without_a_note(
    draft: Application, caseworker: User
) -> None:
    warnings_sync(application=draft, round_=1, findings=[RENT])
    warning = CaseWarning.objects.get(application=draft)

    with pytest.raises(WarningNoteMissing):
        warning_acknowledge(warning=warning, user=caseworker, note="  ")

    warning.refresh_from_db()
    assert (warning.status, warning.acknowledged_by) == (WarningStatus.OPEN, None)


# --- the partial unique index ----------------------------------------------------------------


@pytest.mark.parametrize("live", [WarningStatus.OPEN, WarningStatus.ACKNOWLEDGED])
def test_only_one_live_warning_per_cause(draft: Application, live: str) -> None:
    CaseWarning.objects.create(
        application=draft, kind="new_cost", key="new_cost:rent", message="a", status=live
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseWarning.objects.create(
            application=draft, kind="new_cost", key="new_cost:rent", message="b"
        )


def test_closed_warnings_do_not_count_against_the_live_one(draft: Application) -> None:
    for _ in range(2):
        CaseWarning.objects.create(
            application=draft,
            kind="new_cost",
            key="new_cost:rent",
            message="old",
            status=WarningStatus.CLOSED,
        )
    CaseWarning.objects.create(application=draft, kind="new_cost", key="new_cost:rent", message="x")
    assert CaseWarning.objects.filter(application=draft).count() == 3


def test_every_kind_the_robot_raises_is_a_warning_kind() -> None:
    raised = {
        "unhandled_income",
        "income_changed",
        "income_gone",
        "new_income",
        "declared_register_difference",
        "person_missing_in_register",
        "new_cost",
        "new_household_member",
        "housing_cost_changed",
        "cost_needs_assessment",
        "cost_capped",
        "asset_found",
        "register_unavailable",
        "provisional_norm",
        "residence_status",
    }
    everything = findings.Facts(
        month=date(2026, 11, 1),
        application_kind="renewal",
        declared_incomes={"child_allowance": Decimal(900)},
        payments=tuple(
            findings.PaymentFact("fk", "1", kind, Decimal(net), paid_on)
            for kind, net, paid_on in [
                ("child_allowance", "1250", date(2026, 10, 20)),
                ("sickness_benefit", "1000", date(2026, 9, 25)),
                ("sickness_benefit", "2000", date(2026, 10, 25)),
                ("pension", "9000", date(2026, 10, 18)),
                ("housing_allowance", "2000", date(2026, 9, 25)),
            ]
        ),
        declared_members=(("applicant", "1"), ("child", "2")),
        costs={"rent": Decimal(7000), "electricity": Decimal(400)},
        engine_flags=("other_need:x", "housing_cost_capped", "savings_counted", "provisional_norm"),
        register_household=(("partner", "3"),),
        previous_costs={"rent": Decimal(6000)},
        vehicles=({"registration": "ABC123"},),
        residence_status="none",
        unavailable_sources=("csn",),
        invalid_sources=("population",),
    )
    detected = findings.detect(everything)
    assert {f.kind for f in detected} == raised
    assert raised <= set(WarningKind.values)
    max_key = CaseWarning._meta.get_field("key").max_length
    assert all(len(f.key) <= max_key for f in detected)


# --- through the robot: a register that was down ------------------------------------------------


def submit_while_forsakringskassan_is_down(
    make_draft: Callable[..., Application], who: User, submit: Callable[..., Application]
) -> Application:
    with override_settings(REGISTER_FAKE_FAILURES={"forsakringskassan": "unavailable"}):
        return submit(make_draft(who))


def test_a_register_that_does_not_answer_gives_a_visible_warning(
    make_draft: Callable[..., Application], carina: User, submit: Callable[..., Application]
) -> None:
    application = submit_while_forsakringskassan_is_down(make_draft, carina, submit)

    assert application.status == Status.AWAITING_CASEWORKER
    warning = CaseWarning.objects.get(application=application, key=FK_DOWN)
    assert warning.kind == WarningKind.REGISTER_UNAVAILABLE
    assert warning.status == WarningStatus.OPEN
    # The register by the name a caseworker knows, not its code (#19).
    assert "Registret Försäkringskassan och Pensionsmyndigheten svarade inte" in warning.message
    proposal = Proposal.objects.get(application=application)
    assert FK_DOWN in proposal.flags
    assert proposal.approvable is False
    assert registers_recheck_due() == [application.pk]


def test_the_recheck_closes_the_warning_and_refreshes_the_proposal_when_the_register_answers(
    make_draft: Callable[..., Application], carina: User, submit: Callable[..., Application]
) -> None:
    application = submit_while_forsakringskassan_is_down(make_draft, carina, submit)
    before = Proposal.objects.get(application=application)
    events = application.events.count()

    assert assessment_recheck(application_id=application.pk) is True

    warning = CaseWarning.objects.get(application=application, key=FK_DOWN)
    assert warning.status == WarningStatus.CLOSED
    assert warning.closed_reason == CLOSED_BECAUSE_GONE
    snapshot = RegisterSnapshot.objects.get(application=application, source="forsakringskassan")
    assert snapshot.status == SnapshotStatus.OK
    assert snapshot.error == ""
    # The round's proposal is replaced: her sickness benefit now counts and is flagged.
    after = Proposal.objects.get(application=application)
    assert after.round == before.round
    assert FK_DOWN not in after.flags
    assert before.amount - after.amount == Decimal("6120")
    assert sum(Decimal(line["amount"]) for line in after.lines) == after.amount
    assert after.track_suggestion["social"] is True
    assert CaseWarning.objects.get(
        application=application, key="unhandled_income:sickness_benefit"
    ).status == (WarningStatus.OPEN)
    # Written down for the auditor, without changing the status.
    application.refresh_from_db()
    assert application.status == Status.AWAITING_CASEWORKER
    assert application.events.count() == events + 1
    event = application.events.last()
    assert (event.from_status, event.to_status) == (Status.AWAITING_CASEWORKER,) * 2
    assert event.actor_kind == Actor.ROBOT
    assert event.reason.startswith("Kontrollerade igen: forsakringskassan svarade.")
    assert registers_recheck_due() == []
    assert assessment_recheck(application_id=application.pk) is False


def test_a_register_still_down_at_the_recheck_leaves_everything_as_it_was(
    make_draft: Callable[..., Application], carina: User, submit: Callable[..., Application]
) -> None:
    application = submit_while_forsakringskassan_is_down(make_draft, carina, submit)
    proposal = Proposal.objects.get(application=application)
    events = application.events.count()

    with override_settings(REGISTER_FAKE_FAILURES={"forsakringskassan": "unavailable"}):
        assert assessment_recheck(application_id=application.pk) is False

    assert CaseWarning.objects.get(application=application, key=FK_DOWN).status == "open"
    assert Proposal.objects.get(application=application) == proposal
    assert application.events.count() == events
    assert registers_recheck_due() == [application.pk]


@override_settings(REGISTER_FAKE_FAILURES={"population": "invalid"})
def test_an_unreadable_answer_is_a_register_warning_too(
    make_draft: Callable[..., Application], applicant: User, submit: Callable[..., Application]
) -> None:
    application = submit(make_draft(applicant))
    warning = CaseWarning.objects.get(application=application, key="register_invalid:population")
    assert warning.kind == WarningKind.REGISTER_UNAVAILABLE
    assert registers_recheck_due() == [application.pk]


def test_the_recheck_task_rechecks_every_case_that_is_due(
    make_draft: Callable[..., Application],
    carina: User,
    applicant: User,
    submit: Callable[..., Application],
) -> None:
    down = submit_while_forsakringskassan_is_down(make_draft, carina, submit)
    fine = submit(make_draft(applicant))
    assert registers_recheck_due() == [down.pk]

    assert registers_recheck_task.run() == 1

    assert CaseWarning.objects.get(application=down, key=FK_DOWN).status == WarningStatus.CLOSED
    assert not CaseWarning.objects.filter(application=fine, key=FK_DOWN).exists()
    assert registers_recheck_due() == []
    assert registers_recheck_task.run() == 0


def test_a_decided_case_is_not_rechecked(
    make_draft: Callable[..., Application],
    carina: User,
    caseworker: User,
    submit: Callable[..., Application],
) -> None:
    application = submit_while_forsakringskassan_is_down(make_draft, carina, submit)
    warnings_acknowledge_all(application, caseworker)
    decision_record(
        track="work",
        application=application,
        caseworker=caseworker,
        outcome="rejected",
        reason="Avslag.",
        communication_exception="irrelevant",
        communication_note="Avslaget bygger inte på registeruppgifterna.",
    )
    assert registers_recheck_due() == []
    assert assessment_recheck(application_id=application.pk) is False


def test_a_case_whose_latest_round_answered_is_not_due_for_a_recheck(
    make_draft: Callable[..., Application],
    carina: User,
    caseworker: User,
    submit: Callable[..., Application],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    """Round 1 stored Försäkringskassan as down and then crashed; round 2 got every answer."""
    import eligibility.robot.assessment as robot

    def crash(*args: object, **kwargs: object) -> None:
        raise ValueError("engine exploded")

    with monkeypatch.context() as patch:
        patch.setattr(robot, "calculate", crash)
        application = submit_while_forsakringskassan_is_down(make_draft, carina, submit)
    assert application.status == Status.NEEDS_MANUAL
    with django_capture_on_commit_callbacks(execute=True):
        application_return_to_robot(application=application, caseworker=caseworker, reason="")
    application.refresh_from_db()
    assert (application.robot_round, application.status) == (2, Status.AWAITING_CASEWORKER)
    assert RegisterSnapshot.objects.get(
        application=application, source="forsakringskassan", round=2
    ).status == (SnapshotStatus.OK)
    assert not CaseWarning.objects.filter(application=application, key=FK_DOWN).exists()

    assert registers_recheck_due() == []
