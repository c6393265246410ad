"""Login with e-ID through an OpenID Connect broker, against a fake provider on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import Role, User
from accounts.oidc import discovery_cache_clear
from tests.conftest import PNR_ALVA, PNR_BILAL

from .fake_oidc import FakeOidcProvider, new_key

PNR_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"


@pytest.fixture
def broker(db: None) -> Iterator[FakeOidcProvider]:
    provider = FakeOidcProvider(
        claims={"sub": "abc-123", PNR_CLAIM: PNR_ALVA, "acr": LOA3, "given_name": "Alva"}
    ).start()
    discovery_cache_clear()
    with override_settings(
        EID_PROVIDER="accounts.oidc.OidcEidProvider",
        OIDC_OP_ISSUER=provider.issuer,
        OIDC_RP_CLIENT_ID=provider.client_id,
        OIDC_RP_CLIENT_SECRET=provider.client_secret,
        OIDC_PERSONNUMMER_CLAIM=PNR_CLAIM,
        OIDC_EID_ACR_VALUES=[LOA3],
    ):
        yield provider
    provider.stop()
    discovery_cache_clear()


def _login(client: Client, broker: FakeOidcProvider, *, tamper_state: bool = False) -> Any:
    start = client.get(reverse("accounts:oidc_start"))
    assert start.status_code == 302
    assert start["Location"].startswith(broker.issuer + "/authorize")
    at_broker = requests.get(start["Location"], allow_redirects=False, timeout=5)
    back = urlparse(at_broker.headers["Location"])
    query = parse_qs(back.query)
    if tamper_state:
        query["state"] = ["forged-state"]
    return client.get(back.path, {k: v[0] for k, v in query.items()})


def _logged_in_user(client: Client) -> User | None:
    pk = client.session.get(SESSION_KEY)
    return User.objects.get(pk=pk) if pk else None


def _refused(response: Any, client: Client) -> None:
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:eid_login") + "?fel=1"
    assert _logged_in_user(client) is None


def test_good_token_logs_in_the_person_the_broker_names(
    client: Client, broker: FakeOidcProvider
) -> None:
    response = _login(client, broker)
    assert response.status_code == 302
    user = _logged_in_user(client)
    assert user is not None
    assert user.personnummer == PNR_ALVA
    assert user.role == Role.APPLICANT
    assert user.first_name == "Alva"
    assert not user.has_usable_password()


def test_login_finds_the_existing_applicant(
    client: Client, broker: FakeOidcProvider, applicant: User
) -> None:
    _login(client, broker)
    assert _logged_in_user(client) == applicant
    assert User.objects.filter(personnummer=PNR_ALVA).count() == 1


def test_authorize_request_asks_for_the_eid_level_with_nonce_and_pkce(
    client: Client, broker: FakeOidcProvider
) -> None:
    _login(client, broker)
    sent = broker.authorize_requests[-1]
    assert sent["acr_values"] == [LOA3]
    assert sent["nonce"][0]
    assert sent["code_challenge_method"] == ["S256"]
    assert "code_verifier" in broker.token_requests[-1]


@pytest.mark.parametrize(
    "override",
    [
        pytest.param({"aud": "another-client"}, id="wrong-audience"),
        pytest.param({"iss": "http://127.0.0.1:1"}, id="wrong-issuer"),
        pytest.param(
            {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, id="expired"
        ),
        pytest.param({"nonce": "not-the-login-nonce"}, id="wrong-nonce"),
        pytest.param({"nonce": None}, id="missing-nonce"),
        pytest.param({PNR_CLAIM: None}, id="missing-personnummer"),
        pytest.param({PNR_CLAIM: "200306062380"}, id="invalid-personnummer"),
        pytest.param({"acr": None}, id="missing-acr"),
        pytest.param({"acr": "http://id.elegnamnden.se/loa/1.0/loa2"}, id="too-low-acr"),
    ],
)
def test_token_that_fails_a_check_is_refused(
    client: Client, broker: FakeOidcProvider, override: dict[str, Any]
) -> None:
    broker.claims_override = override
    _refused(_login(client, broker), client)
    assert not User.objects.filter(role=Role.APPLICANT).exists()


def test_token_signed_with_another_key_is_refused(client: Client, broker: FakeOidcProvider) -> None:
    broker.sign_with = new_key()
    _refused(_login(client, broker), client)


def test_amr_value_satisfies_the_required_level(client: Client, broker: FakeOidcProvider) -> None:
    broker.claims_override = {"acr": None, "amr": ["pwd", LOA3]}
    _login(client, broker)
    assert _logged_in_user(client) is not None


def test_forged_state_is_refused(client: Client, broker: FakeOidcProvider) -> None:
    _refused(_login(client, broker, tamper_state=True), client)


def test_callback_without_a_started_login_is_refused(
    client: Client, broker: FakeOidcProvider
) -> None:
    response = client.get(reverse("accounts:oidc_callback"), {"code": "x", "state": "y"})
    _refused(response, client)


def test_broker_error_answer_is_refused(client: Client, broker: FakeOidcProvider) -> None:
    response = client.get(reverse("accounts:oidc_callback"), {"error": "access_denied"})
    _refused(response, client)


def test_personnummer_in_request_parameters_is_never_read(
    client: Client, broker: FakeOidcProvider
) -> None:
    """The broker says Alva; Bilal's number in the form, the query or the callback is ignored."""
    posted = client.post(reverse("accounts:eid_login"), {"personnummer": PNR_BILAL})
    assert posted.status_code == 302
    assert _logged_in_user(client) is None
    start = client.get(reverse("accounts:oidc_start"), {"personnummer": PNR_BILAL})
    at_broker = requests.get(start["Location"], allow_redirects=False, timeout=5)
    back = urlparse(at_broker.headers["Location"])
    params = {k: v[0] for k, v in parse_qs(back.query).items()}
    client.get(back.path, {**params, "personnummer": PNR_BILAL, PNR_CLAIM: PNR_BILAL})
    user = _logged_in_user(client)
    assert user is not None and user.personnummer == PNR_ALVA
    assert not User.objects.filter(personnummer=PNR_BILAL).exists()


