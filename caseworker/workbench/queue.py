"""Selectors for the caseworker's queue: filters, search, sorting, keyset pagination, counts.

Reads only. Every query starts from `intake.access.applications_visible_to(user)`, so a
caseworker sees their own municipality's cases and nothing else. The number of queries for one
page is fixed (the rows, the counts, the colleagues) whatever the number of rows: per-row facts
(open warnings, the robot's latest amount) are subqueries in the row query, never a query a row.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Substr
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.identity import normalise_personnummer
from accounts.models import CASE_HANDLING_ROLES, Role, User
from caseworker.workbench.queue_counts import AGE_DAYS as AGE_DAYS
from caseworker.workbench.queue_counts import (
    GROUP_COLUMNS,
    NO_OWNER,
    queue_count_groups,
)
from caseworker.workbench.queue_counts import LIVE_WARNING_STATUSES as LIVE_WARNING_STATUSES
from caseworker.workbench.queue_counts import STOCKHOLM as STOCKHOLM
from eligibility.models import (
    CaseWarning,
    HouseholdLink,
    HouseholdLinkResolution,
    Proposal,
)
from intake.access import applications_visible_to
from intake.models import Application, HouseholdMember, StatusChoices
from intake.models.application import emergency_condition, urgency_rank
from intake.states import OPEN_STATUSES, Status
from kernel.text import search_key

DECIDED_STATUSES = [Status.APPROVED, Status.REJECTED]

PAGE_SIZES = (25, 100)
SORTS = (
    "submitted",
    "due",
    "month",
    "reference",
    "name",
    "personnummer",
    "status",
    "warnings",
    "amount",
    "owner",
)
# Sorts whose key is a person's name or birth date, or changes by itself (a warning closed, a new
# proposal): a cursor for them carries no key, only the row's id, and the key is looked up again
# in the database. No name or birth date goes into a URL (#18).
LOOKED_UP_SORTS = frozenset({"name", "personnummer", "status", "warnings", "amount", "owner"})
# A missing deadline sorts after every real one (ascending), so does a missing proposal and a
# protected identity's birth date (it is not shown, so it does not place the case either).
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)
NO_AMOUNT = Decimal("9999999999.99")
NO_BIRTH_DATE = "99999999"
# The personnummer as the queue shows it: the birth date and four dots (#18).
MASK = "-\u2022\u2022\u2022\u2022"

# Facet -> the values a link can choose ("" is the default: no restriction, or open cases for
# status). The values' labels live in the view/template; here only the rules.
STATUS_VALUES = ("", "decided", "all", *(s for s in StatusChoices.values if s != Status.DRAFT))
WARNING_VALUES = ("", "yes", "no")
TRACK_VALUES = ("", "work", "social", "both", "undecided")
DEADLINE_VALUES = ("", "overdue", "today", "later", "none")
EMERGENCY_VALUES = ("", "yes", "no")
HOUSEHOLD_VALUES = ("", "linked")
AGE_VALUES = ("", *(str(days) for days in AGE_DAYS))


@dataclass(frozen=True)
class QueueParams:
    """What the caseworker asked for, parsed and checked (unknown values fall back to defaults)."""

    status: str = ""
    warnings: str = ""
    track: str = ""
    assignee: str = ""  # "", "me", "unassigned" or a colleague's id as text
    age: str = ""
    deadline: str = ""
    household: str = ""  # "linked": an unresolved link to another application (#16 item 3)
    emergency: str = ""
    sort: str = "submitted"
    desc: bool = False
    size: int = PAGE_SIZES[0]
    after: str = ""
    before: str = ""

    def facets(self) -> dict[str, str]:
        return {
            "status": self.status,
            "warnings": self.warnings,
            "track": self.track,
            "assignee": self.assignee,
            "age": self.age,
            "deadline": self.deadline,
            "household": self.household,
            "emergency": self.emergency,
        }

    def querystring(self, **changes: Any) -> str:
        """The GET query for these parameters with some changed; a filter or sort change starts
        again at the first page. Defaults are left out so URLs stay short."""
        params = replace(self, **changes)
        if "after" not in changes and "before" not in changes:
            params = replace(params, after="", before="")
        elif changes.get("after"):
            params = replace(params, before="")
        elif changes.get("before"):
            params = replace(params, after="")
        defaults = QueueParams()
        data = {
            key: value
            for key, value in {
                **params.facets(),
                "sort": params.sort,
                "dir": "desc" if params.desc else "asc",
                "size": str(params.size),
                "after": params.after,
                "before": params.before,
            }.items()
            if value
            and not (key == "sort" and value == defaults.sort)
            and not (key == "dir" and value == "asc")
            and not (key == "size" and value == str(defaults.size))
        }
        return "?" + urlencode(data) if data else "?"


def queue_params_parse(data: QueryDict, *, colleague_ids: set[int] | None = None) -> QueueParams:
    """Parse GET parameters. A colleague filter is kept only for a known colleague's id."""

    def pick(name: str, allowed: tuple[str, ...]) -> str:
        value = data.get(name, "")
        return value if value in allowed else ""

    assignee = data.get("assignee", "")
    if assignee not in ("me", "unassigned") and not (
        assignee.isdigit() and (colleague_ids is None or int(assignee) in colleague_ids)
    ):
        assignee = ""
    size = data.get("size", "")
    sort = data.get("sort", "")
    return QueueParams(
        status=pick("status", STATUS_VALUES),
        warnings=pick("warnings", WARNING_VALUES),
        track=pick("track", TRACK_VALUES),
        assignee=assignee,
        age=pick("age", AGE_VALUES),
        deadline=pick("deadline", DEADLINE_VALUES),
        household=pick("household", HOUSEHOLD_VALUES),
        emergency=pick("emergency", EMERGENCY_VALUES),
        sort=sort if sort in SORTS else "submitted",
        desc=data.get("dir") == "desc",
        size=int(size) if size.isdigit() and int(size) in PAGE_SIZES else PAGE_SIZES[0],
        after=data.get("after", "")[:200],
        before=data.get("before", "")[:200],
    )


