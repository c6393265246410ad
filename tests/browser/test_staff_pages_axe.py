"""#18: every staff page passes axe-core (WCAG 2.1 A and AA) at 1366×768 and at 360 px, and none
scrolls sideways at either width (a wide table scrolls in its own box on a phone).

One world (a case waiting for a caseworker, a decided one with its payment order, the meeting
the robot booked, a hand-off) and each role's pages, opened as that role. All failures are
collected, so one run shows every page's defects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from accounts.models import Municipality, Role, User
from caseworker.caseload.referrals import referral_create
from caseworker.models import ReferralDirection
from intake import services as intake
from intake.models import Application, Decision
from intake.services.registration import application_register_start
from meetings.models import Meeting
from tests.builders import personnummer
from tests.conftest import PASSWORD

from .applicant import WCAG_TAGS, _axe
from .browser import settled_width

pytestmark = [
    pytest.mark.as_of("2026-11-18T10:00"),
    pytest.mark.browser,
    pytest.mark.timeout(420),
    pytest.mark.usefixtures("transactional_db", "private_media", "no_stickprov"),
]

SCREENS = {
    "1366": {"viewport": {"width": 1366, "height": 768}},
    "360": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
}


def _violations(page) -> list[str]:
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("width", list(SCREENS))
def test_every_staff_page_passes_axe(
    chromium,
    live_server,
    width: str,
    submitted_application: Application,
    approved: Decision,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    caseworker: User,
    secretary: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    lead = make_staff("ledare", Role.TEAM_LEAD, trelleborg)
    decided = approved.application
    with django_capture_on_commit_callbacks(execute=True):
        waiting = intake.application_renew(previous=decided, month=date(2026, 12, 1))
        intake.application_submit(application=waiting, applicant=decided.applicant)
    meeting = Meeting.objects.filter(application=decided).first()
    assert meeting is not None, "the robot books a meeting"
    paper = application_register_start(
        staff=caseworker, personnummer=personnummer(7), channel="assisted"
    )
    referral_create(
        application=decided,
        from_owner=caseworker,
        to_owner=secretary,
        direction=ReferralDirection.SOCIAL_TO_WORK,
        reason="Vill börja arbeta.",
        decided_case=True,
    )
    pages: dict[User, list[str]] = {
        caseworker: [
            "/handlaggare/",
            "/handlaggare/?sort=name",
            f"/handlaggare/arende/{decided.pk}/",
            f"/handlaggare/arende/{decided.pk}/utbetalning/",
            f"/handlaggare/arende/{decided.pk}/overlamning/",
            f"/handlaggare/arende/{decided.pk}/bevakning/",
            f"/handlaggare/registrera/{paper.pk}/",
            "/handlaggare/overlamningar/",
            "/handlaggare/registrera/",
            "/handlaggare/ombud/",
        ],
        lead: [
            "/handlaggare/ledning/",
            "/handlaggare/statistik/",
            "/handlaggare/standardtexter/",
            "/handlaggare/betalfiler/",
            "/handlaggare/standardtexter/andra/?kod=approved_norm",
        ],
        secretary: [
            "/moten/",
            "/moten/vecka/",
            f"/moten/mote/{meeting.pk}/",
            "/moten/kalender/",
            "/moten/rapport/",
        ],
    }
    pages[caseworker].append(f"/handlaggare/arende/{waiting.pk}/")
    failures: list[str] = []
    for user, urls in pages.items():
        context = chromium.new_context(
            locale="sv-SE", timezone_id="Europe/Stockholm", **SCREENS[width]
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        try:
            page.goto(f"{live_server.url}/personal/logga-in/")
            page.get_by_label("Användarnamn").fill(user.username)
            page.get_by_label("Lösenord").fill(PASSWORD)
            page.get_by_role("button", name="Logga in").click()
            page.wait_for_load_state()
            for url in urls:
                response = page.goto(live_server.url + url)
                if response is None or response.status != 200:
                    failures.append(f"{url}: HTTP {response.status if response else '?'}")
                    continue
                failures.extend(f"{url} @{width}: {v}" for v in _violations(page))
                scroll, widest = settled_width(page, int(width))
                if scroll > int(width):
                    failures.append(f"{url} @{width}: scrolls sideways ({scroll} px: {widest})")
        finally:
            context.close()
    assert not failures, "\n".join(failures)
