"""#16 items 1, 4, 6 and 14 from the other roles' side, in a real browser (the caseworker's side
is in test_caseworker_decision.py, test_decision_letter.py and test_caseworker_emergency.py).

- The applicant (360 px) sees the amount the server decided after a caseworker changed lines,
  never the robot's old total, and downloads a letter stating the same amount and, for the
  refused part, what was asked, what was granted and why, money written "3 940 kr" (items 1, 6).
- The applicant who says the situation is acute sees the deadline on the status page, and after
  the office's hours the on-call number too (item 14).
- The team lead (1366 px) sees on the statistics page how many decisions were made over an
  acknowledged warning, per kind (item 4).

Every page visited is checked with axe (WCAG 2.1 A and AA).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from decimal import Decimal

import pypdf
import pytest
from playwright.sync_api import expect

from accounts.models import Municipality, Role, User
from caseworker.decisions.services import case_warning_acknowledge, line_adjust
from eligibility.models import CaseWarning, Proposal
from intake.models import Application, Decision
from tests.builders import warnings_acknowledge_all
from tests.conftest import PASSWORD, PNR_ALVA

from .applicant import assert_accessible, login, phone
from .browser import Recorder

pytestmark = [pytest.mark.as_of("2026-11-18T10:00"), pytest.mark.browser, pytest.mark.timeout(180)]
expect.set_options(timeout=10_000)

NBSP = "\u00a0"
ON_CALL = "0410-73 30 00"


def _grouped(amount: int) -> str:
    """'9 495 kr' as the letter prints it (its non-breaking spaces read as spaces)."""
    return f"{amount:,}".replace(",", " ") + " kr"


def _amount_re(amount: int) -> re.Pattern[str]:
    """The amount as a page may print it: '9495 kr', '9 495 kr' or with non-breaking spaces."""
    digits = str(amount)
    head, tail = digits[: len(digits) % 3 or 3], digits[len(digits) % 3 or 3 :]
    groups = [head] + [tail[i : i + 3] for i in range(0, len(tail), 3)]
    return re.compile(r"(?<!\d)(?<!\d[ \u00a0])" + r"[ \u00a0]?".join(groups) + r"[ \u00a0]kr")


@pytest.mark.usefixtures("transactional_db", "private_media")
def test_the_applicant_sees_the_adjusted_amount_and_a_letter_that_states_the_refused_part(
    chromium,
    live_server,
    submitted_application: Application,
    caseworker: User,
    decide: Callable[..., Decision],
) -> None:
    """Items 1 and 6: electricity raised to 600 kr and the rent cut from 6 000 to 5 000 kr after
    the robot's proposal; the applicant's page and letter carry the server's amount."""
    application = submitted_application  # rent 6 000 kr, one adult, no income
    robot = int(Proposal.objects.filter(application=application).latest("round").amount)
    warnings_acknowledge_all(application, caseworker)
    line_adjust(
        application=application,
        code="electricity",
        amount=Decimal(600),
        reason="Elräkningen visar 600 kr.",
        by=caseworker,
    )
    line_adjust(
        application=application,
        code="rent",
        amount=Decimal(5000),
        reason="Hyran delas med en inneboende.",
        by=caseworker,
    )
    decision = decide(application, amount=None, reason="Bistånd enligt norm och skälig hyra.")
    expected = robot + 600 - 1000
    assert (int(decision.amount), decision.partly) == (expected, True)

    context = phone(chromium)
    recorder = Recorder()
    recorder.attach(context, "applicant")
    try:
        page = context.new_page()
        login(page, live_server.url, PNR_ALVA)
        page.goto(f"{live_server.url}/ansokan/{application.pk}/")
        section = page.locator("section.decision")
        expect(section).to_be_visible()
        expect(section).to_contain_text(_amount_re(expected))
        expect(section).to_contain_text("Beviljat delvis")  # as the letter and the case page say
        shown = section.inner_text()
        assert not _amount_re(robot).search(shown), f"the old total {robot} kr is shown: {shown}"
        link = section.get_by_role("link", name="Ladda ner beslutet (PDF)")
        expect(link).to_be_visible()
        assert_accessible(page)
        with page.expect_download() as download_info:
            link.click()
        with open(download_info.value.path(), "rb") as handle:
            reader = pypdf.PdfReader(io.BytesIO(handle.read()))
        assert not recorder.page_errors and not recorder.real_failures()
    finally:
        context.close()

    text = "\n".join(p.extract_text() for p in reader.pages)
    flat = " ".join(text.replace(NBSP, " ").split())
    assert f"Beviljat belopp {_grouped(expected)}" in flat and f"{expected} kr" not in flat
    assert _grouped(robot) not in flat  # the robot's old total appears nowhere
    assert "Avslag på en del av ansökan" in flat
    # The refused part: asked, granted, why.
    assert "Hyra 6 000 kr 5 000 kr Hyran delas med en inneboende." in flat
    assert "Hushållsel: 600 kr" in flat
    assert "3 940 kr" in flat and "3940 kr" not in flat
    assert "Handläggarens bedömning" not in flat
    # No bank account: no payment date promised, on the page or in the letter.
    assert "ett datum för utbetalningen kan vi därför inte ange" in flat


