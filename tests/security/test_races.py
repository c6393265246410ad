"""Two identical POSTs at once, over HTTP, to every view that changes anything (#14 item 9).

"Skriv under och skicka" sent twice at once gave the second a 500 (`ConcurrentTransition`
unhandled). Here a live server takes pairs of identical requests sent at the same moment from two
threads: to every mutating URL with the hostile form data the IDOR matrix uses, and to the
state-changing actions people really double-click with valid data. No answer may be a server
error; each action must take effect once, and the loser must land on a page showing the case.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from accounts.models import User
from intake import services as intake
from intake.models import Application, ApplicationEvent, Decision
from intake.states import Status
from tests.conftest import PNR_CARINA
from tests.security.conftest import World
from tests.security.test_csrf import _all_urls
from tests.security.test_idor import HOSTILE_POST

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]

CSRF = "r" * 32  # a valid cookie secret; the header carries the same value


def session_for(user: User) -> requests.Session:
    """An HTTP session logged in as `user`, with a CSRF cookie and header that match."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    http = requests.Session()
    http.cookies.set(settings.SESSION_COOKIE_NAME, store.session_key)
    http.cookies.set(settings.CSRF_COOKIE_NAME, CSRF)
    http.headers["X-CSRFToken"] = CSRF
    return http


def twice_at_once(
    http: requests.Session, url: str, data: dict[str, str], **extra: object
) -> list[requests.Response]:
    """The same POST from two threads, released together."""
    barrier = threading.Barrier(2)
    answers: list[requests.Response] = []
    lock = threading.Lock()

    def send() -> None:
        barrier.wait(timeout=10)
        response = http.post(url, data=data, allow_redirects=False, timeout=60, **extra)
        with lock:
            answers.append(response)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert len(answers) == 2, "a request hung"
    return answers


@pytest.mark.sweep
def test_no_mutating_view_gives_a_server_error_to_a_double_post(world: World, live_server) -> None:
    failures = []
    sessions: dict[int, requests.Session] = {}
    sent = 0
    for name, url, user in _all_urls(world):
        if name == "accounts:logout":
            continue
        http = sessions.setdefault(user.pk, session_for(user))
        for headers in ({}, {"HX-Request": "true"}):
            for response in twice_at_once(
                http, live_server.url + url, HOSTILE_POST, headers=headers
            ):
                sent += 1
                if response.status_code >= 500:
                    failures.append(f"{name}{' htmx' if headers else ''}: {response.status_code}")
    assert failures == []
    assert sent > 200


def test_signing_and_sending_twice_at_once_sends_once_and_shows_the_loser_the_case(
    live_server,
    make_draft: Callable[..., Application],
    applicant: User,
    caseworker: User,
    secretary: User,
) -> None:
    draft = make_draft(applicant)
    http = session_for(applicant)
    url = f"{live_server.url}/ansokan/{draft.pk}/granska/"
    answers = twice_at_once(http, url, {"declaration": "on"})
    assert sorted(a.status_code for a in answers) in ([302, 302], [302, 303]), answers
    landed = {http.get(live_server.url + a.headers["Location"]).status_code for a in answers}
    assert landed == {200}
    draft.refresh_from_db()
    assert draft.status != Status.DRAFT
    assert (
        ApplicationEvent.objects.filter(application=draft, to_status=Status.SUBMITTED).count() == 1
    )


def test_withdrawing_twice_at_once_withdraws_once_and_both_land_on_the_list(
    live_server,
    make_draft: Callable[..., Application],
    applicant: User,
) -> None:
    draft = make_draft(applicant)
    http = session_for(applicant)
    answers = twice_at_once(http, f"{live_server.url}/ansokan/{draft.pk}/aterta/", {})
    assert [a.status_code for a in answers] in ([302, 302], [302, 303], [303, 302])
    assert {a.headers["Location"] for a in answers} <= {"/ansokan/", f"/ansokan/{draft.pk}/"}
    assert (
        ApplicationEvent.objects.filter(application=draft, to_status=Status.WITHDRAWN).count() == 1
    )


def test_the_partner_signing_twice_at_once_submits_once(
    live_server,
    make_draft: Callable[..., Application],
    other_applicant: User,
    caseworker: User,
    secretary: User,
) -> None:
    from accounts.eid import EidIdentity
    from accounts.services import applicant_get_or_create

    carina = applicant_get_or_create(identity=EidIdentity(PNR_CARINA, "Carina", "Dahl"))
    joint = make_draft(other_applicant)
    intake.application_set_household(
        application=joint,
        applicant_name="Bilal Berg",
        others=[intake.MemberInput("partner", "Carina Dahl", PNR_CARINA)],
    )
    intake.application_submit(application=joint, applicant=other_applicant)
    http = session_for(carina)
    answers = twice_at_once(
        http, f"{live_server.url}/ansokan/{joint.pk}/medsokande/skriv-under/", {"declaration": "on"}
    )
    assert all(a.status_code < 500 for a in answers), [a.status_code for a in answers]
    assert (
        ApplicationEvent.objects.filter(application=joint, to_status=Status.SUBMITTED).count() == 1
    )


def test_approving_twice_at_once_decides_once(
    live_server,
    submitted_application: Application,
    caseworker: User,
) -> None:
    proposal = submitted_application.proposals.get()
    http = session_for(caseworker)
    answers = twice_at_once(
        http,
        f"{live_server.url}/handlaggare/arende/{submitted_application.pk}/",
        {
            "track": "work",
            "outcome": "approved",
            "amount": str(Decimal(proposal.amount).quantize(Decimal(1))),
            "months": "1",
            "reason": "Enligt förslaget.",
            "provisions": "4 kap. 1 § SoL",
            "decisive_facts": "Inga inkomster",
        },
    )
    assert all(a.status_code < 500 for a in answers), [a.status_code for a in answers]
    assert Decision.objects.filter(application=submitted_application).count() == 1
