"""The Navet adapter against its simulator on loopback (mutual TLS, SOAP): the same extracts as
the fake population register, protected identity, not found, faults, the deadline, certificates,
the system check, and the household prefill and letter address through the adapter."""

from __future__ import annotations

import dataclasses
import logging
import random
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import requests
import time_machine
from django.conf import LazySettings

from demo.simulators.https import Fault
from demo.simulators.navet import (
    DEFAULT_ORDER_IDENTITY,
    NavetSimulator,
    SimulatedPerson,
    fault,
    no_person_answer,
    person_answer,
)
from demo.simulators.pki import Pki
from eligibility.registers import navet_mapping as m
from eligibility.registers.base import (
    Extract,
    RegisterResponseInvalid,
    RegisterUnavailable,
    register_deadline,
)
from eligibility.registers.navet import (
    MAX_RELATED_LOOKUPS,
    NavetPopulationRegister,
    calling_name,
    parse_answer,
)
from eligibility.registers.navet_checks import navet_configuration_problems
from eligibility.registers.population import POPULATION, FakePopulationRegister
from eligibility.registers.simulation import (
    PNR_ALVA,
    PNR_BILAL,
    PNR_CARINA,
    PNR_CHILD,
    make_personnummer,
)
from tests.eligibility.registers.conftest import AS_OF, PURPOSE, generated_people

NAVET = "eligibility.registers.navet.NavetPopulationRegister"
ORGANISATION_NUMBER = "2120001124"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki.create(tmp_path_factory.mktemp("navet-pki"))


@pytest.fixture(scope="module")
def running_simulator(pki: Pki) -> Iterator[NavetSimulator]:
    sim = NavetSimulator(pki, organisation_number=ORGANISATION_NUMBER, today=AS_OF)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def simulator(
    running_simulator: NavetSimulator, pki: Pki, settings: LazySettings
) -> NavetSimulator:
    """Navet on loopback as new, and the adapter's settings pointing at it."""
    sim = running_simulator
    sim.fault = Fault()
    sim.people.clear()
    sim.unknown.clear()
    sim.requests.clear()
    settings.NAVET_URL = f"{sim.url}/navet"
    settings.NAVET_CLIENT_CERT = str(pki.client.cert)
    settings.NAVET_CLIENT_KEY = str(pki.client.key)
    settings.NAVET_CA_FILE = str(pki.ca.cert)
    settings.NAVET_ORGANISATION_NUMBER = ORGANISATION_NUMBER
    settings.NAVET_ORDER_IDENTITY = DEFAULT_ORDER_IDENTITY
    return sim


def navet_fetch(personnummer: str, as_of: date = AS_OF) -> Extract:
    return NavetPopulationRegister().fetch(personnummer, as_of=as_of, purpose=PURPOSE)


def fake_fetch(personnummer: str, as_of: date = AS_OF) -> Extract:
    return FakePopulationRegister().fetch(personnummer, as_of=as_of, purpose=PURPOSE)


def protected_person() -> str:
    """A generated person the fake gives protected identity (about 1 in 100)."""
    for personnummer in generated_people(2000, seed=11):
        if fake_fetch(personnummer).protected_identity:
            return personnummer
    raise AssertionError("no protected person among the generated")


def person(personnummer: str, **fields: Any) -> SimulatedPerson:
    """A post of the test's own: by default at Storgatan 1 with no relations."""
    default = SimulatedPerson(personnummer, "Test", "Person", "Storgatan 1, 231 42 Trelleborg")
    return dataclasses.replace(default, **fields)


# --- the same extracts as the fake ----------------------------------------------------------


@pytest.mark.parametrize("personnummer", sorted(POPULATION))
def test_every_demo_person_is_the_same_extract_as_the_fake(
    simulator: NavetSimulator, personnummer: str
) -> None:
    extract = navet_fetch(personnummer)

    assert extract == fake_fetch(personnummer)
    assert extract.to_json() == fake_fetch(personnummer).to_json()


def test_the_demo_household_is_registered_together(simulator: NavetSimulator) -> None:
    bilal = navet_fetch(PNR_BILAL)
    child = navet_fetch(PNR_CHILD)

    assert [(p.personnummer, p.name, p.relation) for p in bilal.household] == [
        (PNR_CARINA, "Carina Dahl", "partner"),
        (PNR_CHILD, "Testa Berg", "child"),
    ]
    assert {p.relation for p in child.household} == {"parent"}
    assert bilal.address == "Provvägen 7, 231 44 Trelleborg"
    assert bilal.details["municipality_code"] == "1287"
    assert navet_fetch(PNR_ALVA).household == ()


