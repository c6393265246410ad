"""Thin Celery tasks for notices: take ids, call one service."""

from __future__ import annotations

from celery import shared_task

from notifications import sending


@shared_task(name="notifications.send")
def notification_send_task(notification_id: int) -> None:
    sending.notification_send(notification_id=notification_id)


@shared_task(name="notifications.send_many")
def notifications_send_task(notification_ids: list[int]) -> int:
    """Many notices in one task (the robot's batch); a notice that fails waits for the retry
    task like any other."""
    return sending.notifications_send(notification_ids=notification_ids)


@shared_task(name="notifications.retry")
def notifications_retry_task() -> int:
    return sending.notifications_retry()
