"""Settings for the benchmark's web and worker processes (`make bench`), never for production.

The base settings with DEBUG off (cached templates, no query log: production-like speed), the
fake registers and the development e-ID still on, which the system check refuses when DEBUG is
off: only those checks are silenced, and only here. The bench adds a one-INSERT endpoint (the CPU
floor for submits, `bench/urls.py`) and, with BENCH_QUERY_COUNT_DIR set, a per-process count of
the SQL statements workers send (`bench/worker_counter.py`).
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = False
SILENCED_SYSTEM_CHECKS = ["bistand.E001", "bistand.E002", "bistand.E004"]
ROOT_URLCONF = "bench.urls"
BENCH_QUERY_COUNT_DIR = env.str("BENCH_QUERY_COUNT_DIR", default="")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
