"""The population register in production: Skatteverket's Navet (ePersondata, Personpost).

One SOAP 1.1 call per person over mutual TLS with the municipality's organisation certificate; the
request names the municipality (organisationsnummer) and the order identity (beställnings-
identitet) Skatteverket issued to it. The answer is read into an `Extract` of exactly the shape
`FakePopulationRegister` gives, so everything that reads the population extract (the robot's
household and municipality facts, the household prefill, a letter's address) works unchanged:

- `household`: the partner (make/maka, registrerad partner) and the children under 18 registered
  at the person's address; for a person under 18, the parents/custodians registered there.
  Navet's person post names relations but not where the relatives live, so each candidate's own
  post is asked for too (at most `MAX_RELATED_LOOKUPS`, one connection, inside the caller's
  deadline): same registered address, or both without one (skyddad folkbokföring: the family
  is protected together). Ended relations and deregistered relatives are left out. A cohabiting
  partner who is not married to the person (sambo) is not a relation in Navet and so not found.
- `address`: the registered address (folkbokföringsadress) as one line, "" for protected identity
  (sekretessmarkering or skyddad folkbokföring), as the fake and the letters expect.
- `details`: `age` and `municipality_code` (folkbokföringskommun) like the fake; `civil_status`
  (Navet's code) and `deregistration` (reason, code, date) when Navet gives them.

"No such person" is an answer (`found=False`); a refused order, a fault the adapter does not know
or an answer it cannot read is `RegisterResponseInvalid`; timeouts, connection and TLS failures,
5xx and Navet's own server faults are `RegisterUnavailable` (lookup.py retries). Every HTTP wait
is bounded by the caller's deadline (`time_left()`). Nothing is logged with a personnummer, and no
error message carries one. Element names: `navet_mapping` (unverified, one place to change).
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import requests
from django.conf import settings
from lxml import etree

from eligibility.registers import navet_mapping as m
from eligibility.registers.base import (
    Extract,
    PersonRecord,
    RegisterResponseInvalid,
    RegisterUnavailable,
    RequestPurpose,
    time_left,
)
from eligibility.registers.population import LABEL, SOURCE
from eligibility.registers.simulation import age_on

logger = logging.getLogger(__name__)

ADULT_AGE = 18
# Relatives asked about per look-up (each is one more call). More candidates than this is not a
# household the adapter guesses at: a person must look.
MAX_RELATED_LOOKUPS = 10

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
_DIGIT_RUNS = re.compile(r"\d{6,}")


# --- configuration --------------------------------------------------------------------------


@dataclass(frozen=True)
class NavetConfiguration:
    url: str
    client_cert: str
    client_key: str
    ca_file: str  # "" trusts the system's authorities
    organisation_number: str
    order_identity: str

    @classmethod
    def from_settings(cls) -> NavetConfiguration:
        return cls(
            url=getattr(settings, "NAVET_URL", ""),
            client_cert=getattr(settings, "NAVET_CLIENT_CERT", ""),
            client_key=getattr(settings, "NAVET_CLIENT_KEY", ""),
            ca_file=getattr(settings, "NAVET_CA_FILE", ""),
            organisation_number=getattr(settings, "NAVET_ORGANISATION_NUMBER", ""),
            order_identity=getattr(settings, "NAVET_ORDER_IDENTITY", ""),
        )

    def missing(self) -> list[str]:
        """The settings a look-up cannot do without."""
        required = {
            "NAVET_URL": self.url,
            "NAVET_CLIENT_CERT": self.client_cert,
            "NAVET_CLIENT_KEY": self.client_key,
            "NAVET_ORGANISATION_NUMBER": self.organisation_number,
            "NAVET_ORDER_IDENTITY": self.order_identity,
        }
        return [name for name, value in required.items() if not value]


# --- what one person post says --------------------------------------------------------------


@dataclass(frozen=True)
class NavetRelation:
    personnummer: str
    code: str  # Navet's Relationstyp
    until: date | None = None  # RelationTomdatum
    ended_unreadably: bool = False  # a RelationTomdatum that is not a full date
    deregistered: bool = False

    @property
    def kind(self) -> str:
        """The household's word for it: "partner", "child", "parent" or "" (not used)."""
        if self.code in m.RELATION_PARTNER:
            return "partner"
        if self.code in m.RELATION_CHILD:
            return "child"
        if self.code in m.RELATION_PARENT:
            return "parent"
        return ""

    def current_on(self, day: date) -> bool:
        if self.ended_unreadably or self.deregistered:
            return False
        return self.until is None or self.until > day


