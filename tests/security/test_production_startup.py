"""Production cannot serve a single request with a fake or the test login (#14, item 1).

gunicorn never runs Django's system checks, so the check alone guarded nothing: with
`EID_PROVIDER` unset the development provider was the default and anyone typing a personnummer
was logged in as that person. Here gunicorn, a Celery worker and Celery beat are started for
real with the production settings; each must refuse to start while any outside system is
unconfigured, a fake, or the test login, and the web server must serve when all are real.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.production import ALL_REAL, REPO, production_env

# Starts real gunicorn and Celery processes: part of `make test`, not of the inner loop.
pytestmark = [pytest.mark.timeout(120), pytest.mark.sweep]

BIN = Path(sys.executable).parent
FAKE_EID = "accounts.eid.DevelopmentEidProvider"
FAKE_REGISTER = "eligibility.registers.fake.FakePopulationRegister"
FAKE_SMS = "notifications.transports.FakeSmsBackend"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SECURE_SSL_REDIRECT="False",
        ALLOWED_HOSTS="127.0.0.1",
        REDIS_URL="redis://127.0.0.1:1/0",  # nothing listens: a worker that got this far hangs
        **extra,
    )


def _get(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return None


def _gunicorn(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


UNSAFE = [
    pytest.param({}, "bistand.E110", id="nothing-configured"),  # SSBTEK has no address
    pytest.param({**ALL_REAL, "EID_PROVIDER": ""}, "EID_PROVIDER", id="eid-provider-unset"),
    pytest.param({**ALL_REAL, "EID_PROVIDER": FAKE_EID}, "bistand.E002", id="test-login"),
    pytest.param(
        {**ALL_REAL, "REGISTER_CSN": FAKE_REGISTER}, "bistand.E001", id="one-fake-register"
    ),
    pytest.param({**ALL_REAL, "NOTIFICATION_SMS": FAKE_SMS}, "bistand.E004", id="fake-sms"),
]


@pytest.mark.parametrize(("configuration", "named"), UNSAFE)
def test_gunicorn_with_production_settings_refuses_to_start(
    tmp_path: Path, configuration: dict[str, str], named: str
) -> None:
    port = _free_port()
    server = _gunicorn(_env(tmp_path, **configuration), port)
    try:
        output, _ = server.communicate(timeout=60)
    finally:
        server.kill()
    assert server.returncode != 0, output
    assert "Refusing to start the web server" in output, output
    assert named in output, output
    assert _get(f"http://127.0.0.1:{port}/e-legitimation/") is None


def test_gunicorn_with_production_settings_serves_when_every_adapter_is_real(
    tmp_path: Path,
) -> None:
    """The negative control: the same harness starts a server that answers."""
    port = _free_port()
    server = _gunicorn(_env(tmp_path, **ALL_REAL), port)
    try:
        status = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            status = _get(f"http://127.0.0.1:{port}/health/live")
            if status is not None:
                break
            time.sleep(0.2)
        assert status == 200, server.stdout.read() if server.poll() is not None else status
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize(
    ("command", "process"),
    [(["worker", "--pool", "solo"], "Celery worker"), (["beat"], "Celery beat")],
    ids=["worker", "beat"],
)
@pytest.mark.parametrize(("configuration", "named"), UNSAFE[:3])
def test_celery_with_production_settings_refuses_to_start(
    tmp_path: Path, command: list[str], process: str, configuration: dict[str, str], named: str
) -> None:
    env = _env(tmp_path, **configuration)
    result = subprocess.run(
        [str(BIN / "celery"), "-A", "config", *command, "--loglevel", "WARNING",
         "--schedule", str(tmp_path / "beat-schedule")] if command == ["beat"] else
        [str(BIN / "celery"), "-A", "config", *command, "--loglevel", "WARNING"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"Refusing to start the {process}" in output, output
    assert named in output, output


def test_every_entry_point_defaults_to_the_production_settings() -> None:
    """The embedded default is chosen explicitly (Makefile); nothing falls back to it."""
    for path in ("manage.py", "config/wsgi.py", "config/asgi.py", "config/celery.py"):
        text = (REPO / path).read_text()
        assert 'setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")' in text, path
    makefile = (REPO / "Makefile").read_text()
    assert "LOCAL := DJANGO_SETTINGS_MODULE=config.settings.local" in makefile
    for command in ("manage.py runserver", "manage.py load_demo", "manage.py migrate", "celery -A"):
        lines = [line for line in makefile.splitlines() if command in line]
        assert lines and all(line.lstrip().startswith("$(LOCAL)") for line in lines), command
