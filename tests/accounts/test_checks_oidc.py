"""The system check refuses the development login when DEBUG is off and accepts the OIDC one."""

from __future__ import annotations

from django.test import override_settings

from accounts.checks import check_no_test_integrations_in_production
from tests.production import REAL_NOTIFIERS, STUB_REGISTER, STUB_SIGNING

REAL_REGISTERS = dict.fromkeys(
    (
        "population",
        "forsakringskassan",
    ),
    STUB_REGISTER,
)
CONFIGURED = {
    "OIDC_OP_ISSUER": "https://eid.example.invalid",
    "OIDC_RP_CLIENT_ID": "bistand",
    "OIDC_RP_CLIENT_SECRET": "s3cret",
    "OIDC_EID_ACR_VALUES": ["http://id.elegnamnden.se/loa/1.0/loa3"],
}


def _ids() -> set[str]:
    return {e.id for e in check_no_test_integrations_in_production(None)}


def test_development_login_is_refused_when_debug_is_off() -> None:
    with override_settings(
        DEBUG=False,
        ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG=False,
        REGISTER_BACKENDS=REAL_REGISTERS,
        NOTIFICATION_BACKENDS=REAL_NOTIFIERS,
        SIGNING_PROVIDER=STUB_SIGNING,
        EID_PROVIDER="accounts.eid.DevelopmentEidProvider",
    ):
        assert "bistand.E002" in _ids()


def test_configured_oidc_login_is_accepted_when_debug_is_off() -> None:
    with override_settings(
        DEBUG=False,
        ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG=False,
        REGISTER_BACKENDS=REAL_REGISTERS,
        NOTIFICATION_BACKENDS=REAL_NOTIFIERS,
        SIGNING_PROVIDER=STUB_SIGNING,
        EID_PROVIDER="accounts.oidc.OidcEidProvider",
        **CONFIGURED,
    ):
        assert _ids() == set()


def test_oidc_login_without_client_registration_is_refused() -> None:
    with override_settings(
        DEBUG=False,
        ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG=False,
        REGISTER_BACKENDS=REAL_REGISTERS,
        NOTIFICATION_BACKENDS=REAL_NOTIFIERS,
        SIGNING_PROVIDER=STUB_SIGNING,
        EID_PROVIDER="accounts.oidc.OidcEidProvider",
        **{**CONFIGURED, "OIDC_RP_CLIENT_SECRET": ""},
    ):
        assert _ids() == {"bistand.E003"}