def test_generated_people_are_the_same_extract_as_the_fake(simulator: NavetSimulator) -> None:
    people = generated_people(15)
    households = 0
    for personnummer in people:
        extract = navet_fetch(personnummer)
        assert extract == fake_fetch(personnummer), personnummer[:4]
        households += bool(extract.household)
    assert households >= 3  # partners and children were looked up and kept


# --- protected identity ---------------------------------------------------------------------


def test_protected_identity_has_no_address_and_keeps_the_household(
    simulator: NavetSimulator,
) -> None:
    personnummer = protected_person()

    extract = navet_fetch(personnummer)

    assert extract.protected_identity is True
    assert extract.address == ""
    assert extract == fake_fetch(personnummer)
    answer = person_answer(simulator.person(personnummer))  # what Navet said
    assert f"<{m.SECRECY_MARK}>J<".encode() in answer
    assert m.REGISTERED_ADDRESS.encode() not in answer


def test_an_address_navet_gives_under_sekretessmarkering_is_withheld(
    simulator: NavetSimulator,
) -> None:
    subject, partner = make_pair()
    simulator.people[subject] = person(subject, secrecy_mark=True, relations=((partner, "M"),))
    simulator.people[partner] = person(partner, secrecy_mark=True, relations=((subject, "M"),))
    assert b"Storgatan" in person_answer(simulator.people[subject])

    extract = navet_fetch(subject)

    assert extract.protected_identity is True
    assert extract.address == ""
    assert [p.personnummer for p in extract.household] == [partner]  # compared before withholding


def test_skyddad_folkbokforing_counts_as_protected(simulator: NavetSimulator) -> None:
    subject, _partner = make_pair()
    simulator.people[subject] = person(subject, protected_registration=True)

    extract = navet_fetch(subject)

    assert (extract.protected_identity, extract.address) == (True, "")


# --- household rules ------------------------------------------------------------------------


def make_pair() -> tuple[str, str]:
    rng = random.Random(3)
    return make_personnummer(date(1980, 3, 4), rng), make_personnummer(date(1982, 5, 6), rng)


def test_household_keeps_partner_and_minor_children_at_the_same_address_only(
    simulator: NavetSimulator,
) -> None:
    rng = random.Random(5)
    subject, partner = make_pair()
    child = make_personnummer(date(2015, 1, 2), rng)
    adult_child = make_personnummer(date(2001, 1, 2), rng)
    moved_out_child = make_personnummer(date(2012, 1, 2), rng)
    deceased_child = make_personnummer(date(2016, 1, 2), rng)
    former_partner = make_personnummer(date(1979, 1, 2), rng)
    simulator.people[subject] = person(
        subject,
        civil_status="G",
        relations=(
            (partner, "M"),
            (child, "B"),
            (adult_child, "B"),
            (moved_out_child, "B"),
            (deceased_child, "B"),
            (former_partner, "M"),
        ),
        ended_relations=frozenset({former_partner}),
    )
    simulator.people[partner] = person(partner, given_names="Eva Maria", surname="Ek")
    simulator.people[child] = person(child, given_names="Lo Anna", calling_name_mark="20")
    simulator.people[adult_child] = person(adult_child)
    simulator.people[moved_out_child] = person(moved_out_child, address="Annan väg 2, 231 50 X")
    simulator.people[deceased_child] = person(deceased_child, deregistration=("AV", "20250101"))
    simulator.people[former_partner] = person(former_partner)

    extract = navet_fetch(subject)

    assert [(p.personnummer, p.name, p.relation, p.age) for p in extract.household] == [
        (partner, "Eva Ek", "partner", 44),
        (child, "Anna Person", "child", 11),
    ]
    assert extract.details["civil_status"] == "G"
    asked = {r.body for r in simulator.requests}
    assert not any(adult_child.encode() in body for body in asked)  # not even asked
    assert not any(former_partner.encode() in body for body in asked)


