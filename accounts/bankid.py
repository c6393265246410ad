"""A small client for the BankID relying-party API, version 6 (signing).

JSON over HTTPS with mutual TLS: the municipality's RP certificate (`BANKID_CLIENT_CERT`,
`BANKID_CLIENT_KEY`) and BankID's server authority (`BANKID_CA_FILE`); the base address is
`BANKID_URL`, e.g. https://appapi2.test.bankid.com/rp/v6.0 (the test environment) or
https://appapi2.bankid.com/rp/v6.0. Four calls: `sign`, `collect`, `cancel` (and `auth`, which the
simulator answers but the service does not use: login is OIDC). Answers are typed
(`OrderStarted`, `Pending`, `Failed`, `Complete`); errors are exceptions (`BankIdError` and its
subclasses), mapped in one function (`_raise_for`).

`BankIdSigning` is the production signing provider (`SIGNING_PROVIDER`, the interface in
accounts.signing). `qr_code_data` computes the animated QR code's text:
`bankid.<qrStartToken>.<seconds since the order started>.<HMAC-SHA256(qrStartSecret, seconds) as
hex>`, renewed every second.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

import requests
from cryptography.x509 import ocsp
from django.conf import settings
from lxml import etree

# The hint codes the API documents (others may come: show the generic text for those).
PENDING_HINTS = (
    "outstandingTransaction",
    "noClient",
    "started",
    "userMrtd",
    "userCallConfirm",
    "userSign",
)
FAILED_HINTS = (
    "expiredTransaction",
    "certificateErr",
    "userCancel",
    "cancelled",
    "startFailed",
    "userDeclinedCall",
    "notSupported",
    "transactionRiskBlocked",
)


class BankIdError(Exception):
    """Any error from the BankID API or on the way to it."""

    def __init__(self, message: str, *, error_code: str = "", details: str = "") -> None:
        super().__init__(message)
        self.error_code = error_code
        self.details = details


class BankIdUnavailable(BankIdError):
    """Timeout, connection refused, TLS failure, HTTP 5xx (`internalError`, `maintenance`) or an
    answer that cannot be read: try again later."""


class BankIdRequestRefused(BankIdError):
    """HTTP 4xx: the request was refused (`invalidParameters`, `unauthorized`, `notFound`...)."""


class AlreadyInProgress(BankIdRequestRefused):
    """HTTP 400 `alreadyInProgress`: an order for this person is already running."""


@dataclass(frozen=True)
class OrderStarted:
    order_ref: str
    auto_start_token: str
    qr_start_token: str
    qr_start_secret: str = field(repr=False)


@dataclass(frozen=True)
class Pending:
    order_ref: str
    hint_code: str


@dataclass(frozen=True)
class Failed:
    order_ref: str
    hint_code: str


@dataclass(frozen=True)
class CompletionData:
    personal_number: str = field(repr=False)
    name: str
    given_name: str
    surname: str
    device_ip: str
    bankid_issue_date: str  # YYYY-MM-DD
    signature: str = field(repr=False)  # base64 XML signature document
    ocsp_response: str = field(repr=False)  # base64 DER OCSP response
    step_up: bool = False

    @property
    def signature_xml(self) -> bytes:
        return base64.b64decode(self.signature)

    @property
    def ocsp_good(self) -> bool:
        """True when the OCSP response is a successful answer saying the signer's certificate
        was good (not revoked, known) at signing."""
        return ocsp_response_good(self.ocsp_response)


@dataclass(frozen=True)
class Complete:
    order_ref: str
    completion: CompletionData


CollectResult = Pending | Failed | Complete


def ocsp_response_good(encoded: str) -> bool:
    try:
        response = ocsp.load_der_ocsp_response(base64.b64decode(encoded, validate=True))
    except ValueError:
        return False
    if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        return False
    return bool(response.certificate_status == ocsp.OCSPCertStatus.GOOD)


def qr_code_data(qr_start_token: str, qr_start_secret: str, seconds: int) -> str:
    """The animated QR code's text `seconds` whole seconds after the order started."""
    code = hmac.new(
        qr_start_secret.encode("ascii"), str(seconds).encode("ascii"), hashlib.sha256
    ).hexdigest()
    return f"bankid.{qr_start_token}.{seconds}.{code}"


def auto_start_url(auto_start_token: str) -> str:
    """Opens BankID on the same device; `redirect=null`: the browser stays where it is."""
    return f"bankid:///?autostarttoken={auto_start_token}&redirect=null"


