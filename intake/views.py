"""The applicant's pages: thin views over the services. Every page works without JavaScript;
htmx adds autosave (a form's changes are saved on the server half a second after they happen)
and the status page's polling. Nothing personal is ever kept in the browser (docs/adr/0003)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.identity import age_on
from accounts.models import Municipality
from accounts.permissions import applicant_required
from intake import events, services
from intake.access import (
    access_application,
    access_application_as_partner,
    applications_as_partner,
    applications_visible_to,
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
    HOUSING_FIELDS,
    OTHER_COST_FIELDS,
    AssetsForm,
    AttachmentForm,
    ChangesForm,
    ChildFormSet,
    DeclarationForm,
    FeedbackForm,
    HouseholdForm,
    HousingForm,
    IncomesForm,
    MessageForm,
    OtherCostsForm,
    PartnerDeclineForm,
    PartnerForm,
    StartForm,
)
from intake.models import Application, ApplicationKind, AttachmentKind, MemberRole, ScanStatus
from intake.states import Status

# ---------------------------------------------------------------------------------------------
# The form: one topic per page


@dataclass(frozen=True)
class Step:
    url_name: str
    label: str
    applies: Callable[[Application], bool] = lambda application: True


def _has(role: str) -> Callable[[Application], bool]:
    return lambda application: application.members.filter(role=role).exists()


STEPS = [
    Step("intake:step_household", gettext_lazy("Hushåll")),
    Step("intake:step_partner", gettext_lazy("Partner"), _has(MemberRole.PARTNER)),
    Step("intake:step_children", gettext_lazy("Barn"), _has(MemberRole.CHILD)),
    Step("intake:step_housing", gettext_lazy("Boende")),
    Step("intake:step_other_costs", gettext_lazy("Andra kostnader")),
    Step("intake:step_incomes", gettext_lazy("Inkomster")),
    Step("intake:step_assets", gettext_lazy("Tillgångar")),
    Step("intake:step_attachments", gettext_lazy("Dokument")),
    Step("intake:step_review", gettext_lazy("Kontrollera och skicka")),
]


def _draft(request: HttpRequest, pk: int) -> Application:
    application = access_application(
        request.user, pk, Application.objects.filter(status=Status.DRAFT)
    )
    return application


def _step_context(application: Application, current: str) -> dict[str, Any]:
    steps = [(s.url_name, s.label) for s in STEPS if s.applies(application)]
    names = [name for name, _label in steps]
    number = names.index(current) + 1 if current in names else None
    return {
        "application": application,
        "steps": steps,
        "current_step": current,
        "step_number": number,
        "step_count": len(steps),
        "saved_at": application.updated_at,
        "signature_state": services.application_signature_state(application),
    }


def _members(application: Application) -> list[services.MemberInput]:
    return [
        services.MemberInput(m.role, m.name, m.personnummer, m.preschool_lunch, m.in_school)
        for m in application.members.exclude(role=MemberRole.APPLICANT)
    ]


def _applicant_name(application: Application) -> str:
    return application.members.get(role=MemberRole.APPLICANT).name


def _set_members(
    application: Application, *, name: str | None = None, role: str, members: list[Any]
) -> None:
    """Replace the members of one role, keep the others."""
    others = [m for m in _members(application) if m.role != role] + members
    services.application_set_household(
        application=application,
        applicant_name=name if name is not None else _applicant_name(application),
        others=others,
    )


def _save_household(application: Application, data: dict[str, Any]) -> None:
    others = _members(application)
    if not data["has_partner"]:
        others = [m for m in others if m.role != MemberRole.PARTNER]
    if not data["has_children"]:
        others = [m for m in others if m.role != MemberRole.CHILD]
    services.application_set_household(
        application=application, applicant_name=data["applicant_name"], others=others
    )


def _save_partner(application: Application, data: dict[str, Any]) -> None:
    _set_members(
        application,
        role=MemberRole.PARTNER,
        members=[
            services.MemberInput(
                MemberRole.PARTNER, data["partner_name"], data["partner_personnummer"]
            )
        ],
    )


def _save_costs(fields: tuple[str, ...]) -> Callable[[Application, dict[str, Any]], None]:
    def save(application: Application, data: dict[str, Any]) -> None:
        costs = {name: getattr(application, name) for name in services.COST_FIELDS}
        costs.update({name: data.get(name) or Decimal(0) for name in fields})
        services.application_set_costs(application=application, costs=costs)

    return save


def _save_incomes(application: Application, data: dict[str, Any]) -> None:
    services.application_set_incomes(application=application, incomes=data)


def _save_assets(application: Application, data: dict[str, Any]) -> None:
    services.application_set_assets(application=application, assets=data)


@dataclass(frozen=True)
class FormStep:
    form_class: type[django_forms.Form]
    template: str
    initial: Callable[[Application], dict[str, Any]]
    save: Callable[[Application, dict[str, Any]], None]


def _shown(value: Any) -> Any:
    """An amount as the applicant typed it: 7300, not 7300.00; empty when nothing."""
    if isinstance(value, Decimal):
        if not value:
            return None
        return value.quantize(Decimal(1)) if value == value.to_integral_value() else value
    return value


def _household_initial(application: Application) -> dict[str, Any]:
    roles = set(application.members.values_list("role", flat=True))
    return {
        "applicant_name": _applicant_name(application),
        "has_partner": MemberRole.PARTNER in roles,
        "has_children": MemberRole.CHILD in roles,
    }


def _partner_initial(application: Application) -> dict[str, Any]:
    partner = application.members.filter(role=MemberRole.PARTNER).first()
    return (
        {"partner_name": partner.name, "partner_personnummer": partner.personnummer}
        if partner
        else {}
    )


FORM_STEPS: dict[str, FormStep] = {
    "household": FormStep(
        HouseholdForm, "intake/step_household.html", _household_initial, _save_household
    ),
    "partner": FormStep(PartnerForm, "intake/step_partner.html", _partner_initial, _save_partner),
    "housing": FormStep(
        HousingForm,
        "intake/step_housing.html",
        lambda a: {f: _shown(getattr(a, f)) for f in HOUSING_FIELDS},
        _save_costs(HOUSING_FIELDS),
    ),
    "other_costs": FormStep(
        OtherCostsForm,
        "intake/step_other_costs.html",
        lambda a: {f: _shown(getattr(a, f)) for f in OTHER_COST_FIELDS},
        _save_costs(OTHER_COST_FIELDS),
    ),
    "incomes": FormStep(
        IncomesForm,
        "intake/step_incomes.html",
        lambda a: {i.type: _shown(i.amount) for i in a.incomes.all()},
        _save_incomes,
    ),
    "assets": FormStep(
        AssetsForm,
        "intake/step_assets.html",
        lambda a: {f: _shown(getattr(a, f)) for f in services.ASSET_FIELDS},
        _save_assets,
    ),
}


def _next_after_household(application: Application, data: dict[str, Any]) -> str:
    if data["has_partner"]:
        return "intake:step_partner"
    if data["has_children"]:
        return "intake:step_children"
    return "intake:step_housing"


NEXT: dict[str, str | Callable[[Application, dict[str, Any]], str]] = {
    "household": _next_after_household,
    "partner": "intake:step_housing",
    "housing": "intake:step_other_costs",
    "other_costs": "intake:step_incomes",
    "incomes": "intake:step_assets",
    "assets": "intake:step_attachments",
}


def _saved(application: Application) -> None:
    services.application_touch(application=application)


def _form_step(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    application = _draft(request, pk)
    step = FORM_STEPS[key]
    if request.method == "POST":
        form = step.form_class(request.POST)
        if form.is_valid():
            step.save(application, form.cleaned_data)
            _saved(application)
            if request.POST.get("action") == "review":
                return redirect("intake:step_review", pk=application.pk)
            target = NEXT[key]
            name = target(application, form.cleaned_data) if callable(target) else target
            children_next = key == "household" and form.cleaned_data["has_children"]
            if key == "partner" and request.GET.get("barn"):
                name = "intake:step_children"
            url = reverse(name, args=[application.pk])
            if name == "intake:step_partner" and children_next:
                url += "?barn=1"  # the household page said children live here: ask next
            return redirect(url)
    else:
        form = step.form_class(initial=step.initial(application))
    return TemplateResponse(
        request,
        step.template,
        {
            **_step_context(application, f"intake:step_{key}"),
            "form": form,
            "autosave_url": reverse("intake:autosave", args=[application.pk, key]),
        },
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def step_household(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_step(request, pk, "household")


@applicant_required
@require_http_methods(["GET", "POST"])
def step_partner(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_step(request, pk, "partner")


@applicant_required
@require_http_methods(["GET", "POST"])
def step_housing(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_step(request, pk, "housing")


@applicant_required
@require_http_methods(["GET", "POST"])
def step_other_costs(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_step(request, pk, "other_costs")


@applicant_required
@require_http_methods(["GET", "POST"])
def step_incomes(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_step(request, pk, "incomes")


@applicant_required
@require_http_methods(["GET", "POST"])
def step_assets(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_step(request, pk, "assets")


def _children_formset(application: Application, data: Any = None) -> Any:
    children = application.members.filter(role=MemberRole.CHILD)
    initial = [
        {
            "name": c.name,
            "personnummer": c.personnummer,
            "preschool_lunch": c.preschool_lunch,
            "in_school": c.in_school,
        }
        for c in children
    ]
    return ChildFormSet(data, prefix="children", initial=initial if data is None else None)


def _save_children(application: Application, formset: Any) -> int:
    children = [
        services.MemberInput(
            MemberRole.CHILD,
            child["name"],
            child["personnummer"],
            child.get("preschool_lunch", False),
            child.get("in_school", False),
        )
        for child in formset.cleaned_data
        if child and child.get("personnummer")
    ]
    _set_members(application, role=MemberRole.CHILD, members=children)
    return len(children)


@applicant_required
@require_http_methods(["GET", "POST"])
def step_children(request: HttpRequest, pk: int) -> HttpResponse:
    application = _draft(request, pk)
    if request.method == "POST":
        formset = _children_formset(application, request.POST)
        if formset.is_valid():
            _save_children(application, formset)
            _saved(application)
            if request.POST.get("action") == "review":
                return redirect("intake:step_review", pk=application.pk)
            return redirect("intake:step_housing", pk=application.pk)
    else:
        formset = _children_formset(application)
    return TemplateResponse(
        request,
        "intake/step_children.html",
        {
            **_step_context(application, "intake:step_children"),
            "formset": formset,
            "autosave_url": reverse("intake:autosave", args=[application.pk, "children"]),
        },
    )


@applicant_required
@require_POST
def autosave(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """htmx: save a page's answers on the server as they change ("Sparat kl. 14:32").

    Invalid answers are not saved (the page shows its errors when sent); the applicant is told
    that this page is not saved yet, so nothing is lost without them knowing.
    """
    application = _draft(request, pk)
    saved = False
    if step == "children":
        formset = _children_formset(application, request.POST)
        if formset.is_valid():
            _save_children(application, formset)
            saved = True
    elif step in FORM_STEPS:
        form = FORM_STEPS[step].form_class(request.POST)
        if form.is_valid():
            FORM_STEPS[step].save(application, form.cleaned_data)
            saved = True
    else:
        raise Http404
    if saved:
        _saved(application)
    return TemplateResponse(
        request,
        "intake/_save_status.html",
        {"saved_at": application.updated_at, "not_saved": not saved},
    )


# --- Attachments ------------------------------------------------------------------------------


def _upload(request: HttpRequest, application: Application, *, kind: str | None = None) -> Any:
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
                _("Vi har tagit emot %(name)s %(when)s. Kontrollsumma (SHA-256): %(sha)s")
                % {
                    "name": attachment.original_name,
                    "when": date_format(
                        timezone.localtime(attachment.uploaded_at), "j F Y \\k\\l. H:i"
                    ),
                    "sha": attachment.sha256,
                },
            )
            return None
    return form


def _documents_context(application: Application) -> dict[str, Any]:
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
def step_attachments(request: HttpRequest, pk: int) -> HttpResponse:
    application = _draft(request, pk)
    form = AttachmentForm()
    if request.method == "POST":
        bound = _upload(request, application)
        if bound is None:
            _saved(application)
            return redirect("intake:step_attachments", pk=application.pk)
        form = bound
    return TemplateResponse(
        request,
        "intake/step_attachments.html",
        {
            **_step_context(application, "intake:step_attachments"),
            **_documents_context(application),
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@applicant_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    application = _draft(request, pk)
    attachment = application.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    attachment_delete(attachment=attachment)
    _saved(application)
    messages.success(request, _("Dokumentet %(name)s är borttaget.") % {"name": attachment})
    return redirect("intake:step_attachments", pk=application.pk)


@applicant_required
@require_http_methods(["GET"])
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
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


# --- Check answers, signing, confirmation -----------------------------------------------------


def _review_context(application: Application) -> dict[str, Any]:
    return {
        "members": application.members.all(),
        "incomes": application.incomes.all(),
        **_documents_context(application),
    }


@applicant_required
@require_http_methods(["GET", "POST"])
def step_review(request: HttpRequest, pk: int) -> HttpResponse:
    application = _draft(request, pk)
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        application = services.application_submit(application=application, applicant=request.user)
        if application.status == Status.DRAFT:  # joint: waits for the partner
            return redirect("intake:step_review", pk=application.pk)
        return redirect("intake:application_sent", pk=application.pk)
    declines = application.signatures.filter(declined_at__isnull=False)
    return TemplateResponse(
        request,
        "intake/step_review.html",
        {
            **_step_context(application, "intake:step_review"),
            **_review_context(application),
            "form": form,
            "decline": declines.first(),
        },
        status=400 if form.errors else 200,
    )


@applicant_required
@require_http_methods(["GET"])
def application_sent(request: HttpRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk, Application.objects.submitted())
    return TemplateResponse(request, "intake/application_sent.html", {"application": application})


@applicant_required
@require_http_methods(["GET", "POST"])
def application_changes(request: HttpRequest, pk: int) -> HttpResponse:
    """A renewal prefilled from last month: "Har något ändrats?"."""
    application = _draft(request, pk)
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


# --- The partner's side of a joint application ------------------------------------------------


@applicant_required
@require_http_methods(["GET"])
def partner_review(request: HttpRequest, pk: int) -> HttpResponse:
    application = access_application_as_partner(request.user, pk)
    return TemplateResponse(
        request,
        "intake/partner_review.html",
        {
            "application": application,
            "state": services.application_signature_state(application),
            "form": DeclarationForm(),
            "decline_form": PartnerDeclineForm(),
            **_review_context(application),
        },
    )


@applicant_required
@require_POST
def partner_sign(request: HttpRequest, pk: int) -> HttpResponse:
    application = access_application_as_partner(request.user, pk)
    form = DeclarationForm(request.POST)
    if form.is_valid():
        try:
            services.application_partner_sign(application=application, partner=request.user)
        except services.ApplicationIncomplete:
            messages.error(request, _("Ansökan kan inte skrivas under just nu."))
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
def partner_decline(request: HttpRequest, pk: int) -> HttpResponse:
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


# --- The list, starting, renewing -------------------------------------------------------------


def _open_months(today: date) -> list[date]:
    opens = min(
        Municipality.objects.values_list("application_window_opens_day", flat=True), default=15
    )
    return services.application_months_open(today=today, opens_day=opens)


@applicant_required
@require_http_methods(["GET"])
def application_list(request: HttpRequest) -> HttpResponse:
    applications = applications_visible_to(request.user).select_related("municipality")
    form = StartForm(municipalities=Municipality.objects.all())
    return TemplateResponse(
        request,
        "intake/application_list.html",
        {
            "applications": applications,
            "drafts": [a for a in applications if a.is_draft],
            "as_partner": applications_as_partner(request.user),
            "form": form,
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


@applicant_required
@require_POST
def application_start(request: HttpRequest) -> HttpResponse:
    form = StartForm(request.POST, municipalities=Municipality.objects.all())
    if not form.is_valid():
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
        applicant=request.user, municipality=municipality, month=month
    )
    if application.status != Status.DRAFT:
        return redirect("intake:application_detail", pk=application.pk)
    if application.kind == ApplicationKind.RENEWAL:
        return redirect("intake:application_changes", pk=application.pk)
    _prefill_household(application)
    return redirect("intake:step_household", pk=application.pk)


@applicant_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
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


# --- The status page --------------------------------------------------------------------------

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


def _status_context(application: Application) -> dict[str, Any]:
    decision = getattr(application, "decision", None) if application.is_decided else None
    meeting = (
        application.meetings.filter(cancelled_at__isnull=True).select_related("secretary").first()
    )
    stages = [
        (Status.SUBMITTED, gettext_lazy("Mottagen")),
        (Status.PROCESSING, gettext_lazy("Roboten arbetar")),
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
        more.update(extra)  # the case's contact person, a decision's appeal deadline, ...
    return {
        **more,
        "application": application,
        "decision": decision,
        "meeting": meeting,
        "explained": EXPLAINED.get(Status(application.status), ""),
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


def _detail_context(request: HttpRequest, application: Application) -> dict[str, Any]:
    return {
        **_status_context(application),
        **_documents_context(application),
        "upload_form": AttachmentForm(initial={"kind": AttachmentKind.SUPPLEMENT}),
        "message_form": MessageForm(),
        "thread": application.messages.select_related("author"),
        "can_withdraw": application.status in (Status.SUBMITTED, Status.AWAITING_SUPPLEMENT),
    }


@applicant_required
@require_http_methods(["GET"])
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk)
    if application.status == Status.DRAFT:
        return redirect("intake:step_household", pk=application.pk)
    # Shown: a decision on it counts as opened (its delivery record, caseworker.letters).
    events.application_shown.publish(events.ApplicationShown(application, request.user))
    if request.htmx:
        return TemplateResponse(
            request, "intake/_application_status.html", _status_context(application)
        )
    services.messages_mark_read(application=application, reader=request.user)
    return TemplateResponse(
        request, "intake/application_detail.html", _detail_context(request, application)
    )


@applicant_required
@require_POST
def supplement_upload(request: HttpRequest, pk: int) -> HttpResponse:
    application = access_application(
        request.user, pk, Application.objects.filter(status=Status.AWAITING_SUPPLEMENT)
    )
    bound = _upload(request, application, kind=AttachmentKind.SUPPLEMENT)
    if bound is None:
        return redirect("intake:application_detail", pk=application.pk)
    context = _detail_context(request, application)
    context["upload_form"] = bound
    return TemplateResponse(request, "intake/application_detail.html", context, status=400)


@applicant_required
@require_POST
def supplement_send(request: HttpRequest, pk: int) -> HttpResponse:
    application = access_application(
        request.user, pk, Application.objects.filter(status=Status.AWAITING_SUPPLEMENT)
    )
    services.application_supplement_send(application=application, applicant=request.user)
    messages.success(request, _("Tack! Kompletteringen är skickad till din handläggare."))
    return redirect("intake:application_detail", pk=application.pk)


@applicant_required
@require_POST
def message_post(request: HttpRequest, pk: int) -> HttpResponse:
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


# --- Accessibility statement ------------------------------------------------------------------


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
