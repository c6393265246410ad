"""Role gates for views. Object-level access to cases lives in `intake.access` (one door)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.models import Role


def role_required(
    *roles: Role,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Anonymous users are sent to log in; logged-in users with another role get 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                login_url = "accounts:eid_login" if Role.APPLICANT in roles else None
                return redirect_to_login(request.get_full_path(), login_url)
            if user.role not in roles or not user.is_active:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


applicant_required = role_required(Role.APPLICANT)
caseworker_required = role_required(Role.CASEWORKER, Role.TEAM_LEAD)
secretary_required = role_required(Role.SECRETARY, Role.TEAM_LEAD)
