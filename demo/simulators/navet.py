"""Skatteverket's Navet (ePersondata, Personpost) on loopback: SOAP 1.1 over mutual TLS.

It answers from the fake population register's data (`eligibility.registers.population`), so a
journey through the simulator and the production adapter finds the same household, address,
municipality and protected identity as one through `FakePopulationRegister`:

- the demo people (POPULATION) from their fixtures, registered in Trelleborg;
- anyone else as the fake generates them, registered in `municipality_code`; the generated
  partner and children, when asked about next, live at the same address with the relation back
  (the fake alone would generate each of them a household of their own);
- protected identity: Sekretessmarkering "J" and no address (the fake gives none);
- `people` (tests): posts of its own that win over the fake's (civil status, deregistration, ...);
  `unknown`: personnummer answered "not in the register" (so is any number with a bad check digit).

The request must carry the order identity (`order_identity`) and, when `organisation_number` is
set, that organisation number; otherwise the answer is a SOAP Fault with Navet's "order not
valid" code. Element names and fault codes come from `eligibility.registers.navet_mapping`, the
adapter's own (unverified) mapping: the simulator proves the adapter against that mapping, not
against Skatteverket.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from lxml import etree

from demo.simulators.https import HttpsSimulator, Request, Response
from demo.simulators.pki import Pki
from eligibility.registers import navet_mapping as m
from eligibility.registers.population import (
    FIRST_NAMES,
    LAST_NAMES,
    POPULATION,
    TRELLEBORG,
    FakePopulationRegister,
)
from eligibility.registers.simulation import birth_date, luhn_digit, rng_for

DEFAULT_ORDER_IDENTITY = "00001287-FO01-0001"
PATH = "/navet"
# How the fake's household relations are written in Navet (and, for the relative's own post,
# the relation back).
RELATION_CODE = {"partner": "M", "child": "B", "parent": "V"}
RELATION_BACK = {"partner": "partner", "child": "parent", "parent": "child"}
_POSTAL = re.compile(r"^(\d{3}) ?(\d{2}) (.+)$")


@dataclass(frozen=True)
class SimulatedPerson:
    """One person post as the simulator writes it."""

    personnummer: str
    given_names: str
    surname: str
    address: str = ""  # "Gata 1, 231 42 Ort" as the fake writes it; "" for none
    municipality_code: str = TRELLEBORG
    secrecy_mark: bool = False
    protected_registration: bool = False
    relations: tuple[tuple[str, str], ...] = ()  # (personnummer, Relationstyp code)
    calling_name_mark: str = "10"
    middle_name: str = ""
    civil_status: str = ""
    deregistration: tuple[str, str] | None = None  # (AvregistreringsorsakKod, YYYYMMDD)
    ended_relations: frozenset[str] = field(default_factory=frozenset)  # with a Tomdatum


def _split_name(name: str) -> tuple[str, str]:
    given, _, surname = name.partition(" ")
    return given, surname


def _known_names() -> dict[str, str]:
    """The demo people's names as the fixtures write them in each other's households."""
    names: dict[str, str] = {}
    for record in POPULATION.values():
        for pnr, name, _relation in record["household"]:
            names.setdefault(pnr, name)
    return names


def valid_personnummer(personnummer: str) -> bool:
    return (
        len(personnummer) == 12
        and personnummer.isdigit()
        and birth_date(personnummer) is not None
        and luhn_digit(personnummer[2:11]) == personnummer[11]
    )


class NavetSimulator(HttpsSimulator):
    name = "navet"

    def __init__(
        self,
        pki: Pki,
        *,
        port: int = 0,
        control_file: Path | None = None,
        tls: bool = True,
        order_identity: str = DEFAULT_ORDER_IDENTITY,
        organisation_number: str = "",
        municipality_code: str = TRELLEBORG,
        today: date | None = None,
    ) -> None:
        super().__init__(pki, port=port, control_file=control_file, tls=tls)
        self.order_identity = order_identity
        self.organisation_number = organisation_number  # "" accepts any
        self.municipality_code = municipality_code  # where generated people are registered
        self.today = today  # the fake's generation date (None: today)
        self.people: dict[str, SimulatedPerson] = {}
        self.unknown: set[str] = set()
        self._derived: dict[str, SimulatedPerson] = {}
        self._lock = threading.Lock()
        self._names = _known_names()

    # --- the protocol ------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.method != "POST" or request.path != PATH:
            return Response(404, b"Not Found", "text/plain")
        try:
            organisation_number, order_identity, personnummer = _read_request(request.body)
        except ValueError as exc:
            return fault("Client", "REQUEST_OGILTIG", f"Felaktig begäran: {exc}")
        if order_identity != self.order_identity or (
            self.organisation_number and organisation_number != self.organisation_number
        ):
            return fault(
                "Client", next(iter(m.FAULT_ORDER_REFUSED)), "Beställningen är inte giltig"
            )
        if personnummer in self.unknown or not (
            personnummer in self.people or valid_personnummer(personnummer)
        ):
            return fault(
                "Client", next(iter(m.FAULT_PERSON_NOT_FOUND)), "Personen finns inte i Navet"
            )
        return Response(200, person_answer(self.person(personnummer)), m.SOAP_CONTENT_TYPE)

    # --- the data ----------------------------------------------------------------------------

    def person(self, personnummer: str) -> SimulatedPerson:
        """The post for one person: a test's own, a relative derived earlier, or the fake's."""
        with self._lock:
            if personnummer in self.people:
                return self.people[personnummer]
            if personnummer in self._derived and personnummer not in POPULATION:
                return self._derived[personnummer]
            return self._from_fake(personnummer)

    def _from_fake(self, personnummer: str) -> SimulatedPerson:
        day = self.today or date.today()
        extract = FakePopulationRegister().answer(personnummer, as_of=day)
        known = personnummer in POPULATION
        given, surname = _split_name(self._names.get(personnummer) or self._name(personnummer))
        person = SimulatedPerson(
            personnummer=personnummer,
            given_names=given,
            surname=surname,
            address=extract.address,
            municipality_code=TRELLEBORG if known else self.municipality_code,
            secrecy_mark=extract.protected_identity,
            relations=tuple(
                (member.personnummer, RELATION_CODE[member.relation])
                for member in extract.household
            ),
        )
        if not known:
            # The generated partner and children live here too, with the relation back.
            for member in extract.household:
                if member.personnummer in POPULATION or member.personnummer in self.people:
                    continue
                others = tuple(
                    (o.personnummer, RELATION_CODE[_relation_between(member.relation, o.relation)])
                    for o in extract.household
                    if o.personnummer != member.personnummer
                    and _relation_between(member.relation, o.relation)
                )
                m_given, m_surname = _split_name(member.name)
                self._derived[member.personnummer] = replace(
                    person,
                    personnummer=member.personnummer,
                    given_names=m_given,
                    surname=m_surname,
                    relations=(
                        (personnummer, RELATION_CODE[RELATION_BACK[member.relation]]),
                        *others,
                    ),
                )
        return person

    def _name(self, personnummer: str) -> str:
        rng = rng_for("navet-name", personnummer)
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _relation_between(member: str, other: str) -> str:
    """How `member` of a generated household relates to `other` member: the subject's partner
    is the parent of the subject's children; children are siblings (no Navet relation)."""
    if member == "partner" and other == "child":
        return "child"
    if member == "child" and other == "partner":
        return "parent"
    return ""


