"""Web security services (#9): sessions, the staff second factor and rate limits.

The middleware that applies them lives in `accounts.middleware`; the decisions are written down
in docs/adr/0009-web-security.md.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.client import client_ip
from accounts.models import Role, User

logger = logging.getLogger("accounts.security")

AUTH_TIME_KEY = "auth_time"


# --- redirects ------------------------------------------------------------------------------


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` parameter when it is a path on this site, else `default` (no open redirect).

    Only a path ("/arende/12/") is taken: django.shortcuts.redirect() reads anything without
    "/" or "." as a URL name, so `next=x` was an HTTP 500 (found by tests/test_form_fuzz.py)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and "\x00" not in target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


def login_url_for(user: Any) -> str:
    if getattr(user, "role", None) == Role.APPLICANT:
        return reverse("accounts:eid_login")
    return reverse("accounts:staff_login")


def redirect_response(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that also works for htmx requests (which would otherwise swap the target page
    into a fragment): htmx follows `HX-Redirect` with a full page load."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    response = HttpResponse(status=302)
    response["Location"] = url
    return response


# --- sessions -------------------------------------------------------------------------------


@transaction.atomic
def user_sessions_end(*, user: User) -> None:
    """End every session of `user` (log out everywhere): their sessions' auth hash includes the
    security stamp, so a new stamp makes the auth middleware drop them on the next request.
    Disabling the account or changing its role has the same effect by itself (see
    `User.get_session_auth_hash`)."""
    user.security_stamp = secrets.token_hex(16)
    User.objects.filter(pk=user.pk).update(security_stamp=user.security_stamp)
    logger.info("security.sessions_ended", extra={"user_id": user.pk})


@receiver(user_logged_in, dispatch_uid="accounts.security.auth_time")
def _remember_auth_time(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """The absolute session lifetime counts from here (ASVS 7.3.2)."""
    if request is not None and hasattr(request, "session"):
        request.session[AUTH_TIME_KEY] = int(time.time())


def session_auth_time(request: HttpRequest) -> int:
    value = request.session.get(AUTH_TIME_KEY)
    if not isinstance(value, int):
        value = int(time.time())
        request.session[AUTH_TIME_KEY] = value
    return value


def session_is_past_absolute_limit(request: HttpRequest) -> bool:
    return time.time() - session_auth_time(request) > settings.SESSION_ABSOLUTE_SECONDS


def session_seconds_left(request: HttpRequest) -> int:
    """Seconds until the session ends if the person does nothing more: the idle timeout, or the
    absolute limit if that comes first."""
    absolute_left = settings.SESSION_ABSOLUTE_SECONDS - (time.time() - session_auth_time(request))
    return max(0, int(min(settings.SESSION_COOKIE_AGE, absolute_left)))


# --- staff second factor (TOTP) -------------------------------------------------------------


def second_factor_required(user: Any) -> bool:
    """Staff confirm their password login with a TOTP code where OTP_REQUIRED is on (production).
    Applicants log in with e-ID, which is already two factors."""
    return bool(
        settings.OTP_REQUIRED
        and getattr(user, "is_authenticated", False)
        and getattr(user, "role", Role.APPLICANT) != Role.APPLICANT
    )


# --- rate limits ----------------------------------------------------------------------------


class _LocalCounters:
    """Fixed-window counters in this process: the rate limits' fallback while the shared cache
    (Redis) cannot answer. Each process limits alone, so the effective limit is at most the
    number of processes times the rate: degraded, never open, never closed to everyone."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, int], int] = {}

    def hit(self, key: str, limit: int, period: int) -> bool:
        """Count one request; True when this window is over the limit."""
        window = int(time.time()) // period
        with self._lock:
            if len(self._counts) > 10_000:  # old windows: drop them
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= window - 1}
            count = self._counts.get((key, window), 0) + 1
            self._counts[(key, window)] = count
        return count > limit

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


LOCAL_COUNTERS = _LocalCounters()


_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _rate(rate: str) -> tuple[int, int]:
    """django-ratelimit's notation: "20/m", "50/h", "10/5m" -> (count, seconds)."""
    count, _, per = rate.partition("/")
    multiple = int(per[:-1]) if per[:-1] else 1
    return int(count), multiple * _PERIODS[per[-1]]


def _rate_key(request: HttpRequest, key: str) -> str:

    if key == "user":
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
    if key == "username":
        return "username:" + request.POST.get("username", "").strip().casefold()[:150]
    return f"ip:{client_ip(request)}"


def rate_limit_exceeded(request: HttpRequest, name: str) -> bool:
    """Count this request against every rule for URL `name` (settings.RATE_LIMITS) and say
    whether it is over any of them. When the cache cannot answer (Redis down), the same rules
    run on this process's own counters and the degradation is logged."""
    from django_ratelimit.core import is_ratelimited

    over = False
    for rule in settings.RATE_LIMITS.get(name, []):
        if request.method not in rule.get("methods", "POST").split(","):
            continue
        value = _rate_key(request, rule["key"])
        group = f"{name}:{rule['key']}"
        try:
            limited = is_ratelimited(
                request, group=group, key=lambda _g, _r, v=value: v, rate=rule["rate"],
                increment=True,
            )  # fmt: skip
        except Exception:
            logger.warning(
                "security.ratelimit_degraded",
                extra={"limit": name, "rule": rule["key"], "fallback": "per-process counters"},
            )
            limit, period = _rate(rule["rate"])
            limited = LOCAL_COUNTERS.hit(f"{group}:{value}", limit, period)
        over = over or bool(limited)
    return over
