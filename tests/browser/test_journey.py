"""One journey through the real pages in a real browser: applicant -> robot -> caseworker ->
applicant -> secretary, with the robot in its embedded default (a thread after commit)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from intake.models import Application
from meetings.models import Meeting
from tests.conftest import PASSWORD, PNR_ALVA

from .applicant import error_summary
from .browser import Recorder, origin

# One fixed moment (a Wednesday morning), so a journey never depends on the day it runs; the
# date rules beneath it run at every moment of the matrix in the unit and view tests.
pytestmark = [pytest.mark.as_of("2026-11-18T10:00"), pytest.mark.browser, pytest.mark.timeout(180)]

ROBOT_WAIT_MS = 20_000
STEP_WAIT_MS = 10_000
expect.set_options(timeout=STEP_WAIT_MS)


def _staff_login(context, base: str, username: str):
    page = context.new_page()
    page.goto(f"{base}/personal/logga-in/")
    expect(page.get_by_role("heading", name="Inloggning för personal")).to_be_visible()
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    return page


@pytest.mark.usefixtures("transactional_db")
def test_journey_applicant_robot_caseworker_secretary(
    chromium, live_server, settings, trelleborg, caseworker, secretary
):
    settings.ROBOT_MODE = "thread"  # the embedded default: a background thread after commit
    # The fake registers answer slowly enough that the status page shows the robot at work
    # before the htmx poll (every 2 s) brings the next stage.
    settings.REGISTER_FAKE_DELAY_MS = 3000

    base = live_server.url
    recorder = Recorder()
    contexts = []

    def new_context(who: str, **options):
        context = chromium.new_context(locale="sv-SE", timezone_id="Europe/Stockholm", **options)
        context.set_default_timeout(STEP_WAIT_MS)
        recorder.attach(context, who)
        contexts.append(context)
        return context

    try:
        # --- 1. The applicant applies on a phone ---------------------------------------------
        applicant_ctx = new_context(
            "applicant", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
        )
        page = applicant_ctx.new_page()
        page.goto(f"{base}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Ansök om ekonomiskt bistånd")
        page.get_by_role("link", name="Logga in och ansök").click()

        expect(page.get_by_role("heading", name="Logga in med e-legitimation")).to_be_visible()
        expect(page.get_by_role("note")).to_contain_text("TESTINLOGGNING")
        page.get_by_role("button", name=re.compile(PNR_ALVA)).click()

        expect(page.get_by_role("heading", name="Mina ansökningar", level=1)).to_be_visible()
        expect(page.get_by_text("Du har inga ansökningar ännu.")).to_be_visible()
        page.get_by_label("Kommun där du bor").select_option(label="Trelleborg")
        page.get_by_role("button", name="Börja ansökan för denna månad").click()

        expect(page.get_by_role("heading", name="Ditt hushåll")).to_be_visible()
        page.get_by_label("Ditt namn").fill("Alva Andersson")
        page.get_by_role("button", name="Spara och fortsätt").click()

        expect(page.get_by_role("heading", name="Boende", level=1, exact=True)).to_be_visible()
        page.get_by_label("Hyra eller boendekostnad per månad (kr)").fill("6500")
        page.get_by_label("Hushållsel per månad (kr)").fill("300")
        page.get_by_role("button", name="Spara och fortsätt").click()
        expect(page.get_by_role("heading", name="Andra kostnader", level=1)).to_be_visible()
        page.get_by_role("button", name="Spara och fortsätt").click()

        expect(page.get_by_role("heading", name="Inkomster", level=1)).to_be_visible()
        page.get_by_label("Lön (efter skatt)").fill("0")
        page.get_by_role("button", name="Spara och fortsätt").click()

        expect(page.get_by_role("heading", name="Tillgångar", level=1)).to_be_visible()
        page.get_by_role("button", name="Spara och fortsätt").click()
        expect(page.get_by_role("heading", name="Vart ska pengarna betalas?")).to_be_visible()
        page.get_by_role("button", name="Spara och fortsätt").click()
        expect(page.get_by_role("heading", name="Dokument", level=1)).to_be_visible()
        page.get_by_role("link", name="Fortsätt till Kontrollera dina svar").click()

        expect(page.get_by_role("heading", name="Kontrollera dina svar")).to_be_visible()
        review_url = page.url
        expect(page.locator("dl.summary dd").first).to_contain_text("Alva Andersson")
        expect(page.locator("dt:text-is('Hyra') + dd")).to_have_text("6 500 kr")
        expect(page.locator("dt:text-is('Hushållsel') + dd")).to_have_text("300 kr")
        expect(page.locator("dt:text-is('Pengar på bankkonton') + dd")).to_have_text("0 kr")

        # Submitting without the declaration shows the error summary and stays on the page.
        page.get_by_role("button", name="Skicka ansökan").click()
        summary = error_summary(page)
        expect(summary).to_contain_text("Något behöver rättas")
        expect(summary).to_contain_text("Du måste intyga att uppgifterna stämmer")
        assert page.url == review_url

        page.get_by_label(re.compile("^Jag intygar att uppgifterna är riktiga")).check()
        page.get_by_role("button", name="Skicka ansökan").click()
        expect(page.get_by_role("heading", name="Ansökan är skickad")).to_be_visible()
        page.get_by_role("link", name="Följ din ansökan").click()

        # --- 2. The status page follows the robot by itself (htmx, no reload) --------------
        page.wait_for_url(re.compile(r"/ansokan/\d+/$"))
        status_url = page.url
        pk = int(status_url.rstrip("/").rsplit("/", 1)[1])
        reference = Application.objects.get(pk=pk).reference

        status_now = page.locator("#application-status .status-now")
        expect(status_now).to_have_attribute("data-status", re.compile("^(submitted|processing)$"))
        expect(status_now).to_contain_text(re.compile("Mottagen|Roboten arbetar"))
        stages = page.locator("#application-status ol.stages li")
        expect(stages).to_have_text(
            ["Mottagen", "Vi hämtar uppgifter", "Väntar på handläggare", "Beslut fattat"]
        )
        navigations: list[str] = []
        page.on(
            "framenavigated", lambda f: navigations.append(f.url) if f == page.main_frame else None
        )
        page.evaluate("window.__sameDocument = true")

        expect(status_now).to_have_attribute(
            "data-status", "awaiting_caseworker", timeout=ROBOT_WAIT_MS
        )
        expect(status_now).to_contain_text("Väntar på handläggare")
        expect(page.locator("#application-status li[aria-current='step']")).to_have_text(
            "Väntar på handläggare"
        )
        expect(page.get_by_role("heading", name="Ditt möte om arbete")).to_be_visible()
        assert page.evaluate("window.__sameDocument") is True, "status page reloaded"
        assert navigations == [], f"status page navigated: {navigations}"
        assert status_url in recorder.htmx, "the status changed without an htmx poll"

        meeting = Meeting.objects.select_related("secretary").get(
            application_id=pk, cancelled_at__isnull=True
        )
        assert meeting.secretary_id == secretary.pk
        starts = meeting.starts_at.astimezone(ZoneInfo(django_settings.TIME_ZONE))
        ends = meeting.ends_at.astimezone(ZoneInfo(django_settings.TIME_ZONE))
        expect(page.locator("#application-status section.meeting")).to_contain_text(
            f"kl. {starts:%H:%M}"
        )

        # --- 3. The caseworker decides -------------------------------------------------------
        cw_ctx = new_context("caseworker", viewport={"width": 1280, "height": 900})
        cw = _staff_login(cw_ctx, base, caseworker.username)
        expect(cw.get_by_role("heading", name="Ärendekö", level=1)).to_be_visible()
        queue = cw.locator("#queue-table tbody")
        expect(queue.get_by_role("link", name=reference)).to_be_visible()

        cw.get_by_role("link", name=re.compile(r"^Väntar på handläggare \(1\)")).click()
        cw.wait_for_url(re.compile(r"\?status=awaiting_caseworker$"))
        expect(cw.locator("aside.filters a[aria-current='true']")).to_contain_text(
            "Väntar på handläggare"
        )
        row = queue.locator("tr", has=cw.get_by_role("link", name=reference))
        expect(row).to_contain_text("Alva Andersson")
        expect(row.locator(".status")).to_have_text("Väntar på handläggare")
        expect(queue.locator("tr")).to_have_count(1)
        row.get_by_role("link", name=reference).click()

        expect(cw.get_by_role("heading", name=f"Ärende {reference}")).to_be_visible()
        calculation = cw.locator("table.calculation")
        expect(calculation).to_contain_text("Personliga kostnader")
        expect(calculation).to_contain_text(re.compile(r"6[ \u00a0]500[ \u00a0]kr"))
        register = cw.locator("section[aria-labelledby='register-heading']")
        expect(register.get_by_role("heading", name="Registeruppgifter")).to_be_visible()
        expect(register).to_contain_text("Testgatan 1, 231 42 Trelleborg")
        expect(register.locator(".snapshot")).to_have_count(len(settings.REGISTER_BACKENDS))
        proposal_text = cw.locator("#proposal-amount").inner_text()
        proposal_amount = int(re.sub(r"\D", "", proposal_text))
        assert proposal_amount > 0, f"robot proposed {proposal_text!r}"

        decide = cw.locator("section[aria-labelledby='decide-heading']")
        expect(decide.get_by_label("Beviljat")).to_be_checked()  # the robot found a right to aid
        # The amount is the server's, from the calculation (#16 item 1): shown, not an input.
        expect(decide.locator("#decision-amount")).to_contain_text(f"{proposal_amount} kr")
        expect(decide.get_by_label("Belopp (kr)")).to_have_count(0)
        decide.get_by_label("Arbetsspåret").check()  # the case's first decision (#16 item 10)
        decide.get_by_label("Motivering").fill("Hushållet saknar inkomster; bistånd enligt norm.")
        decide.get_by_role("button", name="Fatta beslut").click()
        expect(cw.get_by_role("status")).to_contain_text("Beslutet är registrerat.")
        expect(decide).to_contain_text(f"Beviljat {proposal_amount} kr")

        # --- 4. The applicant's open page shows the decision by itself ---------------------
        expect(status_now).to_have_attribute("data-status", "approved", timeout=ROBOT_WAIT_MS)
        decision = page.locator("#application-status section.decision")
        expect(decision.get_by_role("heading", name="Beslut", exact=True)).to_be_visible()
        grouped = f"{int(proposal_amount):,}".replace(",", " ")  # "12 020" (#17: kronor filter)
        expect(decision).to_contain_text(f"Beviljat: {grouped} kr")
        expect(decision).to_contain_text("Hushållet saknar inkomster")
        expect(page.locator("#application-status li[aria-current='step']")).to_have_text(
            "Beslut fattat"
        )
        # A decided application is final: the page stops polling.
        expect(page.locator("#application-status")).not_to_have_attribute("hx-get", re.compile("."))
        expect(page.get_by_role("heading", name="Ditt möte om arbete")).to_be_visible()
        assert page.evaluate("window.__sameDocument") is True, "status page reloaded"
        # And after a reload (e.g. the applicant comes back later) it is all still there.
        page.reload()
        expect(page.locator("#application-status section.decision")).to_contain_text("Beviljat")
        expect(page.locator("#application-status section.meeting")).to_contain_text(
            f"kl. {starts:%H:%M}"
        )

        # --- 5. The secretary sees the meeting on its day ------------------------------------
        sec_ctx = new_context("secretary", viewport={"width": 1280, "height": 900})
        sec = _staff_login(sec_ctx, base, secretary.username)
        expect(sec.get_by_role("heading", name=re.compile("^Möten "), level=1)).to_be_visible()
        sec.goto(f"{base}/moten/?dag={starts.date().isoformat()}")
        meeting_row = sec.locator("#meeting-table tbody tr", has_text=reference)
        expect(meeting_row).to_have_count(1)
        expect(meeting_row).to_contain_text("Alva Andersson")
        expect(meeting_row).to_contain_text(f"{starts:%H:%M}–{ends:%H:%M}")

        # --- 6. Roles are enforced in the browser too ----------------------------------------
        response = sec.goto(f"{base}/handlaggare/")
        assert response is not None and response.status == 403
        response = sec.goto(f"{base}/handlaggare/arende/{pk}/")
        assert response is not None and response.status == 403

        # --- What the browser did along the way ---------------------------------------------
        server = origin(base)
        assert recorder.requests, "no requests recorded"
        assert recorder.foreign_requests(server) == []
        assert recorder.personnummer_in_urls() == []
        assert recorder.real_failures() == []
        assert recorder.page_errors == []
        expected_403 = (f"{base}/handlaggare/", f"{base}/handlaggare/arende/{pk}/")
        unexpected_console = [
            (who, text, url)
            for who, text, url in recorder.console_errors
            # Only the two 403s asked for above, and the 400 of the deliberate submit without
            # the declaration ticked (the form answers 400 with its error summary).
            if not (who == "secretary" and "status of 403" in text and url in expected_403)
            and not (who == "applicant" and "status of 400" in text and url.endswith("/granska/"))
        ]
        assert unexpected_console == []
    finally:
        for context in contexts:
            context.close()
