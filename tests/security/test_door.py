"""The one door: every case-data view passes through an access function (`intake.access`,
`meetings.selectors`, marked with `accounts.access.door`), and the object rules agree with the
querysets they stand beside."""

from __future__ import annotations

import pytest

from accounts.access import doors_recorded
from intake.access import applications_visible_to
from intake.models import Application
from tests.builders import client_for
from tests.security.conftest import World
from tests.security.test_idor import rightful_for, url_for
from tests.security.urls import object_routes


@pytest.mark.sweep
def test_every_object_view_passes_through_the_door(world: World) -> None:
    """Requested by the person it belongs to, every object URL must consult an access function
    (marked @door). A new view that reads case data with a bare query fails here."""
    missing = []
    for route in object_routes():
        allowed = rightful_for(route, world)
        user = next(u for u in world.rightful.values() if u.pk in allowed)
        client = client_for(user)
        for method in ("get", "post"):
            with doors_recorded() as passed:
                getattr(client, method)(url_for(route, world), headers={"HX-Request": "true"})
            response_was_405 = False
            if not passed:
                # A view that refuses the method before any data is read is fine.
                check = getattr(client, method)(url_for(route, world))
                response_was_405 = check.status_code == 405
            if not passed and not response_was_405:
                missing.append(f"{route.name} {method.upper()}")
    assert missing == []


def test_the_object_rules_agree_with_the_querysets(world: World) -> None:
    everyone = {**world.rightful, **world.outsiders}
    for application in Application.objects.all():
        for name, user in everyone.items():
            by_query = applications_visible_to(user).filter(pk=application.pk).exists()
            by_rule = user.has_perm("intake.view_application", application)
            assert by_query == by_rule, (name, application.pk)
    assert world.owner.has_perm("intake.view_application", world.application)
    assert not world.outsiders["svedala_caseworker"].has_perm(
        "intake.view_application", world.application
    )
