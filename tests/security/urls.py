"""The URL inventory the attack tests walk: every named pattern from the resolver, sorted into
object URLs (with the object each id names) and URLs without an object (listed by hand, so a new
URL that takes an object id and is not covered here fails the tests)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Patterns that take no object id. A new URL without an id must be added here on purpose.
NO_OBJECT_URLS = frozenset(
    {
        "home",
        "accounts:eid_login",
        "accounts:oidc_start",
        "accounts:oidc_callback",
        "accounts:staff_login",
        "accounts:otp_verify",
        "accounts:otp_enroll",
        "accounts:logout",
        "accounts:session_extend",
        "accounts:home",
        "intake:application_list",
        "intake:application_start",
        "notifications:settings",
        "intake:represented_list",
        "assisted:register_start",
        "assisted:mandate_list",
        "caseworker:queue",
        "caseworker:queue_assign",
        "caseworker:dashboard",
        "caseworker:referral_list",
        "caseworker:statistics",
        "caseworker:statistics_export",
        "caseworker:reason_templates",
        "caseworker:reason_template_edit",  # a template code in the query, not a case
        "caseworker:payment_files",  # the team lead's municipality's files (#18)
        "caseworker:payment_file_create",
        "caseworker:payment_returns_upload",  # the bank's camt.054, the lead's municipality's
        "health_live",
        "health_ready",  # ids in the body: tests/security/test_idor.py checks it apart
        "meetings:day",
        "meetings:week",
        "meetings:feed_settings",
        "meetings:report",
        "eligibility:trial_calculation",
        "set_language",
        "accessibility",
        "privacy",
    }
)
# A secret in the URL instead of a login: the calendar feed (tested in tests/meetings) and the SMS
# gateway's delivery report (a signed URL per notice, CSRF-exempt because the gateway posts it;
# forged, repeated and early reports are tested in tests/notifications/test_sms_gateway.py).
SECRET_TOKEN_URLS = frozenset({"meetings:feed", "notifications:sms_delivery_report"})

# Object URLs whose objects the attack world does not build yet (caseworker ownership, being
# written alongside #9): listed so they are skipped on purpose, never by accident. Each still
# needs its row in tests/security/test_idor.py once its model settles.
PENDING_OBJECT_URLS = frozenset(
    {
        "caseworker:alert_resolve",
        "caseworker:referral_acknowledge",
        "caseworker:referral_close",
        "caseworker:referral_reassign",
        "caseworker:reminder_done",
        "caseworker:outreach_done",
        # A payment file (#18), a team lead's: tested in tests/caseworker/payments/
        # test_payment_files_page.py (another municipality's 404, other roles 403, the door).
        "caseworker:payment_file_download",
        "caseworker:payment_file_mark_sent",
    }
)

# Which object a URL's `pk` names, when it is not the application.
MEETING_PK_URLS = frozenset(
    {
        "meetings:meeting_detail",
        "meetings:meeting_ics",
        "meetings:applicant_meeting",
        "meetings:applicant_reschedule",
        "meetings:applicant_cancel",
        "meetings:applicant_needs",
        "meetings:applicant_ics",
    }
)
MANDATE_PK_URLS = frozenset({"assisted:mandate_revoke", "intake:represented_start"})
OBJECT_KWARGS = frozenset({"pk", "application_pk", "attachment_pk", "step"})


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    kwargs: tuple[str, ...]


def routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                route = prefix + str(pattern.pattern)
                if route.startswith("admin/"):
                    continue  # Django's admin: off in production (ADR 0006)
                kwargs = tuple(pattern.pattern.converters)
                found.append(Route(namespace + pattern.name, route, kwargs))

    walk(get_resolver().url_patterns, "", "")
    unique: dict[str, Route] = {}
    for item in found:
        unique.setdefault(item.name, item)
    return sorted(unique.values(), key=lambda r: r.name)


def object_routes() -> list[Route]:
    skip = SECRET_TOKEN_URLS | PENDING_OBJECT_URLS
    return [r for r in routes() if r.kwargs and r.name not in skip]


def uncovered_routes() -> list[str]:
    """Patterns neither listed as object-free nor understood as object URLs."""
    problems = []
    for r in routes():
        if r.name in SECRET_TOKEN_URLS | PENDING_OBJECT_URLS:
            continue
        if not r.kwargs and r.name not in NO_OBJECT_URLS:
            problems.append(f"{r.name} ({r.route}) takes no id: list it in NO_OBJECT_URLS")
        unknown = set(r.kwargs) - OBJECT_KWARGS
        if unknown:
            problems.append(f"{r.name} takes {sorted(unknown)}: teach tests/security/urls.py")
        if r.kwargs and r.name in NO_OBJECT_URLS:
            problems.append(f"{r.name} takes an id but is listed as object-free")
    return problems
