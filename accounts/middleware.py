from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from accounts import security
from accounts.models import Role, User


class NoStoreForAuthenticatedMiddleware:
    """Pages for a logged-in person hold personal data: never cache them anywhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
            patch_vary_headers(response, ("Cookie", "HX-Request"))
        return response


class ExplicitLanguageMiddleware:
    """Swedish unless the person chose another language with the language switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which would give a
    caseworker's English-language browser a half-translated staff interface. Here the choice is
    explicit (the `django_language` cookie set by Django's `set_language` view).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            # The thread goes back to the default: a request's language must not leak into work
            # done later on the same thread (a task, a test, the next request's early middleware).
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response


class NullCharacterRefusedMiddleware:
    """A NUL character in any parameter is refused with 400 before a view sees it: PostgreSQL
    cannot store one in text and answers with an error (an HTTP 500), while SQLite stores it
    (tests/test_form_fuzz.py found three views that read such a field raw)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        parameters = [request.GET]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            parameters.append(request.POST)
        for query in parameters:
            for key, values in query.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return HttpResponseBadRequest("NUL character in a parameter")
        return self.get_response(request)


class LanguageRememberedMiddleware:
    """The language an applicant uses is remembered on their account (`User.language`), so the
    e-mail, SMS and letters about their case come in it too (#17). One UPDATE when it changes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(request, "LANGUAGE_CODE", "")
        if (
            user is not None
            and user.is_authenticated
            and user.role == Role.APPLICANT
            and language
            and user.language != language
        ):
            User.objects.filter(pk=user.pk).update(language=language)
            user.language = language
        return self.get_response(request)


# --- #9 web security: session lifetime, staff second factor, rate limits ---------------------


class SessionLifetimeMiddleware:
    """Ends a session at the absolute lifetime (SESSION_ABSOLUTE_SECONDS from the login) even if
    the person stays active. The idle timeout is SESSION_COOKIE_AGE, renewed on every request
    (SESSION_SAVE_EVERY_REQUEST); `request.session_seconds_left` feeds the warning banner."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.contrib import auth, messages
        from django.utils.translation import gettext

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if security.session_is_past_absolute_limit(request):
                login_url = security.login_url_for(user)
                auth.logout(request)
                notice = gettext("Du har varit inloggad länge och har loggats ut. Logga in igen.")
                messages.info(request, notice)
                return security.redirect_response(request, login_url)
            seconds_left = security.session_seconds_left(request)
            request.session_seconds_left = seconds_left  # type: ignore[attr-defined]  # read by accounts.context_processors
        return self.get_response(request)


SECOND_FACTOR_OPEN_VIEWS = frozenset(
    {"accounts:otp_verify", "accounts:otp_enroll", "accounts:logout", "set_language"}
)


class StaffSecondFactorMiddleware:
    """Where OTP_REQUIRED is on, staff who logged in with a password reach nothing but the
    TOTP pages (and logout) until they have confirmed the login with a code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        from django.urls import reverse
        from django.utils.http import urlencode

        user = getattr(request, "user", None)
        # is_verified() is django_otp's (OTPMiddleware adds it to the user)
        if user is None or not security.second_factor_required(user) or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in SECOND_FACTOR_OPEN_VIEWS:
            return None
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        target = reverse("accounts:otp_verify") + "?" + urlencode({"next": request.get_full_path()})
        return security.redirect_response(request, target)


class RateLimitMiddleware:
    """Requests to the URLs named in settings.RATE_LIMITS (POSTs unless a rule names other
    methods) count against each of their rules; over one, the answer is 429 and a page that says
    to wait."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        from django.template.response import TemplateResponse

        if not settings.RATE_LIMITS_ENABLED:
            return None
        match = request.resolver_match
        if match is None or match.view_name not in settings.RATE_LIMITS:
            return None
        if not security.rate_limit_exceeded(request, match.view_name):
            return None
        response = TemplateResponse(request, "429.html", status=429)
        response["Retry-After"] = "60"
        return response
