"""The BankID RP v6 client (accounts.bankid) against the simulator over mutual TLS: every
scenario, the animated QR code's text, the errors, and a server or client without the right
certificate."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path

import pytest

from accounts.bankid import (
    AlreadyInProgress,
    BankIdClient,
    BankIdRequestRefused,
    BankIdSigning,
    BankIdUnavailable,
    Complete,
    Failed,
    Pending,
    auto_start_url,
    ocsp_response_good,
    qr_code_data,
    signed_visible_text,
)
from demo.simulators.bankid import BankIdSimulator
from demo.simulators.https import Fault
from demo.simulators.pki import Pki
from tests.conftest import PNR_ALVA, PNR_BILAL

TEXT = "# Ansökan om ekonomiskt bistånd\nÄrende X, mars 2026\n\nJag intygar."


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki.create(tmp_path_factory.mktemp("bankid-pki"))


@pytest.fixture
def simulator(pki: Pki) -> Iterator[BankIdSimulator]:
    with BankIdSimulator(pki) as sim:
        assert isinstance(sim, BankIdSimulator)
        yield sim


def client_for(sim: BankIdSimulator, pki: Pki, **overrides: str) -> BankIdClient:
    options = {
        "url": f"{sim.url}/rp/v6.0",
        "client_cert": str(pki.client.cert),
        "client_key": str(pki.client.key),
        "ca_file": str(pki.ca.cert),
        **overrides,
    }
    return BankIdClient(**options, timeout=3.0)


@pytest.fixture
def client(simulator: BankIdSimulator, pki: Pki) -> BankIdClient:
    return client_for(simulator, pki)


def collect_until_done(client: BankIdClient, order_ref: str) -> tuple[list[str], object]:
    hints: list[str] = []
    for _ in range(10):
        result = client.collect(order_ref)
        if not isinstance(result, Pending):
            return hints, result
        hints.append(result.hint_code)
    raise AssertionError("the order never ended")


# --- the animated QR code ------------------------------------------------------------------


def test_qr_code_data_matches_a_vector_computed_by_hand() -> None:
    token, secret = "67df3917-fa0d-44e5-b327-edcc928297f8", "d28db9a7-4cde-429e-a983-359be676944c"
    by_hand = hmac.new(b"d28db9a7-4cde-429e-a983-359be676944c", b"0", hashlib.sha256).hexdigest()
    assert qr_code_data(token, secret, 0) == f"bankid.{token}.0.{by_hand}"
    assert by_hand == "dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"
    assert qr_code_data(token, secret, 7) == (
        f"bankid.{token}.7.e6a7d5c37920aeb22ea554716fde4dcd42665d5d641a41f459cc9cda03472d31"
    )


def test_the_autostart_link_opens_bankid_and_stays_in_the_browser() -> None:
    assert auto_start_url("abc") == "bankid:///?autostarttoken=abc&redirect=null"


# --- sign and collect ----------------------------------------------------------------------


def test_sign_sends_the_text_as_base64_markdown_with_the_personal_number_required(
    client: BankIdClient, simulator: BankIdSimulator
) -> None:
    started = client.sign(
        end_user_ip="192.0.2.10",
        user_visible_data=TEXT,
        user_non_visible_data=b"ref:sha256:00",
        personal_number=PNR_ALVA,
    )
    assert started.order_ref and started.auto_start_token and started.qr_start_token
    body = simulator.requests[-1].json()
    assert simulator.requests[-1].path == "/rp/v6.0/sign"
    assert base64.b64decode(body["userVisibleData"]).decode() == TEXT
    assert body["userVisibleDataFormat"] == "simpleMarkdownV1"
    assert body["requirement"] == {"personalNumber": PNR_ALVA}
    assert body["endUserIp"] == "192.0.2.10"
    assert base64.b64decode(body["userNonVisibleData"]) == b"ref:sha256:00"
    assert simulator.requests[-1].client_certificate is not None  # mutual TLS


def test_a_completed_order_carries_the_signer_signature_and_a_good_ocsp_answer(
    client: BankIdClient,
) -> None:
    started = client.sign(
        end_user_ip="192.0.2.10", user_visible_data=TEXT, personal_number=PNR_ALVA
    )
    hints, result = collect_until_done(client, started.order_ref)
    assert hints == ["outstandingTransaction", "started", "userSign"]
    assert isinstance(result, Complete)
    data = result.completion
    assert data.personal_number == PNR_ALVA
    assert data.name == "Alva Andersson" and data.given_name == "Alva"
    assert data.surname == "Andersson"
    assert data.device_ip == "192.0.2.10"
    assert data.bankid_issue_date == "2024-01-15"
    assert signed_visible_text(data.signature_xml) == TEXT
    assert data.ocsp_good
    # a completed order is gone
    with pytest.raises(BankIdRequestRefused) as refused:
        client.collect(started.order_ref)
    assert refused.value.error_code == "invalidParameters"


@pytest.mark.parametrize("scenario", ["userCancel", "expiredTransaction", "startFailed"])
def test_a_failed_order_says_why(
    client: BankIdClient, simulator: BankIdSimulator, scenario: str
) -> None:
    simulator.scenarios[PNR_BILAL] = scenario
    started = client.sign(
        end_user_ip="192.0.2.1", user_visible_data=TEXT, personal_number=PNR_BILAL
    )
    _, result = collect_until_done(client, started.order_ref)
    assert result == Failed(started.order_ref, scenario)


def test_a_scenario_can_be_chosen_for_all_orders(
    client: BankIdClient, simulator: BankIdSimulator
) -> None:
    simulator.scenario = "userCancel"
    started = client.sign(end_user_ip="192.0.2.1", user_visible_data=TEXT, personal_number=PNR_ALVA)
    _, result = collect_until_done(client, started.order_ref)
    assert isinstance(result, Failed) and result.hint_code == "userCancel"


def test_a_revoked_certificate_is_not_a_good_ocsp_answer(
    client: BankIdClient, simulator: BankIdSimulator
) -> None:
    simulator.scenario = "ocspRevoked"
    started = client.sign(end_user_ip="192.0.2.1", user_visible_data=TEXT, personal_number=PNR_ALVA)
    _, result = collect_until_done(client, started.order_ref)
    assert isinstance(result, Complete)
    assert not result.completion.ocsp_good
    assert not ocsp_response_good("bm90IG9jc3A=")  # not DER at all
    assert not ocsp_response_good("%%%")


def test_a_second_order_for_the_same_person_is_already_in_progress(
    client: BankIdClient,
) -> None:
    first = client.sign(end_user_ip="192.0.2.1", user_visible_data=TEXT, personal_number=PNR_ALVA)
    with pytest.raises(AlreadyInProgress) as refused:
        client.sign(end_user_ip="192.0.2.1", user_visible_data=TEXT, personal_number=PNR_ALVA)
    assert refused.value.error_code == "alreadyInProgress"
    with pytest.raises(BankIdRequestRefused):  # BankID aborted the first one as well
        client.collect(first.order_ref)
    # another person is not affected
    assert client.sign(end_user_ip="192.0.2.1", user_visible_data=TEXT, personal_number=PNR_BILAL)


def test_cancel_ends_the_order(client: BankIdClient, simulator: BankIdSimulator) -> None:
    started = client.sign(end_user_ip="192.0.2.1", user_visible_data=TEXT, personal_number=PNR_ALVA)
    client.cancel(started.order_ref)
    assert simulator.cancelled == [started.order_ref]
    with pytest.raises(BankIdRequestRefused):
        client.collect(started.order_ref)
    # the person may start again at once
    assert client.sign(end_user_ip="192.0.2.1", user_visible_data=TEXT, personal_number=PNR_ALVA)


def test_invalid_parameters_are_refused_with_the_error_code(client: BankIdClient) -> None:
    with pytest.raises(BankIdRequestRefused) as refused:
        client.sign(end_user_ip="", user_visible_data=TEXT)
    assert refused.value.error_code == "invalidParameters"
    assert not isinstance(refused.value, BankIdUnavailable)


def test_auth_is_answered_too(client: BankIdClient) -> None:
    started = client.auth(end_user_ip="192.0.2.1")
    _, result = collect_until_done(client, started.order_ref)
    assert isinstance(result, Complete)


def test_the_signing_provider_speaks_through_the_client(
    client: BankIdClient, simulator: BankIdSimulator
) -> None:
    provider = BankIdSigning(client)
    assert provider.is_test is False
    started = provider.start(
        end_user_ip="192.0.2.1", text=TEXT, personnummer=PNR_ALVA, non_visible_data=b"x"
    )
    assert isinstance(provider.collect(started.order_ref), Pending)
    provider.cancel(started.order_ref)
    assert simulator.cancelled == [started.order_ref]


# --- faults --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["error", "malformed", "down"])
def test_a_server_error_or_unreadable_answer_is_unavailable(
    client: BankIdClient, simulator: BankIdSimulator, mode: str
) -> None:
    simulator.fault = Fault(mode)
    with pytest.raises(BankIdUnavailable):
        client.sign(end_user_ip="192.0.2.1", user_visible_data=TEXT, personal_number=PNR_ALVA)


def test_a_slow_server_times_out(simulator: BankIdSimulator, pki: Pki) -> None:
    simulator.fault = Fault("slow", 2)
    client = BankIdClient(
        url=f"{simulator.url}/rp/v6.0",
        client_cert=str(pki.client.cert),
        client_key=str(pki.client.key),
        ca_file=str(pki.ca.cert),
        timeout=0.5,
    )
    with pytest.raises(BankIdUnavailable, match="Timeout"):
        client.collect("whatever")


def test_a_server_with_a_certificate_we_do_not_trust_is_refused(
    client: BankIdClient, simulator: BankIdSimulator
) -> None:
    simulator.fault = Fault("wrong_certificate")
    with pytest.raises(BankIdUnavailable, match="SSLError"):
        client.sign(end_user_ip="192.0.2.1", user_visible_data=TEXT, personal_number=PNR_ALVA)
    assert simulator.requests == []


def test_without_our_rp_certificate_the_server_refuses(
    simulator: BankIdSimulator, pki: Pki, tmp_path: Path
) -> None:
    # A certificate from an authority BankID does not know (the rogue CA's server pair).
    client = client_for(
        simulator,
        pki,
        client_cert=str(pki.rogue_server.cert),
        client_key=str(pki.rogue_server.key),
    )
    with pytest.raises(BankIdUnavailable):
        client.sign(end_user_ip="192.0.2.1", user_visible_data=TEXT, personal_number=PNR_ALVA)
    assert simulator.requests == []


def test_the_signed_text_is_read_from_the_signature_document_safely() -> None:
    visible = base64.b64encode("Hej på dig".encode()).decode()
    document = (
        '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><Object>'
        '<bankIdSignedData xmlns="http://www.bankid.com/signature/v1.0.0/types">'
        f"<usrVisibleData>{visible}</usrVisibleData></bankIdSignedData></Object></Signature>"
    ).encode()
    assert signed_visible_text(document) == "Hej på dig"
    assert signed_visible_text(b"<Signature/>") is None
    assert signed_visible_text(b"not xml") is None
    entity = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<usrVisibleData>&e;</usrVisibleData>"
    )
    assert signed_visible_text(entity) in (None, "")
