"""Intake services against the database: submit, transitions, constraints, owner, withdraw.
(The robot's claim on a submitted application: tests/eligibility/robot/test_claims.py.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from kombu.exceptions import OperationalError

from accounts.models import Municipality, Role, User
from eligibility.robot import claims, dispatch
from eligibility.robot.tasks import process_application
from intake import services
from intake.models import Application, ApplicationEvent
from intake.services import ConcurrentTransition
from intake.states import Actor, Status, TransitionNotAllowed

# On the suite's working Wednesday morning, from before the first fixture runs.
pytestmark = pytest.mark.usefixtures("frozen_wednesday")


# --- submit ---------------------------------------------------------------------------------


def test_submit_moves_draft_to_submitted_and_records_who_did_it(
    make_draft: Callable[..., Application],
    applicant: User,
    caseworker: User,
    robot_calls: list[int],
    django_capture_on_commit_callbacks: Callable,
) -> None:
    application = make_draft(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, applicant=applicant)

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.owner == caseworker
    assert application.submitted_at is not None
    assert application.declaration_accepted_at == application.submitted_at
    assert application.robot_requested_at == application.submitted_at
    event = ApplicationEvent.objects.get(application=application)
    assert (event.from_status, event.to_status) == (Status.DRAFT, Status.SUBMITTED)
    assert event.actor_kind == Actor.APPLICANT
    assert event.actor == applicant


def test_submit_hands_over_to_the_robot_only_after_commit(
    make_draft: Callable[..., Application],
    applicant: User,
    caseworker: User,
    robot_calls: list[int],
    django_capture_on_commit_callbacks: Callable,
) -> None:
    application = make_draft(applicant)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_submit(application=application, applicant=applicant)

    assert robot_calls == []  # nothing before the commit
    assert len(callbacks) == 1
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED

    for callback in callbacks:
        callback()
    assert robot_calls == [application.pk]


def test_submit_rolled_back_never_reaches_the_robot(
    make_draft: Callable[..., Application],
    applicant: User,
    caseworker: User,
    robot_calls: list[int],
    django_capture_on_commit_callbacks: Callable,
) -> None:
    application = make_draft(applicant)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.application_submit(application=application, applicant=applicant)
        raise RuntimeError("boom after submit")

    assert callbacks == []
    assert robot_calls == []
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert not application.events.exists()


def test_a_broker_outage_at_submit_does_not_fail_and_leaves_the_application_submitted(
    make_draft: Callable[..., Application],
    applicant: User,
    caseworker: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    attempts: list[object] = []

    def broker_down(*args: object, **kwargs: object) -> None:
        attempts.append((args, kwargs))
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(process_application, "apply_async", broker_down)
    application = make_draft(applicant)
    with override_settings(ROBOT_MODE="celery"):
        with django_capture_on_commit_callbacks(execute=True):
            services.application_submit(application=application, applicant=applicant)
        # The hand-over itself swallows the outage too (not only the robust on_commit).
        dispatch.robot_dispatch(application.pk)

    assert len(attempts) == 2
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.robot_requested_at is not None  # the sweeper will find it


def test_only_the_applicant_can_submit(
    make_draft: Callable[..., Application],
    applicant: User,
    other_applicant: User,
    caseworker: User,
    robot_calls: list[int],
) -> None:
    application = make_draft(applicant)
    with pytest.raises(services.ApplicationIncomplete):
        services.application_submit(application=application, applicant=other_applicant)
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_a_submitted_application_cannot_be_submitted_again(
    submitted_waiting: Application, applicant: User
) -> None:
    with pytest.raises(TransitionNotAllowed):
        services.application_submit(application=submitted_waiting, applicant=applicant)
    assert submitted_waiting.events.count() == 1


def test_a_submitted_application_can_no_longer_be_edited(submitted_waiting: Application) -> None:
    with pytest.raises(services.ApplicationIncomplete):
        services.application_set_costs(application=submitted_waiting, costs={})


def test_submit_without_any_caseworker_in_the_municipality_fails_and_stays_draft(
    make_draft: Callable[..., Application], applicant: User, robot_calls: list[int]
) -> None:
    application = make_draft(applicant)
    with pytest.raises(services.NoCaseworkerAvailable):
        services.application_submit(application=application, applicant=applicant)
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert robot_calls == []


# --- application_transition -----------------------------------------------------------------


def test_transition_refuses_a_move_the_table_does_not_allow(submitted_waiting: Application) -> None:
    with pytest.raises(TransitionNotAllowed):
        services.application_transition(
            application=submitted_waiting, to=Status.APPROVED, actor_kind=Actor.CASEWORKER
        )
    submitted_waiting.refresh_from_db()
    assert submitted_waiting.status == Status.SUBMITTED
    assert submitted_waiting.events.count() == 1


def test_transition_refuses_the_right_move_by_the_wrong_actor(
    submitted_waiting: Application,
) -> None:
    with pytest.raises(TransitionNotAllowed):
        services.application_transition(
            application=submitted_waiting, to=Status.PROCESSING, actor_kind=Actor.APPLICANT
        )


def test_a_stale_transition_raises_and_only_the_first_move_is_recorded(
    make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    first = Application.objects.get(pk=draft.pk)
    second = Application.objects.get(pk=draft.pk)

    services.application_transition(
        application=first, to=Status.WITHDRAWN, actor_kind=Actor.APPLICANT, actor=applicant
    )
    with pytest.raises(ConcurrentTransition):
        # `second` still believes the row is a draft.
        services.application_transition(
            application=second, to=Status.WITHDRAWN, actor_kind=Actor.APPLICANT, actor=applicant
        )

    assert ApplicationEvent.objects.filter(application=draft).count() == 1
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN


def test_a_stale_decision_after_withdrawal_is_refused(
    submitted_waiting: Application, applicant: User
) -> None:
    robot_view = Application.objects.get(pk=submitted_waiting.pk)
    services.application_withdraw(application=submitted_waiting, applicant=applicant)
    with pytest.raises(ConcurrentTransition):
        services.application_transition(
            application=robot_view, to=Status.PROCESSING, actor_kind=Actor.ROBOT
        )
    assert list(submitted_waiting.events.values_list("to_status", flat=True)) == [
        Status.SUBMITTED,
        Status.WITHDRAWN,
    ]


def test_transition_only_if_condition_is_part_of_the_compare_and_set(
    submitted_waiting: Application,
) -> None:
    from django.db.models import Q

    with pytest.raises(ConcurrentTransition):
        services.application_transition(
            application=submitted_waiting,
            to=Status.PROCESSING,
            actor_kind=Actor.ROBOT,
            only_if=Q(robot_lease_owner="somebody-else"),
        )
    submitted_waiting.refresh_from_db()
    assert submitted_waiting.status == Status.SUBMITTED


# --- constraints ----------------------------------------------------------------------------


def test_one_live_application_per_applicant_and_month(
    make_draft: Callable[..., Application], applicant: User, trelleborg: Municipality
) -> None:
    draft = make_draft(applicant)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(applicant=applicant, municipality=trelleborg, month=draft.month)


def test_another_month_is_another_application(
    make_draft: Callable[..., Application], applicant: User, trelleborg: Municipality
) -> None:
    make_draft(applicant)
    Application.objects.create(
        applicant=applicant, municipality=trelleborg, month=date(2026, 12, 1)
    )
    assert Application.objects.filter(applicant=applicant).count() == 2


def test_a_new_application_for_the_month_is_allowed_after_withdrawal(
    make_draft: Callable[..., Application], applicant: User, trelleborg: Municipality
) -> None:
    draft = make_draft(applicant)
    services.application_withdraw(application=draft, applicant=applicant)

    again = services.application_start(
        applicant=applicant, municipality=trelleborg, month=draft.month
    )
    assert again.pk != draft.pk
    assert again.status == Status.DRAFT
    # and only one live one: a third is refused again
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(applicant=applicant, municipality=trelleborg, month=draft.month)


def test_application_start_resumes_the_live_application_for_the_month(
    make_draft: Callable[..., Application], applicant: User, trelleborg: Municipality
) -> None:
    draft = make_draft(applicant)
    assert (
        services.application_start(
            applicant=applicant, municipality=trelleborg, month=date(2026, 11, 17)
        )
        == draft
    )


def test_a_submitted_application_must_have_an_owner(submitted_waiting: Application) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=submitted_waiting.pk).update(owner=None)


def test_forcing_a_draft_to_submitted_without_owner_is_refused_by_the_database(
    make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=draft.pk).update(status=Status.SUBMITTED, owner=None)


def test_a_draft_and_a_withdrawn_application_need_no_owner(
    make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    assert draft.owner is None
    services.application_withdraw(application=draft, applicant=applicant)
    draft.refresh_from_db()
    assert draft.owner is None


# --- owner assignment -----------------------------------------------------------------------


def test_the_least_loaded_caseworker_gets_the_new_application(
    make_draft: Callable[..., Application],
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    applicant: User,
    other_applicant: User,
    robot_calls: list[int],
) -> None:
    busy = make_staff("busy", Role.CASEWORKER, trelleborg)
    free = make_staff("free", Role.CASEWORKER, trelleborg)
    first = make_draft(applicant)
    services.application_submit(application=first, applicant=applicant)
    first.refresh_from_db()
    assert first.owner == busy  # a tie goes to the lowest id

    second = make_draft(other_applicant)
    services.application_submit(application=second, applicant=other_applicant)
    second.refresh_from_db()
    assert second.owner == free


def test_decided_and_withdrawn_cases_do_not_count_as_load(
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    applicant: User,
) -> None:
    first = make_staff("first", Role.CASEWORKER, trelleborg)
    make_staff("second", Role.CASEWORKER, trelleborg)
    for month, status in [(1, Status.APPROVED), (2, Status.REJECTED), (3, Status.WITHDRAWN)]:
        Application.objects.create(
            applicant=applicant,
            municipality=trelleborg,
            month=date(2026, month, 1),
            status=status,
            owner=first,
        )
    assert services.owner_choose(municipality=trelleborg) == first


def test_open_cases_count_as_load_whatever_the_open_status(
    make_staff: Callable[..., User], trelleborg: Municipality, applicant: User
) -> None:
    first = make_staff("first", Role.CASEWORKER, trelleborg)
    second = make_staff("second", Role.CASEWORKER, trelleborg)
    Application.objects.create(
        applicant=applicant,
        municipality=trelleborg,
        month=date(2026, 1, 1),
        status=Status.NEEDS_MANUAL,
        owner=first,
    )
    assert services.owner_choose(municipality=trelleborg) == second


def test_owner_is_chosen_only_among_active_caseworkers_of_the_municipality(
    make_staff: Callable[..., User], trelleborg: Municipality, svedala: Municipality
) -> None:
    make_staff("svedalabo", Role.CASEWORKER, svedala)
    make_staff("sekreterare", Role.SECRETARY, trelleborg)
    gone = make_staff("gone", Role.CASEWORKER, trelleborg)
    gone.is_active = False
    gone.save()
    here = make_staff("here", Role.CASEWORKER, trelleborg)
    assert services.owner_choose(municipality=trelleborg) == here


def test_the_team_lead_is_owner_when_there_is_no_caseworker(
    make_staff: Callable[..., User], trelleborg: Municipality
) -> None:
    lead = make_staff("lead", Role.TEAM_LEAD, trelleborg)
    assert services.owner_choose(municipality=trelleborg) == lead


def test_no_caseworker_and_no_team_lead_is_an_error(trelleborg: Municipality) -> None:
    with pytest.raises(services.NoCaseworkerAvailable):
        services.owner_choose(municipality=trelleborg)


# --- withdraw -------------------------------------------------------------------------------


def test_withdraw_a_draft(make_draft: Callable[..., Application], applicant: User) -> None:
    draft = make_draft(applicant)
    services.application_withdraw(application=draft, applicant=applicant)
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN
    event = draft.events.get()
    assert (event.from_status, event.to_status, event.actor_kind, event.actor) == (
        Status.DRAFT,
        Status.WITHDRAWN,
        Actor.APPLICANT,
        applicant,
    )


def test_withdraw_a_submitted_application_before_the_robot_starts(
    submitted_waiting: Application, applicant: User
) -> None:
    services.application_withdraw(application=submitted_waiting, applicant=applicant)
    submitted_waiting.refresh_from_db()
    assert submitted_waiting.status == Status.WITHDRAWN
    assert submitted_waiting.events.last().to_status == Status.WITHDRAWN


def test_a_withdrawn_application_is_not_picked_up_by_the_robot(
    submitted_waiting: Application, applicant: User
) -> None:
    services.application_withdraw(application=submitted_waiting, applicant=applicant)
    assert not claims.application_claim_for_robot(
        application_id=submitted_waiting.pk, worker_id="w1", lease_seconds=300
    )


def test_withdraw_is_refused_once_the_robot_has_the_application(
    submitted_waiting: Application, applicant: User
) -> None:
    assert claims.application_claim_for_robot(
        application_id=submitted_waiting.pk, worker_id="w1", lease_seconds=300
    )
    submitted_waiting.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        services.application_withdraw(application=submitted_waiting, applicant=applicant)
