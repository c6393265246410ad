"""Authentication backends of our own."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import Role, User


class ApplicantPasswordRefused:
    """Applicants log in with e-ID only. A password on an applicant's account (the admin's "Sätt
    lösenord", a mistake, an attacker with admin access) must never open it: this backend, placed
    before Django's ModelBackend, stops the password check for an applicant's username (#18
    stranger run: the staff login opened an applicant's account with an admin-set password).

    It never authenticates anyone and has no `get_user`, so it never holds a session (Django's
    test client's `force_login` also passes over a backend without one)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if (
            username
            and User.objects.filter(
                username=username, role=Role.APPLICANT, is_staff=False, is_superuser=False
            ).exists()
        ):
            raise PermissionDenied
        return None
