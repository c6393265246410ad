"""The print-and-post service's SFTP drop on loopback (asyncssh), as
`notifications.print_service.SftpLetterBackend` expects of the real one.

At construction it makes its host key (and a second, "rogue" one), and the municipality's client
key pair, whose public half is the only key it lets in (user `user`); `client_environment()` gives
the PRINT_SFTP_* settings, with a known_hosts file that pins the genuine host key. The server runs
on its own event loop in a background thread, so synchronous tests can use it.

A batch is complete when its manifest (`<inbox>/<reference>.json`) appears; after
`processing_delay` the service checks it (the document is a PDF whose checksum matches, the
recipient has a name and address lines) and writes `<receipts>/<reference>.json` with status
"accepted" or "rejected" and a reason (the format in notifications/print_service.py). Processed
batches move to `processed/` and are kept in `batches` (manifest and PDF bytes) for tests.

Faults (`fault = Fault(mode, delay)`): "down" (start() does not listen), "slow" (each file
operation waits `delay` seconds), "wrong_host_key" (the server presents the rogue host key).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import socket
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncssh

from demo.simulators.https import Fault
from demo.simulators.pki import Pki

logger = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrintServiceSimulator:
    name = "print_service"

    def __init__(
        self,
        pki: Pki | None = None,
        *,
        root: Path,
        port: int = 0,
        user: str = "bistand",
        inbox: str = "inkorg",
        receipts: str = "kvitto",
        processing_delay: float = 0.1,
    ) -> None:
        self.pki = pki
        self.root = root
        self.files = root / "files"  # what the client sees as /
        self.port = port or free_port()
        self.user, self.inbox, self.receipts = user, inbox, receipts
        self.processing_delay = processing_delay
        self.fault = Fault()
        self.batches: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        keys = root / "keys"
        keys.mkdir(parents=True, exist_ok=True)
        for folder in (inbox, receipts, "processed"):
            (self.files / folder).mkdir(parents=True, exist_ok=True)
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.rogue_host_key = asyncssh.generate_private_key("ssh-ed25519")
        client_key = asyncssh.generate_private_key("ssh-ed25519")
        self.client_key_file = keys / "client_ed25519"
        client_key.write_private_key(str(self.client_key_file))
        self.client_key_file.chmod(0o600)
        self._authorized = asyncssh.import_authorized_keys(client_key.export_public_key().decode())
        self.known_hosts_file = keys / "known_hosts"
        line = f"[127.0.0.1]:{self.port} " + self.host_key.export_public_key().decode().strip()
        self.known_hosts_file.write_text(line + "\n")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: Any = None
        self._watcher: asyncio.Task[None] | None = None

    def client_environment(self) -> dict[str, str]:
        return {
            "PRINT_SFTP_HOST": "127.0.0.1",
            "PRINT_SFTP_PORT": str(self.port),
            "PRINT_SFTP_USER": self.user,
            "PRINT_SFTP_KEY_FILE": str(self.client_key_file),
            "PRINT_SFTP_KNOWN_HOSTS": str(self.known_hosts_file),
            "PRINT_SFTP_INBOX": self.inbox,
            "PRINT_SFTP_RECEIPTS": self.receipts,
            "PRINT_SFTP_ARCHIVE": f"{self.receipts}/arkiv",
        }

    # --- running ---------------------------------------------------------------------------

    def start(self) -> PrintServiceSimulator:
        if self.fault.mode == "down":
            return self  # nothing listens on the port
        self._loop = asyncio.new_event_loop()
        started = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(started,), name="simulator-print-service", daemon=True
        )
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("print service simulator did not start")
        return self

    def _serve(self, started: threading.Event) -> None:
        loop = self._loop
        if loop is None:
            raise RuntimeError("not started")
        asyncio.set_event_loop(loop)
        host_key = self.rogue_host_key if self.fault.mode == "wrong_host_key" else self.host_key
        simulator = self

        class Server(asyncssh.SSHServer):
            def begin_auth(self, username: str) -> bool:
                return True

            def password_auth_supported(self) -> bool:
                return False

            def public_key_auth_supported(self) -> bool:
                return True

            def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
                allowed = simulator._authorized.validate(key, "127.0.0.1", "127.0.0.1")
                return username == simulator.user and allowed is not None

        def sftp_factory(channel: Any) -> asyncssh.SFTPServer:
            return _SlowableSftp(channel, chroot=str(simulator.files), simulator=simulator)

        async def listen() -> None:
            self._server = await asyncssh.listen(
                "127.0.0.1",
                self.port,
                server_host_keys=[host_key],
                server_factory=Server,
                sftp_factory=sftp_factory,
                allow_scp=False,
            )
            self._watcher = asyncio.ensure_future(self._watch())

        loop.run_until_complete(listen())
        started.set()
        loop.run_forever()

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return

        async def close() -> None:
            if self._watcher is not None:
                self._watcher.cancel()
            if self._server is not None:
                self._server.close()
                await self._server.wait_closed()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(close(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        loop.close()
        self._loop = None

    def __enter__(self) -> PrintServiceSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the service's processing --------------------------------------------------------

    async def _watch(self) -> None:
        inbox = self.files / self.inbox
        while True:
            for manifest in sorted(inbox.glob("*.json")):
                await asyncio.sleep(self.processing_delay)
                with contextlib.suppress(OSError):
                    self._process(manifest)
            await asyncio.sleep(0.05)

    def _process(self, manifest_path: Path) -> None:
        reference = manifest_path.stem
        raw = manifest_path.read_bytes()
        reason = ""
        manifest: dict[str, Any] = {}
        pdf = b""
        try:
            manifest = json.loads(raw)
            reference = str(manifest.get("reference") or reference)
            document = self.files / self.inbox / str(manifest.get("document", ""))
            pdf = document.read_bytes() if document.is_file() else b""
        except ValueError:
            reason = "manifestet går inte att läsa"
        recipient = manifest.get("recipient") if isinstance(manifest, dict) else None
        address = recipient.get("address") if isinstance(recipient, dict) else None
        if reason:
            pass
        elif not pdf.startswith(b"%PDF-"):
            reason = "dokumentet är inte en PDF"
        elif hashlib.sha256(pdf).hexdigest() != manifest.get("sha256"):
            reason = "kontrollsumman stämmer inte"
        elif not isinstance(recipient, dict) or not recipient.get("name"):
            reason = "mottagarens namn saknas"
        elif not isinstance(address, list) or not [line for line in address if str(line).strip()]:
            reason = "adress saknas"
        receipt = {
            "format": "bistand-print-receipt/1",
            "reference": reference,
            "status": "rejected" if reason else "accepted",
            "reason": reason,
            "processed_at": datetime.now(UTC).isoformat(),
        }
        receipts = self.files / self.receipts
        part = receipts / f"{reference}.json.part"
        part.write_text(json.dumps(receipt, ensure_ascii=False))
        part.rename(receipts / f"{reference}.json")
        processed = self.files / "processed"
        for path in (manifest_path, self.files / self.inbox / f"{reference}.pdf"):
            if path.exists():
                path.rename(processed / path.name)
        with self._lock:
            self.batches.append(
                {"reference": reference, "manifest": manifest, "pdf": pdf, "receipt": receipt}
            )

    def batches_processed(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait (tests) until `count` batches were processed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.batches) >= count:
                    return list(self.batches)
            time.sleep(0.05)
        raise TimeoutError(f"{count} batches not processed: {self.batches}")


class _SlowableSftp(asyncssh.SFTPServer):
    def __init__(self, channel: Any, *, chroot: str, simulator: PrintServiceSimulator) -> None:
        super().__init__(channel, chroot=chroot.encode())
        self.simulator = simulator

    async def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> object:
        fault = self.simulator.fault
        if fault.mode == "slow":
            await asyncio.sleep(fault.delay or 30)
        return super().open(path, pflags, attrs)
