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
        expect(page.locator("#caseworker-amount")).to_have_text(kronor_re(robot_amount - 1000))
        expect(page.locator("#proposal-amount")).to_have_text(kronor_re(robot_amount))
        assert recorder.htmx, "the three actions went through htmx"

        # Sign: the decision form is prefilled from the caseworker's column.
        page.reload()
        decide = page.locator("section[aria-labelledby='decide-heading']")
        expect(decide.get_by_label("Beviljat")).to_be_checked()
        # The amount is the calculation's, shown, not a field (#16 item 1).
        expect(decide.locator("#decision-amount")).to_contain_text(f"{robot_amount - 1000} kr")
        decide.get_by_label("Arbetsspåret").check()  # the case's first decision (#16 item 10)
        decide.get_by_label("Motivering", exact=True).fill("Bistånd enligt norm och skälig hyra.")
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


def kronor_re(amount: int) -> re.Pattern[str]:
    """The amount as the page writes it: '9 495 kr', thousands grouped by a (non-breaking)
    space."""
    grouped = f"{amount:,}".replace(",", "[ \u00a0]")
    return re.compile(rf"^{grouped}[ \u00a0]kr$")


def _log_in(page, live_server, caseworker) -> None:
    page.goto(f"{live_server.url}/personal/logga-in/")
    page.get_by_label("Användarnamn").fill(caseworker.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Ärendekö", level=1)).to_be_visible()


def _sign(page, reason: str) -> None:
    decide = page.locator("section[aria-labelledby='decide-heading']")
    decide.get_by_label("Arbetsspåret").check()
    decide.get_by_label("Motivering", exact=True).fill(reason)
    decide.get_by_role("button", name="Fatta beslut").click()


@pytest.mark.usefixtures("transactional_db")
def test_a_line_changed_after_the_page_was_opened_is_shown_then_decided_and_lettered(
    chromium, live_server, submitted_application, caseworker
):
    """#16 item 1: one tab has the decision form open; in another the electricity line is
    raised. Signing in the first tab decides nothing and says the amount changed from X to Y;
    signing again decides Y, and the letter prints the new line."""
    application = submitted_application
    case_url = f"{live_server.url}/handlaggare/arenden/{application.pk}/"
    recorder = Recorder()
    context = chromium.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    recorder.attach(context, "caseworker")
    try:
        stale = context.new_page()
        _log_in(stale, live_server, caseworker)
        stale.get_by_role("link", name=application.reference).first.click()
        case_url = stale.url
        robot_amount = int(re.sub(r"\D", "", stale.locator("#proposal-amount").inner_text()))
        expect(stale.locator("#decision-amount")).to_contain_text(f"{robot_amount} kr")

        other = context.new_page()
        other.goto(case_url)
        calculation = other.locator("#case-calculation")
        calculation.get_by_text("Ändra en post").click()
        calculation.get_by_label("Post").select_option("electricity")
        calculation.get_by_label("Belopp per månad (kr)").fill("600")
        calculation.get_by_label("Skäl till ändringen").fill("Elräkningen visar 600 kr.")
        calculation.get_by_role("button", name="Ändra och räkna om").click()
        expect(other.locator("#caseworker-amount")).to_have_text(kronor_re(robot_amount + 600))

        _sign(stale, "Bistånd enligt norm och skäliga kostnader.")
        expect(stale.get_by_role("alert").first).to_contain_text(
            f"Beloppet har ändrats från {robot_amount} kr till {robot_amount + 600} kr"
        )
        assert not Decision.objects.filter(application=application).exists()
        decide = stale.locator("section[aria-labelledby='decide-heading']")
        expect(decide.locator("#decision-amount")).to_contain_text(f"{robot_amount + 600} kr")
        expect(decide.get_by_label("Avgörande omständigheter (en per rad)")).to_contain_text(
            "Hushållsel: 600 kr"
        )

        decide.get_by_role("button", name="Fatta beslut").click()
        expect(stale.get_by_role("status")).to_contain_text("Beslutet är registrerat.")
        expect(decide).to_contain_text(f"Beviljat {robot_amount + 600} kr")
        stale.reload()
        with stale.expect_download() as download_info:
            stale.locator("#decision-letter").click()
        text = " ".join(
            page.extract_text() for page in PdfReader(Path(download_info.value.path())).pages
        )
        assert "Hushållsel" in text
        assert not recorder.page_errors and not recorder.real_failures()
    finally:
        context.close()

    decision = Decision.objects.get(application=application)
    assert decision.amount == robot_amount + 600
    electricity = [line for line in decision.lines if line["code"] == "electricity"]
    assert [int(float(line["amount"])) for line in electricity] == [600]


@pytest.mark.usefixtures("transactional_db")
def test_approval_with_an_open_warning_is_refused_until_it_is_acknowledged_with_a_note(
    chromium, live_server, submitted_application, caseworker
):
    """#16 item 4, from the caseworker's side."""
    application = submitted_application
    warning = CaseWarning.objects.create(
        application=application,
        kind="unhandled_income",
        key="unhandled_income:browser",
        message="Sjukpenning 4 000 kr i registret, inte uppgiven.",
    )
    recorder = Recorder()
    context = chromium.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    recorder.attach(context, "caseworker")
    try:
        page = context.new_page()
        _log_in(page, live_server, caseworker)
        page.get_by_role("link", name=application.reference).first.click()
        expect(page.locator("#open-warnings-notice")).to_contain_text("kvittera")

        _sign(page, "Bistånd enligt norm.")
        expect(page.get_by_role("alert").first).to_contain_text("varning")
        assert not Decision.objects.filter(application=application).exists()

        warnings = page.locator("#case-warnings")
        warnings.get_by_label("Kommentar (krävs)").fill("Sjukpenningen upphörde i oktober.")
        warnings.get_by_role("button", name="Kvittera").click()
        expect(page.locator(f"#warning-{warning.pk}")).to_contain_text("Kvitterad")
        page.goto(page.url)  # a GET (a reload would send the refused POST again)
        expect(page.locator("#open-warnings-notice")).to_have_count(0)

        _sign(page, "Bistånd enligt norm.")
        expect(page.get_by_role("status")).to_contain_text("Beslutet är registrerat.")
        expect(page.locator(f"#warning-{warning.pk}")).to_contain_text("Kvitterad")
        assert not recorder.page_errors and not recorder.real_failures()
    finally:
        context.close()

    warning.refresh_from_db()
    assert (warning.status, warning.acknowledge_note) == (
        "acknowledged",
        "Sjukpenningen upphörde i oktober.",
    )
    assert JournalEntry.objects.filter(
        application=application, text__contains="Sjukpenningen upphörde i oktober."
    ).exists()
    assert Decision.objects.filter(application=application).exists()
