"""SSBTEK's wire format and its mapping to our extracts: every element name, code and code table.

SSBTEK (Sammansatt bastjänst för ekonomiskt bistånd) is SOAP 1.1, document/literal. The facts
(operations, the request's fields, one answer part or error per agency, FK's part as base64 JSON
with benefit codes) come from public material (../shared/INTEGRATIONS.md). The exact names of the
real WSDL are *unverified*: the namespace, element names, error codes and benefit codes below are
our own model of those facts, kept in this one module so that a difference from the real contract
is changed here and nowhere else (the transport in `ssbtek` knows no element name).

The request (`fetch_request`)::

    <bt:hamtaBastjanstInformation>
      <bt:ingivare> organisationsnummer, namn, handlaggare </bt:ingivare>
      <bt:personidentitet>YYYYMMDDNNNN</bt:personidentitet>
      <bt:arendeidentitet/> <bt:tidsperiod> from, tom </bt:tidsperiod>
      <bt:syfte/> <bt:lagtext/> <bt:korrelationsid/>
      <bt:inkludera> AF, CSN, FK, SKV, SO, TNS, MIV (true/false) </bt:inkludera>

The answer: `<bt:hamtaBastjanstInformationSvar>` with `korrelationsid`, `personidentitet`, one
element per agency that answered (`AGENCY_ELEMENTS`) and a `<bt:fel>` (kalla, felkod, feltext) for
each agency that could not. Every agency part says with `<bt:traff>` whether the agency holds
anything about the person (false: `Extract(found=False)`).

"Absent is not zero". SSBTEK leaves out, without notice, data the caller may not see. So:
- an agency asked for with neither a part nor an error: `RegisterResponseInvalid` for that source
  (a person must look; reading it as "no income" could pay too much);
- a part with `traff` false: not in that register (`found=False`), an answer;
- in a part with `traff` true, a required element (Arbetsförmedlingen's `inskrivning`, CSN's
  `ansokningar`, Skatteverket's `kapitalinkomst`, Migrationsverket's `uppehallsstatus`, the funds'
  `medlemskap`) missing: `RegisterResponseInvalid`; repeated elements (payments, vehicles,
  suspensions) may be none.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from eligibility.registers.base import (
    Extract,
    Payment,
    RegisterResponseInvalid,
    RegisterUnavailable,
)

# --- namespaces, operations ---------------------------------------------------------------

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
# Unverified: our own namespace, standing in for the real WSDL's target namespace.
NS = "urn:bistand:ssbtek:bastjanst:v10"
OPERATION_FETCH = "hamtaBastjanstInformation"
OPERATION_TEST = "testaBastjanstInformation"
ANSWER_SUFFIX = "Svar"  # hamtaBastjanstInformationSvar, testaBastjanstInformationSvar


def soap_action(operation: str) -> str:
    """The SOAPAction header for `operation` (unverified: the real WSDL's soapAction URI)."""
    return f"{NS}/{operation}"


def q(name: str) -> str:
    """The qualified (Clark) name of one of our elements."""
    return f"{{{NS}}}{name}"


# --- agencies -----------------------------------------------------------------------------

# The inkludera flags, in the order the request lists them.
AGENCIES = ("AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV")
AGENCY_ELEMENTS = {
    "AF": "arbetsformedlingen",
    "CSN": "csn",
    "FK": "forsakringskassan",
    "SKV": "skatteverket",
    "SO": "arbetsloshetskassor",
    "TNS": "transportstyrelsen",
    "MIV": "migrationsverket",
}
AGENCY_NAMES = {
    "AF": "Arbetsförmedlingen",
    "CSN": "CSN",
    "FK": "Försäkringskassan",
    "SKV": "Skatteverket",
    "SO": "arbetslöshetskassorna",
    "TNS": "Transportstyrelsen",
    "MIV": "Migrationsverket",
}
# Our register sources (settings.REGISTER_BACKENDS) and the agency that answers for each.
# employer_pay is Skatteverket's employer declarations per individual (AGI).
AGENCY_BY_SOURCE = {
    "forsakringskassan": "FK",
    "csn": "CSN",
    "unemployment_fund": "SO",
    "arbetsformedlingen": "AF",
    "skatteverket": "SKV",
    "transportstyrelsen": "TNS",
    "migrationsverket": "MIV",
    "employer_pay": "SKV",
}

# Error codes (`felkod`) that mean "the agency could not answer now": the look-up is retried.
# Every other code (no permission, a refused question, an unknown code) needs a person.
# Unverified: the real codes come from SSBTEK's documentation.
TEMPORARY_ERROR_CODES = frozenset(
    {"KALLA_EJ_TILLGANGLIG", "KALLA_TIDSGRANS", "TILLFALLIGT_FEL", "TEKNISKT_FEL"}
)

# --- Försäkringskassan's and Pensionsmyndigheten's benefit codes ----------------------------

# code -> our payment kind (eligibility.registers.base.INCOME_TYPE_BY_KIND). FK:ABB and PM:AP
# appear in public material; every meaning and the other codes are *unverified* (our own). A
# code not listed here is kept as kind "other" with {"benefit_code": code} in the payment's
# details: the money still counts as income and the caseworker sees the code (FK:GEPI, seen in
# public material, is such a code until its meaning is confirmed).
KIND_BY_BENEFIT_CODE = {
    "FK:ABB": "child_allowance",  # allmänt barnbidrag
    "FK:FTB": "large_family_supplement",  # flerbarnstillägg (unverified)
    "FK:BTB": "housing_allowance",  # bostadsbidrag till barnfamiljer (unverified)
    "FK:UHS": "maintenance_support",  # underhållsstöd (unverified)
    "FK:SJP": "sickness_benefit",  # sjukpenning (unverified)
    "FK:FPE": "parental_benefit",  # föräldrapenning (unverified)
    "FK:AKS": "activity_support",  # aktivitetsstöd (unverified)
    "FK:AKE": "activity_compensation",  # aktivitetsersättning (unverified)
    "FK:SJE": "sickness_compensation",  # sjukersättning (unverified)
    "PM:AP": "pension",  # allmän pension (inkomst-, premie-, tilläggspension)
    "PM:GP": "pension",  # garantipension (unverified)
}
# kind -> the code a simulator writes (the first code listed for the kind).
BENEFIT_CODE_BY_KIND = {kind: code for code, kind in reversed(list(KIND_BY_BENEFIT_CODE.items()))}
UNKNOWN_BENEFIT_KIND = "other"

# FK's base64 JSON: {"utbetalningar": [{FK_PAYMENT_KEYS...}]}
FK_PAYMENTS = "utbetalningar"
FK_CODE, FK_GROSS, FK_TAX, FK_NET = "formanskod", "bruttobelopp", "skatteavdrag", "nettobelopp"
FK_PAID_ON, FK_FROM, FK_TO, FK_PAYER = "utbetalningsdatum", "periodFrom", "periodTom", "utbetalare"

# --- other code tables ----------------------------------------------------------------------

CSN_DECISION_BY_CODE = {  # unverified
    "BEVILJAD": "granted",
    "EJ_BESLUTAD": "pending",
    "AVSLAGEN": "rejected",
}
RESIDENCE_STATUS_BY_CODE = {  # unverified
    "SVENSK_MEDBORGARE": "citizen",
    "PERMANENT_UPPEHALLSTILLSTAND": "permanent",
    "TIDSBEGRANSAT_UPPEHALLSTILLSTAND": "temporary",
    "INGET_TILLSTAND": "none",
}


# --- the request ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchRequest:
    """What one hamtaBastjanstInformation asks: the caller, the person, the case, the period,
    the purpose and legal provision, and which agencies."""

    organisation_number: str
    organisation_name: str
    caseworker: str  # handläggare: "robot" or a staff username
    personnummer: str  # 12 digits
    case_reference: str
    period_from: date
    period_to: date
    purpose: str  # syfte
    legal_provision: str  # lagtext
    correlation_id: str
    agencies: tuple[str, ...] = AGENCIES


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, q(name))
    if text is not None:
        element.text = text
    return element


