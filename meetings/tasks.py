"""Thin Celery task: tomorrow's meetings get a reminder (beat; safe to run twice)."""

from __future__ import annotations

from celery import shared_task

from meetings.notices import meeting_reminders_send


@shared_task(name="meetings.send_reminders")
def send_meeting_reminders() -> int:
    return meeting_reminders_send()
