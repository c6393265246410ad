"""Thin Celery tasks of the application's documents: take ids, call one service."""

from __future__ import annotations

from celery import shared_task

from intake.documents.attachments import attachments_rescan


@shared_task(name="intake.attachments_rescan")
def attachments_rescan_task() -> dict[str, int]:
    """Files in quarantine (the scanner was down): scan them now (#9)."""
    return attachments_rescan()
