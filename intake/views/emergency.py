"""The applicant's page for saying the situation is acute (#7): /ansokan/<pk>/akut/."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import applicant_required
from intake.access import access_application
from intake.models import Application
from intake.services.emergency import application_emergency_declare
from intake.states import TERMINAL


class EmergencyForm(forms.Form):
    no_food = forms.BooleanField(
        label=gettext_lazy("Jag har inga pengar till mat i dag"), required=False
    )
    eviction_notice = forms.BooleanField(
        label=gettext_lazy("Jag har fått ett vräkningsbesked eller en uppsägning av bostaden"),
        required=False,
    )
    disconnection_notice = forms.BooleanField(
        label=gettext_lazy("Jag har fått besked om att el, värme eller vatten stängs av"),
        required=False,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not any(
            data.get(name) for name in ("no_food", "eviction_notice", "disconnection_notice")
        ):
            raise forms.ValidationError(_("Välj vad som har hänt."))
        return data


@applicant_required
@require_http_methods(["GET", "POST"])
def application_emergency(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = access_application(
        request.user, pk, Application.objects.exclude(status__in=list(TERMINAL))
    )
    form = EmergencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        application_emergency_declare(
            application=application,
            by=request.user,
            no_food=form.cleaned_data["no_food"],
            eviction_notice=form.cleaned_data["eviction_notice"],
            disconnection_notice=form.cleaned_data["disconnection_notice"],
        )
        messages.success(
            request,
            _("Tack. Ditt ärende blir akut och handläggs i dag av den handläggare som har jour."),
        )
        if application.is_draft:
            return redirect("intake:step_review", pk=application.pk)
        return redirect("intake:application_detail", pk=application.pk)
    return TemplateResponse(
        request,
        "intake/application_emergency.html",
        {"application": application, "form": form},
        status=400 if request.method == "POST" else 200,
    )
