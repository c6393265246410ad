"""The robot's batches on PostgreSQL (ADR 0011): runs started at once claim disjoint sets (SKIP
LOCKED), book without double booking (the municipality lock), and every application ends
processed exactly once, whichever run took it."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from accounts.models import Role, User
from eligibility.robot.batch import robot_run
from intake.models import Application

from .test_faults import (  # noqa: F401 - caseworker: the fixture with working hours
    assert_invariant,
    assert_processed_exactly_once,
    caseworker,
    make_applicants,
    submit_without_dispatch,
)

pytestmark = [pytest.mark.services]


@pytest.mark.timeout(120)
@pytest.mark.usefixtures("caseworker")  # owner with working hours: social-track meetings
def test_runs_started_at_once_share_the_inbox_without_overlap(
    postgres: str,
    make_draft: Callable[..., Application],
    make_staff: Callable[..., User],
    trelleborg,
    settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.ROBOT_BATCH_SIZE = 10
    for n in range(4):
        make_staff(f"sekreterare{n}", Role.SECRETARY, trelleborg)
    pks = submit_without_dispatch(make_draft, make_applicants(36), monkeypatch)
    finished: dict[str, int] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def run(name: str, first: int) -> None:
        try:
            start.wait()
            done = 0
            # Like four worker threads each handed messages: every one goes on until its
            # messages are answered, most of them by another run's batch.
            for pk in pks[first::4]:
                done += robot_run(application_id=pk, worker_id=name)
            finished[name] = done
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f"run-{n}", n)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not errors, errors
    assert sum(finished.values()) == len(pks), finished
    assert sum(1 for done in finished.values() if done) >= 2, finished  # really in parallel
    assert connection.vendor == "postgresql"
    for pk in pks:
        assert_processed_exactly_once(pk)
    assert_invariant()
