"""Check your answers, sign and send; the receipt; "has anything changed?" for a renewal; and
the partner's side of a joint application."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import applicant_required
from intake import services
from intake.access import (
    access_application,
    access_application_as_partner,
)
from intake.forms import (
    ChangesForm,
    DeclarationForm,
    PartnerDeclineForm,
)
from intake.models import Application
from intake.services.timeline import timeline_for
from intake.states import NoLongerADraft, Status
from intake.views.bankid import signing_begin
from intake.views.documents import documents_context
from intake.views.status import status_context
from intake.views.steps import draft_for_applicant, step_context, unanswered_steps

logger = logging.getLogger(__name__)


def _review_context(application: Application) -> dict[str, Any]:
    return {
        "members": application.members.all(),
        "incomes": application.incomes.all(),
        "unanswered": unanswered_steps(application),
        **documents_context(application),
    }


@applicant_required
@require_http_methods(["GET", "POST"])
def step_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = draft_for_applicant(request, pk)
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    unavailable = False
    if request.method == "POST" and form.is_valid():
        try:
            # The development signing signs at once; BankID starts an order and its page.
            signed = signing_begin(request, application, as_partner=False)
        except services.NoCaseworkerAvailable:
            # Nobody in the municipality may own the case: it is not sent (a case never sits
            # without an owner) and the applicant is told so, with the draft kept; operations
            # see the error in the log.
            logger.error(
                "intake.submit_no_owner",
                extra={"application": application.pk, "municipality": application.municipality_id},
            )
            unavailable = True
            form.add_error(
                None,
                _(
                    "Ansökan kunde inte skickas just nu: kommunen kan inte ta emot den i "
                    "e-tjänsten. Ansökan är sparad. Försök igen senare eller kontakta kommunen."
                ),
            )
        else:
            if isinstance(signed, HttpResponse):
                return signed
            if isinstance(signed, str):
                form.add_error(None, signed)
            elif signed.status == Status.DRAFT:  # joint: waits for the partner
                return redirect("intake:step_review", pk=signed.pk)
            else:
                return redirect("intake:application_sent", pk=signed.pk)
    declines = application.signatures.filter(declined_at__isnull=False)
    return TemplateResponse(
        request,
        "intake/step_review.html",
        {
            **step_context(application, "intake:step_review"),
            **_review_context(application),
            "form": form,
            "decline": declines.first(),
        },
        status=503 if unavailable else 400 if form.errors else 200,
    )


@applicant_required
@require_http_methods(["GET"])
def application_sent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk, Application.objects.submitted())
    return TemplateResponse(request, "intake/application_sent.html", {"application": application})


@applicant_required
@require_http_methods(["GET", "POST"])
def application_changes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A renewal prefilled from last month: "Har något ändrats?"."""
    application = draft_for_applicant(request, pk)
    form = ChangesForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["changed"] == "yes":
            return redirect("intake:step_household", pk=application.pk)
        return redirect("intake:step_attachments", pk=application.pk)
    return TemplateResponse(
        request,
        "intake/application_changes.html",
        {"application": application, "form": form, **_review_context(application)},
        status=400 if form.errors else 200,
    )


@applicant_required
@require_http_methods(["GET"])
def partner_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = access_application_as_partner(request.user, pk)
    # Once sent, the partner sees the same status as the applicant (without live polling: the
    # status page's own address is the applicant's).
    status = (
        {**status_context(application), "poll": False, "timeline": timeline_for(application)}
        if not application.is_draft
        else {}
    )
    return TemplateResponse(
        request,
        "intake/partner_review.html",
        {
            **status,
            "application": application,
            "state": services.application_signature_state(application),
            "form": DeclarationForm(),
            "decline_form": PartnerDeclineForm(),
            **_review_context(application),
        },
    )


@applicant_required
@require_POST
def partner_sign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = access_application_as_partner(request.user, pk)
    form = DeclarationForm(request.POST)
    if form.is_valid():
        try:
            signed = signing_begin(request, application, as_partner=True)
        except (services.ApplicationIncomplete, NoLongerADraft):
            messages.error(request, _("Ansökan kan inte skrivas under just nu."))
        else:
            if isinstance(signed, HttpResponse):  # BankID: the signing page
                return signed
            if isinstance(signed, str):
                messages.error(request, signed)
            else:
                messages.success(request, _("Du har skrivit under. Ansökan är skickad."))
        return redirect("intake:partner_review", pk=application.pk)
    return TemplateResponse(
        request,
        "intake/partner_review.html",
        {
            "application": application,
            "state": services.application_signature_state(application),
            "form": form,
            "decline_form": PartnerDeclineForm(),
            **_review_context(application),
        },
        status=400,
    )


@applicant_required
@require_POST
def partner_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = access_application_as_partner(request.user, pk)
    form = PartnerDeclineForm(request.POST)
    if form.is_valid():
        try:
            services.application_partner_decline(
                application=application, partner=request.user, note=form.cleaned_data["note"]
            )
        except services.ApplicationIncomplete:
            messages.error(request, _("Ansökan kan inte avböjas just nu."))
        else:
            messages.success(
                request,
                _("Du har avböjt att skriva under. Den som ansökte får veta det."),
            )
    return redirect("intake:partner_review", pk=application.pk)
