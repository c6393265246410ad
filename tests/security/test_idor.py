"""T12/T13 IDOR matrix, generated from the URL resolver: every URL that names an object, as a
full page and as an htmx partial, GET and POST, requested by everyone who must not reach that
object. Each answer is 403, 404 or 405, and no row changes.

And each refusal is on record as a refusal (T61/T62, security assessment item 10): a 403 or 404
leaves exactly one access-denial row naming the user, the URL, the id asked for and the status,
and no access-log row claims anything was shown; a 405 (a wrong method, not a refusal of the
object) leaves neither."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import resolve, reverse

from accounts.models import User
from caseworker.models import AccessDenial, AccessLog
from tests.builders import client_for
from tests.security.conftest import World, database_fingerprint
from tests.security.urls import (
    MANDATE_PK_URLS,
    MEETING_PK_URLS,
    Route,
    object_routes,
    uncovered_routes,
)

REFUSED = {403, 404, 405}
DENIED = {403, 404}
# What an attacker would post: state, money, who decided, a message.
HOSTILE_POST = {
    "status": "approved",
    "amount": "99999",
    "decided_by": "1",
    "track": "work",
    "outcome": "approved",
    "text": "hej",
    "body": "hej",
    "token": "x",
}

# Who may use each family of object URLs (by URL name); everyone else is an attacker.
STAFF_CASE_PREFIXES = ("caseworker:", "assisted:")
HOST_URLS = {"meetings:meeting_detail", "meetings:meeting_ics"}


def rightful_for(route: Route, world: World) -> set[int]:
    if route.name in HOST_URLS:
        return {world.host.pk}
    if route.name.startswith(STAFF_CASE_PREFIXES):
        return {world.caseworker.pk}
    return {world.owner.pk}


def url_for(route: Route, world: World) -> str:
    return reverse(route.name, kwargs=kwargs_for(route, world))


def kwargs_for(route: Route, world: World) -> dict[str, object]:
    kwargs: dict[str, object] = {}
    for name in route.kwargs:
        if name == "attachment_pk":
            kwargs[name] = world.attachment.pk
        elif name == "application_pk":
            kwargs[name] = world.application.pk
        elif name == "step":
            kwargs[name] = "hushall"
        elif route.name in MEETING_PK_URLS:
            kwargs[name] = world.meeting.pk
        elif route.name in MANDATE_PK_URLS:
            kwargs[name] = world.mandate.pk
        else:
            kwargs[name] = world.application.pk
    return kwargs


def asked_for(route: Route, world: World) -> str:
    """The id of the object the URL names most specifically: the attachment rather than its
    case, the meeting rather than its application."""
    kwargs = kwargs_for(route, world)
    for name in ("attachment_pk", "pk", "application_pk"):
        if name in kwargs:
            return str(kwargs[name])
    raise AssertionError(f"{route.name} names no object")


def attackers(route: Route, world: World) -> dict[str, User]:
    everyone = {**world.rightful, **world.outsiders}
    allowed = rightful_for(route, world)
    return {name: user for name, user in everyone.items() if user.pk not in allowed}


def test_every_url_is_either_an_object_url_or_listed_as_object_free() -> None:
    assert uncovered_routes() == []


def test_the_matrix_covers_the_object_urls() -> None:
    names = {r.name for r in object_routes()}
    # A sample of each family, so an inventory that silently shrank fails.
    assert {
        "intake:application_detail",
        "intake:attachment_download",
        "application_letter",
        "caseworker:case_detail",
        "caseworker:case_journal",
        "caseworker:case_attachment",
        "caseworker:case_letter",
        "meetings:meeting_detail",
        "meetings:applicant_meeting",
        "assisted:mandate_revoke",
    } <= names
    assert len(names) >= 50


# The matrix is a few thousand requests: in shards, so parallel test processes share it.
SHARDS = 4


@pytest.mark.sweep
@pytest.mark.timeout(600)
@pytest.mark.parametrize("shard", range(SHARDS))
def test_nobody_reaches_another_persons_objects(world: World, shard: int) -> None:
    before = database_fingerprint()
    access_log_before = AccessLog.objects.count()
    failures: list[str] = []
    unrecorded: list[str] = []
    requests = denials = 0
    last_denial = AccessDenial.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for route in object_routes()[shard::SHARDS]:
        url = url_for(route, world)
        # Two names can share a path (intake:step_costs is intake:step_housing's): the request
        # reaches the first, and the denial names what was reached.
        resolved = resolve(url).view_name
        for who, user in attackers(route, world).items():
            client = client_for(user)
            for method in ("get", "post"):
                for htmx in (False, True):
                    headers = {"HX-Request": "true", "HX-Target": "main"} if htmx else {}
                    send = getattr(client, method)
                    data = HOSTILE_POST if method == "post" else None
                    shown_before = AccessLog.objects.count()
                    response = send(url, data, headers=headers)
                    requests += 1
                    request = f"{route.name} {method.upper()}{' htmx' if htmx else ''} by {who}"
                    status = response.status_code
                    if status not in REFUSED:
                        failures.append(f"{request}: {status}")
                    if AccessLog.objects.count() != shown_before:
                        unrecorded.append(f"{request}: {status} logged as shown")
                    new = list(
                        AccessDenial.objects.filter(id__gt=last_denial)
                        .order_by("id")
                        .values_list("user_id", "url_name", "path", "object_id", "status")
                    )
                    if new:
                        last_denial = AccessDenial.objects.order_by("-id")[0].pk
                    expected = (
                        [(user.pk, resolved, url, asked_for(route, world), status)]
                        if status in DENIED
                        else []
                    )
                    if new != expected:
                        unrecorded.append(f"{request}: {status} left denials {new}")
                    denials += len(new)
    assert failures == []
    assert unrecorded == []
    assert database_fingerprint() == before
    assert AccessLog.objects.count() == access_log_before
    assert requests > 1000 // SHARDS
    assert denials > requests // 2  # most refusals are 403/404, few are 405


def test_the_rightful_users_do_reach_them(world: World) -> None:
    """The matrix is not trivially green: the same URLs open for the people they belong to."""
    pages = {
        "intake:application_detail": world.owner,
        "intake:attachment_download": world.owner,
        "caseworker:case_detail": world.caseworker,
        "caseworker:case_attachment": world.caseworker,
        "meetings:meeting_detail": world.host,
        "meetings:applicant_meeting": world.owner,
    }
    routes = {r.name: r for r in object_routes()}
    for name, user in pages.items():
        shown_before = AccessLog.objects.count()
        response = client_for(user).get(url_for(routes[name], world))
        assert response.status_code == 200, name
        if name.startswith("caseworker:"):  # staff reads of case data are on the access log
            assert AccessLog.objects.count() == shown_before + 1, name
    assert not AccessDenial.objects.exists()


def test_queue_assignment_of_another_municipalitys_case_changes_nothing(world: World) -> None:
    attacker = world.outsiders["svedala_team_lead"]
    before = database_fingerprint()
    client: Client = client_for(attacker)
    response = client.post(
        reverse("caseworker:queue_assign"),
        {"ids": [world.application.pk], "owner": attacker.pk},
    )
    assert response.status_code in {302, 200}
    world.application.refresh_from_db()
    assert world.application.owner_id != attacker.pk
    assert database_fingerprint() == before
