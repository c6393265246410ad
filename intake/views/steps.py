"""The form's steps: the household, partner and children, housing, other costs, incomes and
assets; each saves as the applicant goes (and autosaves with JavaScript)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms as django_forms
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import applicant_required
from intake import services
from intake.access import (
    access_application,
)
from intake.forms import (
    HOUSING_FIELDS,
    OTHER_COST_FIELDS,
    AssetsForm,
    BaseChildFormSet,
    ChildFormSet,
    HouseholdForm,
    HousingForm,
    IncomesForm,
    MunicipalityForm,
    OtherCostsForm,
    PartnerForm,
    PaymentForm,
)
from intake.models import Application, IncomeType, MemberRole
from intake.states import NoLongerADraft, Status

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Step:
    url_name: str
    label: StrOrPromise
    applies: Callable[[Application], bool] = lambda application: True
    part_of: str = ""  # a page within another step (partner and children within the household)


def _has(role: str) -> Callable[[Application], bool]:
    return lambda application: application.members.filter(role=role).exists()


STEPS = [
    Step("intake:step_household", gettext_lazy("Hushåll")),
    Step(
        "intake:step_partner",
        gettext_lazy("Partner"),
        _has(MemberRole.PARTNER),
        part_of="intake:step_household",
    ),
    Step(
        "intake:step_children",
        gettext_lazy("Barn"),
        _has(MemberRole.CHILD),
        part_of="intake:step_household",
    ),
    Step("intake:step_housing", gettext_lazy("Boende")),
    Step("intake:step_other_costs", gettext_lazy("Andra kostnader")),
    Step("intake:step_incomes", gettext_lazy("Inkomster")),
    Step("intake:step_assets", gettext_lazy("Tillgångar")),
    Step("intake:step_payment", gettext_lazy("Utbetalning")),
    Step("intake:step_attachments", gettext_lazy("Dokument")),
    Step("intake:step_review", gettext_lazy("Kontrollera och skicka")),
]


def draft_for_applicant(request: AuthenticatedHttpRequest, pk: int) -> Application:
    """The applicant's draft; their application that is no longer a draft raises
    `NoLongerADraft` (answered with its status page), anyone else's is a 404."""
    application = access_application(request.user, pk)
    if application.status != Status.DRAFT:
        raise NoLongerADraft(f"application {pk} is {application.status}")
    return application


MAIN_STEPS = [s.url_name for s in STEPS if not s.part_of]


