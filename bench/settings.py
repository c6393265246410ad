"""Settings for the benchmark's web and worker processes (`make bench`), never for production.

The local settings with DEBUG off (cached templates, no query log: production-like speed), the
fake registers and the development e-ID still on, which every process refuses when DEBUG is off
(config/startup.py): only here (and in the tests), ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG lets
them run. The bench adds a one-INSERT endpoint (the CPU floor for submits, `bench/urls.py`) and,
with BENCH_QUERY_COUNT_DIR set, a per-process count of the SQL statements workers send
(`bench/worker_counter.py`).
"""

from config.settings.local import *  # noqa: F403
from config.settings.local import env

DEBUG = False
ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG = True
ROOT_URLCONF = "bench.urls"
BENCH_QUERY_COUNT_DIR = env.str("BENCH_QUERY_COUNT_DIR", default="")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
