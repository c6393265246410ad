"""Thin Celery tasks: take ids, call one service, safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from eligibility.robot.assessment import assessment_recheck, registers_recheck_due, robot_give_up
from eligibility.robot.batch import robot_run

# Lost connections and lock timeouts are worth another try; a constraint violation is a bug.
RETRYABLE = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task(name="eligibility.process_application", bind=True, acks_late=True, max_retries=5)
def process_application(self: Any, application_id: int) -> None:
    try:
        robot_run(application_id=application_id, worker_id=self.request.id or "local")
    except RETRYABLE as exc:
        if self.request.retries >= self.max_retries:
            robot_give_up(application_id=application_id, error=repr(exc))
            return
        raise self.retry(exc=exc, countdown=min(300, 5 * 2**self.request.retries)) from exc
    except Exception as exc:
        robot_give_up(application_id=application_id, error=repr(exc))
        raise


@shared_task(name="eligibility.registers_recheck")
def registers_recheck_task() -> int:
    """Ask registers that were down again, for cases still waiting for a caseworker."""
    return sum(assessment_recheck(application_id=pk) for pk in registers_recheck_due())
