from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def environment(request: HttpRequest) -> dict[str, Any]:
    return {"DEBUG": settings.DEBUG}


def security(request: HttpRequest) -> dict[str, Any]:
    """The CSP nonce (django-htmx's {% htmx_script %} reads `csp_nonce`) and, for a logged-in
    person, when the idle-timeout warning shows (base.html)."""
    context: dict[str, Any] = {"csp_nonce": getattr(request, "csp_nonce", "")}
    seconds_left = getattr(request, "session_seconds_left", None)
    if seconds_left is not None:
        context["session_seconds_left"] = seconds_left
        context["session_warning_after"] = max(0, seconds_left - settings.SESSION_WARNING_SECONDS)
        context["session_minutes"] = max(1, round(settings.SESSION_COOKIE_AGE / 60))
    return context
