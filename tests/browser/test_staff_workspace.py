"""#18 acceptance in a real browser, at 1366×768 and at 360 px:

- a caseworker decides a clean renewal from the first screen of the case page in at most three
  clicks (the decision button is on the first screen at 1366×768);
- the queue finds a person by "akesson" (for Åkesson), by the name reversed and by the last four
  digits of the personnummer, and Back after opening a case returns to the same search;
- a team lead whose sixteen caseworkers are all over the ceiling sees one grouped alarm;
- the personnummer is masked until "Visa hela", and that reveal is in the access log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.eid import EidIdentity
from accounts.models import Municipality, Role, User
from accounts.services import applicant_get_or_create
from caseworker.models import AccessAction, AccessLog, JournalEntry, StaffAlert
from intake import services as intake
from intake.models import Application, Decision
from intake.states import Status
from tests.builders import case_make
from tests.conftest import PASSWORD

from .applicant import assert_accessible
from .browser import settled_width

pytestmark = [
    pytest.mark.as_of("2026-11-18T10:00"),
    pytest.mark.browser,
    pytest.mark.timeout(240),
    pytest.mark.usefixtures("transactional_db", "private_media", "no_stickprov"),
]
expect.set_options(timeout=10_000)

DESKTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
WIDTHS = pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["1366", "360"])


@pytest.fixture
def staff_page(chromium, live_server) -> Iterator[Callable[..., object]]:
    contexts = []

    def open_as(user: User, screen: dict) -> object:
        context = chromium.new_context(locale="sv-SE", timezone_id="Europe/Stockholm", **screen)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/personal/logga-in/")
        page.get_by_label("Användarnamn").fill(user.username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        context.close()


class Clicks:
    """Counts the clicks a person makes (what the acceptance limits), not the page loads."""

    def __init__(self) -> None:
        self.count = 0

    def click(self, locator) -> None:
        self.count += 1
        locator.click()


@pytest.fixture
def clean_renewal(
    approved: Decision, applicant: User, django_capture_on_commit_callbacks: Callable
) -> Application:
    """December's renewal after November's approval, nothing changed: the robot proposes the
    same amount with no warning, and the case waits for November's caseworker."""
    with django_capture_on_commit_callbacks(execute=True):
        renewal = intake.application_renew(previous=approved.application, month=date(2026, 12, 1))
        intake.application_submit(application=renewal, applicant=applicant)
    renewal.refresh_from_db()
    assert renewal.status == Status.AWAITING_CASEWORKER
    assert not renewal.warnings.filter(status="open").exists()
    return renewal


@WIDTHS
def test_a_clean_renewal_is_decided_from_the_first_screen_in_three_clicks(
    staff_page, live_server, clean_renewal: Application, caseworker: User, screen: dict
) -> None:
    page = staff_page(caseworker, screen)
    clicks = Clicks()
    expect(page.get_by_role("heading", name="Ärendekö", level=1)).to_be_visible()
    clicks.click(page.get_by_role("link", name=clean_renewal.reference).first)
    expect(page.get_by_role("heading", name=f"Ärende {clean_renewal.reference}")).to_be_visible()
    button = page.locator("#quick-approve")
    expect(button).to_be_visible()
    if screen is DESKTOP:
        # On the first screen, without scrolling: who, the proposal in one sentence, the action.
        assert page.evaluate("window.scrollY") == 0
        box = button.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 768, box
        for text in ("Personnummer", "Hushåll", "Ansvarig", "Roboten föreslår"):
            found = page.get_by_text(text).first.bounding_box()
            assert found is not None and found["y"] < 768, text
    assert_accessible(page)
    clicks.click(button)
    expect(page.locator(".messages")).to_contain_text("Beslutet är registrerat.")
    assert clicks.count <= 3
    decision = Decision.objects.get(application=clean_renewal)
    assert decision.decided_by_id == caseworker.pk and decision.amount > 0
    assert "Du har ansökt om ekonomiskt bistånd för december 2026" in decision.reason
    # The decision is journalled by itself, and the first screen now says what was decided.
    entry = JournalEntry.objects.get(
        application=clean_renewal, category="decision", text__startswith="Beslut: "
    )
    assert entry.author_id == caseworker.pk and "Beviljat" in entry.text
    expect(page.locator("#summary-decision")).to_contain_text("Beviljat")
    assert_accessible(page)


