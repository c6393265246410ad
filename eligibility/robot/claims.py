"""The robot's claim on applications: a lease, by compare-and-set, so two workers never process
the same application and a crashed run is taken over when its lease expires (ADR 0011)."""

from __future__ import annotations

from datetime import timedelta
from enum import IntEnum

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from intake.models import Application, ApplicationEvent
from intake.services import ConcurrentTransition, application_transition
from intake.states import Actor, Status

ROBOT_CLAIM_REASON = "Roboten hämtar registeruppgifter och räknar"


class RobotClaim(IntEnum):
    """What a claim got: nothing, a fresh application, or a run to resume (truthy when claimed)."""

    NONE = 0
    FRESH = 1
    RESUMED = 2


def application_claim_for_robot(
    *, application_id: int, worker_id: str, lease_seconds: int
) -> RobotClaim:
    """Claim the application for one robot run (compare-and-set, works on SQLite and PostgreSQL).

    Claims a SUBMITTED application (FRESH), or a PROCESSING one whose lease expired (a crashed
    worker) or that this worker already holds (a retry of the same task) (RESUMED). Returns
    NONE when someone else has it or it no longer waits for the robot. Two queries when fresh.
    """
    now = timezone.now()
    lease = {
        "robot_lease_owner": worker_id,
        "robot_lease_until": now + timedelta(seconds=lease_seconds),
        "robot_attempts": F("robot_attempts") + 1,
    }
    with transaction.atomic():
        try:
            application_transition(
                application=Application(pk=application_id, status=Status.SUBMITTED),
                to=Status.PROCESSING,
                actor_kind=Actor.ROBOT,
                reason=ROBOT_CLAIM_REASON,
                updates=lease,
                refresh=False,
            )
        except ConcurrentTransition:
            pass
        else:
            return RobotClaim.FRESH
        reclaimed = Application.objects.filter(
            Q(pk=application_id, status=Status.PROCESSING)
            & (Q(robot_lease_until__lt=now) | Q(robot_lease_owner=worker_id))
        ).update(**lease)
        return RobotClaim.RESUMED if reclaimed == 1 else RobotClaim.NONE


def applications_claim_for_robot(
    *, first: int, municipality_id: int, worker_id: str, lease_seconds: int, limit: int
) -> list[int]:
    """Claim up to ``limit`` SUBMITTED applications of one municipality for one robot run:
    ``first`` when it still waits, then the longest waiting (the robot works each
    municipality's inbox in batches).

    On PostgreSQL the rows are locked with SKIP LOCKED, so two workers never pick the same row
    and never wait for each other; on SQLite (one writer at a time) the compare-and-set UPDATE
    decides. Each claim gets the same lease and event as ``application_claim_for_robot``.
    Returns the ids claimed (``first`` first when claimed).
    """
    now = timezone.now()
    with transaction.atomic():
        waiting = Application.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            status=Status.SUBMITTED, municipality_id=municipality_id
        )
        # ``first`` before the rest, then the oldest requests: two look-ups, so the second one
        # walks the (status, robot_requested_at) index instead of sorting the whole backlog.
        candidates = list(waiting.filter(pk=first).values_list("pk", flat=True))
        if limit > len(candidates):
            candidates += list(
                waiting.exclude(pk=first)
                .order_by("robot_requested_at", "pk")
                .values_list("pk", flat=True)[: limit - len(candidates)]
            )
        if not candidates:
            return []
        updated = Application.objects.filter(pk__in=candidates, status=Status.SUBMITTED).update(
            status=Status.PROCESSING,
            updated_at=now,
            robot_lease_owner=worker_id,
            robot_lease_until=now + timedelta(seconds=lease_seconds),
            robot_attempts=F("robot_attempts") + 1,
        )
        claimed = (
            candidates
            if updated == len(candidates)
            else list(
                Application.objects.filter(
                    pk__in=candidates,
                    status=Status.PROCESSING,
                    robot_lease_owner=worker_id,
                    robot_lease_until__gt=now,
                ).values_list("pk", flat=True)
            )
        )
        ApplicationEvent.objects.bulk_create(
            [
                ApplicationEvent(
                    application_id=pk,
                    from_status=Status.SUBMITTED,
                    to_status=Status.PROCESSING,
                    actor_kind=Actor.ROBOT,
                    reason=ROBOT_CLAIM_REASON,
                )
                for pk in claimed
            ]
        )
    return sorted(claimed, key=lambda pk: pk != first)
