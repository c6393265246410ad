"""The decision letter is rendered after the decision commits: by Celery, or in this process
(`letter_for_decision_queue` subscribes to `decision_signed`, caseworker.apps)."""

from __future__ import annotations

import logging
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError

from caseworker.letters.delivery import deliveries_escalate_unopened
from caseworker.letters.render import letter_render
from intake.models import Decision


@shared_task(
    name="caseworker.render_decision_letter",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def render_decision_letter_task(decision_id: int) -> int:
    """Render and store a decision's letter; a second run returns the stored one."""
    return letter_render(decision_id=decision_id).pk


logger = logging.getLogger(__name__)


def letter_dispatch(decision_id: int) -> None:
    """After commit: render now (sync, thread and embedded modes) or hand to Celery."""
    if settings.ROBOT_MODE == "celery":
        try:
            render_decision_letter_task.delay(decision_id)
            return
        except OperationalError:
            logger.warning("Broker unavailable; rendering letter %s in-process", decision_id)
    letter_render(decision_id=decision_id)


def letter_for_decision_queue(decision: Decision) -> None:
    """Call inside the decision's transaction: the letter is rendered after commit (never inside
    the transaction; a rolled-back decision gets no letter)."""
    transaction.on_commit(partial(letter_dispatch, decision.pk), robust=True)


@shared_task(name="caseworker.deliveries_escalate_unopened")
def deliveries_escalate_unopened_task() -> list[int]:
    """A decision not opened in time goes out on paper (beat; safe to run twice)."""
    return deliveries_escalate_unopened()