@WIDTHS
def test_the_queue_finds_akesson_reversed_and_by_the_last_four_digits_and_back_keeps_it(
    staff_page, trelleborg: Municipality, caseworker: User, screen: dict
) -> None:
    person = applicant_get_or_create(identity=EidIdentity("198503122389", "Åsa", "Åkesson"))
    other = applicant_get_or_create(identity=EidIdentity("199107150092", "Bo", "Ek"))
    wanted = case_make(trelleborg, caseworker, applicant=person)
    unwanted = case_make(trelleborg, caseworker, applicant=other)
    page = staff_page(caseworker, screen)
    search = page.get_by_label("Sök på namn, personnummer eller ärendenummer")
    for query in ("akesson", "Akesson Asa", "2389"):
        search.fill(query)
        with page.expect_response(
            lambda r: r.request.method == "POST" and "/handlaggare/" in r.url
        ):
            search.press("Enter")
        results = page.locator("#queue-results")
        expect(results.get_by_role("link", name=wanted.reference).first).to_be_visible()
        expect(results.get_by_role("link", name=unwanted.reference)).to_have_count(0)
        assert "198503122389" not in page.url and "2389" not in page.url
    # Open the case, go Back: the same search and the same results.
    page.locator("#queue-results").get_by_role("link", name=wanted.reference).first.click()
    expect(page.get_by_role("heading", name=f"Ärende {wanted.reference}")).to_be_visible()
    page.go_back()
    expect(page.get_by_label("Sök på namn, personnummer eller ärendenummer")).to_have_value("2389")
    expect(
        page.locator("#queue-results").get_by_role("link", name=unwanted.reference)
    ).to_have_count(0)
    expect(
        page.locator("#queue-results").get_by_role("link", name=wanted.reference).first
    ).to_be_visible()
    assert_accessible(page)


@WIDTHS
def test_sixteen_caseworkers_over_the_ceiling_are_one_grouped_alarm(
    staff_page, make_staff: Callable[..., User], trelleborg: Municipality, screen: dict
) -> None:
    lead = make_staff("ledare", Role.TEAM_LEAD, trelleborg)
    for n in range(16):
        worker = make_staff(f"handlaggare{n}", Role.CASEWORKER, trelleborg)
        StaffAlert.objects.create(
            municipality=trelleborg,
            kind="ceiling_exceeded",
            text=f"Alla handläggare över taket: {worker.display_name()} har för många ärenden",
            dedupe_key=f"ceiling-{worker.pk}",
        )
    page = staff_page(lead, screen)
    page.get_by_role("link", name="Ledningsöversikt").click()
    expect(page.get_by_role("heading", name="Ledningsöversikt", level=1)).to_be_visible()
    groups = page.locator(".alert-group")
    expect(groups).to_have_count(1)
    expect(groups.first).to_contain_text("Alla handläggare över taket")
    expect(groups.first).to_contain_text("16")
    scroll, widest = settled_width(page, screen["viewport"]["width"])
    assert scroll <= screen["viewport"]["width"], widest
    assert_accessible(page)


def test_the_personnummer_is_masked_until_revealed_and_the_reveal_is_logged(
    staff_page, trelleborg: Municipality, caseworker: User
) -> None:
    person = applicant_get_or_create(identity=EidIdentity("198503122389", "Åsa", "Åkesson"))
    case = case_make(trelleborg, caseworker, applicant=person)
    page = staff_page(caseworker, DESKTOP)
    page.goto(page.url.split("/handlaggare/")[0] + f"/handlaggare/arende/{case.pk}/")
    who = page.locator("#case-who")
    expect(who).to_contain_text("19850312-••••")
    expect(who).not_to_contain_text("19850312-2389")
    before = AccessLog.objects.filter(action=AccessAction.VIEW_PERSONNUMMER).count()
    who.get_by_role("button", name="Visa hela").click()
    expect(page.locator("#case-personnummer")).to_have_text("19850312-2389")
    log = AccessLog.objects.filter(application=case, action=AccessAction.VIEW_PERSONNUMMER)
    assert log.count() == before + 1 and log.get().user_id == caseworker.pk
