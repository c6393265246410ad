"""A representative (god man, förvaltare, ombud) and the people they act for (#5)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import access_own_mandate
from accounts.eid import EidIdentity
from accounts.http import ASCII_ID, AuthenticatedHttpRequest
from accounts.identity import masked
from accounts.mandates import principals_of
from accounts.models import Municipality
from accounts.permissions import applicant_required
from accounts.services import applicant_get_or_create
from intake import services
from intake.states import Status


@applicant_required
@require_http_methods(["GET"])
def represented_list(request: AuthenticatedHttpRequest) -> HttpResponse:
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
def represented_start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Start (or resume) this month's application for a person one represents."""
    mandate = access_own_mandate(request.user, pk)
    if mandate is None:
        raise Http404  # not theirs, or no longer active: nothing to say about it
    municipality_pk = request.POST.get("municipality", "")
    municipality = (
        Municipality.objects.filter(pk=int(municipality_pk)).first()
        if ASCII_ID.fullmatch(municipality_pk)
        else None
    )
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
