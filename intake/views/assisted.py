"""Staff pages: register an application with (or for) an applicant, and register mandates.

/handlaggare/registrera/          search by personnummer (POST only: never in a URL), start
/handlaggare/registrera/<pk>/     fill in the same forms; paper: register the signed paper, submit
/handlaggare/ombud/               register and revoke mandates (god man, förvaltare, ombud)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts import mandates
from accounts.access import access_mandate_in_municipality
from accounts.http import AuthenticatedHttpRequest
from accounts.identity import masked, normalise_personnummer
from accounts.models import Mandate, MandateKind
from accounts.permissions import caseworker_required, staff_municipality_id
from intake import events, services
from intake.access import access_registered_draft
from intake.forms import (
    AssetsForm,
    ChildFormSet,
    HousingForm,
    IncomesForm,
    OtherCostsForm,
    PartnerForm,
)
from intake.models import Application, ApplicationChannel, MemberRole
from intake.services import registration


class PersonnummerForm(forms.Form):
    personnummer = forms.CharField(label=gettext_lazy("Sökandens personnummer"), max_length=13)
    channel = forms.ChoiceField(
        label=gettext_lazy("Hur kommer ansökan in?"),
        choices=[
            (ApplicationChannel.ASSISTED, gettext_lazy("Vi fyller i den tillsammans nu")),
            (
                ApplicationChannel.PAPER,
                gettext_lazy("Sökanden har lämnat en undertecknad pappersansökan"),
            ),
        ],
        widget=forms.RadioSelect,
    )

    def clean_personnummer(self) -> str:
        return normalise_personnummer(self.cleaned_data["personnummer"])


class ApplicantNameForm(forms.Form):
    applicant_name = forms.CharField(label=gettext_lazy("Sökandens namn"), max_length=120)
    has_partner = forms.BooleanField(
        label=gettext_lazy("Sökanden har make, maka eller sambo"), required=False
    )


class PaperForm(forms.Form):
    document_reference = forms.CharField(
        label=gettext_lazy("Den undertecknade pappersansökan: registreringsnummer"), max_length=120
    )
    received_on = forms.DateField(
        label=gettext_lazy("Inkom"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=gettext_lazy("Anteckning"), max_length=300, required=False)


class MandateForm(forms.Form):
    representative_personnummer = forms.CharField(
        label=gettext_lazy("Företrädarens personnummer"), max_length=13
    )
    principal_personnummer = forms.CharField(
        label=gettext_lazy("Huvudmannens personnummer"), max_length=13
    )
    kind = forms.ChoiceField(label=gettext_lazy("Slag"), choices=MandateKind.choices)
    valid_from = forms.DateField(
        label=gettext_lazy("Gäller från"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Gäller till och med"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    document_reference = forms.CharField(
        label=gettext_lazy("Fullmakt eller förordnande: registreringsnummer"), max_length=120
    )

    def clean_representative_personnummer(self) -> str:
        return normalise_personnummer(self.cleaned_data["representative_personnummer"])

    def clean_principal_personnummer(self) -> str:
        return normalise_personnummer(self.cleaned_data["principal_personnummer"])


@caseworker_required
@require_http_methods(["GET", "POST"])
def register_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PersonnummerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = registration.application_register_start(
                staff=request.user,
                personnummer=form.cleaned_data["personnummer"],
                channel=form.cleaned_data["channel"],
            )
        except registration.AssistedRefused as exc:
            form.add_error(None, str(exc))
        else:
            if not application.is_draft:
                messages.info(request, _("Sökanden har redan skickat in en ansökan för månaden."))
                return redirect("assisted:register_start")
            return redirect("assisted:register_application", pk=application.pk)
    drafts = Application.objects.filter(
        assisted_by=request.user,
        status="draft",
        municipality_id=staff_municipality_id(request.user),
    ).select_related("applicant")
    return TemplateResponse(request, "intake/assisted_start.html", {"form": form, "drafts": drafts})


def _initial(application: Application) -> dict[str, Any]:
    members = list(application.members.all())
    me = next((m for m in members if m.role == MemberRole.APPLICANT), None)
    partner = next((m for m in members if m.role == MemberRole.PARTNER), None)
    return {
        "name": {"applicant_name": me.name if me else "", "has_partner": partner is not None},
        "partner": {
            "partner_name": partner.name if partner else "",
            "partner_personnummer": partner.personnummer if partner else "",
        },
        "children": [
            {
                "name": c.name,
                "personnummer": c.personnummer,
                "preschool_lunch": c.preschool_lunch,
                "in_school": c.in_school,
            }
            for c in members
            if c.role == MemberRole.CHILD
        ],
        "housing": {f: getattr(application, f) or None for f in HousingForm.base_fields},
        "other": {f: getattr(application, f) or None for f in OtherCostsForm.base_fields},
        "incomes": {i.type: i.amount for i in application.incomes.all()},
        "assets": {f: getattr(application, f) for f in services.ASSET_FIELDS},
        "paper": {
            "document_reference": application.paper_document_reference,
            "received_on": application.paper_received_on,
        },
    }


def _forms(application: Application, data: Any = None) -> dict[str, Any]:
    initial = _initial(application)
    bound = data is not None
    return {
        "name_form": ApplicantNameForm(data, prefix="name", initial=initial["name"]),
        "partner_form": PartnerForm(data, prefix="partner", initial=initial["partner"]),
        "children_formset": ChildFormSet(
            data, prefix="children", initial=None if bound else initial["children"]
        ),
        "housing_form": HousingForm(data, prefix="housing", initial=initial["housing"]),
        "other_form": OtherCostsForm(data, prefix="other", initial=initial["other"]),
        "incomes_form": IncomesForm(data, prefix="incomes", initial=initial["incomes"]),
        "assets_form": AssetsForm(data, prefix="assets", initial=initial["assets"]),
    }


def _save(application: Application, f: dict[str, Any]) -> bool:
    name_ok = f["name_form"].is_valid()
    partner_wanted = name_ok and f["name_form"].cleaned_data["has_partner"]
    parts = [
        f["name_form"],
        f["children_formset"],
        f["housing_form"],
        f["other_form"],
        f["incomes_form"],
        f["assets_form"],
    ]
    if partner_wanted:
        parts.append(f["partner_form"])
    if not all(p.is_valid() for p in parts):
        return False
    others: list[services.MemberInput] = []
    if partner_wanted:
        p = f["partner_form"].cleaned_data
        others.append(
            services.MemberInput(MemberRole.PARTNER, p["partner_name"], p["partner_personnummer"])
        )
    for child in f["children_formset"].cleaned_data:
        if child and child.get("personnummer"):
            others.append(
                services.MemberInput(
                    MemberRole.CHILD,
                    child["name"],
                    child["personnummer"],
                    child.get("preschool_lunch", False),
                    child.get("in_school", False),
                )
            )
    try:
        services.application_set_household(
            application=application,
            applicant_name=f["name_form"].cleaned_data["applicant_name"],
            others=others,
        )
    except services.HouseholdInvalid as exc:  # one person twice: said on the page
        f["name_form"].add_error(None, str(exc))
        return False
    costs: dict[str, Decimal] = {
        **f["housing_form"].cleaned_data,
        **f["other_form"].cleaned_data,
    }
    services.application_set_costs(application=application, costs=costs)
    services.application_set_incomes(
        application=application, incomes=f["incomes_form"].cleaned_data
    )
    services.application_set_assets(application=application, assets=f["assets_form"].cleaned_data)
    return True


@caseworker_required
@require_http_methods(["GET", "POST"])
def register_application(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = access_registered_draft(request.user, pk)
    paper_form = PaperForm(prefix="paper", initial=_initial(application)["paper"])
    if request.method == "POST":
        forms_ = _forms(application, request.POST)
        if _save(application, forms_):
            messages.success(
                request,
                _("Sparat %(time)s.") % {"time": timezone.localtime().strftime("%H:%M")},
            )
            return _shown(
                redirect("assisted:register_application", pk=application.pk),
                request,
                application,
                change=True,
            )
    else:
        forms_ = _forms(application)
    response = TemplateResponse(
        request,
        "intake/assisted_application.html",
        {
            "application": application,
            "applicant_masked": masked(application.applicant.personnummer or ""),
            "paper_form": paper_form,
            "is_paper": application.channel == ApplicationChannel.PAPER,
            **forms_,
        },
    )
    return _shown(response, request, application)


def _shown(
    response: HttpResponse,
    request: AuthenticatedHttpRequest,
    application: Application,
    *,
    change: bool = False,
) -> HttpResponse:
    """The household's names and personnummer are on the page: an access-log row (#16)."""
    events.cases_shown_when_rendered(
        response,
        events.CasesShown(
            user=request.user,
            application_ids=(application.pk,),
            page=request.resolver_match.view_name if request.resolver_match else "",
            change=change,
        ),
    )
    return response


