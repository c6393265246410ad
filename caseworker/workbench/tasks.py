"""The queue's upkeep (#20 c), every five minutes: merge the count table's appended changes and
its old days."""

from __future__ import annotations

from celery import shared_task

from caseworker.workbench.queue_counts import queue_counts_compact


@shared_task(name="caseworker.queue_counts_compact")
def queue_counts_compact_task() -> int:
    """Idempotent; the counts are exact whether or not it ran."""
    return queue_counts_compact()
