"""Writes an access-denial row for every refused request for an object (see caseworker.audit.log).

A view refuses by raising Http404 or PermissionDenied (or returning a 403/404); Django turns
that into the response this middleware sees, so one place catches every door, whichever app
the view belongs to. Placed after the authentication middleware (it reads `request.user`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from .log import access_denial_for_request


class AccessDenialMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        access_denial_for_request(request, response)
        return response