def test_a_minor_has_the_parents_registered_with_them(simulator: NavetSimulator) -> None:
    rng = random.Random(9)
    minor = make_personnummer(date(2014, 6, 1), rng)
    mother, father = make_pair()
    simulator.people[minor] = person(
        minor, relations=((mother, "MO"), (mother, "V"), (father, "FA"))
    )
    simulator.people[mother] = person(mother)
    simulator.people[father] = person(father, address="Annan väg 2, 231 50 Trelleborg")

    extract = navet_fetch(minor)

    assert [(p.personnummer, p.relation) for p in extract.household] == [(mother, "parent")]


def test_deregistration_is_in_the_details(simulator: NavetSimulator) -> None:
    subject, _ = make_pair()
    simulator.people[subject] = person(subject, address="", deregistration=("UV", "20240315"))

    extract = navet_fetch(subject)

    assert extract.found is True
    assert extract.details["deregistration"] == {
        "reason": "emigrated",
        "code": "UV",
        "date": "2024-03-15",
    }
    assert "deregistration" not in navet_fetch(PNR_ALVA).details


def test_more_relatives_than_the_bound_is_for_a_person_to_look_at(
    simulator: NavetSimulator,
) -> None:
    rng = random.Random(13)
    subject, _ = make_pair()
    children = [
        make_personnummer(date(2012, 1, 1 + i), rng) for i in range(MAX_RELATED_LOOKUPS + 1)
    ]
    simulator.people[subject] = person(subject, relations=tuple((c, "B") for c in children))

    with pytest.raises(RegisterResponseInvalid, match="hushållsmedlemmar"):
        navet_fetch(subject)
    assert len(simulator.requests) == 1  # the relatives were not asked about


def test_calling_name_follows_the_mark() -> None:
    assert calling_name("Anna Karin Maria", "20") == "Karin"
    assert calling_name("Anna-Karin Maria", "12") == "Anna-Karin"
    assert calling_name("Anna Karin", "") == "Anna"
    assert calling_name("Anna Karin", "90") == "Anna"


# --- not found and faults -------------------------------------------------------------------


def test_a_person_navet_does_not_have_is_not_found(simulator: NavetSimulator) -> None:
    unknown = generated_people(1, seed=99)[0]
    simulator.unknown.add(unknown)

    extract = navet_fetch(unknown)

    assert (extract.found, extract.household, extract.address) == (False, (), "")
    assert navet_fetch("200306062380").found is False  # wrong check digit: no such person


def test_an_answer_without_a_post_is_not_found() -> None:
    assert parse_answer(no_person_answer()) is None


def test_a_wrong_order_identity_is_refused(
    simulator: NavetSimulator, settings: LazySettings
) -> None:
    settings.NAVET_ORDER_IDENTITY = "00000000-FO01-9999"

    with pytest.raises(RegisterResponseInvalid, match="NAVET_ORDER_IDENTITY"):
        navet_fetch(PNR_ALVA)


def test_a_wrong_organisation_number_is_refused(
    simulator: NavetSimulator, settings: LazySettings
) -> None:
    settings.NAVET_ORGANISATION_NUMBER = "5560000000"

    with pytest.raises(RegisterResponseInvalid, match="beställningen"):
        navet_fetch(PNR_ALVA)


def test_navet_server_fault_is_unavailable_and_client_fault_invalid() -> None:
    with pytest.raises(RegisterUnavailable, match="TEKNISKT_FEL"):
        parse_answer(fault("Server", "TEKNISKT_FEL", "Tekniskt fel").body)
    with pytest.raises(RegisterResponseInvalid, match="OKAND"):
        parse_answer(fault("Client", "OKAND", "Något annat").body)


def test_a_fault_text_with_a_personnummer_is_masked() -> None:
    with pytest.raises(RegisterResponseInvalid) as raised:
        parse_answer(fault("Client", "OKAND", f"Fel för {PNR_ALVA}").body)
    assert PNR_ALVA not in str(raised.value)


def test_malformed_answer_is_invalid(simulator: NavetSimulator) -> None:
    simulator.fault = Fault("malformed")

    with pytest.raises(RegisterResponseInvalid):
        navet_fetch(PNR_ALVA)


def test_an_answer_about_someone_else_is_invalid(simulator: NavetSimulator) -> None:
    subject, other = make_pair()
    simulator.people[subject] = person(other)

    with pytest.raises(RegisterResponseInvalid, match="annan person"):
        navet_fetch(subject)


# --- outages, the deadline, certificates ----------------------------------------------------


