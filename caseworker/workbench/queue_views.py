"""The caseworker's queue: filters and sorting in GET (shareable, pushed to history by htmx),
search by POST (a typed personnummer never reaches a URL or an access log line), bulk assign.

Without JavaScript every link and form loads the whole page; with htmx the same URLs answer
with the `#queue-results` partial only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import ASCII_ID, AuthenticatedHttpRequest
from accounts.models import User
from accounts.permissions import caseworker_required
from caseworker.audit.log import access_log_record
from caseworker.models import AccessAction
from caseworker.workbench.assignment import AssignmentRefused, applications_assign
from caseworker.workbench.queue import (
    AGE_DAYS,
    PAGE_SIZES,
    SORTS,
    QueuePage,
    colleagues_for,
    queue_counts,
    queue_page,
    queue_params_parse,
)
from intake.access import access_application
from intake.models import StatusChoices, Track
from intake.states import Status

RESULTS_TEMPLATE = "caseworker/_queue_results.html"
SEARCH_MAX_LENGTH = 100


def _labels(colleagues: list[User]) -> dict[str, list[tuple[str, str]]]:
    everyone = _("Alla")
    return {
        "status": [
            ("", _("Alla aktuella")),
            *(
                (value, str(label))
                for value, label in StatusChoices.choices
                if value != Status.DRAFT
            ),
            ("decided", _("Alla beslutade")),
            ("all", _("Alla ärenden")),
        ],
        "warnings": [
            ("", everyone),
            ("yes", _("Med öppna varningar")),
            ("no", _("Utan öppna varningar")),
        ],
        "track": [
            ("", everyone),
            *((value, str(label)) for value, label in Track.choices),
            ("undecided", _("Spår inte beslutat")),
        ],
        "assignee": [
            ("", everyone),
            ("me", _("Mina ärenden")),
            ("unassigned", _("Utan ansvarig")),
            *((str(c.pk), c.display_name()) for c in colleagues),
        ],
        "age": [
            ("", everyone),
            *(
                (str(days), _("Inkom för mer än %(days)s dagar sedan") % {"days": days})
                for days in AGE_DAYS
            ),
        ],
        "deadline": [
            ("", everyone),
            ("overdue", _("Försenade")),
            ("today", _("Beslut senast i dag")),
            ("later", _("Beslut senare")),
            ("none", _("Utan beslutsdatum")),
        ],
        "emergency": [
            ("", everyone),
            ("yes", _("Akuta ärenden")),
            ("no", _("Inte akuta")),
        ],
        "household": [
            ("", everyone),
            ("linked", _("Kopplade till en annan ansökan, olösta")),
        ],
    }


FACET_HEADINGS = {
    "status": gettext_lazy("Status"),
    "warnings": gettext_lazy("Varningar"),
    "track": gettext_lazy("Spår"),
    "assignee": gettext_lazy("Ansvarig"),
    "age": gettext_lazy("Ålder"),
    "deadline": gettext_lazy("Beslutsdatum"),
    "emergency": gettext_lazy("Akut"),
    "household": gettext_lazy("Samma hushåll"),
}


def _queue_context(request: AuthenticatedHttpRequest, *, query: str = "") -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    colleagues = colleagues_for(user)
    params = queue_params_parse(request.GET, colleague_ids={c.pk for c in colleagues})
    page = queue_page(user=user, params=params, query=query, now=now)
    counts = queue_counts(
        user=user, params=params, query=query, now=now, colleague_ids=[c.pk for c in colleagues]
    )
    current = params.facets()
    groups = []
    for facet, choices in _labels(colleagues).items():
        groups.append(
            {
                "name": facet,
                "heading": FACET_HEADINGS[facet],
                "items": [
                    {
                        "label": label,
                        "href": params.querystring(**{facet: value}),
                        "count": counts[facet][value],
                        "selected": current[facet] == value,
                        # aria-current marks filters the caseworker chose, not the defaults.
                        "applied": current[facet] == value and value != "",
                    }
                    for value, label in choices
                ],
            }
        )
    # A sort keeps the filters and the search (`sok=1`: the search kept in the session) and
    # starts again at the first page (#18).
    sort_headers = {
        sort: {
            "href": _with_search(
                params.querystring(
                    sort=sort, desc=not params.desc if params.sort == sort else False
                ),
                bool(query),
            ),
            "aria_sort": ("descending" if params.desc else "ascending")
            if params.sort == sort
            else "none",
        }
        for sort in SORTS
    }
    # How many cases the filters and the search find: the count of the status facet's chosen
    # value is the count of the cases every facet's choice holds for (no query of its own).
    total = counts["status"][params.status]
    return {
        "rows": page.rows,
        "page": page,
        "params": params,
        "total": total,
        "total_text": total_text(total),
        "showing_text": showing_text(page),
        "query": query,
        "filter_groups": groups,
        "sort_headers": sort_headers,
        "colleagues": colleagues,
        "page_sizes": [
            {"size": size, "href": params.querystring(size=size), "selected": size == params.size}
            for size in PAGE_SIZES
        ],
        "here": params.querystring(after=params.after, before=params.before),
        "filters_query": params.querystring(),
        "next_query": params.querystring(after=page.next_cursor) if page.next_cursor else "",
        "previous_query": params.querystring(before=page.previous_cursor)
        if page.previous_cursor
        else "",
        "queue_url": reverse("caseworker:queue"),
    }


def total_text(total: int) -> str:
    """How many cases the filters and the search find: "1 ärende", "1 234 ärenden"."""
    return ngettext("%(count)s ärende", "%(count)s ärenden", total) % {
        "count": number_format(total, force_grouping=True)
    }


def showing_text(page: QueuePage) -> str:
    """Which of them this page shows, "visar 26–50"; empty for an empty page."""
    if not page.rows:
        return ""
    return _("visar %(first)s–%(last)s") % {
        "first": number_format(page.start + 1, force_grouping=True),
        "last": number_format(page.start + len(page.rows), force_grouping=True),
    }


def _render(request: AuthenticatedHttpRequest, context: dict[str, Any]) -> TemplateResponse:
    if request.htmx and request.htmx.target == "queue-results":
        return TemplateResponse(request, RESULTS_TEMPLATE, context)
    return TemplateResponse(request, "caseworker/queue.html", context)


@caseworker_required
@require_http_methods(["GET", "POST"])
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: filters, sort and page from the URL. POST: the same plus a search in the body.

    The search survives Back (#18) without a personnummer in any URL: it is kept in the
    session and the page's address says only `sok=1` ("the search I made"): an htmx search
    pushes that address into the history (without JavaScript the browser offers to send the
    form again)."""
    query = ""
    if request.method == "POST":
        query = request.POST.get("q", "").strip()[:SEARCH_MAX_LENGTH]
        request.session[SEARCH_SESSION_KEY] = query
        params = queue_params_parse(request.GET)
        searched = reverse("caseworker:queue") + _with_search(
            params.querystring(after=params.after, before=params.before), bool(query)
        )
        response = _render(request, _queue_context(request, query=query))
        if request.htmx:
            response["HX-Push-Url"] = searched
        return response
    if request.GET.get("sok") == "1":
        query = str(request.session.get(SEARCH_SESSION_KEY, ""))
    return _render(request, _queue_context(request, query=query))


