"""Appeals sent online (#17): to the municipality, which reconsiders first, with the deadline
counted from the recorded delivery of the decision."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from accounts.models import User
from intake import events
from intake.models import Appeal, Decision

MAX_TEXT = 5000


@transaction.atomic
def appeal_submit(
    *,
    decision: Decision,
    by: User,
    reasons: str,
    wanted: str,
    deadline: date | None,
    today: date,
) -> Appeal:
    """Record the appeal of `decision` (once: a second sending returns the first) and tell the
    case side (`events.appeal_received`). A late appeal is received all the same: whether it
    can be tried is the municipality's decision (FL 45 §), never the form's."""
    existing = Appeal.objects.filter(decision=decision).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                decision=decision,
                reasons=reasons.strip()[:MAX_TEXT],
                wanted=wanted.strip()[:MAX_TEXT],
                submitted_by=by,
                deadline=deadline,
                late=deadline is not None and today > deadline,
            )
    except IntegrityError:  # the same appeal sent twice at once: the first one it is
        return Appeal.objects.get(decision=decision)
    events.appeal_received.publish(appeal.pk)
    return appeal
