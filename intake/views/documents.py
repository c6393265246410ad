"""The applicant's documents: upload (checked and scanned), remove, download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import applicant_required
from intake.access import (
    access_application,
)
from intake.documents.attachments import (
    AttachmentRefused,
    attachment_checklist,
    attachment_delete,
    attachment_download_name,
    attachment_open,
    attachment_upload,
    limits_left,
)
from intake.forms import (
    AttachmentForm,
)
from intake.models import Application, ScanStatus
from intake.views.steps import draft_for_applicant, draft_saved, step_context


def upload_handle(
    request: AuthenticatedHttpRequest, application: Application, *, kind: str | None = None
) -> Any:
    """Handle one upload form; returns the bound form (with errors) or None when stored."""
    data = request.POST.copy()
    if kind is not None:
        data["kind"] = kind
    form = AttachmentForm(data, request.FILES)
    if form.is_valid():
        try:
            attachment = attachment_upload(
                application=application,
                kind=form.cleaned_data["kind"],
                file=form.cleaned_data["file"],
                uploaded_by=request.user,
            )
        except AttachmentRefused as exc:
            form.add_error("file", str(exc))
        else:
            if attachment.scan_status == ScanStatus.INFECTED:
                form.add_error("file", _("Filen innehöll skadlig kod och har inte sparats."))
                return form
            messages.success(
                request,
                _("Vi har tagit emot %(name)s %(when)s. Kvittot finns under Dokument vi har fått.")
                % {
                    "name": attachment.original_name,
                    "when": date_format(
                        timezone.localtime(attachment.uploaded_at),
                        pgettext("date format", "j F Y \\k\\l. H:i"),
                    ),
                },
            )
            return None
    return form


def documents_context(application: Application) -> dict[str, Any]:
    held = list(application.attachments.exclude(scan_status="infected"))
    have = {a.kind for a in held}
    checklist = [
        {"kind": kind, "label": label, "why": why, "done": kind in have}
        for kind, label, why in attachment_checklist(application)
    ]
    return {
        "documents": held,
        "checklist": checklist,
        "missing": [item for item in checklist if not item["done"]],
        "limits": limits_left(application),
    }


@applicant_required
@require_http_methods(["GET", "POST"])
def step_attachments(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = draft_for_applicant(request, pk)
    form = AttachmentForm()
    if request.method == "POST":
        bound = upload_handle(request, application)
        if bound is None:
            draft_saved(application, "attachments")
            return redirect("intake:step_attachments", pk=application.pk)
        form = bound
    return TemplateResponse(
        request,
        "intake/step_attachments.html",
        {
            **step_context(application, "intake:step_attachments"),
            **documents_context(application),
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@applicant_required
@require_POST
def attachment_remove(
    request: AuthenticatedHttpRequest, pk: int, attachment_pk: int
) -> HttpResponse:
    application = draft_for_applicant(request, pk)
    attachment = application.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    attachment_delete(attachment=attachment)
    draft_saved(application)
    messages.success(request, _("Dokumentet %(name)s är borttaget.") % {"name": attachment})
    return redirect("intake:step_attachments", pk=application.pk)


@applicant_required
@require_http_methods(["GET"])
def attachment_download(
    request: AuthenticatedHttpRequest, pk: int, attachment_pk: int
) -> FileResponse:
    """Only through the one door, only clean files, never rendered by the browser."""
    application = access_application(request.user, pk)
    attachment = application.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment_open(attachment)
    except (AttachmentRefused, FileNotFoundError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment_download_name(attachment),
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
