"""Thin Celery task: the worker's heartbeat for /health/ready."""

from __future__ import annotations

from celery import shared_task

from operations.models import heartbeat_beat


@shared_task(name="operations.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Beat sends this every minute; a worker running it proves the broker, beat and a worker
    all work. /health/ready reads the row's age."""
    heartbeat_beat(name="worker")
