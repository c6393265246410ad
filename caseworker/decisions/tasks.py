"""Thin Celery tasks of decisions: the month's standing-decision renewals, paused cases resuming."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from caseworker.decisions.pauses import pauses_resume
from caseworker.decisions.standing import standing_decision_renewals_create


@shared_task(name="caseworker.standing_decision_renewals")
def standing_decision_renewals_task() -> int:
    """On the first of the month: the month's renewals for households with standing decisions."""
    return len(standing_decision_renewals_create(month=timezone.localdate()))


@shared_task(name="caseworker.pauses_resume")
def pauses_resume_task() -> int:
    """Resume cases whose supplement or reply deadline has passed (safe to run twice)."""
    resumed = pauses_resume()
    return len(resumed["supplements"]) + len(resumed["communications"])