@dataclass(frozen=True)
class NavetPerson:
    personnummer: str
    name: str
    address: str  # the registered address as Navet gave it ("" when none), also when protected
    municipality_code: str
    secrecy_mark: bool  # sekretessmarkering
    protected_registration: bool  # skyddad folkbokföring
    civil_status: str = ""
    deregistration: dict[str, str] | None = None
    relations: tuple[NavetRelation, ...] = ()

    @property
    def protected_identity(self) -> bool:
        return self.secrecy_mark or self.protected_registration

    @property
    def address_key(self) -> str:
        return " ".join(self.address.casefold().split())


# --- the request ----------------------------------------------------------------------------


def request_envelope(personnummer: str, *, organisation_number: str, order_identity: str) -> bytes:
    """The SOAP 1.1 request for one person's post."""
    soap = f"{{{m.SOAP_ENVELOPE_NAMESPACE}}}"
    service = f"{{{m.SERVICE_NAMESPACE}}}"
    envelope = etree.Element(
        f"{soap}Envelope", nsmap={"soapenv": m.SOAP_ENVELOPE_NAMESPACE, "v1": m.SERVICE_NAMESPACE}
    )
    etree.SubElement(envelope, f"{soap}Header")
    body = etree.SubElement(envelope, f"{soap}Body")
    request = etree.SubElement(body, f"{service}{m.REQUEST}")
    order = etree.SubElement(request, f"{service}{m.ORDER}")
    etree.SubElement(order, f"{service}{m.ORDER_ORGANISATION_NUMBER}").text = organisation_number
    etree.SubElement(order, f"{service}{m.ORDER_IDENTITY}").text = order_identity
    etree.SubElement(request, f"{service}{m.REQUEST_PERSON_ID}").text = personnummer
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


def twelve_digits(personnummer: str) -> str:
    """The personnummer as Navet wants it (12 digits), or RegisterResponseInvalid."""
    digits = personnummer.replace("-", "").replace("+", "").strip()
    if len(digits) != 12 or not digits.isdigit():
        raise RegisterResponseInvalid(f"{LABEL}: personnumret har inte tolv siffror")
    return digits


# --- reading the answer ---------------------------------------------------------------------


def _find(element: Any, *names: str) -> Any:
    """The first descendant along child names (any namespace), or None."""
    for name in names:
        if element is None:
            return None
        element = element.find(f"{{*}}{name}")
    return element


def _text(element: Any, *names: str) -> str:
    found = _find(element, *names)
    return "" if found is None or found.text is None else " ".join(found.text.split())


def _date(text: str) -> date | None:
    """A full date (YYYYMMDD or YYYY-MM-DD); None for an incomplete or unreadable one."""
    digits = text.replace("-", "")
    try:
        return datetime.strptime(digits, m.DATE_FORMAT).date()
    except ValueError:
        return None


def _masked(text: str) -> str:
    """Navet's fault text without anything that could be a personnummer."""
    return _DIGIT_RUNS.sub("…", " ".join(text.split()))[:200]


def calling_name(given_names: str, mark: str) -> str:
    """The given name used (tilltalsnamn) from the given names and Navet's two-digit mark:
    "10" the first, "20" the second, "12" the first and second joined by a hyphen. Without a
    readable mark: the first given name."""
    names = [n for n in re.split(r"[\s-]+", given_names) if n]
    if not names:
        return ""
    if len(mark) == 2 and mark.isdigit():
        first, second = int(mark[0]), int(mark[1])
        if 1 <= first <= len(names):
            if 1 <= second <= len(names) and second != first:
                return f"{names[first - 1]}-{names[second - 1]}"
            return names[first - 1]
    return given_names.split()[0]


def _address(element: Any) -> str:
    """The registered address as one line, like the fake's: "Gatan 1, 231 42 Trelleborg"."""
    if element is None:
        return ""
    care_of = _text(element, m.CARE_OF)
    if care_of and not care_of.casefold().startswith("c/o"):
        care_of = f"c/o {care_of}"
    postal_code = _text(element, m.POSTAL_CODE).replace(" ", "")
    if len(postal_code) == 5 and postal_code.isdigit():
        postal_code = f"{postal_code[:3]} {postal_code[3:]}"
    town = " ".join(p for p in (postal_code, _text(element, m.POSTAL_TOWN)) if p)
    lines = [care_of, _text(element, m.ADDRESS_LINE_1), _text(element, m.ADDRESS_LINE_2)]
    if not lines[2] and not town:
        return ""
    return ", ".join(p for p in (*lines, town) if p)


def _deregistration(element: Any) -> dict[str, str] | None:
    if element is None:
        return None
    code = _text(element, m.DEREGISTRATION_REASON).upper()
    raw_date = _text(element, m.DEREGISTRATION_DATE)
    parsed = _date(raw_date)
    return {
        "reason": m.DEREGISTRATION_REASONS.get(code, "other"),
        "code": code,
        "date": parsed.isoformat() if parsed else raw_date,
    }


def _relation(element: Any) -> NavetRelation:
    until_text = _text(element, m.RELATION_TO)
    until = _date(until_text) if until_text else None
    return NavetRelation(
        personnummer=_text(element, m.RELATION_ID, m.PERSON_NUMBER),
        code=_text(element, m.RELATION_TYPE).upper(),
        until=until,
        ended_unreadably=bool(until_text) and until is None,
        deregistered=_find(element, m.DEREGISTRATION) is not None,
    )


def _person(post: Any) -> NavetPerson:
    person = _find(post, m.PERSON)
    if person is None:
        raise RegisterResponseInvalid(f"{LABEL}: svaret saknar {m.PERSON}")
    personnummer = _text(person, m.PERSON_ID, m.PERSON_NUMBER)
    if not personnummer:
        raise RegisterResponseInvalid(f"{LABEL}: svaret saknar personnummer")
    name_element = _find(person, m.NAME)
    given = calling_name(
        _text(name_element, m.GIVEN_NAMES), _text(name_element, m.CALLING_NAME_MARK)
    )
    name = " ".join(
        p for p in (given, _text(name_element, m.MIDDLE_NAME), _text(name_element, m.SURNAME)) if p
    )
    relations = _find(person, m.RELATIONS)
    return NavetPerson(
        personnummer=personnummer,
        name=name,
        address=_address(_find(person, m.ADDRESSES, m.REGISTERED_ADDRESS)),
        municipality_code=_text(person, m.REGISTRATION, m.REGISTRATION_MUNICIPALITY),
        secrecy_mark=_yes(post, person, m.SECRECY_MARK),
        protected_registration=_yes(post, person, m.PROTECTED_REGISTRATION),
        civil_status=_text(person, m.CIVIL_STATUS, m.CIVIL_STATUS_CODE).upper(),
        deregistration=_deregistration(_find(person, m.DEREGISTRATION)),
        relations=tuple(
            _relation(r)
            for r in ([] if relations is None else relations.iterfind(f"{{*}}{m.RELATION}"))
        ),
    )


def _yes(post: Any, person: Any, name: str) -> bool:
    """A J/N mark on the post (or, in some versions, on the person post)."""
    return (_text(post, name) or _text(person, name)).upper() == m.YES


