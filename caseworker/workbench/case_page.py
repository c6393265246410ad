"""The caseworker's case page and its actions.

Every view reads the case through `intake.access.access_application` and writes exactly one
access-log row (page, partial or action) once its response shows the case: a request that ends
in 403 or 404 writes none (it is an access denial, recorded by
`caseworker.audit.middleware`). Pages work without JavaScript: a GET on an action URL
shows the case page, a POST redirects back (or shows the page with the form's errors). With
htmx, the warning, journal and calculation forms answer with the partial named after the DOM id
they replace (`#case-warnings` is `caseworker/_case_warnings.html`).
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from caseworker.audit.door import case_view
from caseworker.audit.log import journal_write
from caseworker.decisions.calculation import (
    adjustable_codes,
    has_children,
    register_comparison,
    unseen_register_facts,
)
from caseworker.decisions.calculation import (
    case_calculation as calculation_for_case,
)
from caseworker.decisions.calculation import (
    case_calculation_load as calculation_for_case_load,
)
from caseworker.decisions.households import HouseholdLinkRefused, household_links_for
from caseworker.decisions.pauses import (
    default_reply_by,
)
from caseworker.decisions.services import (
    ActionNotAllowed,
    CalculationChanged,
    DecisionInvalid,
    SectionLocked,
    case_warning_acknowledge,
    decision_draft_approve,
    decision_draft_send_back,
    decision_submit,
    inherited_track,
    line_adjust,
    may_second_approve,
)
from caseworker.letters.render import is_surplus_line
from caseworker.models import AccessAction, DecisionDraft, DraftStatus, JournalCategory, Section
from caseworker.workbench import case_summary
from caseworker.workbench.forms import (
    AcknowledgeForm,
    AdjustForm,
    ChildImpactForm,
    CommunicationForm,
    JournalForm,
    SecondApprovalForm,
    SignForm,
    SupplementForm,
    TrackForm,
)
from caseworker.workbench.register_facts import snapshot_view
from eligibility.models import WarningStatus
from eligibility.robot.warnings import WarningNotOpen
from eligibility.trial.explain import flag_text
from intake.documents.attachments import (
    AttachmentRefused,
    attachment_download_name,
    attachment_open,
)
from intake.models import Application, Decision, DecisionOutcome, DecisionTrack
from intake.services import ConcurrentTransition, emergency_deadline_of
from intake.states import OPEN_STATUSES, Status, TransitionNotAllowed


class ButtonForm(forms.Form):
    """A form with no fields (a button)."""


REFUSED = (ActionNotAllowed, DecisionInvalid, SectionLocked, WarningNotOpen, HouseholdLinkRefused)


STALE = (ConcurrentTransition, TransitionNotAllowed)


def _calculation_context(application: Application) -> dict[str, Any]:
    members = list(application.members.all())
    incomes = list(application.incomes.all())
    snapshots = list(application.register_snapshots.filter(round=application.robot_round))
    proposal = application.proposals.order_by("-round").first()
    adjustments = list(application.line_adjustments.select_related("author"))
    labels = dict(adjustable_codes())
    for adjustment in adjustments:  # "Hyra → 4 500 kr", not the line's code (#18)
        adjustment.label = str(labels.get(adjustment.code, adjustment.code))  # type: ignore[attr-defined]
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
        "register_facts": [snapshot_view(snapshot) for snapshot in snapshots],
        "proposal": proposal,
        "calculation": calculation,
        "adjustment_history": adjustments,
        "approvals": approvals,
        "calculation_locked": Section.CALCULATION in approvals,
        "can_adjust": application.status in (Status.AWAITING_CASEWORKER, Status.NEEDS_MANUAL)
        and Section.CALCULATION not in approvals,
    }


def _warnings_context(application: Application) -> dict[str, Any]:
    warnings = list(application.warnings.select_related("acknowledged_by"))
    return {
        "application": application,
        "warnings": warnings,
        "open_warnings": [w for w in warnings if w.status == WarningStatus.OPEN],
        "can_acknowledge": not application.is_decided,
    }


def _journal_context(application: Application, category: str = "") -> dict[str, Any]:
    """The journal in the order it was written, optionally one category (`?journal=<category>`
    on the case page or the partial), with each category's count for the filter links."""
    entries = list(application.journal.select_related("author"))
    counts = Counter(entry.category for entry in entries)
    if category not in JournalCategory.values:
        category = ""
    return {
        "application": application,
        "journal": [e for e in entries if not category or e.category == category],
        "journal_category": category,
        "journal_categories": [
            (value, label, counts[value])
            for value, label in JournalCategory.choices
            if counts[value]
        ],
        "journal_total": len(entries),
    }


