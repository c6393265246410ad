"""A private redis-server for the service pass, which the fault tests may stop and restart.

`scripts/test.sh` starts it before pytest (REDIS_URL is read when Django's settings load, so the
URL must be fixed before pytest starts) and stops it afterwards; the tests use the same functions
to stop and restart it. It never touches the machine's own Redis on 6379.

    python tests/services/redis_server.py start PORT DIR   # PORT 0: a free port; prints the port
    python tests/services/redis_server.py stop PORT DIR

Standard library only: it runs before the virtualenv's packages matter.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def ping(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def server_pid(directory: Path) -> int | None:
    try:
        return int((directory / "redis.pid").read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); /proc tells us it is gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(port: int, directory: Path, timeout: float = 10.0) -> int:
    """Start (or restart) the server with AOF on; its data survives a restart in `directory`.

    Port 0 picks a free port, so two test runs on one machine do not share a server.
    """
    pid = server_pid(directory)
    if port and pid is not None and _alive(pid) and ping(port):
        return port
    if port and ping(port):
        raise RuntimeError(f"port {port} already answers PING: not our redis-server")
    port = port or free_port()
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed")
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            binary,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--daemonize", "yes",
            "--pidfile", str(directory / "redis.pid"),
            "--logfile", str(directory / "redis.log"),
            "--dir", str(directory),
            "--appendonly", "yes",
            "--save", "",
            "--maxmemory-policy", "noeviction",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ping(port):
            return port
        time.sleep(0.05)
    raise RuntimeError(f"redis-server did not answer on port {port} within {timeout} s")


def stop(port: int, directory: Path, *, kill: bool = False, timeout: float = 10.0) -> None:
    """Stop the server (SIGTERM: AOF flushed; `kill=True`: SIGKILL, a crash) and wait for it."""
    pid = server_pid(directory)
    if pid is None or not _alive(pid):
        return
    os.kill(pid, signal.SIGKILL if kill else signal.SIGTERM)
    os.kill(pid, signal.SIGCONT)  # a frozen (SIGSTOPped) server acts on SIGTERM only when resumed
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid) and not ping(port, timeout=0.1):
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    action, port_arg, dir_arg = sys.argv[1:4]
    if action == "start":
        print(start(int(port_arg), Path(dir_arg)))
    elif action == "stop":
        stop(int(port_arg), Path(dir_arg))
    else:
        raise SystemExit(f"unknown action {action!r}")
