"""The accessibility statement (DOS-lagen 13 §) and its feedback form."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from intake import services
from intake.forms import (
    FeedbackForm,
)


@require_http_methods(["GET", "POST"])
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """Tillgänglighetsredogörelse (DOS-lagen 13 §) with its feedback function."""
    form = FeedbackForm(
        request.POST if request.method == "POST" else None,
        initial={"page": request.GET.get("sida", "")},
    )
    if request.method == "POST" and form.is_valid():
        services.feedback_record(**form.cleaned_data)
        messages.success(request, _("Tack för din synpunkt! Vi läser alla synpunkter."))
        return redirect("accessibility")
    return TemplateResponse(
        request,
        "intake/accessibility.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
