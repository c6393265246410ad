"""The status page of a sent application: where it is, the decision, documents asked for,
messages. Other layers add to it through intake.events.status_page_context."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import applicant_required
from intake import events, services
from intake.access import (
    access_application,
)
from intake.forms import (
    AppealForm,
    AttachmentForm,
    MessageForm,
)
from intake.models import Application, AttachmentKind
from intake.services.timeline import timeline_for
from intake.states import OPEN_STATUSES, Status
from intake.views.documents import documents_context, upload_handle

EXPLAINED = {
    Status.SUBMITTED: gettext_lazy(
        "Vi har tagit emot din ansökan. Inom några minuter hämtar vi uppgifter från "
        "myndigheter och räknar på den."
    ),
    Status.PROCESSING: gettext_lazy(
        "Vi hämtar uppgifter från myndigheter och räknar på din ansökan. Det tar några minuter."
    ),
    Status.NEEDS_MANUAL: gettext_lazy(
        "Din ansökan behöver gås igenom av en handläggare. Du behöver inte göra något just nu."
    ),
    Status.AWAITING_CASEWORKER: gettext_lazy(
        "En handläggare går igenom din ansökan. Du får beslut inom en arbetsdag."
    ),
    Status.AWAITING_SUPPLEMENT: gettext_lazy(
        "Handläggaren behöver mer underlag från dig innan beslut. Se nedan vad som behövs."
    ),
    Status.AWAITING_REPLY: gettext_lazy(
        "Handläggaren vill att du tittar på uppgifter innan beslut. Svara senast det datum som "
        "står."
    ),
    Status.AWAITING_SECOND_APPROVAL: gettext_lazy(
        "Beslutet kontrolleras av ytterligare en handläggare."
    ),
    Status.APPROVED: gettext_lazy("Du har fått beslut. Läs beslutet nedan."),
    Status.REJECTED: gettext_lazy("Du har fått beslut. Läs beslutet och hur du överklagar nedan."),
    Status.WITHDRAWN: gettext_lazy("Du har tagit tillbaka ansökan."),
}


EMERGENCY_EXPLAINED = gettext_lazy("En handläggare går igenom din ansökan.")


def status_context(application: Application) -> dict[str, Any]:
    decision = getattr(application, "decision", None) if application.is_decided else None
    stages = [
        (Status.SUBMITTED, gettext_lazy("Mottagen")),
        (Status.PROCESSING, gettext_lazy("Vi hämtar uppgifter")),
        (Status.AWAITING_CASEWORKER, gettext_lazy("Väntar på handläggare")),
        ("decided", gettext_lazy("Beslut fattat")),
    ]
    order = {
        Status.SUBMITTED: 0,
        Status.PROCESSING: 1,
        Status.NEEDS_MANUAL: 2,
        Status.AWAITING_CASEWORKER: 2,
        Status.AWAITING_SUPPLEMENT: 2,
        Status.AWAITING_REPLY: 2,
        Status.AWAITING_SECOND_APPROVAL: 2,
        Status.APPROVED: 3,
        Status.REJECTED: 3,
    }
    reached = order.get(Status(application.status), -1)
    more: dict[str, Any] = {}
    for extra in events.status_page_context.publish(application):
        # the case's contact person, a decision's appeal deadline, the meeting (meetings), ...
        more.update(extra)
    # #16 item 14: an open emergency's deadline, and the on-call service after hours.
    emergency = (
        services.emergency_deadline_of(application) if application.status in OPEN_STATUSES else None
    )
    explained = EXPLAINED.get(Status(application.status), "")
    if emergency is not None and application.status == Status.AWAITING_CASEWORKER:
        # The emergency's own deadline is the promise; not also "within a working day".
        explained = EMERGENCY_EXPLAINED
    return {
        **more,
        "application": application,
        "decision": decision,
        "explained": explained,
        "emergency": emergency,
        "stages": [(label, i <= reached, i == reached) for i, (_s, label) in enumerate(stages)],
        "poll": application.status
        not in (
            Status.APPROVED,
            Status.REJECTED,
            Status.WITHDRAWN,
            Status.DRAFT,
            Status.AWAITING_SUPPLEMENT,
        ),
    }


def _detail_context(request: AuthenticatedHttpRequest, application: Application) -> dict[str, Any]:
    return {
        **status_context(application),
        **documents_context(application),
        "upload_form": AttachmentForm(initial={"kind": AttachmentKind.SUPPLEMENT}),
        "can_send_documents": application.status in OPEN_STATUSES,
        "message_form": MessageForm(),
        "timeline": timeline_for(application),
        "thread": application.messages.select_related("author"),
        "can_withdraw": application.status in (Status.SUBMITTED, Status.AWAITING_SUPPLEMENT),
    }


@applicant_required
@require_http_methods(["GET"])
def application_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk)
    if application.status == Status.DRAFT:  # where it waits: a step, or the partner's signature
        return redirect("intake:application_resume", pk=application.pk)
    # Shown: a decision on it counts as opened (its delivery record, caseworker.letters).
    events.application_shown.publish(events.ApplicationShown(application, request.user))
    if request.htmx:
        return TemplateResponse(
            request, "intake/_application_status.html", status_context(application)
        )
    services.messages_mark_read(application=application, reader=request.user)
    return TemplateResponse(
        request, "intake/application_detail.html", _detail_context(request, application)
    )


@applicant_required
@require_POST
def supplement_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A document sent after the application, at any time while the case is open: what the
    caseworker asked for (a supplement), or anything the applicant wants to add. The same file
    twice is stored once; each is written in the case's journal."""
    application = access_application(
        request.user, pk, Application.objects.filter(status__in=OPEN_STATUSES)
    )
    asked = application.status == Status.AWAITING_SUPPLEMENT
    held_before = set(application.attachments.values_list("pk", flat=True))
    with transaction.atomic():
        bound = upload_handle(
            request, application, kind=AttachmentKind.SUPPLEMENT if asked else None
        )
        if bound is None:
            for new in application.attachments.exclude(pk__in=held_before).exclude(
                scan_status="infected"
            ):
                events.document_received.publish(new.pk)
    if bound is None:
        return redirect(reverse("intake:application_detail", args=[application.pk]) + "#documents")
    context = _detail_context(request, application)
    context["upload_form"] = bound
    return TemplateResponse(request, "intake/application_detail.html", context, status=400)


