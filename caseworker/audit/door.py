"""The door to one case for staff pages: the role gate, the one access check
(`intake.access.access_application`) and one access-log row per response that shows the case.

Every staff page about one case is wrapped in `case_view`, whichever capability it belongs to
(the workbench's case page, the caseload's handover and referral pages)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http.response import HttpResponseBase
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import caseworker_required
from caseworker.audit.log import access_log_when_shown
from caseworker.models import AccessAction
from intake.access import access_application

# view(request: AuthenticatedHttpRequest, application: Application, **kwargs) -> response
CaseView = Callable[..., HttpResponseBase]


def case_view(
    *, partial: bool = False, reading: AccessAction | None = None
) -> Callable[[CaseView], CaseView]:
    """Role gate, the one door, and one access-log row per request whose response shows the
    case (written after the view, so an attachment of another case, a 404 from the view, is
    never logged as viewed)."""

    def decorator(view: CaseView) -> CaseView:
        @caseworker_required
        @require_http_methods(["GET", "POST"])
        @wraps(view)
        def wrapped(
            request: AuthenticatedHttpRequest, /, pk: int, **kwargs: Any
        ) -> HttpResponseBase:
            application = access_application(request.user, pk)
            if reading is not None:
                action = reading
            elif request.method == "POST":
                action = AccessAction.CHANGE
            elif partial:
                action = AccessAction.VIEW_PARTIAL
            else:
                action = AccessAction.VIEW_CASE
            response = view(request, application, **kwargs)
            access_log_when_shown(
                response,
                user=request.user,
                application=application,
                action=action,
                detail=(request.resolver_match.url_name or "") if request.resolver_match else "",
            )
            return response

        return wrapped

    return decorator