# --- reading and writing SOAP ---------------------------------------------------------------


def _read_request(body: bytes) -> tuple[str, str, str]:
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise ValueError("inte XML") from exc
    request = root.find(f".//{{{m.SERVICE_NAMESPACE}}}{m.REQUEST}")
    if request is None:
        raise ValueError(f"saknar {m.REQUEST}")

    def text(*names: str) -> str:
        path = "/".join(f"{{{m.SERVICE_NAMESPACE}}}{n}" for n in names)
        return (request.findtext(path) or "").strip()

    return (
        text(m.ORDER, m.ORDER_ORGANISATION_NUMBER),
        text(m.ORDER, m.ORDER_IDENTITY),
        text(m.REQUEST_PERSON_ID),
    )


def _envelope() -> tuple[Any, Any]:
    soap = m.SOAP_ENVELOPE_NAMESPACE
    envelope = etree.Element(f"{{{soap}}}Envelope", nsmap={"S": soap})
    return envelope, etree.SubElement(envelope, f"{{{soap}}}Body")


def _sub(parent: Any, name: str, text: str | None = None) -> Any:
    element = etree.SubElement(parent, name)
    if text is not None:
        element.text = text
    return element


def person_answer(person: SimulatedPerson) -> bytes:
    envelope, body = _envelope()
    ns = m.SERVICE_NAMESPACE
    response = etree.SubElement(body, f"{{{ns}}}{m.RESPONSE}", nsmap={"ns0": ns})
    posts = etree.SubElement(response, f"{{{ns}}}{m.POSTS}")
    post = _sub(posts, m.POST)
    _sub(post, m.SECRECY_MARK, "J" if person.secrecy_mark else "N")
    _sub(post, m.PROTECTED_REGISTRATION, "J" if person.protected_registration else "N")
    record = _sub(post, m.PERSON)
    _sub(_sub(record, m.PERSON_ID), m.PERSON_NUMBER, person.personnummer)
    name = _sub(record, m.NAME)
    _sub(name, m.CALLING_NAME_MARK, person.calling_name_mark)
    _sub(name, m.GIVEN_NAMES, person.given_names)
    if person.middle_name:
        _sub(name, m.MIDDLE_NAME, person.middle_name)
    _sub(name, m.SURNAME, person.surname)
    registration = _sub(record, m.REGISTRATION)
    if person.municipality_code:
        _sub(registration, m.REGISTRATION_COUNTY, person.municipality_code[:2])
        _sub(registration, m.REGISTRATION_MUNICIPALITY, person.municipality_code)
    # Skyddad folkbokföring: no address at all. Sekretessmarkering alone: Navet still gives the
    # address, marked (the fake's protected people have none, so they are answered without).
    if person.address and not person.protected_registration:
        street, _, town_line = person.address.rpartition(", ")
        postal = _POSTAL.match(town_line)
        address = _sub(_sub(record, m.ADDRESSES), m.REGISTERED_ADDRESS)
        _sub(address, m.ADDRESS_LINE_2, street)
        _sub(address, m.POSTAL_CODE, f"{postal[1]}{postal[2]}" if postal else "")
        _sub(address, m.POSTAL_TOWN, postal[3] if postal else town_line)
    if person.civil_status:
        _sub(_sub(record, m.CIVIL_STATUS), m.CIVIL_STATUS_CODE, person.civil_status)
    if person.deregistration:
        deregistration = _sub(record, m.DEREGISTRATION)
        _sub(deregistration, m.DEREGISTRATION_REASON, person.deregistration[0])
        _sub(deregistration, m.DEREGISTRATION_DATE, person.deregistration[1])
    if person.relations:
        relations = _sub(record, m.RELATIONS)
        for personnummer, code in person.relations:
            relation = _sub(relations, m.RELATION)
            _sub(_sub(relation, m.RELATION_ID), m.PERSON_NUMBER, personnummer)
            _sub(relation, m.RELATION_TYPE, code)
            if personnummer in person.ended_relations:
                _sub(relation, m.RELATION_TO, "20200101")
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


