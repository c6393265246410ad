"""Thin Celery tasks for the caseworker side."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .services import standing_decision_renewals_create


@shared_task(name="caseworker.standing_decision_renewals")
def standing_decision_renewals_task() -> int:
    """On the first of the month: the month's renewals for households with standing decisions."""
    return len(standing_decision_renewals_create(month=timezone.localdate()))


@shared_task(
    name="caseworker.render_decision_letter",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def render_decision_letter_task(decision_id: int) -> int:
    """Render and store a decision's letter; a second run returns the stored one."""
    from .letters import letter_render

    return letter_render(decision_id=decision_id).pk


@shared_task(name="caseworker.payment_file_create")
def payment_file_create_task() -> int | None:
    """On banking days: the day's pain.001 file with every order that waits to be sent."""
    from .payments import payment_file_create

    payment_file = payment_file_create(day=timezone.localdate())
    return payment_file.pk if payment_file else None


@shared_task(name="caseworker.pauses_resume")
def pauses_resume_task() -> int:
    """Resume cases whose supplement or reply deadline has passed (safe to run twice)."""
    from .services import pauses_resume

    resumed = pauses_resume()
    return len(resumed["supplements"]) + len(resumed["communications"])


@shared_task(name="caseworker.retention_run")
def retention_run_task() -> int:
    """Nightly gallring (#9): the number of applications anonymised."""
    from .retention import retention_run

    return len(retention_run().cases)
