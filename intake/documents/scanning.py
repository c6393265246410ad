"""Virus scanning of uploaded documents, behind a pluggable back-end (ATTACHMENT_SCAN_BACKEND).

`ClamdScanner` streams the file to ClamAV's daemon (the INSTREAM command, no library needed);
`NoScanner` passes files only where unscanned files are acceptable (development and tests).
Quarantine (SECURITY.md §4.4): when the scanner cannot be reached the file is kept as
"pending_scan" (staff cannot open it), and the beat task `intake.attachments_rescan` scans it
again until the scanner answers. Uploads never wait for ClamAV and never fail because it is down.
"""

from __future__ import annotations

import socket
import struct
from pathlib import Path
from typing import Literal, Protocol

import structlog
from django.conf import settings
from django.utils.module_loading import import_string

ScanResult = Literal["clean", "infected", "error", "pending_scan"]
CHUNK = 64 * 1024

logger = structlog.get_logger(__name__)


class ScannerUnavailable(Exception):
    """The scanner could not be asked (down, refused, timed out): try again later."""


class Scanner(Protocol):
    def scan(self, path: Path) -> ScanResult: ...


class NoScanner:
    """No scanning: "clean" only when DEBUG or ATTACHMENT_ALLOW_UNSCANNED, otherwise "error"
    (the file is kept but nobody may open it until a real scanner has looked). A stand-in like
    the fake registers: production refuses it (accounts.checks, bistand.E008)."""

    is_fake = True

    def scan(self, path: Path) -> ScanResult:
        if settings.DEBUG or getattr(settings, "ATTACHMENT_ALLOW_UNSCANNED", False):
            return "clean"
        return "error"


class ClamdScanner:
    """ClamAV's clamd over TCP (CLAMD_HOST/CLAMD_PORT) or a Unix socket (CLAMD_SOCKET).

    Protocol: `zINSTREAM\\0`, then chunks each prefixed by their length (4 bytes, big-endian),
    then a zero length; clamd answers `stream: OK`, `stream: <name> FOUND` or `... ERROR`.
    """

    def __init__(
        self,
        host: str | None = None,
        port: int | None = None,
        unix_socket: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.host = host if host is not None else settings.CLAMD_HOST
        self.port = port if port is not None else settings.CLAMD_PORT
        self.unix_socket = unix_socket if unix_socket is not None else settings.CLAMD_SOCKET
        self.timeout = timeout if timeout is not None else settings.CLAMD_TIMEOUT_SECONDS

    def _connect(self) -> socket.socket:
        try:
            if self.unix_socket:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(self.timeout)
                sock.connect(self.unix_socket)
                return sock
            return socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as error:
            raise ScannerUnavailable(f"clamd unreachable: {error}") from error

    def instream(self, path: Path) -> str:
        """clamd's answer for the file, e.g. 'stream: OK'."""
        sock = self._connect()
        try:
            sock.sendall(b"zINSTREAM\0")
            with open(path, "rb") as source:
                while chunk := source.read(CHUNK):
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            answer = b""
            while not answer.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                answer += part
        except OSError as error:  # reset, timeout, broken pipe
            raise ScannerUnavailable(f"clamd failed: {error}") from error
        finally:
            sock.close()
        if not answer:
            raise ScannerUnavailable("clamd closed the connection without an answer")
        return answer.rstrip(b"\0").decode("utf-8", "replace").strip()

    def scan(self, path: Path) -> ScanResult:
        answer = self.instream(path)
        if answer.endswith("FOUND"):
            logger.warning("attachment_infected", signature=answer.split(":", 1)[-1].strip())
            return "infected"
        if answer.endswith("OK"):
            return "clean"
        logger.error("clamd_error", answer=answer[:200])
        return "error"


def scan(path: Path) -> ScanResult:
    """The back-end's verdict; "pending_scan" when it cannot be asked now (quarantine)."""
    scanner: Scanner = import_string(settings.ATTACHMENT_SCAN_BACKEND)()
    try:
        return scanner.scan(path)
    except ScannerUnavailable as error:
        logger.warning("scanner_unavailable", error=str(error))
        return "pending_scan"
