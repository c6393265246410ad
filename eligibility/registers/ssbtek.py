"""SSBTEK, the production register adapter: one SOAP 1.1 call per person covers every agency.

`SsbtekClient.answer` posts hamtaBastjanstInformation over HTTPS with mutual TLS (the
municipality's organisation certificate, SSBTEK_CLIENT_CERT/KEY; the server verified against
SSBTEK_CA_FILE or the system's authorities) and returns the answer's checked XML. The per-source
adapters (`SsbtekForsakringskassanRegister`, ...) each read their agency's part into the same
`Extract` shape as the fake of that source, so the robot and the engine work unchanged.

One call, eight adapters: the robot asks every source about a person at once (one thread each),
so the client runs one request per (person, period, case, purpose) and the others wait for it
(single flight); a successful answer is kept for `CACHE_SECONDS` (then forgotten: it holds
personal data), a failure only reaches the callers that were waiting for that call, so a retry
asks again.

Errors: no answer in time, no connection, TLS refused (also a server certificate we do not
trust), HTTP 5xx or a SOAP Server fault: `RegisterUnavailable` (retried by `lookup`, counted by
the breaker). An answer that cannot be read, a SOAP Client fault (our question was refused) or
another HTTP status: `RegisterResponseInvalid`. One agency's error fails only its own source
(see `ssbtek_mapping.agency_part`).

Every call is logged with its purpose (municipality, case reference, requested by, syfte,
lagtext, korrelationsid) and never the personnummer; SSBTEK logs the same korrelationsid.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

import requests
from django.conf import settings
from lxml import etree

from eligibility.registers.base import (
    Extract,
    RegisterResponseInvalid,
    RegisterUnavailable,
    RequestPurpose,
    answer_months,
    month_end,
    time_left,
)
from eligibility.registers.ssbtek_mapping import (
    AGENCIES,
    OPERATION_FETCH,
    OPERATION_TEST,
    FetchRequest,
    SoapFault,
    answer_check,
    answer_content,
    envelope_body,
    extract_from_answer,
    fault_raise,
    fetch_request,
    health_request,
    health_status,
    soap_action,
    soap_fault,
    temporary_errors,
)

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60.0
CONNECT_TIMEOUT_SECONDS = 5.0
# Digits that the log's personnummer masking (config.logging) would hide.
_PERSONNUMMER_LIKE = re.compile(r"\d{6,8}[-+]?\d{4}")


def correlation_id_new() -> str:
    """A random uuid for korrelationsid, never one the log would mask as a personnummer (about
    one in 150 uuids has such digits), so our log and SSBTEK's can always be matched."""
    while _PERSONNUMMER_LIKE.search(candidate := str(uuid.uuid4())):
        pass
    return candidate


# --- the legal basis ------------------------------------------------------------------------


@dataclass(frozen=True)
class LegalBasis:
    purpose: str  # syfte
    legal_provision: str  # lagtext


def legal_basis_for(municipality_code: str) -> LegalBasis:
    """The syfte and lagtext a municipality's look-ups are sent with (SSBTEK_LEGAL_BASIS: the
    municipality's own entry, else "default")."""
    table: dict[str, dict[str, str]] = settings.SSBTEK_LEGAL_BASIS
    entry = table.get(municipality_code) or table.get("default") or {}
    basis = LegalBasis(
        purpose=str(entry.get("syfte", "")).strip(),
        legal_provision=str(entry.get("lagtext", "")).strip(),
    )
    if not basis.purpose or not basis.legal_provision:
        # Never ask without a purpose and a legal provision (SSBTEK would refuse anyway).
        raise RegisterResponseInvalid(
            f"SSBTEK: syfte och lagtext saknas för kommun {municipality_code} (SSBTEK_LEGAL_BASIS)"
        )
    return basis


def answer_period(as_of: date) -> tuple[date, date]:
    """tidsperiod from/tom: the two answer months (`base.answer_months`), first to last day."""
    first, control = answer_months(as_of)
    return first, month_end(control)


# --- single flight --------------------------------------------------------------------------


@dataclass
class _Call:
    done: threading.Event = field(default_factory=threading.Event)
    body: bytes = b""
    error: Exception | None = None
    finished: float = 0.0
    keep: bool = True  # False: only the callers already waiting share it (an error, a retry)


_calls: dict[tuple[str, ...], _Call] = {}
_calls_lock = threading.Lock()


