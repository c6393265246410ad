"""How a submitted application reaches the robot.

- `celery` (REDIS_URL set): enqueue the task; a broker outage is logged, never shown to the
  applicant, and the sweeper re-dispatches later (the application row is the outbox).
- `thread` (no services): run in a background thread in this process right after commit.
- `sync` (tests): run right away in the calling thread.
"""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections

from eligibility.robot.assessment import robot_give_up
from eligibility.robot.batch import robot_run
from eligibility.robot.tasks import process_application

logger = logging.getLogger(__name__)
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="robot")


def robot_dispatch(application_id: int) -> None:
    mode = settings.ROBOT_MODE
    if mode == "sync":
        run_in_process(application_id)
    elif mode == "thread":
        _executor.submit(_run_in_thread, application_id)
    else:
        try:
            # No publish retries: the application row is the outbox and the sweeper is the retry,
            # so a broker outage costs the applicant at most one socket timeout.
            process_application.apply_async(args=(application_id,), retry=False)
        except Exception:  # kombu.exceptions.OperationalError and friends
            logger.warning(
                "broker unavailable; application %s waits for the sweeper", application_id
            )


def run_in_process(application_id: int) -> None:
    try:
        robot_run(application_id=application_id, worker_id=f"inproc-{uuid.uuid4()}")
    except Exception as exc:
        logger.exception("robot failed for application %s", application_id)
        robot_give_up(application_id=application_id, error=repr(exc))


def _run_in_thread(application_id: int) -> None:
    close_old_connections()
    try:
        run_in_process(application_id)
    finally:
        close_old_connections()
