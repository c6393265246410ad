"""Count the SQL statements a Celery worker process sends (bench only).

Connected by `bench/celery_app.py` when BENCH_QUERY_COUNT_DIR is set: every database
connection the process opens (one per thread) gets an execute wrapper that counts statements
(savepoints apart), and finished robot tasks are counted. The totals are written to
`<dir>/<pid>.json` at most every half second and when the process shuts down.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_counts = {"statements": 0, "savepoints": 0, "tasks": 0}
_last_dump = 0.0


def _count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    with _lock:
        if sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            _counts["savepoints"] += 1
        else:
            _counts["statements"] += 1
    return execute(sql, params, many, context)


def _dump(directory: str, *, force: bool = False) -> None:
    global _last_dump
    now = time.monotonic()
    if not force and now - _last_dump < 0.5:
        return
    _last_dump = now
    with _lock:
        data = dict(_counts, pid=os.getpid())
    path = Path(directory) / f"{os.getpid()}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)


def install(directory: str) -> None:
    from celery import signals
    from django.db.backends.signals import connection_created

    def wrap(sender: Any, connection: Any, **kwargs: Any) -> None:
        if _count not in connection.execute_wrappers:
            connection.execute_wrappers.append(_count)

    def task_done(sender: Any = None, **kwargs: Any) -> None:
        if getattr(sender, "name", "") == "eligibility.process_application":
            with _lock:
                _counts["tasks"] += 1
        _dump(directory)

    def shutdown(**kwargs: Any) -> None:
        _dump(directory, force=True)

    connection_created.connect(wrap, weak=False)
    signals.task_postrun.connect(task_done, weak=False)
    signals.worker_process_shutdown.connect(shutdown, weak=False)
    signals.worker_shutdown.connect(shutdown, weak=False)


def totals(directory: Path) -> dict[str, int]:
    """The sum over every worker process's file."""
    total = {"statements": 0, "savepoints": 0, "tasks": 0}
    for path in directory.glob("*.json"):
        data = json.loads(path.read_text())
        for key in total:
            total[key] += int(data.get(key, 0))
    return total
