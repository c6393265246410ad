"""Messages between the applicant and the caseworker, and feedback on the site's accessibility."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from intake.models import (
    AccessibilityFeedback,
    Application,
    Message,
)
from intake.services.lifecycle import ApplicationIncomplete


@transaction.atomic
def message_send(*, application: Application, author: User, body: str) -> Message:
    """A message on the case, from the applicant or the caseworker (both sides call this)."""
    body = body.strip()
    if not body:
        raise ApplicationIncomplete("A message needs a text.")
    return Message.objects.create(application=application, author=author, body=body[:4000])


@transaction.atomic
def messages_mark_read(*, application: Application, reader: User) -> int:
    """Mark the other side's messages as read by `reader`."""
    return (
        application.messages.filter(read_at__isnull=True)
        .exclude(author=reader)
        .update(read_at=timezone.now())
    )


@transaction.atomic
def feedback_record(*, message: str, page: str = "", contact: str = "") -> AccessibilityFeedback:
    return AccessibilityFeedback.objects.create(
        message=message.strip()[:4000], page=page.strip()[:300], contact=contact.strip()[:200]
    )
