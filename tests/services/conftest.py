"""Service tests: real PostgreSQL, real Redis, a real Celery worker process.

`make test` runs them in a second pass with DATABASE_URL and REDIS_URL set. Where a service is
missing they skip with the reason printed; with CI=true they fail instead.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from . import redis_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """One PostgreSQL test database per pytest process (like the SQLite pass's per-process file),
    so two service passes on one machine never drop each other's database."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        db.setdefault("TEST", {})["NAME"] = f"test_{db['NAME']}_{os.getpid()}"


class PrivateRedis:
    """The pass's own redis-server (started by scripts/test.sh): tests may stop and restart it."""

    def __init__(self, port: int, directory: Path) -> None:
        self.port = port
        self.directory = directory
        self.frozen = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def is_up(self) -> bool:
        return redis_server.ping(self.port)

    def stop(self, *, kill: bool = False) -> None:
        redis_server.stop(self.port, self.directory, kill=kill)
        assert not self.is_up(), "redis-server still answers after stop"

    def start(self) -> None:
        self.thaw()
        redis_server.start(self.port, self.directory)

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections (the kernel's backlog) but nothing
        answers, like a hung server or a network path that drops packets."""
        pid = redis_server.server_pid(self.directory)
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        pid = redis_server.server_pid(self.directory)
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self.frozen = False


@pytest.fixture(scope="session")
def private_redis() -> PrivateRedis:
    missing = os.environ.get("BISTAND_TEST_REDIS_MISSING")
    _require(not missing, missing or "")
    port, directory = (
        os.environ.get("BISTAND_TEST_REDIS_PORT"),
        os.environ.get("BISTAND_TEST_REDIS_DIR"),
    )
    _require(
        bool(port and directory), "no private redis-server (BISTAND_TEST_REDIS_*): run `make test`"
    )
    server = PrivateRedis(int(port or 0), Path(directory or ""))
    _require(
        os.environ.get("REDIS_URL") == server.url,
        f"REDIS_URL must be {server.url} (the private server) before pytest starts",
    )
    return server


@pytest.fixture
def redis_url(private_redis: PrivateRedis) -> Iterator[str]:
    """The private Redis, up and empty at the start of each test (a failed test may leave it
    stopped or with stale tasks) and up again afterwards."""
    import redis

    private_redis.start()
    client = redis.Redis.from_url(private_redis.url, socket_connect_timeout=2)
    client.flushdb()
    client.close()
    yield private_redis.url
    private_redis.start()


@pytest.fixture(autouse=True)
def queue_counts_reconciled(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every service test that used the database, the fault suite's included, and once
    its workers are stopped: the queue's count table equals a full count of the applications
    (#20 c), 0 differences. Set up first, so it is torn down after the workers and before the
    database is emptied."""
    names = request.fixturenames
    if "transactional_db" not in names and "db" not in names:
        yield
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in names else "db")
    yield
    from caseworker.workbench.queue_counts import queue_counts_differences

    if connection.vendor == "postgresql":
        differences = queue_counts_differences()
        assert differences == [], "\n".join(differences[:20])


@pytest.fixture
def postgres(transactional_db: None) -> str:
    _require(
        connection.vendor == "postgresql", "DATABASE_URL is not PostgreSQL: run through `make test`"
    )
    return str(connection.settings_dict["NAME"])


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


class Workers:
    """Real `celery worker` processes on the test database and the private Redis.

    Each worker runs in its own session (process group), so `kill` takes the main process and its
    prefork children down together with SIGKILL, as the OOM killer or a pulled plug would.
    """

    def __init__(self, database_url: str, redis_url: str, test_name: str) -> None:
        self.database_url = database_url
        self.redis_url = redis_url
        self.test_name = test_name
        self.started: list[Worker] = []
        ARTIFACTS.mkdir(exist_ok=True)

    def start(self, name: str = "w1", *, wait: bool = True, **env_overrides: object) -> Worker:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.services.worker_settings",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "ROBOT_MODE": "celery",
            **{key: str(value) for key, value in env_overrides.items()},
        }
        log = ARTIFACTS / f"celery-{self.test_name}-{name}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "config", "worker",
                    "-P", "prefork", "-c", "2", "--without-mingle", "--without-gossip",
                    "-n", f"{name}-{os.getpid()}@%h", "-l", "info",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        worker = Worker(name, process, log)
        self.started.append(worker)
        if wait:
            assert wait_until(
                lambda: " ready." in worker.log_text() or process.poll() is not None, timeout=30
            ), f"worker {name} not ready within 30 s:\n{worker.log_text()[-3000:]}"
            assert process.poll() is None, f"worker {name} died:\n{worker.log_text()[-3000:]}"
        return worker

    def kill(self, worker: Worker) -> None:
        """SIGKILL the worker's whole process group: no warm shutdown, no ack, no requeue."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(timeout=10)

    def stop(self, worker: Worker, timeout: float = 15) -> None:
        if worker.process.poll() is not None:
            return
        worker.process.send_signal(signal.SIGTERM)
        try:
            worker.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill(worker)
        else:
            # Pool children are gone with a warm shutdown; make sure nothing lingers.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.process.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for worker in self.started:
            self.stop(worker)

    def logs(self) -> str:
        return "\n".join(w.log_text() for w in self.started)


@pytest.fixture
def celery_workers(
    postgres: str, redis_url: str, settings, request: pytest.FixtureRequest
) -> Iterator[Workers]:
    """Start, kill and restart worker processes; all are stopped (and waited for) afterwards.

    The test process dispatches through Celery too (ROBOT_MODE=celery), as the web process does.
    """
    settings.ROBOT_MODE = "celery"
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}"
        f":{db['PORT'] or 5432}/{postgres}"
    )
    workers = Workers(database_url, redis_url, request.node.name)
    try:
        yield workers
    finally:
        workers.stop_all()
        connection.close()


@pytest.fixture
def celery_worker_process(celery_workers: Workers) -> subprocess.Popen[bytes]:
    """One real worker, already consuming."""
    return celery_workers.start("worker").process


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
