"""The robot's claim on a submitted application: one worker at a time, with a lease that
expires, only for applications the robot may process."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from eligibility.robot import claims
from intake.models import Application
from intake.states import Actor, Status

# On the suite's working Wednesday morning, from before the first fixture runs.
pytestmark = pytest.mark.usefixtures("frozen_wednesday")


# --- the robot's claim ----------------------------------------------------------------------


def test_the_first_claim_moves_the_application_to_processing_with_a_lease(
    submitted_waiting: Application,
) -> None:
    assert claims.application_claim_for_robot(
        application_id=submitted_waiting.pk, worker_id="w1", lease_seconds=300
    )
    submitted_waiting.refresh_from_db()
    assert submitted_waiting.status == Status.PROCESSING
    assert submitted_waiting.robot_lease_owner == "w1"
    assert submitted_waiting.robot_attempts == 1
    event = submitted_waiting.events.last()
    assert (event.to_status, event.actor_kind, event.actor) == (
        Status.PROCESSING,
        Actor.ROBOT,
        None,
    )


def test_a_second_worker_cannot_claim_a_leased_application(submitted_waiting: Application) -> None:
    pk = submitted_waiting.pk
    assert claims.application_claim_for_robot(application_id=pk, worker_id="w1", lease_seconds=300)
    assert not claims.application_claim_for_robot(
        application_id=pk, worker_id="w2", lease_seconds=300
    )
    submitted_waiting.refresh_from_db()
    assert submitted_waiting.robot_lease_owner == "w1"
    assert submitted_waiting.robot_attempts == 1


def test_a_claim_on_an_expired_lease_succeeds(
    submitted_waiting: Application, frozen_wednesday: time_machine.Traveller
) -> None:
    pk = submitted_waiting.pk
    assert claims.application_claim_for_robot(application_id=pk, worker_id="w1", lease_seconds=300)
    frozen_wednesday.shift(timedelta(seconds=299))
    assert not claims.application_claim_for_robot(
        application_id=pk, worker_id="w2", lease_seconds=300
    )
    frozen_wednesday.shift(timedelta(seconds=2))
    assert claims.application_claim_for_robot(application_id=pk, worker_id="w2", lease_seconds=300)
    submitted_waiting.refresh_from_db()
    assert submitted_waiting.status == Status.PROCESSING
    assert submitted_waiting.robot_lease_owner == "w2"
    assert submitted_waiting.robot_attempts == 2
    # the crashed worker has lost it
    assert not claims.application_claim_for_robot(
        application_id=pk, worker_id="w1", lease_seconds=300
    )


def test_the_same_worker_can_claim_again(submitted_waiting: Application) -> None:
    pk = submitted_waiting.pk
    assert claims.application_claim_for_robot(application_id=pk, worker_id="w1", lease_seconds=300)
    assert claims.application_claim_for_robot(application_id=pk, worker_id="w1", lease_seconds=300)
    submitted_waiting.refresh_from_db()
    assert submitted_waiting.robot_attempts == 2
    # a re-claim extends the lease and adds no status event
    assert submitted_waiting.events.count() == 2


@pytest.mark.parametrize("status", [Status.DRAFT, Status.AWAITING_CASEWORKER, Status.NEEDS_MANUAL])
def test_only_submitted_or_processing_applications_can_be_claimed(
    submitted_waiting: Application, status: Status
) -> None:
    Application.objects.filter(pk=submitted_waiting.pk).update(status=status)
    assert not claims.application_claim_for_robot(
        application_id=submitted_waiting.pk, worker_id="w1", lease_seconds=300
    )


def test_claiming_a_missing_application_returns_false(db: None) -> None:
    assert not claims.application_claim_for_robot(
        application_id=999_999, worker_id="w1", lease_seconds=300
    )
