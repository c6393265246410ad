"""T51/T53/T56/T57 in a real browser: during the applicant's and the caseworker's journeys no
Content-Security-Policy violation happens, no request leaves our origin, no URL carries a
personnummer, and nothing personal is left in localStorage or sessionStorage."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, PNR_ALVA

from .applicant import login, phone
from .browser import PERSONNUMMER_RE, Recorder

# One fixed moment (a Wednesday morning), so a journey never depends on the day it runs; the
# date rules beneath it run at every moment of the matrix in the unit and view tests.
pytestmark = [
    pytest.mark.as_of("2026-11-18T10:00"),
    pytest.mark.browser,
    pytest.mark.timeout(180),
    pytest.mark.usefixtures("transactional_db"),
]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LISTEN = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""
STORAGE = "() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"


def watch(context, who: str, recorder: Recorder, violations: list[str], policies: list[str]):
    recorder.attach(context, who)
    context.expose_binding(
        "__cspViolation", lambda _source, text: violations.append(f"{who}: {text}")
    )
    context.add_init_script(LISTEN)

    def on_response(response) -> None:
        if response.request.resource_type == "document":
            policies.append(response.headers.get("content-security-policy", ""))

    context.on("response", on_response)


def test_applicant_and_caseworker_journeys_are_clean(chromium, live_server, caseworker, secretary):
    base = live_server.url
    recorder, violations, policies, storage = Recorder(), [], [], []
    context = phone(chromium)
    watch(context, "applicant", recorder, violations, policies)
    try:
        page = context.new_page()
        login(page, base, PNR_ALVA)
        page.get_by_label("Kommun där du bor").select_option(label="Trelleborg")
        page.get_by_role("button", name="Börja ansökan för denna månad").click()
        page.get_by_label("Ditt namn").fill("Alva Andersson")
        page.get_by_role("button", name="Spara och fortsätt").click()
        page.get_by_label("Hyra eller boendekostnad per månad (kr)").fill("6500")
        page.get_by_role("button", name="Spara och fortsätt").click()
        page.get_by_role("button", name="Spara och fortsätt").click()
        page.get_by_label("Lön (efter skatt)").fill("1200")
        page.get_by_role("button", name="Spara och fortsätt").click()
        page.get_by_role("button", name="Spara och fortsätt").click()
        page.get_by_role("button", name="Spara och fortsätt").click()  # payment (#17)
        expect(page.get_by_role("heading", name="Dokument", exact=True)).to_be_visible()
        page.get_by_label("Välj fil eller ta ett foto").set_input_files(
            {"name": "hyresavi.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        page.get_by_role("button", name="Ladda upp").click()
        expect(page.locator(".messages")).to_contain_text("Vi har tagit emot hyresavi.pdf")
        page.get_by_role("link", name="Fortsätt till Kontrollera dina svar").click()
        page.get_by_label(re.compile("^Jag intygar")).check()
        page.get_by_role("button", name="Skicka ansökan").click()
        expect(page.get_by_role("heading", name="Ansökan är skickad")).to_be_visible()
        page.get_by_role("link", name="Följ din ansökan").click()
        page.get_by_label("Skriv till din handläggare").fill("Hej <script>alert(1)</script>")
        page.get_by_role("button", name="Skicka meddelandet").click()
        expect(page.locator(".thread")).to_contain_text("<script>alert(1)</script>")
        expect(page.locator("#session-warning")).to_be_hidden()
        storage.append(page.evaluate(STORAGE))
    finally:
        context.close()

    staff = chromium.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    watch(staff, "caseworker", recorder, violations, policies)
    try:
        page = staff.new_page()
        page.goto(f"{base}/personal/logga-in/")
        page.get_by_label("Användarnamn").fill(caseworker.username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        expect(page.get_by_role("heading", name="Ärendekö", level=1)).to_be_visible()
        page.locator("a[href*='/handlaggare/arende/']").first.click()
        expect(page.get_by_role("heading", name=re.compile("^Ärende "))).to_be_visible()
        journal = page.locator("#case-journal")
        journal.get_by_label("Ny anteckning").fill("Ringde sökanden.")
        journal.get_by_role("button", name="Spara anteckning").click()
        expect(page.locator("#case-journal ol.journal")).to_contain_text("Ringde sökanden.")
        assert recorder.htmx, "the journal went through htmx"
        storage.append(page.evaluate(STORAGE))
    finally:
        staff.close()

    assert violations == []
    # Every document came with the policy (redirects carry no nonce: they have no page).
    assert policies and all(
        "default-src 'self'" in p and "unsafe-inline" not in p for p in policies
    )
    assert sum("'nonce-" in p for p in policies) >= 10
    assert recorder.foreign_requests(base) == []
    assert recorder.personnummer_in_urls() == []
    for dump in storage:
        assert not PERSONNUMMER_RE.search(dump), dump
        assert "Alva" not in dump and "6500" not in dump, dump
    assert not recorder.page_errors