def _case_context(application: Application, user: Any, journal: str = "") -> dict[str, Any]:
    context = _calculation_context(application)
    context.update(_warnings_context(application))
    context.update(_journal_context(application, journal))
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
            # Who signed and how (BankID with its OCSP check, or a test signature).
            "signatures": list(application.signatures.filter(signed_at__isnull=False)),
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
            "household_links": household_links_for(application, viewer=user),
            # Read once for the first screen and the decision form (one query, #20 f).
            "inherited_track": inherited_track(application),
            # #16 item 14: an open emergency's deadline, at the top of the page.
            "emergency": emergency_deadline_of(application) if status in OPEN_STATUSES else None,
        }
    )
    return context


def first_screen_oob(request: AuthenticatedHttpRequest, application: Application) -> str:
    """The first screen's proposal and decision, rendered for an htmx response to replace out
    of band: after a warning is acknowledged or a line changed further down, the first screen
    says what is true now (#18 stranger run: it still said "2 varningar" after one was
    acknowledged)."""
    application = case_refreshed(application)
    context = _case_context(application, request.user)
    context.update(_summary_context(request, application, context))
    context.update({"form": SignForm(), "decision_attempt": secrets.token_urlsafe(12), "oob": True})
    return render_to_string("caseworker/_case_proposal.html", context, request=request)


def _summary_context(
    request: AuthenticatedHttpRequest, application: Application, context: dict[str, Any]
) -> dict[str, Any]:
    """The first screen (caseworker.workbench.case_summary). A personnummer revealed by the
    button without JavaScript is shown once, on the page the reveal redirected to."""
    revealed = request.session.pop(f"{REVEALED_SESSION_KEY}{application.pk}", False)
    personnummer = application.applicant.personnummer or ""
    summary: dict[str, Any] = {
        "personnummer_masked": case_summary.masked_personnummer(personnummer),
        "personnummer_full": case_summary.formatted_personnummer(personnummer) if revealed else "",
        "household_text": case_summary.household_text(context["members"]),
        "proposal_sentence": case_summary.proposal_sentence(
            proposal=context["proposal"], calculation=context["calculation"]
        ),
        "attention": case_summary.attention_items(context),
    }
    quick = case_summary.quick_approval({**context, **summary})
    if quick is not None:
        calculation = context["calculation"]
        quick["version"] = calculation.version
        quick["facts"] = "\n".join(calculation_facts(calculation))
        quick["track"] = context["inherited_track"]
        quick["track_choices"] = DecisionTrack.choices
    summary["quick"] = quick
    return summary


REVEALED_SESSION_KEY = "personnummer_revealed_"


@require_POST
@case_view(reading=AccessAction.VIEW_PERSONNUMMER)
def case_personnummer(request: AuthenticatedHttpRequest, application: Application) -> HttpResponse:
    """Show the applicant's whole personnummer, written in the access log as its own action
    (who, when, which case). POST only: a reveal is a deliberate act, never a prefetch. With
    htmx the number replaces the mask; without, the case page shows it once."""
    number = case_summary.formatted_personnummer(application.applicant.personnummer or "")
    if request.htmx:
        return TemplateResponse(
            request, "caseworker/_case_personnummer.html", {"personnummer_full": number}
        )
    request.session[f"{REVEALED_SESSION_KEY}{application.pk}"] = True
    return back_to_case(application, "case-who")


def calculation_facts(calculation: Any) -> list[str]:
    """The calculation's lines as decisive facts, one per line (never added up by code). The
    engine's "the incomes cover the need" line is worded as the surplus it is: in a refusal's
    letter it must not read as an amount granted (#16 item 6, stranger run)."""
    return [
        f"{SURPLUS_FACT if is_surplus_line(line) else line['label']}: "
        f"{kronor_plain(Decimal(line['amount']))}"
        for line in calculation.lines
    ]


SURPLUS_FACT = "Inkomster utöver behovet, inget försörjningsstöd"


def kronor_plain(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal(1))} kr"


