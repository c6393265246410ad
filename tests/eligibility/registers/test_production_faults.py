"""#19 acceptance, fault tests per simulator: with the production adapters (SSBTEK for the
income registers, Navet for the population register) and each simulator slow, down, presenting a
certificate we do not trust, answering something unreadable, or (SSBTEK) answering with one
agency in error, a submitted application is never lost: the robot still makes its proposal from
what did answer, and the caseworker's case page says which register is missing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.test import Client

from accounts.models import User
from demo.simulators.https import Fault
from demo.simulators.navet import DEFAULT_ORDER_IDENTITY, NavetSimulator
from demo.simulators.pki import Pki
from demo.simulators.ssbtek import SsbtekSimulator
from eligibility.models import CaseWarning, Proposal, RegisterSnapshot
from eligibility.registers import ssbtek
from intake.models import Application
from intake.services.timeline import timeline_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_wednesday")]

INCOME_SOURCES = (
    "forsakringskassan", "csn", "unemployment_fund", "arbetsformedlingen", "skatteverket",
    "transportstyrelsen", "migrationsverket", "employer_pay",
)  # fmt: skip


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki.create(tmp_path_factory.mktemp("production-faults"))


@pytest.fixture(scope="module")
def simulators(pki: Pki) -> Iterator[tuple[SsbtekSimulator, NavetSimulator]]:
    with SsbtekSimulator(pki) as income, NavetSimulator(pki) as population:
        yield income, population


@pytest.fixture
def production_registers(
    simulators: tuple[SsbtekSimulator, NavetSimulator], pki: Pki, settings: LazySettings
) -> Iterator[tuple[SsbtekSimulator, NavetSimulator]]:
    income, population = simulators
    for simulator in simulators:
        simulator.fault = Fault()
    client = {"CLIENT_CERT": str(pki.client.cert), "CLIENT_KEY": str(pki.client.key),
              "CA_FILE": str(pki.ca.cert)}  # fmt: skip
    for name, value in client.items():
        setattr(settings, f"SSBTEK_{name}", value)
        setattr(settings, f"NAVET_{name}", value)
    settings.SSBTEK_URL = f"{income.url}/bastjanst"
    settings.SSBTEK_ORGANISATION_NUMBER = "2120001124"
    settings.SSBTEK_ORGANISATION_NAME = "Trelleborgs kommun"
    settings.NAVET_URL = f"{population.url}/navet"
    settings.NAVET_ORGANISATION_NUMBER = "2120001124"
    settings.NAVET_ORDER_IDENTITY = DEFAULT_ORDER_IDENTITY
    settings.REGISTER_BACKENDS = {
        "population": "eligibility.registers.navet.NavetPopulationRegister",
        **settings.SSBTEK_REGISTER_BACKENDS,
    }
    # One try each, a short deadline: the faults are the point, not the retries (tested apart).
    settings.REGISTER_RETRIES = 0
    settings.REGISTER_TIMEOUT_SECONDS = 1.5
    settings.REGISTER_BREAKER_FAIL_MAX = 0
    ssbtek.ssbtek_cache_clear()
    yield simulators
    ssbtek.ssbtek_cache_clear()
    for simulator in simulators:
        simulator.fault = Fault()


def _case_page(application: Application, caseworker: User) -> str:
    client = Client()
    client.force_login(caseworker)
    response = client.get(f"/handlaggare/arende/{application.pk}/")
    assert response.status_code == 200
    return response.content.decode()


FAULTS = [
    pytest.param(Fault("slow", 4), "unavailable", id="slow"),
    pytest.param(Fault("down"), "unavailable", id="down"),
    pytest.param(Fault("wrong_certificate"), "unavailable", id="wrong-certificate"),
    pytest.param(Fault("malformed"), "invalid", id="malformed"),
    pytest.param(Fault("error"), "unavailable", id="server-error"),
]


@pytest.mark.parametrize(("fault", "status"), FAULTS)
def test_ssbtek_at_fault_loses_nothing_and_the_caseworker_sees_what_is_missing(
    production_registers: tuple[SsbtekSimulator, NavetSimulator],
    make_draft: Callable[..., Application],
    submit: Callable[[Application], Application],
    applicant: User,
    caseworker: User,
    fault: Fault,
    status: str,
) -> None:
    income, _population = production_registers
    income.fault = fault
    application = submit(make_draft(applicant))
    assert Application.objects.filter(pk=application.pk).exists()
    assert application.status in ("awaiting_caseworker", "needs_manual"), application.status
    snapshots = {s.source: s for s in RegisterSnapshot.objects.filter(application=application)}
    assert {snapshots[s].status for s in INCOME_SOURCES} == {status}
    assert snapshots["population"].status == "ok"  # Navet answered
    assert Proposal.objects.filter(application=application).exists()
    missing = CaseWarning.objects.filter(application=application, kind="register_unavailable")
    assert {w.key.split(":")[1] for w in missing} == set(INCOME_SOURCES)
    page = _case_page(application, caseworker)
    said = "svarade inte" if status == "unavailable" else "gav ett svar som inte gick att läsa"
    # The applicant is not told that everything was fetched (stranger run).
    titles = [entry.title for entry in timeline_for(application)]
    assert "Några myndigheter har inte svarat ännu" in titles
    for name in ("Försäkringskassan och Pensionsmyndigheten (SSBTEK)", "CSN (SSBTEK)"):
        assert f"Registret {name} {said}" in page, name  # the register's name, not a code


def test_one_agency_in_error_leaves_the_others(
    production_registers: tuple[SsbtekSimulator, NavetSimulator],
    make_draft: Callable[..., Application],
    submit: Callable[[Application], Application],
    applicant: User,
    caseworker: User,
) -> None:
    income, _population = production_registers
    income.fault = Fault("partial")  # Försäkringskassan's part is an error, the rest answer
    application = submit(make_draft(applicant))
    snapshots = {
        s.source: s.status for s in RegisterSnapshot.objects.filter(application=application)
    }
    assert snapshots["forsakringskassan"] in ("unavailable", "invalid")
    assert {snapshots[s] for s in INCOME_SOURCES if s != "forsakringskassan"} <= {"ok", "not_found"}
    warned = CaseWarning.objects.filter(application=application, kind="register_unavailable")
    assert [w.key.split(":")[1] for w in warned] == ["forsakringskassan"]
    page = _case_page(application, caseworker)
    assert "Registret Försäkringskassan och Pensionsmyndigheten (SSBTEK)" in page
    assert "Registret CSN (SSBTEK)" not in page


@pytest.mark.parametrize(("fault", "status"), FAULTS)
def test_navet_at_fault_loses_nothing_and_the_caseworker_sees_it(
    production_registers: tuple[SsbtekSimulator, NavetSimulator],
    make_draft: Callable[..., Application],
    submit: Callable[[Application], Application],
    applicant: User,
    caseworker: User,
    fault: Fault,
    status: str,
) -> None:
    _income, population = production_registers
    population.fault = fault
    application = submit(make_draft(applicant))
    assert application.status in ("awaiting_caseworker", "needs_manual"), application.status
    snapshots = {
        s.source: s.status for s in RegisterSnapshot.objects.filter(application=application)
    }
    assert snapshots["population"] == status
    assert {snapshots[s] for s in INCOME_SOURCES} <= {"ok", "not_found"}
    page = _case_page(application, caseworker)
    assert "Folkbokföringen svarade inte: hushållet kunde inte jämföras." in page
    assert "Några myndigheter har inte svarat ännu" in [e.title for e in timeline_for(application)]


def test_when_every_register_answers_the_timeline_says_nothing_is_missing(
    production_registers: tuple[SsbtekSimulator, NavetSimulator],
    make_draft: Callable[..., Application],
    submit: Callable[[Application], Application],
    applicant: User,
) -> None:
    application = submit(make_draft(applicant))
    titles = [entry.title for entry in timeline_for(application)]
    assert "Uppgifter hämtade från myndigheter" in titles
    assert "Några myndigheter har inte svarat ännu" not in titles


def test_a_simulator_needs_our_client_certificate(
    production_registers: tuple[SsbtekSimulator, NavetSimulator],
    settings: LazySettings,
    make_draft: Callable[..., Application],
    submit: Callable[[Application], Application],
    applicant: User,
    tmp_path: Path,
) -> None:
    """A certificate the service does not know (the rogue authority's) is refused at the TLS
    handshake: nothing is asked, the application waits for a person, nothing is lost."""
    pki = Pki.create(tmp_path / "other")
    settings.SSBTEK_CLIENT_CERT, settings.SSBTEK_CLIENT_KEY = (
        str(pki.client.cert),
        str(pki.client.key),
    )
    application = submit(make_draft(applicant))
    statuses = {
        s.source: s.status for s in RegisterSnapshot.objects.filter(application=application)
    }
    assert {statuses[s] for s in INCOME_SOURCES} == {"unavailable"}
