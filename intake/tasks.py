"""Thin Celery tasks for notices and decision delivery: take ids, call one service."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from . import notifications


@shared_task(name="intake.notification_send")
def notification_send_task(notification_id: int) -> None:
    notifications.notification_send(notification_id=notification_id)


@shared_task(name="intake.notifications_send")
def notifications_send_task(notification_ids: list[int]) -> int:
    """Many notices in one task (the robot's batch); a notice that fails waits for the retry
    task like any other."""
    return notifications.notifications_send(notification_ids=notification_ids)


@shared_task(name="intake.notifications_retry")
def notifications_retry_task() -> int:
    return notifications.notifications_retry()


@shared_task(name="intake.send_meeting_reminders")
def send_meeting_reminders() -> int:
    return notifications.meeting_reminders_send()


@shared_task(name="intake.deliveries_escalate_unopened")
def deliveries_escalate_unopened_task() -> list[Any]:
    return notifications.deliveries_escalate_unopened()


@shared_task(name="intake.attachments_rescan")
def attachments_rescan_task() -> dict[str, int]:
    """Files in quarantine (the scanner was down): scan them now (#9)."""
    from . import scanning

    return scanning.attachments_rescan()
