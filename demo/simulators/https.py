"""The HTTPS server every HTTP simulator runs on: loopback, TLS with the simulator CA's server
certificate, the client's certificate required (mutual TLS) unless a simulator says otherwise, and
fault modes switched per simulator.

Faults (`Fault.mode`): "" answers normally; "slow" waits `delay` seconds before answering; "down"
drops every connection without an answer; "malformed" answers 200 with a body no client can parse;
"error" answers HTTP 500; "wrong_certificate" presents a server certificate from an authority the
client does not trust; a simulator may add its own (SSBTEK: "partial", one agency in error). A
fault is set on the object (`simulator.fault = Fault("slow", 3)`) or, for simulators in another
process (`manage.py run_simulators`), in a JSON control file read on every request:
`{"ssbtek": {"mode": "slow", "delay": 3}}`. With a control file, every request is also written to
`journal/<name>.jsonl` beside it (method, path, status, body), so a test in another process can
see what reached the simulator (test people only: this is never a real service).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar, Self

from demo.simulators.lifecycle import ServedOnLoopback
from demo.simulators.pki import Pki

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fault:
    mode: str = ""
    delay: float = 0.0


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # without the query string
    query: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    client_certificate: dict[str, Any] | None  # ssl's getpeercert(), None without one

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Response:
        return cls(status, json.dumps(data, ensure_ascii=False).encode())


class HttpsSimulator(ServedOnLoopback):
    """Subclasses set `name` and implement `handle`; `start()` serves on a free loopback port."""

    name: ClassVar[str] = ""
    require_client_certificate: ClassVar[bool] = True
    malformed_body: ClassVar[bytes] = b"<html><body>Service Unavailable</body"

    def __init__(
        self, pki: Pki, *, port: int = 0, control_file: Path | None = None, tls: bool = True
    ) -> None:
        self.pki = pki
        self.fault = Fault()
        self.control_file = control_file
        self.tls = tls
        self.requests: list[Request] = []  # what arrived, for tests
        self._journal_lock = threading.Lock()
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._contexts = {
            False: self._context(pki.server.cert, pki.server.key),
            True: self._context(pki.rogue_server.cert, pki.rogue_server.key),
        }

    # --- to implement ----------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def malformed(self, request: Request) -> Response:
        return Response(200, self.malformed_body, "text/html")

    # --- running ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> Self:
        simulator = self

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def process_request_thread(self, request: Any, client_address: Any) -> None:
                if simulator.tls:
                    try:
                        context = simulator._contexts[
                            simulator.current_fault().mode == "wrong_certificate"
                        ]
                        request.settimeout(10)
                        request = context.wrap_socket(request, server_side=True)
                    except (ssl.SSLError, OSError) as exc:
                        logger.info("%s: TLS handshake refused: %s", simulator.name, exc)
                        self.shutdown_request(request)
                        return
                super().process_request_thread(request, client_address)

        self._server = Server(("127.0.0.1", self._port), _handler(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"simulator-{self.name}", daemon=True
        )
        self._thread.start()
        return self

    def journal_write(self, request: Request, response: Response) -> None:
        if self.control_file is None:
            return
        journal = self.control_file.parent / "journal" / f"{self.name}.jsonl"
        journal.parent.mkdir(parents=True, exist_ok=True)
        entry = {
            "at": time.time(),
            "method": request.method,
            "path": request.path,
            "status": response.status,
            "body": request.body.decode("utf-8", "replace")[:20_000],
        }
        with self._journal_lock, journal.open("a") as out:
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def current_fault(self) -> Fault:
        if self.control_file is not None:
            try:
                control = json.loads(self.control_file.read_text() or "{}")
            except (OSError, ValueError):
                control = {}
            entry = control.get(self.name)
            if entry:
                return Fault(str(entry.get("mode", "")), float(entry.get("delay", 0)))
        return self.fault

    def _context(self, cert: Path, key: Path) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(cert, key)
        if self.require_client_certificate:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(self.pki.ca.cert)
        return context


def _handler(simulator: HttpsSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms ACK wait

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("%s: " + format, simulator.name, *args)

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path, _, query = self.path.partition("?")
            certificate = None
            if isinstance(self.connection, ssl.SSLSocket):
                certificate = self.connection.getpeercert() or None
            request = Request(
                self.command, path, query, {k.lower(): v for k, v in self.headers.items()}, body,
                certificate,
            )  # fmt: skip
            simulator.requests.append(request)
            fault = simulator.current_fault()
            if fault.mode == "down":
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            if fault.mode == "slow":
                time.sleep(fault.delay or 30)
            if fault.mode == "malformed":
                response = simulator.malformed(request)
            elif fault.mode == "error":
                response = Response(500, b"Internal Server Error", "text/plain")
            else:
                try:
                    response = simulator.handle(request)
                except Exception:  # a simulator bug answers 500 like a real server would
                    logger.exception("%s: handler failed", simulator.name)
                    response = Response(500, b"simulator error", "text/plain")
            simulator.journal_write(request, response)
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

    return Handler
