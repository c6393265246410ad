"""The applicant's side of kommunicering (FL 25 §): the facts the caseworker will rely on, and
a reply before the deadline, disputing any fact with a note.

Kommunicering is part of the decision (caseworker.decisions); this page is the applicant's door to
it, through `intake.access` like every other applicant page, served under /ansokan/ by
config.urls (intake knows nothing of it).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import applicant_required
from caseworker.decisions.pauses import communication_reply
from caseworker.decisions.services import ActionNotAllowed
from caseworker.models import Communication
from intake.access import access_application


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=gettext_lazy("Ditt svar"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args: Any, facts: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.facts = facts
        for index in range(len(facts)):
            self.fields[f"dispute_{index}"] = forms.BooleanField(
                label=gettext_lazy("Uppgiften stämmer inte"), required=False
            )
            self.fields[f"note_{index}"] = forms.CharField(
                label=gettext_lazy("Vad är fel?"), required=False, max_length=2000
            )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (fact, self[f"dispute_{i}"], self[f"note_{i}"]) for i, fact in enumerate(self.facts)
        ]

    def disputed(self) -> dict[int, str]:
        return {
            i: self.cleaned_data.get(f"note_{i}", "")
            for i in range(len(self.facts))
            if self.cleaned_data.get(f"dispute_{i}")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(len(self.facts)):
            if data.get(f"dispute_{i}") and not (data.get(f"note_{i}") or "").strip():
                self.add_error(f"note_{i}", _("Skriv vad som är fel."))
        if not (data.get("reply") or "").strip() and not any(
            data.get(f"dispute_{i}") for i in range(len(self.facts))
        ):
            raise forms.ValidationError(_("Skriv ett svar eller markera en uppgift som fel."))
        return data


@applicant_required
@require_http_methods(["GET", "POST"])
def application_communication(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk)
    communications = list(Communication.objects.filter(application=application))
    if not communications:
        raise Http404
    current = next((c for c in reversed(communications) if c.closed_at is None), None)
    form = None
    if current is not None:
        form = ReplyForm(request.POST or None, facts=list(current.facts))
        if request.method == "POST" and form.is_valid():
            try:
                communication_reply(
                    communication=current,
                    applicant=request.user,
                    reply=form.cleaned_data["reply"],
                    disputed=form.disputed(),
                )
            except ActionNotAllowed as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Tack! Ditt svar är skickat till handläggaren."))
                return redirect("application_communication", pk=application.pk)
    return TemplateResponse(
        request,
        "caseworker/applicant_communication.html",
        {
            "application": application,
            "communications": communications,
            "current": current,
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )
