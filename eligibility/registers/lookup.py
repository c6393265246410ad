"""Ask the registers about the people of one application: concurrently, each look-up with a
deadline, retries with backoff for `RegisterUnavailable`, and a circuit breaker per register.

No database access happens here: the caller stores the results (one snapshot per source).
Nothing is logged with a personnummer in it.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from eligibility.registers import configured_registers
from eligibility.registers.base import (
    Extract,
    Register,
    RegisterResponseInvalid,
    RegisterUnavailable,
    RequestPurpose,
    register_deadline,
)
from eligibility.registers.breaker import breaker_for

logger = logging.getLogger(__name__)

# Statuses, the same strings as eligibility.models.SnapshotStatus (not imported: no models here).
OK, NOT_FOUND, UNAVAILABLE, INVALID = "ok", "not_found", "unavailable", "invalid"


@dataclass(frozen=True)
class LookupResult:
    """One register's answer about all the people asked for."""

    source: str
    status: str  # "ok" | "not_found" | "unavailable" | "invalid"
    extracts: tuple[Extract, ...]  # one per person answered (found or not), in asking order
    error: str = ""
    attempts: int = 1  # the most calls made for any one person
    elapsed_ms: int = 0  # until the last person's answer (or the deadline)

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "status": self.status,
            "extracts": [e.to_json() for e in self.extracts],
            "error": self.error,
            "attempts": self.attempts,
            "elapsed_ms": self.elapsed_ms,
        }


@dataclass
class _Outcome:
    """One (source, person) look-up; written by the worker thread, read after it is done."""

    status: str = UNAVAILABLE
    extract: Extract | None = None
    error: str = "timeout"
    attempts: int = 0
    finished: float = 0.0
    done: threading.Event = field(default_factory=threading.Event)


# --- the shared thread pool -----------------------------------------------------------------

