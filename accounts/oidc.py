"""Login with e-ID through the municipality's OpenID Connect broker (a relying party).

Built on mozilla-django-oidc (authorization code flow, state + nonce in the session, PKCE), with
three things it does not do by itself:

- endpoints come from the broker's discovery document (`OIDC_OP_ISSUER` +
  `/.well-known/openid-configuration`) unless configured one by one;
- the ID token is checked in full: RS256 signature against the broker's JWKS, issuer, audience
  (our client id), expiry, issued-at and nonce; then the e-ID level (`acr`, or an `amr` value) must
  be one of `OIDC_EID_ACR_VALUES`;
- the person is the personnummer in the configured ID-token claim (`OIDC_PERSONNUMMER_CLAIM`),
  never anything the browser sends; the applicant is found or created through
  `accounts.services.applicant_get_or_create`.

Every refusal is a `PermissionDenied` inside the backend: Django's `authenticate` then returns
None and the callback redirects to the login page with an error (`?fel=1`). A forged or replayed
state is refused the same way (mozilla-django-oidc would answer 400).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import jwt
import requests
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from accounts.eid import EidIdentity
from accounts.identity import normalise_personnummer
from accounts.models import User
from accounts.services import applicant_get_or_create

logger = logging.getLogger(__name__)

# Settings the discovery document can supply, and the discovery key for each.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_DISCOVERY_TTL_SECONDS = 3600
_discovery_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_discovery_lock = threading.Lock()


class OidcConfigurationError(ImproperlyConfigured):
    pass


def discovery_document(issuer: str) -> dict[str, Any]:
    """The broker's discovery document, cached per issuer for an hour."""
    now = time.monotonic()
    with _discovery_lock:
        cached = _discovery_cache.get(issuer)
        if cached and now - cached[0] < _DISCOVERY_TTL_SECONDS:
            return cached[1]
    response = requests.get(
        issuer.rstrip("/") + "/.well-known/openid-configuration",
        timeout=settings.OIDC_TIMEOUT,
    )
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise OidcConfigurationError("The discovery document names another issuer.")
    with _discovery_lock:
        _discovery_cache[issuer] = (now, document)
    return document


def discovery_cache_clear() -> None:
    with _discovery_lock:
        _discovery_cache.clear()


def oidc_setting(attr: str, *args: Any) -> Any:
    """A setting, with the endpoints taken from discovery when they are not set explicitly."""
    explicit = getattr(settings, attr, None)
    if attr in DISCOVERED and not explicit and settings.OIDC_OP_ISSUER:
        return discovery_document(settings.OIDC_OP_ISSUER)[DISCOVERED[attr]]
    return import_from_settings(attr, *args)


def _level_ok(claims: dict[str, Any]) -> bool:
    accepted = set(settings.OIDC_EID_ACR_VALUES)
    if not accepted:
        return True
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return claims.get("acr") in accepted or bool(accepted.intersection(amr))


class EidOidcBackend(OIDCAuthenticationBackend):
    """Authenticates an applicant from the broker's ID token; nothing else logs anyone in."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django builds a backend for every request (get_user) and every login attempt (staff
        # too): the broker's endpoints are looked up only when an e-ID login actually happens.
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:
        return str(oidc_setting("OIDC_OP_TOKEN_ENDPOINT"))

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return str(oidc_setting("OIDC_OP_JWKS_ENDPOINT"))

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:
        return str(settings.OIDC_RP_CLIENT_ID)

    @property
    def OIDC_RP_CLIENT_SECRET(self) -> str:
        return str(settings.OIDC_RP_CLIENT_SECRET)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        # Only the callback view passes a nonce: other login paths are not ours.
        if request is None or "nonce" not in kwargs:
            return None
        try:
            user: User | None = super().authenticate(request, **kwargs)
        except requests.RequestException as exc:
            logger.warning("e-ID broker unreachable or refused the code: %s", type(exc).__name__)
            raise PermissionDenied from exc
        except SuspiciousOperation as exc:
            logger.warning("e-ID login refused: %s", exc)
            raise PermissionDenied from exc
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        if not token:
            raise SuspiciousOperation("The token response has no ID token.")
        key = self.retrieve_matching_jwk(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER or None,
                leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iat", "aud", "iss", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token refused: {type(exc).__name__}") from exc
        if kwargs.get("nonce") is None or claims.get("nonce") != kwargs["nonce"]:
            raise SuspiciousOperation("ID token nonce does not match the login.")
        return claims

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        """The verified ID token decides who this is; the userinfo endpoint is not needed."""
        if not _level_ok(payload):
            raise SuspiciousOperation("The e-ID level (acr/amr) is not accepted.")
        raw = payload.get(settings.OIDC_PERSONNUMMER_CLAIM)
        if not raw:
            raise SuspiciousOperation("The ID token carries no personnummer.")
        try:
            personnummer = normalise_personnummer(str(raw))
        except forms.ValidationError as exc:
            raise SuspiciousOperation("The ID token's personnummer is not valid.") from exc
        return applicant_get_or_create(
            identity=EidIdentity(
                personnummer=personnummer,
                given_name=str(payload.get("given_name", ""))[:60],
                family_name=str(payload.get("family_name", ""))[:60],
            )
        )


class EidOidcStartView(OIDCAuthenticationRequestView):
    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def get_extra_params(self, request: HttpRequest) -> dict[str, str]:
        params = dict(super().get_extra_params(request))
        if settings.OIDC_EID_ACR_VALUES:
            params.setdefault("acr_values", " ".join(settings.OIDC_EID_ACR_VALUES))
        return params


class EidOidcCallbackView(OIDCAuthenticationCallbackView):
    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    @property
    def failure_url(self) -> str:
        return reverse("accounts:eid_login") + "?fel=1"

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            response: HttpResponse = super().get(request)
        except SuspiciousOperation as exc:  # an unknown or replayed state
            logger.warning("e-ID callback refused: %s", exc)
            return self.login_failure()
        return response


class _NoForm(forms.Form):
    """The OIDC login takes no input: the personnummer comes from the broker."""

    def is_valid(self) -> bool:
        return False


class OidcEidProvider:
    """The municipality's e-ID broker over OpenID Connect (`EID_PROVIDER`)."""

    is_test = False
    template_name = "accounts/eid_oidc.html"
    start_url_name = "accounts:oidc_start"

    def form(self, request: HttpRequest) -> forms.Form:
        return _NoForm()

    def identity(self, form: forms.Form) -> EidIdentity:
        raise PermissionDenied("The OIDC provider identifies people only through the broker.")


def oidc_configuration_problems() -> list[str]:
    """What is missing for the OIDC login to work (for the system check)."""
    problems = []
    if not settings.OIDC_RP_CLIENT_ID:
        problems.append("OIDC_RP_CLIENT_ID")
    if not settings.OIDC_RP_CLIENT_SECRET:
        problems.append("OIDC_RP_CLIENT_SECRET")
    if not settings.OIDC_OP_ISSUER:
        problems.append("OIDC_OP_ISSUER")
    if not settings.OIDC_EID_ACR_VALUES:
        problems.append("OIDC_EID_ACR_VALUES")
    return problems
