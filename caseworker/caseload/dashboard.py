"""Selectors for the team lead's dashboard (#7). Reads only; one municipality at a time."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from caseworker.caseload.ownership import (
    applications_without_owner,
    caseloads,
    owners_who_may_not_own,
)
from caseworker.caseload.silence import unreachable_applicant_ids
from caseworker.models.caseload import OutreachTask, Referral, StaffAlert
from intake.models import Application, ApplicationKind
from intake.services import first_of_month
from intake.states import OPEN_STATUSES, Status

# A paused case (komplettering, kommunicering) waits for the applicant, not for us.
DEADLINE_STATUSES = [
    s for s in OPEN_STATUSES if s not in (Status.AWAITING_SUPPLEMENT, Status.AWAITING_REPLY)
]
RENEWING_STATUSES = [*OPEN_STATUSES, Status.APPROVED]


@dataclass(frozen=True)
class OwnerRow:
    user: User
    cases: int
    load: Decimal
    ceiling: Decimal
    overdue: int
    renewals_next_month: int
    # Cases this person holds but may not own (an inactive account, another municipality):
    # shown, never dropped, and counted as without owner.
    cases_not_visible: int = 0

    @property
    def over_ceiling(self) -> bool:
        return self.load > self.ceiling


@dataclass
class Dashboard:
    owners: list[OwnerRow] = field(default_factory=list)
    overdue: list[Application] = field(default_factory=list)
    unacknowledged: list[Referral] = field(default_factory=list)
    outreach: list[OutreachTask] = field(default_factory=list)
    alerts: list[StaffAlert] = field(default_factory=list)
    unassigned: int = 0
    unreachable: int = 0

    @property
    def renewals_next_month(self) -> int:
        return sum(row.renewals_next_month for row in self.owners)

    @property
    def alert_groups(self) -> list[AlertGroup]:
        """The open alarms grouped by kind (#18: sixteen near-identical "Alla handläggare över
        taket" became one line with its count), the kind with the newest alarm first."""
        groups: dict[str, AlertGroup] = {}
        for alert in self.alerts:  # newest first
            group = groups.setdefault(
                alert.kind, AlertGroup(kind=alert.kind, label=str(alert.get_kind_display()))
            )
            group.alerts.append(alert)
        return list(groups.values())


@dataclass
class AlertGroup:
    kind: str
    label: str
    alerts: list[StaffAlert] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.alerts)

    @property
    def latest(self) -> StaffAlert:
        return self.alerts[0]


def overdue_cases(municipality_id: int, now: datetime) -> list[Application]:
    """Open cases past their decision deadline (paused cases excluded), oldest deadline first."""
    return list(
        Application.objects.filter(
            municipality_id=municipality_id,
            status__in=DEADLINE_STATUSES,
            decision_due_at__lt=now,
        )
        .select_related("owner")
        .order_by("decision_due_at", "pk")
    )


def renewals_forecast(municipality_id: int, today: datetime | None = None) -> dict[int, int]:
    """Next month's expected renewals per owner: households whose application for this month
    is open or approved (they re-apply, and continuity gives the renewal to the same owner)."""
    month = first_of_month(timezone.localdate(today or timezone.now()))
    rows = (
        Application.objects.filter(
            municipality_id=municipality_id, month=month, status__in=RENEWING_STATUSES
        )
        .exclude(kind=ApplicationKind.SUPPLEMENTARY)
        .values("owner_id")
        .annotate(n=Count("applicant_id", distinct=True))
    )
    return {row["owner_id"]: row["n"] for row in rows if row["owner_id"] is not None}


def dashboard_for(user: User, *, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    municipality_id = user.municipality_id
    if municipality_id is None:
        return Dashboard()
    overdue = overdue_cases(municipality_id, now)
    overdue_per_owner: dict[int, int] = {}
    for application in overdue:
        if application.owner_id is not None:
            owner_id = application.owner_id
            overdue_per_owner[owner_id] = overdue_per_owner.get(owner_id, 0) + 1
    forecast = renewals_forecast(municipality_id, now)
    loads = caseloads(municipality_id)
    owners = [
        OwnerRow(
            user=load.user,
            cases=load.cases,
            load=load.load,
            ceiling=load.ceiling,
            overdue=overdue_per_owner.get(pk, 0),
            renewals_next_month=forecast.get(pk, 0),
        )
        for pk, load in loads.items()
    ]
    invalid = owners_who_may_not_own(municipality_id)
    owners = [replace(row, cases_not_visible=invalid.get(row.user.pk, 0)) for row in owners]
    holders = User.objects.filter(pk__in=set(invalid) - set(loads)).order_by("pk")
    owners += [
        OwnerRow(
            user=holder,
            cases=invalid[holder.pk],
            load=Decimal(0),
            ceiling=Decimal(0),
            overdue=overdue_per_owner.get(holder.pk, 0),
            renewals_next_month=forecast.get(holder.pk, 0),
            cases_not_visible=invalid[holder.pk],
        )
        for holder in holders
    ]
    owners.sort(key=lambda row: (-row.cases_not_visible, -row.load, row.user.pk))
    return Dashboard(
        owners=owners,
        overdue=overdue,
        unacknowledged=list(
            Referral.objects.filter(
                application__municipality_id=municipality_id,
                closed_at__isnull=True,
                acknowledged_at__isnull=True,
            )
            .select_related("application", "from_owner", "to_owner")
            .order_by("acknowledge_by", "pk")
        ),
        outreach=list(
            OutreachTask.objects.filter(municipality_id=municipality_id, status="open")
            .select_related("application__applicant", "assigned_to", "signal")
            .order_by("due_at", "pk")
        ),
        alerts=list(
            StaffAlert.objects.filter(municipality_id=municipality_id, resolved_at__isnull=True)
            .filter(Q(recipient__isnull=True) | Q(recipient=user) | Q(recipient__role="team_lead"))
            .select_related("application", "recipient")
            .order_by("-created_at", "-pk")[:100]
        ),
        unassigned=applications_without_owner(municipality_id),
        unreachable=len(unreachable_applicant_ids(municipality_id, now=now)),
    )
