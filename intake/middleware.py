"""A request that lost a race gets the case as it now is, never a server error (#14 item 9).

Every state change is a compare-and-set (`application_transition`): of two identical requests
sent at once (a double click on "Skriv under och skicka", two tabs, two colleagues), one wins and
the other finds the case already moved and raises `intake.states.StateChanged`. Here that loser
is sent to the page that shows the case (the applicant's status page, the caseworker's case
page), with a message saying what happened, instead of a 500. Only POSTs: a GET never changes
state, so a StateChanged there is a bug and stays loud; the exception is `NoLongerADraft`, a
form page of an application already sent (Back after sending, an old tab), which goes to the
status page whatever the method.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from intake.states import NoLongerADraft, StateChanged

logger = logging.getLogger(__name__)

# Where the loser goes: the page showing the case, by URL namespace.
CASE_PAGES = {"intake": "intake:application_detail", "caseworker": "caseworker:case_detail"}


def _case_page(request: HttpRequest) -> str:
    match = request.resolver_match
    if match is not None:
        page = CASE_PAGES.get(match.namespace)
        pk = match.kwargs.get("pk")
        if page and pk is not None:
            try:
                return reverse(page, args=[pk])
            except NoReverseMatch:
                pass
    return request.get_full_path()


class StateChangedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, StateChanged):
            return None
        if request.method != "POST" and not isinstance(exception, NoLongerADraft):
            return None
        match = request.resolver_match
        logger.info(
            "request.lost_race",
            extra={"view": match.view_name if match else "", "reason": str(exception)},
        )
        messages.info(
            request,
            _("Ansökan är redan skickad. Här ser du hur det går med den.")
            if isinstance(exception, NoLongerADraft)
            else _(
                "Det här hade redan ändrats, av ett dubbelklick eller av någon annan. "
                "Sidan visar hur det är nu."
            ),
        )
        target = _case_page(request)
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=200)
            response["HX-Redirect"] = target
            return response
        response = HttpResponse(status=303)
        response["Location"] = target
        return response