@caseworker_required
@require_POST
def register_submit_paper(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = access_registered_draft(request.user, pk)
    paper_form = PaperForm(request.POST, prefix="paper")
    if paper_form.is_valid():
        data = paper_form.cleaned_data
        try:
            application = registration.application_paper_register(
                application=application,
                staff=request.user,
                document_reference=data["document_reference"],
                received_on=data["received_on"],
            )
            registration.application_submit_on_behalf(
                application=application,
                staff=request.user,
                channel=ApplicationChannel.PAPER,
                note=data["note"],
            )
        except (registration.AssistedRefused, services.ApplicationIncomplete) as exc:
            paper_form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Pappersansökan %(ref)s är inskickad.") % {"ref": application.reference},
            )
            return _shown(redirect("assisted:register_start"), request, application, change=True)
    response = TemplateResponse(
        request,
        "intake/assisted_application.html",
        {
            "application": application,
            "applicant_masked": masked(application.applicant.personnummer or ""),
            "paper_form": paper_form,
            "is_paper": True,
            **_forms(application),
        },
        status=400,
    )
    return _shown(response, request, application)


@caseworker_required
@require_http_methods(["GET", "POST"])
def mandate_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = MandateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mandates.mandate_register(registered_by=request.user, **form.cleaned_data)
        except (mandates.MandateRefused, ValidationError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Fullmakten eller förordnandet är registrerat."))
            return redirect("assisted:mandate_list")
    registered = (
        Mandate.objects.filter(registered_by__municipality_id=staff_municipality_id(request.user))
        .select_related("representative")
        .order_by("-registered_at")[:100]
    )
    rows = [
        {
            "mandate": m,
            "principal": masked(m.principal_personnummer),
            "active": m.revoked_at is None
            and m.valid_from <= timezone.localdate()
            and (m.valid_until is None or m.valid_until >= timezone.localdate()),
        }
        for m in registered
    ]
    return TemplateResponse(request, "intake/assisted_mandates.html", {"form": form, "rows": rows})


@caseworker_required
@require_POST
def mandate_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mandate = access_mandate_in_municipality(request.user, pk)
    mandates.mandate_revoke(mandate=mandate, revoked_by=request.user)
    messages.success(request, _("Fullmakten eller förordnandet är återkallat."))
    return redirect("assisted:mandate_list")
