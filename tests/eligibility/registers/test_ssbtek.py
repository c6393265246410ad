"""SSBTEK: the production adapters against the simulator on loopback (mutual TLS, SOAP 1.1).

The strongest test: for every source and many people, what the SSBTEK adapter reads from the
simulator equals what the fake register of that source says (the simulator answers from the
fakes), so the robot and the engine see the same facts through either.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import LazySettings, settings
from django.core.checks import run_checks
from lxml import etree

from config.logging import PERSONNUMMER_RE
from demo.simulators.https import Fault
from demo.simulators.pki import Pki
from demo.simulators.ssbtek import SsbtekSimulator
from eligibility.models import Proposal, RegisterSnapshot
from eligibility.registers import register_request_record, ssbtek
from eligibility.registers.base import (
    RegisterResponseInvalid,
    RegisterUnavailable,
    RequestPurpose,
    register_deadline,
)
from eligibility.registers.breaker import OPEN, breaker_for
from eligibility.registers.fake import FAKE_REGISTERS
from eligibility.registers.lookup import registers_fetch
from eligibility.registers.simulation import PNR_ALVA, PNR_BILAL, PNR_CARINA, PNR_CHILD
from eligibility.registers.ssbtek_checks import ssbtek_problems
from eligibility.registers.ssbtek_mapping import (
    AGENCIES,
    NS,
    FetchRequest,
    extract_from_answer,
    fetch_request,
    fk_payments_encode,
    soap_action,
)

from .conftest import AS_OF, PURPOSE, generated_people

SOURCES = list(settings.SSBTEK_REGISTER_BACKENDS)
ADAPTERS = {
    cls.source: cls
    for cls in (
        ssbtek.SsbtekForsakringskassanRegister,
        ssbtek.SsbtekCsnRegister,
        ssbtek.SsbtekUnemploymentFundRegister,
        ssbtek.SsbtekArbetsformedlingenRegister,
        ssbtek.SsbtekSkatteverketRegister,
        ssbtek.SsbtekTransportstyrelsenRegister,
        ssbtek.SsbtekMigrationsverketRegister,
        ssbtek.SsbtekEmployerPayRegister,
    )
}
ORGANISATION_NUMBER = "2120001124"


def q(name: str) -> str:
    return f"{{{NS}}}{name}"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    # Module scope: made before any test's clock moves (OpenSSL checks validity on the real clock).
    return Pki.create(tmp_path_factory.mktemp("ssbtek-pki"))


@pytest.fixture(scope="module")
def running(pki: Pki) -> Iterator[SsbtekSimulator]:
    simulator = SsbtekSimulator(pki)
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def simulator(running: SsbtekSimulator) -> SsbtekSimulator:
    running.fault = Fault()
    running.partial_agency, running.partial_error_code = "FK", "KALLA_EJ_TILLGANGLIG"
    running.withheld_agencies = set()
    running.requests.clear()
    return running


@pytest.fixture
def configured(
    simulator: SsbtekSimulator, pki: Pki, settings: LazySettings
) -> Iterator[SsbtekSimulator]:
    """The production adapters for every source but population, pointed at the simulator."""
    settings.SSBTEK_URL = f"{simulator.url}/bastjanst"
    settings.SSBTEK_CLIENT_CERT = str(pki.client.cert)
    settings.SSBTEK_CLIENT_KEY = str(pki.client.key)
    settings.SSBTEK_CA_FILE = str(pki.ca.cert)
    settings.SSBTEK_ORGANISATION_NUMBER = ORGANISATION_NUMBER
    settings.SSBTEK_ORGANISATION_NAME = "Trelleborgs kommun"
    settings.SSBTEK_LEGAL_BASIS = {
        "default": {"syfte": "Handläggning av ekonomiskt bistånd", "lagtext": "SoL (2025:400)"},
        "1287": {"syfte": "Utredning av rätt till ekonomiskt bistånd", "lagtext": "Lagtext T"},
    }
    settings.REGISTER_BACKENDS = {
        "population": settings.FAKE_REGISTER_BACKENDS["population"],
        **settings.SSBTEK_REGISTER_BACKENDS,
    }
    ssbtek.ssbtek_cache_clear()
    yield simulator
    ssbtek.ssbtek_cache_clear()


def fetch(source: str, personnummer: str = PNR_BILAL, **kwargs: Any) -> Any:
    purpose = kwargs.pop("purpose", PURPOSE)
    as_of = kwargs.pop("as_of", AS_OF)
    return ADAPTERS[source]().fetch(personnummer, as_of=as_of, purpose=purpose)


def sent(simulator: SsbtekSimulator, index: int = -1) -> etree._Element:
    """The hamtaBastjanstInformation element of a request the simulator received."""
    root = etree.fromstring(simulator.requests[index].body)
    return root.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")[0]


# --- the round trip -------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", [AS_OF, date(2026, 7, 1)], ids=["november", "july"])
def test_every_source_reads_what_the_fake_says(configured: SsbtekSimulator, as_of: date) -> None:
    people = [PNR_ALVA, PNR_BILAL, PNR_CARINA, PNR_CHILD, *generated_people(80)]
    seen: dict[str, set[str]] = {s: set() for s in SOURCES}
    for personnummer in people:
        for source in SOURCES:
            through_ssbtek = fetch(source, personnummer, as_of=as_of)
            fake = FAKE_REGISTERS[source]().fetch(personnummer, as_of=as_of, purpose=PURPOSE)
            assert through_ssbtek == fake, (source, personnummer)
            assert through_ssbtek.to_json() == fake.to_json(), (source, personnummer)
            seen[source].add("found" if fake.found else "not_found")
            if fake.payments:
                seen[source].add("payments")
    # One call per person (all eight sources from one answer).
    assert len(configured.requests) == len(people)
    # The people cover what each source can say, so the comparison means something.
    for source in ("forsakringskassan", "csn", "unemployment_fund", "employer_pay"):
        assert {"found", "not_found", "payments"} <= seen[source], source
    if as_of.month == 7:  # tax refunds are paid in June
        assert "payments" in seen["skatteverket"]


def test_round_trip_covers_the_rich_answers(configured: SsbtekSimulator) -> None:
    """Suspensions, vehicles, a temporary permit, a CSN application: read as the fake has them."""
    wanted = {
        "unemployment_fund": lambda e: e.details.get("suspensions"),
        "transportstyrelsen": lambda e: e.details["vehicles"],
        "migrationsverket": lambda e: e.details["permit_valid_until"],
        "csn": lambda e: e.found and e.details["applied"],
        "arbetsformedlingen": lambda e: e.found and e.details["latest_activity_report"],
    }
    for source, rich in wanted.items():
        people = (
            p
            for p in generated_people(400, seed=11)
            if rich(FAKE_REGISTERS[source]().answer(p, as_of=AS_OF))
        )
        personnummer = next(people)
        fake = FAKE_REGISTERS[source]().fetch(personnummer, as_of=AS_OF, purpose=PURPOSE)
        assert fetch(source, personnummer) == fake, source


# --- the request ----------------------------------------------------------------------------


def test_request_carries_ingivare_person_case_period_syfte_and_lagtext(
    configured: SsbtekSimulator, pki: Pki
) -> None:
    purpose = RequestPurpose("1287", "EB-2026-0042", "handlaggare.anna")
    fetch("csn", PNR_BILAL, purpose=purpose)
    request = configured.requests[-1]
    assert request.method == "POST" and request.path == "/bastjanst"
    assert request.headers["soapaction"] == f'"{soap_action("hamtaBastjanstInformation")}"'
    assert request.headers["content-type"].startswith("text/xml")
    assert request.client_certificate is not None  # mutual TLS: our organisation certificate
    operation = sent(configured)
    assert operation.tag == q("hamtaBastjanstInformation")
    ingivare = operation.find(q("ingivare"))
    assert ingivare.findtext(q("organisationsnummer")) == ORGANISATION_NUMBER
    assert ingivare.findtext(q("namn")) == "Trelleborgs kommun"
    assert ingivare.findtext(q("handlaggare")) == "handlaggare.anna"
    assert operation.findtext(q("personidentitet")) == PNR_BILAL
    assert len(PNR_BILAL) == 12
    assert operation.findtext(q("arendeidentitet")) == "EB-2026-0042"
    period = operation.find(q("tidsperiod"))
    # The two answer months before the month applied for (November): September and October.
    assert (period.findtext(q("from")), period.findtext(q("tom"))) == ("2026-09-01", "2026-10-31")
    assert operation.findtext(q("syfte")) == "Utredning av rätt till ekonomiskt bistånd"
    assert operation.findtext(q("lagtext")) == "Lagtext T"
    uuid.UUID(operation.findtext(q("korrelationsid")))
    include = operation.find(q("inkludera"))
    assert {a: include.findtext(q(a)) for a in AGENCIES} == dict.fromkeys(AGENCIES, "true")


def test_a_municipality_without_its_own_entry_uses_the_default(
    configured: SsbtekSimulator,
) -> None:
    fetch("csn", purpose=RequestPurpose("1263", "EB-SV-1", "robot"))
    assert sent(configured).findtext(q("syfte")) == "Handläggning av ekonomiskt bistånd"
    assert sent(configured).findtext(q("lagtext")) == "SoL (2025:400)"


def test_no_lookup_without_syfte_and_lagtext(
    configured: SsbtekSimulator, settings: LazySettings
) -> None:
    settings.SSBTEK_LEGAL_BASIS = {"default": {"syfte": "Handläggning", "lagtext": ""}}
    with pytest.raises(RegisterResponseInvalid, match="lagtext"):
        fetch("csn")
    assert configured.requests == []


def test_a_personnummer_is_sent_with_12_digits_or_not_at_all(configured: SsbtekSimulator) -> None:
    with pytest.raises(RegisterResponseInvalid, match="12 siffror"):
        fetch("csn", "0306062381")
    assert configured.requests == []


# --- single flight --------------------------------------------------------------------------


def test_one_call_answers_all_eight_sources_of_a_person(configured: SsbtekSimulator) -> None:
    configured.fault = Fault("slow", 0.3)  # the eight look-ups overlap while the call runs
    results = registers_fetch(
        personnummers=[PNR_BILAL], as_of=AS_OF, purpose=PURPOSE, sources=SOURCES
    )
    assert [r.status for r in results] == ["ok"] * len(SOURCES)
    assert len(configured.requests) == 1
    # And a second look-up within the minute is answered from the same call.
    fetch("migrationsverket")
    assert len(configured.requests) == 1


def test_concurrent_callers_share_one_call(configured: SsbtekSimulator) -> None:
    configured.fault = Fault("slow", 0.3)
    answers: list[Any] = []
    threads = [
        threading.Thread(target=lambda s=source: answers.append(fetch(s))) for source in SOURCES
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == len(SOURCES)
    assert len(configured.requests) == 1


def test_another_person_period_or_case_is_another_call(configured: SsbtekSimulator) -> None:
    fetch("csn")
    fetch("csn", PNR_CARINA)
    fetch("csn", as_of=date(2026, 12, 1))
    fetch("csn", purpose=RequestPurpose("1287", "EB-OTHER", "robot"))
    assert len(configured.requests) == 4


def test_an_answer_is_kept_only_for_a_short_while(
    configured: SsbtekSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetch("csn")
    monkeypatch.setattr(ssbtek, "CACHE_SECONDS", 0.0)
    time.sleep(0.01)
    fetch("csn")
    assert len(configured.requests) == 2


def test_a_failed_call_is_not_kept(configured: SsbtekSimulator) -> None:
    configured.fault = Fault("error")
    with pytest.raises(RegisterUnavailable):
        fetch("csn")
    configured.fault = Fault()
    assert fetch("csn") == FAKE_REGISTERS["csn"]().fetch(PNR_BILAL, as_of=AS_OF, purpose=PURPOSE)
    assert len(configured.requests) == 2


# --- one agency in error, or left out -------------------------------------------------------


def test_partial_answer_fails_only_the_agency_in_error(configured: SsbtekSimulator) -> None:
    configured.fault = Fault("partial")  # FK: a temporary error
    results = {
        r.source: r
        for r in registers_fetch(
            personnummers=[PNR_BILAL], as_of=AS_OF, purpose=PURPOSE, sources=SOURCES
        )
    }
    assert results["forsakringskassan"].status == "unavailable"
    assert "KALLA_EJ_TILLGANGLIG" in results["forsakringskassan"].error
    assert results["forsakringskassan"].attempts == 3  # retried: a temporary error is asked again
    for source in SOURCES:
        if source != "forsakringskassan":
            assert results[source].status == "ok", source
    # The retries were new calls (an answer with a temporary error is not kept).
    assert len(configured.requests) >= 2


def test_a_permanent_agency_error_needs_a_person(configured: SsbtekSimulator) -> None:
    configured.fault = Fault("partial")
    configured.partial_agency, configured.partial_error_code = "CSN", "BEHORIGHET_SAKNAS"
    with pytest.raises(RegisterResponseInvalid, match="CSN svarade med fel BEHORIGHET_SAKNAS"):
        fetch("csn")
    assert fetch("forsakringskassan").found


def test_skatteverket_in_error_fails_both_its_sources(configured: SsbtekSimulator) -> None:
    configured.fault = Fault("partial")
    configured.partial_agency = "SKV"
    for source in ("skatteverket", "employer_pay"):
        with pytest.raises(RegisterUnavailable):
            fetch(source)
    assert fetch("migrationsverket").found


def test_an_agency_left_out_without_notice_is_not_read_as_nothing(
    configured: SsbtekSimulator,
) -> None:
    configured.withheld_agencies = {"FK"}
    with pytest.raises(RegisterResponseInvalid, match="undanhållna"):
        fetch("forsakringskassan")
    assert fetch("csn") is not None


# --- transport faults -----------------------------------------------------------------------


def test_slow_beyond_the_deadline_is_unavailable(configured: SsbtekSimulator) -> None:
    configured.fault = Fault("slow", 3)
    token = register_deadline.set(time.monotonic() + 0.5)
    started = time.monotonic()
    try:
        with pytest.raises(RegisterUnavailable, match="i tid"):
            fetch("csn")
    finally:
        register_deadline.reset(token)
    assert time.monotonic() - started < 1.5


def test_slow_beyond_the_deadline_through_the_lookup(configured: SsbtekSimulator) -> None:
    configured.fault = Fault("slow", 3)
    started = time.monotonic()
    results = registers_fetch(
        personnummers=[PNR_BILAL], as_of=AS_OF, purpose=PURPOSE, sources=SOURCES, timeout=0.6
    )
    assert {r.status for r in results} == {"unavailable"}
    assert time.monotonic() - started < 1.5


def test_down_is_unavailable(configured: SsbtekSimulator) -> None:
    configured.fault = Fault("down")
    with pytest.raises(RegisterUnavailable):
        fetch("csn")


def test_http_500_without_a_fault_is_unavailable(configured: SsbtekSimulator) -> None:
    configured.fault = Fault("error")
    with pytest.raises(RegisterUnavailable, match="HTTP 500"):
        fetch("csn")


def test_a_server_we_do_not_trust_is_refused(configured: SsbtekSimulator) -> None:
    configured.fault = Fault("wrong_certificate")
    with pytest.raises(RegisterUnavailable, match="TLS"):
        fetch("csn")
    assert configured.requests == []  # nothing about the person was sent


def test_the_system_authorities_do_not_trust_the_simulator_either(
    configured: SsbtekSimulator, settings: LazySettings
) -> None:
    settings.SSBTEK_CA_FILE = ""  # verify against the system's authorities, never "no check"
    with pytest.raises(RegisterUnavailable, match="TLS"):
        fetch("csn")
    assert configured.requests == []


def test_without_a_client_certificate_the_server_refuses(
    configured: SsbtekSimulator, settings: LazySettings
) -> None:
    settings.SSBTEK_CLIENT_CERT = settings.SSBTEK_CLIENT_KEY = ""
    with pytest.raises(RegisterUnavailable):
        fetch("csn")
    assert configured.requests == []


def test_a_client_certificate_from_another_authority_is_refused(
    configured: SsbtekSimulator, settings: LazySettings, pki: Pki
) -> None:
    settings.SSBTEK_CLIENT_CERT = str(pki.rogue_server.cert)
    settings.SSBTEK_CLIENT_KEY = str(pki.rogue_server.key)
    with pytest.raises(RegisterUnavailable):
        fetch("csn")
    assert configured.requests == []


def test_malformed_answer_needs_a_person(configured: SsbtekSimulator) -> None:
    configured.fault = Fault("malformed")
    with pytest.raises(RegisterResponseInvalid):
        fetch("csn")


def test_soap_server_fault_is_unavailable(configured: SsbtekSimulator) -> None:
    configured.fault = Fault("fault")
    with pytest.raises(RegisterUnavailable, match="SOAP Fault Server"):
        fetch("csn")


def test_soap_client_fault_needs_a_person(
    configured: SsbtekSimulator, settings: LazySettings
) -> None:
    settings.SSBTEK_ORGANISATION_NAME = ""  # the simulator refuses a request without it
    with pytest.raises(RegisterResponseInvalid, match=r"SOAP Fault Client.*namn"):
        fetch("csn")


# --- the simulator's own checks of the question ---------------------------------------------


def post(simulator: SsbtekSimulator, pki: Pki, **changes: Any) -> requests.Response:
    fields: dict[str, Any] = {
        "organisation_number": ORGANISATION_NUMBER,
        "organisation_name": "Trelleborgs kommun",
        "caseworker": "robot",
        "personnummer": PNR_BILAL,
        "case_reference": "EB-1",
        "period_from": date(2026, 9, 1),
        "period_to": date(2026, 10, 31),
        "purpose": "Handläggning",
        "legal_provision": "SoL (2025:400)",
        "correlation_id": str(uuid.uuid4()),
        **changes,
    }
    return requests.post(
        f"{simulator.url}/bastjanst",
        data=fetch_request(FetchRequest(**fields)),
        headers={"SOAPAction": f'"{soap_action("hamtaBastjanstInformation")}"'},
        cert=(str(pki.client.cert), str(pki.client.key)),
        verify=str(pki.ca.cert),
        timeout=5,
    )


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"purpose": ""}, "syfte saknas"),
        ({"legal_provision": ""}, "lagtext saknas"),
        ({"period_from": date(2024, 9, 1)}, "över två år"),
        ({"period_to": date(2026, 8, 31)}, "slutar före"),
        ({"personnummer": "0607092384"}, "12 siffror"),
    ],
)
def test_simulator_refuses_a_bad_question_with_a_client_fault(
    simulator: SsbtekSimulator, pki: Pki, changes: dict[str, Any], refusal: str
) -> None:
    response = post(simulator, pki, **changes)
    assert response.status_code == 500
    assert b"soap:Client" in response.content and refusal in response.content.decode()


def test_simulator_answers_a_good_question(simulator: SsbtekSimulator, pki: Pki) -> None:
    response = post(simulator, pki)
    assert response.status_code == 200 and b"hamtaBastjanstInformationSvar" in response.content


def test_simulator_asks_for_the_client_certificate(simulator: SsbtekSimulator, pki: Pki) -> None:
    with pytest.raises(requests.exceptions.RequestException):
        requests.post(f"{simulator.url}/bastjanst", data=b"", verify=str(pki.ca.cert), timeout=5)


# --- reading FK's part ----------------------------------------------------------------------


def test_an_unknown_benefit_code_still_counts_as_income() -> None:
    """A code not in the table is kept as kind "other" with the code, never dropped."""
    answer = etree.Element(q("hamtaBastjanstInformationSvar"))
    part = etree.SubElement(answer, q("forsakringskassan"))
    etree.SubElement(part, q("traff")).text = "true"
    row = {
        "formanskod": "FK:GEPI",
        "bruttobelopp": 1000,
        "skatteavdrag": 300,
        "nettobelopp": 700,
        "utbetalningsdatum": "2026-10-25",
        "periodFrom": "2026-10-01",
        "periodTom": "2026-10-31",
        "utbetalare": "Försäkringskassan",
    }
    etree.SubElement(part, q("formaner")).text = fk_payments_encode([row])
    extract = extract_from_answer("forsakringskassan", answer, personnummer=PNR_BILAL, as_of=AS_OF)
    (payment,) = extract.payments
    assert (payment.kind, payment.net, payment.details) == (
        "other",
        700,
        {"benefit_code": "FK:GEPI"},
    )
    row["nettobelopp"] = 600  # gross != tax + net
    part.find(q("formaner")).text = fk_payments_encode([row])
    with pytest.raises(RegisterResponseInvalid, match="brutto"):
        extract_from_answer("forsakringskassan", answer, personnummer=PNR_BILAL, as_of=AS_OF)
    part.find(q("formaner")).text = "not base64!"
    with pytest.raises(RegisterResponseInvalid, match="base64"):
        extract_from_answer("forsakringskassan", answer, personnummer=PNR_BILAL, as_of=AS_OF)


# --- purpose: logged, stored, never the personnummer ----------------------------------------


def test_each_call_logs_its_purpose_without_the_personnummer(
    configured: SsbtekSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    purpose = RequestPurpose("1287", "EB-2026-0042", "robot", "ekonomiskt bistånd: prövning")
    with caplog.at_level(logging.INFO, logger="eligibility.registers.ssbtek"):
        for source in SOURCES:
            fetch(source, purpose=purpose)
    lookups = [r for r in caplog.records if r.getMessage() == "ssbtek look-up"]
    assert len(lookups) == 1  # one call, one line
    record = lookups[0].__dict__
    assert record["case_reference"] == "EB-2026-0042"
    assert record["municipality"] == "1287"
    assert record["requested_by"] == "robot"
    assert record["purpose"] == "ekonomiskt bistånd: prövning"
    assert record["syfte"] == "Utredning av rätt till ekonomiskt bistånd"
    assert record["lagtext"] == "Lagtext T"
    assert record["korrelationsid"] == sent(configured).findtext(q("korrelationsid"))
    for logged in caplog.records:
        text = str(logged.__dict__) + logged.getMessage()
        assert PNR_BILAL not in text and PNR_BILAL[2:] not in text


def test_the_stored_request_names_syfte_and_lagtext(configured: SsbtekSimulator) -> None:
    record = register_request_record("csn", RequestPurpose("1287", "EB-1", "robot"))
    assert record == {"syfte": "Utredning av rätt till ekonomiskt bistånd", "lagtext": "Lagtext T"}
    assert register_request_record("population", PURPOSE) == {}


@pytest.mark.usefixtures("frozen_wednesday")
def test_the_robot_runs_on_ssbtek(configured: SsbtekSimulator, submitted_application: Any) -> None:
    """A submitted application through the production adapters: every snapshot answered, with
    syfte and lagtext stored, and the same facts as the fakes give."""
    application = submitted_application
    assert Proposal.objects.filter(application=application).exists()
    snapshots = RegisterSnapshot.objects.filter(application=application, source__in=SOURCES)
    assert snapshots.count() == len(SOURCES)
    for snapshot in snapshots:
        assert snapshot.status in ("ok", "not_found"), (snapshot.source, snapshot.error)
        assert snapshot.request["syfte"] == "Utredning av rätt till ekonomiskt bistånd"
        assert snapshot.request["lagtext"] == "Lagtext T"
        fake = FAKE_REGISTERS[snapshot.source]()
        expected = [
            fake.fetch(p["personnummer"], as_of=application.month, purpose=PURPOSE).to_json()
            for p in snapshot.payload["persons"]
        ]
        assert snapshot.payload["persons"] == expected


# --- the retries and the breaker still apply ------------------------------------------------


def test_lookup_retries_and_the_breaker_open_on_a_down_ssbtek(
    configured: SsbtekSimulator, settings: LazySettings
) -> None:
    settings.REGISTER_BREAKER_FAIL_MAX = 3
    configured.fault = Fault("down")
    (result,) = registers_fetch(
        personnummers=[PNR_BILAL], as_of=AS_OF, purpose=PURPOSE, sources=["csn"]
    )
    assert result.status == "unavailable" and result.attempts == 3
    assert len(configured.requests) == 3  # the first try and two retries, each a new call
    assert breaker_for("csn").state == OPEN
    (again,) = registers_fetch(
        personnummers=[PNR_BILAL], as_of=AS_OF, purpose=PURPOSE, sources=["csn"]
    )
    assert "kretsbrytaren" in again.error
    assert len(configured.requests) == 3  # the open breaker asked nobody


def test_lookup_recovers_when_ssbtek_comes_back(configured: SsbtekSimulator) -> None:
    configured.fault = Fault("down")
    calls = 0
    real = ssbtek.SsbtekClient._post

    def flaky(self: ssbtek.SsbtekClient, operation: str, payload: bytes) -> bytes:
        nonlocal calls
        calls += 1
        if calls == 2:
            configured.fault = Fault()  # back before the second retry
        return real(self, operation, payload)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ssbtek.SsbtekClient, "_post", flaky)
        (result,) = registers_fetch(
            personnummers=[PNR_BILAL], as_of=AS_OF, purpose=PURPOSE, sources=["csn"]
        )
    assert result.status == "ok" and result.attempts == 2


# --- health ---------------------------------------------------------------------------------


def test_health_check_calls_testa_bastjanst_information(configured: SsbtekSimulator) -> None:
    assert ADAPTERS["csn"]().health_check() == "OK"
    assert sent(configured).tag == q("testaBastjanstInformation")
    configured.fault = Fault("down")
    with pytest.raises(RegisterUnavailable):
        ADAPTERS["csn"]().health_check()


# --- the system check -----------------------------------------------------------------------


def ids(errors: list[Any]) -> list[str]:
    return sorted(e.id for e in errors)


def test_system_check_is_quiet_with_the_fakes(settings: LazySettings) -> None:
    settings.REGISTER_BACKENDS = settings.FAKE_REGISTER_BACKENDS
    settings.SSBTEK_URL = ""
    assert ssbtek_problems() == []


def test_system_check_with_ssbtek_configured(configured: SsbtekSimulator) -> None:
    assert ssbtek_problems() == []
    assert not [e for e in run_checks() if e.id.startswith("bistand.E11")]


def test_system_check_names_what_is_missing(
    configured: SsbtekSimulator, settings: LazySettings, tmp_path: Path
) -> None:
    settings.SSBTEK_URL = "http://ssbtek.example"
    settings.SSBTEK_CLIENT_CERT = ""
    settings.SSBTEK_CLIENT_KEY = str(tmp_path / "missing.key")
    settings.SSBTEK_CA_FILE = str(tmp_path)
    settings.SSBTEK_ORGANISATION_NUMBER = "212000-1124"
    settings.SSBTEK_LEGAL_BASIS = {"1287": {"syfte": "x", "lagtext": ""}}
    found = ssbtek_problems()
    assert ids(found) == [
        "bistand.E110",
        "bistand.E111",
        "bistand.E111",
        "bistand.E112",
        "bistand.E113",
        "bistand.E114",
    ]
    assert "forsakringskassan" in found[0].msg
    # Registered: `manage.py check` reports the same.
    assert {"bistand.E110", "bistand.E114"} <= {e.id for e in run_checks()}


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_system_check_finds_an_unreadable_key(
    configured: SsbtekSimulator, settings: LazySettings, tmp_path: Path
) -> None:
    key = tmp_path / "client.key"
    key.write_text("secret")
    key.chmod(0o000)
    settings.SSBTEK_CLIENT_KEY = str(key)
    assert ids(ssbtek_problems()) == ["bistand.E111"]


def test_system_check_finds_an_unreadable_key_as_root(
    configured: SsbtekSimulator, settings: LazySettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_access: Callable[..., bool] = os.access
    key = settings.SSBTEK_CLIENT_KEY
    monkeypatch.setattr(
        "kernel.checks.os.access",
        lambda path, mode: False if str(path) == key else real_access(path, mode),
    )
    assert ids(ssbtek_problems()) == ["bistand.E111"]


def test_a_correlation_id_is_never_masked_in_the_log(monkeypatch: pytest.MonkeyPatch) -> None:
    masked = uuid.UUID("12345678-1234-4abc-8def-abcdefabcdef")  # "12345678-1234" looks like one
    assert PERSONNUMMER_RE.search(str(masked))
    fresh = iter([masked, uuid.UUID("abcdefab-1234-4abc-8def-abcdefabcdef")])
    monkeypatch.setattr(ssbtek.uuid, "uuid4", lambda: next(fresh))
    assert ssbtek.correlation_id_new() == "abcdefab-1234-4abc-8def-abcdefabcdef"
    monkeypatch.undo()
    assert not any(PERSONNUMMER_RE.search(ssbtek.correlation_id_new()) for _ in range(3000))
