from __future__ import annotations

from django import forms
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from accounts import second_factor, security
from accounts.eid import TEST_IDENTITIES, get_eid_provider
from accounts.models import Role, User
from accounts.services import applicant_get_or_create


@require_http_methods(["GET", "POST"])
def eid_login(request: HttpRequest) -> HttpResponse:
    provider = get_eid_provider()
    start_url_name = getattr(provider, "start_url_name", None)
    if start_url_name and request.method == "POST":
        # A broker login takes no input: whatever was posted is ignored.
        return redirect(
            reverse(start_url_name) + "?" + urlencode({"next": security.safe_next(request, "")})
        )
    form = provider.form(request)
    if request.method == "POST" and form.is_valid():
        user = applicant_get_or_create(identity=provider.identity(form))
        auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(security.safe_next(request, reverse("intake:application_list")))
    return TemplateResponse(
        request,
        provider.template_name,
        {
            "form": form,
            "provider": provider,
            "test_identities": TEST_IDENTITIES if provider.is_test else (),
            "next": request.GET.get("next", ""),
            "failed": "fel" in request.GET,
            "start_url": reverse(start_url_name) if start_url_name else "",
        },
    )


class StaffLoginView(auth_views.LoginView):
    template_name = "accounts/staff_login.html"
    redirect_authenticated_user = True


def home_for_user(request: HttpRequest) -> HttpResponse:
    """Where a logged-in person starts, by role."""
    user = request.user
    if not user.is_authenticated:
        return redirect("home")
    if user.role == Role.APPLICANT:
        return redirect("intake:application_list")
    if user.role in (Role.CASEWORKER, Role.TEAM_LEAD):
        return redirect("caseworker:queue")
    if user.role == Role.SECRETARY:
        return redirect("meetings:day")
    return redirect("admin:index")


@require_http_methods(["POST"])
def logout(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    response = redirect("home")
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


# --- #9: the staff second factor and the session warning --------------------------------------


class _TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Engångskod från appen"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Staff confirm a password login with a TOTP code (OTP_REQUIRED, production)."""
    if not request.user.is_authenticated:
        return redirect("accounts:staff_login")
    next_url = security.safe_next(request, reverse("accounts:home"))
    device = second_factor.totp_device_for(request.user)
    if device is None:
        return redirect(reverse("accounts:otp_enroll") + "?" + urlencode({"next": next_url}))
    form = _TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            otp_login(request, device)
            return redirect(next_url)
        form.add_error("token", _("Koden stämmer inte. Försök igen med en ny kod."))
    return TemplateResponse(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": next_url},
        status=400 if request.method == "POST" else 200,
    )


# The enrolment attempt this session is in (the redeemed activation and the new device): kept in
# the session alone, so no other session ever sees the secret.
ENROLLMENT_SESSION_KEY = "second_factor_enrollment"


class _ActivationForm(forms.Form):
    code = forms.CharField(
        label=_("Aktiveringskod"),
        max_length=20,
        help_text=_("Koden på tio tecken som du fick av systemförvaltaren."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


def _otp_enroll_url(next_url: str) -> str:
    return reverse("accounts:otp_enroll") + "?" + urlencode({"next": next_url})


@require_http_methods(["GET", "POST"])
def otp_enroll(request: HttpRequest) -> HttpResponse:
    """First login: the activation code from the administrator, then an authenticator app (scan
    the QR code, confirm with a code). Without a redeemed code no secret is shown."""
    user = request.user
    if not user.is_authenticated or user.role == Role.APPLICANT:
        return redirect("accounts:staff_login")
    next_url = security.safe_next(request, reverse("accounts:home"))
    if second_factor.totp_device_for(user) is not None:
        request.session.pop(ENROLLMENT_SESSION_KEY, None)
        return redirect(reverse("accounts:otp_verify") + "?" + urlencode({"next": next_url}))
    state = request.session.get(ENROLLMENT_SESSION_KEY)
    if not isinstance(state, dict) or not isinstance(state.get("activation"), int):
        return _otp_enroll_activation(request, user, next_url)
    attempt = second_factor.totp_enrollment_attempt(
        user=user,
        activation_id=state["activation"],
        device_id=state.get("device") if isinstance(state.get("device"), int) else None,
    )
    if attempt is None:
        request.session.pop(ENROLLMENT_SESSION_KEY, None)
        messages.info(
            request, _("Aktiveringskoden gäller inte längre. Be systemförvaltaren om en ny kod.")
        )
        return redirect(_otp_enroll_url(next_url))
    activation, device = attempt
    request.session[ENROLLMENT_SESSION_KEY] = {"activation": activation.pk, "device": device.pk}
    form = _TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.totp_enrollment_confirm(
            user=user,
            activation=activation,
            device=device,
            token=form.cleaned_data["token"],
        ):
            request.session.pop(ENROLLMENT_SESSION_KEY, None)
            otp_login(request, device)
            return redirect(next_url)
        form.add_error("token", _("Koden stämmer inte. Försök igen med en ny kod."))
    return TemplateResponse(
        request,
        "accounts/otp_enroll.html",
        {
            "form": form,
            "next": next_url,
            "qr_data_uri": second_factor.totp_qr_data_uri(device),
            "secret": second_factor.totp_secret_base32(device),
        },
        status=400 if request.method == "POST" else 200,
    )


def _otp_enroll_activation(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """The first step of `otp_enroll`: redeem the activation code into this session."""
    form = _ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        activation = second_factor.second_factor_activation_redeem(
            user=user,
            code=form.cleaned_data["code"],
        )
        if activation is not None:
            request.session[ENROLLMENT_SESSION_KEY] = {"activation": activation.pk}
            return redirect(_otp_enroll_url(next_url))
        form.add_error(
            "code",
            _(
                "Aktiveringskoden stämmer inte, har gått ut eller har redan använts. Kontrollera "
                "koden, eller be systemförvaltaren om en ny."
            ),
        )
    return TemplateResponse(
        request,
        "accounts/otp_enroll_activation.html",
        {"form": form, "next": next_url},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def session_extend(request: HttpRequest) -> HttpResponse:
    """ "Stay logged in": any request renews the idle timeout; this one says so and goes back."""
    if request.user.is_authenticated:
        messages.success(request, _("Du är fortfarande inloggad."))
    return redirect(security.safe_next(request, reverse("accounts:home")))