def encode_text(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


class BankIdClient:
    def __init__(
        self,
        *,
        url: str,
        client_cert: str,
        client_key: str,
        ca_file: str,
        timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.cert = (client_cert, client_key)
        self.verify = ca_file
        self.timeout = timeout
        self.session = session or requests.Session()

    @classmethod
    def from_settings(cls) -> BankIdClient:
        return cls(
            url=settings.BANKID_URL,
            client_cert=settings.BANKID_CLIENT_CERT,
            client_key=settings.BANKID_CLIENT_KEY,
            ca_file=settings.BANKID_CA_FILE,
            timeout=settings.BANKID_TIMEOUT_SECONDS,
        )

    # --- the calls ---------------------------------------------------------------------------

    def sign(
        self,
        *,
        end_user_ip: str,
        user_visible_data: str,
        user_non_visible_data: bytes | None = None,
        personal_number: str | None = None,
    ) -> OrderStarted:
        """Start a sign order. `user_visible_data` is text (simpleMarkdownV1), encoded here;
        `personal_number` (12 digits) makes BankID refuse anyone else."""
        body: dict[str, Any] = {
            "endUserIp": end_user_ip,
            "userVisibleData": encode_text(user_visible_data),
            "userVisibleDataFormat": "simpleMarkdownV1",
        }
        if user_non_visible_data:
            body["userNonVisibleData"] = base64.b64encode(user_non_visible_data).decode("ascii")
        if personal_number:
            body["requirement"] = {"personalNumber": personal_number}
        return self._started(self._post("sign", body))

    def auth(self, *, end_user_ip: str) -> OrderStarted:
        return self._started(self._post("auth", {"endUserIp": end_user_ip}))

    def collect(self, order_ref: str) -> CollectResult:
        data = self._post("collect", {"orderRef": order_ref})
        try:
            status = data["status"]
            ref = str(data.get("orderRef") or order_ref)
            if status == "pending":
                return Pending(ref, str(data.get("hintCode", "")))
            if status == "failed":
                return Failed(ref, str(data.get("hintCode", "")))
            if status == "complete":
                return Complete(ref, _completion(data["completionData"]))
        except (KeyError, TypeError, AttributeError) as exc:
            raise BankIdUnavailable(f"BankID collect answer not understood: {exc!r}") from exc
        raise BankIdUnavailable(f"BankID collect answered an unknown status {status!r}")

    def cancel(self, order_ref: str) -> None:
        self._post("cancel", {"orderRef": order_ref})

    # --- transport ---------------------------------------------------------------------------

    def _post(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.session.post(
                f"{self.url}/{method}",
                json=body,
                cert=self.cert,
                verify=self.verify,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise BankIdUnavailable(f"BankID {method}: {type(exc).__name__}") from exc
        return _raise_for(method, response)

    @staticmethod
    def _started(data: dict[str, Any]) -> OrderStarted:
        try:
            return OrderStarted(
                order_ref=str(data["orderRef"]),
                auto_start_token=str(data["autoStartToken"]),
                qr_start_token=str(data["qrStartToken"]),
                qr_start_secret=str(data["qrStartSecret"]),
            )
        except (KeyError, TypeError) as exc:
            raise BankIdUnavailable(f"BankID start answer not understood: {exc!r}") from exc


def _raise_for(method: str, response: requests.Response) -> dict[str, Any]:
    """The one mapping from an HTTP answer to a result or an exception."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code == 200:
        if not isinstance(data, dict):
            raise BankIdUnavailable(f"BankID {method}: the answer is not JSON")
        return data
    error_code = str(data.get("errorCode", "")) if isinstance(data, dict) else ""
    details = str(data.get("details", "")) if isinstance(data, dict) else ""
    message = f"BankID {method}: HTTP {response.status_code} {error_code}".strip()
    if response.status_code >= 500 or response.status_code in (408, 429):
        raise BankIdUnavailable(message, error_code=error_code, details=details)
    if error_code == "alreadyInProgress":
        raise AlreadyInProgress(message, error_code=error_code, details=details)
    raise BankIdRequestRefused(message, error_code=error_code, details=details)


def _completion(data: dict[str, Any]) -> CompletionData:
    user = data["user"]
    return CompletionData(
        personal_number=str(user["personalNumber"]),
        name=str(user.get("name", "")),
        given_name=str(user.get("givenName", "")),
        surname=str(user.get("surname", "")),
        device_ip=str((data.get("device") or {}).get("ipAddress", "")),
        bankid_issue_date=str(data.get("bankIdIssueDate", "")),
        signature=str(data["signature"]),
        ocsp_response=str(data["ocspResponse"]),
        step_up=bool((data.get("stepUp") or {}).get("mrtd", False)),
    )


def signed_visible_text(signature_xml: bytes) -> str | None:
    """The text the person saw, as the signature document records it (`usrVisibleData`, base64
    UTF-8 inside `bankIdSignedData`), or None when the document has no such element.

    The element name follows BankID's signature profile (*unverified detail*: checked against
    the simulator only)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(signature_xml, parser=parser)
    except etree.XMLSyntaxError:
        return None
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname == "usrVisibleData":
            try:
                return base64.b64decode((element.text or "").strip()).decode("utf-8")
            except ValueError:
                return None
    return None


class BankIdSigning:
    """A sign order in BankID (RP API v6) with the declaration as the text the person sees and
    their personnummer as a requirement."""

    is_test = False

    def __init__(self, client: BankIdClient | None = None) -> None:
        self.client = client or BankIdClient.from_settings()

    def start(
        self, *, end_user_ip: str, text: str, personnummer: str, non_visible_data: bytes
    ) -> OrderStarted:
        return self.client.sign(
            end_user_ip=end_user_ip,
            user_visible_data=text,
            user_non_visible_data=non_visible_data,
            personal_number=personnummer,
        )

    def collect(self, order_ref: str) -> CollectResult:
        return self.client.collect(order_ref)

    def cancel(self, order_ref: str) -> None:
        self.client.cancel(order_ref)