def step_context(application: Application, current: str) -> dict[str, Any]:
    """The progress: "Steg n av N" counts the main steps only, so N never changes while the
    applicant goes (the partner's and children's pages are part of step 1, the household), and
    the back link goes to the page before this one."""
    applying = [s for s in STEPS if s.applies(application)]
    names = [s.url_name for s in applying]
    step = next((s for s in STEPS if s.url_name == current), None)
    main = (step.part_of or step.url_name) if step else ""
    number = MAIN_STEPS.index(main) + 1 if main in MAIN_STEPS else None
    if current in names and names.index(current) > 0:
        back = reverse(names[names.index(current) - 1], args=[application.pk])
    elif application.kind == "renewal":
        back = reverse("intake:application_changes", args=[application.pk])
    else:
        back = reverse("intake:application_list")
    return {
        "application": application,
        "steps": [(s.url_name, s.label, bool(s.part_of)) for s in applying],
        "current_step": current,
        "step_number": number,
        "step_count": len(MAIN_STEPS),
        "back_url": back,
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
    note = data.pop("change_reason", None)
    services.application_set_incomes(
        application=application,
        incomes={kind: amount for kind, amount in data.items() if kind in IncomeType.values},
        change_note=note,
    )


def _prefilled_incomes(application: Application) -> dict[str, Any]:
    return {"prefilled": {kind: Decimal(v) for kind, v in application.prefilled_incomes.items()}}


def _save_assets(application: Application, data: dict[str, Any]) -> None:
    services.application_set_assets(application=application, assets=data)


def _save_payment(application: Application, data: dict[str, Any]) -> None:
    services.application_set_payment_account(
        application=application, bank_account=data["bank_account"]
    )


@dataclass(frozen=True)
class FormStep:
    form_class: type[django_forms.Form]
    template: str
    initial: Callable[[Application], dict[str, Any]]
    save: Callable[[Application, dict[str, Any]], None]
    form_kwargs: Callable[[Application], dict[str, Any]] = lambda application: {}

    def form(self, application: Application, data: Any = None) -> django_forms.Form:
        kwargs = self.form_kwargs(application)
        if data is None:
            return self.form_class(initial=self.initial(application), **kwargs)
        return self.form_class(data, **kwargs)


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


def _next_after_household(application: Application, data: dict[str, Any]) -> str:
    if data["has_partner"]:
        return "intake:step_partner"
    if data["has_children"]:
        return "intake:step_children"
    return "intake:step_housing"


def draft_saved(application: Application, step: str = "") -> None:
    services.application_touch(application=application, answered=step)


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
        lambda a: {
            **{i.type: _shown(i.amount) for i in a.incomes.all()},
            "change_reason": a.income_change_note,
        },
        _save_incomes,
        _prefilled_incomes,
    ),
    "assets": FormStep(
        AssetsForm,
        "intake/step_assets.html",
        lambda a: {f: _shown(getattr(a, f)) for f in services.ASSET_FIELDS},
        _save_assets,
    ),
    "payment": FormStep(
        PaymentForm,
        "intake/step_payment.html",
        lambda a: {"bank_account": a.applicant.bank_account},
        _save_payment,
    ),
}


NEXT: dict[str, str | Callable[[Application, dict[str, Any]], str]] = {
    "household": _next_after_household,
    "partner": "intake:step_housing",
    "housing": "intake:step_other_costs",
    "other_costs": "intake:step_incomes",
    "incomes": "intake:step_assets",
    "assets": "intake:step_payment",
    "payment": "intake:step_attachments",
}


