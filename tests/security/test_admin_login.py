"""T06 (assessment item 6): the admin has no password form of its own. `/admin/login/` sends
everyone to the staff login (rate limits, lockout, second factor) and never checks a password."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest
from django.contrib import auth
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.backends import ModelBackend
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User
from tests.conftest import PASSWORD

ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def operator(db: None) -> User:
    return User.objects.create_superuser(username="forvaltare", password=PASSWORD, role=Role.ADMIN)


@pytest.fixture
def password_checks() -> Iterator[list[mock.MagicMock]]:
    """Spies on every way a password gets checked (they still do their work)."""
    with (
        mock.patch.object(auth, "authenticate", wraps=auth.authenticate) as top,
        mock.patch.object(auth_forms, "authenticate", wraps=auth_forms.authenticate) as form,
        mock.patch.object(
            ModelBackend, "authenticate", autospec=True, side_effect=ModelBackend.authenticate
        ) as backend,
    ):
        yield [top, form, backend]


def staff_login_url(next_url: str) -> str:
    return reverse("accounts:staff_login") + "?" + urlencode({"next": next_url})


def test_get_and_post_to_the_admin_login_go_to_the_staff_login_unchecked(
    operator: User, password_checks: list[mock.MagicMock]
) -> None:
    client = Client()
    response = client.get(ADMIN_LOGIN, {"next": "/admin/accounts/user/"})
    assert response.status_code == 302
    assert response["Location"] == staff_login_url("/admin/accounts/user/")
    response = client.post(
        ADMIN_LOGIN + "?next=/admin/",
        {"username": operator.username, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302 and response["Location"] == staff_login_url("/admin/")
    assert not any(spy.called for spy in password_checks)
    assert "_auth_user_id" not in client.session  # the right password logged nobody in


@override_settings(RATE_LIMITS_ENABLED=True)
def test_many_usernames_from_one_address_cost_no_password_check(
    db: None, password_checks: list[mock.MagicMock]
) -> None:
    client = Client()
    statuses = [
        client.post(ADMIN_LOGIN, {"username": f"person{i}", "password": "guess"}).status_code
        for i in range(45)
    ]
    assert statuses == [302] * 45
    assert not any(spy.called for spy in password_checks)


def test_the_admin_sends_a_visitor_to_the_staff_login(db: None) -> None:
    response = Client().get("/admin/accounts/user/", follow=True)
    assert response.redirect_chain[-1][0] == staff_login_url("/admin/accounts/user/")
    assert "accounts/staff_login.html" in [t.name for t in response.templates]


def test_an_operator_reaches_the_admin_through_the_staff_login(
    operator: User, password_checks: list[mock.MagicMock]
) -> None:
    client = Client()
    response = client.post(
        staff_login_url("/admin/"),
        {"username": operator.username, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert password_checks[2].called  # the staff login is where the password is checked
    assert client.get("/admin/").status_code == 200
    # Already logged in, the admin's login page sends the operator on (never to another site).
    onward = client.get(ADMIN_LOGIN, {"next": "/admin/accounts/user/"})
    assert onward["Location"] == "/admin/accounts/user/"
    evil = client.get(ADMIN_LOGIN, {"next": "https://evil.example/"})
    assert evil["Location"] == reverse("admin:index")


@override_settings(OTP_REQUIRED=True)
def test_with_the_second_factor_the_admin_opens_after_the_code(operator: User) -> None:
    device = TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    client = Client()
    client.post(
        staff_login_url("/admin/"),
        {"username": operator.username, "password": PASSWORD, "next": "/admin/"},
    )
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    assert client.get(ADMIN_LOGIN)["Location"].startswith(reverse("accounts:otp_verify"))
    response = client.post(
        reverse("accounts:otp_verify"), {"token": f"{totp(device.bin_key):06d}", "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_staff_without_admin_access_are_refused_not_sent_round_in_circles(
    caseworker: User,
) -> None:
    client = Client()
    client.force_login(caseworker)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert [url for url, _status in response.redirect_chain] == ["/admin/login/?next=/admin/"]


def test_a_visitor_is_never_sent_to_another_site(db: None) -> None:
    response = Client().get(ADMIN_LOGIN, {"next": "https://evil.example/"})
    assert response["Location"] == staff_login_url(reverse("admin:index"))
