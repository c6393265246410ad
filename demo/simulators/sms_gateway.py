"""An SMS gateway in the manner of 46elks on loopback (HTTPS, basic auth, no client certificate).

`POST /a1/sms` with form fields `from` (3–11 letters and digits, or a number), `to` (E.164, here
only Swedish numbers +46…), `message` and optional `whendelivered`. Wrong credentials: 401; a
field the gateway does not accept: 400 with its reason as text. Accepted: JSON with `id` and
`status` "created", the message kept in `sent`; after `report_delay` seconds the delivery report
is posted to `whendelivered` as form fields `id`, `status` ("delivered", or "failed" for numbers
ending in one of `failing_suffixes`) and `delivered` (UTC time). A report answered 5xx is posted
again a few times, as the real gateway does. Faults from demo/simulators/https.py.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import requests

from demo.simulators.https import HttpsSimulator, Request, Response
from demo.simulators.pki import Pki

SENDER = re.compile(r"^([A-Za-z][A-Za-z0-9]{2,10}|\+?[0-9]{3,15})$")
SWEDISH_NUMBER = re.compile(r"^\+46[1-9][0-9]{6,11}$")


class SmsGatewaySimulator(HttpsSimulator):
    name = "sms_gateway"
    require_client_certificate = False  # basic auth instead

    def __init__(
        self,
        pki: Pki,
        *,
        user: str = "bistand",
        secret: str = "gateway-secret",  # noqa: S107 - a simulator's test secret
        failing_suffixes: tuple[str, ...] = ("0000",),
        report_delay: float = 0.2,
        report_attempts: int = 5,
        ca_file: Path | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(pki, **kwargs)
        self.user, self.secret = user, secret
        self.failing_suffixes = failing_suffixes
        self.report_delay = report_delay
        self.report_attempts = report_attempts
        self.ca_file = ca_file  # to verify our callback's https, when it is not a public CA
        self.sent: list[dict[str, str]] = []
        self.reports: list[dict[str, Any]] = []  # each report posted and our answer's status
        self._lock = threading.Lock()

    def _authorised(self, request: Request) -> bool:
        scheme, _sep, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _sep, secret = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return secrets.compare_digest(user, self.user) and secrets.compare_digest(
            secret, self.secret
        )

    def handle(self, request: Request) -> Response:
        if request.path != "/a1/sms":
            return Response(404, b"Not found", "text/plain")
        if request.method != "POST":
            return Response(405, b"Method not allowed", "text/plain")
        if not self._authorised(request):
            return Response(
                401, b"Authentication failed", "text/plain", (("WWW-Authenticate", "Basic"),)
            )
        form = {k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}
        sender, to, text = form.get("from", ""), form.get("to", ""), form.get("message", "")
        if not SENDER.match(sender):
            return Response(400, b"Invalid from", "text/plain")
        if not SWEDISH_NUMBER.match(to):
            return Response(400, b"Invalid to number", "text/plain")
        if not text:
            return Response(400, b"Missing message", "text/plain")
        message_id = "s" + secrets.token_hex(16)
        entry = {"id": message_id, **form}
        with self._lock:
            self.sent.append(entry)
        callback = form.get("whendelivered", "")
        if callback:
            status = "failed" if to.endswith(self.failing_suffixes) else "delivered"
            threading.Thread(
                target=self._report, args=(callback, message_id, status), daemon=True
            ).start()
        return Response.json(
            {
                "id": message_id,
                "status": "created",
                "from": sender,
                "to": to,
                "message": text,
                "created": datetime.now(UTC).isoformat(),
                "parts": 1,
                "direction": "outgoing",
            }
        )

    def _report(self, url: str, message_id: str, status: str) -> None:
        time.sleep(self.report_delay)
        form = {"id": message_id, "status": status, "delivered": datetime.now(UTC).isoformat()}
        verify: str | bool = str(self.ca_file) if self.ca_file else True
        for attempt in range(self.report_attempts):
            answer: int | str
            try:
                answer = requests.post(url, data=form, timeout=10, verify=verify).status_code
            except requests.RequestException as exc:
                answer = type(exc).__name__
            with self._lock:
                self.reports.append({**form, "url": url, "answer": answer})
            if isinstance(answer, int) and answer < 500:
                return
            time.sleep(self.report_delay * (attempt + 1))

    def reports_settled(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait (tests) until `count` reports were answered below 500; the reports so far."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                done = [
                    r for r in self.reports if isinstance(r["answer"], int) and r["answer"] < 500
                ]
                if len(done) >= count:
                    return list(self.reports)
            time.sleep(0.05)
        raise TimeoutError(f"{count} delivery reports not answered: {self.reports}")
