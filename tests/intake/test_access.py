"""Skyddade personuppgifter: the case works the same, but only permitted staff see it, and no
address is shown anywhere."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from intake.access import access_application, applications_visible_to
from intake.models import Application
from tests.conftest import PASSWORD

# Reads today's date: also runs at every moment of the date matrix (tests/clock.py).
pytestmark = pytest.mark.dates


@pytest.fixture
def protected(submitted_application: Application) -> Application:
    Application.objects.filter(pk=submitted_application.pk).update(protected_identity=True)
    submitted_application.refresh_from_db()
    return submitted_application


@pytest.fixture
def cleared(make_staff: Callable, trelleborg: object) -> User:
    user = make_staff("skyddad", Role.CASEWORKER, trelleborg)
    user.may_handle_protected = True
    user.save()
    return user


def test_staff_without_permission_do_not_see_a_protected_case(
    protected: Application, caseworker: User
) -> None:
    assert protected not in applications_visible_to(caseworker)
    from django.http import Http404

    with pytest.raises(Http404):
        access_application(caseworker, protected.pk)


def test_permitted_staff_see_it(protected: Application, cleared: User) -> None:
    assert access_application(cleared, protected.pk) == protected


def test_applicant_still_sees_their_protected_application(
    client: Client, protected: Application, applicant: User
) -> None:
    client.force_login(applicant)
    page = client.get(reverse("intake:application_detail", args=[protected.pk]))
    assert page.status_code == 200
    assert "Testgatan" not in page.content.decode()


def test_case_page_is_404_for_staff_without_permission(
    client: Client, protected: Application, caseworker: User
) -> None:
    client.login(username=caseworker.username, password=PASSWORD)
    response = client.get(reverse("caseworker:case_detail", args=[protected.pk]))
    assert response.status_code == 404


def test_unprotected_case_is_visible_as_before(
    submitted_application: Application, caseworker: User
) -> None:
    assert submitted_application in applications_visible_to(caseworker)