def _envelope() -> tuple[etree._Element, etree._Element]:
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV, "bt": NS})
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Header")
    body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    return envelope, body


def fetch_request(request: FetchRequest) -> bytes:
    envelope, body = _envelope()
    operation = _sub(body, OPERATION_FETCH)
    ingivare = _sub(operation, "ingivare")
    _sub(ingivare, "organisationsnummer", request.organisation_number)
    _sub(ingivare, "namn", request.organisation_name)
    _sub(ingivare, "handlaggare", request.caseworker)
    _sub(operation, "personidentitet", request.personnummer)
    _sub(operation, "arendeidentitet", request.case_reference)
    period = _sub(operation, "tidsperiod")
    _sub(period, "from", request.period_from.isoformat())
    _sub(period, "tom", request.period_to.isoformat())
    _sub(operation, "syfte", request.purpose)
    _sub(operation, "lagtext", request.legal_provision)
    _sub(operation, "korrelationsid", request.correlation_id)
    include = _sub(operation, "inkludera")
    for agency in AGENCIES:
        _sub(include, agency, "true" if agency in request.agencies else "false")
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


def health_request() -> bytes:
    envelope, body = _envelope()
    _sub(body, OPERATION_TEST)
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


# --- reading an answer ----------------------------------------------------------------------