# --- filter conditions ---------------------------------------------------------------------


def _has_live_warning() -> Q:
    """`id IN (cases with a live warning)`: PostgreSQL hashes the subquery once for the whole
    count query instead of probing the warnings per row and per count."""
    return Q(
        pk__in=CaseWarning.objects.filter(status__in=LIVE_WARNING_STATUSES).values("application_id")
    )


def household_link_open() -> Q:
    """Cases with an unresolved link to another live application of their month that may be
    the same household (#16 item 3): neither can be approved until a caseworker resolves it."""
    links = HouseholdLink.objects.filter(resolution=HouseholdLinkResolution.OPEN)
    gone = [Status.DRAFT, Status.WITHDRAWN]
    return Q(pk__in=links.exclude(second__status__in=gone).values("first_id")) | Q(
        pk__in=links.exclude(first__status__in=gone).values("second_id")
    )


def _end_of_today(now: datetime) -> datetime:
    """Midnight after `now` in Swedish time: "due today" means before it."""
    tomorrow = timezone.localtime(now, STOCKHOLM).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time.min, tzinfo=STOCKHOLM)


def facet_condition(
    facet: str, value: str, *, user: User, now: datetime, searching: bool = False
) -> Q:
    """The condition for one facet value. An empty Q means no restriction."""
    if facet == "status":
        if value == "":
            # A search looks through every case, decided ones too: the person searched for is
            # usually not in today's open list.
            return Q() if searching else Q(status__in=OPEN_STATUSES)
        if value == "all":
            return Q()
        if value == "decided":
            return Q(status__in=DECIDED_STATUSES)
        return Q(status=value)
    if facet == "warnings":
        if value == "yes":
            return _has_live_warning()
        if value == "no":
            return ~_has_live_warning()
        return Q()
    if facet == "track":
        if value == "undecided":
            return Q(track="")
        return Q(track=value) if value else Q()
    if facet == "assignee":
        if value == "me":
            return Q(owner=user)
        if value == "unassigned":
            return Q(owner__isnull=True)
        return Q(owner_id=int(value)) if value.isdigit() else Q()
    if facet == "age":
        if value.isdigit():
            return Q(submitted_at__lt=now - timedelta(days=int(value)))
        return Q()
    if facet == "deadline":
        end = _end_of_today(now)
        if value == "overdue":
            return Q(decision_due_at__lt=now)
        if value == "today":
            return Q(decision_due_at__gte=now, decision_due_at__lt=end)
        if value == "later":
            return Q(decision_due_at__gte=end)
        if value == "none":
            return Q(decision_due_at__isnull=True)
        return Q()
    if facet == "emergency":
        if value == "yes":
            return emergency_condition()
        if value == "no":
            return ~emergency_condition()
        return Q()
    if facet == "household":
        return household_link_open() if value == "linked" else Q()
    raise ValueError(f"unknown facet {facet}")


