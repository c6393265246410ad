"""The applicant's own notice settings: how we tell them that something happened."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.validators import RegexValidator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import events as accounts_events
from accounts.forms import BankAccountField
from accounts.http import AuthenticatedHttpRequest
from accounts.models import NotificationChannel, User
from accounts.permissions import applicant_required

PHONE = RegexValidator(
    r"^\+?[0-9 \-]{7,20}$",
    gettext_lazy("Skriv mobilnumret med siffror, till exempel 070-123 45 67."),
)


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["notification_channel", "phone", "email", "bank_account"]
        widgets = {"notification_channel": forms.RadioSelect}
        field_classes = {"bank_account": BankAccountField}
        labels = {
            "notification_channel": gettext_lazy("Hur vill du få veta att det finns något nytt?"),
            "phone": gettext_lazy("Mobilnummer"),
            "email": gettext_lazy("E-postadress"),
            "bank_account": gettext_lazy(
                "Bankkonto för utbetalningar: clearingnummer och kontonummer"
            ),
        }
        help_texts = {
            "notification_channel": gettext_lazy(
                "Meddelandet säger bara att det finns något nytt och att du ska logga in. "
                "Har du varken mobil eller e-post får du brev."
            ),
            "phone": gettext_lazy("Behövs bara för SMS."),
            "email": gettext_lazy("Behövs bara för e-post."),
            "bank_account": gettext_lazy(
                "Till exempel 8327-9 123 456 789-0 eller 6000 123 456 789."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].validators.append(PHONE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel = data.get("notification_channel")
        if channel == NotificationChannel.SMS and not data.get("phone"):
            self.add_error("phone", _("Skriv ditt mobilnummer för att få SMS."))
        if channel == NotificationChannel.EMAIL and not data.get("email"):
            self.add_error("email", _("Skriv din e-postadress för att få e-post."))
        return data


@applicant_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = NotificationSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            if "bank_account" in form.changed_data and user.bank_account:
                accounts_events.bank_account_given.publish(user.pk)
        messages.success(request, _("Dina inställningar är sparade."))
        return redirect("notifications:settings")
    return TemplateResponse(request, "notifications/settings.html", {"form": form})
