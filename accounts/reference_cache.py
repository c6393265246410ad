"""A small per-process cache for municipal reference data the robot reads for every application
(staff working hours, closing days, absences, norm settings).

Entries live `REFERENCE_CACHE_SECONDS` (default 60, 0 turns the cache off) and are dropped in
this process whenever one of the underlying rows is saved or deleted (see each app's `ready`).
Another process (a worker) may see a change up to the TTL later: an absence registered now may
be ignored by a booking in the next minute. Counted in ADR 0003.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.conf import settings

T = TypeVar("T")
_lock = threading.Lock()
_entries: dict[Hashable, tuple[float, Any]] = {}


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    ttl = getattr(settings, "REFERENCE_CACHE_SECONDS", 60)
    if ttl <= 0:
        return compute()
    now = time.monotonic()
    with _lock:
        hit = _entries.get(key)
    if hit is not None and hit[0] > now:
        value: T = hit[1]
        return value
    value = compute()
    with _lock:
        _entries[key] = (now + ttl, value)
    return value


def invalidate(*args: Any, **kwargs: Any) -> None:
    """Drop everything (connected to post_save/post_delete of the reference models)."""
    with _lock:
        _entries.clear()
