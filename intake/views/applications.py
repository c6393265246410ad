"""The applicant's applications: the list, starting (new, renewal, prefilled household),
withdrawing."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.identity import age_on
from accounts.models import Municipality
from accounts.permissions import applicant_required
from intake import events, services
from intake.access import (
    access_application,
    applications_as_partner,
    applications_visible_to,
)
from intake.forms import (
    StartForm,
)
from intake.models import Application, ApplicationKind, MemberRole
from intake.states import Status


def _open_months(today: date) -> list[date]:
    opens = min(
        Municipality.objects.values_list("application_window_opens_day", flat=True), default=15
    )
    return services.application_months_open(today=today, opens_day=opens)


REGISTERED_MUNICIPALITY = "registered_municipality"  # session key: the code, "" when unknown


def registered_municipality_code(request: AuthenticatedHttpRequest) -> str:
    """Where the population register places the person (asked once per login session)."""
    if REGISTERED_MUNICIPALITY not in request.session:
        code = events.registered_municipality.ask(
            events.ResidenceQuery(
                personnummer=request.user.personnummer or "",
                month=timezone.localdate().replace(day=1),
            )
        )
        request.session[REGISTERED_MUNICIPALITY] = code or ""
    return str(request.session[REGISTERED_MUNICIPALITY])


def start_form(request: AuthenticatedHttpRequest) -> tuple[StartForm, dict[str, object]]:
    """The start form with the registered municipality chosen, and what to say about it."""
    municipalities = Municipality.objects.order_by("name")
    code = registered_municipality_code(request) if request.user.personnummer else ""
    registered = municipalities.filter(code=code).first() if code else None
    form = StartForm(
        initial={"municipality": registered.pk} if registered else {},
        municipalities=municipalities,
    )
    return form, {
        "registered_municipality": registered,
        "registered_elsewhere": bool(code) and registered is None,
    }


@applicant_required
@require_http_methods(["GET"])
def application_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    applications = list(applications_visible_to(request.user).select_related("municipality"))
    for application in applications:  # what a draft waits for: "waiting for X's signature"
        if application.is_draft:
            application.signature_state = services.application_signature_state(application)  # type: ignore[attr-defined]
    as_partner = list(applications_as_partner(request.user).select_related("applicant"))
    for joint in as_partner:
        joint.signature_state = services.application_signature_state(joint)  # type: ignore[attr-defined]
    form, residence = start_form(request)
    return TemplateResponse(
        request,
        "intake/application_list.html",
        {
            "applications": applications,
            "drafts": [a for a in applications if a.is_draft],
            "as_partner": as_partner,
            "form": form,
            **residence,
            "months": _open_months(timezone.localdate()),
        },
    )


def _prefill_household(application: Application) -> None:
    """A new application: propose the household the population register knows (asked of the
    robot's registers through `events.registered_household`)."""
    if application.kind != ApplicationKind.NEW or application.household_source:
        return
    if application.members.exclude(role=MemberRole.APPLICANT).exists():
        return
    found = events.registered_household.ask(
        events.HouseholdQuery(
            personnummer=application.applicant.personnummer or "",
            month=application.month,
            municipality_code=application.municipality.code,
            case_reference=application.reference,
        )
    )
    if found is None:
        return
    members = [
        services.MemberInput(person.role, person.name, person.personnummer)
        for person in found
        if person.role == MemberRole.PARTNER
        or (person.role == MemberRole.CHILD and age_on(person.personnummer, application.month) < 21)
    ]
    services.application_prefill_household(
        application=application, members=members, source="population_register"
    )


def _prefill_incomes(application: Application) -> None:
    """A new application: propose what Försäkringskassan paid the household's adults last
    month (asked of the robot's registers through `events.registered_incomes`)."""
    if application.kind != ApplicationKind.NEW or application.prefilled_incomes:
        return
    if application.incomes.exists():
        return
    adults = tuple(
        number
        for number in application.members.filter(
            role__in=[MemberRole.APPLICANT, MemberRole.PARTNER]
        ).values_list("personnummer", flat=True)
        if number
    )
    if not adults:
        return
    found = events.registered_incomes.ask(
        events.IncomeQuery(
            personnummers=adults,
            month=application.month,
            municipality_code=application.municipality.code,
            case_reference=application.reference,
        )
    )
    if found:
        services.application_prefill_incomes(application=application, incomes=found)


@applicant_required
@require_POST
def application_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = StartForm(request.POST, municipalities=Municipality.objects.all())
    if not form.is_valid():
        for error in form.errors.get("municipality", []):
            messages.error(request, str(error))
        return redirect("intake:application_list")
    municipality = form.cleaned_data["municipality"]
    today = timezone.localdate()
    open_months = services.application_months_open(
        today=today, opens_day=municipality.application_window_opens_day
    )
    try:
        month = date.fromisoformat(request.POST.get("month", "") + "-01")
    except ValueError:
        month = open_months[0]
    if month not in open_months:
        messages.error(
            request,
            _("Ansökan för %(month)s öppnar den %(day)s %(opens)s.")
            % {
                "month": date_format(month, "F Y"),
                "day": municipality.application_window_opens_day,
                "opens": date_format(open_months[0], "F"),
            },
        )
        return redirect("intake:application_list")
    application = services.application_start(
        applicant=request.user, municipality=municipality, month=month, as_partner_too=True
    )
    if application.applicant_id != request.user.pk:  # the partner in the month's joint one
        messages.info(request, _("Du finns redan med i en ansökan för månaden, som medsökande."))
        return redirect("intake:partner_review", pk=application.pk)
    if application.status != Status.DRAFT:
        return redirect("intake:application_detail", pk=application.pk)
    if application.kind == ApplicationKind.RENEWAL:
        return redirect("intake:application_changes", pk=application.pk)
    _prefill_household(application)
    _prefill_incomes(application)
    return redirect("intake:step_household", pk=application.pk)


@applicant_required
@require_POST
def application_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk)
    if application.status == Status.WITHDRAWN:  # a double click: the first one did it
        messages.info(request, _("Ansökan %(ref)s är återtagen.") % {"ref": application.reference})
        return redirect("intake:application_list")
    if application.status not in (Status.DRAFT, Status.SUBMITTED, Status.AWAITING_SUPPLEMENT):
        messages.error(request, _("Ansökan kan inte återtas nu, den handläggs redan."))
        return redirect("intake:application_detail", pk=application.pk)
    services.application_withdraw(application=application, applicant=request.user)
    messages.success(request, _("Ansökan %(ref)s är återtagen.") % {"ref": application.reference})
    return redirect("intake:application_list")
