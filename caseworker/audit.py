"""Writes to the append-only access log and journal. Nothing here updates or deletes."""

from __future__ import annotations

from accounts.models import User
from intake.models import Application

from .models import AccessAction, AccessLog, JournalEntry


def access_log_record(
    *, user: User, application: Application, action: AccessAction, detail: str = ""
) -> AccessLog:
    """One row per staff request that shows case data (page, partial, letter, attachment)."""
    return AccessLog.objects.create(
        user=user, application=application, action=action, detail=detail[:200]
    )


def journal_write(
    *,
    application: Application,
    text: str,
    author: User | None,
    corrects: JournalEntry | None = None,
) -> JournalEntry:
    text = text.strip()
    if not text:
        raise ValueError("A journal entry needs text.")
    if corrects is not None and corrects.application_id != application.pk:
        raise ValueError("A correction belongs to the same case.")
    return JournalEntry.objects.create(
        application=application, text=text, author=author, corrects=corrects
    )