def test_slow_beyond_the_deadline_is_unavailable_in_time(simulator: NavetSimulator) -> None:
    simulator.fault = Fault("slow", 3)
    token = register_deadline.set(time.monotonic() + 0.5)
    started = time.monotonic()
    try:
        with pytest.raises(RegisterUnavailable, match="i tid"):
            navet_fetch(PNR_ALVA)
    finally:
        register_deadline.reset(token)
    assert time.monotonic() - started < 1.5


def test_no_time_left_asks_nothing(simulator: NavetSimulator) -> None:
    token = register_deadline.set(time.monotonic() - 1)
    try:
        with pytest.raises(RegisterUnavailable):
            navet_fetch(PNR_ALVA)
    finally:
        register_deadline.reset(token)
    assert simulator.requests == []


@pytest.mark.parametrize("mode", ["down", "error", "wrong_certificate"])
def test_outages_are_unavailable(simulator: NavetSimulator, mode: str) -> None:
    simulator.fault = Fault(mode)

    with pytest.raises(RegisterUnavailable):
        navet_fetch(PNR_ALVA)


def test_a_client_certificate_the_server_does_not_trust_is_refused(
    simulator: NavetSimulator, pki: Pki, settings: LazySettings
) -> None:
    settings.NAVET_CLIENT_CERT = str(pki.rogue_server.cert)
    settings.NAVET_CLIENT_KEY = str(pki.rogue_server.key)

    with pytest.raises(RegisterUnavailable):
        navet_fetch(PNR_ALVA)
    assert simulator.requests == []


def test_no_client_certificate_is_refused(simulator: NavetSimulator, pki: Pki) -> None:
    with pytest.raises(requests.exceptions.RequestException):
        requests.post(f"{simulator.url}/navet", data=b"<x/>", verify=str(pki.ca.cert), timeout=5)
    assert simulator.requests == []


def test_without_settings_nothing_is_sent(
    simulator: NavetSimulator, settings: LazySettings
) -> None:
    settings.NAVET_CLIENT_CERT = ""

    with pytest.raises(RegisterResponseInvalid, match="NAVET_CLIENT_CERT"):
        navet_fetch(PNR_ALVA)
    assert simulator.requests == []


# --- the request and the logs ---------------------------------------------------------------