SEARCH_SESSION_KEY = "queue_search"


def _with_search(querystring: str, searching: bool) -> str:
    if not searching:
        return querystring
    rest = querystring.lstrip("?")
    return f"?{rest}&sok=1" if rest else "?sok=1"


@caseworker_required
@require_POST
def queue_assign(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Bulk assign the ticked cases to a colleague; the filters come along in the query string."""
    user = request.user
    ids = [value for value in request.POST.getlist("ids") if ASCII_ID.fullmatch(value)]
    owner_id = request.POST.get("owner", "")
    owner = User.objects.filter(pk=int(owner_id)).first() if ASCII_ID.fullmatch(owner_id) else None
    notice, error = "", ""
    try:
        if not ids:
            raise AssignmentRefused(_("Markera de ärenden som ska tilldelas."))
        if owner is None:
            raise AssignmentRefused(_("Välj vem ärendena ska tilldelas."))
        changed = applications_assign(applications=[int(i) for i in ids], owner=owner, by=user)
    except AssignmentRefused as exc:
        error = str(exc)
    else:
        notice = ngettext(
            "%(count)s ärende tilldelat %(owner)s.",
            "%(count)s ärenden tilldelade %(owner)s.",
            len(changed),
        ) % {"count": len(changed), "owner": owner.display_name()}
    if request.htmx and request.htmx.target == "queue-results":
        context = _queue_context(request)
        context.update(notice=notice, error=error)
        return TemplateResponse(request, RESULTS_TEMPLATE, context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    params = queue_params_parse(request.GET)
    return redirect(
        reverse("caseworker:queue") + params.querystring(after=params.after, before=params.before)
    )


@caseworker_required
@require_GET
def queue_search_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A case opened from search results: one SEARCH row in the access log for that case (the
    list of hits itself is not logged, see docs/adr/0006-caseworker-queue.md), then the
    case page, which logs its own view."""
    application = access_application(request.user, pk)
    access_log_record(
        user=request.user,
        application=application,
        action=AccessAction.SEARCH,
        detail="öppnat från sökresultat",
    )
    return redirect("caseworker:case_detail", pk=application.pk)
