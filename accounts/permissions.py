"""Role gates for views. Object-level access to cases lives in `intake.access` (one door)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role, User

P = ParamSpec("P")


def role_required(
    *roles: Role,
) -> Callable[
    [Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponseBase]],
    Callable[Concatenate[HttpRequest, P], HttpResponseBase],
]:
    """Anonymous users are sent to log in; logged-in users with another role get 403. The view
    gets the request as an `AuthenticatedHttpRequest` (its user is a `User`)."""

    def decorator(
        view: Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponseBase],
    ) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                login_url = "accounts:eid_login" if Role.APPLICANT in roles else None
                return redirect_to_login(request.get_full_path(), login_url)
            if user.role not in roles or not user.is_active:
                raise PermissionDenied
            # Checked just above: the user is logged in, so a `User`.
            return view(cast(AuthenticatedHttpRequest, request), *args, **kwargs)

        return wrapped

    return decorator


applicant_required = role_required(Role.APPLICANT)
caseworker_required = role_required(Role.CASEWORKER, Role.TEAM_LEAD)
secretary_required = role_required(Role.SECRETARY, Role.TEAM_LEAD)


def staff_municipality_id(user: User) -> int:
    """The municipality of a caseworker, team lead or secretary. Never None for them (the check
    constraint `staff_belongs_to_a_municipality`); an account without one is refused."""
    if user.municipality_id is None:
        raise PermissionDenied
    return user.municipality_id
