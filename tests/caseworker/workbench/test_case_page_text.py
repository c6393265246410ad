"""#18 acceptance: the case page, rendered for varied households with every register answering,
shows no Python repr, no dict, no True/False/None and no rule or internal code in its visible
text (codes stay in the data and behind a "Varför"/"Regel" disclosure)."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from accounts.eid import EidIdentity
from accounts.identity import normalise_personnummer
from accounts.models import User
from accounts.services import applicant_get_or_create
from intake import services
from intake.models import Application
from tests.builders import client_for
from tests.conftest import PNR_ALVA, PNR_BILAL, PNR_CARINA, PNR_CHILD

pytestmark = [pytest.mark.dates, pytest.mark.django_db]

GENERATED = ("197501011006", "198001011009", "196512241230", "199003151234", "198811112221")
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[a-z]+\.[a-z_]+\.[a-z_.]+\b")
REPR = re.compile(r"[{}]|\bNone\b|\bTrue\b|\bFalse\b|\[\'|Decimal\(")


class VisibleText(HTMLParser):
    """The text a caseworker sees: no script/style, no attribute values, and of a closed
    <details> only its <summary>."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0  # inside script/style or a details body
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        if tag in ("script", "style", "code", "template") or (
            tag != "summary" and "details" in self.stack[:-1] and "summary" not in self.stack
        ):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            opened = self.stack.pop()
            if opened in ("script", "style", "code", "template") or (
                opened != "summary" and "details" in self.stack and "summary" not in self.stack
            ):
                self.hidden = max(0, self.hidden - 1)
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _valid(pnr: str) -> bool:
    try:
        normalise_personnummer(pnr)
    except Exception:
        return False
    return True


@pytest.fixture
def cases(
    make_draft: Callable[..., Application], submit: Callable[..., Application], secretary: User
) -> list[Application]:
    made = []
    people = [PNR_ALVA, PNR_BILAL, PNR_CARINA, *[p for p in GENERATED if _valid(p)]]
    for number, pnr in enumerate(people):
        person = applicant_get_or_create(identity=EidIdentity(pnr, f"Person{number}", "Test"))
        draft = make_draft(person, rent="7200")
        if pnr == PNR_BILAL:
            services.application_set_household(
                application=draft,
                applicant_name="Bilal Berg",
                others=[services.MemberInput("child", "Testa Berg", PNR_CHILD)],
            )
        made.append(submit(draft))
    return made


def test_the_case_page_shows_people_readable_facts_only(
    cases: list[Application], caseworker: User
) -> None:
    client = client_for(caseworker)
    sources_seen: set[str] = set()
    for application in cases:
        page = client.get(reverse("caseworker:case_detail", args=[application.pk]))
        assert page.status_code == 200
        text = visible(page.content.decode())
        found = [text[max(0, m.start() - 60) : m.end() + 60] for m in REPR.finditer(text)]
        assert found == [], (application.reference, found[:3])
        codes = [text[max(0, m.start() - 40) : m.end() + 40] for m in CODE.finditer(text)]
        assert codes == [], (application.reference, codes[:5])
        sources_seen |= set(application.register_snapshots.values_list("source", flat=True))
    # every register kind answered for at least one of the cases
    assert {"population", "forsakringskassan", "csn", "arbetsformedlingen"} <= sources_seen
    assert "Försäkringskassan och Pensionsmyndigheten" in visible(
        client.get(reverse("caseworker:case_detail", args=[cases[1].pk])).content.decode()
    )
