"""The team lead's standard reasons (#16 item 6): the texts and provisions a decision takes by
default for its type, or when the caseworker chooses one. A team lead edits the municipality's
own version; the national text stays for every other municipality."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Municipality, Role
from accounts.permissions import role_required, staff_municipality_id
from caseworker.letters.reasons import (
    DEFAULT_TEMPLATE_BY_TYPE,
    reason_template_save,
    reason_templates_for,
    reason_text_get,
)
from caseworker.models import ReasonTemplate

team_lead_required = role_required(Role.TEAM_LEAD)

TYPE_LABELS = {
    "approved": gettext_lazy("Beviljande"),
    "partly": gettext_lazy("Delvis avslag"),
    "rejected": gettext_lazy("Avslag"),
    "standing": gettext_lazy("Stående beslut"),
}


class ReasonTemplateForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Rubrik"), max_length=120)
    text = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "Platshållare: {namn}, {månad}, {belopp}, {norm}, {inkomst}, {hyra}, {maxhyra}."
        ),
    )
    provisions = forms.CharField(
        label=gettext_lazy("Lagrum (ett per rad)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    active = forms.BooleanField(label=gettext_lazy("Används"), required=False, initial=True)


def _municipality(request: AuthenticatedHttpRequest) -> Municipality:
    return Municipality.objects.get(pk=staff_municipality_id(request.user))


@team_lead_required
def reason_templates(request: AuthenticatedHttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    defaults = {code: TYPE_LABELS[kind] for kind, code in DEFAULT_TEMPLATE_BY_TYPE.items()}
    return TemplateResponse(
        request,
        "caseworker/reason_templates.html",
        {"rows": reason_templates_for(municipality=municipality), "defaults": defaults},
    )


@team_lead_required
def reason_template_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One standard reason, named by its code (`?kod=`): a code, not an object of a case."""
    municipality = _municipality(request)
    code = request.GET.get("kod", "")
    current = reason_text_get(municipality=municipality, code=code) if code else None
    if current is None:
        raise Http404
    own = ReasonTemplate.objects.filter(municipality=municipality, code=code).first()
    form = ReasonTemplateForm(
        request.POST or None,
        initial={
            "title": current.title,
            "text": current.text,
            "provisions": "\n".join(current.provisions),
            "active": own.active if own else True,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reason_template_save(
                municipality=municipality,
                code=code,
                title=data["title"],
                text=data["text"],
                provisions=data["provisions"].splitlines(),
                active=data["active"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Standardtexten är sparad för kommunen."))
            return redirect("caseworker:reason_templates")
    return TemplateResponse(
        request,
        "caseworker/reason_template_form.html",
        {"form": form, "code": code, "own": own is not None},
    )
