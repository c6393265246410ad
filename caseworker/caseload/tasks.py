"""Thin Celery tasks for ownership (#7): explicit names, ids in, one service each, safe twice."""

from __future__ import annotations

from celery import shared_task

from caseworker.caseload.emergency import emergency_escalate
from caseworker.caseload.ownership import owners_invalid_repair
from caseworker.caseload.referrals import referrals_escalate
from caseworker.caseload.silence import silence_detect
from caseworker.caseload.stand_ins import stand_ins_apply


@shared_task(name="caseworker.stand_ins_apply")
def stand_ins_apply_task() -> dict[str, int]:
    """Absences that began move cases to the stand-in; absences that ended move them back."""
    return stand_ins_apply()


@shared_task(name="caseworker.owners_repair")
def owners_repair_task() -> int:
    """Open cases whose owner may no longer own them (whatever changed it) get one who may, or
    the team leads an alarm (#16 item 7). The writers of `owner` already keep the rule; this
    is the net under them."""
    return owners_invalid_repair()


@shared_task(name="caseworker.referrals_escalate")
def referrals_escalate_task() -> int:
    """Unacknowledged referrals past their deadline alert both team leads."""
    return len(referrals_escalate())


@shared_task(name="caseworker.silence_detect")
def silence_detect_task() -> dict[str, int]:
    """Remind quiet households, then create outreach tasks before anything lapses."""
    return silence_detect()


@shared_task(name="caseworker.emergency_escalate")
def emergency_escalate_task(application_id: int) -> int:
    return len(emergency_escalate(application_id))
