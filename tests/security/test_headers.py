"""T51/T52/T54: strict CSP with a nonce on every page, the other security headers, no-store on
authenticated pages, secure cookie settings in production, and templates without inline script,
style or event handlers (so the CSP needs no 'unsafe-inline')."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.builders import client_for
from tests.security.conftest import World

REPO = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [REPO / "templates", *(REPO.glob("*/templates"))]
# Rendered to PDF by WeasyPrint, never served as a page: its <style> never meets a browser's CSP.
PDF_TEMPLATES = {"caseworker/letter_pdf.html", "notifications/letter_pdf.html"}


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def test_every_page_has_a_strict_nonce_based_csp(world: World) -> None:
    pages = [
        (Client(), reverse("home")),
        (Client(), reverse("accounts:staff_login")),
        (
            client_for(world.owner),
            reverse("intake:application_detail", args=[world.application.pk]),
        ),
        (
            client_for(world.caseworker),
            reverse("caseworker:case_detail", args=[world.application.pk]),
        ),
        (client_for(world.host), reverse("meetings:meeting_detail", args=[world.meeting.pk])),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        csp = directives(response)
        assert csp["default-src"] == ["'self'"]
        assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"]
        nonce = [w for w in csp["script-src"] if w.startswith("'nonce-")]
        assert len(nonce) == 1, url
        for directive in ("script-src", "style-src"):
            assert "'unsafe-inline'" not in csp[directive] and "'unsafe-eval'" not in csp[directive]
        # django-htmx's script tag carries the same nonce.
        value = nonce[0].removeprefix("'nonce-").rstrip("'")
        assert f'nonce="{value}"' in response.content.decode()
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]


def test_authenticated_pages_and_partials_are_never_cached(world: World) -> None:
    client = client_for(world.caseworker)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(
            reverse("caseworker:case_journal", args=[world.application.pk]), headers=headers
        )
        assert "no-store" in response["Cache-Control"]
        assert {"Cookie", "HX-Request"} <= {v.strip() for v in response["Vary"].split(",")}


def test_pages_with_personal_data_keep_htmx_history_off(world: World) -> None:
    html = (
        client_for(world.owner)
        .get(reverse("intake:application_detail", args=[world.application.pk]))
        .content.decode()
    )
    assert 'hx-history="false"' in html
    assert '"historyCacheSize": 0' in html and '"allowEval": false' in html
    assert '"selfRequestsOnly": true' in html and '"includeIndicatorStyles": false' in html


def test_production_settings_harden_cookies_hsts_and_require_a_second_factor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    monkeypatch.setenv("ALLOWED_HOSTS", "bistand.example.se")
    production = importlib.import_module("config.settings.production")
    production = importlib.reload(production)
    assert production.SESSION_COOKIE_NAME == "__Host-sessionid"
    assert production.CSRF_COOKIE_NAME == "__Host-csrftoken"
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SESSION_COOKIE_HTTPONLY and production.SESSION_COOKIE_SAMESITE == "Lax"
    assert (
        production.SECURE_HSTS_SECONDS >= 31_536_000 and production.SECURE_HSTS_INCLUDE_SUBDOMAINS
    )
    assert production.OTP_REQUIRED is True
    assert production.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def _templates() -> list[tuple[str, str]]:
    found = []
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            found.append((str(path.relative_to(directory)), path.read_text(encoding="utf-8")))
    return found


def test_no_template_has_inline_script_style_or_event_handlers() -> None:
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    problems = []
    for name, text in _templates():
        if name in PDF_TEMPLATES:
            continue
        if inline_script.search(text):
            problems.append(f"{name}: inline <script>")
        if re.search(r"<style\b", text, re.IGNORECASE):
            problems.append(f"{name}: <style>")
        if re.search(r"\sstyle\s*=", text, re.IGNORECASE):
            problems.append(f"{name}: style attribute")
        if re.search(r"\son[a-z]+\s*=", text, re.IGNORECASE):
            problems.append(f"{name}: event handler attribute")
        if re.search(r"\bhx-on\b|hx-on:|javascript:", text, re.IGNORECASE):
            problems.append(f"{name}: hx-on or javascript: URL")
        if re.search(r"\bhx-get=[^>]*\bhx-(post|put|delete)", text):
            problems.append(f"{name}: mixed methods")
    assert problems == []
    assert len(_templates()) > 40


SAFE_ALLOWLIST: set[str] = set()  # "path: why", when rich text ever needs it (nh3 first)


def test_no_mark_safe_or_safe_filter_outside_the_allowlist() -> None:
    problems = []
    for path in REPO.rglob("*"):
        if any(part in {".venv", "node_modules", ".git", "staticfiles"} for part in path.parts):
            continue
        if path.suffix == ".py" and "tests" not in path.parts:
            text = path.read_text(encoding="utf-8", errors="replace")
            if re.search(r"\bmark_safe\(|\bSafeString\(|\|\s*safe\b", text):
                problems.append(str(path.relative_to(REPO)))
        elif path.suffix in {".html", ".txt"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            if re.search(r"\|\s*safe\b|{%\s*autoescape\s+off", text):
                problems.append(str(path.relative_to(REPO)))
    assert sorted(set(problems) - SAFE_ALLOWLIST) == []
