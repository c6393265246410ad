"""What every socketserver-based simulator shares: stop, and use as a context manager."""

from __future__ import annotations

import socketserver
from typing import Self


class ServedOnLoopback:
    """A simulator whose `start()` sets `self._server` (a socketserver serving in a thread)."""

    _server: socketserver.BaseServer | None = None

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
