"""Thin Celery tasks of the application's documents: take ids, call one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="intake.attachments_rescan")
def attachments_rescan_task() -> dict[str, int]:
    """Files in quarantine (the scanner was down): scan them now (#9)."""
    from intake import scanning

    return scanning.attachments_rescan()
