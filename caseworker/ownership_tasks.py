"""Thin Celery tasks for ownership (#7): explicit names, ids in, one service each, safe twice.
Loaded through settings.CELERY_IMPORTS."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="caseworker.stand_ins_apply")
def stand_ins_apply_task() -> dict[str, int]:
    """Absences that began move cases to the stand-in; absences that ended move them back."""
    from .ownership import stand_ins_apply

    return stand_ins_apply()


@shared_task(name="caseworker.referrals_escalate")
def referrals_escalate_task() -> int:
    """Unacknowledged referrals past their deadline alert both team leads."""
    from .referrals import referrals_escalate

    return len(referrals_escalate())


@shared_task(name="caseworker.silence_detect")
def silence_detect_task() -> dict[str, int]:
    """Remind quiet households, then create outreach tasks before anything lapses."""
    from .silence import silence_detect

    return silence_detect()


@shared_task(name="caseworker.emergency_escalate")
def emergency_escalate_task(application_id: int) -> int:
    from .emergency import emergency_escalate

    return len(emergency_escalate(application_id))
