"""The accessibility statement (DOS-lagen 13 §) and its feedback form; the privacy notice
(GDPR articles 13 and 14) and what to have ready before starting (#17)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Municipality
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


@require_http_methods(["GET"])
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """How personal data is handled (GDPR art. 13 and 14): who is responsible, why, on what
    legal basis, which registers are asked, how long data are kept, the person's rights."""
    return TemplateResponse(
        request,
        "intake/privacy.html",
        {
            "municipalities": Municipality.objects.order_by("name"),
            "case_years": settings.RETENTION_CASE_YEARS,
            "log_years": settings.RETENTION_ACCESS_LOG_YEARS,
        },
    )


@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    """The start page: what the service is, what to have ready, whom to call."""
    return TemplateResponse(
        request, "home.html", {"municipalities": Municipality.objects.order_by("name")}
    )
