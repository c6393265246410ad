"""The secretary's private iCalendar feed: a secret token, stored as a hash."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from meetings.models import (
    CalendarFeed,
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, secretary: User) -> str:
    """A new secret feed token for ``secretary`` (any earlier one stops working). The token is
    returned once; only its hash is stored."""
    CalendarFeed.objects.filter(secretary=secretary, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.create(secretary=secretary, token_hash=_hash(token))
    return token


@transaction.atomic
def calendar_feed_revoke(*, secretary: User) -> None:
    CalendarFeed.objects.filter(secretary=secretary, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def calendar_feed_owner(*, token: str) -> User | None:
    feed = (
        CalendarFeed.objects.filter(token_hash=_hash(token), revoked_at__isnull=True)
        .select_related("secretary")
        .first()
    )
    if feed is None or not feed.secretary.is_active:
        return None
    return feed.secretary


# --- reminders (the seam for notifications) --------------------------------------------------