def ssbtek_cache_clear() -> None:
    """Forget every kept answer (tests; after a configuration change)."""
    with _calls_lock:
        _calls.clear()


def _forget_expired(now: float) -> None:
    expired = [
        key
        for key, call in _calls.items()
        if call.done.is_set() and (not call.keep or now - call.finished > CACHE_SECONDS)
    ]
    for key in expired:
        del _calls[key]


# --- the client -----------------------------------------------------------------------------


def _timeout() -> tuple[float, float]:
    """(connect, read) seconds, bounded by what the caller still waits (`time_left`)."""
    left = time_left()
    total = float(settings.REGISTER_TIMEOUT_SECONDS) if left is None else left
    if total <= 0:
        raise RegisterUnavailable("SSBTEK: ingen tid kvar för frågan")
    return min(CONNECT_TIMEOUT_SECONDS, total), total


class SsbtekClient:
    """hamtaBastjanstInformation and testaBastjanstInformation; settings read on every call."""

    def answer(self, personnummer: str, *, as_of: date, purpose: RequestPurpose) -> etree._Element:
        """The checked answer element about `personnummer` for the two months before `as_of`."""
        if len(personnummer) != 12 or not personnummer.isdigit():
            raise RegisterResponseInvalid("SSBTEK: personidentiteten ska vara 12 siffror")
        period = answer_period(as_of)
        key = (
            settings.SSBTEK_URL,
            personnummer,
            period[0].isoformat(),
            period[1].isoformat(),
            purpose.municipality_code,
            purpose.case_reference,
            purpose.requested_by,
            purpose.purpose,
        )
        with _calls_lock:
            _forget_expired(time.monotonic())
            call = _calls.get(key)
            leader = call is None
            if call is None:
                call = _calls[key] = _Call()
        if leader:
            try:
                call.body = self._fetch(personnummer, period, purpose)
                # An agency that could not answer now is asked again on the next try.
                call.keep = not temporary_errors(answer_content(call.body))
            except Exception as exc:
                call.error, call.keep = exc, False
                raise
            finally:
                call.finished = time.monotonic()
                call.done.set()
        else:
            left = time_left()
            if not call.done.wait(
                float(settings.REGISTER_TIMEOUT_SECONDS) if left is None else left
            ):
                raise RegisterUnavailable("SSBTEK svarade inte i tid")
            if call.error is not None:
                # A fresh exception of the same kind: one object is not raised in two threads.
                if isinstance(call.error, RegisterUnavailable | RegisterResponseInvalid):
                    raise type(call.error)(*call.error.args)
                raise RegisterResponseInvalid(f"SSBTEK: {type(call.error).__name__}")
        # Each caller reads the bytes itself: lxml trees are not shared between threads.
        return answer_content(call.body)

    def _fetch(
        self, personnummer: str, period: tuple[date, date], purpose: RequestPurpose
    ) -> bytes:
        basis = legal_basis_for(purpose.municipality_code)
        request = FetchRequest(
            organisation_number=settings.SSBTEK_ORGANISATION_NUMBER,
            organisation_name=settings.SSBTEK_ORGANISATION_NAME,
            caseworker=purpose.requested_by,
            personnummer=personnummer,
            case_reference=purpose.case_reference,
            period_from=period[0],
            period_to=period[1],
            purpose=basis.purpose,
            legal_provision=basis.legal_provision,
            correlation_id=correlation_id_new(),
            agencies=AGENCIES,
        )
        # The look-up's purpose, as the terms ask: never the personnummer.
        logger.info(
            "ssbtek look-up",
            extra={
                "operation": OPERATION_FETCH,
                "municipality": purpose.municipality_code,
                "case_reference": purpose.case_reference,
                "requested_by": purpose.requested_by,
                "purpose": purpose.purpose,
                "syfte": basis.purpose,
                "lagtext": basis.legal_provision,
                "korrelationsid": request.correlation_id,
                "period": f"{period[0].isoformat()}/{period[1].isoformat()}",
                "agencies": ",".join(request.agencies),
            },
        )
        started = time.monotonic()
        body = self._post(OPERATION_FETCH, fetch_request(request))
        content = answer_content(body)
        answer_check(content, personnummer=personnummer, correlation_id=request.correlation_id)
        logger.info(
            "ssbtek answered",
            extra={
                "korrelationsid": request.correlation_id,
                "elapsed_ms": round((time.monotonic() - started) * 1000),
            },
        )
        return body

    def health_check(self) -> str:
        """testaBastjanstInformation: the service's status text, or the error raised."""
        return health_status(self._post(OPERATION_TEST, health_request()))

    def _post(self, operation: str, payload: bytes) -> bytes:
        url = settings.SSBTEK_URL
        if not url:
            raise RegisterUnavailable("SSBTEK: SSBTEK_URL är inte satt")
        cert = (settings.SSBTEK_CLIENT_CERT, settings.SSBTEK_CLIENT_KEY)
        # verify is never False: the configured CA, else the system's authorities.
        verify: str | bool = settings.SSBTEK_CA_FILE or True
        try:
            response = requests.post(
                url,
                data=payload,
                headers={
                    "Content-Type": "text/xml; charset=utf-8",
                    "SOAPAction": f'"{soap_action(operation)}"',
                },
                cert=cert if all(cert) else None,
                verify=verify,
                timeout=_timeout(),
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as exc:
            raise RegisterUnavailable(f"SSBTEK: TLS misslyckades ({type(exc).__name__})") from exc
        except requests.exceptions.Timeout as exc:
            raise RegisterUnavailable("SSBTEK svarade inte i tid") from exc
        except requests.exceptions.RequestException as exc:
            raise RegisterUnavailable(f"SSBTEK svarar inte ({type(exc).__name__})") from exc
        status = response.status_code
        if status == 200:
            return response.content
        if status == 500:
            # SOAP 1.1 sends faults with status 500; without one it is the server's trouble.
            fault = _fault_in(response.content)
            if fault is not None:
                fault_raise(fault)
            raise RegisterUnavailable("SSBTEK: HTTP 500")
        if status >= 500 or status in (408, 429):
            raise RegisterUnavailable(f"SSBTEK: HTTP {status}")
        raise RegisterResponseInvalid(f"SSBTEK: HTTP {status}")


def _fault_in(body: bytes) -> SoapFault | None:
    try:
        return soap_fault(envelope_body(body))
    except RegisterResponseInvalid:
        return None


client = SsbtekClient()


# --- the adapters ---------------------------------------------------------------------------


class SsbtekRegister:
    """One source's view of SSBTEK (settings.REGISTER_BACKENDS / SSBTEK_REGISTER_BACKENDS)."""

    source: ClassVar[str] = ""
    label: ClassVar[str] = ""
    is_fake = False

    def fetch(self, personnummer: str, *, as_of: date, purpose: RequestPurpose) -> Extract:
        content = client.answer(personnummer, as_of=as_of, purpose=purpose)
        return extract_from_answer(self.source, content, personnummer=personnummer, as_of=as_of)

    def health_check(self) -> str:
        return client.health_check()

    def request_record(self, purpose: RequestPurpose) -> dict[str, str]:
        """The syfte and lagtext this look-up is sent with, for the stored snapshot."""
        try:
            basis = legal_basis_for(purpose.municipality_code)
        except RegisterResponseInvalid:
            return {}
        return {"syfte": basis.purpose, "lagtext": basis.legal_provision}


class SsbtekForsakringskassanRegister(SsbtekRegister):
    source = "forsakringskassan"
    label = "Försäkringskassan och Pensionsmyndigheten (SSBTEK)"


class SsbtekCsnRegister(SsbtekRegister):
    source = "csn"
    label = "CSN (SSBTEK)"


class SsbtekUnemploymentFundRegister(SsbtekRegister):
    source = "unemployment_fund"
    label = "Arbetslöshetskassorna (SSBTEK)"


class SsbtekArbetsformedlingenRegister(SsbtekRegister):
    source = "arbetsformedlingen"
    label = "Arbetsförmedlingen (SSBTEK)"


class SsbtekSkatteverketRegister(SsbtekRegister):
    source = "skatteverket"
    label = "Skatteverket (SSBTEK)"


class SsbtekTransportstyrelsenRegister(SsbtekRegister):
    source = "transportstyrelsen"
    label = "Transportstyrelsen (SSBTEK)"


class SsbtekMigrationsverketRegister(SsbtekRegister):
    source = "migrationsverket"
    label = "Migrationsverket (SSBTEK)"


class SsbtekEmployerPayRegister(SsbtekRegister):
    source = "employer_pay"
    label = "Skatteverket, arbetsgivardeklarationer (SSBTEK)"
