"""A caseworker refuses part of an application and approves the rest in a real browser; the
signed letter states, for the refused part, what was asked, what was granted and why, with the
provisions, the municipality's postal address, and money written "3 940 kr" (#16 item 6)."""

from __future__ import annotations

import io

import pypdf
import pytest
from playwright.sync_api import expect

from eligibility.models import CaseWarning
from eligibility.robot.warnings import warning_acknowledge
from intake.models import Decision
from tests.conftest import PASSWORD

from .browser import Recorder

pytestmark = [pytest.mark.as_of("2026-11-18T10:00"), pytest.mark.browser, pytest.mark.timeout(180)]
expect.set_options(timeout=10_000)

NBSP = "\u00a0"


@pytest.mark.usefixtures("transactional_db", "private_media")
def test_a_partial_refusal_letter_states_each_refused_part_with_its_reason_and_provisions(
    chromium, live_server, submitted_application, caseworker, trelleborg
):
    application = submitted_application  # rent 6 000 kr, one adult, no income
    trelleborg.postal_address = "Socialnämnden\nBox 123\n231 83 Trelleborg"
    trelleborg.save(update_fields=["postal_address"])
    for warning in CaseWarning.objects.filter(application=application):
        warning_acknowledge(warning=warning, user=caseworker, note="Utrett.")
    recorder = Recorder()
    context = chromium.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    recorder.attach(context, "caseworker")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/personal/logga-in/")
        page.get_by_label("Användarnamn").fill(caseworker.username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.goto(f"{live_server.url}/handlaggare/arende/{application.pk}/")
        expect(page.get_by_role("heading", name=f"Ärende {application.reference}")).to_be_visible()

        # Refuse part of the rent: the caseworker's amount for the line, with the reason.
        calculation = page.locator("#case-calculation")
        calculation.get_by_text("Ändra en post").click()
        calculation.get_by_label("Post").select_option("rent")
        calculation.get_by_label("Belopp per månad (kr)").fill("4000")
        calculation.get_by_label("Skäl till ändringen").fill("Hyran delas med en inneboende.")
        calculation.get_by_role("button", name="Ändra och räkna om").click()
        expect(page.locator("#case-calculation")).to_contain_text("Hyran delas med en inneboende.")

        # Approve the rest.
        page.reload()
        decide = page.locator("section[aria-labelledby='decide-heading']")
        expect(decide.get_by_label("Beviljat")).to_be_checked()
        decide.get_by_label("Arbetsspåret").check()
        decide.get_by_label("Motivering").fill("Bistånd enligt riksnormen och skälig hyra.")
        decide.get_by_role("button", name="Fatta beslut").click()
        expect(page.get_by_role("status")).to_contain_text("Beslutet är registrerat.")

        page.reload()
        letter_link = page.locator("#decision-letter")
        expect(letter_link).to_be_visible()
        with page.expect_download() as download_info:
            letter_link.click()
        with open(download_info.value.path(), "rb") as handle:
            reader = pypdf.PdfReader(io.BytesIO(handle.read()))
        assert not recorder.page_errors and not recorder.real_failures()
    finally:
        context.close()

    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.replace(NBSP, " ").split())
    assert "Avslag på en del av ansökan" in flat
    # The refused part: what was asked, what was granted, why, and its provisions.
    assert "Hyra 6 000 kr 4 000 kr Hyran delas med en inneboende." in flat
    assert "Lagrum: Socialtjänstlagen (2025:400), rätten till ekonomiskt bistånd." in flat
    # The decision's provisions, the address for appeals and questions, money as "3 940 kr".
    assert "Beslutet är fattat med stöd av:" in flat
    assert "Socialtjänstförordningen (2025:468) 12 kap. 2–3 §§ (riksnormen)" in flat
    assert "Box 123, 231 83 Trelleborg" in flat
    assert "3 940 kr" in flat and "3940 kr" not in flat
    assert "Handläggarens bedömning" not in flat  # the change shows its label and reason
    assert "Hyra: 4 000 kr. Skäl: Hyran delas med en inneboende." in flat
    decision = Decision.objects.get(application=application)
    assert decision.provisions
