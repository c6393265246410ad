"""An e-ID broker (OpenID Connect provider) on loopback, for `make prodlike` and the journey test.

It stands where the municipality's broker stands (Signicat, Idura, a Sweden Connect proxy): the
production login (`accounts.oidc.OidcEidProvider`) talks to it exactly as to a real one:
discovery, authorization code flow with PKCE (S256) and nonce, an RS256-signed ID token with the
personnummer in the Swedish OIDC profile's claim (`personal_number_claim`, one setting, as in
INTEGRATIONS.md), `acr` at assurance level 3, and a JWKS. Its "login" page asks for a
personnummer instead of running an e-ID: a test broker, never a production one. Served over TLS
from the simulator CA, without client certificates (a browser reaches it).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from demo.simulators.https import HttpsSimulator, Request, Response
from demo.simulators.pki import Pki

SWEDISH_PROFILE_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"

# Names for the test people of the fake registers (Skatteverket's test personnummer, never
# issued); anyone else logs in as "Test Person".
NAMES = {
    "200306062381": ("Alva", "Andersson"),
    "200607092384": ("Bilal", "Berg"),
    "200802122390": ("Carina", "Carlsson"),
}


class OidcBrokerSimulator(HttpsSimulator):
    name: ClassVar[str] = "oidc"
    require_client_certificate: ClassVar[bool] = False

    def __init__(
        self,
        pki: Pki,
        *,
        client_id: str = "bistand",
        client_secret: str,
        personal_number_claim: str = SWEDISH_PROFILE_CLAIM,
        **kwargs: Any,
    ) -> None:
        super().__init__(pki, **kwargs)
        self.client_id = client_id
        self.client_secret = client_secret
        self.personal_number_claim = personal_number_claim
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._codes: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    @property
    def issuer(self) -> str:
        return self.url

    def handle(self, request: Request) -> Response:
        if request.path == "/.well-known/openid-configuration":
            return Response.json(self._discovery())
        if request.path == "/jwks":
            public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
            return Response.json({"keys": [{**public, "kid": "sim-1", "alg": "RS256"}]})
        if request.path == "/authorize" and request.method == "GET":
            return self._login_page(parse_qs(request.query))
        if request.path == "/authorize" and request.method == "POST":
            return self._login(parse_qs(request.body.decode()))
        if request.path == "/token" and request.method == "POST":
            return self._token(request)
        return Response.json({"error": "not_found"}, 404)

    def _discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": [
                "openid",
                "profile",
                "https://id.oidc.se/scope/naturalPersonNumber",
            ],
        }

    def _login_page(self, query: dict[str, list[str]]) -> Response:
        if query.get("client_id", [""])[0] != self.client_id:
            return Response(400, b"unknown client", "text/plain")
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v[0])}">'
            for k, v in query.items()
        )
        page = (
            '<!doctype html><html lang="sv"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width"><title>Test-legitimering</title>'
            "</head><body><main><h1>Test-legitimering (simulator)</h1>"
            '<form method="post" action="/authorize">'
            f'{hidden}<label for="pnr">Personnummer (12 siffror)</label> '
            '<input id="pnr" name="personal_number" inputmode="numeric" autocomplete="off">'
            ' <button type="submit">Legitimera</button></form></main></body></html>'
        )
        return Response(200, page.encode(), "text/html; charset=utf-8")

    def _login(self, form: dict[str, list[str]]) -> Response:
        def one(name: str) -> str:
            return form.get(name, [""])[0]

        personal_number = "".join(ch for ch in one("personal_number") if ch.isdigit())
        if len(personal_number) != 12 or one("client_id") != self.client_id:
            return Response(400, b"personnummer must be 12 digits", "text/plain")
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = {
                "personal_number": personal_number,
                "nonce": one("nonce"),
                "redirect_uri": one("redirect_uri"),
                "code_challenge": one("code_challenge"),
                "issued": time.monotonic(),
            }
        target = one("redirect_uri") + "?" + urlencode({"code": code, "state": one("state")})
        return Response(302, b"", "text/plain", headers=(("Location", target),))

    def _token(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        authorization = request.headers.get("authorization", "")
        if authorization.startswith("Basic "):
            client_id, _, client_secret = (
                base64.b64decode(authorization[6:]).decode().partition(":")
            )
        if client_id != self.client_id or not secrets.compare_digest(
            client_secret, self.client_secret
        ):
            return Response.json({"error": "invalid_client"}, 401)
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)
        if grant is None or time.monotonic() - grant["issued"] > 60:
            return Response.json({"error": "invalid_grant"}, 400)
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return Response.json({"error": "invalid_grant"}, 400)
        if grant["code_challenge"]:
            verifier = form.get("code_verifier", "").encode()
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
            )
            if challenge != grant["code_challenge"]:
                return Response.json({"error": "invalid_grant"}, 400)
        return Response.json(
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self._id_token(grant),
            }
        )

    def _id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        pnr = grant["personal_number"]
        given, family = NAMES.get(pnr, ("Test", "Person"))
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": hashlib.sha256(f"{self.client_id}:{pnr}".encode()).hexdigest()[:32],
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            "acr": LOA3,
            "given_name": given,
            "family_name": family,
            "name": f"{given} {family}",
            self.personal_number_claim: pnr,
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "sim-1"})
