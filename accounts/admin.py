from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp import admin as totp_admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor, security, services
from accounts.admin_fields import PeopleByNameAdmin, login_name, person_column, person_name
from accounts.admin_records import ReadOnlyAdmin
from accounts.http import AuthenticatedHttpRequest
from accounts.models import (
    CASE_HANDLING_ROLES,
    Municipality,
    SecondFactorActivation,
    User,
)


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "meeting_minutes",
        "automated_decisions_enabled",
        "pays_to_registered_account",
    )
    list_filter = ("automated_decisions_enabled", "pays_to_registered_account")
    search_fields = ("name", "code")
    ordering = ("name",)


@admin.register(User)
class UserAdmin(PeopleByNameAdmin, BaseUserAdmin):
    """People by name and role; an applicant's e-ID username (with the personnummer) is never
    listed. Staff are added with their role and municipality (an account without them would be
    an applicant without a personnummer, which the database refuses)."""

    list_display = ("name_column", "login_column", "role", "municipality", "is_active")
    list_display_links = ("name_column",)
    list_filter = ("role", "municipality", "is_active", "in_introduction")
    list_select_related = ("municipality",)
    search_fields = ("first_name", "last_name", "search_name", "username", "email")
    ordering = ("role", "last_name", "first_name", "username")
    person_roles = {"mentor": CASE_HANDLING_ROLES}
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            "Bistånd",
            {
                "fields": (
                    "role",
                    "municipality",
                    "personnummer",
                    "may_handle_protected",
                    "in_introduction",
                    "mentor",
                )
            },
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "first_name",
                    "last_name",
                    "role",
                    "municipality",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    actions = ("second_factor_activation_issue", "staff_deactivate")

    @admin.display(description=_("namn"), ordering="last_name")
    def name_column(self, obj: User) -> str:
        return person_name(obj)

    def action_checkbox(self, obj: User) -> SafeString:
        """The row's checkbox, labelled with the name (Django's labels it with str(), the
        username, which for an applicant holds the personnummer)."""
        attrs = {
            "class": "action-select",
            "aria-label": format_html(gettext("Välj {} för en åtgärd"), person_name(obj)),
        }
        checkbox = forms.CheckboxInput(attrs, lambda value: False)
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))

    @admin.display(description=_("inloggning"), ordering="username")
    def login_column(self, obj: User) -> str:
        return login_name(obj)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Through the service: an account that loses access to cases hands them on (#16)."""
        by = request.user if isinstance(request.user, User) else None
        services.staff_user_save(user=obj, by=by)

    @admin.action(description=_("Inaktivera (ärendena lämnas vidare)"), permissions=["change"])
    def staff_deactivate(self, request: AuthenticatedHttpRequest, queryset: QuerySet[User]) -> None:
        """Deactivate the chosen accounts; each one's open cases go to a stand-in or back to
        automatic assignment in the same transaction, journalled on every case."""
        for user in queryset.filter(is_active=True).order_by("pk"):
            services.staff_user_deactivate(user=user, by=request.user)
        self.message_user(request, _("Kontona är inaktiverade och deras ärenden omfördelade."))

    @admin.action(
        description=_("Skapa aktiveringskod för autentiseringsapp"), permissions=["change"]
    )
    def second_factor_activation_issue(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[User]
    ) -> HttpResponse:
        """Issue a code per selected person and show them on this one page, to the admin who
        issued them: never stored in plain text, never put in a message cookie, never logged."""
        issued: list[tuple[User, str]] = []
        refused: list[tuple[User, str]] = []
        for user in queryset.order_by("username"):
            try:
                code = second_factor.second_factor_activation_issue(
                    user=user,
                    issued_by=request.user,
                )
            except second_factor.ActivationRefused as refusal:
                refused.append((user, str(refusal)))
            else:
                issued.append((user, second_factor.activation_code_display(code)))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Aktiveringskoder för autentiseringsapp"),
            "opts": self.model._meta,
            "issued": issued,
            "refused": refused,
            "hours": settings.OTP_ACTIVATION_HOURS,
        }
        return TemplateResponse(request, "accounts/otp_activation_issued.html", context)


@admin.register(SecondFactorActivation)
class SecondFactorActivationAdmin(PeopleByNameAdmin, ReadOnlyAdmin):
    """Who was given an activation code, by whom, and what became of it (read only: codes are
    issued with the action on the user list)."""

    list_display = (
        person_column("user", _("användare")),
        "login_column",
        person_column("issued_by", _("utfärdad av")),
        "issued_at",
        "expires_at",
        "used_at",
        "voided_at",
        "failed_attempts",
    )
    list_filter = ("issued_at", "used_at", "user__municipality")
    list_select_related = ("user", "issued_by")
    search_fields = ("user__first_name", "user__last_name", "user__username")
    date_hierarchy = "issued_at"
    ordering = ("-issued_at", "-id")
    exclude = ("code_hash",)

    @admin.display(description=_("inloggning"), ordering="user__username")
    def login_column(self, obj: SecondFactorActivation) -> str:
        return login_name(obj.user)


# The authenticator apps, as django-otp registers them, but with their owners by name and the
# picker listing staff only (only staff log in with a password and a second factor).
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(PeopleByNameAdmin, totp_admin.TOTPDeviceAdmin):
    list_display = [
        person_column("user", _("användare")),
        "name",
        "created_at",
        "last_used_at",
        "confirmed",
    ]
    list_select_related = ("user",)
    search_fields = ("user__first_name", "user__last_name", "user__username", "name")
    search_help_text = None
    raw_id_fields = ()
    ordering = ("user__last_name", "user__first_name", "name")


def admin_login(request: HttpRequest) -> HttpResponse:
    """Stands in for `admin.site.login` (config/urls.py): the admin has no password form of its
    own. Everyone logs in at the staff login, with its rate limits, lockout and second factor,
    and no password is ever checked here."""
    next_url = security.safe_next(request, reverse("admin:index"))
    if request.user.is_authenticated:
        if admin.site.has_permission(request):
            return redirect(next_url)
        raise PermissionDenied
    return redirect(reverse("accounts:staff_login") + "?" + urlencode({"next": next_url}))