def _forms(application: Application, context: dict[str, Any]) -> dict[str, Any]:
    calculation = context["calculation"]
    amount = calculation.caseworker_amount
    return {
        "form": SignForm(
            initial={
                "calculation": calculation.version,
                "outcome": DecisionOutcome.APPROVED if amount > 0 else DecisionOutcome.REJECTED,
                "months": 1,
                "decisive_facts": "\n".join(calculation_facts(calculation)),
                "track": context["inherited_track"] or None,
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


def case_page_response(
    request: AuthenticatedHttpRequest,
    application: Application,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> TemplateResponse:
    context = _case_context(application, request.user, request.GET.get("journal", ""))
    context.update(_summary_context(request, application, context))
    context.update(_forms(application, context))
    context.update(bound or {})
    # A new token with every rendering of the decision form (see `attempt_spent`).
    context["decision_attempt"] = secrets.token_urlsafe(12)
    return TemplateResponse(request, "caseworker/case_detail.html", context, status=status)


SPENT_ATTEMPTS = "decision_attempts_spent"


def attempt_spent(request: AuthenticatedHttpRequest) -> bool:
    """True when this decision form was sent before. A refused decision shows the page again
    with a new token, but the browser's reload (F5) sends the old form again: had the gate
    meanwhile opened (the warnings acknowledged in another part of the page), the reload would
    have decided without the caseworker pressing "Fatta beslut" (stranger run). Each token is
    good for one try; a form without one (an API client, an old page) is not held back here."""
    attempt = request.POST.get("attempt", "")
    if not attempt:
        return False
    spent: list[str] = request.session.get(SPENT_ATTEMPTS, [])
    if attempt in spent:
        return True
    request.session[SPENT_ATTEMPTS] = [*spent[-49:], attempt]
    return False


def back_to_case(application: Application, anchor: str = "") -> HttpResponse:
    url = reverse("caseworker:case_detail", args=[application.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def case_refreshed(application: Application) -> Application:
    application.refresh_from_db()
    return application


@case_view()
def case_detail(request: AuthenticatedHttpRequest, application: Application) -> HttpResponse:
    """The case page; a POST signs the decision (or sends it for a second approval)."""
    if request.method != "POST":
        return case_page_response(request, application)
    if application.is_decided:
        # A form from before the decision (another tab, Back): say that nothing was recorded,
        # rather than show the decided case as if this decision had been taken.
        messages.error(
            request,
            _("Ärendet är redan beslutat (%(status)s). Ditt beslut registrerades inte.")
            % {"status": application.get_status_display()},
        )
        return back_to_case(application, "decide-heading")
    form = SignForm(request.POST)
    if attempt_spent(request):
        form.is_valid()
        form.add_error(
            None,
            _(
                "Beslutsformuläret har redan skickats en gång (till exempel när sidan laddades "
                "om). Inget beslut fattades nu: kontrollera uppgifterna och tryck på Fatta beslut."
            ),
        )
        return case_page_response(request, case_refreshed(application), bound={"form": form})
    if form.is_valid():
        data = form.cleaned_data
        outcome = data["outcome"]
        partly = bool(data.get("partly"))
        try:
            result = decision_submit(
                application=application,
                caseworker=request.user,
                outcome=outcome,
                reason=data["reason"],
                calculation_seen=data.get("calculation") or "",
                months=data.get("months") or 1,
                partly=partly and outcome == DecisionOutcome.APPROVED,
                provisions=data["provisions"],
                decisive_facts=data["decisive_facts"],
                communication_exception=data.get("communication_exception") or "",
                communication_note=data.get("communication_note") or "",
                track=data["track"],
                track_reason=data.get("track_reason") or "",
                reason_template=data.get("reason_template") or "",
            )
        except CalculationChanged as exc:
            form = _form_again(application, request.POST, str(exc))
        except DecisionInvalid as exc:
            form.add_error(None, str(exc))
        except STALE:
            messages.error(
                request, _("Ärendet har redan ändrats av någon annan. Sidan är uppdaterad.")
            )
            return back_to_case(application)
        else:
            if isinstance(result, DecisionDraft):
                messages.success(
                    request, _("Beslutet väntar nu på attest av en andra handläggare.")
                )
            else:
                messages.success(request, _("Beslutet är registrerat."))
            # The first screen shows the decision and the confirmation is focused there
            # (#18 stranger run: with "#decide-heading" both were 5 000 px up, off screen).
            return back_to_case(application)
    return case_page_response(request, case_refreshed(application), bound={"form": form})


FACT_LINE = re.compile(r"^.+: −?-?\d+ kr$")


def _form_again(application: Application, posted: Any, error: str) -> SignForm:
    """The decision form shown again after the calculation changed: the caseworker's text kept,
    the calculation's version and its lines among the decisive facts replaced by today's."""
    data = posted.copy()
    calculation = calculation_for_case_load(application)
    data["calculation"] = calculation.version
    own = [f for f in (posted.get("decisive_facts") or "").splitlines() if f.strip()]
    kept = [f for f in own if not FACT_LINE.match(f.strip())]
    data["decisive_facts"] = "\n".join([*calculation_facts(calculation), *kept])
    form = SignForm(data)
    form.is_valid()
    form.add_error(None, error)
    return form


@case_view()
def case_second_approval(
    request: AuthenticatedHttpRequest, application: Application
) -> HttpResponse:
    if request.method != "POST":
        return case_page_response(request, application)
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
            return back_to_case(application)
        else:
            return back_to_case(application, "decide-heading")
    return case_page_response(request, case_refreshed(application), bound={"second_form": form})


@case_view(partial=True)
def case_warnings(request: AuthenticatedHttpRequest, application: Application) -> HttpResponse:
    """GET: the `#case-warnings` partial. POST: acknowledge one warning."""
    error = ""
    if request.method == "POST":
        form = AcknowledgeForm(request.POST)
        warning = (
            application.warnings.filter(pk=form.cleaned_data["warning"]).first()
            if form.is_valid()
            else None
        )
        if warning is None:
            error = _("Varningen finns inte.")
        else:
            try:
                case_warning_acknowledge(
                    application=application,
                    warning_pk=warning.pk,
                    by=request.user,
                    note=form.cleaned_data["note"],
                )
            except WarningNotOpen:
                error = _("Varningen är redan kvitterad eller stängd.")
            except ActionNotAllowed as exc:
                error = str(exc)
        if not request.htmx:
            if error:
                messages.error(request, error)
            return back_to_case(application, "case-warnings")
        return TemplateResponse(
            request,
            "caseworker/_case_warnings.html",
            {
                **_warnings_context(application),
                "warnings_error": error,
                "first_screen_oob": first_screen_oob(request, application),
            },
        )
    return TemplateResponse(
        request,
        "caseworker/_case_warnings.html",
        {**_warnings_context(application), "warnings_error": error},
    )


@case_view(partial=True)
def case_journal(request: AuthenticatedHttpRequest, application: Application) -> HttpResponse:
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
                category=form.cleaned_data["category"],
                corrects=corrects,
            )
            form = JournalForm(auto_id="journal_%s")
            if not request.htmx:
                messages.success(request, _("Anteckningen är sparad i journalen."))
                return back_to_case(application, "case-journal")
        elif not request.htmx:
            return case_page_response(request, application, bound={"journal_form": form})
    return TemplateResponse(
        request,
        "caseworker/_case_journal.html",
        {**_journal_context(application, request.GET.get("journal", "")), "journal_form": form},
    )


@case_view(partial=True)
def case_calculation(request: AuthenticatedHttpRequest, application: Application) -> HttpResponse:
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
                    return back_to_case(application, "case-calculation")
                # The decision section shows the new amount at once (out of band); the form's
                # calculation version stays as it was, so signing shows the refreshed facts
                # first instead of deciding on ones the caseworker has not seen.
                return TemplateResponse(
                    request,
                    "caseworker/_case_calculation.html",
                    {
                        **_calculation_context(application),
                        "adjust_form": form,
                        "decision_amount_changed": True,
                        "first_screen_oob": first_screen_oob(request, application),
                    },
                )
        if not request.htmx:
            return case_page_response(
                request, case_refreshed(application), bound={"adjust_form": form}
            )
    return TemplateResponse(
        request,
        "caseworker/_case_calculation.html",
        {**_calculation_context(application), "adjust_form": form},
    )


@case_view(reading=AccessAction.VIEW_ATTACHMENT)
def case_attachment(
    request: AuthenticatedHttpRequest, application: Application, attachment_pk: int
) -> FileResponse:
    """An incoming document, shown inline (only files that passed the virus scan), named with
    the extension of its detected type (never the name it was uploaded with)."""

    attachment = application.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment_open(attachment)
    except (AttachmentRefused, FileNotFoundError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=attachment.content_type)
    disposition = content_disposition_header(
        as_attachment=False, filename=attachment_download_name(attachment)
    )
    if disposition is not None:  # None only for an empty name
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
