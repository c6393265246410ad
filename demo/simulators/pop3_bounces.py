"""The bounce mailbox on loopback: POP3 over TLS (the simulator CA's server certificate) with a
user and password, serving the delivery status notifications the mail relay simulator writes
(RFC 3464 `multipart/report`), for `notifications.bounces.bounces_collect`. Commands: USER, PASS,
STAT, LIST, RETR, DELE, NOOP, RSET, QUIT."""

from __future__ import annotations

import secrets
import socketserver
import ssl
import threading
from datetime import UTC, datetime
from email.utils import format_datetime, make_msgid
from typing import Any, Self

from demo.simulators.lifecycle import ServedOnLoopback
from demo.simulators.pki import Pki


def delivery_status_notification(
    *, bounce_to: str, recipient: str, original: bytes, reporting: str = "relay.simulator.invalid"
) -> bytes:
    """The DSN a relay sends back when `recipient` cannot be reached (5.1.1, no such user):
    `multipart/report` with a text part, the `message/delivery-status` fields and the returned
    message's headers (`text/rfc822-headers`), written out as a relay writes it."""
    boundary = f"dsn-{secrets.token_hex(8)}"
    headers = original.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("utf-8", "replace")
    text = f"""From: Mail Delivery System <MAILER-DAEMON@{reporting}>
To: {bounce_to}
Delivered-To: {bounce_to}
Subject: Undelivered Mail Returned to Sender
Date: {format_datetime(datetime.now(UTC))}
Message-ID: {make_msgid(domain=reporting)}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"

--{boundary}
Content-Type: text/plain; charset=utf-8

Meddelandet kunde inte levereras till {recipient}.

--{boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns; {reporting}

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

--{boundary}
Content-Type: text/rfc822-headers

{headers}

--{boundary}--
"""
    return text.replace("\n", "\r\n").encode()


class Pop3BounceMailbox(ServedOnLoopback):
    name = "pop3"

    def __init__(self, pki: Pki, *, user: str, password: str, port: int = 0) -> None:
        self.pki = pki
        self.user, self.password = user, password
        self.messages: list[bytes | None] = []  # None: deleted
        self._lock = threading.Lock()
        self._port = port
        self._server: socketserver.ThreadingTCPServer | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("not started")
        return int(self._server.server_address[1])

    def deliver(self, message: bytes) -> None:
        with self._lock:
            self.messages.append(message)

    def waiting(self) -> int:
        with self._lock:
            return sum(1 for m in self.messages if m is not None)

    def start(self) -> Self:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.pki.server.cert, self.pki.server.key)
        mailbox = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                mailbox._session(self)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

            def get_request(self) -> tuple[Any, Any]:
                sock, address = super().get_request()
                return context.wrap_socket(sock, server_side=True), address

            def handle_error(self, request: Any, client_address: Any) -> None:
                return  # a client that went away or refused our certificate

        self._server = Server(("127.0.0.1", self._port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def _session(self, conn: socketserver.StreamRequestHandler) -> None:
        def say(line: str) -> None:
            conn.wfile.write(line.encode() + b"\r\n")

        say(f"+OK bounce mailbox ready <{secrets.token_hex(4)}@simulator>")
        user, authorised, deleted = "", False, set[int]()
        snapshot: list[tuple[int, bytes]] = []
        while True:
            raw = conn.rfile.readline()
            if not raw:
                return
            command, _sp, argument = raw.decode("utf-8", "replace").strip().partition(" ")
            command = command.upper()
            if command == "QUIT":
                with self._lock:
                    for number in deleted:
                        self.messages[number] = None
                say("+OK bye")
                return
            if command == "USER":
                user = argument
                say("+OK")
            elif command == "PASS":
                authorised = secrets.compare_digest(
                    f"{user}\0{argument}".encode(), f"{self.user}\0{self.password}".encode()
                )
                say("+OK logged in" if authorised else "-ERR authentication failed")
                with self._lock:
                    snapshot = [(i, m) for i, m in enumerate(self.messages) if m is not None]
            elif not authorised:
                say("-ERR log in first")
            else:
                # Message numbers hold for the whole session (RFC 1939): the mailbox as it was
                # at login, less what this session marked deleted.
                live = [(i, m) for i, m in snapshot if i not in deleted]
                if command == "STAT":
                    say(f"+OK {len(live)} {sum(len(m) for _i, m in live)}")
                elif command == "LIST":
                    say(f"+OK {len(live)} messages")
                    for n, (i, m) in enumerate(snapshot, start=1):
                        if i not in deleted:
                            say(f"{n} {len(m)}")
                    say(".")
                elif command in ("RETR", "DELE") and argument.isdigit():
                    n = int(argument)
                    if not 1 <= n <= len(snapshot) or snapshot[n - 1][0] in deleted:
                        say("-ERR no such message")
                        continue
                    index, body = snapshot[n - 1]
                    if command == "DELE":
                        deleted.add(index)
                        say("+OK deleted")
                        continue
                    say(f"+OK {len(body)} octets")
                    for line in body.splitlines():
                        conn.wfile.write((b"." + line if line.startswith(b".") else line) + b"\r\n")
                    say(".")
                elif command in ("NOOP", "RSET"):
                    if command == "RSET":
                        deleted.clear()
                    say("+OK")
                else:
                    say("-ERR unknown command")