def _form_step(request: AuthenticatedHttpRequest, pk: int, key: str) -> HttpResponse:
    application = draft_for_applicant(request, pk)
    step = FORM_STEPS[key]
    if request.method == "POST":
        form = step.form(application, request.POST)
        valid = form.is_valid()
        if valid:
            try:
                step.save(application, form.cleaned_data)
            except services.HouseholdInvalid as exc:  # e.g. the applicant's own as partner
                form.add_error(None, str(exc))
                valid = False
        if valid:
            draft_saved(application, key)
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
        form = step.form(application)
    return TemplateResponse(
        request,
        step.template,
        {
            **step_context(application, f"intake:step_{key}"),
            "household_members": (
                application.members.exclude(role=MemberRole.APPLICANT) if key == "household" else []
            ),
            "form": form,
            "autosave_url": reverse("intake:autosave", args=[application.pk, key]),
        },
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def step_household(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _form_step(request, pk, "household")


@applicant_required
@require_http_methods(["GET", "POST"])
def step_partner(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _form_step(request, pk, "partner")


@applicant_required
@require_http_methods(["GET", "POST"])
def step_housing(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _form_step(request, pk, "housing")


@applicant_required
@require_http_methods(["GET", "POST"])
def step_other_costs(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _form_step(request, pk, "other_costs")


@applicant_required
@require_http_methods(["GET", "POST"])
def step_incomes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _form_step(request, pk, "incomes")


@applicant_required
@require_http_methods(["GET", "POST"])
def step_assets(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _form_step(request, pk, "assets")


@applicant_required
@require_http_methods(["GET", "POST"])
def step_payment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _form_step(request, pk, "payment")


@applicant_required
@require_http_methods(["GET", "POST"])
def step_municipality(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change the municipality applied to (linked from check answers)."""
    application = draft_for_applicant(request, pk)
    if request.method == "POST":
        form = MunicipalityForm(request.POST)
        if form.is_valid():
            services.application_change_municipality(
                application=application, municipality=form.cleaned_data["municipality"]
            )
            draft_saved(application)
            return redirect("intake:step_review", pk=application.pk)
    else:
        form = MunicipalityForm(initial={"municipality": application.municipality_id})
    context = step_context(application, "intake:step_review")
    context["back_url"] = reverse("intake:step_review", args=[application.pk])
    return TemplateResponse(
        request,
        "intake/step_municipality.html",
        {**context, "form": form},
        status=400 if form.errors else 200,
    )


def unanswered_steps(application: Application) -> list[str]:
    """The steps of the form the applicant has not saved ("housing", ...), for check answers:
    an unanswered page is marked there, never shown as "0 kr" or "Nej"."""
    if application.kind == "renewal":
        return []
    keys = []
    for step in STEPS:
        key = step.url_name.removeprefix("intake:step_")
        if key in ("attachments", "review"):
            continue
        if step.applies(application) and key not in application.answered_steps:
            keys.append(key)
    return keys


def first_unanswered_step(application: Application) -> str:
    """Where a person who comes back continues: the first step they have not saved."""
    for step in STEPS:
        key = step.url_name.removeprefix("intake:step_")
        if key in ("attachments", "review"):
            break
        if step.applies(application) and key not in application.answered_steps:
            return step.url_name
    return "intake:step_review" if application.answered_steps else "intake:step_household"


@applicant_required
@require_http_methods(["GET"])
def application_resume(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = draft_for_applicant(request, pk)
    if services.application_signature_state(application) == "awaiting_partner":
        return redirect("intake:step_review", pk=application.pk)  # says what it waits for
    if application.kind == "renewal":  # "has anything changed since last month?" first
        return redirect("intake:application_changes", pk=application.pk)
    return redirect(first_unanswered_step(application), pk=application.pk)


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
    formset = cast(
        BaseChildFormSet,
        ChildFormSet(data, prefix="children", initial=initial if data is None else None),
    )
    formset.taken = frozenset(
        number
        for number in [
            application.applicant.personnummer,
            *application.members.filter(role=MemberRole.PARTNER).values_list(
                "personnummer", flat=True
            ),
        ]
        if number
    )
    return formset


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
def step_children(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = draft_for_applicant(request, pk)
    if request.method == "POST":
        formset = _children_formset(application, request.POST)
        saved = False
        if formset.is_valid():
            try:
                _save_children(application, formset)
                saved = True
            except services.HouseholdInvalid as exc:  # e.g. a "child" older than 20
                formset.add_household_error(str(exc))
        if saved:
            draft_saved(application, "children")
            if request.POST.get("action") == "review":
                return redirect("intake:step_review", pk=application.pk)
            return redirect("intake:step_housing", pk=application.pk)
    else:
        formset = _children_formset(application)
    return TemplateResponse(
        request,
        "intake/step_children.html",
        {
            **step_context(application, "intake:step_children"),
            "formset": formset,
            "autosave_url": reverse("intake:autosave", args=[application.pk, "children"]),
        },
    )


@applicant_required
@require_POST
def autosave(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    """htmx: save a page's answers on the server as they change ("Sparat kl. 14:32").

    Invalid answers are not saved (the page shows its errors when sent); the applicant is told
    that this page is not saved yet, so nothing is lost without them knowing.
    """
    application = draft_for_applicant(request, pk)
    saved = False
    if step == "children":
        formset = _children_formset(application, request.POST)
        if formset.is_valid():
            with contextlib.suppress(services.HouseholdInvalid):  # shown when the page is sent
                _save_children(application, formset)
                saved = True
    elif step in FORM_STEPS:
        form = FORM_STEPS[step].form(application, request.POST)
        if form.is_valid():
            with contextlib.suppress(services.HouseholdInvalid):  # shown when the page is sent
                FORM_STEPS[step].save(application, form.cleaned_data)
                saved = True
    else:
        raise Http404
    if saved:
        draft_saved(application, step)
    return TemplateResponse(
        request,
        "intake/_save_status.html",
        {"saved_at": application.updated_at, "not_saved": not saved},
    )