LAST_FOUR = re.compile(r"[0-9]{4}")
# A case number typed without its "EB-" (intake.models.application.new_reference).
BARE_REFERENCE = re.compile(r"[A-Za-z0-9]{8}")


def search_condition(query: str) -> Q:
    """Name, case number (exact, any case) or personnummer (the applicant's or a household
    member's). A name matches whatever the case, diacritics and word order: every word of the
    query is in the name's search key ("akesson" and "berg bilal" find Åkesson and Bilal Berg,
    #18). Four digits are the last four of the applicant's personnummer. The query arrives by
    POST or from the session, never in a URL."""
    query = query.strip()
    condition = Q(reference__iexact=query)
    if BARE_REFERENCE.fullmatch(query):  # "kapxs2t5" for EB-KAPXS2T5 (#18 stranger run)
        condition |= Q(reference__iexact=f"EB-{query}")
    words = search_key(query).split()
    if words:
        name = Q()
        for word in words:
            name &= Q(applicant__search_name__contains=word)
        condition |= name
    if LAST_FOUR.fullmatch(query):
        condition |= Q(applicant__personnummer__endswith=query)
    with contextlib.suppress(ValidationError):
        personnummer = normalise_personnummer(query)
        condition |= Q(applicant__personnummer=personnummer) | Q(
            Exists(
                HouseholdMember.objects.filter(
                    application=OuterRef("pk"), personnummer=personnummer
                )
            )
        )
    return condition


def queue_filtered(
    *, user: User, params: QueueParams, query: str = "", now: datetime
) -> QuerySet[Application]:
    rows = applications_visible_to(user)
    for facet, value in params.facets().items():
        rows = rows.filter(facet_condition(facet, value, user=user, now=now, searching=bool(query)))
    if query:
        rows = rows.filter(search_condition(query))
    return rows


# --- counts --------------------------------------------------------------------------------


FACETS: dict[str, tuple[str, ...]] = {
    "status": STATUS_VALUES,
    "warnings": WARNING_VALUES,
    "track": TRACK_VALUES,
    "age": AGE_VALUES,
    "deadline": DEADLINE_VALUES,
    "household": HOUSEHOLD_VALUES,
    "emergency": EMERGENCY_VALUES,
}
# A group's columns (GROUP_COLUMNS, as facet_matches names them).
GROUP_KEYS = (
    "status",
    "track",
    "owner_id",
    "live_warning",
    "household_open",
    "emergency",
    "age_bucket",
    "deadline_bucket",
)
# What in a group each facet looks at (its matches are worked out once per distinct value).
FACET_GROUP_FIELDS = {
    "status": "status",
    "warnings": "live_warning",
    "track": "track",
    "assignee": "owner_id",
    "age": "age_bucket",
    "deadline": "deadline_bucket",
    "household": "household_open",
    "emergency": "emergency",
}