def test_the_request_carries_the_order_and_no_log_names_the_person(
    simulator: NavetSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    unknown = generated_people(1, seed=98)[0]
    simulator.unknown.add(unknown)

    navet_fetch(PNR_BILAL)
    navet_fetch(unknown)
    simulator.fault = Fault("malformed")
    with pytest.raises(RegisterResponseInvalid) as raised:
        navet_fetch(PNR_CARINA)

    first = simulator.requests[0]
    assert first.headers["content-type"].startswith("text/xml")
    assert "soapaction" in first.headers
    assert first.client_certificate is not None
    body = first.body.decode()
    assert f"<v1:{m.ORDER_IDENTITY}>{DEFAULT_ORDER_IDENTITY}</v1:{m.ORDER_IDENTITY}>" in body
    assert f"<v1:{m.ORDER_ORGANISATION_NUMBER}>{ORGANISATION_NUMBER}<" in body
    assert f"<v1:{m.REQUEST_PERSON_ID}>{PNR_BILAL}<" in body
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged  # the look-ups were logged ...
    for personnummer in (PNR_BILAL, PNR_CARINA, PNR_CHILD, unknown):
        assert personnummer not in logged  # ... without the people
        assert personnummer[2:] not in logged
    assert PNR_CARINA not in str(raised.value)


# --- the system check -----------------------------------------------------------------------


def test_the_system_check_says_what_navet_lacks(settings: LazySettings, pki: Pki) -> None:
    settings.REGISTER_BACKENDS = {**settings.REGISTER_BACKENDS, "population": NAVET}
    for name in (
        "NAVET_URL",
        "NAVET_CLIENT_CERT",
        "NAVET_CLIENT_KEY",
        "NAVET_CA_FILE",
        "NAVET_ORGANISATION_NUMBER",
        "NAVET_ORDER_IDENTITY",
    ):
        setattr(settings, name, "")
    missing = navet_configuration_problems()
    assert {e.id for e in missing} == {"bistand.E120"}
    assert len(missing) == 5  # the CA file may be empty (the system's authorities)

    settings.NAVET_URL = "http://navet.example/personpostXML"
    settings.NAVET_CLIENT_CERT = str(pki.client.cert)
    settings.NAVET_CLIENT_KEY = "/nonexistent/client.key"
    settings.NAVET_CA_FILE = str(pki.ca.cert)
    settings.NAVET_ORGANISATION_NUMBER = ORGANISATION_NUMBER
    settings.NAVET_ORDER_IDENTITY = DEFAULT_ORDER_IDENTITY
    assert sorted(str(e.id) for e in navet_configuration_problems()) == [
        "bistand.E121",
        "bistand.E122",
    ]

    settings.NAVET_URL = "https://navet.example/personpostXML"
    settings.NAVET_CLIENT_KEY = str(pki.client.key)
    assert navet_configuration_problems() == []


def test_the_system_check_is_quiet_with_the_fake(settings: LazySettings) -> None:
    settings.NAVET_URL = ""
    assert settings.REGISTER_BACKENDS["population"] != NAVET
    assert navet_configuration_problems() == []


def test_the_system_check_is_registered(settings: LazySettings) -> None:
    from django.core.checks import run_checks

    settings.REGISTER_BACKENDS = {**settings.REGISTER_BACKENDS, "population": NAVET}
    settings.NAVET_URL = ""
    assert "bistand.E120" in {e.id for e in run_checks()}


# --- through the functions that ask the population register ---------------------------------


@pytest.fixture
def navet_configured(simulator: NavetSimulator, settings: LazySettings) -> NavetSimulator:
    settings.REGISTER_BACKENDS = {**settings.REGISTER_BACKENDS, "population": NAVET}
    return simulator


def test_household_prefill_and_residence_through_navet(navet_configured: NavetSimulator) -> None:
    from eligibility.robot.population import registered_household, registered_municipality
    from intake.events import HouseholdQuery, RegisteredMember, ResidenceQuery

    members = registered_household(
        HouseholdQuery(
            personnummer=PNR_BILAL, month=AS_OF, municipality_code="1287", case_reference="EB-1"
        )
    )
    municipality = registered_municipality(ResidenceQuery(personnummer=PNR_BILAL, month=AS_OF))

    assert members == [
        RegisteredMember(role="partner", name="Carina Dahl", personnummer=PNR_CARINA),
        RegisteredMember(role="child", name="Testa Berg", personnummer=PNR_CHILD),
    ]
    assert municipality == "1287"
    assert navet_configured.requests  # the answers came over the wire


def test_prefill_falls_back_to_by_hand_when_navet_is_down(navet_configured: NavetSimulator) -> None:
    from eligibility.robot.population import registered_household
    from intake.events import HouseholdQuery

    navet_configured.fault = Fault("down")

    query = HouseholdQuery(
        personnummer=PNR_BILAL, month=AS_OF, municipality_code="1287", case_reference="EB-1"
    )
    assert registered_household(query) is None


def test_letter_address_through_navet(navet_configured: NavetSimulator) -> None:
    from eligibility.robot.population import postal_address
    from notifications.events import AddressQuery

    protected_pnr = protected_person()
    # A letter asks with today's date; the moment is fixed (the TLS handshake keeps real time).
    with time_machine.travel("2026-11-18 10:00 +01:00", tick=True):
        address = postal_address(
            AddressQuery(personnummer=PNR_ALVA, municipality_code="1287", reference="EB-1")
        )
        protected = postal_address(
            AddressQuery(personnummer=protected_pnr, municipality_code="1287", reference="EB-2")
        )

    assert (address.address, address.protected) == ("Testgatan 1, 231 42 Trelleborg", False)
    assert (protected.address, protected.protected) == ("", True)


def test_the_robot_lookup_reads_navet_within_its_deadline(
    navet_configured: NavetSimulator,
) -> None:
    from eligibility.registers.lookup import registers_fetch

    [ok] = registers_fetch(
        personnummers=[PNR_BILAL, PNR_CARINA], as_of=AS_OF, purpose=PURPOSE, sources=["population"]
    )
    assert ok.status == "ok"
    assert [e.to_json() for e in ok.extracts] == [
        fake_fetch(PNR_BILAL).to_json(),
        fake_fetch(PNR_CARINA).to_json(),
    ]

    navet_configured.fault = Fault("slow", 5)
    started = time.monotonic()
    [slow] = registers_fetch(
        personnummers=[PNR_ALVA], as_of=AS_OF, purpose=PURPOSE, sources=["population"], timeout=1
    )
    assert slow.status == "unavailable"
    assert time.monotonic() - started < 2.5
