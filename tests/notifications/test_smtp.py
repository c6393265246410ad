"""#19 item 4 (begun): e-mail leaves over SMTP with STARTTLS and authentication, the relay's
certificate verified; tested against an aiosmtpd relay on loopback with a throw-away certificate
authority. A relay that is down, presents a certificate we do not trust, or offers no STARTTLS gets
no message: the send fails (and the notice is retried or falls back, as any failed send)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_string
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import override_settings

from notifications.smtp import VerifiedSmtpBackend
from notifications.transports import DjangoEmailBackend, NotificationFailed, OutgoingMessage

USER, PASSWORD = "bistand", "relay-secret"


def _certificate(directory: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (its own authority)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{name}.pem", directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Relay:
    port: int
    ca_file: Path
    received: list[dict[str, Any]] = field(default_factory=list)


class _Handler:
    def __init__(self, relay: Relay) -> None:
        self.relay = relay

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.relay.received.append(
            {
                "tls": session.ssl is not None,
                "authenticated": session.authenticated,
                "to": list(envelope.rcpt_tos),
                "data": envelope.content.decode("utf-8", "replace"),
            }
        )
        return "250 OK"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[Relay]:
    cert, key = _certificate(tmp_path, "relay")
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    state = Relay(port=_free_port(), ca_file=cert)
    controller = Controller(
        _Handler(state),
        hostname="127.0.0.1",
        port=state.port,
        tls_context=tls,
        require_starttls=True,
        auth_require_tls=True,
        authenticator=_authenticate,
    )
    controller.start()
    try:
        yield state
    finally:
        controller.stop()


def _settings(relay: Relay, **overrides: Any) -> Any:
    values = {
        "EMAIL_BACKEND": "notifications.smtp.VerifiedSmtpBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": relay.port,
        "EMAIL_HOST_USER": USER,
        "EMAIL_HOST_PASSWORD": PASSWORD,
        "EMAIL_USE_TLS": True,
        "EMAIL_TIMEOUT": 5,
        "EMAIL_CA_FILE": str(relay.ca_file),
        "DEFAULT_FROM_EMAIL": "Bistånd <noreply@trelleborg.example>",
    }
    return override_settings(**{**values, **overrides})


NOTICE = OutgoingMessage(
    channel="email",
    subject="Nytt besked i ditt ärende",
    body="Du har fått ett nytt besked. Logga in för att läsa det.",
    email="alva@example.org",
)


def test_a_notice_leaves_over_starttls_with_authentication(relay: Relay) -> None:
    with _settings(relay):
        receipt = DjangoEmailBackend().send(NOTICE)
    [message] = relay.received
    assert message["tls"] and message["authenticated"]
    assert message["to"] == ["alva@example.org"]
    parsed = message_from_string(message["data"])
    assert str(make_header(decode_header(parsed["Subject"]))) == "Nytt besked i ditt ärende"
    assert f"Message-ID: {receipt.reference}" in message["data"]
    assert not receipt.delivered  # accepted by the relay, not yet delivered


def test_a_relay_certificate_we_do_not_trust_gets_no_message(relay: Relay, tmp_path: Path) -> None:
    other_ca, _key = _certificate(tmp_path, "someone-else")
    with _settings(relay, EMAIL_CA_FILE=str(other_ca)), pytest.raises(NotificationFailed):
        DjangoEmailBackend().send(NOTICE)
    assert relay.received == []


def test_a_relay_that_is_down_fails_the_send() -> None:
    down = Relay(port=_free_port(), ca_file=Path("/nonexistent"))
    with _settings(down, EMAIL_CA_FILE=""), pytest.raises(NotificationFailed):
        DjangoEmailBackend().send(NOTICE)


def test_the_backend_refuses_to_send_without_tls(relay: Relay) -> None:
    with _settings(relay), pytest.raises(ValueError):
        VerifiedSmtpBackend(use_tls=False)
    with _settings(relay, EMAIL_USE_TLS=False), pytest.raises(NotificationFailed):
        DjangoEmailBackend().send(NOTICE)
    assert relay.received == []