def _fault(fault: Any) -> None:
    """Read a SOAP Fault: return when it says the person is not in the register, else raise."""
    fault_code = _text(fault, "faultcode").rpartition(":")[2]
    fault_string = _text(fault, "faultstring")
    detail = fault.find(f".//{{*}}{m.FAULT_CODE}")
    code = "" if detail is None or detail.text is None else detail.text.strip()
    description = _text(fault.find(f".//{{*}}{m.FAULT_DESCRIPTION}"))
    said = f"{fault_string} {description}".casefold()
    if code in m.FAULT_PERSON_NOT_FOUND or any(k in said for k in m.FAULT_PERSON_NOT_FOUND_MARKERS):
        return
    what = _masked(description or fault_string) or "okänt fel"
    if code in m.FAULT_ORDER_REFUSED:
        raise RegisterResponseInvalid(
            f"{LABEL} vägrade beställningen ({code}: {what}); kontrollera "
            "NAVET_ORGANISATION_NUMBER och NAVET_ORDER_IDENTITY"
        )
    if fault_code.startswith("Server"):
        raise RegisterUnavailable(f"{LABEL}: fel hos Skatteverket ({code or fault_code}: {what})")
    raise RegisterResponseInvalid(f"{LABEL} gav ett fel ({code or fault_code}: {what})")


class UnreadableAnswer(RegisterResponseInvalid):
    """Not a SOAP envelope at all (an HTML error page, a cut-off body)."""


def parse_answer(body: bytes) -> NavetPerson | None:
    """The person post in a SOAP answer; None when the person is not in the register."""
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise UnreadableAnswer(f"{LABEL} gav ett oläsbart svar (inte XML)") from exc
    if etree.QName(root).localname != "Envelope":
        raise UnreadableAnswer(f"{LABEL} gav ett oläsbart svar (inget SOAP-kuvert)")
    soap_body = _find(root, "Body")
    if soap_body is None:
        raise UnreadableAnswer(f"{LABEL} gav ett oläsbart svar (ingen SOAP Body)")
    fault = _find(soap_body, "Fault")
    if fault is not None:
        _fault(fault)  # raises unless it says "no such person"
        return None
    posts = soap_body.find(f".//{{*}}{m.POSTS}")
    if posts is None:
        raise RegisterResponseInvalid(f"{LABEL} gav ett oläsbart svar (saknar {m.POSTS})")
    found = posts.findall(f"{{*}}{m.POST}")
    if not found:
        return None
    if len(found) > 1:
        raise RegisterResponseInvalid(f"{LABEL} gav {len(found)} poster för en person")
    return _person(found[0])


# --- one call -------------------------------------------------------------------------------


def _timeout() -> float:
    left = time_left()
    limit = float(settings.REGISTER_TIMEOUT_SECONDS) if left is None else left
    if limit <= 0:
        raise RegisterUnavailable(f"{LABEL} svarade inte i tid")
    return limit


def person_post(
    session: requests.Session, configuration: NavetConfiguration, personnummer: str
) -> NavetPerson | None:
    """Ask Navet for one person's post (None: not in the register)."""
    envelope = request_envelope(
        twelve_digits(personnummer),
        organisation_number=configuration.organisation_number,
        order_identity=configuration.order_identity,
    )
    timeout = _timeout()
    started = time.monotonic()
    try:
        response = session.post(
            configuration.url,
            data=envelope,
            headers={"Content-Type": m.SOAP_CONTENT_TYPE, "SOAPAction": m.SOAP_ACTION},
            cert=(configuration.client_cert, configuration.client_key),
            verify=configuration.ca_file or True,
            timeout=(timeout, timeout),
            allow_redirects=False,
        )
    except requests.Timeout as exc:
        raise RegisterUnavailable(f"{LABEL} svarade inte i tid") from exc
    except requests.exceptions.SSLError as exc:
        raise RegisterUnavailable(f"{LABEL}: TLS-förbindelsen misslyckades") from exc
    except (requests.RequestException, OSError) as exc:
        raise RegisterUnavailable(f"{LABEL} svarar inte ({type(exc).__name__})") from exc
    logger.debug(
        "navet: HTTP %s in %d ms", response.status_code, (time.monotonic() - started) * 1000
    )
    status = response.status_code
    if status in (200, 500):
        # SOAP 1.1 sends faults with HTTP 500; a 500 that is no SOAP envelope is an outage.
        try:
            return parse_answer(response.content)
        except UnreadableAnswer:
            if status == 500:
                raise RegisterUnavailable(f"{LABEL} svarar med HTTP 500") from None
            raise
    if status >= 500:
        raise RegisterUnavailable(f"{LABEL} svarar med HTTP {status}")
    raise RegisterResponseInvalid(f"{LABEL} svarade med HTTP {status}")