def test_replayed_callback_is_refused(client: Client, broker: FakeOidcProvider) -> None:
    start = client.get(reverse("accounts:oidc_start"))
    at_broker = requests.get(start["Location"], allow_redirects=False, timeout=5)
    back = urlparse(at_broker.headers["Location"])
    params = {k: v[0] for k, v in parse_qs(back.query).items()}
    client.get(back.path, params)
    client.post(reverse("accounts:logout"))
    _refused(client.get(back.path, params), client)


def test_login_page_shows_the_broker_button_and_the_error(
    client: Client, broker: FakeOidcProvider
) -> None:
    page = client.get(reverse("accounts:eid_login"), {"fel": "1"})
    assert page.status_code == 200
    assert reverse("accounts:oidc_start") in page.content.decode()
    assert "Inloggningen gick inte igenom" in page.content.decode()
    assert 'name="personnummer"' not in page.content.decode()


def test_unreachable_broker_refuses_without_crashing(
    client: Client, broker: FakeOidcProvider
) -> None:
    start = client.get(reverse("accounts:oidc_start"))
    at_broker = requests.get(start["Location"], allow_redirects=False, timeout=5)
    back = urlparse(at_broker.headers["Location"])
    broker.stop()
    response = client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})
    _refused(response, client)


def test_staff_login_still_works_with_the_oidc_backend_installed(
    client: Client, broker: FakeOidcProvider, caseworker: User
) -> None:
    from tests.conftest import PASSWORD

    broker.stop()  # the broker being down must not touch staff login
    assert client.login(username=caseworker.username, password=PASSWORD)
