"""The outbox sweeper: applications left waiting, or stuck past their lease, go to the robot
again; after ROBOT_MAX_ATTEMPTS they go to a person (needs_manual), visibly. Beat runs it every
minute; `manage.py robot_sweep` runs it by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from eligibility.robot import dispatch
from eligibility.robot.assessment import robot_give_up
from intake.models import Application
from intake.states import Status


def robot_sweep(*, now: datetime | None = None) -> dict[str, Any]:
    """Re-dispatch applications left waiting or stuck past their lease (the outbox sweeper)."""
    now = now or timezone.now()
    waiting_since = now - timedelta(seconds=settings.ROBOT_SWEEP_AFTER_SECONDS)
    stale = Application.objects.filter(
        Q(status=Status.SUBMITTED, robot_requested_at__lt=waiting_since)
        | Q(status=Status.PROCESSING, robot_lease_until__lt=now)
    ).values_list("pk", "robot_attempts")
    redispatched, given_up = [], []
    for pk, attempts in stale:
        if attempts >= settings.ROBOT_MAX_ATTEMPTS:
            robot_give_up(application_id=pk, error=f"{attempts} försök utan resultat")
            given_up.append(pk)
            continue
        Application.objects.filter(pk=pk).update(robot_requested_at=now)
        dispatch.robot_dispatch(pk)
        redispatched.append(pk)
    return {"redispatched": redispatched, "given_up": given_up}


@shared_task(name="eligibility.robot_sweep")
def robot_sweep_task() -> dict[str, Any]:
    return robot_sweep()