# --- the adapter ----------------------------------------------------------------------------


class NavetPopulationRegister:
    """`REGISTER_POPULATION=eligibility.registers.navet.NavetPopulationRegister`."""

    source = SOURCE
    label = LABEL
    is_fake = False

    def fetch(self, personnummer: str, *, as_of: date, purpose: RequestPurpose) -> Extract:
        configuration = NavetConfiguration.from_settings()
        missing = configuration.missing()
        if missing:
            raise RegisterResponseInvalid(f"{LABEL} är inte konfigurerat: {', '.join(missing)}")
        with requests.Session() as session:
            person = person_post(session, configuration, personnummer)
            if person is None:
                return Extract(source=SOURCE, personnummer=personnummer, as_of=as_of, found=False)
            if person.personnummer != twelve_digits(personnummer):
                raise RegisterResponseInvalid(f"{LABEL} svarade om en annan person")
            household = household_members(session, configuration, person, as_of)
        details: dict[str, Any] = {
            "age": age_on(personnummer, as_of),
            "municipality_code": person.municipality_code,
        }
        if person.civil_status:
            details["civil_status"] = person.civil_status
        if person.deregistration:
            details["deregistration"] = dict(person.deregistration)
        return Extract(
            source=SOURCE,
            personnummer=personnummer,
            as_of=as_of,
            household=household,
            address="" if person.protected_identity else person.address,
            protected_identity=person.protected_identity,
            details=details,
        )


def household_candidates(person: NavetPerson, as_of: date) -> dict[str, str]:
    """Personnummer -> relation ("partner", "child", "parent") of everyone who may live with the
    person: current partners, children under 18, and a minor's parents and custodians."""
    own_age = age_on(person.personnummer, as_of)
    candidates: dict[str, str] = {}
    for relation in person.relations:
        kind = relation.kind
        if not kind or not relation.personnummer or not relation.current_on(as_of):
            continue
        if relation.personnummer == person.personnummer:
            continue
        if kind == "child":
            age = age_on(relation.personnummer, as_of)
            if age is None or age >= ADULT_AGE:
                continue
        if kind == "parent" and (own_age is None or own_age >= ADULT_AGE):
            continue
        candidates.setdefault(relation.personnummer, kind)
    return candidates


def household_members(
    session: requests.Session,
    configuration: NavetConfiguration,
    person: NavetPerson,
    as_of: date,
) -> tuple[PersonRecord, ...]:
    """The candidates registered at the person's address (or, when the person has none, the
    ones without one too), each asked for by their own post, in Navet's order."""
    candidates = household_candidates(person, as_of)
    if len(candidates) > MAX_RELATED_LOOKUPS:
        raise RegisterResponseInvalid(
            f"{LABEL}: {len(candidates)} möjliga hushållsmedlemmar, fler än "
            f"{MAX_RELATED_LOOKUPS} som slås upp; en handläggare får titta"
        )
    members = []
    for personnummer, relation in candidates.items():
        relative = person_post(session, configuration, personnummer)
        if relative is None or relative.deregistration:
            continue
        if relative.address_key != person.address_key:
            continue
        members.append(
            PersonRecord(personnummer, relative.name, relation, age_on(personnummer, as_of))
        )
    return tuple(members)
