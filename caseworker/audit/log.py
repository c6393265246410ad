"""Writes to the append-only access log, the access-denial log and the journal. Nothing here
updates or deletes.

- The access log records what a staff request *showed*: one row per page, partial, letter or
  attachment, written only once the response shows it (a refused or failed request writes none).
- The access-denial log records what a logged-in user asked for and was refused: every request
  to an object URL (a URL pattern naming an object id) that ends in 403 or 404, for any role
  (written by `caseworker.audit.middleware.AccessDenialMiddleware`).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpRequest, HttpResponseBase
from django.template.response import SimpleTemplateResponse
from django.utils import timezone, translation

from accounts.models import User
from caseworker.models import (
    AccessAction,
    AccessDenial,
    AccessLog,
    DenialStatus,
    JournalCategory,
    JournalEntry,
)
from intake.events import CasesShown
from intake.models import Appeal, Application, Attachment

DENIAL_STATUSES = frozenset(DenialStatus.values)


def access_log_record(
    *, user: User, application: Application, action: AccessAction, detail: str = ""
) -> AccessLog:
    """One row per staff request that shows case data (page, partial, letter, attachment)."""
    return AccessLog.objects.create(
        user=user, application=application, action=action, detail=detail[:200]
    )


def cases_shown(event: CasesShown) -> None:
    """Subscriber of `intake.cases_shown`: a staff page outside the case door (a meeting page or
    calendar file, assisted registration) showed these cases' people; one row per case, as for
    any staff page that shows a person's data."""
    action = AccessAction.CHANGE if event.change else AccessAction.VIEW_PARTIAL
    AccessLog.objects.bulk_create(
        AccessLog(user=event.user, application_id=pk, action=action, detail=event.page[:200])
        for pk in dict.fromkeys(event.application_ids)
    )


def response_shows_content(response: HttpResponseBase) -> bool:
    """Whether a response shows what was asked for: not a refusal and not an error (a redirect
    after a change counts: the change was made)."""
    return response.status_code < 400


def access_log_when_shown(
    response: HttpResponseBase,
    *,
    user: User,
    application: Application,
    action: AccessAction,
    detail: str = "",
) -> None:
    """Record the access once `response` has shown it: a template response when it has been
    rendered (a template that fails to render shows nothing), any other response now. A 4xx or
    5xx response writes nothing (a refusal is an `AccessDenial`, see the middleware)."""

    def record(rendered: HttpResponseBase) -> None:
        if response_shows_content(rendered):
            access_log_record(user=user, application=application, action=action, detail=detail)

    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        response.add_post_render_callback(record)
    else:
        record(response)


def requested_object_id(kwargs: Mapping[str, object]) -> str | None:
    """The most specific object id a URL names: the last of its `pk` / `*_pk` arguments (URL
    patterns name the containing object first: a case, then its attachment). None for a URL
    without an object id (a token or a slug is not one)."""
    ids = [value for name, value in kwargs.items() if name == "pk" or name.endswith("_pk")]
    return str(ids[-1])[:40] if ids else None


def access_denial_record(
    *, user: User, url_name: str, path: str, object_id: str, status: int
) -> AccessDenial:
    if status not in DENIAL_STATUSES:
        raise ValueError(f"A denial is a 403 or a 404, not {status}.")
    return AccessDenial.objects.create(
        user=user, url_name=url_name[:100], path=path[:300], object_id=object_id, status=status
    )


def access_denial_for_request(
    request: HttpRequest, response: HttpResponseBase
) -> AccessDenial | None:
    """Record a refused request for an object by a logged-in user; None when it is not one
    (not refused, anonymous, or a URL that names no object)."""
    if response.status_code not in DENIAL_STATUSES:
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    match = request.resolver_match
    if match is None:
        return None  # no URL pattern matched: nothing was asked for by id
    object_id = requested_object_id(match.kwargs)
    if object_id is None:
        return None
    return access_denial_record(
        user=user,
        url_name=match.view_name,
        path=request.path,  # without the query string
        object_id=object_id,
        status=response.status_code,
    )


def document_received_journal(attachment_id: int) -> None:
    """Subscriber of intake's `document_received`: a document the applicant sent after the
    application is written in the case's journal (by the automated function)."""
    attachment = Attachment.objects.select_related("application").get(pk=attachment_id)
    with translation.override("sv"):  # the journal is the staff's, whatever the applicant reads
        kind = str(attachment.get_kind_display())
    journal_write(
        category=JournalCategory.DOCUMENT,
        application=attachment.application,
        author=None,
        text=(
            f"Sökanden har skickat ett dokument efter ansökan: {attachment.original_name} ({kind})."
        ),
    )


def appeal_received_journal(appeal_id: int) -> None:
    """Subscriber of intake's `appeal_received`: the appeal is written in the case's journal,
    with what the municipality must do next."""
    appeal = Appeal.objects.select_related("decision__application").get(pk=appeal_id)
    late = (
        " Det kom in efter sista dagen: pröva om det ska avvisas (FL 45 §)." if appeal.late else ""
    )
    journal_write(
        category=JournalCategory.DECISION,
        application=appeal.decision.application,
        author=None,
        text=(
            f"Överklagande inkommet via e-tjänsten {timezone.localdate(appeal.submitted_at)}"
            f"{f', sista dag {appeal.deadline}' if appeal.deadline else ''}.{late} Ompröva "
            "beslutet (FL 37–39 §§); ändras det inte som sökanden begär, överlämna "
            "överklagandet och handlingarna skyndsamt till förvaltningsrätten (FL 46 §).\n\n"
            f"Varför beslutet är fel enligt sökanden: {appeal.reasons}\n\n"
            f"Vad sökanden vill: {appeal.wanted}"
        ),
    )


def journal_write(
    *,
    application: Application,
    text: str,
    author: User | None,
    category: str = JournalCategory.NOTE,
    corrects: JournalEntry | None = None,
) -> JournalEntry:
    text = text.strip()
    if not text:
        raise ValueError("A journal entry needs text.")
    if corrects is not None and corrects.application_id != application.pk:
        raise ValueError("A correction belongs to the same case.")
    if category not in JournalCategory.values:
        raise ValueError(f"Unknown journal category: {category}")
    return JournalEntry.objects.create(
        application=application, text=text, author=author, corrects=corrects, category=category
    )