def _declare_emergency(page, base: str, application: Application) -> None:
    page.goto(f"{base}/ansokan/{application.pk}/")
    page.get_by_role("link", name=re.compile("Har du inga pengar till mat i dag")).click()
    expect(page.get_by_role("heading", name="Har du ett akut läge?")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Jag har inga pengar till mat i dag").check()
    page.get_by_label(re.compile("vräkningsbesked")).check()
    page.get_by_role("button", name="Skicka").click()
    expect(page.locator("#application-status")).to_be_visible()


@pytest.mark.as_of("2026-11-18T14:00")
@pytest.mark.usefixtures("transactional_db")
def test_an_emergency_in_office_hours_shows_the_deadline_before_closing(
    chromium, live_server, submitted_application: Application, trelleborg: Municipality
) -> None:
    """Item 14: said at 14:00 on a Wednesday, the decision comes before the office closes; no
    on-call number (the office is open)."""
    Municipality.objects.filter(pk=trelleborg.pk).update(on_call_phone=ON_CALL)
    context = phone(chromium)
    try:
        page = context.new_page()
        login(page, live_server.url, PNR_ALVA)
        _declare_emergency(page, live_server.url, submitted_application)
        notice = page.locator("#emergency-status")
        expect(notice).to_contain_text("Du får besked senast onsdag 18 november kl. 16:30.")
        expect(notice).not_to_contain_text("socialjouren")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
        assert_accessible(page)
    finally:
        context.close()
    submitted_application.refresh_from_db()
    assert submitted_application.is_emergency


@pytest.mark.as_of("2026-11-18T20:25")
@pytest.mark.usefixtures("transactional_db")
def test_an_emergency_after_hours_gives_the_on_call_number_and_the_next_morning(
    chromium, live_server, submitted_application: Application, trelleborg: Municipality
) -> None:
    """Item 14: said at 20:25, the deadline is the next morning (never 00:25) and the page
    gives the on-call service's number."""
    Municipality.objects.filter(pk=trelleborg.pk).update(on_call_phone=ON_CALL)
    context = phone(chromium)
    try:
        page = context.new_page()
        login(page, live_server.url, PNR_ALVA)
        _declare_emergency(page, live_server.url, submitted_application)
        notice = page.locator("#emergency-status")
        expect(notice).to_contain_text("Du får besked senast torsdag 19 november kl. 10:00.")
        expect(notice).to_contain_text(
            f"Kontoret är stängt just nu. Behöver du hjälp innan dess, ring socialjouren på "
            f"{ON_CALL}."
        )
        expect(notice).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
        assert_accessible(page)
    finally:
        context.close()


@pytest.mark.usefixtures("transactional_db")
def test_the_team_lead_sees_decisions_over_acknowledged_warnings_per_kind(
    chromium,
    live_server,
    submitted_application: Application,
    caseworker: User,
    trelleborg: Municipality,
    make_staff: Callable[..., User],
    decide: Callable[..., Decision],
) -> None:
    """Item 4: a decision made over an acknowledged 'Tillgång hittad' warning counts 1 for that
    kind; a warning closed by the robot before the decision counts 0 for its kind."""
    lead = make_staff("ledare", Role.TEAM_LEAD, trelleborg)
    application = submitted_application
    asset = CaseWarning.objects.create(
        application=application,
        kind="asset_found",
        key="asset_found:browser",
        message="Bil i Transportstyrelsens register.",
    )
    CaseWarning.objects.create(
        application=application,
        kind="income_gone",
        key="income_gone:browser",
        message="Sjukpenningen har upphört.",
        status="closed",
        closed_reason="Beräkningen ändrades.",
    )
    case_warning_acknowledge(
        application=application,
        warning_pk=asset.pk,
        by=caseworker,
        note="Bilen är värd under 10 000 kr.",
    )
    warnings_acknowledge_all(application, caseworker)
    decide(application, amount=None)

    recorder = Recorder()
    context = chromium.new_context(
        locale="sv-SE", timezone_id="Europe/Stockholm", viewport={"width": 1366, "height": 768}
    )
    recorder.attach(context, "team_lead")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/personal/logga-in/")
        page.get_by_label("Användarnamn").fill(lead.username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.goto(f"{live_server.url}/handlaggare/statistik/")
        expect(page.get_by_role("heading", name="Statistik för november 2026")).to_be_visible()
        expect(page.locator("#stat-decisions")).to_have_text("1")
        table = page.locator("#stats-warnings")
        asset_row = table.locator("tr", has_text="Tillgång hittad")
        expect(asset_row.locator("[data-decided-over-acknowledged]")).to_have_text("1")
        gone_row = table.locator("tr", has_text="Inkomst har upphört")
        expect(gone_row.locator("td").first).to_have_text("1")  # counted as a warning
        expect(gone_row.locator("[data-decided-over-acknowledged]")).to_have_text("0")
        header = table.locator("thead")
        expect(header).to_contain_text("Beslut över kvitterad varning")
        assert table.bounding_box()["x"] + table.bounding_box()["width"] <= 1366
        assert_accessible(page)
        assert not recorder.page_errors and not recorder.real_failures()
    finally:
        context.close()
