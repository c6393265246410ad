"""The municipality's mail relay on loopback: SMTP with STARTTLS required (the simulator CA's
server certificate) and AUTH LOGIN/PLAIN only after TLS, as `notifications.smtp.VerifiedSmtpBackend`
expects of a real relay. Each accepted message is kept in `received` and, when `maildir` is set,
written there as `<n>.eml` (so another process, e.g. the prodlike journey test, can read it).
Mail to a recipient whose local part starts with "studs" bounces into the POP3 bounce mailbox,
when one is given.
"""

from __future__ import annotations

import itertools
import secrets
import socket
import ssl
import threading
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from demo.simulators.pki import Pki
from demo.simulators.pop3_bounces import Pop3BounceMailbox, delivery_status_notification


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpRelaySimulator:
    name = "smtp"

    def __init__(
        self,
        pki: Pki,
        *,
        user: str,
        password: str,
        port: int = 0,
        maildir: Path | None = None,
        bounces: Pop3BounceMailbox | None = None,
    ) -> None:
        self.pki = pki
        self.user, self.password = user, password
        self.port = port or free_port()
        self.maildir = maildir
        # Recipients whose local part starts with "studs" do not exist: their mail bounces to
        # the envelope sender, into the bounce mailbox (a DSN, RFC 3464).
        self.bounces = bounces
        self.received: list[dict[str, Any]] = []
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = {
            "tls": session.ssl is not None,
            "authenticated": session.authenticated,
            "to": list(envelope.rcpt_tos),
            "data": envelope.content.decode("utf-8", "replace"),
        }
        with self._lock:
            self.received.append(message)
            number = next(self._numbers)
        if self.maildir is not None:
            self.maildir.mkdir(parents=True, exist_ok=True)
            (self.maildir / f"{number:05d}.eml").write_text(message["data"])
        if self.bounces is not None and envelope.mail_from:
            for recipient in envelope.rcpt_tos:
                if recipient.split("@")[0].lower().startswith("studs"):
                    self.bounces.deliver(
                        delivery_status_notification(
                            bounce_to=envelope.mail_from,
                            recipient=recipient,
                            original=envelope.original_content or envelope.content,
                        )
                    )
        return f"250 OK queued as {secrets.token_hex(5)}"

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and secrets.compare_digest(
            data.login + b"\0" + data.password,
            self.user.encode() + b"\0" + self.password.encode(),
        )
        return AuthResult(success=ok)

    def start(self) -> SmtpRelaySimulator:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(self.pki.server.cert, self.pki.server.key)
        self._controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=tls,
            require_starttls=True,
            auth_require_tls=True,
            authenticator=self._authenticate,
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpRelaySimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
