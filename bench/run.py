"""The benchmark (#10): `make bench` (full) and `make bench-quick` (under three minutes).

Against a dedicated PostgreSQL database (`bistand_bench`, created and dropped here), a private
redis-server on a free port, real Celery workers and gunicorn on loopback, it measures:

  (a) submit -> proposal ready with per-person fake register delays (50-300 ms), as a ratio to
      each application's slowest register (the floor, known exactly from `fake_delay_ms`);
  (b) a month of re-applications with instant fakes: seconds and SQL statements per
      application, counted inside the worker processes (`bench/worker_counter.py`);
  (c) the caseworker queue with 100,000 applications: queries (at 1,000 and 100,000 rows) and
      time, against a bare `SELECT ... ORDER BY ... LIMIT 25` of the same columns;
  (d) 50 concurrent applicants submitting over HTTP: throughput, p95, errors, and the web
      workers' CPU per submit and p95 against a one-INSERT endpoint behind the same middleware,
      sent by the same 50 users the same number of times (gunicorn as deployed,
      config/gunicorn.py);
  (e) the engine, through `bench/engine.py`;
  (f) the case page at the queue's size, a case with 36 months of history and a new one:
      queries (equal for both) and p95 against a bare primary-key SELECT of the row.

Correctness gates (one proposal per application, totals equal to the engine's, no double
booking, nothing left unprocessed) fail the run with exit status 1; a missed target does not.
Writes `bench/results/latest.json` and `latest.md` (and `<mode>.json`), and prints the table.

    python bench/run.py --quick | --full [--pool threads|prefork] [--concurrency N] [--keep]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from tests.services import redis_server  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = os.environ.get("BENCH_DB_NAME", "bistand_bench")  # one per concurrent run
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
DELAY_SPEC = "per_person:50-300"
GUNICORN_CONFIG = ROOT / "config" / "gunicorn.py"
MONTH = date(2026, 12, 1)  # the month applied for; the previous month's are the renewals' base


@dataclass(frozen=True)
class Mode:
    name: str
    e2e_samples: int
    batch_apps: int
    queue_rows: int
    queue_samples: int
    users: int
    submits_per_user: int
    load_seconds: float  # bound on the load phase
    batch_timeout: float


# Quick: the queue at 20,000 rows (filling 100,000 alone takes ~40 s here); see README.
QUICK = Mode("quick", 20, 2_000, 20_000, 20, 50, 4, 30.0, 120.0)
FULL = Mode("full", 120, 10_000, 100_000, 100, 50, 20, 120.0, 600.0)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def load_average() -> float:
    return os.getloadavg()[0]


# --- services -------------------------------------------------------------------------------


def database_recreate() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def database_drop() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


@dataclass
class Services:
    redis_port: int = 0
    redis_dir: Path | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    gunicorn: subprocess.Popen[bytes] | None = None
    logs: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bistand-bench-")))

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": self.redis_url,
            "ROBOT_MODE": "celery",
            "REGISTER_FAKE_DELAY_MS": "0",
            **extra,
        }

    def workers_start(self, *, pool: str, concurrency: int, processes: int, **extra: str) -> None:
        """Start `processes` worker processes and wait until each consumes (worker_ready)."""
        ready = Path(tempfile.mkdtemp(prefix="ready-", dir=self.logs))
        extra = {**extra, "BENCH_READY_DIR": str(ready)}
        for n in range(processes):
            log_path = self.logs / f"worker-{len(self.workers)}.log"
            with open(log_path, "wb") as out:
                process = subprocess.Popen(
                    [
                        sys.executable, "-m", "celery", "-A", "bench.celery_app", "worker",
                        "-P", pool, "-c", str(concurrency), "--without-mingle",
                        "--without-gossip", "--without-heartbeat", "-l", "warning",
                        "-n", f"bench{n}-{os.getpid()}@%h",
                    ],
                    cwd=ROOT, env=self.env(**extra), stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
            self.workers.append(process)
        deadline = time.monotonic() + 60
        while len(list(ready.iterdir())) < processes:
            if any(p.poll() is not None for p in self.workers):
                raise RuntimeError(f"a worker died; see {self.logs}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers not ready within 60 s; see {self.logs}")
            time.sleep(0.2)

    def workers_stop(self) -> None:
        for process in self.workers:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        for process in self.workers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # prefork children, if any linger
        self.workers = []

    def gunicorn_start(self, port: int) -> None:
        log_path = self.logs / "gunicorn.log"
        with open(log_path, "wb") as out:
            # The production configuration (worker model and all, config/gunicorn.py: what we
            # measure is what we deploy); only the address and a patient timeout are the bench's.
            self.gunicorn = subprocess.Popen(
                [
                    sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), "config.wsgi",
                    "-b", f"127.0.0.1:{port}", "--timeout", "60",
                ],
                cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        import requests

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"http://127.0.0.1:{port}/", timeout=2).status_code < 500:
                    return
            if self.gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn died: {log_path.read_text()[-2000:]}")
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def gunicorn_workers(self) -> list[int]:
        assert self.gunicorn is not None
        pid = self.gunicorn.pid
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(child) for child in text.split()]

    def gunicorn_stop(self) -> None:
        if self.gunicorn is None:
            return
        self.gunicorn.send_signal(signal.SIGTERM)
        try:
            self.gunicorn.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.gunicorn.pid, signal.SIGKILL)
            self.gunicorn.wait(timeout=10)
        self.gunicorn = None

    def stop_all(self) -> None:
        self.gunicorn_stop()
        self.workers_stop()
        if self.redis_dir is not None:
            redis_server.stop(self.redis_port, self.redis_dir)
            shutil.rmtree(self.redis_dir, ignore_errors=True)
            self.redis_dir = None


def gunicorn_model() -> str:
    """The worker model config/gunicorn.py gives (with this environment's WEB_* overrides)."""
    import runpy

    conf = runpy.run_path(str(GUNICORN_CONFIG))
    threads = f" × {conf['threads']} threads" if conf["worker_class"] == "gthread" else ""
    return f"{conf['workers']} {conf['worker_class']} workers{threads} (config/gunicorn.py)"


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the processes, from /proc/<pid>/stat (clock ticks)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / ticks


# --- stages ---------------------------------------------------------------------------------


class People:
    """Hands out ranges of synthetic person numbers so no two households share one."""

    def __init__(self) -> None:
        self.next = 0

    def take(self, count: int) -> int:
        first = self.next
        self.next += count
        return first


def stage_engine() -> dict[str, Any]:
    from bench import engine
    from eligibility.rules import calculate

    households = engine.build_households(engine.HOUSEHOLDS, engine.SEED)
    for household in households:
        calculate(household)  # warm the caches, as bench/engine.py does

    def run_engine(chunk: list[Any]) -> None:
        for household in chunk:
            calculate(household)

    def run_floor(chunk: list[Any]) -> None:
        total = 0
        for household in chunk:
            costs = household.costs
            total += costs.rent + costs.electricity + len(household.members)

    engine_s, floor_s = engine.best_times(households, [run_engine, run_floor])
    engine_us = engine_s / len(households) * 1e6
    floor_us = floor_s / len(households) * 1e6
    return {
        "engine_us_per_household": engine_us,
        "engine_floor_us": floor_us,
        "engine_ratio_to_floor": report.ratio(engine_us, floor_us),
    }


def stage_queue(mode: Mode, people: People) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import DateTimeField
    from django.db.models.functions import Coalesce
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.data import staff_create
    from bench.queue_rows import queue_rows_create
    from caseworker.models import QueueCount
    from caseworker.workbench.queue_counts import queue_counts_compact
    from intake.models import Application
    from intake.states import OPEN_STATUSES

    staff = staff_create(code="9998", name="Kökommun", caseworkers=12, secretaries=0)
    caseworker = staff.caseworkers[0]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(caseworker)

    def page_queries() -> tuple[int, int, list[str]]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/handlaggare/")
        assert response.status_code == 200, response.status_code
        sqls = [q["sql"] for q in captured.captured_queries]
        overhead = [s for s in sqls if _is_request_overhead(s)]
        return len(sqls) - len(overhead), len(sqls), sqls

    def analyze() -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    queue_rows_create(municipality=staff.municipality, owners=staff.caseworkers, count=1000)
    analyze()
    page_queries()  # warm
    at_1000, total_1000, _sql = page_queries()
    log(f"queue: {at_1000} queries at 1,000 rows; inserting up to {mode.queue_rows:,}")
    queue_rows_create(
        municipality=staff.municipality,
        owners=staff.caseworkers,
        count=mode.queue_rows - 1000,
        start=1000,
    )
    # The count table as after its nightly roll-up (#20 c): the rows above span months, and days
    # older than every boundary are merged into one (the counts are exact either way).
    queue_counts_compact()
    analyze()
    for _ in range(3):
        page_queries()
    at_full, total_full, sqls = page_queries()

    def renders() -> list[float]:
        times = []
        for _ in range(mode.queue_samples):
            began = time.perf_counter()
            response = client.get("/handlaggare/")
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200
        return times

    # The counts are exact on every render (#20 c): read from the count table, never cached.
    times = renders()
    bare_sql, bare_params = (
        Application.objects.filter(municipality=staff.municipality, status__in=OPEN_STATUSES)
        .select_related("applicant", "owner")
        .order_by(Coalesce("submitted_at", "created_at", output_field=DateTimeField()), "id")[:26]
        .query.sql_with_params()
    )
    bare = []
    with connection.cursor() as cursor:
        for _ in range(max(30, mode.queue_samples)):
            began = time.perf_counter()
            cursor.execute(bare_sql, bare_params)
            cursor.fetchall()
            bare.append((time.perf_counter() - began) * 1000)
    queue_p95 = report.percentile(times, 0.95)
    bare_p95 = report.percentile(bare, 0.95)
    return {
        "queue_rows": Application.objects.filter(municipality=staff.municipality).count(),
        "queue_queries": at_full,
        "queue_queries_at_1000": at_1000,
        "queue_queries_with_session": total_full,
        "queue_queries_with_session_at_1000": total_1000,
        "queue_p50_ms": report.percentile(times, 0.5),
        "queue_p95_ms": queue_p95,
        "queue_bare_select_p95_ms": bare_p95,
        "queue_ratio_to_bare_select": report.ratio(queue_p95, bare_p95),
        "queue_count_table_rows": QueueCount.objects.filter(
            municipality=staff.municipality
        ).count(),
        "queue_sql": [s[:300] for s in sqls],
    }


CASE_HISTORY_MONTHS = 36


def stage_case_page(mode: Mode, people: People) -> dict[str, Any]:
    """(f) The case page with `mode.queue_rows` applications in the table: a case with 36
    decided months before it and a new case, both built through the services (robot in this
    process, letters, notices, payment orders, meetings), both waiting for their caseworker
    with the warnings acknowledged. The same in-process logged-in client as the queue stage;
    the floor is a bare primary-key SELECT of the application row on the same connection."""
    from decimal import Decimal

    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from bench.data import applicants_create, staff_create
    from bench.queue_rows import queue_rows_create
    from intake.models import Application, Decision
    from intake.states import Status
    from tests.builders import case_with_history_make

    staff = staff_create(code="9997", name="Ärendekommun", caseworkers=1, secretaries=2)
    staff.municipality.sample_share = Decimal(0)  # no stickprov: both cases alike
    staff.municipality.save(update_fields=["sample_share"])
    caseworker = staff.caseworkers[0]
    rows = Application.objects.count()
    if rows < mode.queue_rows:
        # Run without (c): the table as large as (c) makes it, in another municipality (the
        # robot claims the waiting applications of its case's municipality with it).
        filler = staff_create(code="9996", name="Fyllnadskommun", caseworkers=1, secretaries=0)
        queue_rows_create(
            municipality=filler.municipality,
            owners=filler.caseworkers,
            count=mode.queue_rows - rows,
        )
    applicants = applicants_create(first_index=people.take(2), count=2)
    with override_settings(ROBOT_MODE="sync"):  # the robot and the after-commit work in here
        long = case_with_history_make(
            applicant=applicants[0],
            municipality=staff.municipality,
            owner=caseworker,
            month=MONTH,
            months=CASE_HISTORY_MONTHS,
        )
        new = case_with_history_make(
            applicant=applicants[1],
            municipality=staff.municipality,
            owner=caseworker,
            month=MONTH,
            months=0,
        )
    history = []
    earlier = long.previous
    while earlier is not None:
        history.append(earlier.pk)
        earlier = earlier.previous
    decided = Decision.objects.filter(application_id__in=history).count()
    if {long.status, new.status} != {Status.AWAITING_CASEWORKER} or decided != len(history):
        raise RuntimeError(
            f"case page: the cases were not built ({long.status}, {new.status}, {decided} of "
            f"{len(history)} months decided): see the robot's log above"
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(caseworker)
    urls = {"long": f"/handlaggare/arende/{long.pk}/", "new": f"/handlaggare/arende/{new.pk}/"}

    def page_queries(url: str) -> tuple[int, int, float]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        sqls = [q["sql"] for q in captured.captured_queries]
        own = [s for s in sqls if not _is_request_overhead(s)]
        sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        return len(own), len(sqls), sql_ms

    for _ in range(3):
        for url in urls.values():
            page_queries(url)  # warm: templates, sessions, the reference cache
    counted = {kind: page_queries(url) for kind, url in urls.items()}
    samples = max(30, mode.queue_samples * 2)
    times: dict[str, list[float]] = {"long": [], "new": []}
    for _ in range(samples):
        for kind, url in urls.items():
            began = time.perf_counter()
            response = client.get(url)
            times[kind].append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200
    bare_sql, bare_params = Application.objects.filter(pk=long.pk).query.sql_with_params()
    bare = []
    with connection.cursor() as cursor:
        for _ in range(samples * 2):
            began = time.perf_counter()
            cursor.execute(bare_sql, bare_params)
            cursor.fetchall()
            bare.append((time.perf_counter() - began) * 1000)
    page_p95 = report.percentile(times["long"], 0.95)
    bare_p95 = report.percentile(bare, 0.95)
    return {
        "case_page_rows": Application.objects.count(),
        "case_page_history_months": len(history),
        "case_page_queries": counted["long"][0],
        "case_page_queries_new": counted["new"][0],
        "case_page_queries_history_minus_new": counted["long"][0] - counted["new"][0],
        "case_page_queries_with_session": counted["long"][1],
        "case_page_sql_ms": counted["long"][2],
        "case_page_p50_ms": report.percentile(times["long"], 0.5),
        "case_page_p95_ms": page_p95,
        "case_page_new_p95_ms": report.percentile(times["new"], 0.95),
        "case_page_pk_select_p95_ms": bare_p95,
        "case_page_ratio_to_pk_select": report.ratio(page_p95, bare_p95),
    }


def _is_request_overhead(sql: str) -> bool:
    """The session (read, save in its own transaction) and the auth middleware's user lookup:
    every logged-in page pays them, so the queue's own queries are counted without them."""
    return (
        "django_session" in sql
        or sql.strip() in ("BEGIN", "COMMIT")
        or sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
        or ('FROM "accounts_user" WHERE "accounts_user"."id" = ' in sql and "LIMIT 21" in sql)
    )


def e2e_floor_ms(adults: list[str]) -> int:
    from eligibility.registers import configured_registers
    from eligibility.registers.simulation import fake_delay_ms

    return max(
        fake_delay_ms(source, pnr, DELAY_SPEC)
        for source in configured_registers()
        for pnr in adults
    )


def stage_e2e(mode: Mode, services: Services, staff: Any, people: People, args: Any) -> dict:
    from django.db import close_old_connections

    from bench.data import adults_of, applicants_create, applications_create
    from intake.models import Application, ApplicationEvent
    from intake.services import application_submit
    from intake.states import Status

    warmup = 3
    count = mode.e2e_samples + warmup
    applicants = applicants_create(first_index=people.take(count), count=count)
    drafts = applications_create(
        staff=staff,
        applicants=applicants,
        month=MONTH,
        status=Status.DRAFT,
        first_person_index=people.take(4 * count),
        seed=1,
        partners=False,  # a joint application waits for the partner's signature
    )
    services.workers_start(
        pool=args.pool,
        concurrency=args.concurrency,
        processes=1,
        REGISTER_FAKE_DELAY=DELAY_SPEC,
    )
    ids = []
    for n, (draft, applicant) in enumerate(zip(drafts, applicants, strict=True)):
        application_submit(application=draft, applicant=applicant)
        ids.append(draft.pk)
        # One every 0.2 s: about two in flight, so this measures latency, not a queue.
        time.sleep(1.0 if n < warmup else 0.2)
    measured = ids[warmup:]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        close_old_connections()
        left = Application.objects.filter(
            pk__in=ids, status__in=[Status.SUBMITTED, Status.PROCESSING]
        ).count()
        if not left:
            break
        time.sleep(0.2)
    services.workers_stop()
    done = {
        e.application_id: e.created_at
        for e in ApplicationEvent.objects.filter(
            application_id__in=measured, to_status=Status.AWAITING_CASEWORKER
        )
    }
    e2e, floors, ratios = [], [], []
    for application in Application.objects.filter(pk__in=measured).prefetch_related("members"):
        if application.pk not in done:
            continue
        seconds = (done[application.pk] - application.submitted_at).total_seconds()
        floor = e2e_floor_ms(adults_of(application)) / 1000
        e2e.append(seconds)
        floors.append(floor)
        ratios.append(seconds / floor)
    return {
        "e2e_samples": len(e2e),
        "e2e_p50_s": report.percentile(e2e, 0.5),
        "e2e_p95_s": report.percentile(e2e, 0.95),
        "e2e_floor_p50_s": report.percentile(floors, 0.5),
        "e2e_p95_ratio": report.percentile(ratios, 0.95),
        "e2e_p50_ratio": report.percentile(ratios, 0.5),
        "_ids": ids,
    }


def stage_batch(mode: Mode, services: Services, staff: Any, people: People, args: Any) -> dict:
    from django.db import close_old_connections
    from django.db.models import Max

    from bench.batch_floor import batch_floor, tables_mark
    from bench.data import applicants_create, applications_create
    from bench.worker_counter import totals
    from eligibility.robot.tasks import process_application
    from intake.models import Application, ApplicationEvent
    from intake.services import previous_month
    from intake.states import Status

    count = mode.batch_apps
    applicants = applicants_create(first_index=people.take(count), count=count)
    household_people = people.take(4 * count)
    previous = applications_create(
        staff=staff,
        applicants=applicants,
        month=previous_month(MONTH),
        status=Status.APPROVED,
        first_person_index=household_people,
        seed=2,
    )
    renewals = applications_create(
        staff=staff,
        applicants=applicants,
        month=MONTH,
        status=Status.SUBMITTED,
        first_person_index=household_people,
        previous=previous,
        seed=2,
    )
    ids = [a.pk for a in renewals]
    counts = services.logs / f"queries-{time.monotonic_ns()}"
    counts.mkdir()
    marks = tables_mark(DATABASE_URL)  # to find, afterwards, the rows the batch wrote
    services.workers_start(
        pool=args.pool,
        concurrency=args.concurrency,
        processes=args.processes,
        REGISTER_FAKE_DELAY="0",
        BENCH_QUERY_COUNT_DIR=str(counts),
    )
    log(f"batch: {count:,} renewals submitted; handing them to the workers")
    started = time.time()
    began = time.monotonic()
    for pk in ids:
        process_application.apply_async(args=[pk], retry=False)
    published = time.monotonic() - began
    deadline = began + mode.batch_timeout
    left = count
    while time.monotonic() < deadline:
        close_old_connections()
        left = Application.objects.filter(
            pk__in=ids, status__in=[Status.SUBMITTED, Status.PROCESSING]
        ).count()
        if not left:
            break
        time.sleep(0.5)
    last = ApplicationEvent.objects.filter(
        application_id__in=ids, to_status=Status.AWAITING_CASEWORKER
    ).aggregate(last=Max("created_at"))["last"]
    services.workers_stop()
    seconds = (last.timestamp() - started) if last and not left else time.monotonic() - began
    counted = totals(counts)
    tasks = max(1, counted["tasks"])
    log("batch: the floor writes the same rows with one COPY per table")
    floor = batch_floor(database_url=DATABASE_URL, before=marks, application_ids=ids)
    return {
        "batch_apps": count,
        "batch_unprocessed": left,
        "batch_seconds": seconds,
        "batch_publish_seconds": published,
        "batch_apps_per_s": (count - left) / seconds if seconds else 0.0,
        "batch_seconds_per_10k": seconds / max(1, count - left) * 10_000,
        **floor,
        "batch_ratio_to_floor": report.ratio(seconds, floor["batch_floor_seconds"]),
        "batch_queries_per_app": counted["statements"] / tasks,
        "batch_savepoints_per_app": counted["savepoints"] / tasks,
        "batch_tasks_counted": counted["tasks"],
        "batch_workers": f"{args.processes} × celery -P {args.pool} -c {args.concurrency}",
        "_ids": ids,
    }


def stage_load(mode: Mode, services: Services, staff: Any, people: People, args: Any) -> dict:
    import requests
    from django.db import close_old_connections

    from bench.data import applicants_create, applications_create, sessions_create
    from intake.models import Application
    from intake.states import Status

    total = mode.users * mode.submits_per_user
    applicants = applicants_create(first_index=people.take(total), count=total)
    drafts = applications_create(
        staff=staff,
        applicants=applicants,
        month=MONTH,
        status=Status.DRAFT,
        first_person_index=people.take(4 * total),
        seed=3,
        partners=False,  # a joint application waits for the partner's signature
    )
    sessions = sessions_create(applicants)
    services.workers_start(pool=args.pool, concurrency=args.concurrency, processes=args.processes)
    port = redis_server.free_port()
    services.gunicorn_start(port)
    base = f"http://127.0.0.1:{port}"
    csrf = "b" * 32  # an unmasked CSRF secret: Django accepts it as cookie and form token
    jobs = [(sessions[a.pk], d.pk) for a, d in zip(applicants, drafts, strict=True)]

    sent_ids: list[int] = []
    Job = tuple[str, str, int]  # kind ("floor" or "submit"), session key, draft

    def run(work: list[Job]) -> tuple[dict[str, list[float]], dict[str, int], float, float]:
        """Send `work` with `mode.users` threads, each its own connection; bounded in time.
        Times and errors by kind; CPU of the web workers and wall time for the whole run."""
        queue = list(reversed(work))
        lock = threading.Lock()
        times: dict[str, list[float]] = {"floor": [], "submit": []}
        errors = {"floor": 0, "submit": 0}
        stop_at = time.monotonic() + mode.load_seconds

        def user() -> None:
            http = requests.Session()
            while time.monotonic() < stop_at:
                with lock:
                    if not queue:
                        return
                    kind, session_key, pk = queue.pop()
                url = (
                    f"{base}/bench/one-insert/"
                    if kind == "floor"
                    else f"{base}/ansokan/{pk}/granska/"
                )
                began = time.perf_counter()
                try:
                    response = http.post(
                        url,
                        data={"declaration": "on", "csrfmiddlewaretoken": csrf},
                        cookies={"sessionid": session_key, "csrftoken": csrf},
                        headers={"Referer": base + "/"},
                        allow_redirects=False,
                        timeout=30,
                    )
                    ok = response.status_code == (204 if kind == "floor" else 302)
                except requests.RequestException:
                    ok = False
                elapsed = (time.perf_counter() - began) * 1000
                with lock:
                    times[kind].append(elapsed)
                    errors[kind] += not ok
                    if kind == "submit":
                        sent_ids.append(pk)

        pids = services.gunicorn_workers()
        cpu_before = cpu_seconds(pids)
        began = time.monotonic()
        threads = [threading.Thread(target=user) for _ in range(mode.users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - began
        return times, errors, cpu_seconds(pids) - cpu_before, wall

    def as_jobs(kind: str, chosen: list[tuple[str, int]]) -> list[Job]:
        return [(kind, key, pk) for key, pk in chosen]

    # Warm both endpoints (each gunicorn worker imports and connects on first use).
    warm = jobs[: mode.users]
    run(as_jobs("floor", warm) + as_jobs("submit", warm))
    # CPU: each endpoint alone, the same users (threads, sessions, CSRF, middleware) and the same
    # number of requests, one after the other on the same warm workers: the web workers' CPU
    # per request. Half of the measured drafts.
    measured = jobs[mode.users :]
    alone, mixed = measured[: len(measured) // 2], measured[len(measured) // 2 :]
    floor_alone, _errors, floor_cpu, _wall = run(as_jobs("floor", alone))
    submit_alone, errors_alone, submit_cpu, wall = run(as_jobs("submit", alone))
    # p95: both endpoints under the same load at the same time (#20 d): the 50 users send a
    # submit and a one-INSERT request in turn, so both wait behind the same submits and the
    # same robot workers busy with them. The other half of the drafts.
    both = [
        job
        for pair in zip(as_jobs("submit", mixed), as_jobs("floor", mixed), strict=True)
        for job in pair
    ]
    together, errors_together, _cpu, together_wall = run(both)
    submit_times, floor_times = together["submit"], together["floor"]
    errors = errors_alone["submit"] + errors_together["submit"]
    floor_errors = _errors["floor"] + errors_together["floor"]
    sent = len(submit_alone["submit"])
    services.gunicorn_stop()
    deadline = time.monotonic() + 120
    ids = [pk for _key, pk in jobs]
    while time.monotonic() < deadline:
        close_old_connections()
        if not Application.objects.filter(
            pk__in=ids, status__in=[Status.SUBMITTED, Status.PROCESSING]
        ).exists():
            break
        time.sleep(0.5)
    services.workers_stop()
    # Every draft the load sent (warm-up included) must have been submitted and processed.
    submitted = sent_ids
    submit_cpu_ms = submit_cpu / max(1, sent) * 1000
    floor_cpu_ms = floor_cpu / max(1, len(floor_alone["floor"])) * 1000
    return {
        "submit_users": mode.users,
        "submit_requests": sent + len(submit_times),
        "submit_per_s": sent / wall if wall else 0.0,
        "submit_p50_ms": report.percentile(submit_times, 0.5),
        "submit_p95_ms": report.percentile(submit_times, 0.95),
        "submit_errors": errors,
        "floor_requests": len(floor_alone["floor"]) + len(floor_times),
        "floor_errors": floor_errors,
        "floor_p95_ms": report.percentile(floor_times, 0.95),
        "submit_p95_ratio_to_floor": report.ratio(
            report.percentile(submit_times, 0.95), report.percentile(floor_times, 0.95)
        ),
        "submit_alone_p95_ms": report.percentile(submit_alone["submit"], 0.95),
        "floor_alone_p95_ms": report.percentile(floor_alone["floor"], 0.95),
        "load_mixed_seconds": together_wall,
        "submit_cpu_ms_per_request": submit_cpu_ms,
        "floor_cpu_ms_per_request": floor_cpu_ms,
        "submit_cpu_ratio_to_floor": report.ratio(submit_cpu_ms, floor_cpu_ms),
        "_ids": submitted,
    }


# --- gates ----------------------------------------------------------------------------------


def gates_check(ids: list[int], sample: int) -> list[report.Gate]:
    from django.db import connection
    from django.db.models import Count

    from eligibility.models import Proposal, RegisterSnapshot
    from eligibility.robot.assessment import household_build
    from eligibility.rules import calculate
    from intake.models import Application
    from intake.services import declared_incomes, declared_members
    from intake.states import Status

    per_application = dict(
        Proposal.objects.filter(application_id__in=ids)
        .values_list("application")
        .annotate(n=Count("id"))
    )
    waiting = Application.objects.filter(
        pk__in=ids, status__in=[Status.SUBMITTED, Status.PROCESSING, Status.NEEDS_MANUAL]
    ).count()
    chosen = random.Random(7).sample(ids, min(sample, len(ids)))
    pairs = []
    for application in Application.objects.filter(pk__in=chosen).select_related("municipality"):
        proposal = Proposal.objects.filter(application=application).order_by("-round").first()
        if proposal is None:
            continue
        snapshots = list(
            RegisterSnapshot.objects.filter(application=application, round=proposal.round)
        )
        household = household_build(
            application=application,
            members=declared_members(application),
            snapshots=snapshots,
            incomes=declared_incomes(application),
        )
        pairs.append((application.pk, proposal.amount, calculate(household).amount))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT secretary_id, starts_at FROM meetings_meeting "
            "WHERE cancelled_at IS NULL GROUP BY secretary_id, starts_at HAVING count(*) > 1) c"
        )
        clashes = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM meetings_meeting WHERE cancelled_at IS NULL")
        meetings = cursor.fetchone()[0]
    return [
        report.gate_all_processed(waiting, len(ids)),
        report.gate_one_proposal(per_application, ids),
        report.gate_totals(pairs),
        report.gate_no_double_booking(clashes, meetings),
    ]


# --- the run --------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import psycopg

    with psycopg.connect(PG_ADMIN) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    redis_version = subprocess.run(
        ["redis-server", "--version"], capture_output=True, text=True, check=False
    ).stdout.split()
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "postgresql": pg,
        "redis": next((w.split("=")[1] for w in redis_version if w.startswith("v=")), ""),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


@contextlib.contextmanager
def stage(name: str, loads: dict[str, Any]) -> Iterator[None]:
    before = load_average()
    began = time.monotonic()
    log(f"{name}: start (load average {before:.2f})")
    yield
    loads[name] = {
        "load_before": round(before, 2),
        "load_after": round(load_average(), 2),
        "seconds": round(time.monotonic() - began, 1),
    }
    log(f"{name}: done in {loads[name]['seconds']} s (load average {load_average():.2f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="under three minutes (default)")
    size.add_argument("--full", action="store_true", help="10,000 renewals, more samples")
    parser.add_argument("--pool", default="threads", choices=("threads", "prefork"))
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--processes", type=int, default=os.cpu_count() or 1, help="worker processes (one per CPU)"
    )
    parser.add_argument("--only", default="e,c,f,a,b,d", help="stages to run, e.g. b")
    parser.add_argument("--keep", action="store_true", help="keep the bistand_bench database")
    args = parser.parse_args(argv)
    mode = FULL if args.full else QUICK
    stages = set(args.only.split(","))
    wall_began = time.monotonic()

    services = Services()
    results: dict[str, Any] = {}
    loads: dict[str, Any] = {}
    ids: list[int] = []
    try:
        log(f"bench {mode.name}: database {DB_NAME}, private Redis, logs in {services.logs}")
        database_recreate()
        services.redis_dir = Path(tempfile.mkdtemp(prefix="bistand-bench-redis-"))
        services.redis_port = redis_server.start(0, services.redis_dir)
        os.environ.update(
            {
                k: v
                for k, v in services.env().items()
                if k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "ROBOT_MODE")
            }
        )
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=services.env(),
            check=True,
        )
        import django

        django.setup()
        from bench.data import staff_create

        people = People()
        if "e" in stages:
            with stage("(e) engine", loads):
                results.update(stage_engine())
        if "c" in stages:
            with stage("(c) queue", loads):
                results.update(stage_queue(mode, people))
        if "f" in stages:
            with stage("(f) case page", loads):
                results.update(stage_case_page(mode, people))
        bookings = mode.e2e_samples + 3 + mode.batch_apps + mode.users * mode.submits_per_user
        # Enough arbetslivssekreterare that every meeting fits on the next working day.
        staff = staff_create(
            code="9999",
            name="Bänkkommun",
            caseworkers=40,
            secretaries=bookings // 9 + 1 + bookings // 90,
        )
        for key, name, run in (
            ("a", "(a) submit → proposal", stage_e2e),
            ("b", "(b) month batch", stage_batch),
            ("d", "(d) 50 applicants submitting", stage_load),
        ):
            if key in stages:
                with stage(name, loads):
                    figures = run(mode, services, staff, people, args)
                ids += figures.pop("_ids")
                results.update(figures)
        with stage("gates", loads):
            gates = gates_check(ids, sample=200) if ids else []
    finally:
        services.stop_all()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with contextlib.suppress(Exception):
                database_drop()
    meta = {
        "mode": mode.name,
        "machine": machine(),
        "load_average": loads,
        "wall_seconds": round(time.monotonic() - wall_began, 1),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "workers": f"{args.processes} × celery -P {args.pool} -c {args.concurrency}",
        "gunicorn": gunicorn_model(),
        "register_delay_for_e2e": DELAY_SPEC,
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip(),
    }
    document = report.results_write(
        RESULTS / "latest.json", results=results, gates=gates, meta=meta
    )
    shutil.copyfile(RESULTS / "latest.json", RESULTS / f"{mode.name}.json")
    header = (
        f"Bench {mode.name}, {meta['when']}, {meta['wall_seconds']} s; "
        f"{meta['machine']['cpus']} CPUs, {meta['machine']['memory_gb']} GB, PostgreSQL "
        f"{meta['machine']['postgresql']}, Redis {meta['machine']['redis']}; workers "
        f"{meta['workers']}\nLoad average per stage (before → after): "
        + "; ".join(f"{k} {v['load_before']} → {v['load_after']}" for k, v in loads.items())
    )
    (RESULTS / "latest.md").write_text(header + "\n\n" + report.markdown_table(results, gates))
    shutil.copyfile(RESULTS / "latest.md", RESULTS / f"{mode.name}.md")
    print()
    print(header)
    print()
    print(report.text_table(results, gates), end="")
    print(f"\nwrote {RESULTS / 'latest.json'}")
    return 0 if document["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
