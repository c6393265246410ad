"""Signing the application and a partner's consent with BankID (RP API v6), through the pages,
against the BankID simulator over mutual TLS: start, poll, complete and the application is
sent with the signature and its OCSP answer stored; a cancel or a failure keeps the draft;
someone else's BankID is refused; nobody collects another person's order; production refuses
the development signing."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator

import pytest
from django.conf import LazySettings
from django.core import checks
from django.test import Client, override_settings
from django.urls import reverse

from accounts.bankid import BankIdClient
from accounts.checks import integration_problems
from accounts.eid import EidIdentity
from accounts.models import User
from accounts.services import applicant_get_or_create
from demo.simulators.bankid import BankIdSimulator
from demo.simulators.https import Fault
from demo.simulators.pki import Pki
from intake import services
from intake.models import Application, SignatureMethod, SigningOrder
from intake.states import Status
from tests.builders import client_for
from tests.conftest import PNR_ALVA, PNR_BILAL, PNR_CARINA
from tests.production import REAL_NOTIFIERS, STUB_EID, STUB_REGISTER

pytestmark = [pytest.mark.django_db, pytest.mark.as_of("2026-11-18T10:00")]

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki.create(tmp_path_factory.mktemp("bankid-pki"))


@pytest.fixture
def simulator(pki: Pki, settings: LazySettings) -> Iterator[BankIdSimulator]:
    with BankIdSimulator(pki) as sim:
        assert isinstance(sim, BankIdSimulator)
        sim.pending_collects = 2
        settings.SIGNING_PROVIDER = "accounts.bankid.BankIdSigning"
        settings.BANKID_URL = f"{sim.url}/rp/v6.0"
        settings.BANKID_CLIENT_CERT = str(pki.client.cert)
        settings.BANKID_CLIENT_KEY = str(pki.client.key)
        settings.BANKID_CA_FILE = str(pki.ca.cert)
        settings.BANKID_TIMEOUT_SECONDS = 3.0
        yield sim


@pytest.fixture
def draft(make_draft: Callable[..., Application], applicant: User, caseworker: User) -> Application:
    return make_draft(applicant)


def start(client: Client, application: Application) -> str:
    response = client.post(
        reverse("intake:step_review", args=[application.pk]), {"declaration": "on"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"])


def poll(client: Client, url_name: str, application: Application, times: int = 6) -> list:
    """Collect as the page does (htmx every 2 s) until BankID is done; every answer."""
    answers = []
    for _ in range(times):
        response = client.post(reverse(url_name, args=[application.pk]), **HTMX)
        answers.append(response)
        if "HX-Redirect" in response:
            break
    return answers


def sign_request(simulator: BankIdSimulator) -> dict:
    return next(r.json() for r in simulator.requests if r.path == "/rp/v6.0/sign")


# --- the applicant signs -----------------------------------------------------------------------


def test_signing_with_bankid_sends_the_application_and_stores_the_signature(
    draft: Application, applicant: User, simulator: BankIdSimulator, robot_calls: list[int]
) -> None:
    client = client_for(applicant)
    page = start(client, draft)
    assert page == reverse("intake:bankid_sign", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT  # nothing is sent before BankID says complete

    # what BankID is asked: the declaration, the reference and month; this person only
    body = sign_request(simulator)
    text = base64.b64decode(body["userVisibleData"]).decode()
    assert "Jag intygar att uppgifterna är riktiga och fullständiga" in text
    assert draft.reference in text and "november 2026" in text
    assert PNR_ALVA not in text and "Alva" not in text and "6000" not in text
    assert body["requirement"] == {"personalNumber": PNR_ALVA}
    assert body["userVisibleDataFormat"] == "simpleMarkdownV1"
    assert base64.b64decode(body["userNonVisibleData"]).startswith(draft.reference.encode())

    html = client.get(page).content.decode()
    assert 'src="data:image/svg+xml' in html
    assert "bankid:///?autostarttoken=" in html and "redirect=null" in html
    assert 'hx-trigger="every 2s"' in html and "Jag har signerat" in html
    assert "<script" not in html.split("<main", 1)[1]  # no inline script (CSP)
    qr = client.get(reverse("intake:bankid_qr", args=[draft.pk]), **HTMX).content.decode()
    assert 'id="bankid-qr"' in qr and 'hx-trigger="every 1s"' in qr

    answers = poll(client, "intake:bankid_collect", draft)
    assert answers[0].status_code == 204  # still outstandingTransaction: nothing to swap
    assert "Söker efter BankID" in answers[1].content.decode()  # started
    assert answers[-1]["HX-Redirect"] == reverse("intake:application_sent", args=[draft.pk])

    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    signature = draft.signatures.get()
    assert signature.method == SignatureMethod.BANKID
    assert signature.personnummer == PNR_ALVA
    assert signature.signer_name == "Alva Andersson"
    assert signature.ocsp_verified and signature.bankid_ocsp_response
    assert body["userVisibleData"].encode() in base64.b64decode(signature.bankid_signature)
    assert signature.bankid_issue_date == "2024-01-15"
    assert signature.device_ip == "127.0.0.1"
    assert signature.signed_text_sha256 == hashlib.sha256(text.encode()).hexdigest()
    collected = {r.json()["orderRef"] for r in simulator.requests if r.path.endswith("/collect")}
    assert collected == {signature.bankid_order_ref}
    assert not SigningOrder.objects.exists()


def test_after_sending_an_old_tab_or_a_double_click_is_safe(
    draft: Application, applicant: User, simulator: BankIdSimulator, robot_calls: list[int]
) -> None:
    client = client_for(applicant)
    start(client, draft)
    poll(client, "intake:bankid_collect", draft)
    status_page = reverse("intake:application_detail", args=[draft.pk])
    for response in (
        client.post(reverse("intake:bankid_collect", args=[draft.pk])),
        client.get(reverse("intake:bankid_sign", args=[draft.pk])),
        client.post(reverse("intake:bankid_cancel", args=[draft.pk])),
        client.post(reverse("intake:step_review", args=[draft.pk]), {"declaration": "on"}),
    ):
        assert response.status_code in (302, 303) and response["Location"] == status_page
    assert len([r for r in simulator.requests if r.path == "/rp/v6.0/sign"]) == 1
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED and draft.events.count() == 1


def test_pressing_send_twice_before_signing_keeps_the_one_order(
    draft: Application, applicant: User, simulator: BankIdSimulator
) -> None:
    """Without JavaScript nothing stops a second press (or Back and send again): it must reuse
    the running order, since a second one makes BankID abort both (alreadyInProgress)."""
    client = client_for(applicant)
    first = start(client, draft)
    second = start(client, draft)
    assert first == second == reverse("intake:bankid_sign", args=[draft.pk])
    assert len([r for r in simulator.requests if r.path == "/rp/v6.0/sign"]) == 1
    assert SigningOrder.objects.filter(application=draft).count() == 1
    answers = poll(client, "intake:bankid_collect", draft)
    assert "HX-Redirect" in answers[-1]
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_without_javascript_one_button_collects_once(
    draft: Application, applicant: User, simulator: BankIdSimulator, robot_calls: list[int]
) -> None:
    client = client_for(applicant)
    page = start(client, draft)
    url = reverse("intake:bankid_collect", args=[draft.pk])
    assert client.post(url)["Location"] == page  # pending: back to the BankID page
    assert client.post(url)["Location"] == page
    assert client.post(url)["Location"] == reverse("intake:application_sent", args=[draft.pk])


@pytest.mark.parametrize(
    ("scenario", "said"),
    [
        ("userCancel", "Du avbröt underskriften i BankID"),
        ("expiredTransaction", "Tiden för att skriva under gick ut"),
        ("startFailed", "BankID-appen startade inte"),
    ],
)
def test_a_failed_order_keeps_the_draft_and_says_what_happened(
    draft: Application,
    applicant: User,
    simulator: BankIdSimulator,
    robot_calls: list[int],
    scenario: str,
    said: str,
) -> None:
    simulator.scenario = scenario
    client = client_for(applicant)
    start(client, draft)
    answers = poll(client, "intake:bankid_collect", draft)
    review = reverse("intake:step_review", args=[draft.pk])
    assert answers[-1]["HX-Redirect"] == review
    page = client.get(review).content.decode()
    assert said in page and "Skicka ansökan" in page  # and one may try again
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and robot_calls == []
    assert not draft.signatures.exists() and not SigningOrder.objects.exists()
    # trying again starts a new order
    simulator.scenario = "complete"
    start(client, draft)
    poll(client, "intake:bankid_collect", draft)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_cancel_on_the_page_cancels_the_order_at_bankid_and_keeps_the_draft(
    draft: Application, applicant: User, simulator: BankIdSimulator
) -> None:
    client = client_for(applicant)
    start(client, draft)
    order_ref = SigningOrder.objects.get().order_ref
    response = client.post(reverse("intake:bankid_cancel", args=[draft.pk]), follow=True)
    assert "Underskriften avbröts" in response.content.decode()
    assert simulator.cancelled == [order_ref]
    assert not SigningOrder.objects.exists()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


@pytest.mark.parametrize(
    ("scenario", "said"),
    [
        ("otherPerson", "någon annans BankID"),
        ("tamperedText", "kunde inte kontrolleras"),
        ("ocspRevoked", "kunde inte kontrolleras"),
    ],
)
def test_a_signature_by_someone_else_or_on_another_text_is_refused(
    draft: Application,
    applicant: User,
    simulator: BankIdSimulator,
    robot_calls: list[int],
    scenario: str,
    said: str,
) -> None:
    simulator.scenario = scenario
    client = client_for(applicant)
    start(client, draft)
    answers = poll(client, "intake:bankid_collect", draft)
    assert answers[-1]["HX-Redirect"] == reverse("intake:step_review", args=[draft.pk])
    assert said in client.get(answers[-1]["HX-Redirect"]).content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not draft.signatures.exists()


def test_bankid_unreachable_at_start_keeps_the_draft_with_a_message(
    draft: Application, applicant: User, simulator: BankIdSimulator
) -> None:
    simulator.fault = Fault("error")
    response = client_for(applicant).post(
        reverse("intake:step_review", args=[draft.pk]), {"declaration": "on"}
    )
    assert response.status_code == 400
    assert "BankID kunde inte startas just nu" in response.content.decode()
    assert not SigningOrder.objects.exists()


def test_bankid_unreachable_while_polling_keeps_polling(
    draft: Application, applicant: User, simulator: BankIdSimulator
) -> None:
    client = client_for(applicant)
    start(client, draft)
    simulator.fault = Fault("down")
    response = client.post(reverse("intake:bankid_collect", args=[draft.pk]), **HTMX)
    assert response.status_code == 200 and "HX-Redirect" not in response
    assert "BankID svarar inte just nu" in response.content.decode()
    assert SigningOrder.objects.exists()


def test_an_order_already_in_progress_for_the_person_is_told(
    draft: Application, applicant: User, simulator: BankIdSimulator
) -> None:
    BankIdClient.from_settings().sign(
        end_user_ip="192.0.2.1", user_visible_data="other", personal_number=PNR_ALVA
    )  # e.g. a login elsewhere
    response = client_for(applicant).post(
        reverse("intake:step_review", args=[draft.pk]), {"declaration": "on"}
    )
    assert response.status_code == 400
    assert "redan en inloggning eller underskrift med BankID igång" in response.content.decode()


# --- whose order -----------------------------------------------------------------------------


def test_nobody_can_collect_see_or_cancel_another_persons_order(
    draft: Application,
    applicant: User,
    other_applicant: User,
    simulator: BankIdSimulator,
    robot_calls: list[int],
) -> None:
    start(client_for(applicant), draft)
    intruder = client_for(other_applicant)
    for method, name in (
        ("post", "intake:bankid_collect"),
        ("get", "intake:bankid_sign"),
        ("get", "intake:bankid_qr"),
        ("post", "intake:bankid_cancel"),
        ("post", "intake:partner_bankid_collect"),
        ("get", "intake:partner_bankid_sign"),
    ):
        response = getattr(intruder, method)(reverse(name, args=[draft.pk]))
        assert response.status_code == 404, name
    assert [r.path for r in simulator.requests] == ["/rp/v6.0/sign"]  # nothing collected
    assert SigningOrder.objects.get().signer == applicant


def test_with_no_order_of_ones_own_the_page_goes_back_to_the_review(
    draft: Application, applicant: User, simulator: BankIdSimulator
) -> None:
    client = client_for(applicant)
    review = reverse("intake:step_review", args=[draft.pk])
    assert client.get(reverse("intake:bankid_sign", args=[draft.pk]))["Location"] == review
    assert client.post(reverse("intake:bankid_collect", args=[draft.pk]))["Location"] == review


# --- the partner -----------------------------------------------------------------------------


def test_a_joint_application_is_signed_with_bankid_by_both(
    make_draft: Callable[..., Application],
    other_applicant: User,
    caseworker: User,
    simulator: BankIdSimulator,
    robot_calls: list[int],
) -> None:
    joint = make_draft(other_applicant)
    services.application_set_household(
        application=joint,
        applicant_name="Bilal Berg",
        others=[services.MemberInput("partner", "Carina Dahl", PNR_CARINA)],
    )
    carina = applicant_get_or_create(identity=EidIdentity(PNR_CARINA, "Carina", "Dahl"))
    bilal_client = client_for(other_applicant)
    start(bilal_client, joint)
    answers = poll(bilal_client, "intake:bankid_collect", joint)
    assert answers[-1]["HX-Redirect"] == reverse("intake:step_review", args=[joint.pk])
    joint.refresh_from_db()
    assert joint.status == Status.DRAFT
    assert services.application_signature_state(joint) == services.SignatureState.AWAITING_PARTNER

    carina_client = client_for(carina)
    response = carina_client.post(
        reverse("intake:partner_sign", args=[joint.pk]), {"declaration": "on"}
    )
    assert response["Location"] == reverse("intake:partner_bankid_sign", args=[joint.pk])
    partner_request = [r.json() for r in simulator.requests if r.path == "/rp/v6.0/sign"][-1]
    assert partner_request["requirement"] == {"personalNumber": PNR_CARINA}
    assert "Carina" not in base64.b64decode(partner_request["userVisibleData"]).decode()
    answers = poll(carina_client, "intake:partner_bankid_collect", joint)
    assert answers[-1]["HX-Redirect"] == reverse("intake:partner_review", args=[joint.pk])
    joint.refresh_from_db()
    assert joint.status == Status.SUBMITTED
    signatures = {s.personnummer: s for s in joint.signatures.all()}
    assert set(signatures) == {PNR_BILAL, PNR_CARINA}
    assert all(s.method == SignatureMethod.BANKID and s.ocsp_verified for s in signatures.values())
    assert signatures[PNR_CARINA].signer_name == "Carina Dahl"
    assert joint.events.get().actor == carina


# --- the development signing stays the default ------------------------------------------------


def test_the_development_signing_signs_on_the_click_as_a_test_signature(
    draft: Application, applicant: User, robot_calls: list[int]
) -> None:
    response = client_for(applicant).post(
        reverse("intake:step_review", args=[draft.pk]), {"declaration": "on"}
    )
    assert response["Location"] == reverse("intake:application_sent", args=[draft.pk])
    assert draft.signatures.get().method == SignatureMethod.TEST


def test_staff_see_how_each_signature_was_made(
    draft: Application,
    applicant: User,
    caseworker: User,
    simulator: BankIdSimulator,
    robot_calls: list[int],
) -> None:
    client = client_for(applicant)
    start(client, draft)
    poll(client, "intake:bankid_collect", draft)
    page = client_for(caseworker).get(reverse("caseworker:case_detail", args=[draft.pk]))
    html = page.content.decode()
    assert "Signerad med BankID" in html and "av Alva Andersson, verifierad (OCSP)" in html
    draft.signatures.update(method=SignatureMethod.TEST)
    html = client_for(caseworker).get(reverse("caseworker:case_detail", args=[draft.pk]))
    assert "Signerad i testläge" in html.content.decode()


# --- production refuses the development signing ------------------------------------------------

PRODUCTION = {
    "DEBUG": False,
    "ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG": False,
    "REGISTER_BACKENDS": {"population": STUB_REGISTER},
    "NOTIFICATION_BACKENDS": REAL_NOTIFIERS,
    "EID_PROVIDER": STUB_EID,
}
BANKID_CONFIGURED = {
    "BANKID_URL": "https://appapi2.test.bankid.com/rp/v6.0",
    "BANKID_CLIENT_CERT": "/etc/bistand/bankid.pem",
    "BANKID_CLIENT_KEY": "/etc/bistand/bankid.key",
    "BANKID_CA_FILE": "/etc/bistand/bankid-ca.pem",
}


@pytest.mark.parametrize(
    ("signing", "expected"),
    [
        ({"SIGNING_PROVIDER": "accounts.signing.DevelopmentSigning"}, ["bistand.E006"]),
        ({"SIGNING_PROVIDER": ""}, ["bistand.E005"]),
        ({"SIGNING_PROVIDER": "no.such.Signing"}, ["bistand.E005"]),
        ({"SIGNING_PROVIDER": "accounts.bankid.BankIdSigning"}, ["bistand.E007"]),
        (
            {"SIGNING_PROVIDER": "accounts.bankid.BankIdSigning", **BANKID_CONFIGURED},
            [],
        ),
    ],
    ids=["development", "unset", "unimportable", "bankid-unconfigured", "bankid-configured"],
)
def test_production_refuses_the_development_or_an_unconfigured_signing(
    signing: dict[str, str], expected: list[str]
) -> None:
    with override_settings(**PRODUCTION, **signing):
        # (other outside systems' checks are not this test's business)
        errors = [e for e in integration_problems() if "sign" in e.msg.lower()]
    assert sorted(e.id for e in errors) == expected
    assert all(e.level == checks.ERROR for e in errors)
    if expected == ["bistand.E006"]:
        assert "DevelopmentSigning" in errors[0].msg
    if expected == ["bistand.E007"]:
        assert "BANKID_URL" in errors[0].msg and "BANKID_CA_FILE" in errors[0].msg


def test_the_qr_poll_stops_when_the_order_is_over_and_leaves_the_page_to_the_status_poll(
    draft: Application, applicant: User, simulator: BankIdSimulator, robot_calls: list[int]
) -> None:
    """A QR request just after the collect that sent the application used to answer with the
    status page and "Ansökan är redan skickad", racing the collect's way to the receipt."""
    client = client_for(applicant)
    qr = reverse("intake:bankid_qr", args=[draft.pk])
    start(client, draft)
    client.post(reverse("intake:bankid_cancel", args=[draft.pk]))
    cancelled = client.get(qr, **HTMX)
    assert cancelled.status_code == 286 and "HX-Redirect" not in cancelled  # htmx: stop polling

    start(client, draft)
    poll(client, "intake:bankid_collect", draft)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    sent = client.get(qr, **HTMX)
    assert sent.status_code == 286 and "HX-Redirect" not in sent
    receipt = client.get(reverse("intake:application_sent", args=[draft.pk])).content.decode()
    assert "redan skickad" not in receipt
