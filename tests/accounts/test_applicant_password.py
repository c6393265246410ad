"""An applicant's account opens with e-ID only, never with a password (#18 stranger run: an
admin set a password on an applicant's account and the staff login opened it)."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.test import Client

from accounts.models import Municipality, Role, User

pytestmark = pytest.mark.django_db


def test_a_password_on_an_applicants_account_does_not_log_in(applicant: User) -> None:
    applicant.set_password("Lösenord-som-admin-satte-1")
    applicant.save()
    assert authenticate(username=applicant.username, password="Lösenord-som-admin-satte-1") is None
    client = Client()
    response = client.post(
        "/personal/logga-in/",
        {"username": applicant.username, "password": "Lösenord-som-admin-satte-1"},
    )
    assert response.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session


def test_staff_still_log_in_with_their_password(trelleborg: Municipality) -> None:
    User.objects.create_user(
        username="anna", password="Rätt-lösenord-1", role=Role.CASEWORKER, municipality=trelleborg
    )
    user = authenticate(username="anna", password="Rätt-lösenord-1")
    assert user is not None and user.username == "anna"
