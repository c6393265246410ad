"""The caseworker's queue in a real browser (#18): at 1366×768 every column fits with no word
broken inside and no sideways scroll; at 360 px each case is a card with labelled fields and
nothing scrolls sideways. axe (WCAG 2.1 A and AA) finds nothing at either width."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from accounts.models import Municipality, Role, User
from eligibility.models import CaseWarning, HouseholdLink, Proposal
from intake.models import Application
from intake.states import Status
from tests.builders import applicant_make, case_make
from tests.conftest import PASSWORD

from .applicant import assert_accessible
from .browser import Recorder, settled_width

pytestmark = [pytest.mark.as_of("2026-11-18T10:00"), pytest.mark.browser, pytest.mark.timeout(240)]
expect.set_options(timeout=10_000)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=STOCKHOLM)

# Long names, long statuses, big amounts, every marker: the widest rows a queue shows.
NAMES = [
    ("Maria-Josefina", "Karlsson Lindqvist"),
    ("Abdirahman Mohamed", "Abdullahi Warsame"),
    ("Örjan", "Åkesson"),
    ("Bilal", "Berg"),
]
STATUSES = [
    Status.NEEDS_MANUAL,
    Status.AWAITING_REPLY,
    Status.AWAITING_SECOND_APPROVAL,
    Status.AWAITING_SUPPLEMENT,
    Status.AWAITING_CASEWORKER,
]

# Every word in the table on one line: a word whose range has two line boxes was broken. A
# hyphenated name may wrap after its hyphen ("Maria-/Josefina"), as print does: the pieces
# between hyphens are the words here.
BROKEN_WORDS_JS = """
(selector) => {
  const broken = [];
  const root = document.querySelector(selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.parentElement.offsetParent) continue;  // not displayed
    const re = /[^\\s-]+-?/g;
    let match;
    while ((match = re.exec(node.data))) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set(
        [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))
      );
      if (lines.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}
