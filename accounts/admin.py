from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts import second_factor, security, services
from accounts.admin_records import ReadOnlyAdmin
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Municipality, SecondFactorActivation, User


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "meeting_minutes")
    search_fields = ("name", "code")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "municipality", "is_active")
    list_filter = ("role", "municipality", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Bistånd", {"fields": ("role", "municipality", "personnummer", "may_handle_protected")}),
    )
    actions = ("second_factor_activation_issue", "staff_deactivate")

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
class SecondFactorActivationAdmin(ReadOnlyAdmin):
    """Who was given an activation code, by whom, and what became of it (read only: codes are
    issued with the action on the user list)."""

    list_display = (
        "user",
        "issued_by",
        "issued_at",
        "expires_at",
        "used_at",
        "voided_at",
        "failed_attempts",
    )
    list_filter = ("issued_at", "used_at")
    search_fields = ("user__username",)
    exclude = ("code_hash",)


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