def no_person_answer() -> bytes:
    """An answer with no post (the other way Navet may say "not in the register")."""
    envelope, body = _envelope()
    ns = m.SERVICE_NAMESPACE
    response = etree.SubElement(body, f"{{{ns}}}{m.RESPONSE}", nsmap={"ns0": ns})
    etree.SubElement(response, f"{{{ns}}}{m.POSTS}")
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


def fault(kind: str, code: str, description: str) -> Response:
    """A SOAP 1.1 Fault (HTTP 500) with Skatteverket's code and description in the detail."""
    envelope, body = _envelope()
    soap_fault = etree.SubElement(body, f"{{{m.SOAP_ENVELOPE_NAMESPACE}}}Fault")
    _sub(soap_fault, "faultcode", f"S:{kind}")
    _sub(soap_fault, "faultstring", description)
    detail = _sub(soap_fault, "detail")
    navet_fault = etree.SubElement(
        detail, f"{{{m.SERVICE_NAMESPACE}}}NavetFault", nsmap={"ns0": m.SERVICE_NAMESPACE}
    )
    _sub(navet_fault, m.FAULT_CODE, code)
    _sub(navet_fault, m.FAULT_DESCRIPTION, description)
    return Response(
        500, etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"), m.SOAP_CONTENT_TYPE
    )
