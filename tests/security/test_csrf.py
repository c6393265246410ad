"""T50: a POST without a CSRF token to every URL is refused with 403 and changes nothing; and no
view changes anything on GET."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.builders import client_for
from tests.security.conftest import World, database_fingerprint
from tests.security.test_idor import HOSTILE_POST, rightful_for, url_for
from tests.security.urls import NO_OBJECT_URLS, object_routes

NO_ID_URLS = sorted(
    NO_OBJECT_URLS - {"caseworker:statistics_export", "health_live", "health_ready"}
)


def _rightful_user(name: str, world: World) -> User:
    if name.startswith(("caseworker:", "assisted:")) or name == "eligibility:trial_calculation":
        return world.caseworker
    if name.startswith("meetings:") and "applicant" not in name:
        return world.host
    return world.owner


def _all_urls(world: World) -> list[tuple[str, str, User]]:
    urls = []
    for route in object_routes():
        allowed = rightful_for(route, world)
        user = next(u for u in world.rightful.values() if u.pk in allowed)
        urls.append((route.name, url_for(route, world), user))
    for name in NO_ID_URLS:
        urls.append((name, reverse(name), _rightful_user(name, world)))
    return urls


@pytest.mark.sweep
@pytest.mark.timeout(300)
def test_a_post_without_a_csrf_token_is_refused_everywhere(world: World) -> None:
    before = database_fingerprint()
    failures = []
    for name, url, user in _all_urls(world):
        for htmx in (False, True):
            client = client_for(user, enforce_csrf_checks=True)
            headers = {"HX-Request": "true"} if htmx else {}
            response = client.post(url, HOSTILE_POST, headers=headers)
            if response.status_code != 403:
                failures.append(f"{name}{' htmx' if htmx else ''}: {response.status_code}")
    # Anonymous, too (the login forms).
    anonymous = Client(enforce_csrf_checks=True)
    for name in ("accounts:staff_login", "accounts:eid_login", "set_language"):
        if anonymous.post(reverse(name), {"username": "x", "password": "y"}).status_code != 403:
            failures.append(f"{name} anonymous")
    assert failures == []
    assert database_fingerprint() == before


@pytest.mark.sweep
@pytest.mark.timeout(300)
def test_no_view_changes_anything_on_get(world: World) -> None:
    """Every URL fetched by the person it belongs to, as a page and as a partial."""
    before = database_fingerprint()
    errors = []
    for name, url, user in _all_urls(world):
        if name == "accounts:logout":
            continue
        client = client_for(user)
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            if response.status_code >= 500:
                errors.append(f"{name}: {response.status_code}")
    assert errors == []
    assert database_fingerprint() == before
