"""The applicant's own settings (how we tell them something happened) and, for a
representative, the people they act for."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.validators import RegexValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import access_own_mandate
from accounts.eid import EidIdentity
from accounts.identity import masked
from accounts.mandates import principals_of
from accounts.models import Municipality, NotificationChannel, User
from accounts.permissions import applicant_required
from accounts.services import applicant_get_or_create

from . import services
from .states import Status

PHONE = RegexValidator(
    r"^\+?[0-9 \-]{7,20}$", _lazy("Skriv mobilnumret med siffror, till exempel 070-123 45 67.")
)


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["notification_channel", "phone", "email"]
        widgets = {"notification_channel": forms.RadioSelect}
        labels = {
            "notification_channel": _lazy("Hur vill du få veta att det finns något nytt?"),
            "phone": _lazy("Mobilnummer"),
            "email": _lazy("E-postadress"),
        }
        help_texts = {
            "notification_channel": _lazy(
                "Meddelandet säger bara att det finns något nytt och att du ska logga in. "
                "Har du varken mobil eller e-post får du brev."
            ),
            "phone": _lazy("Behövs bara för SMS."),
            "email": _lazy("Behövs bara för e-post."),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].validators.append(PHONE)

    def clean(self) -> dict:
        data = super().clean()
        channel = data.get("notification_channel")
        if channel == NotificationChannel.SMS and not data.get("phone"):
            self.add_error("phone", _("Skriv ditt mobilnummer för att få SMS."))
        if channel == NotificationChannel.EMAIL and not data.get("email"):
            self.add_error("email", _("Skriv din e-postadress för att få e-post."))
        return data


@applicant_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    form = NotificationSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Dina inställningar är sparade."))
        return redirect("intake:notification_settings")
    return TemplateResponse(request, "intake/notification_settings.html", {"form": form})


@applicant_required
@require_http_methods(["GET"])
def represented_list(request: HttpRequest) -> HttpResponse:
    rows = [
        {"mandate": m, "principal": masked(m.principal_personnummer)}
        for m in principals_of(representative=request.user)
    ]
    return TemplateResponse(
        request,
        "intake/assisted_represented.html",
        {"rows": rows, "municipalities": Municipality.objects.all()},
    )


@applicant_required
@require_POST
def represented_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start (or resume) this month's application for a person one represents."""
    mandate = access_own_mandate(request.user, pk)  # type: ignore[arg-type]
    if mandate is None:
        raise Http404  # not theirs, or no longer active: nothing to say about it
    municipality = Municipality.objects.filter(pk=request.POST.get("municipality")).first()
    if mandate is None or municipality is None:
        messages.error(request, _("Det gick inte att starta en ansökan."))
        return redirect("intake:represented_list")
    principal = applicant_get_or_create(identity=EidIdentity(mandate.principal_personnummer))
    application = services.application_start(
        applicant=principal, municipality=municipality, month=timezone.localdate()
    )
    if application.status != Status.DRAFT:
        return redirect("intake:application_detail", pk=application.pk)
    return redirect("intake:step_household", pk=application.pk)
