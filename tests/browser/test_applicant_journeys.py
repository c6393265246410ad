"""The applicant on a 360×740 phone: every journey of issue #5, each page checked with axe."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from intake import services
from intake.models import Application, Attachment
from intake.states import Actor, Status
from tests.builders import warnings_acknowledge_all
from tests.conftest import PNR_ALVA, PNR_BILAL, PNR_CARINA

from .applicant import assert_accessible, error_summary, login, phone

# One fixed moment (a Wednesday morning), so a journey never depends on the day it runs; the
# date rules beneath it run at every moment of the matrix in the unit and view tests.
pytestmark = [
    pytest.mark.as_of("2026-11-18T10:00"),
    pytest.mark.browser,
    pytest.mark.timeout(120),
    pytest.mark.usefixtures("transactional_db"),
]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 60
HTML = b"<!DOCTYPE html><html><body>hej</body></html>"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 30


def start(page, municipality: str = "Trelleborg") -> None:
    page.get_by_label("Kommun där du bor").select_option(label=municipality)
    page.get_by_role("button", name="Börja ansökan för denna månad").click()


def fill_alone(page, seen: list[str]) -> None:
    """Household → housing → other costs → incomes → assets, checking each page."""
    expect(page.get_by_role("heading", name="Ditt hushåll")).to_be_visible()
    assert_accessible(page, seen)
    page.get_by_label("Ditt namn").fill("Alva Andersson")
    page.get_by_role("button", name="Spara och fortsätt").click()
    expect(page.get_by_role("heading", name="Boende", exact=True)).to_be_visible()
    assert_accessible(page, seen)
    page.get_by_label("Hyra eller boendekostnad per månad (kr)").fill("6500")
    page.get_by_role("button", name="Spara och fortsätt").click()
    expect(page.get_by_role("heading", name="Andra kostnader")).to_be_visible()
    assert_accessible(page, seen)
    page.get_by_role("button", name="Spara och fortsätt").click()
    expect(page.get_by_role("heading", name="Inkomster")).to_be_visible()
    assert_accessible(page, seen)
    page.get_by_label("Lön (efter skatt)").fill("1200")
    page.get_by_role("button", name="Spara och fortsätt").click()
    expect(page.get_by_role("heading", name="Tillgångar")).to_be_visible()
    assert_accessible(page, seen)
    page.get_by_role("button", name="Spara och fortsätt").click()
    expect(page.get_by_role("heading", name="Vart ska pengarna betalas?")).to_be_visible()
    assert_accessible(page, seen)
    page.get_by_role("button", name="Spara och fortsätt").click()
    expect(page.get_by_role("heading", name="Dokument", exact=True)).to_be_visible()


def upload(page, name: str, content: bytes, mime: str) -> None:
    page.get_by_label("Välj fil eller ta ett foto").set_input_files(
        {"name": name, "mimeType": mime, "buffer": content}
    )
    page.get_by_role("button", name="Ladda upp").click()


def test_a_full_application_with_every_document_type_and_refusals(
    chromium, live_server, caseworker, secretary
):
    base, seen = live_server.url, []
    context = phone(chromium)
    try:
        page = context.new_page()
        login(page, base, PNR_ALVA)
        assert_accessible(page, seen)
        start(page)
        fill_alone(page, seen)
        assert_accessible(page, seen)
        expect(page.locator(".checklist")).to_contain_text("Hyresavi eller hyreskontrakt")
        expect(page.locator(".checklist")).to_contain_text("Lönespecifikation")
        for name, content, mime in (
            ("hyresavi.pdf", PDF, "application/pdf"),
            ("foto.jpg", JPEG, "image/jpeg"),
            ("skarm.png", PNG, "image/png"),
            ("IMG_0001.heic", HEIC, "image/heic"),
        ):
            upload(page, name, content, mime)
            expect(page.locator(".messages")).to_contain_text(f"Vi har tagit emot {name}")
            # the checksum is in the receipt's "Teknisk kvittens", not in the message (#17)
            expect(page.locator(".messages")).to_contain_text("Kvittot finns")
        assert_accessible(page, seen)
        for name, content, mime, why in (
            ("program.pdf", EXE, "application/pdf", "program"),
            ("sida.png", HTML, "image/png", "inte en PDF eller en bild"),
        ):
            upload(page, name, content, mime)
            summary = error_summary(page)
            expect(summary).to_contain_text(why)
            expect(summary).to_be_focused()
        # #17: a type the form does not take is refused in the browser, before a long upload
        upload(page, "arkiv.zip", ZIP, "application/zip")
        expect(page.locator("[id$=-browser-error]")).to_contain_text("Den filtypen går inte")
        assert_accessible(page, seen)  # the error state
        assert Attachment.objects.count() == 4
        expect(page.locator(".receipt")).to_have_count(4)

        page.get_by_role("link", name="Fortsätt till Kontrollera dina svar").click()
        expect(page.get_by_role("heading", name="Kontrollera dina svar")).to_be_visible()
        assert_accessible(page, seen)
        page.get_by_role("button", name="Skicka ansökan").click()
        expect(error_summary(page)).to_contain_text("Du måste intyga")
        expect(error_summary(page)).to_be_focused()
        assert_accessible(page, seen)
        page.get_by_role("link", name=re.compile("Du måste intyga")).click()
        expect(page.get_by_label(re.compile("^Jag intygar"))).to_be_focused()
        page.get_by_label(re.compile("^Jag intygar")).check()
        page.get_by_role("button", name="Skicka ansökan").click()

        expect(page.get_by_role("heading", name="Ansökan är skickad")).to_be_visible()
        expect(page.get_by_text("inom en arbetsdag", exact=False)).to_be_visible()
        assert_accessible(page, seen)
        page.get_by_role("link", name="Följ din ansökan").click()
        expect(page.locator("#application-status .status-now")).to_have_attribute(
            "data-status", "awaiting_caseworker"
        )
        assert_accessible(page, seen)
        page.get_by_label("Skriv till din handläggare").fill("Jag har fått nytt jobb.")
        page.get_by_role("button", name="Skicka meddelandet").click()
        expect(page.locator(".thread")).to_contain_text("Jag har fått nytt jobb.")
        with page.expect_download() as download:
            page.get_by_role("link", name="Ladda ner hyresavi.pdf").click()
        assert download.value.suggested_filename == "hyresavi.pdf"
        page.goto(f"{base}/tillganglighet/")
        assert_accessible(page, seen)
        page.get_by_label("Vad fungerade inte?").fill("Svårt att hitta knappen")
        page.get_by_role("button", name="Skicka synpunkten").click()
        expect(page.locator(".messages")).to_contain_text("Tack för din synpunkt")
        assert len(seen) >= 14
    finally:
        context.close()


def test_a_draft_resumes_after_logging_out_and_in_again(chromium, live_server, trelleborg):
    base = live_server.url
    context = phone(chromium)
    try:
        page = context.new_page()
        login(page, base, PNR_ALVA)
        start(page)
        page.get_by_label("Ditt namn").fill("Alva Andersson")
        page.get_by_role("button", name="Spara och fortsätt").click()
        # Typed but never sent: htmx saves it on the server half a second after the change.
        with page.expect_response(lambda r: "/spara/housing/" in r.url) as saved:
            page.get_by_label("Hyra eller boendekostnad per månad (kr)").fill("7300")
            page.get_by_label("Hushållsel per månad (kr)").click()
        assert saved.value.ok
        expect(page.locator("#save-status")).to_contain_text("Sparat kl.")
        local, session = page.evaluate(
            "[Object.keys(localStorage), Object.fromEntries(Object.entries(sessionStorage))]"
        )
        # Nothing personal in the browser: htmx keeps only the current path (no page cache).
        assert local == [], "nothing may be kept in localStorage"
        assert set(session) <= {"htmx-current-path-for-history"}, session
        assert "7300" not in str(session) and "Alva" not in str(session)
        page.get_by_role("button", name="Logga ut").click()
    finally:
        context.close()
    # Another device: a fresh context with nothing shared.
    other = phone(chromium)
    try:
        page = other.new_page()
        login(page, base, PNR_ALVA)
        expect(page.get_by_text("Sparat kl.")).to_be_visible()
        assert_accessible(page)
        page.get_by_role("link", name=re.compile("Fortsätt din ansökan")).click()
        # #17: back where she left: the first step not answered (housing was autosaved)
        expect(page.get_by_role("heading", name="Andra kostnader", level=1)).to_be_visible()
        page.get_by_role("link", name="Tillbaka").click()
        expect(page.get_by_label("Hyra eller boendekostnad per månad (kr)")).to_have_value("7300")
        page.get_by_role("link", name="Tillbaka").click()
        expect(page.get_by_label("Ditt namn")).to_have_value("Alva Andersson")
    finally:
        other.close()


def test_the_form_works_with_javascript_disabled(chromium, live_server, caseworker, secretary):
    base = live_server.url
    context = phone(chromium, java_script_enabled=False)
    try:
        page = context.new_page()
        login(page, base, PNR_ALVA)
        start(page)
        expect(page.get_by_role("heading", name="Ditt hushåll")).to_be_visible()
        page.get_by_label("Ditt namn").fill("Alva Andersson")
        page.get_by_role("button", name="Spara och fortsätt").click()
        page.get_by_label("Hyra eller boendekostnad per månad (kr)").fill("-1")
        page.get_by_role("button", name="Spara och fortsätt").click()
        expect(page.locator(".error-summary")).to_contain_text("Hyra eller boendekostnad")
        page.get_by_label("Hyra eller boendekostnad per månad (kr)").fill("5000")
        for _ in range(5):  # other costs, incomes, assets, payment (#17)
            page.get_by_role("button", name="Spara och fortsätt").click()
        expect(page.get_by_role("heading", name="Dokument", exact=True)).to_be_visible()
        upload(page, "avi.pdf", PDF, "application/pdf")
        expect(page.locator(".receipt")).to_have_count(1)
        page.get_by_role("link", name="Fortsätt till Kontrollera dina svar").click()
        page.get_by_label(re.compile("^Jag intygar")).check()
        page.get_by_role("button", name="Skicka ansökan").click()
        expect(page.get_by_role("heading", name="Ansökan är skickad")).to_be_visible()
        application = Application.objects.get()
        assert application.status != Status.DRAFT and application.rent == 5000
    finally:
        context.close()


def test_joint_signing_and_declining_with_two_logins(chromium, live_server, caseworker, secretary):
    base, seen = live_server.url, []
    bilal_ctx, carina_ctx = phone(chromium), phone(chromium)
    try:
        bilal = bilal_ctx.new_page()
        login(bilal, base, PNR_BILAL)
        start(bilal)  # the register knows Carina and their child: prefilled
        expect(bilal.get_by_text("Vi har hämtat ditt hushåll från folkbokföringen")).to_be_visible()
        expect(bilal.get_by_label(re.compile("Jag bor med make"))).to_be_checked()
        bilal.get_by_label("Ditt namn").fill("Bilal Berg")
        bilal.get_by_role("button", name="Spara och fortsätt").click()
        expect(bilal.get_by_label("Partnerns namn")).to_have_value("Carina Dahl")
        assert_accessible(bilal, seen)
        bilal.get_by_role("button", name="Spara och fortsätt").click()
        expect(bilal.get_by_role("heading", name="Barn i hushållet")).to_be_visible()
        assert_accessible(bilal, seen)
        application = Application.objects.get()
        bilal.goto(f"{base}/ansokan/{application.pk}/granska/")
        bilal.get_by_label(re.compile("^Jag intygar")).check()
        bilal.get_by_role("button", name="Skriv under och skicka till min partner").click()
        expect(bilal.get_by_role("heading", name="Väntar på partnerns underskrift")).to_be_visible()
        assert_accessible(bilal, seen)

        carina = carina_ctx.new_page()
        login(carina, base, PNR_CARINA)
        carina.get_by_role("link", name=re.compile(application.reference)).click()
        expect(carina.get_by_role("heading", name="Skriv under ansökan")).to_be_visible()
        assert_accessible(carina, seen)
        carina.get_by_label(re.compile("Vill du säga varför")).fill("Vi bor inte ihop längre")
        carina.get_by_role("button", name="Avböj att skriva under").click()
        expect(carina.locator(".messages")).to_contain_text("Du har avböjt")

        bilal.reload()
        expect(
            bilal.get_by_role("heading", name="Din partner har inte skrivit under")
        ).to_be_visible()
        expect(bilal.get_by_text("Vi bor inte ihop längre", exact=False)).to_be_visible()
        assert_accessible(bilal, seen)
        bilal.get_by_label(re.compile("^Jag intygar")).check()
        bilal.get_by_role("button", name=re.compile("Skriv under")).click()
        expect(bilal.get_by_role("heading", name="Väntar på partnerns underskrift")).to_be_visible()

        carina.reload()
        carina.get_by_label(re.compile("^Jag intygar")).check()
        carina.get_by_role("button", name="Skriv under", exact=True).click()
        expect(carina.locator(".messages")).to_contain_text("Ansökan är skickad")
        assert_accessible(carina, seen)
        application.refresh_from_db()
        assert application.status != Status.DRAFT
        assert application.signatures.filter(signed_at__isnull=False).count() == 2
    finally:
        bilal_ctx.close()
        carina_ctx.close()


def test_a_supplement_upload_and_the_decision_letter(
    chromium, live_server, make_draft, applicant, caseworker, secretary
):
    base = live_server.url
    draft = make_draft(applicant)
    services.application_submit(application=draft, applicant=applicant)
    draft.refresh_from_db()
    services.application_transition(
        application=draft,
        to=Status.AWAITING_SUPPLEMENT,
        actor_kind=Actor.CASEWORKER,
        actor=caseworker,
        reason="Hyresavi saknas",
    )
    context = phone(chromium)
    try:
        page = context.new_page()
        login(page, base, PNR_ALVA)
        page.goto(f"{base}/ansokan/{draft.pk}/")
        expect(page.get_by_role("heading", name="Det här behöver vi från dig")).to_be_visible()
        assert_accessible(page)
        upload(page, "hyresavi.png", PNG, "image/png")
        expect(page.locator(".receipt")).to_contain_text("hyresavi.png")
        page.get_by_role("button", name="Skicka kompletteringen").click()
        expect(page.locator(".status-now")).to_have_attribute("data-status", "awaiting_caseworker")
        assert_accessible(page)
    finally:
        context.close()
    letters = pytest.importorskip(
        "caseworker.letters.render", reason="the decision letter module is not here yet"
    )
    from caseworker.decisions.services import decision_record
    from eligibility.models import Proposal
    from intake.models import DecisionOutcome

    draft.refresh_from_db()
    proposal = Proposal.objects.filter(application=draft).first()
    warnings_acknowledge_all(draft, caseworker)
    decision = decision_record(
        track="work",
        application=draft,
        caseworker=caseworker,
        outcome=DecisionOutcome.APPROVED,
        amount=proposal.amount if proposal else 1000,
        reason="Beviljas enligt förslaget.",
    )
    letters.letter_render(decision_id=decision.pk)
    context = phone(chromium)
    try:
        page = context.new_page()
        login(page, base, PNR_ALVA)
        page.goto(f"{base}/ansokan/{draft.pk}/")
        link = page.get_by_role("link", name=re.compile("Ladda ner beslutet|Beslutsbrev", re.I))
        expect(link.first).to_be_visible()
        with page.expect_download() as download:
            link.first.click()
        assert download.value.suggested_filename.endswith(".pdf")
    finally:
        context.close()


# The 20th: the window for next month (opens on the 15th) is open, and November's application,
# submitted that day, is the one to renew.
@pytest.mark.as_of("2026-11-20T10:00")
def test_a_reapplication_is_prefilled_and_asks_what_changed(
    chromium, live_server, submitted_application, applicant
):
    base = live_server.url
    assert submitted_application.month == date(2026, 11, 1)
    context = phone(chromium)
    try:
        page = context.new_page()
        login(page, base, PNR_ALVA)
        next_month = page.get_by_role("button", name=re.compile("Ansök för nästa månad"))
        expect(next_month).to_have_count(1)
        page.get_by_label("Kommun där du bor").select_option(label="Trelleborg")
        next_month.click()
        expect(page.get_by_role("heading", name="Har något ändrats?")).to_be_visible()
        expect(page.locator("dt:text-is('Hyra') + dd")).to_have_text("6 000 kr")
        assert_accessible(page)
        page.get_by_role("button", name="Fortsätt").click()
        expect(error_summary(page)).to_contain_text("Svara ja eller nej")
        assert_accessible(page)
        page.get_by_label("Nej").check()
        page.get_by_role("button", name="Fortsätt").click()
        expect(page.get_by_role("heading", name="Dokument", exact=True)).to_be_visible()
    finally:
        context.close()


def test_swedish_english_and_arabic(chromium, live_server, make_draft, applicant):
    base = live_server.url
    draft = make_draft(applicant)
    context = phone(chromium)
    try:
        page = context.new_page()
        login(page, base, PNR_ALVA)
        page.goto(f"{base}/ansokan/{draft.pk}/boende/")
        expect(page.locator("html")).to_have_attribute("lang", "sv")
        page.get_by_label("Språk").select_option("en")
        page.get_by_role("button", name="Byt språk").click()
        expect(page.get_by_role("heading", name="Housing", exact=True)).to_be_visible()
        expect(page.get_by_label("Rent or housing cost per month (SEK)")).to_be_visible()
        assert_accessible(page)
        page.get_by_label("Language").select_option("ar")
        page.get_by_role("button", name="Change language").click()
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("html")).to_have_attribute("lang", "ar")
        expect(page.get_by_role("heading", level=1)).to_have_text("السكن")
        assert_accessible(page)
        page.goto(f"{base}/tillganglighet/")
        assert_accessible(page)
        page.locator("#language-select").select_option("sv")
        page.locator(".language-switcher button").click()
        expect(page.locator("html")).to_have_attribute("dir", "ltr")
    finally:
        context.close()


def test_the_pages_fit_a_320_pixel_screen(chromium, live_server, make_draft, applicant):
    base = live_server.url
    draft = make_draft(applicant)
    context = chromium.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        login(page, base, PNR_ALVA)
        for path in ("", f"{draft.pk}/hushall/", f"{draft.pk}/inkomster/", f"{draft.pk}/dokument/"):
            page.goto(f"{base}/ansokan/{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{path}: scrolls sideways ({width}px)"
    finally:
        context.close()