@applicant_required
@require_POST
def supplement_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = access_application(
        request.user, pk, Application.objects.filter(status=Status.AWAITING_SUPPLEMENT)
    )
    services.application_supplement_send(application=application, applicant=request.user)
    messages.success(request, _("Tack! Kompletteringen är skickad till din handläggare."))
    return redirect("intake:application_detail", pk=application.pk)


@applicant_required
@require_POST
def message_post(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk, Application.objects.submitted())
    form = MessageForm(request.POST)
    if form.is_valid():
        services.message_send(
            application=application, author=request.user, body=form.cleaned_data["body"]
        )
        messages.success(request, _("Ditt meddelande är skickat."))
        return redirect(reverse("intake:application_detail", args=[application.pk]) + "#messages")
    context = _detail_context(request, application)
    context["message_form"] = form
    return TemplateResponse(request, "intake/application_detail.html", context, status=400)


@applicant_required
@require_http_methods(["GET", "POST"])
def appeal(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Appeal the decision online: to the municipality, which reconsiders it first and
    otherwise sends it on to förvaltningsrätten. The deadline is three weeks from the recorded
    delivery (caseworker's `appeal_deadline`, through `status_page_context`)."""
    application = access_application(
        request.user, pk, Application.objects.filter(status__in=[Status.APPROVED, Status.REJECTED])
    )
    decision = getattr(application, "decision", None)
    if decision is None:
        raise Http404
    context = status_context(application)
    deadline = context.get("appeal_deadline")
    existing = getattr(decision, "appeal", None)
    if request.method == "POST" and existing is not None:  # sent already (a double click)
        return redirect("intake:appeal", pk=application.pk)
    form = AppealForm(request.POST if request.method == "POST" and existing is None else None)
    if request.method == "POST" and existing is None and form.is_valid():
        services.appeal_submit(
            decision=decision,
            by=request.user,
            reasons=form.cleaned_data["reasons"],
            wanted=form.cleaned_data["wanted"],
            deadline=deadline if isinstance(deadline, date) else None,
            today=timezone.localdate(),
        )
        messages.success(
            request,
            _("Ditt överklagande är skickat till kommunen. Du har fått ett kvitto nedan."),
        )
        return redirect("intake:appeal", pk=application.pk)
    return TemplateResponse(
        request,
        "intake/appeal.html",
        {
            **context,
            "form": form,
            "appeal": existing,
            "late": isinstance(deadline, date) and timezone.localdate() > deadline,
        },
        status=400 if form.errors else 200,
    )
