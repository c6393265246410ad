"""Pages for ownership (#7): the team lead's dashboard, statistics and CSV export, referrals
(create, my referrals, acknowledge, close, reassign), reminders and outreach tasks.

Thin views: parse input, call one service or selector, render. Case data is reached through
`intake.access` (cases) or the referral's own check (`referrals.may_see_referral`: secretaries
on the work track see the referrals they send or receive, not the case file).
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import ASCII_ID, AuthenticatedHttpRequest
from accounts.models import CASE_HANDLING_ROLES, Role, User
from accounts.permissions import caseworker_required, role_required, staff_municipality_id
from accounts.security import safe_next
from caseworker.audit.door import case_view
from caseworker.caseload.dashboard import dashboard_for
from caseworker.caseload.referrals import (
    ReferralRefused,
    may_see_referral,
    referral_acknowledge,
    referral_close,
    referral_create,
    referral_reassign,
)
from caseworker.caseload.reminders import (
    ReminderRefused,
    reminder_create,
    reminder_done,
    reminders_for,
)
from caseworker.caseload.silence import outreach_task_complete
from caseworker.caseload.statistics import month_statistics, statistics_csv
from caseworker.models.caseload import (
    OutreachStatus,
    OutreachTask,
    Referral,
    ReferralDirection,
    ReferralUrgency,
    Reminder,
    StaffAlert,
)
from intake.events import CasesShown, cases_shown_when_rendered
from intake.models import Application
from intake.states import OPEN_STATUSES

team_lead_required = role_required(Role.TEAM_LEAD)
staff_required = role_required(Role.CASEWORKER, Role.TEAM_LEAD, Role.SECRETARY)


def _back(request: HttpRequest, default: str) -> HttpResponse:
    return redirect(safe_next(request, reverse(default)))


# --- Dashboard -----------------------------------------------------------------------------------


@team_lead_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    board = dashboard_for(request.user)
    colleagues = User.objects.filter(
        municipality_id=staff_municipality_id(request.user),
        role__in=[*CASE_HANDLING_ROLES, Role.SECRETARY],
        is_active=True,
    ).order_by("first_name", "last_name", "pk")
    response = TemplateResponse(
        request, "caseworker/dashboard.html", {"board": board, "colleagues": colleagues}
    )
    return _shown(request, response, [*board.unacknowledged, *board.outreach])


def _shown(
    request: AuthenticatedHttpRequest,
    response: TemplateResponse,
    rows: list[Referral | OutreachTask | Reminder],
) -> TemplateResponse:
    """A referral's reason, a reminder's text and an outreach task's applicant are a person's
    data: one access-log row per case shown (#16 item 13), once the page has rendered."""
    cases_shown_when_rendered(
        response,
        CasesShown(
            user=request.user,
            application_ids=tuple(dict.fromkeys(row.application_id for row in rows)),
            page=request.resolver_match.view_name if request.resolver_match else "",
        ),
    )
    return response


@team_lead_required
@require_POST
def alert_resolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    StaffAlert.objects.filter(
        pk=pk, municipality_id=staff_municipality_id(request.user), resolved_at__isnull=True
    ).update(resolved_at=timezone.now(), resolved_by=request.user)
    return _back(request, "caseworker:dashboard")


# --- Statistics ----------------------------------------------------------------------------------


def _month(request: HttpRequest) -> date:
    raw = request.GET.get("manad", "")
    try:
        year, month = (int(part) for part in raw.split("-"))
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@team_lead_required
def statistics(request: AuthenticatedHttpRequest) -> HttpResponse:
    month = _month(request)
    stats = month_statistics(municipality_id=staff_municipality_id(request.user), month=month)
    return TemplateResponse(request, "caseworker/statistics.html", {"stats": stats})


@team_lead_required
def statistics_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    month = _month(request)
    stats = month_statistics(municipality_id=staff_municipality_id(request.user), month=month)
    response = HttpResponse(statistics_csv(stats), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistik-{month:%Y-%m}.csv"'
    return response


# --- Referrals -----------------------------------------------------------------------------------


class _ColleagueChoiceField(forms.ModelChoiceField):
    """A colleague, named with their role."""

    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name()} ({obj.get_role_display()})"


class ReferralForm(forms.Form):
    direction = forms.ChoiceField(label=gettext_lazy("Riktning"), choices=ReferralDirection.choices)
    to_owner = _ColleagueChoiceField(label=gettext_lazy("Mottagare"), queryset=User.objects.none())
    urgency = forms.ChoiceField(
        label=gettext_lazy("Brådska"), choices=ReferralUrgency.choices, initial="normal"
    )
    reason = forms.CharField(label=gettext_lazy("Skäl"), widget=forms.Textarea, max_length=4000)

    def __init__(self, *args: Any, municipality_id: int, exclude: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        to_owner = cast("forms.ModelChoiceField[User]", self.fields["to_owner"])
        to_owner.queryset = (
            User.objects.filter(
                municipality_id=municipality_id,
                role__in=[*CASE_HANDLING_ROLES, Role.SECRETARY],
                is_active=True,
            )
            .exclude(pk=exclude)
            .order_by("first_name", "last_name", "pk")
        )


@case_view()
def referral_new(request: AuthenticatedHttpRequest, application: Application) -> HttpResponse:
    """Hand the household over (the one door and the access log come from `case_view`)."""
    if application.status not in OPEN_STATUSES:
        messages.error(request, _("Bara ett öppet ärende kan lämnas över."))
        return redirect("caseworker:case_detail", pk=application.pk)
    form = ReferralForm(
        request.POST or None,
        municipality_id=application.municipality_id,
        exclude=request.user.pk,
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral_create(
                application=application,
                from_owner=request.user,
                to_owner=form.cleaned_data["to_owner"],
                direction=form.cleaned_data["direction"],
                urgency=form.cleaned_data["urgency"],
                reason=form.cleaned_data["reason"],
            )
        except ReferralRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Överlämningen är skickad."))
            return redirect("caseworker:case_detail", pk=application.pk)
    return TemplateResponse(
        request,
        "caseworker/referral_form.html",
        {"application": application, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@staff_required
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    received = Referral.objects.filter(to_owner=user, closed_at__isnull=True)
    sent = Referral.objects.filter(from_owner=user, closed_at__isnull=True)
    related = ("application", "from_owner", "to_owner")
    shown: dict[str, list[Any]] = {
        "received": list(received.select_related(*related).order_by("acknowledge_by", "pk")),
        "sent": list(sent.select_related(*related).order_by("acknowledge_by", "pk")),
        "reminders": list(reminders_for(user)) if user.role in CASE_HANDLING_ROLES else [],
        "outreach": list(
            OutreachTask.objects.filter(assigned_to=user, status="open")
            .select_related("application__applicant")
            .order_by("due_at", "pk")
        ),
    }
    response = TemplateResponse(request, "caseworker/referral_list.html", shown)
    return _shown(request, response, [row for rows in shown.values() for row in rows])


def _referral(request: AuthenticatedHttpRequest, pk: int) -> Referral:
    referral = (
        Referral.objects.select_related("application", "to_owner", "from_owner")
        .filter(pk=pk)
        .first()
    )
    if referral is None or not may_see_referral(request.user, referral):
        raise Http404
    return referral


def _referral_action(request: AuthenticatedHttpRequest, action: str, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    try:
        if action == "acknowledge":
            referral_acknowledge(referral=referral, by=request.user)
            messages.success(request, _("Överlämningen är kvitterad."))
        elif action == "close":
            referral_close(referral=referral, by=request.user, note=request.POST.get("note", ""))
            messages.success(request, _("Överlämningen är avslutad."))
        else:
            chosen = request.POST.get("to_owner", "")
            to_owner = (
                User.objects.filter(pk=int(chosen)).first() if ASCII_ID.fullmatch(chosen) else None
            )
            if to_owner is None:
                raise ReferralRefused(_("Välj en mottagare."))
            referral_reassign(referral=referral, to_owner=to_owner, by=request.user)
            messages.success(request, _("Överlämningen har fått en ny mottagare."))
    except ReferralRefused as refused:
        messages.error(request, str(refused))
    return _back(request, "caseworker:referral_list")


@staff_required
@require_POST
def referral_acknowledge_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _referral_action(request, "acknowledge", pk)


@staff_required
@require_POST
def referral_close_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _referral_action(request, "close", pk)


@team_lead_required
@require_POST
def referral_reassign_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _referral_action(request, "reassign", pk)


# --- Reminders and outreach ---------------------------------------------------------------------


class ReminderForm(forms.Form):
    due_on = forms.DateField(
        label=gettext_lazy("Datum"), widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(label=gettext_lazy("Vad ska bevakas"), max_length=300)


@case_view()
def reminder_new(request: AuthenticatedHttpRequest, application: Application) -> HttpResponse:
    if request.method != "POST":
        return redirect("caseworker:case_detail", pk=application.pk)
    form = ReminderForm(request.POST)
    if form.is_valid():
        try:
            reminder_create(
                application=application,
                by=request.user,
                due_on=form.cleaned_data["due_on"],
                text=form.cleaned_data["text"],
            )
            messages.success(request, _("Bevakningen är sparad."))
        except ReminderRefused as refused:
            messages.error(request, str(refused))
    else:
        messages.error(request, _("Ange datum och vad som ska bevakas."))
    return redirect("caseworker:case_detail", pk=application.pk)


@caseworker_required
@require_POST
def reminder_done_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reminder = (
        Reminder.objects.select_related("owner")
        .filter(pk=pk, owner__municipality_id=staff_municipality_id(request.user))
        .first()
    )
    if reminder is None:
        raise Http404
    try:
        reminder_done(reminder=reminder, by=request.user)
    except ReminderRefused as refused:
        messages.error(request, str(refused))
    return _back(request, "caseworker:referral_list")


@staff_required
@require_POST
def outreach_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = OutreachTask.objects.filter(
        pk=pk, municipality_id=staff_municipality_id(request.user)
    ).first()
    status = request.POST.get("status", "")
    if task is None:
        raise Http404
    if status not in (s for s in OutreachStatus.values if s != OutreachStatus.OPEN):
        messages.error(request, _("Välj hur det gick."))
    else:
        outreach_task_complete(
            task=task, by=request.user, status=status, note=request.POST.get("note", "")
        )
    return _back(request, "caseworker:referral_list")
