"""Reminders: which meetings tomorrow still need one, and marking one as sent."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from meetings.availability import day_bounds
from meetings.models import (
    Meeting,
)


def meetings_due_for_reminder(day: date) -> list[Meeting]:
    """Live meetings on the calendar day after ``day`` whose applicant has not been reminded."""
    start, end = day_bounds(day + timedelta(days=1))
    return list(
        Meeting.objects.filter(
            cancelled_at__isnull=True,
            reminder_sent_at__isnull=True,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("application", "application__applicant", "secretary", "room")
        .order_by("starts_at", "id")
    )


def meeting_mark_reminded(*, meeting: Meeting) -> None:
    Meeting.objects.filter(pk=meeting.pk, reminder_sent_at__isnull=True).update(
        reminder_sent_at=timezone.now()
    )
