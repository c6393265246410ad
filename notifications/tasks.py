"""Thin Celery tasks for notices: take ids, call one service."""

from __future__ import annotations

import logging
import poplib

from celery import shared_task

from notifications import bounces, sending
from notifications.transports import NotificationFailed

logger = logging.getLogger(__name__)


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


@shared_task(name="notifications.print_receipts_collect")
def print_receipts_collect_task() -> int:
    """The print service's receipts (beat; safe to run twice). Unreachable: tried next time."""
    try:
        return sending.letter_receipts_collect()
    except NotificationFailed:
        logger.warning("print service unreachable; receipts are read next time")
        return 0


@shared_task(name="notifications.email_bounces_collect")
def email_bounces_collect_task() -> int:
    """The bounce mailbox (beat; safe to run twice). Unreachable: read next time."""
    try:
        return bounces.bounces_collect()
    except (OSError, poplib.error_proto):
        logger.warning("bounce mailbox unreachable; bounces are read next time")
        return 0
