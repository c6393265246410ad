"""Who owns a case (#7): automatic assignment by weighted caseload with a ceiling, continuity,
and stand-ins during absence (cases, reminders and referrals move and move back).

Every submitted case has an owner at every moment: `intake.Application` has the database
constraint `submitted_application_has_owner` (owner required unless draft or withdrawn). A draft
is not a case yet: nobody at the municipality sees it until it is submitted, and submitting
chooses the owner in the same UPDATE that changes the status. The chooser never returns nobody:
when everyone is at the ceiling the least-loaded caseworker gets the case anyway and the team
leads are alerted.

`owner_choose_weighted` is what `intake.services.owner_choose` calls (settings.OWNER_CHOOSER).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypedDict

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CASE_HANDLING_ROLES, Municipality, Role, User
from caseworker.models.caseload import (
    AlertKind,
    CaseworkerProfile,
    OwnershipSettings,
    Referral,
    StaffAlert,
)
from eligibility.models import CaseWarning, WarningStatus
from intake.events import OwnerQuery
from intake.models import Application, ApplicationKind, HouseholdMember, MemberRole
from intake.services import NoCaseworkerAvailable, previous_month
from intake.states import OPEN_STATUSES, Status
from meetings.models import Absence, Meeting


@dataclass(frozen=True)
class Weights:
    base: Decimal
    first_application: Decimal
    open_warning: Decimal
    open_warnings_max: int
    children: Decimal
    protected_identity: Decimal
    interpreter: Decimal
    emergency: Decimal


def weights() -> Weights:
    raw = settings.CASELOAD_WEIGHTS
    return Weights(
        base=Decimal(str(raw["base"])),
        first_application=Decimal(str(raw["first_application"])),
        open_warning=Decimal(str(raw["open_warning"])),
        open_warnings_max=int(raw["open_warnings_max"]),
        children=Decimal(str(raw["children"])),
        protected_identity=Decimal(str(raw["protected_identity"])),
        interpreter=Decimal(str(raw["interpreter"])),
        emergency=Decimal(str(raw["emergency"])),
    )


@dataclass(frozen=True)
class CaseFacts:
    """What makes a case heavier than another."""

    first_application: bool = False
    open_warnings: int = 0
    children: bool = False
    protected_identity: bool = False
    interpreter: bool = False
    emergency: bool = False


def case_weight(facts: CaseFacts, w: Weights | None = None) -> Decimal:
    w = w or weights()
    total = w.base
    if facts.first_application:
        total += w.first_application
    total += w.open_warning * min(facts.open_warnings, w.open_warnings_max)
    if facts.children:
        total += w.children
    if facts.protected_identity:
        total += w.protected_identity
    if facts.interpreter:
        total += w.interpreter
    if facts.emergency:
        total += w.emergency
    return total


class _FactsAnnotations(TypedDict):
    n_warnings: Coalesce
    has_children: Exists
    has_interpreter: Exists


def _facts_annotations() -> _FactsAnnotations:
    return {
        "n_warnings": Coalesce(
            Subquery(
                CaseWarning.objects.filter(application=OuterRef("pk"), status=WarningStatus.OPEN)
                .values("application")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        ),
        "has_children": Exists(
            HouseholdMember.objects.filter(application=OuterRef("pk"), role=MemberRole.CHILD)
        ),
        "has_interpreter": Exists(
            Meeting.objects.filter(application=OuterRef("pk"), cancelled_at__isnull=True).exclude(
                interpreter_language=""
            )
        ),
    }


def _facts_of_row(row: dict[str, Any]) -> CaseFacts:
    return CaseFacts(
        first_application=row["kind"] == ApplicationKind.NEW and row["previous_id"] is None,
        open_warnings=int(row["n_warnings"] or 0),
        children=bool(row["has_children"]),
        protected_identity=bool(row["protected_identity"]),
        interpreter=bool(row["has_interpreter"]),
        emergency=bool(
            row["emergency_no_food"]
            or row["emergency_eviction_notice"]
            or row["emergency_disconnection_notice"]
        ),
    )


_FACT_FIELDS = (
    "pk",
    "owner_id",
    "kind",
    "previous_id",
    "protected_identity",
    "emergency_no_food",
    "emergency_eviction_notice",
    "emergency_disconnection_notice",
    "n_warnings",
    "has_children",
    "has_interpreter",
)


def application_facts(application: Application) -> CaseFacts:
    row = (
        Application.objects.filter(pk=application.pk)
        .annotate(**_facts_annotations())
        .values(*_FACT_FIELDS)
        .first()
    )
    if row is None:  # not saved yet
        return CaseFacts(
            first_application=application.kind == ApplicationKind.NEW
            and application.previous_id is None,
            protected_identity=application.protected_identity,
            emergency=application.is_emergency,
        )
    return _facts_of_row(row)


def open_case_weights(municipality_id: int) -> dict[int, Decimal]:
    """Open case id -> weight, for a municipality (one query)."""
    w = weights()
    rows = (
        Application.objects.filter(municipality_id=municipality_id, status__in=OPEN_STATUSES)
        .annotate(**_facts_annotations())
        .values(*_FACT_FIELDS)
    )
    return {row["pk"]: case_weight(_facts_of_row(row), w) for row in rows}


@dataclass(frozen=True)
class Caseload:
    user: User
    cases: int
    load: Decimal
    ceiling: Decimal

    @property
    def utilisation(self) -> Decimal:
        return self.load / self.ceiling if self.ceiling else Decimal(0)

    @property
    def over_ceiling(self) -> bool:
        return self.load > self.ceiling


def municipality_settings(municipality_id: int) -> OwnershipSettings:
    found = OwnershipSettings.objects.filter(municipality_id=municipality_id).first()
    return found or OwnershipSettings(
        municipality_id=municipality_id,
        default_ceiling=Decimal(str(settings.CASELOAD_CEILING_DEFAULT)),
    )


def caseloads(municipality_id: int, users: list[User] | None = None) -> dict[int, Caseload]:
    """Weighted open caseload per case-handling staff member (two or three queries)."""
    if users is None:
        users = list(
            User.objects.filter(
                municipality_id=municipality_id, role__in=CASE_HANDLING_ROLES, is_active=True
            ).order_by("id")
        )
    default = municipality_settings(municipality_id).default_ceiling
    own = {
        user_id: ceiling
        for user_id, ceiling in CaseworkerProfile.objects.filter(
            user__in=users, caseload_ceiling__isnull=False
        ).values_list("user_id", "caseload_ceiling")
        if ceiling is not None
    }
    loads, counts = _loads_per_owner(municipality_id, weights())
    return {
        user.pk: Caseload(
            user=user,
            cases=counts.get(user.pk, 0),
            load=loads.get(user.pk, Decimal(0)),
            ceiling=own.get(user.pk, default),
        )
        for user in users
    }


def _loads_per_owner(municipality_id: int, w: Weights) -> tuple[dict[int, Decimal], dict[int, int]]:
    """Weighted load and number of open cases per owner, summed by the database (one query,
    a row per owner): ``case_weight`` as an SQL expression in hundredths, so the sum is exact
    on SQLite and PostgreSQL alike. Reading every open case into Python instead cost each
    submit ~60 ms of CPU at 10,000 open cases (#10)."""

    def hundredths(amount: Decimal) -> int:
        return int((amount * 100).to_integral_value())

    def when(condition: Q | Exists, amount: Decimal) -> Case:
        return Case(
            When(condition, then=Value(hundredths(amount))),
            default=Value(0),
            output_field=IntegerField(),
        )

    facts = _facts_annotations()
    weight = (
        Value(hundredths(w.base))
        + when(Q(kind=ApplicationKind.NEW, previous__isnull=True), w.first_application)
        + Value(hundredths(w.open_warning))
        * Least(facts["n_warnings"], Value(w.open_warnings_max), output_field=IntegerField())
        + when(facts["has_children"], w.children)
        + when(Q(protected_identity=True), w.protected_identity)
        + when(facts["has_interpreter"], w.interpreter)
        + when(
            Q(emergency_no_food=True)
            | Q(emergency_eviction_notice=True)
            | Q(emergency_disconnection_notice=True),
            w.emergency,
        )
    )
    rows = list(
        Application.objects.filter(
            municipality_id=municipality_id, status__in=OPEN_STATUSES, owner__isnull=False
        )
        .values("owner_id")
        .annotate(load=Sum(weight, output_field=IntegerField()), cases=Count("pk"))
        .order_by()
    )
    loads = {row["owner_id"]: Decimal(row["load"]) / 100 for row in rows}
    counts = {row["owner_id"]: row["cases"] for row in rows}
    return loads, counts


def absent_ids(user_ids: list[int], day: date) -> set[int]:
    return set(
        Absence.objects.filter(secretary_id__in=user_ids, start__lte=day, end__gte=day).values_list(
            "secretary_id", flat=True
        )
    )


def team_leads(municipality_id: int) -> list[User]:
    """The named team leads of both sides, or every active team lead of the municipality."""
    found = municipality_settings(municipality_id)
    named = [
        user
        for user in (found.work_team_lead, found.social_team_lead)
        if found.pk and user is not None and user.is_active
    ]
    if named:
        unique = {user.pk: user for user in named}
        return list(unique.values())
    return list(
        User.objects.filter(
            municipality_id=municipality_id, role=Role.TEAM_LEAD, is_active=True
        ).order_by("id")
    )


def alert_team_leads(
    *,
    municipality_id: int,
    kind: AlertKind,
    text: str,
    key: str,
    application: Application | None = None,
    referral: Referral | None = None,
) -> list[StaffAlert]:
    """One alert per team lead (or one without a recipient when there is none). Idempotent."""
    leads: list[User | None] = list(team_leads(municipality_id)) or [None]
    created = []
    for lead in leads:
        alert, made = StaffAlert.objects.get_or_create(
            dedupe_key=f"{key}:{lead.pk if lead else 0}"[:120],
            defaults={
                "municipality_id": municipality_id,
                "kind": kind,
                "recipient": lead,
                "application": application,
                "referral": referral,
                "text": text,
            },
        )
        if made:
            created.append(alert)
    return created


def _previous_owner_id(application: Application) -> int | None:
    """Continuity: last month's caseworker for the household."""
    if application.previous_id:
        return (
            Application.objects.filter(pk=application.previous_id)
            .values_list("owner_id", flat=True)
            .first()
        )
    return (
        Application.objects.filter(
            applicant_id=application.applicant_id,
            month=previous_month(application.month),
            owner__isnull=False,
        )
        .exclude(pk=application.pk)
        .order_by("-submitted_at")
        .values_list("owner_id", flat=True)
        .first()
    )


def on_call_ids(user_ids: list[int]) -> set[int]:
    return set(
        CaseworkerProfile.objects.filter(user_id__in=user_ids, on_call=True).values_list(
            "user_id", flat=True
        )
    )


def least_utilised(loads: list[Caseload]) -> Caseload:
    return min(loads, key=lambda c: (c.utilisation, c.load, c.user.pk))


def owner_choose_weighted(
    *, municipality: Municipality, application: Application | None = None
) -> User:
    """The caseworker who gets a new case. Order of preference:

    1. an emergency goes to the least-loaded caseworker on call (team leads are alerted when
       nobody is on call, and the case is assigned as usual);
    2. continuity: last month's caseworker, when present and under the ceiling with this case;
    3. the caseworker with the lowest weighted load relative to their ceiling who stays under
       it with this case;
    4. when everyone would be over the ceiling: the least-loaded anyway, and the team leads are
       alerted (the case is never left without an owner).

    Absent caseworkers (meetings.Absence today) and, for protected identities, staff not
    allowed to handle them are left out. Without any caseworker a team lead gets the case.
    """
    today = timezone.localdate()
    staff = list(
        User.objects.filter(
            municipality=municipality, role=Role.CASEWORKER, is_active=True
        ).order_by("id")
    )
    if application is not None and application.protected_identity:
        staff = [user for user in staff if user.may_handle_protected]
    away = absent_ids([user.pk for user in staff], today)
    present = [user for user in staff if user.pk not in away] or staff
    if not present:
        lead = (
            User.objects.filter(municipality=municipality, role=Role.TEAM_LEAD, is_active=True)
            .order_by("id")
            .first()
        )
        if lead is None:
            raise NoCaseworkerAvailable(municipality.code)
        return lead
    loads = caseloads(municipality.pk, present)
    facts = application_facts(application) if application is not None else CaseFacts()
    weight = case_weight(facts)
    pool = list(loads.values())
    if application is not None and application.is_emergency:
        on_call = on_call_ids([c.user.pk for c in pool])
        if on_call:
            return least_utilised([c for c in pool if c.user.pk in on_call]).user
        alert_team_leads(
            municipality_id=municipality.pk,
            kind=AlertKind.NO_ON_CALL,
            text=_("Ett akut ärende kom in men ingen handläggare är i jour."),
            key=f"no-on-call:{municipality.pk}:{today:%Y%m%d}",
            application=application if application.pk else None,
        )
    if application is not None:
        previous_owner = _previous_owner_id(application)
        if previous_owner in loads:
            load = loads[previous_owner]
            if load.load + weight <= load.ceiling:
                return load.user
    fits = [c for c in pool if c.load + weight <= c.ceiling]
    if fits:
        return least_utilised(fits).user
    chosen = least_utilised(pool)
    alert_team_leads(
        municipality_id=municipality.pk,
        kind=AlertKind.CEILING_EXCEEDED,
        text=_(
            "Alla handläggare är vid taket. Ärendet gavs till %(name)s "
            "(viktad ärendemängd %(load)s av %(ceiling)s)."
        )
        % {"name": chosen.user.display_name(), "load": chosen.load, "ceiling": chosen.ceiling},
        key=f"ceiling:{municipality.pk}:{application.pk if application and application.pk else ''}"
        f":{timezone.now():%Y%m%d%H%M%S%f}",
        application=application if application is not None and application.pk else None,
    )
    return chosen.user


def applications_without_owner(municipality_id: int) -> int:
    """Open cases without an owner: the database forbids them, so this is always zero; the
    dashboard shows it as the check it is."""
    return Application.objects.filter(
        Q(municipality_id=municipality_id) & ~Q(status__in=[Status.DRAFT, Status.WITHDRAWN]),
        owner__isnull=True,
    ).count()


def owner_for_new_case(query: OwnerQuery) -> User:
    """intake asks who owns a newly submitted case (`intake.events.owner_for_new_case`)."""
    return owner_choose_weighted(municipality=query.municipality, application=query.application)
