"""Signing an application (and a partner's consent) behind one small interface, chosen by the
dotted path in `SIGNING_PROVIDER`, like `EID_PROVIDER`:

- `accounts.bankid.BankIdSigning` (production): a sign order in the BankID RP API v6. `start`
  answers an `OrderStarted`; the page then shows the animated QR code and polls `collect` until
  the order is complete or failed.
- `DevelopmentSigning` (development and tests): the click on "Skicka ansökan" is the signature.
  `start` answers a `SignedEvidence` at once, marked as a test signature (`is_test`); a system
  check refuses it when DEBUG is off (accounts.checks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from accounts.bankid import CollectResult, OrderStarted


@dataclass(frozen=True)
class SignedEvidence:
    """What a signature rests on, as stored with it (intake.models.Signature)."""

    method: str  # "bankid" or "test"
    personnummer: str = field(repr=False)  # who signed (BankID's completionData.user)
    name: str = ""
    device_ip: str = ""
    bankid_issue_date: str = ""
    signature: str = field(default="", repr=False)  # base64 XML signature document
    ocsp_response: str = field(default="", repr=False)  # base64 DER OCSP response
    ocsp_good: bool = False
    order_ref: str = ""


class SigningProvider(Protocol):
    is_test: bool

    def start(
        self, *, end_user_ip: str, text: str, personnummer: str, non_visible_data: bytes
    ) -> OrderStarted | SignedEvidence: ...

    def collect(self, order_ref: str) -> CollectResult: ...

    def cancel(self, order_ref: str) -> None: ...


class DevelopmentSigning:
    """Test signing: the click is the signature. Never in production."""

    is_test = True

    def start(
        self, *, end_user_ip: str, text: str, personnummer: str, non_visible_data: bytes
    ) -> SignedEvidence:
        return SignedEvidence(method="test", personnummer=personnummer)

    def collect(self, order_ref: str) -> CollectResult:
        raise NotImplementedError("Development signing has no orders to collect.")

    def cancel(self, order_ref: str) -> None:
        return None


def get_signing_provider() -> SigningProvider:
    provider: SigningProvider = import_string(settings.SIGNING_PROVIDER)()
    return provider


def signing_configuration_problems() -> list[str]:
    """The BankID settings a `BankIdSigning` needs that are empty."""
    return [
        name
        for name in ("BANKID_URL", "BANKID_CLIENT_CERT", "BANKID_CLIENT_KEY", "BANKID_CA_FILE")
        if not getattr(settings, name, "")
    ]
