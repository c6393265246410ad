"""The Celery app for the benchmark's workers: the project's app, plus (bench only) the SQL
statement counter when BENCH_QUERY_COUNT_DIR is set and a ready file in BENCH_READY_DIR
(`celery -A bench.celery_app worker`)."""

import os
from pathlib import Path
from typing import Any

from celery import signals

from config.celery import app

if os.environ.get("BENCH_QUERY_COUNT_DIR"):
    from bench.worker_counter import install

    install(os.environ["BENCH_QUERY_COUNT_DIR"])


@signals.worker_ready.connect
def _ready(**kwargs: Any) -> None:
    directory = os.environ.get("BENCH_READY_DIR")
    if directory:
        (Path(directory) / str(os.getpid())).touch()


__all__ = ["app"]