"""

# Each header's text on one line: its link's line boxes, and its height against a line.
HEADER_LINES_JS = """
() => [...document.querySelectorAll('#queue-table thead th')].map((th) => {
  const link = th.querySelector('a');
  const style = getComputedStyle(th);
  const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
  const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
  const rects = link ? [...link.getClientRects()].filter((r) => r.width > 0) : [];
  const lines = link ? new Set(rects.map((r) => Math.round(r.top))).size : 1;
  return {text: th.innerText.trim(), lines, height: th.getBoundingClientRect().height - padding,
          lineHeight};
})
"""


def _scroll_width(page: Any) -> int:
    return int(
        page.evaluate(
            "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        )
    )


def _fits(page: Any, width: int) -> None:
    """No wider than `width` once the page has settled (tests/browser/browser.settled_width)."""
    scroll, widest = settled_width(page, width)
    assert scroll <= width, widest


@pytest.fixture
def busy_queue(
    trelleborg: Municipality, caseworker: User, make_staff: Callable[..., User]
) -> list[Application]:
    """30 open cases (a second page), the widest content each column can have."""
    caseworker.may_handle_protected = True
    caseworker.save(update_fields=["may_handle_protected"])
    colleague = make_staff("kollega", Role.CASEWORKER, trelleborg)
    colleague.first_name, colleague.last_name = "Karl-Johan", "Andersson Bergström"
    colleague.save()
    cases = []
    for n in range(30):
        first, last = NAMES[n % len(NAMES)]
        applicant = applicant_make(first)
        applicant.last_name = last
        applicant.save()
        cases.append(
            case_make(
                trelleborg,
                colleague if n % 2 else caseworker,
                applicant=applicant,
                status=STATUSES[n % len(STATUSES)],
                protected=n % 7 == 3,
                submitted_at=NOW - timedelta(days=1, minutes=n),
                decision_due_at=None if n % 5 == 0 else NOW + timedelta(days=n % 9),
            )
        )
    for n, case in enumerate(cases[:12]):
        for k in range(n % 4 * 4):
            CaseWarning.objects.create(application=case, kind="new_cost", key=f"k{k}", message="m")
        Proposal.objects.create(
            application=case,
            round=1,
            eligible=True,
            amount=Decimal("123456.50") if n % 3 == 0 else Decimal(9495),
            norm=Decimal(5220),
            parameter_version="t",
            as_of=case.month,
        )
    Application.objects.filter(pk__in=[cases[0].pk, cases[5].pk]).update(
        emergency_no_food=True, emergency_declared_at=NOW - timedelta(hours=1)
    )
    HouseholdLink.objects.create(first=cases[0], second=cases[1], who="applicant")
    return cases


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/personal/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Ärendekö", level=1)).to_be_visible()


@pytest.mark.usefixtures("transactional_db")
def test_the_queue_fits_1366_px_with_no_word_broken(
    chromium, live_server, caseworker: User, busy_queue: list[Application]
) -> None:
    recorder = Recorder()
    context = chromium.new_context(
        locale="sv-SE", timezone_id="Europe/Stockholm", viewport={"width": 1366, "height": 768}
    )
    recorder.attach(context, "caseworker")
    try:
        page = context.new_page()
        _login(page, live_server.url, caseworker.username)
        table = page.locator("#queue-table")
        expect(table.locator("tbody tr")).to_have_count(25)
        expect(page.locator(".queue-total")).to_have_text("30 ärenden, visar 1–25")
        for _ in range(2):  # as it comes, then sorted by name with htmx
            assert _scroll_width(page) <= 1366
            # Nor does the table scroll in its own box (it does only below 1366 px).
            assert page.evaluate(
                "() => { const box = document.querySelector('.queue-table-wrap');"
                " return box.scrollWidth <= box.clientWidth; }"
            )
            headers = page.evaluate(HEADER_LINES_JS)
            assert len(headers) == 11
            for header in headers:
                assert header["lines"] == 1, header
                assert header["height"] < 1.5 * header["lineHeight"], header
            assert page.evaluate(BROKEN_WORDS_JS, "#queue-table") == []
            assert_accessible(page)
            table.get_by_role("link", name="Sökande").click()
            expect(table.locator("th[aria-sort=ascending]")).to_have_text("Sökande")
        # The masked personnummer, "Skyddad" for a protected identity; never the full number.
        expect(table.locator("tbody")).to_contain_text("19800101-••••")
        expect(table.locator("tbody")).to_contain_text("Skyddad")
        assert busy_queue[0].applicant.personnummer not in page.content()
        assert not recorder.page_errors and not recorder.real_failures()
    finally:
        context.close()


@pytest.mark.usefixtures("transactional_db")
def test_the_queue_is_a_list_of_cards_at_360_px(
    chromium, live_server, caseworker: User, busy_queue: list[Application]
) -> None:
    recorder = Recorder()
    context = chromium.new_context(
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    recorder.attach(context, "caseworker")
    try:
        page = context.new_page()
        _login(page, live_server.url, caseworker.username)
        _fits(page, 360)
        cards = page.locator("#queue-table tbody tr")
        expect(cards).to_have_count(25)
        first = cards.first
        expect(first).to_be_visible()
        assert first.evaluate("(tr) => getComputedStyle(tr).display") == "block"
        box = first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
        # Each field named: the reference (a link), name, personnummer, status, owner, month,
        # amount, warnings.
        labels = first.evaluate(
            "(tr) => [...tr.querySelectorAll('td[data-label]')].map((td) =>"
            " getComputedStyle(td, '::before').content)"
        )
        assert labels == [
            '"Ärende"', '"Sökande"', '"Personnummer"', '"Månad"', '"Status"', '"Varningar"',
            '"Förslag"', '"Ansvarig"', '"Inkommen"', '"Beslut senast"',
        ]  # fmt: skip
        expect(first.get_by_role("link", name=busy_queue[5].reference)).to_be_visible()  # akut
        expect(first).to_contain_text("••••")
        # The cards are as tall as their content, not a column of single letters.
        assert box["height"] < 600
        assert page.evaluate(BROKEN_WORDS_JS, "#queue-table tbody") == []
        assert_accessible(page)
        # The sort links are there too, and a sort keeps the cards.
        page.locator("#queue-table thead").get_by_role("link", name="Förslag").click()
        expect(page.locator("#queue-table th[aria-sort=ascending]")).to_have_text("Förslag")
        assert _scroll_width(page) <= 360
        assert_accessible(page)
        assert not recorder.page_errors and not recorder.real_failures()
    finally:
        context.close()
