"""SSBTEK on loopback: hamtaBastjanstInformation and testaBastjanstInformation over SOAP 1.1 with
mutual TLS, answering from the fake registers' deterministic people.

The answer for a person is what the fake registers (eligibility.registers.fake) say about them for
the same months, written in SSBTEK's shape (eligibility.registers.ssbtek_mapping describes it), so
a journey through this simulator finds the same facts as one through the fakes. The fakes'
`answer` is used, not `fetch`: the fakes' own delays and failure injection do not apply here (use
this simulator's faults).

Refused with a SOAP Client fault (HTTP 500): no client certificate, a wrong SOAPAction, XML that is
not a SOAP envelope, a missing syfte, lagtext, case reference or ingivare, a personidentitet that
is not 12 digits, a period that ends before it starts or is longer than two years.

Faults, besides the shared ones (demo.simulators.https): "fault" answers every question with a
SOAP Server fault; "partial" answers `partial_agency`
(default FK) with a `fel` (code `partial_error_code`, a temporary one by default) and the others
normally; `withheld_agencies` are left out of every answer without notice (as SSBTEK does with
data the caller may not see).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar

from lxml import etree

from demo.simulators.https import HttpsSimulator, Request, Response
from eligibility.registers.base import Extract, Payment
from eligibility.registers.fake import FAKE_REGISTERS
from eligibility.registers.ssbtek_mapping import (
    AGENCIES,
    AGENCY_ELEMENTS,
    ANSWER_SUFFIX,
    BENEFIT_CODE_BY_KIND,
    CSN_DECISION_BY_CODE,
    FK_CODE,
    FK_FROM,
    FK_GROSS,
    FK_NET,
    FK_PAID_ON,
    FK_PAYER,
    FK_TAX,
    FK_TO,
    NS,
    OPERATION_FETCH,
    OPERATION_TEST,
    RESIDENCE_STATUS_BY_CODE,
    SOAP_ENV,
    fk_payments_encode,
    q,
    soap_action,
)

CSN_CODE = {v: k for k, v in CSN_DECISION_BY_CODE.items()}
RESIDENCE_CODE = {v: k for k, v in RESIDENCE_STATUS_BY_CODE.items()}


class BadRequest(Exception):
    """The question is refused (a SOAP Client fault)."""


class SsbtekSimulator(HttpsSimulator):
    name: ClassVar[str] = "ssbtek"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partial_agency = "FK"
        self.partial_error_code = "KALLA_EJ_TILLGANGLIG"
        self.withheld_agencies: set[str] = set()

    # --- the protocol ----------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        try:
            if request.client_certificate is None:
                raise BadRequest("klientcertifikat saknas")
            if request.method != "POST":
                raise BadRequest("endast POST")
            operation = _operation(request.body)
            action = request.headers.get("soapaction", "").strip('"')
            if action != soap_action(etree.QName(operation).localname):
                raise BadRequest(f"fel SOAPAction {action!r}")
            if operation.tag == q(OPERATION_TEST):
                return _ok(_answer(OPERATION_TEST, [("status", "OK")]))
            if operation.tag == q(OPERATION_FETCH):
                if self.current_fault().mode == "fault":
                    return _fault("Server", "Tjänsten är tillfälligt otillgänglig")
                return _ok(self._fetch(operation))
            raise BadRequest(f"okänd operation {etree.QName(operation).localname}")
        except BadRequest as exc:
            return _fault("Client", str(exc))

    def _fetch(self, operation: etree._Element) -> etree._Element:
        ingivare = operation.find(q("ingivare"))
        if ingivare is None or not _text(ingivare, "organisationsnummer").isdigit():
            raise BadRequest("ingivare/organisationsnummer saknas")
        if not _text(ingivare, "namn") or not _text(ingivare, "handlaggare"):
            raise BadRequest("ingivare/namn eller handlaggare saknas")
        personnummer = _text(operation, "personidentitet")
        if len(personnummer) != 12 or not personnummer.isdigit():
            raise BadRequest("personidentitet ska vara 12 siffror")
        for name in ("arendeidentitet", "syfte", "lagtext"):
            if not _text(operation, name):
                raise BadRequest(f"{name} saknas")
        period = operation.find(q("tidsperiod"))
        if period is None:
            raise BadRequest("tidsperiod saknas")
        try:
            first = date.fromisoformat(_text(period, "from"))
            last = date.fromisoformat(_text(period, "tom"))
        except ValueError as exc:
            raise BadRequest("tidsperiod är inga datum") from exc
        if last < first:
            raise BadRequest("tidsperiod slutar före den börjar")
        if last >= first.replace(year=first.year + 2):
            raise BadRequest("tidsperiod över två år")
        include = operation.find(q("inkludera"))
        agencies = [
            a for a in AGENCIES if include is not None and _text(include, a) in ("true", "1")
        ]
        as_of = last + timedelta(days=1)  # the fakes' as_of: the month after the period
        content = [
            ("korrelationsid", _text(operation, "korrelationsid")),
            ("personidentitet", personnummer),
        ]
        answer = _answer(OPERATION_FETCH, content)
        partial = self.current_fault().mode == "partial"
        for agency in agencies:
            if agency in self.withheld_agencies:
                continue
            if partial and agency == self.partial_agency:
                fel = _sub(answer, "fel")
                _sub(fel, "kalla", agency)
                _sub(fel, "felkod", self.partial_error_code)
                _sub(fel, "feltext", "Källan svarade inte")
                continue
            _PARTS[agency](_sub(answer, AGENCY_ELEMENTS[agency]), personnummer, as_of)
        return answer


# --- reading the question -------------------------------------------------------------------


def _operation(body: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise BadRequest(f"inte XML: {exc}") from exc
    soap_body = root.find(f"{{{SOAP_ENV}}}Body")
    if root.tag != f"{{{SOAP_ENV}}}Envelope" or soap_body is None or not len(soap_body):
        raise BadRequest("inget SOAP 1.1-kuvert")
    return soap_body[0]


def _text(parent: etree._Element, name: str) -> str:
    return (parent.findtext(q(name)) or "").strip()


# --- writing the answer ---------------------------------------------------------------------


def _envelope(content: etree._Element) -> bytes:
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV, "bt": NS})
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(content)
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


def _ok(content: etree._Element) -> Response:
    return Response(200, _envelope(content), "text/xml; charset=utf-8")


def _fault(code: str, text: str) -> Response:
    fault = etree.Element(f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = f"soap:{code}"
    etree.SubElement(fault, "faultstring").text = text
    return Response(500, _envelope(fault), "text/xml; charset=utf-8")


def _answer(operation: str, children: list[tuple[str, str]]) -> etree._Element:
    answer = etree.Element(q(operation + ANSWER_SUFFIX), nsmap={"bt": NS})
    for name, text in children:
        _sub(answer, name, text)
    return answer


def _sub(parent: etree._Element, name: str, text: object = None) -> etree._Element:
    element = etree.SubElement(parent, q(name))
    if text is not None:
        element.text = str(text)
    return element


def _bool(value: object) -> str:
    return "true" if value else "false"


def _fake(source: str, personnummer: str, as_of: date) -> Extract:
    return FAKE_REGISTERS[source]().answer(personnummer, as_of=as_of)


def _payment(parent: etree._Element, payment: Payment, **extra: object) -> etree._Element:
    element = _sub(parent, "utbetalning")
    for name, value in (
        ("bruttobelopp", payment.gross),
        ("skatteavdrag", payment.tax),
        ("nettobelopp", payment.net),
        ("utbetalningsdatum", payment.paid_on.isoformat()),
        ("periodFrom", payment.period_start.isoformat()),
        ("periodTom", payment.period_end.isoformat()),
        ("utbetalare", payment.payer),
        *extra.items(),
    ):
        _sub(element, name, value)
    return element


def _found(part: etree._Element, extract: Extract) -> bool:
    _sub(part, "traff", _bool(extract.found))
    return extract.found


def _forsakringskassan(part: etree._Element, personnummer: str, as_of: date) -> None:
    extract = _fake("forsakringskassan", personnummer, as_of)
    if not _found(part, extract):
        return
    rows = [
        {
            FK_CODE: p.details.get("benefit_code") or BENEFIT_CODE_BY_KIND[p.kind],
            FK_GROSS: str(p.gross),
            FK_TAX: str(p.tax),
            FK_NET: str(p.net),
            FK_PAID_ON: p.paid_on.isoformat(),
            FK_FROM: p.period_start.isoformat(),
            FK_TO: p.period_end.isoformat(),
            FK_PAYER: p.payer,
        }
        for p in extract.payments
    ]
    _sub(part, "formaner", fk_payments_encode(rows))


def _csn(part: etree._Element, personnummer: str, as_of: date) -> None:
    extract = _fake("csn", personnummer, as_of)
    if not _found(part, extract):
        return
    details = extract.details
    applications = _sub(part, "ansokningar")
    if details.get("applied"):
        application = _sub(applications, "ansokan")
        _sub(application, "ansokningsdatum", details["applied_on"])
        _sub(application, "beslut", CSN_CODE[details["decision"]])
        period = _sub(application, "studieperiod")
        _sub(period, "from", details["period"]["start"])
        _sub(period, "tom", details["period"]["end"])
        _sub(application, "studietakt", details["study_rate_percent"])
        _sub(application, "lan", _bool(details["loan"]))
    payments = _sub(part, "utbetalningar")
    for payment in extract.payments:
        _payment(payments, payment, bidrag=payment.details["grant"], lan=payment.details["loan"])


def _unemployment_fund(part: etree._Element, personnummer: str, as_of: date) -> None:
    extract = _fake("unemployment_fund", personnummer, as_of)
    if not _found(part, extract):
        return
    details = extract.details
    membership = _sub(part, "medlemskap")
    _sub(membership, "medlem", _bool(details["member"]))
    if details["member"]:
        _sub(membership, "kassa", details["fund"])
        _sub(membership, "medlemFrom", details["member_since"])
    for suspension in details["suspensions"]:
        element = _sub(part, "avstangning")
        _sub(element, "from", suspension["from"])
        _sub(element, "tom", suspension["to"])
        _sub(element, "dagar", suspension["days"])
        _sub(element, "orsak", suspension["reason"])
    for payment in extract.payments:
        _payment(
            part, payment, dagar=payment.details["days"], dagpenning=payment.details["daily_amount"]
        )


def _arbetsformedlingen(part: etree._Element, personnummer: str, as_of: date) -> None:
    extract = _fake("arbetsformedlingen", personnummer, as_of)
    if not _found(part, extract):
        return
    details = extract.details
    registration = _sub(part, "inskrivning")
    _sub(registration, "inskriven", _bool(details["registered"]))
    if not details["registered"]:
        return
    _sub(registration, "inskrivenFrom", details["registered_since"])
    _sub(registration, "sokandekategori", details["category"])
    if details["programme"]:
        _sub(registration, "program", details["programme"])
    report = details["latest_activity_report"]
    if report:
        element = _sub(registration, "aktivitetsrapport")
        _sub(element, "period", report["period"])
        _sub(element, "inlamnad", report["submitted_on"])


def _skatteverket(part: etree._Element, personnummer: str, as_of: date) -> None:
    _sub(part, "traff", "true")
    assessment = _sub(part, "beskattning")
    extract = _fake("skatteverket", personnummer, as_of)
    if _found(assessment, extract):
        capital = extract.details["capital_income"]
        element = _sub(assessment, "kapitalinkomst")
        _sub(element, "inkomstar", capital["income_year"])
        _sub(element, "ranteinkomster", capital["interest"])
        _sub(element, "utdelningar", capital["dividends"])
        _sub(element, "kapitalvinster", capital["capital_gains"])
        _sub(element, "summa", capital["total"])
        refunds = _sub(assessment, "skatteaterbaringar")
        for payment in extract.payments:
            _payment(refunds, payment, inkomstar=payment.details["income_year"])
    declarations = _sub(part, "arbetsgivardeklarationer")
    pay = _fake("employer_pay", personnummer, as_of)
    if _found(declarations, pay):
        for payment in pay.payments:
            _payment(
                declarations,
                payment,
                arbetsgivare=payment.details["employer"],
                arbetsgivarensOrganisationsnummer=payment.details["organisation_number"],
            )


def _transportstyrelsen(part: etree._Element, personnummer: str, as_of: date) -> None:
    extract = _fake("transportstyrelsen", personnummer, as_of)
    if not _found(part, extract):
        return
    for vehicle in extract.details["vehicles"]:
        element = _sub(part, "fordon")
        _sub(element, "registreringsnummer", vehicle["registration"])
        _sub(element, "fabrikat", vehicle["make"])
        _sub(element, "fordonsar", vehicle["model_year"])
        _sub(element, "uppskattatVarde", vehicle["estimated_value"])


def _migrationsverket(part: etree._Element, personnummer: str, as_of: date) -> None:
    extract = _fake("migrationsverket", personnummer, as_of)
    if not _found(part, extract):
        return
    _sub(part, "uppehallsstatus", RESIDENCE_CODE[extract.details["residence_status"]])
    if extract.details["permit_valid_until"]:
        _sub(part, "giltigTom", extract.details["permit_valid_until"])


_PARTS = {
    "AF": _arbetsformedlingen,
    "CSN": _csn,
    "FK": _forsakringskassan,
    "SKV": _skatteverket,
    "SO": _unemployment_fund,
    "TNS": _transportstyrelsen,
    "MIV": _migrationsverket,
}
