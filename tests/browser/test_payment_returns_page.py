"""#19 item 5 in the browser: the team lead reads the bank's camt.054 back on the payment-files
page, and the case pages show what the bank said and why a payment is held.

At 1366 and at 360 px, with axe-core (WCAG 2.1 A and AA) and no sideways scroll on every page:
the team lead makes a payment file, downloads its pain.001 (a real file), lets the bank simulator
(`demo.simulators.bank.camt054_for`) answer it with one payment booked and one returned (AC01),
uploads that answer and reads the counts; a file that is not XML gives the form's error; the
caseworker's case page of the returned payment says why, and that of a payment held for an
account failing the banks' rules gives the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import Municipality, Role, User
from caseworker.models.payments import PaymentOrder, PaymentStatus
from demo.simulators.bank import camt054_for
from tests.caseworker.payments.test_payment_files_page import order_make
from tests.conftest import PASSWORD

from .applicant import WCAG_TAGS, _axe
from .browser import Recorder, settled_width

pytestmark = [
    pytest.mark.as_of("2026-11-18T10:00"),
    pytest.mark.browser,
    pytest.mark.timeout(120),
    pytest.mark.usefixtures("transactional_db", "private_media", "no_stickprov"),
]

SCREENS: dict[int, dict[str, Any]] = {
    1366: {"viewport": {"width": 1366, "height": 768}},
    360: {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
}
FILES = "/handlaggare/betalfiler/"
# Stored without the form's check (an old record, an import): the check digit is wrong.
ACCOUNT_FAILING_THE_BANKS_RULES = "6000-123456780"


@pytest.fixture
def lead(make_staff: Callable[..., User], trelleborg: Municipality) -> User:
    return make_staff("ledare", Role.TEAM_LEAD, trelleborg)


@pytest.fixture
def orders(caseworker: User, trelleborg: Municipality) -> dict[str, PaymentOrder]:
    """Two approved payments waiting for a file, and one held for its account."""
    return {
        "booked": order_make(trelleborg, caseworker, "4200"),
        "returned": order_make(trelleborg, caseworker, "3100"),
        "held": order_make(trelleborg, caseworker, "2500", account=ACCOUNT_FAILING_THE_BANKS_RULES),
    }


class Staff:
    """One person's browser at one width; every page's axe violations and sideways scroll, and
    HTTP, console and script errors, collected to fail once at the end."""

    def __init__(self, chromium: Any, base: str, user: User, width: int) -> None:
        self.base, self.width, self.who = base, width, user.username
        self.context = chromium.new_context(
            locale="sv-SE", timezone_id="Europe/Stockholm", **SCREENS[width]
        )
        self.context.set_default_timeout(10_000)
        self.recorder = Recorder()
        self.recorder.attach(self.context, self.who)
        self.problems: list[str] = []
        self.context.on("response", self._on_response)
        self.page = self.context.new_page()
        self.page.goto(f"{base}/personal/logga-in/")
        self.page.get_by_label("Användarnamn").fill(user.username)
        self.page.get_by_label("Lösenord").fill(PASSWORD)
        self.page.get_by_role("button", name="Logga in").click()
        self.page.wait_for_load_state()

    def _on_response(self, response: Any) -> None:
        # 400 is a form sent back with its errors (the non-XML file, on purpose).
        if response.status > 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def check(self, what: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        where = f"{what} ({page.url.removeprefix(self.base)}) @{self.width}"
        results = _axe.run(
            page,
            options={
                "runOnly": {"type": "tag", "values": WCAG_TAGS},
                "resultTypes": ["violations"],
            },
        )
        for v in results.response["violations"]:
            targets = [n["target"] for n in v["nodes"]][:3]
            self.problems.append(f"{where}: axe {v['id']}: {v['help']} {targets}")
        scroll, widest = settled_width(page, self.width)
        if scroll > self.width:
            self.problems.append(f"{where}: scrolls sideways ({scroll} px: {widest})")

    def report(self) -> list[str]:
        return [
            *self.problems,
            *(f"console error: {text} ({url})" for _, text, url in self.recorder.console_errors
              if "status of 400" not in text),
            *(f"page error: {text}" for _, text in self.recorder.page_errors),
        ]  # fmt: skip


@pytest.mark.parametrize("width", [1366, 360])
def test_the_team_lead_reads_the_banks_answer_and_the_case_pages_say_why(
    chromium: Any,
    live_server: Any,
    width: int,
    lead: User,
    caseworker: User,
    orders: dict[str, PaymentOrder],
) -> None:
    booked, returned, held = orders["booked"], orders["returned"], orders["held"]
    assert held.status == PaymentStatus.NEEDS_ACCOUNT and held.hold_reason
    people = [Staff(chromium, live_server.url, lead, width)]
    try:
        team_lead = people[0]
        page = team_lead.page
        page.goto(live_server.url + FILES)
        expect(page.locator("#payments-held")).to_contain_text(held.application.reference)
        expect(page.locator("#payments-held")).to_contain_text("kontrollsiffran är fel")
        team_lead.check("payment files")

        page.get_by_role("button", name="Skapa betalfil").click()
        expect(page.locator(".messages")).to_contain_text("är skapad med 2 utbetalningar")
        with page.expect_download() as download:
            page.get_by_role("link", name="Hämta fil (pain.001)").click()
        pain001 = Path(download.value.path()).read_bytes()
        assert pain001.count(b"<CdtTrfTxInf>") == 2
        assert held.idempotency_key.hex.encode() not in pain001  # held back, not paid
        camt054 = camt054_for(pain001, rejected={returned.idempotency_key.hex: "AC01"})

        upload = page.get_by_label("Bankens besked (camt.054, XML)")
        upload.set_input_files(
            {"name": "camt054.xml", "mimeType": "application/xml", "buffer": camt054}
        )
        page.get_by_role("button", name="Läs in bankens besked").click()
        result = page.locator("#payment-returns-result")
        expect(result.locator("#returns-paid")).to_have_text("1 utbetalning bokförd som utbetald.")
        expect(result.locator("#returns-rejected")).to_contain_text(
            "1 utbetalning avvisad av banken."
        )
        expect(result.get_by_role("link", name=returned.application.reference)).to_be_visible()
        expect(page.locator("#returns-not-applied")).to_have_count(0)
        team_lead.check("payment files, the bank's answer read")
        statuses = {k: PaymentOrder.objects.get(pk=o.pk).status for k, o in orders.items()}
        assert statuses == {
            "booked": PaymentStatus.CONFIRMED,
            "returned": PaymentStatus.FAILED,
            "held": PaymentStatus.NEEDS_ACCOUNT,
        }

        upload.set_input_files(
            {"name": "kvitto.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 kvitto"}
        )
        page.get_by_role("button", name="Läs in bankens besked").click()
        summary = page.locator(".error-summary[role=alert]")
        expect(summary).to_contain_text("Filen är inte en XML-fil. Välj bankens camt.054-fil.")
        expect(summary).to_be_focused()
        expect(page.get_by_label("Bankens besked (camt.054, XML)")).to_have_attribute(
            "aria-invalid", "true"
        )
        team_lead.check("payment files, not an XML file")

        page.goto(live_server.url + FILES)
        page.get_by_role("link", name=re.compile(re.escape(held.application.reference))).click()
        expect(page.locator("#payment-held")).to_contain_text("kontrollsiffran är fel")
        team_lead.check("the held payment")

        people.append(Staff(chromium, live_server.url, caseworker, width))
        worker = people[1]
        worker.page.goto(f"{live_server.url}/handlaggare/arende/{returned.application_id}/")
        rejected = worker.page.locator("#payment-rejected")
        expect(rejected).to_contain_text("Banken avvisade utbetalningen: Felaktigt kontonummer")
        expect(rejected).to_contain_text("(AC01)")
        worker.check("case page, payment returned by the bank")
        box = rejected.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width, box

        worker.page.goto(f"{live_server.url}/handlaggare/arende/{held.application_id}/")
        reason = worker.page.locator("#payment-held")
        expect(reason).to_contain_text("Utbetalningen hålls inne.")
        expect(reason).to_contain_text(held.hold_reason)
        worker.check("case page, payment held")
        worker.page.goto(f"{live_server.url}/handlaggare/arende/{booked.application_id}/")
        expect(worker.page.locator("#payment-booked")).to_contain_text(
            "Banken rapporterade utbetalningen som gjord"
        )
        worker.check("case page, payment booked")
    finally:
        for person in people:
            person.context.close()
    problems = [p for person in people for p in person.report()]
    assert not problems, "\n".join(problems)
