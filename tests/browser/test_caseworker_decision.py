"""A caseworker takes a case from the queue to a signed decision in a real browser: acknowledges
a warning, writes in the journal and changes a line (htmx partials), then signs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from caseworker.models import AccessLog, JournalEntry, LineAdjustment
from eligibility.models import CaseWarning
from intake.models import Decision
from tests.conftest import PASSWORD

from .browser import Recorder

# One fixed moment (a Wednesday morning), so a journey never depends on the day it runs; the
# date rules beneath it run at every moment of the matrix in the unit and view tests.
pytestmark = [pytest.mark.as_of("2026-11-18T10:00"), pytest.mark.browser, pytest.mark.timeout(180)]
expect.set_options(timeout=10_000)


@pytest.mark.usefixtures("transactional_db")
def test_a_caseworker_takes_a_case_from_the_queue_to_a_signed_decision(
    chromium, live_server, submitted_application, caseworker
):
    application = submitted_application
    warning = CaseWarning.objects.create(
        application=application, kind="new_cost", key="new_cost:browser", message="Ny hyra."
    )
    recorder = Recorder()
    context = chromium.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    recorder.attach(context, "caseworker")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/personal/logga-in/")
        page.get_by_label("Användarnamn").fill(caseworker.username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        expect(page.get_by_role("heading", name="Ärendekö", level=1)).to_be_visible()
        page.get_by_role("link", name=application.reference).first.click()
        expect(page.get_by_role("heading", name=f"Ärende {application.reference}")).to_be_visible()

        # Acknowledge the warning (htmx swaps #case-warnings).
        warnings = page.locator("#case-warnings")
        warnings.get_by_label("Kommentar").fill("Hyresavi finns.")
        warnings.get_by_role("button", name="Kvittera").click()
        expect(page.locator(f"#warning-{warning.pk}")).to_contain_text("Kvitterad")

        # A journal entry (htmx swaps #case-journal).
        journal = page.locator("#case-journal")
        journal.get_by_label("Ny anteckning").fill("Ringde sökanden om hyran.")
        journal.get_by_role("button", name="Spara anteckning").click()
        expect(page.locator("#case-journal ol.journal")).to_contain_text(
            "Ringde sökanden om hyran."
        )

        # Change the rent (htmx swaps #case-calculation): the caseworker's column changes.
        robot_amount = int(re.sub(r"\D", "", page.locator("#proposal-amount").inner_text()))
        calculation = page.locator("#case-calculation")
        calculation.get_by_text("Ändra en post").click()
        calculation.get_by_label("Post").select_option("rent")
        calculation.get_by_label("Belopp per månad (kr)").fill("5000")
        calculation.get_by_label("Skäl till ändringen").fill("Hyresavin visar 5 000 kr.")
        calculation.get_by_role("button", name="Ändra och räkna om").click()
        expect(page.locator("#caseworker-amount")).to_have_text(f"{robot_amount - 1000} kr")
        expect(page.locator("#proposal-amount")).to_have_text(f"{robot_amount} kr")
        assert recorder.htmx, "the three actions went through htmx"

        # Sign: the decision form is prefilled from the caseworker's column.
        page.reload()
        decide = page.locator("section[aria-labelledby='decide-heading']")
        expect(decide.get_by_label("Beviljat")).to_be_checked()
        assert float(decide.get_by_label("Belopp (kr)").input_value()) == robot_amount - 1000
        decide.get_by_label("Arbetsspåret").check()  # the case's first decision (#16 item 10)
        decide.get_by_label("Motivering").fill("Bistånd enligt norm och skälig hyra.")
        decide.get_by_role("button", name="Fatta beslut").click()
        expect(page.get_by_role("status")).to_contain_text("Beslutet är registrerat.")
        expect(decide).to_contain_text(f"Beviljat {robot_amount - 1000} kr")
        expect(page.locator("[data-status]").first).to_have_attribute("data-status", "approved")
        # The signed decision letter: rendered after commit, downloadable from the case page.
        page.reload()
        letter_link = page.locator("#decision-letter")
        expect(letter_link).to_be_visible()
        with page.expect_download() as download_info:
            letter_link.click()
        catalog = PdfReader(Path(download_info.value.path())).trailer["/Root"]
        assert "/StructTreeRoot" in catalog and catalog["/Lang"] == "sv"  # a tagged letter
        assert not recorder.page_errors and not recorder.real_failures()
    finally:
        context.close()

    decision = Decision.objects.get(application=application)
    assert (decision.amount, decision.decided_by_id) == (robot_amount - 1000, caseworker.pk)
    assert LineAdjustment.objects.filter(application=application, code="rent").exists()
    assert JournalEntry.objects.filter(application=application, author=caseworker).count() >= 2
    assert AccessLog.objects.filter(application=application, user=caseworker).count() >= 5
