"""A virus scanner (clamd) on loopback for tests and `make prodlike`: speaks INSTREAM, answers
FOUND for the EICAR test string and OK for everything else (freshclam cannot fetch real signatures
here)."""

from __future__ import annotations

import socketserver
import struct
import threading
from types import TracebackType

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server = self.server
        if not isinstance(server, FakeClamd):
            raise TypeError(type(server))
        command = b""
        while not command.endswith(b"\0"):
            part = self.request.recv(1)
            if not part:
                return
            command += part
        if command != b"zINSTREAM\0":
            self.request.sendall(b"UNKNOWN COMMAND\0")
            return
        data = b""
        while True:
            size = struct.unpack("!L", self._exactly(4))[0]
            if size == 0:
                break
            data += self._exactly(size)
        server.scanned.append(data)
        if EICAR in data:
            self.request.sendall(b"stream: Win.Test.EICAR_HDB-1 FOUND\0")
        else:
            self.request.sendall(b"stream: OK\0")

    def _exactly(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            part = self.request.recv(n - len(out))
            if not part:
                raise ConnectionError("client went away")
            out += part
        return out


class FakeClamd(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.scanned: list[bytes] = []
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> FakeClamd:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self) -> FakeClamd:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def free_port() -> int:
    """A loopback port nobody listens on (the scanner "down")."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
