"""The case page's one-form actions: approve a section, ask for a supplement, register it, send
facts for communication, record the child-impact analysis, choose the track, resolve a link to
another application of the household, hand the case back to the robot. Each is a POST that
redirects back to the case page (or shows it with the form's errors); the access check and the
access log come from `caseworker.audit.door.case_view`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.utils.translation import gettext as _

from accounts.http import AuthenticatedHttpRequest
from caseworker.audit.door import case_view
from caseworker.decisions.households import household_link_resolve
from caseworker.decisions.pauses import (
    communication_send,
    supplement_received,
    supplement_request,
)
from caseworker.decisions.services import (
    application_return_to_robot,
    application_track_set,
    child_impact_record,
    section_approve,
)
from caseworker.workbench.case_page import (
    REFUSED,
    STALE,
    ButtonForm,
    back_to_case,
    case_page_response,
    case_refreshed,
)
from caseworker.workbench.forms import (
    ChildImpactForm,
    CommunicationForm,
    HouseholdLinkForm,
    SectionForm,
    SupplementForm,
    TrackForm,
)
from intake.models import Application


def _action(
    request: AuthenticatedHttpRequest,
    application: Application,
    form: Any,
    form_name: str,
    perform: Callable[[dict[str, Any]], object],
    done: str,
    anchor: str,
) -> HttpResponse:
    if request.method != "POST":
        return case_page_response(request, application)
    if form.is_valid():
        try:
            perform(form.cleaned_data)
        except REFUSED as exc:
            form.add_error(None, str(exc))
        except STALE:
            messages.error(request, _("Ärendet har redan ändrats av någon annan."))
            return back_to_case(application)
        else:
            messages.success(request, done)
            return back_to_case(application, anchor)
    return case_page_response(request, case_refreshed(application), bound={form_name: form})


@case_view()
def case_section_approve(
    request: AuthenticatedHttpRequest, application: Application
) -> HttpResponse:
    return _action(
        request,
        application,
        SectionForm(request.POST or None, auto_id="section_%s"),
        "section_form",
        lambda d: section_approve(application=application, section=d["section"], by=request.user),
        _("Delen är godkänd och låst."),
        "sections-heading",
    )


@case_view()
def case_supplement_request(
    request: AuthenticatedHttpRequest, application: Application
) -> HttpResponse:
    return _action(
        request,
        application,
        SupplementForm(request.POST or None, auto_id="supplement_%s"),
        "supplement_form",
        lambda d: supplement_request(
            application=application, by=request.user, what=d["what"], deadline=d["deadline"]
        ),
        _("Kompletteringen är begärd. Ärendet väntar."),
        "supplement-heading",
    )


@case_view()
def case_supplement_received(
    request: AuthenticatedHttpRequest, application: Application
) -> HttpResponse:
    return _action(
        request,
        application,
        ButtonForm(request.POST or None, auto_id="received_%s"),
        "received_form",
        lambda d: supplement_received(application=application, by=request.user),
        _("Kompletteringen är registrerad. Ärendet är återupptaget."),
        "supplement-heading",
    )


@case_view()
def case_communication_send(
    request: AuthenticatedHttpRequest, application: Application
) -> HttpResponse:
    return _action(
        request,
        application,
        CommunicationForm(request.POST or None, auto_id="communication_%s"),
        "communication_form",
        lambda d: communication_send(
            application=application, by=request.user, facts=d["facts"], reply_by=d["reply_by"]
        ),
        _("Uppgifterna är kommunicerade. Ärendet väntar på svar."),
        "communication-heading",
    )


@case_view()
def case_child_impact(request: AuthenticatedHttpRequest, application: Application) -> HttpResponse:
    return _action(
        request,
        application,
        ChildImpactForm(request.POST or None, auto_id="child_%s"),
        "child_form",
        lambda d: child_impact_record(application=application, by=request.user, text=d["text"]),
        _("Barnkonsekvensanalysen är sparad."),
        "child-heading",
    )


@case_view()
def case_track(request: AuthenticatedHttpRequest, application: Application) -> HttpResponse:
    return _action(
        request,
        application,
        TrackForm(request.POST or None, auto_id="track_%s"),
        "track_form",
        lambda d: application_track_set(
            application=application, by=request.user, track=d["track"], reason=d["reason"]
        ),
        _("Spåret är sparat."),
        "track-heading",
    )


@case_view()
def case_household_link(
    request: AuthenticatedHttpRequest, application: Application
) -> HttpResponse:
    """Resolve a link to another application of the month (#16 item 3): two households with
    a reason, or one household and which case continues."""
    verdicts = {
        "separate": ("separate", "this"),
        "keep_this": ("one_household", "this"),
        "keep_other": ("one_household", "other"),
    }
    return _action(
        request,
        application,
        HouseholdLinkForm(request.POST or None, auto_id="household_%s"),
        "household_form",
        lambda d: household_link_resolve(
            application=application,
            link_id=d["link"],
            by=request.user,
            resolution=verdicts[d["verdict"]][0],
            keep=verdicts[d["verdict"]][1],
            reason=d["reason"],
        ),
        _("Kopplingen är avgjord."),
        "household-heading",
    )


@case_view()
def case_return_to_robot(
    request: AuthenticatedHttpRequest, application: Application
) -> HttpResponse:
    if request.method != "POST":
        return case_page_response(request, application)
    try:
        application_return_to_robot(application=application, caseworker=request.user, reason="")
    except STALE:
        messages.error(request, _("Ärendet kunde inte skickas till roboten i sitt nuvarande läge."))
    return back_to_case(application)