_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    """One bounded pool per process, made again after a fork (a Celery prefork child)."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(
                max_workers=settings.REGISTER_MAX_WORKERS, thread_name_prefix="register"
            )
            _pool_pid = os.getpid()
        return _pool


# --- one look-up ----------------------------------------------------------------------------


def _backoff(attempt: int) -> float:
    """0.1 s, 0.2 s, 0.4 s ... (REGISTER_RETRY_BACKOFF_SECONDS doubled), with ±25 % jitter."""
    base = settings.REGISTER_RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1)
    return float(base * random.uniform(0.75, 1.25))  # noqa: S311 (jitter, not crypto)


def _lookup_one(
    register: Register,
    personnummer: str,
    as_of: date,
    purpose: RequestPurpose,
    deadline: float,
    outcome: _Outcome,
) -> None:
    breaker = breaker_for(register.source)
    retries = settings.REGISTER_RETRIES
    token = register_deadline.set(deadline)
    try:
        while True:
            if time.monotonic() >= deadline:
                outcome.status, outcome.error = UNAVAILABLE, f"{register.label}: timeout"
                return
            if not breaker.allow():
                outcome.status = UNAVAILABLE
                outcome.error = f"{register.label}: kretsbrytaren är öppen (registret svarar inte)"
                return
            outcome.attempts += 1
            try:
                extract = register.fetch(personnummer, as_of=as_of, purpose=purpose)
            except RegisterUnavailable as exc:
                breaker.failure()
                outcome.status, outcome.error = UNAVAILABLE, str(exc) or "unavailable"
                pause = _backoff(outcome.attempts)
                if outcome.attempts > retries or time.monotonic() + pause >= deadline:
                    return
                time.sleep(pause)
                continue
            except RegisterResponseInvalid as exc:
                breaker.success()  # the register answered; a person must read the answer
                outcome.status, outcome.error = INVALID, str(exc) or "invalid"
                return
            except Exception as exc:
                # A bug or an unmapped error in an adapter: a person must look, never a crash.
                logger.exception("register %s raised %s", register.source, type(exc).__name__)
                breaker.failure()
                outcome.status, outcome.error = INVALID, f"{type(exc).__name__}"
                return
            if time.monotonic() > deadline:
                breaker.failure()
                outcome.status, outcome.error = UNAVAILABLE, f"{register.label}: timeout"
                return
            breaker.success()
            outcome.status = OK if extract.found else NOT_FOUND
            outcome.extract, outcome.error = extract, ""
            return
    finally:
        register_deadline.reset(token)
        outcome.finished = time.monotonic()
        outcome.done.set()


def _combine(source: str, outcomes: list[_Outcome], started: float) -> LookupResult:
    statuses = [o.status for o in outcomes]
    if INVALID in statuses:
        status = INVALID  # retrying cannot fix it: a person must look
    elif UNAVAILABLE in statuses:
        status = UNAVAILABLE
    elif OK in statuses:
        status = OK
    else:
        status = NOT_FOUND
    errors = sorted({o.error for o in outcomes if o.status in (INVALID, UNAVAILABLE)})
    finished = max((o.finished or time.monotonic()) for o in outcomes)
    return LookupResult(
        source=source,
        status=status,
        extracts=tuple(o.extract for o in outcomes if o.extract is not None),
        error="; ".join(errors),
        attempts=max(1, *(o.attempts for o in outcomes)),
        elapsed_ms=round((finished - started) * 1000),
    )


@dataclass
class PendingLookups:
    """Look-ups started by ``registers_fetch_start``; ``registers_fetch_finish`` collects them."""

    sources: list[str]
    outcomes: dict[str, list[_Outcome]]
    futures: list[Future[None]]
    started: float
    deadline: float


def registers_fetch(
    *,
    personnummers: Sequence[str],
    as_of: date,
    purpose: RequestPurpose,
    sources: Iterable[str],
    timeout: float | None = None,
) -> list[LookupResult]:
    """Ask each source about each person, all at once; one result per source, in order.

    A source is "ok" when every person was answered (found or not), "not_found" when none of
    them is in the register, "unavailable" when a look-up still failed after retries or missed
    the deadline (`timeout`, default REGISTER_TIMEOUT_SECONDS, counted from this call), and
    "invalid" when an answer could not be read."""
    return registers_fetch_finish(
        registers_fetch_start(
            personnummers=personnummers,
            as_of=as_of,
            purpose=purpose,
            sources=sources,
            timeout=timeout,
        )
    )


def registers_fetch_start(
    *,
    personnummers: Sequence[str],
    as_of: date,
    purpose: RequestPurpose,
    sources: Iterable[str],
    timeout: float | None = None,
) -> PendingLookups:
    """Start ``registers_fetch``'s look-ups without waiting: the robot's batch starts every
    application's look-ups first, so they all run at once, then collects each."""
    registers = configured_registers()
    chosen = list(dict.fromkeys(sources))
    unknown = [s for s in chosen if s not in registers]
    if unknown:
        raise KeyError(f"no register configured for {unknown} (see REGISTER_BACKENDS)")
    people = list(dict.fromkeys(personnummers))
    started = time.monotonic()
    deadline = started + (settings.REGISTER_TIMEOUT_SECONDS if timeout is None else timeout)
    outcomes: dict[str, list[_Outcome]] = {}
    futures: list[Future[None]] = []
    if people:
        executor = _executor()
        for source in chosen:
            outcomes[source] = []
            for personnummer in people:
                outcome = _Outcome()
                outcomes[source].append(outcome)
                futures.append(
                    executor.submit(
                        _lookup_one,
                        registers[source],
                        personnummer,
                        as_of,
                        purpose,
                        deadline,
                        outcome,
                    )
                )
    return PendingLookups(chosen, outcomes, futures, started, deadline)


def registers_fetch_finish(pending: PendingLookups) -> list[LookupResult]:
    """Wait for the look-ups (until their deadline) and combine them, one result per source."""
    chosen, outcomes, started = pending.sources, pending.outcomes, pending.started
    if not chosen:
        return []
    if not outcomes:  # nobody to ask about
        return [LookupResult(source, NOT_FOUND, (), attempts=0) for source in chosen]
    registers = configured_registers()
    wait(pending.futures, timeout=max(0.0, pending.deadline - time.monotonic()))
    results = []
    for source in chosen:
        # A look-up still running at the deadline counts as a timeout; it finishes in the
        # background and its late answer is ignored (the breaker still learns from it).
        snapshot = [
            o if o.done.is_set() else _Outcome(attempts=o.attempts) for o in outcomes[source]
        ]
        for late in (o for o in snapshot if not o.done.is_set()):
            late.error, late.finished = f"{registers[source].label}: timeout", time.monotonic()
        results.append(_combine(source, snapshot, started))
    for result in results:
        if result.status in (UNAVAILABLE, INVALID):
            logger.warning(
                "register %s %s after %s attempt(s), %s ms: %s",
                result.source,
                result.status,
                result.attempts,
                result.elapsed_ms,
                result.error,
            )
    return results