def _parser() -> etree.XMLParser:
    # No DTDs, no entities, no network: an answer is data, never instructions to the parser.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class SoapFault:
    code: str  # the local part: "Client" or "Server" (SOAP 1.1)
    text: str


def envelope_body(data: bytes) -> etree._Element:
    """The SOAP Body's first child (the answer or a Fault). RegisterResponseInvalid if the bytes
    are not a SOAP 1.1 envelope."""
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise RegisterResponseInvalid(f"SSBTEK: svaret är inte XML ({exc})") from exc
    if root.getroottree().docinfo.doctype:
        raise RegisterResponseInvalid("SSBTEK: svaret har en DOCTYPE (vägras)")
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise RegisterResponseInvalid(
            f"SSBTEK: svaret är inget SOAP-kuvert ({etree.QName(root).localname})"
        )
    body = root.find(f"{{{SOAP_ENV}}}Body")
    content = None if body is None else next((c for c in body if isinstance(c.tag, str)), None)
    if content is None:
        raise RegisterResponseInvalid("SSBTEK: SOAP-kuvertet har ingen Body")
    return content


def soap_fault(content: etree._Element) -> SoapFault | None:
    if content.tag != f"{{{SOAP_ENV}}}Fault":
        return None
    code = (content.findtext("faultcode") or "").strip()
    return SoapFault(code.rpartition(":")[2], (content.findtext("faultstring") or "").strip())


def fault_raise(fault: SoapFault) -> None:
    """A SOAP Fault as our errors: the server's trouble is retried, a refused question is not."""
    message = f"SSBTEK: SOAP Fault {fault.code}: {fault.text}"
    if fault.code == "Server":
        raise RegisterUnavailable(message)
    raise RegisterResponseInvalid(message)


def answer_content(data: bytes, operation: str = OPERATION_FETCH) -> etree._Element:
    """The answer element of `operation`, after refusing faults and foreign envelopes."""
    content = envelope_body(data)
    fault = soap_fault(content)
    if fault is not None:
        fault_raise(fault)
    if content.tag != q(operation + ANSWER_SUFFIX):
        raise RegisterResponseInvalid(f"SSBTEK: oväntat svar {etree.QName(content).localname}")
    return content


def answer_check(content: etree._Element, *, personnummer: str, correlation_id: str) -> None:
    """The answer is about the person asked for, and to this request."""
    if (content.findtext(q("personidentitet")) or "").strip() != personnummer:
        raise RegisterResponseInvalid("SSBTEK: svaret gäller en annan person än frågan")
    answered_id = (content.findtext(q("korrelationsid")) or "").strip()
    if answered_id and answered_id != correlation_id:
        raise RegisterResponseInvalid("SSBTEK: svaret har ett annat korrelationsid än frågan")


def health_status(data: bytes) -> str:
    content = answer_content(data, OPERATION_TEST)
    status = (content.findtext(q("status")) or "").strip()
    if not status:
        raise RegisterResponseInvalid("SSBTEK: testaBastjanstInformation utan status")
    return status


# --- one agency's part ----------------------------------------------------------------------


def temporary_errors(content: etree._Element) -> list[str]:
    """The agencies that answered with a temporary error (worth asking again)."""
    return [
        (fel.findtext(q("kalla")) or "").strip()
        for fel in content.iterfind(q("fel"))
        if (fel.findtext(q("felkod")) or "").strip() in TEMPORARY_ERROR_CODES
    ]


def agency_part(content: etree._Element, agency: str) -> etree._Element:
    """`agency`'s part of the answer, or the error raised for it (see the module docstring)."""
    name = AGENCY_NAMES[agency]
    for fel in content.iterfind(q("fel")):
        if (fel.findtext(q("kalla")) or "").strip() != agency:
            continue
        code = (fel.findtext(q("felkod")) or "").strip() or "saknas"
        text = (fel.findtext(q("feltext")) or "").strip()
        message = f"SSBTEK: {name} svarade med fel {code}" + (f" ({text})" if text else "")
        if code in TEMPORARY_ERROR_CODES:
            raise RegisterUnavailable(message)
        raise RegisterResponseInvalid(message)
    parts = content.findall(q(AGENCY_ELEMENTS[agency]))
    if not parts:
        raise RegisterResponseInvalid(
            f"SSBTEK: inga uppgifter från {name} och inget fel: uppgifterna kan vara "
            "undanhållna, kontrollera manuellt"
        )
    if len(parts) > 1:
        raise RegisterResponseInvalid(f"SSBTEK: {name} förekommer flera gånger i svaret")
    return parts[0]


