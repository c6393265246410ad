"""The applicant's own notice settings: how we tell them that something happened."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.validators import RegexValidator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts import events as accounts_events
from accounts.forms import BankAccountField
from accounts.http import AuthenticatedHttpRequest
from accounts.models import NotificationChannel, User
from accounts.permissions import applicant_required
from notifications.sending import delivery_report_early, delivery_report_record
from notifications.sms import delivery_report_token_valid

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
        # Only when the field has no error of its own: "abc" is told to be digits, not also to
        # be entered (two contradicting messages, found in a stranger run).
        if (
            channel == NotificationChannel.SMS
            and not data.get("phone")
            and "phone" not in self.errors
        ):
            self.add_error("phone", _("Skriv ditt mobilnummer för att få SMS."))
        if (
            channel == NotificationChannel.EMAIL
            and not data.get("email")
            and "email" not in self.errors
        ):
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


REPORT_STATUSES = {"delivered": True, "failed": False}


def _report_time(value: str) -> datetime | None:
    """The gateway's time (UTC, ISO 8601, with or without offset); None if unreadable."""
    moment = parse_datetime(value.strip().replace(" ", "T")) if value else None
    if moment is None:
        return None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


@csrf_exempt  # the gateway posts here; the signed URL is the check
@require_POST
def sms_delivery_report(request: HttpRequest, notice_id: int, token: str) -> HttpResponse:
    """The SMS gateway's delivery report for one notice: `id`, `status` (delivered/failed) and
    `delivered` (the time). A URL whose signature does not match is refused and changes nothing;
    a report repeated changes nothing the second time (both answer as the gateway expects)."""
    if not delivery_report_token_valid(notice_id, token):
        return HttpResponseNotFound()
    status = request.POST.get("status", "")
    if status not in REPORT_STATUSES:
        return HttpResponseBadRequest()
    recorded = delivery_report_record(
        notification_id=notice_id,
        provider_reference=request.POST.get("id", ""),
        delivered=REPORT_STATUSES[status],
        at=_report_time(request.POST.get("delivered", "")),
    )
    if not recorded and delivery_report_early(notification_id=notice_id):
        # The report came before our record of the send was written: the gateway tries again.
        response = HttpResponse(status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(status=204)
