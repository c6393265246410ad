"""Every page's `<title>` is a plain label: no CSRF token, no markup, no personnummer, no name.

The title is kept in browser history and shown in tab lists, outside the page's access control
(security assessment, item 8: the case page's title held the whole ownership block with a CSRF
token). The walk is generated from the URL inventory the attack tests use, so a new page is
covered without being listed: every URL of the attack world, as each person who may open it
(and, for URLs without an object, as every kind of user), on an open and on a decided case.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from accounts.models import User
from caseworker.decisions.services import decision_record
from tests.builders import client_for, warnings_acknowledge_all
from tests.security.conftest import World
from tests.security.test_idor import rightful_for, url_for
from tests.security.urls import NO_OBJECT_URLS, object_routes
from tests.titles import page_title, title_problems


def _is_page(response: HttpResponse) -> bool:
    """A full HTML page (not a partial, a file, a redirect or JSON)."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    if getattr(response, "streaming", False):
        return False
    return "</head>" in response.content.decode()


def _names(world: World) -> list[str]:
    people = [*world.rightful.values(), *world.outsiders.values()]
    return [n for user in people for n in (user.display_name(), user.last_name) if n]


def _walk(world: World, *, with_object_free: bool) -> tuple[list[str], set[str]]:
    """(problems, the URL names whose page was checked)."""
    requests: list[tuple[str, str, User | None]] = []
    for route in object_routes():
        allowed = rightful_for(route, world)
        for user in world.rightful.values():
            if user.pk in allowed:
                requests.append((route.name, url_for(route, world), user))
    if with_object_free:
        viewers: list[User | None] = [
            *world.rightful.values(),
            world.outsiders["svedala_team_lead"],
            world.outsiders["admin"],
            None,
        ]
        for name in sorted(NO_OBJECT_URLS):
            requests += [(name, reverse(name), user) for user in viewers]
    names = _names(world)
    problems: list[str] = []
    checked: set[str] = set()
    clients: dict[int | None, Client] = {}
    for name, url, user in requests:
        key = user.pk if user else None
        if key not in clients:
            # A page that crashes is other tests' business (and shows 500.html's fixed title).
            clients[key] = (
                client_for(user, raise_request_exception=False)
                if user
                else Client(raise_request_exception=False)
            )
        response = clients[key].get(url)
        if not _is_page(response):
            continue
        checked.add(name)
        title = page_title(response.content.decode())
        who = user.username if user else "anonymous"
        problems += [
            f"{name} as {who}: {p} in {title!r}" for p in title_problems(title, names=names)
        ]
    return problems, checked


@pytest.mark.sweep
@pytest.mark.timeout(300)
def test_every_pages_title_is_a_plain_label(
    world: World, django_capture_on_commit_callbacks: Callable
) -> None:
    problems, checked = _walk(world, with_object_free=True)
    warnings_acknowledge_all(world.application, world.caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        decision_record(
            track="work",
            application=world.application,
            caseworker=world.caseworker,
            outcome="approved",
            reason="Bistånd enligt norm.",
        )
    decided_problems, decided_checked = _walk(world, with_object_free=False)
    assert problems + decided_problems == []
    # The walk is not trivially green: it reached the pages that carry case data.
    reached = checked | decided_checked
    assert {
        "caseworker:case_detail",
        "caseworker:case_track",
        "caseworker:payment_order_detail",
        "caseworker:queue",
        "caseworker:referral_new",
        "intake:application_detail",
        "intake:application_list",
        "meetings:meeting_detail",
        "meetings:applicant_meeting",
        "meetings:day",
    } <= reached, sorted(reached)
    assert len(reached) >= 40, sorted(reached)


def test_the_title_check_finds_what_it_looks_for() -> None:
    """The check itself can fail: each kind of leak is caught."""
    assert title_problems("Ärende EB-ABCDEFGH – Bistånd", names=["Alva Andersson"]) == []
    assert title_problems('Ärende <input name="csrfmiddlewaretoken" value="x">') == [
        "a CSRF token",
        "markup",
    ]
    assert title_problems("Ansökan 20030606-2381") == ["a personnummer"]
    assert title_problems("Ansökan 200306062381") == ["a personnummer"]
    assert title_problems("Ärende\n  Ansvarig: Alva") == ["more than one line"]
    assert title_problems("Ärende – Alva Andersson", names=["Alva Andersson"]) == [
        "the name 'Alva Andersson'"
    ]
