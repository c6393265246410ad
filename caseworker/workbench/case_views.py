"""The caseworker's case page and its actions.

Every view reads the case through `intake.access.access_application` and writes exactly one
access-log row (page, partial or action) once its response shows the case: a request that ends
in 403 or 404 writes none (it is an access denial, recorded by
`caseworker.audit_middleware`). Pages work without JavaScript: a GET on an action URL
shows the case page, a POST redirects back (or shows the page with the form's errors). With
htmx, the warning, journal and calculation forms answer with the partial named after the DOM id
they replace (`#case-warnings` is `caseworker/_case_warnings.html`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import caseworker_required
from caseworker.audit.log import access_log_when_shown, journal_write
from caseworker.decisions.calculation import (
    adjustable_codes,
    has_children,
    register_comparison,
    unseen_register_facts,
)
from caseworker.decisions.calculation import (
    case_calculation as calculation_for_case,
)
from caseworker.decisions.pauses import (
    communication_send,
    default_reply_by,
    supplement_received,
    supplement_request,
)
from caseworker.decisions.services import (
    ActionNotAllowed,
    DecisionInvalid,
    SectionLocked,
    application_return_to_robot,
    application_track_set,
    child_impact_record,
    decision_draft_approve,
    decision_draft_send_back,
    decision_submit,
    line_adjust,
    may_second_approve,
    section_approve,
)
from caseworker.models import AccessAction, DecisionDraft, DraftStatus, Section
from caseworker.workbench.forms import (
    AcknowledgeForm,
    AdjustForm,
    ChildImpactForm,
    CommunicationForm,
    JournalForm,
    SecondApprovalForm,
    SectionForm,
    SignForm,
    SupplementForm,
    TrackForm,
)
from eligibility.robot.warnings import WarningNotOpen, warning_acknowledge
from eligibility.trial.explain import flag_text
from intake.access import access_application
from intake.models import Application, Decision, DecisionOutcome
from intake.services import ConcurrentTransition
from intake.states import Status, TransitionNotAllowed

CaseView = Callable[..., HttpResponse]


class _EmptyForm(forms.Form):
    """A form with no fields (a button)."""


REFUSED = (ActionNotAllowed, DecisionInvalid, SectionLocked, WarningNotOpen)
STALE = (ConcurrentTransition, TransitionNotAllowed)


def case_view(
    *, partial: bool = False, reading: AccessAction | None = None
) -> Callable[[CaseView], CaseView]:
    """Role gate, the one door, and one access-log row per request whose response shows the
    case (written after the view, so an attachment of another case, a 404 from the view, is
    never logged as viewed)."""

    def decorator(view: CaseView) -> CaseView:
        @caseworker_required
        @require_http_methods(["GET", "POST"])
        @wraps(view)
        def wrapped(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
            application = access_application(request.user, pk)
            if reading is not None:
                action = reading
            elif request.method == "POST":
                action = AccessAction.CHANGE
            elif partial:
                action = AccessAction.VIEW_PARTIAL
            else:
                action = AccessAction.VIEW_CASE
            response = view(request, application, **kwargs)
            access_log_when_shown(
                response,
                user=request.user,
                application=application,
                action=action,
                detail=request.resolver_match.url_name if request.resolver_match else "",
            )
            return response

        return wrapped

    return decorator


# --- context ------------------------------------------------------------------------------------


def _calculation_context(application: Application) -> dict[str, Any]:
    members = list(application.members.all())
    incomes = list(application.incomes.all())
    snapshots = list(application.register_snapshots.filter(round=application.robot_round))
    proposal = application.proposals.order_by("-round").first()
    adjustments = list(application.line_adjustments.select_related("author"))
    approvals = {a.section: a for a in application.section_approvals.select_related("approved_by")}
    calculation = calculation_for_case(
        application=application,
        members=members,
        incomes=incomes,
        snapshots=snapshots,
        proposal=proposal,
        adjustments=adjustments,
    )
    return {
        "application": application,
        "members": members,
        "incomes": incomes,
        "snapshots": snapshots,
        "proposal": proposal,
        "calculation": calculation,
        "adjustment_history": adjustments,
        "approvals": approvals,
        "calculation_locked": Section.CALCULATION in approvals,
        "can_adjust": application.status in (Status.AWAITING_CASEWORKER, Status.NEEDS_MANUAL)
        and Section.CALCULATION not in approvals,
    }


def _warnings_context(application: Application) -> dict[str, Any]:
    return {
        "application": application,
        "warnings": list(application.warnings.select_related("acknowledged_by")),
        "can_acknowledge": not application.is_decided,
    }


def _journal_context(application: Application) -> dict[str, Any]:
    return {
        "application": application,
        "journal": list(application.journal.select_related("author")),
    }


def _case_context(application: Application, user: Any) -> dict[str, Any]:
    context = _calculation_context(application)
    context.update(_warnings_context(application))
    context.update(_journal_context(application))
    proposal = context["proposal"]
    comparison = register_comparison(
        application=application,
        members=context["members"],
        incomes=context["incomes"],
        snapshots=context["snapshots"],
    )
    communications = list(application.communications.select_related("sent_by"))
    unseen = unseen_register_facts(comparison)
    communicated = {fact for c in communications for fact in c.facts}
    child_impacts = list(application.child_impact_assessments.select_related("author"))
    draft = next(
        (
            d
            for d in application.decision_drafts.select_related(
                "proposed_by", "proposed_by__mentor"
            )
            if d.status == DraftStatus.PENDING
        ),
        None,
    )
    status = application.status
    today = timezone.localdate()
    open_communication = next(
        (c for c in communications if c.replied_at is None and c.reply_by >= today), None
    )
    attachments = (
        list(application.attachments.all()) if hasattr(application, "attachments") else None
    )
    decision = None
    if application.is_decided:
        decision = (
            Decision.objects.select_related("decided_by").filter(application=application).first()
        )
    context.update(
        {
            "comparison": comparison,
            "flags": [(code, flag_text(code)) for code in proposal.flags] if proposal else [],
            "meeting": application.meetings.filter(cancelled_at__isnull=True)
            .select_related("secretary")
            .first(),
            "events": list(application.events.select_related("actor")),
            "decision": decision,
            "supplement_requests": list(application.supplement_requests.select_related()),
            "communications": communications,
            "open_communication": open_communication,
            "uncommunicated_facts": [f for f in unseen if f not in communicated],
            "child_impacts": child_impacts,
            "has_children": has_children(context["members"]),
            "draft": draft,
            "may_second_approve": draft is not None and may_second_approve(draft, user),
            "attachments": attachments,
            "can_decide": status == Status.AWAITING_CASEWORKER,
            "can_pause": status == Status.AWAITING_CASEWORKER,
            "can_return_to_robot": status == Status.NEEDS_MANUAL,
            "awaiting_supplement": status == Status.AWAITING_SUPPLEMENT,
            "can_approve_payment": status == Status.AWAITING_CASEWORKER
            and Section.PAYMENT not in context["approvals"],
            "can_set_track": not application.is_decided,
        }
    )
    return context


def _forms(application: Application, context: dict[str, Any]) -> dict[str, Any]:
    calculation = context["calculation"]
    proposal = context["proposal"]
    amount = calculation.caseworker_amount
    lines = [
        f"{row.label}: {row.caseworker.quantize(Decimal(1))} kr"
        for row in calculation.rows
        if row.caseworker is not None
    ]
    return {
        "form": SignForm(
            initial={
                "amount": amount.quantize(Decimal(1)) if proposal or calculation.adjusted else None,
                "outcome": DecisionOutcome.APPROVED if amount > 0 else DecisionOutcome.REJECTED,
                "months": 1,
                "decisive_facts": "\n".join(lines),
            }
        ),
        "adjust_form": AdjustForm(codes=adjustable_codes(), auto_id="adjust_%s"),
        "journal_form": JournalForm(auto_id="journal_%s"),
        "supplement_form": SupplementForm(
            initial={"deadline": default_reply_by(days=14)}, auto_id="supplement_%s"
        ),
        "communication_form": CommunicationForm(
            initial={
                "facts": "\n".join(context["uncommunicated_facts"]),
                "reply_by": default_reply_by(),
            },
            auto_id="communication_%s",
        ),
        "child_form": ChildImpactForm(auto_id="child_%s"),
        "track_form": TrackForm(initial={"track": application.track or None}, auto_id="track_%s"),
        "second_form": SecondApprovalForm(auto_id="second_%s"),
    }


def _page(
    request: HttpRequest,
    application: Application,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> TemplateResponse:
    context = _case_context(application, request.user)
    context.update(_forms(application, context))
    context.update(bound or {})
    return TemplateResponse(request, "caseworker/case_detail.html", context, status=status)


def _back(application: Application, anchor: str = "") -> HttpResponse:
    url = reverse("caseworker:case_detail", args=[application.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _refresh(application: Application) -> Application:
    application.refresh_from_db()
    return application


# --- the page and the decision -------------------------------------------------------------------


@case_view()
def case_detail(request: HttpRequest, application: Application) -> HttpResponse:
    """The case page; a POST signs the decision (or sends it for a second approval)."""
    if request.method != "POST":
        return _page(request, application)
    form = SignForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        outcome = data["outcome"]
        amount = data.get("amount")
        partly = bool(data.get("partly"))
        if outcome == DecisionOutcome.APPROVED and amount is not None:
            calculated = _calculation_context(application)["calculation"].caseworker_amount
            partly = partly or amount < calculated
        try:
            result = decision_submit(
                application=application,
                caseworker=request.user,
                outcome=outcome,
                reason=data["reason"],
                amount=amount,
                months=data.get("months") or 1,
                partly=partly and outcome == DecisionOutcome.APPROVED,
                provisions=data["provisions"],
                decisive_facts=data["decisive_facts"],
                communication_not_needed=data.get("communication_not_needed") or "",
            )
        except DecisionInvalid as exc:
            form.add_error(None, str(exc))
        except STALE:
            messages.error(
                request, _("Ärendet har redan ändrats av någon annan. Sidan är uppdaterad.")
            )
            return _back(application)
        else:
            if isinstance(result, DecisionDraft):
                messages.success(
                    request, _("Beslutet väntar nu på attest av en andra handläggare.")
                )
            else:
                messages.success(request, _("Beslutet är registrerat."))
            return _back(application, "decide-heading")
    return _page(request, _refresh(application), bound={"form": form})


@case_view()
def case_second_approval(request: HttpRequest, application: Application) -> HttpResponse:
    if request.method != "POST":
        return _page(request, application)
    form = SecondApprovalForm(request.POST, auto_id="second_%s")
    if form.is_valid():
        try:
            if form.cleaned_data["verdict"] == "approve":
                decision_draft_approve(application=application, by=request.user)
                messages.success(request, _("Beslutet är attesterat och registrerat."))
            else:
                decision_draft_send_back(
                    application=application, by=request.user, note=form.cleaned_data["note"]
                )
                messages.success(request, _("Beslutet är skickat tillbaka."))
        except REFUSED as exc:
            form.add_error(None, str(exc))
        except STALE:
            messages.error(request, _("Ärendet har redan ändrats av någon annan."))
            return _back(application)
        else:
            return _back(application, "decide-heading")
    return _page(request, _refresh(application), bound={"second_form": form})


# --- partials with htmx: warnings, journal, calculation ------------------------------------------


@case_view(partial=True)
def case_warnings(request: HttpRequest, application: Application) -> HttpResponse:
    """GET: the `#case-warnings` partial. POST: acknowledge one warning."""
    error = ""
    if request.method == "POST":
        form = AcknowledgeForm(request.POST)
        warning = (
            application.warnings.filter(pk=form.data.get("warning")).first()
            if form.is_valid()
            else None
        )
        if warning is None:
            error = _("Varningen finns inte.")
        else:
            try:
                warning_acknowledge(
                    warning=warning, user=request.user, note=form.cleaned_data["note"]
                )
            except WarningNotOpen:
                error = _("Varningen är redan kvitterad eller stängd.")
        if not request.htmx:
            if error:
                messages.error(request, error)
            return _back(application, "case-warnings")
    return TemplateResponse(
        request,
        "caseworker/_case_warnings.html",
        {**_warnings_context(application), "warnings_error": error},
    )


@case_view(partial=True)
def case_journal(request: HttpRequest, application: Application) -> HttpResponse:
    """GET: the `#case-journal` partial. POST: a new entry (a correction points at the entry it
    corrects; nothing is ever edited)."""
    form = JournalForm(request.POST or None, auto_id="journal_%s")
    if request.method == "POST":
        if form.is_valid():
            corrects = None
            if form.cleaned_data.get("corrects"):
                corrects = application.journal.filter(pk=form.cleaned_data["corrects"]).first()
            journal_write(
                application=application,
                text=form.cleaned_data["text"],
                author=request.user,
                corrects=corrects,
            )
            form = JournalForm(auto_id="journal_%s")
            if not request.htmx:
                return _back(application, "case-journal")
        elif not request.htmx:
            return _page(request, application, bound={"journal_form": form})
    return TemplateResponse(
        request,
        "caseworker/_case_journal.html",
        {**_journal_context(application), "journal_form": form},
    )


@case_view(partial=True)
def case_calculation(request: HttpRequest, application: Application) -> HttpResponse:
    """GET: the `#case-calculation` partial. POST: the caseworker's amount for one line."""
    form = AdjustForm(request.POST or None, codes=adjustable_codes(), auto_id="adjust_%s")
    if request.method == "POST":
        if form.is_valid():
            try:
                line_adjust(
                    application=application,
                    code=form.cleaned_data["code"],
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except REFUSED as exc:
                form.add_error(None, str(exc))
            else:
                form = AdjustForm(codes=adjustable_codes(), auto_id="adjust_%s")
                if not request.htmx:
                    messages.success(request, _("Beräkningen är ändrad."))
                    return _back(application, "case-calculation")
        if not request.htmx:
            return _page(request, _refresh(application), bound={"adjust_form": form})
    return TemplateResponse(
        request,
        "caseworker/_case_calculation.html",
        {**_calculation_context(application), "adjust_form": form},
    )


# --- other actions (full page) -------------------------------------------------------------------


def _action(
    request: HttpRequest,
    application: Application,
    form: Any,
    form_name: str,
    perform: Callable[[dict[str, Any]], object],
    done: str,
    anchor: str,
) -> HttpResponse:
    if request.method != "POST":
        return _page(request, application)
    if form.is_valid():
        try:
            perform(form.cleaned_data)
        except REFUSED as exc:
            form.add_error(None, str(exc))
        except STALE:
            messages.error(request, _("Ärendet har redan ändrats av någon annan."))
            return _back(application)
        else:
            messages.success(request, done)
            return _back(application, anchor)
    return _page(request, _refresh(application), bound={form_name: form})


@case_view()
def case_section_approve(request: HttpRequest, application: Application) -> HttpResponse:
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
def case_supplement_request(request: HttpRequest, application: Application) -> HttpResponse:
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
def case_supplement_received(request: HttpRequest, application: Application) -> HttpResponse:
    return _action(
        request,
        application,
        _EmptyForm(request.POST or None, auto_id="received_%s"),
        "received_form",
        lambda d: supplement_received(application=application, by=request.user),
        _("Kompletteringen är registrerad. Ärendet är återupptaget."),
        "supplement-heading",
    )


@case_view()
def case_communication_send(request: HttpRequest, application: Application) -> HttpResponse:
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
def case_child_impact(request: HttpRequest, application: Application) -> HttpResponse:
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
def case_track(request: HttpRequest, application: Application) -> HttpResponse:
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
def case_return_to_robot(request: HttpRequest, application: Application) -> HttpResponse:
    if request.method != "POST":
        return _page(request, application)
    try:
        application_return_to_robot(application=application, caseworker=request.user, reason="")
    except STALE:
        messages.error(request, _("Ärendet kunde inte skickas till roboten i sitt nuvarande läge."))
    return _back(application)


@case_view(reading=AccessAction.VIEW_ATTACHMENT)
def case_attachment(
    request: HttpRequest, application: Application, attachment_pk: int
) -> HttpResponse:
    """An incoming document, shown inline (only files that passed the virus scan), named with
    the extension of its detected type (never the name it was uploaded with)."""
    from intake.documents.attachments import (
        AttachmentRefused,
        attachment_download_name,
        attachment_open,
    )

    attachment = application.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment_open(attachment)
    except (AttachmentRefused, FileNotFoundError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=attachment_download_name(attachment)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
