"""BankID's relying-party API, version 6, on loopback: `POST /rp/v6.0/auth`, `/sign`,
`/collect` and `/cancel` with the real JSON shapes, behind mutual TLS (the RP certificate).

An order goes pending (`outstandingTransaction`, `started`, `userSign`, one hint per collect)
and then ends as its scenario says:

- "complete": after `pending_collects` collects, with `completionData`: the user (from the
  `requirement.personalNumber`, else `default_personal_number`), the device address (the
  `endUserIp`), the BankID's issue date, a base64 XML signature document that carries the
  `userVisibleData` as signed, and a real DER OCSP response (status good) signed by the
  simulator's CA for a throw-away certificate of the person.
- "userCancel", "expiredTransaction", "startFailed": `failed` with that hint code.
- "otherPerson" (complete, but someone else signed), "tamperedText" (the signature document
  carries another text) and "ocspRevoked" (the OCSP response says revoked): answers the real
  service should never give, for testing that we check.

The scenario of a new order is the fault mode when it names a scenario (so `make prodlike` can
switch it in the control file: `{"bankid": {"mode": "userCancel"}}`), else `scenarios[personal
number]`, else `scenario`. A second order for a person with one running answers HTTP 400
`alreadyInProgress` and aborts the running one (as BankID does). A completed, failed or cancelled
order is forgotten: collecting it again answers 400 `invalidParameters`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any, ClassVar
from xml.sax.saxutils import escape

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID

from accounts.eid import TEST_IDENTITIES
from demo.simulators.https import HttpsSimulator, Request, Response
from demo.simulators.pki import Pki

PREFIX = "/rp/v6.0/"
SCENARIOS = (
    "complete",
    "userCancel",
    "expiredTransaction",
    "startFailed",
    "otherPerson",
    "tamperedText",
    "ocspRevoked",
)
PENDING_HINTS = ("outstandingTransaction", "started", "userSign")
NAMES = {number: (given, surname) for number, given, surname in TEST_IDENTITIES}


@dataclass
class Order:
    order_ref: str
    kind: str  # "auth" or "sign"
    personal_number: str
    end_user_ip: str
    user_visible_data: str  # base64, as sent
    user_non_visible_data: str
    scenario: str
    qr_start_token: str
    qr_start_secret: str
    collects: int = 0
    hints: list[str] = field(default_factory=list)


class BankIdSimulator(HttpsSimulator):
    name: ClassVar[str] = "bankid"

    def __init__(self, pki: Pki, **kwargs: Any) -> None:
        super().__init__(pki, **kwargs)
        self.scenario = "complete"
        self.scenarios: dict[str, str] = {}  # personal number -> scenario
        self.pending_collects = 3  # pending answers before the order ends
        self.default_personal_number = TEST_IDENTITIES[0][0]
        self.orders: dict[str, Order] = {}
        self.cancelled: list[str] = []  # order refs cancelled by the RP, for tests
        self._lock = threading.Lock()

    # --- the API --------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.method != "POST" or not request.path.startswith(PREFIX):
            return Response(404, b"", "text/plain")
        if not request.headers.get("content-type", "").startswith("application/json"):
            return _error(400, "invalidParameters", "Content-Type must be application/json")
        try:
            body = request.json()
        except ValueError:
            return _error(400, "invalidParameters", "Invalid JSON")
        if not isinstance(body, dict):
            return _error(400, "invalidParameters", "Invalid JSON")
        method = request.path[len(PREFIX) :]
        with self._lock:
            if method in ("auth", "sign"):
                return self._start(method, body)
            if method == "collect":
                return self._collect(body)
            if method == "cancel":
                return self._cancel(body)
        return Response(404, b"", "text/plain")

    def _start(self, kind: str, body: dict[str, Any]) -> Response:
        end_user_ip = body.get("endUserIp")
        if not isinstance(end_user_ip, str) or not end_user_ip:
            return _error(400, "invalidParameters", "Invalid endUserIp")
        visible = body.get("userVisibleData", "")
        if kind == "sign":
            if not visible or not _is_base64(visible):
                return _error(400, "invalidParameters", "Invalid userVisibleData")
            if body.get("userVisibleDataFormat") not in (None, "plaintext", "simpleMarkdownV1"):
                return _error(400, "invalidParameters", "Invalid userVisibleDataFormat")
        requirement = body.get("requirement") or {}
        personal_number = str(requirement.get("personalNumber") or self.default_personal_number)
        running = [o for o in self.orders.values() if o.personal_number == personal_number]
        if running:
            for order in running:  # BankID aborts the running order too
                del self.orders[order.order_ref]
            return _error(400, "alreadyInProgress", "Order already in progress for pno")
        fault = self.current_fault().mode
        scenario = (
            fault if fault in SCENARIOS else self.scenarios.get(personal_number, self.scenario)
        )
        order = Order(
            order_ref=_uuid(),
            kind=kind,
            personal_number=personal_number,
            end_user_ip=end_user_ip,
            user_visible_data=str(visible),
            user_non_visible_data=str(body.get("userNonVisibleData", "")),
            scenario=scenario,
            qr_start_token=_uuid(),
            qr_start_secret=_uuid(),
        )
        self.orders[order.order_ref] = order
        return Response.json(
            {
                "orderRef": order.order_ref,
                "autoStartToken": _uuid(),
                "qrStartToken": order.qr_start_token,
                "qrStartSecret": order.qr_start_secret,
            }
        )

    def _collect(self, body: dict[str, Any]) -> Response:
        order = self.orders.get(str(body.get("orderRef", "")))
        if order is None:
            return _error(400, "invalidParameters", "No such order")
        order.collects += 1
        if order.scenario == "startFailed" and order.collects > 1:
            return self._failed(order, "startFailed")
        if order.collects <= self.pending_collects:
            hint = PENDING_HINTS[min(order.collects - 1, len(PENDING_HINTS) - 1)]
            if order.scenario == "expiredTransaction":
                hint = "outstandingTransaction"
            order.hints.append(hint)
            return Response.json(
                {"orderRef": order.order_ref, "status": "pending", "hintCode": hint}
            )
        if order.scenario in ("userCancel", "expiredTransaction"):
            return self._failed(order, order.scenario)
        del self.orders[order.order_ref]
        return Response.json(
            {
                "orderRef": order.order_ref,
                "status": "complete",
                "completionData": self.completion_data(order),
            }
        )

    def _failed(self, order: Order, hint: str) -> Response:
        del self.orders[order.order_ref]
        return Response.json({"orderRef": order.order_ref, "status": "failed", "hintCode": hint})

    def _cancel(self, body: dict[str, Any]) -> Response:
        order_ref = str(body.get("orderRef", ""))
        if self.orders.pop(order_ref, None) is None:
            return _error(400, "invalidParameters", "No such order")
        self.cancelled.append(order_ref)
        return Response.json({})

    # --- the completion ---------------------------------------------------------------------

    def completion_data(self, order: Order) -> dict[str, Any]:
        number = order.personal_number
        if order.scenario == "otherPerson":
            number = next(n for n, _, _ in TEST_IDENTITIES if n != order.personal_number)
        given, surname = NAMES.get(number, ("Test", "Testsson"))
        visible = order.user_visible_data
        if order.scenario == "tamperedText":
            visible = base64.b64encode("Något helt annat".encode()).decode("ascii")
        return {
            "user": {
                "personalNumber": number,
                "name": f"{given} {surname}",
                "givenName": given,
                "surname": surname,
            },
            "device": {"ipAddress": order.end_user_ip, "uhi": _uuid().replace("-", "")[:27]},
            "bankIdIssueDate": "2024-01-15",
            "stepUp": {"mrtd": False},
            "signature": base64.b64encode(
                signature_document(order, visible, number).encode("utf-8")
            ).decode("ascii"),
            "ocspResponse": self.ocsp_response(number, revoked=order.scenario == "ocspRevoked"),
        }

    def ocsp_response(self, personal_number: str, *, revoked: bool = False) -> str:
        """A DER OCSP response, base64, for a throw-away certificate of the person, signed by
        the simulator's CA."""
        ca_cert = x509.load_pem_x509_certificate(self.pki.ca.cert.read_bytes())
        ca_key = serialization.load_pem_private_key(self.pki.ca.key.read_bytes(), password=None)
        if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
            raise TypeError("the simulator CA key is not an EC key")
        now = dt.datetime.now(dt.UTC)
        person_key = ec.generate_private_key(ec.SECP256R1())
        person = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(
                            NameOID.COMMON_NAME, NAMES.get(personal_number, ("Test", "Testsson"))[0]
                        ),
                        x509.NameAttribute(NameOID.SERIAL_NUMBER, personal_number),
                    ]
                )
            )
            .issuer_name(ca_cert.subject)
            .public_key(person_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .sign(ca_key, hashes.SHA256())
        )
        builder = ocsp.OCSPResponseBuilder().add_response(
            cert=person,
            issuer=ca_cert,
            algorithm=hashes.SHA1(),  # noqa: S303 - the CertID hash OCSP responders use
            cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
            this_update=now,
            next_update=None,
            revocation_time=now - dt.timedelta(hours=1) if revoked else None,
            revocation_reason=None,
        )
        response = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, ca_cert).sign(
            ca_key, hashes.SHA256()
        )
        return base64.b64encode(response.public_bytes(serialization.Encoding.DER)).decode("ascii")


