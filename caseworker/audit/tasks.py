"""Thin Celery task: the nightly retention run (gallring)."""

from __future__ import annotations

from celery import shared_task

from caseworker.audit.retention import retention_run


@shared_task(name="caseworker.retention_run")
def retention_run_task() -> int:
    """Nightly gallring (#9): the number of applications anonymised."""
    return len(retention_run().cases)