def _counted_by_table(user: User) -> bool:
    """The staff branch of `applications_visible_to`: a municipality's submitted cases, the
    protected ones only for who may handle them. Its counts are kept in a table."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in (Role.CASEWORKER, Role.TEAM_LEAD)
        and user.municipality_id
    )


def _exact_groups(rows: QuerySet[Application], now: datetime) -> QuerySet[Application, Any]:
    """`rows` grouped by everything a facet looks at, from the cases themselves: GROUP_COLUMNS
    and the number of cases, as `queue_count_groups` gives them from the count table."""
    end_of_today = _end_of_today(now)
    return (
        rows.annotate(
            g_status=F("status"),
            g_track=F("track"),
            g_owner=F("owner_id"),
            g_warning=Case(
                When(_has_live_warning(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            g_household=Case(
                When(household_link_open(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            g_emergency=Case(
                When(emergency_condition(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            age_bucket=Case(
                *(
                    When(submitted_at__lt=now - timedelta(days=days), then=Value(days))
                    for days in sorted(AGE_DAYS, reverse=True)
                ),
                default=Value(0),
                output_field=IntegerField(),
            ),
            deadline_bucket=Case(
                When(decision_due_at__isnull=True, then=Value("none")),
                When(decision_due_at__lt=now, then=Value("overdue")),
                When(decision_due_at__lt=end_of_today, then=Value("today")),
                default=Value("later"),
                output_field=CharField(),
            ),
        )
        .values(*GROUP_COLUMNS)
        .annotate(cases=Count("pk"))
        .values_list(*GROUP_COLUMNS, "cases")
        .order_by()
    )


def queue_counts(
    *, user: User, params: QueueParams, query: str = "", now: datetime, colleague_ids: list[int]
) -> dict[str, dict[str, int]]:
    """For each facet value, how many cases match it together with the other facets' current
    choices (and the search). Exact and live: no cache.

    The cases come in groups by everything a facet looks at (status, track, owner, a live
    warning, an age bucket, a deadline bucket, a household link, an emergency); each facet
    value's count is the sum of the groups it matches (``facet_matches``, the same rules as
    ``facet_condition``). Without a search the groups are read from the count table
    (``queue_counts.queue_count_groups``, #20 c), and only the cases on a boundary day are
    grouped from the applications; a search groups the cases it finds.
    """
    searching = bool(query)
    assignees = ("", "me", "unassigned", *(str(pk) for pk in colleague_ids))
    values = {
        facet: assignees if facet == "assignee" else FACETS[facet] for facet in FACET_GROUP_FIELDS
    }
    rows = applications_visible_to(user)
    if query or not _counted_by_table(user):
        if query:
            rows = rows.filter(search_condition(query))
        found: QuerySet[Any, Any] = _exact_groups(rows, now)
    else:
        found = queue_count_groups(
            municipality_id=int(user.municipality_id or 0),
            with_protected=user.may_handle_protected,
            now=now,
        )
    # The groups' columns, merged where the two halves (table and boundary days) meet.
    merged: dict[tuple[Any, ...], int] = {}
    # Read without Django's per-value conversion: the values are compared, never shown.
    with connection.cursor() as cursor:
        cursor.execute(*found.query.sql_with_params())
        rows = cursor.fetchall()
    for *facts, cases in rows:
        if facts[2] == NO_OWNER:
            facts[2] = None
        key = tuple(facts)
        merged[key] = merged.get(key, 0) + cases
    columns = [GROUP_KEYS.index(FACET_GROUP_FIELDS[facet]) for facet in values]
    current = [params.facets()[facet] for facet in values]
    # Per facet, the values that hold for each value of the column it looks at (worked out once).
    known: list[dict[Any, frozenset[str]]] = [{} for _ in values]
    choices = list(values.items())
    tallies: list[dict[str, int]] = [dict.fromkeys(values[facet], 0) for facet in values]
    for key, cases in merged.items():
        if not cases:
            continue
        matches = []
        for n, (facet, facet_values) in enumerate(choices):
            seen = key[columns[n]]
            found_values = known[n].get(seen)
            if found_values is None:
                group = dict(zip(GROUP_KEYS, key, strict=True))
                found_values = known[n][seen] = frozenset(
                    value
                    for value in facet_values
                    if facet_matches(facet, value, group, user=user, searching=searching)
                )
            matches.append(found_values)
        # A facet's values count the group when every other facet's choice holds for it: with
        # no choice failing, all facets; with one failing, that facet only; else none.
        failing = [n for n, chosen in enumerate(current) if chosen not in matches[n]]
        if len(failing) > 1:
            continue
        for n in failing or range(len(choices)):
            tally = tallies[n]
            for value in matches[n]:
                tally[value] += cases
    return {facet: tallies[n] for n, facet in enumerate(values)}


def facet_matches(
    facet: str, value: str, group: dict[str, Any], *, user: User, searching: bool = False
) -> bool:
    """``facet_condition`` for a group of ``queue_counts``: does the facet value hold for it?"""
    if facet == "status":
        status = group["status"]
        if value == "":
            return searching or status in OPEN_STATUSES
        if value == "all":
            return True
        if value == "decided":
            return status in DECIDED_STATUSES
        return bool(status == value)
    if facet == "warnings":
        return value == "" or bool((value == "yes") == group["live_warning"])
    if facet == "track":
        if value == "undecided":
            return bool(group["track"] == "")
        return value == "" or bool(group["track"] == value)
    if facet == "assignee":
        owner = group["owner_id"]
        if value == "me":
            return bool(owner == user.pk)
        if value == "unassigned":
            return owner is None
        return not value.isdigit() or owner == int(value)
    if facet == "age":
        return not value.isdigit() or group["age_bucket"] >= int(value)
    if facet == "deadline":
        return value == "" or group["deadline_bucket"] == value
    if facet == "emergency":
        return value == "" or bool((value == "yes") == bool(group["emergency"]))
    if facet == "household":
        return value == "" or bool(group["household_open"])
    raise ValueError(f"unknown facet {facet}")


# --- sorting and keyset pagination -----------------------------------------------------------


def _open_warnings() -> Coalesce:
    """How many live warnings a case has (a subquery, no query a row)."""
    return Coalesce(
        Subquery(
            CaseWarning.objects.filter(application=OuterRef("pk"), status__in=LIVE_WARNING_STATUSES)
            .order_by()
            .values("application")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _latest_amount() -> Subquery:
    """The amount of the robot's latest proposal, None before the first."""
    return Subquery(
        Proposal.objects.filter(application=OuterRef("pk")).order_by("-round").values("amount")[:1]
    )


def _status_position() -> Case:
    """A status's place in the case's course (Mottagen … Återtagen), not its code's spelling."""
    return Case(
        *(When(status=value, then=Value(n)) for n, value in enumerate(StatusChoices.values)),
        default=Value(len(StatusChoices.values)),
        output_field=IntegerField(),
    )


def _sort_expression(sort: str) -> Any:
    """The one expression each sort orders by. Never None (keyset pages compare it): a missing
    deadline, proposal or birth date is given a value after every real one."""
    if sort == "due":
        return Coalesce("decision_due_at", Value(NO_DEADLINE), output_field=DateTimeField())
    if sort == "month":
        return F("month")
    if sort == "reference":
        return F("reference")
    if sort == "name":
        # As the name is shown (first name, last name), whatever its case and diacritics.
        return Coalesce("applicant__search_name", Value(""), output_field=CharField())
    if sort == "personnummer":
        return Case(
            When(protected_identity=True, then=Value(NO_BIRTH_DATE)),
            default=Coalesce(Substr("applicant__personnummer", 1, 8), Value(NO_BIRTH_DATE)),
            output_field=CharField(),
        )
    if sort == "status":
        return _status_position()
    if sort == "warnings":
        return _open_warnings()
    if sort == "amount":
        return Coalesce(
            _latest_amount(),
            Value(NO_AMOUNT),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        )
    if sort == "owner":
        return Coalesce("owner__search_name", Value(""), output_field=CharField())
    return Coalesce("submitted_at", "created_at", output_field=DateTimeField())


def _key_to_text(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _key_from_text(sort: str, value: Any) -> Any:
    if sort in LOOKED_UP_SORTS:
        if value is not None:
            raise ValueError("a key where none belongs")
        return None
    if not isinstance(value, str):
        raise ValueError("bad key")
    if sort in ("due", "submitted"):
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError("bad key")
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)
    if sort == "month":
        parsed_date = parse_date(value)
        if parsed_date is None:
            raise ValueError("bad key")
        return parsed_date
    return value


@dataclass(frozen=True)
class Cursor:
    """Where a page starts or ends: the row's sort key (None for `LOOKED_UP_SORTS`), id and
    urgency rank, and its place in the order counted from 0 (only for "visar 26–50": keyset
    pages do not count the rows before them)."""

    key: Any
    pk: int
    rank: int = 1
    index: int = 0


def cursor_encode(sort: str, key: Any, pk: int, rank: int = 1, index: int = 0) -> str:
    kept = None if sort in LOOKED_UP_SORTS else _key_to_text(key)
    raw = json.dumps([sort, kept, pk, rank, index], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(sort: str, cursor: str) -> Cursor | None:
    """The row a cursor points at, or None if it is broken or for another sort."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, key, pk, rank, *rest = json.loads(raw)
        index = rest[0] if rest else 0
        if (
            cursor_sort != sort
            or not isinstance(pk, int)
            or rank not in (0, 1)
            or not isinstance(index, int)
            or index < 0
            or len(rest) > 1
        ):
            return None
        return Cursor(_key_from_text(sort, key), pk, rank, index)
    except (ValueError, binascii.Error, TypeError):
        return None


@dataclass
class QueuePage:
    rows: Sequence[Application]  # annotated with sort_key, open_warnings, proposal_amount
    next_cursor: str = ""
    previous_cursor: str = ""
    start: int = 0  # the first row's place in the whole order, counted from 0
    extra: dict[str, Any] = field(default_factory=dict)


# The applicant's personnummer is not among them: a row carries its masked form only
# (`personnummer_masked`), so the full number is never read for the queue (#18).
QUEUE_ROW_FIELDS = (
    "reference",
    "status",
    "month",
    "submitted_at",
    "created_at",
    "decision_due_at",
    "track",
    "municipality_id",
    "protected_identity",
    "emergency_no_food",
    "emergency_eviction_notice",
    "emergency_disconnection_notice",
    "applicant__first_name",
    "applicant__last_name",
    "applicant__username",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
)


def personnummer_masked() -> Case:
    """'19850312-••••': the birth date part of the applicant's personnummer, the last four
    hidden; empty for a case with protected identity (the queue says "Skyddad")."""
    return Case(
        When(protected_identity=True, then=Value("")),
        default=Concat(Substr("applicant__personnummer", 1, 8), Value(MASK)),
        output_field=CharField(),
    )


def queue_page(
    *, user: User, params: QueueParams, query: str = "", now: datetime | None = None
) -> QueuePage:
    """One page of rows, ordered by (urgency, sort key, id), found by keyset: never OFFSET.
    Open emergencies come first in every order (`urgency_rank`); the sort key's direction
    applies within each, the id breaks ties. Each row carries `urgency`, `sort_key`,
    `open_warnings`, `proposal_amount` and `personnummer_masked` (subqueries and expressions,
    no extra queries)."""
    now = now or timezone.now()
    rows = (
        queue_filtered(user=user, params=params, query=query, now=now)
        .select_related("applicant", "owner")
        # What a row shows and sorts by: the frozen declaration and the rest of a case's columns
        # (and the people's) are not read, decoded or turned into attributes 26 times a page.
        .only(*QUEUE_ROW_FIELDS)
        .annotate(
            urgency=urgency_rank(),
            sort_key=_sort_expression(params.sort),
            household_link_open=Case(
                When(household_link_open(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            open_warnings=_open_warnings(),
            proposal_amount=_latest_amount(),
            personnummer_masked=personnummer_masked(),
        )
    )
    after = cursor_decode(params.sort, params.after)
    before = None if after else cursor_decode(params.sort, params.before)
    backwards = before is not None
    # Going back = walking the reverse order from the cursor, then turning the page around.
    descending = params.desc != backwards
    position = after or before
    if position is not None:
        key: Any = position.key
        if params.sort in LOOKED_UP_SORTS:
            # The cursor's row's key as it is now, in the same query (a subquery).
            key = Subquery(
                applications_visible_to(user)
                .filter(pk=position.pk)
                .annotate(cursor_key=_sort_expression(params.sort))
                .order_by()
                .values("cursor_key")[:1]
            )
        pk = position.pk
        if descending:
            within = Q(sort_key__lt=key) | Q(sort_key=key, pk__lt=pk)
        else:
            within = Q(sort_key__gt=key) | Q(sort_key=key, pk__gt=pk)
        # The urgency rank runs ascending (emergencies first), and backwards when going back.
        rank = position.rank
        later_rank = Q(urgency__lt=rank) if backwards else Q(urgency__gt=rank)
        rows = rows.filter(later_rank | (Q(urgency=rank) & within))
    ordering = ["-urgency" if backwards else "urgency"]
    ordering += ["-sort_key", "-pk"] if descending else ["sort_key", "pk"]
    found = list(rows.order_by(*ordering)[: params.size + 1])
    more = len(found) > params.size
    found = found[: params.size]
    if backwards:
        found.reverse()
    has_next = more if not backwards else True
    has_previous = more if backwards else after is not None
    if after is not None:
        start = after.index + 1
    elif before is not None and has_previous:
        start = max(before.index - len(found), 0)
    else:
        start = 0
    page = QueuePage(rows=found, start=start)
    if not found:
        return page
    first, last = found[0], found[-1]
    if has_next:
        page.next_cursor = cursor_encode(
            params.sort, last.sort_key, last.pk, last.urgency, start + len(found) - 1
        )
    if has_previous:
        page.previous_cursor = cursor_encode(
            params.sort, first.sort_key, first.pk, first.urgency, start
        )
    return page


def colleagues_for(user: User) -> list[User]:
    """Who a case in the user's municipality can be given to: its active caseworkers and team
    leads."""
    if not user.municipality_id:
        return []
    return list(
        User.objects.filter(
            municipality_id=user.municipality_id, role__in=CASE_HANDLING_ROLES, is_active=True
        ).order_by("first_name", "last_name", "id")
    )