def signature_document(order: Order, user_visible_data: str, personal_number: str) -> str:
    """An XML signature document shaped like BankID's (XML-DSig with `bankIdSignedData` in its
    Object). Its SignatureValue is not a real signature: the simulator signs nothing."""
    digest = base64.b64encode(hashlib.sha256(user_visible_data.encode()).digest()).decode()
    non_visible = (
        f"<usrNonVisibleData>{escape(order.user_non_visible_data)}</usrNonVisibleData>"
        if order.user_non_visible_data
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
        '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">'
        "<SignedInfo><CanonicalizationMethod "
        'Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
        '<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"/>'
        '<Reference Type="http://www.bankid.com/signature/v1.0.0/types" URI="#bidSignedData">'
        '<DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
        f"<DigestValue>{digest}</DigestValue></Reference></SignedInfo>"
        f"<SignatureValue>{base64.b64encode(secrets.token_bytes(64)).decode()}</SignatureValue>"
        f"<KeyInfo><X509Data><X509SubjectName>serialNumber={personal_number}</X509SubjectName>"
        "</X509Data></KeyInfo>"
        '<Object><bankIdSignedData xmlns="http://www.bankid.com/signature/v1.0.0/types" '
        'Id="bidSignedData">'
        f'<usrVisibleData charset="UTF-8" visible="wysiwys">{escape(user_visible_data)}'
        f"</usrVisibleData>{non_visible}"
        "<srvInfo><name>Simulated RP</name><nonce>"
        f"{base64.b64encode(secrets.token_bytes(20)).decode()}</nonce>"
        "<displayName>Bistånd</displayName></srvInfo>"
        f"<clientInfo><funcId>{'Signing' if order.kind == 'sign' else 'Identification'}</funcId>"
        "<version>simulator</version><env><ai><type>SIMULATOR</type></ai></env></clientInfo>"
        "</bankIdSignedData></Object></Signature>"
    )


def _error(status: int, code: str, details: str) -> Response:
    return Response.json({"errorCode": code, "details": details}, status=status)


def _uuid() -> str:
    raw = secrets.token_hex(16)
    return f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-a{raw[17:20]}-{raw[20:]}"


def _is_base64(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        base64.b64decode(value, validate=True)
    except ValueError:
        return False
    return True