def _where(element: etree._Element) -> str:
    return etree.QName(element).localname


def _required(element: etree._Element, name: str) -> etree._Element:
    child = element.find(q(name))
    if child is None:
        raise RegisterResponseInvalid(f"SSBTEK: {_where(element)} saknar {name}")
    return child


def _text(element: etree._Element, name: str) -> str:
    text = (_required(element, name).text or "").strip()
    if not text:
        raise RegisterResponseInvalid(f"SSBTEK: {_where(element)}/{name} är tomt")
    return text


def _optional_text(element: etree._Element, name: str) -> str | None:
    child = element.find(q(name))
    text = None if child is None else (child.text or "").strip()
    return text or None


def _bool(element: etree._Element, name: str) -> bool:
    text = _text(element, name)
    if text not in ("true", "false", "1", "0"):
        raise RegisterResponseInvalid(f"SSBTEK: {_where(element)}/{name} är inte sant/falskt")
    return text in ("true", "1")


def _date(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise RegisterResponseInvalid(f"SSBTEK: {where} är inget datum: {text!r}") from exc


def _amount(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RegisterResponseInvalid(f"SSBTEK: {where} är inget belopp")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise RegisterResponseInvalid(f"SSBTEK: {where} är inget belopp: {value!r}") from exc
    if not amount.is_finite():
        raise RegisterResponseInvalid(f"SSBTEK: {where} är inget belopp: {value!r}")
    return amount


def _int(text: str, where: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise RegisterResponseInvalid(f"SSBTEK: {where} är inget heltal: {text!r}") from exc


def _found(part: etree._Element) -> bool:
    return _bool(part, "traff")


def _payment(
    *,
    kind: str,
    gross: Any,
    tax: Any,
    net: Any,
    paid_on: str,
    period_from: str,
    period_to: str,
    payer: str,
    details: dict[str, Any] | None = None,
) -> Payment:
    payment = Payment(
        kind=kind,
        gross=_amount(gross, "bruttobelopp"),
        tax=_amount(tax, "skatteavdrag"),
        net=_amount(net, "nettobelopp"),
        paid_on=_date(paid_on, "utbetalningsdatum"),
        period_start=_date(period_from, "periodFrom"),
        period_end=_date(period_to, "periodTom"),
        payer=payer,
        details=details or {},
    )
    if payment.gross != payment.tax + payment.net:
        raise RegisterResponseInvalid(
            f"SSBTEK: en utbetalning ({kind}) har brutto {payment.gross} men skatt "
            f"{payment.tax} och netto {payment.net}"
        )
    if payment.period_end < payment.period_start:
        raise RegisterResponseInvalid(f"SSBTEK: en utbetalning ({kind}) slutar före den börjar")
    return payment


def _payments(part: etree._Element, kind: str, extra: Any = None) -> list[Payment]:
    """The `utbetalning` elements directly in `part`, as payments of `kind`; `extra(element)`
    gives a payment's details."""
    payments = []
    for element in part.iterfind(q("utbetalning")):
        payments.append(
            _payment(
                kind=kind,
                gross=_text(element, "bruttobelopp"),
                tax=_text(element, "skatteavdrag"),
                net=_text(element, "nettobelopp"),
                paid_on=_text(element, "utbetalningsdatum"),
                period_from=_text(element, "periodFrom"),
                period_to=_text(element, "periodTom"),
                payer=_text(element, "utbetalare"),
                details=extra(element) if extra else None,
            )
        )
    return payments


def _in_order(payments: list[Payment]) -> tuple[Payment, ...]:
    """By payment date, then kind and payer (the fakes' order; stable for the rest)."""
    return tuple(sorted(payments, key=lambda p: (p.paid_on, p.kind, p.payer)))


# --- per source -----------------------------------------------------------------------------


def _forsakringskassan(part: etree._Element) -> dict[str, Any]:
    encoded = "".join(_required(part, "formaner").itertext()).strip()
    try:
        data = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise RegisterResponseInvalid(
            f"SSBTEK: Försäkringskassans uppgifter är inte base64-kodad JSON ({exc})"
        ) from exc
    rows = data.get(FK_PAYMENTS) if isinstance(data, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise RegisterResponseInvalid(f"SSBTEK: Försäkringskassans JSON saknar {FK_PAYMENTS}")
    payments = []
    for row in rows:
        try:
            code = str(row[FK_CODE])
            kind = KIND_BY_BENEFIT_CODE.get(code, UNKNOWN_BENEFIT_KIND)
            payments.append(
                _payment(
                    kind=kind,
                    gross=row[FK_GROSS],
                    tax=row[FK_TAX],
                    net=row[FK_NET],
                    paid_on=str(row[FK_PAID_ON]),
                    period_from=str(row[FK_FROM]),
                    period_to=str(row[FK_TO]),
                    payer=str(row[FK_PAYER]),
                    details=None if code in KIND_BY_BENEFIT_CODE else {"benefit_code": code},
                )
            )
        except KeyError as exc:
            raise RegisterResponseInvalid(
                f"SSBTEK: en utbetalning från Försäkringskassan saknar {exc.args[0]}"
            ) from exc
    return {"payments": _in_order(payments)}


def _csn(part: etree._Element) -> dict[str, Any]:
    applications = _required(part, "ansokningar").findall(q("ansokan"))
    details: dict[str, Any] = {"applied": False, "granted": False, "period": None}
    if applications:
        latest = max(applications, key=lambda a: _text(a, "ansokningsdatum"))
        code = _text(latest, "beslut")
        if code not in CSN_DECISION_BY_CODE:
            raise RegisterResponseInvalid(f"SSBTEK: okänt beslut från CSN: {code!r}")
        decision = CSN_DECISION_BY_CODE[code]
        period = _required(latest, "studieperiod")
        start, end = _text(period, "from"), _text(period, "tom")
        details = {
            "applied": True,
            "applied_on": _date(_text(latest, "ansokningsdatum"), "ansokningsdatum").isoformat(),
            "granted": decision == "granted",
            "decision": decision,
            "period": {
                "start": _date(start, "studieperiod").isoformat(),
                "end": _date(end, "studieperiod").isoformat(),
            },
            "study_rate_percent": _int(_text(latest, "studietakt"), "studietakt"),
            "loan": _bool(latest, "lan"),
        }

    def parts(element: etree._Element) -> dict[str, Any]:
        return {
            "grant": str(_amount(_text(element, "bidrag"), "bidrag")),
            "loan": str(_amount(_text(element, "lan"), "lan")),
        }

    return {
        "payments": _in_order(_payments(_required(part, "utbetalningar"), "study_support", parts)),
        "details": details,
    }


def _unemployment_fund(part: etree._Element) -> dict[str, Any]:
    membership = _required(part, "medlemskap")
    member = _bool(membership, "medlem")
    suspensions = [
        {
            "from": _date(_text(s, "from"), "avstangning").isoformat(),
            "to": _date(_text(s, "tom"), "avstangning").isoformat(),
            "days": _int(_text(s, "dagar"), "avstangning/dagar"),
            "reason": _text(s, "orsak"),
        }
        for s in part.iterfind(q("avstangning"))
    ]
    since = _optional_text(membership, "medlemFrom")

    def days(element: etree._Element) -> dict[str, Any]:
        return {
            "days": _int(_text(element, "dagar"), "utbetalning/dagar"),
            "daily_amount": str(_amount(_text(element, "dagpenning"), "dagpenning")),
        }

    return {
        "payments": _in_order(_payments(part, "unemployment_benefit", days)),
        "details": {
            "fund": _optional_text(membership, "kassa") if member else None,
            "member": member,
            "member_since": _date(since, "medlemFrom").isoformat() if member and since else None,
            "suspensions": suspensions,
        },
    }


def _arbetsformedlingen(part: etree._Element) -> dict[str, Any]:
    registration = _required(part, "inskrivning")
    if not _bool(registration, "inskriven"):
        return {
            "details": {
                "registered": False,
                "registered_since": None,
                "category": None,
                "programme": None,
                "latest_activity_report": None,
            }
        }
    report = registration.find(q("aktivitetsrapport"))
    return {
        "details": {
            "registered": True,
            "registered_since": _date(
                _text(registration, "inskrivenFrom"), "inskrivenFrom"
            ).isoformat(),
            "category": _text(registration, "sokandekategori"),
            "programme": _optional_text(registration, "program"),
            "latest_activity_report": None
            if report is None
            else {
                "period": _text(report, "period"),
                "submitted_on": _date(_text(report, "inlamnad"), "inlamnad").isoformat(),
            },
        }
    }


def _skatteverket(part: etree._Element) -> dict[str, Any]:
    assessment = _required(part, "beskattning")
    if not _found(assessment):
        return {"found": False}
    capital = _required(assessment, "kapitalinkomst")
    amounts = {
        key: _amount(_text(capital, name), f"kapitalinkomst/{name}")
        for key, name in (
            ("interest", "ranteinkomster"),
            ("dividends", "utdelningar"),
            ("capital_gains", "kapitalvinster"),
            ("total", "summa"),
        )
    }
    if amounts["total"] != amounts["interest"] + amounts["dividends"] + amounts["capital_gains"]:
        raise RegisterResponseInvalid("SSBTEK: Skatteverkets kapitalinkomst går inte ihop")

    def year(element: etree._Element) -> dict[str, Any]:
        return {"income_year": _int(_text(element, "inkomstar"), "inkomstar")}

    refunds = _payments(_required(assessment, "skatteaterbaringar"), "tax_refund", year)
    return {
        "payments": _in_order(refunds),
        "details": {
            "capital_income": {
                "income_year": _int(_text(capital, "inkomstar"), "inkomstar"),
                **{key: str(value) for key, value in amounts.items()},
            }
        },
    }


def _employer_pay(part: etree._Element) -> dict[str, Any]:
    declarations = _required(part, "arbetsgivardeklarationer")
    if not _found(declarations):
        return {"found": False}

    def employer(element: etree._Element) -> dict[str, Any]:
        return {
            "employer": _text(element, "arbetsgivare"),
            "organisation_number": _text(element, "arbetsgivarensOrganisationsnummer"),
        }

    return {"payments": _in_order(_payments(declarations, "salary", employer))}


def _transportstyrelsen(part: etree._Element) -> dict[str, Any]:
    vehicles = [
        {
            "registration": _text(v, "registreringsnummer"),
            "make": _text(v, "fabrikat"),
            "model_year": _int(_text(v, "fordonsar"), "fordonsar"),
            "estimated_value": str(_amount(_text(v, "uppskattatVarde"), "uppskattatVarde")),
        }
        for v in part.iterfind(q("fordon"))
    ]
    return {"details": {"vehicles": vehicles}}


def _migrationsverket(part: etree._Element) -> dict[str, Any]:
    code = _text(part, "uppehallsstatus")
    if code not in RESIDENCE_STATUS_BY_CODE:
        raise RegisterResponseInvalid(
            f"SSBTEK: okänd uppehållsstatus från Migrationsverket {code!r}"
        )
    valid_until = _optional_text(part, "giltigTom")
    return {
        "details": {
            "residence_status": RESIDENCE_STATUS_BY_CODE[code],
            "permit_valid_until": _date(valid_until, "giltigTom").isoformat()
            if valid_until
            else None,
        }
    }


# Each reads its agency's part (traff already true) into Extract fields: found, payments, details.
_READERS = {
    "forsakringskassan": _forsakringskassan,
    "csn": _csn,
    "unemployment_fund": _unemployment_fund,
    "arbetsformedlingen": _arbetsformedlingen,
    "skatteverket": _skatteverket,
    "transportstyrelsen": _transportstyrelsen,
    "migrationsverket": _migrationsverket,
    "employer_pay": _employer_pay,
}
# Skatteverket answers for two sources, each section with its own traff.
_SECTIONED = frozenset({"skatteverket", "employer_pay"})


def extract_from_answer(
    source: str, content: etree._Element, *, personnummer: str, as_of: date
) -> Extract:
    """`source`'s extract from one hamtaBastjanstInformation answer (already checked to be about
    `personnummer`), in exactly the shape the fake register of `source` gives."""
    part = agency_part(content, AGENCY_BY_SOURCE[source])
    if source not in _SECTIONED and not _found(part):
        return Extract(source=source, personnummer=personnummer, as_of=as_of, found=False)
    fields = _READERS[source](part)
    return Extract(source=source, personnummer=personnummer, as_of=as_of, **fields)


def fk_payments_encode(rows: list[dict[str, Any]]) -> str:
    """FK's payments as the base64 JSON SSBTEK carries (for simulators and tests)."""
    return base64.b64encode(json.dumps({FK_PAYMENTS: rows}).encode()).decode()
