"""Monthly statistics (#7): how long decisions take, how often the robot's proposal stands,
how caseworkers treat each kind of robot warning, and the real split between the tracks.

Definitions (docs/adr/0010-ownership-caseloads-handoffs-silence.md):
- The month is the month the decision was made (local time).
- Decision time: hours from submission to decision. Percentiles by nearest rank: p50 is the
  value at rank ceil(0.5 n) of the sorted times, p90 at rank ceil(0.9 n).
- Within target: decided by the case's decision deadline.
- Automated: the decision names no caseworker. As proposed: a caseworker's decision that
  follows the robot's latest proposal (approved with the proposed amount when the proposal was
  eligible, or rejected when it was not).
- Per warning kind, over warnings on the month's decided cases: overridden = the decision did
  not follow the proposal; dismissed = the warning was acknowledged and the decision followed
  the proposal anyway; decided over acknowledged = the month's decisions taken over a warning
  of the kind that a caseworker had acknowledged (with a note) before deciding, one per
  decision however many warnings of the kind it had.
- Kommunicering: adverse decisions taken without communicating the register facts, per ground
  of förvaltningslagen 25 § andra stycket the caseworker chose (`CommunicationWaiver`).
- Tracks over the month's decisions, as each decision recorded it (the case's first decision
  must choose; later months carry it on; older decisions fall back to the application's track),
  against the assumed 85 % work / 15 % social; a case on both tracks counts to the social side;
  "none" (no track, with a reason) and "undecided" (nothing recorded) are outside the split.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from caseworker.models import CommunicationException, CommunicationWaiver
from eligibility.models import CaseWarning, Proposal
from intake.models import Decision, DecisionOutcome
from intake.services import next_month

ASSUMED_WORK_SHARE = Decimal("0.85")
ASSUMED_SOCIAL_SHARE = Decimal("0.15")


def nearest_rank(values: list[Decimal], percent: int) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class WarningKindRow:
    kind: str
    label: str
    total: int
    overridden: int
    dismissed: int
    decided_over_acknowledged: int = 0

    @property
    def override_rate(self) -> Decimal | None:
        return share(self.overridden, self.total)

    @property
    def dismissal_rate(self) -> Decimal | None:
        return share(self.dismissed, self.total)


@dataclass
class MonthStatistics:
    month: date
    decisions: int = 0
    hours: list[Decimal] = field(default_factory=list)
    within_target: int = 0
    automated: int = 0
    as_proposed: int = 0
    warning_kinds: list[WarningKindRow] = field(default_factory=list)
    tracks: dict[str, int] = field(default_factory=dict)
    communication_exceptions: dict[str, int] = field(default_factory=dict)

    @property
    def communication_exception_rows(self) -> list[tuple[str, str, int]]:
        """(ground, label, count) for every ground of the fixed list, in its order."""
        return [
            (value, str(label), self.communication_exceptions.get(value, 0))
            for value, label in CommunicationException.choices
        ]

    @property
    def p50_hours(self) -> Decimal | None:
        return nearest_rank(self.hours, 50)

    @property
    def p90_hours(self) -> Decimal | None:
        return nearest_rank(self.hours, 90)

    @property
    def within_target_share(self) -> Decimal | None:
        return share(self.within_target, self.decisions)

    @property
    def automated_share(self) -> Decimal | None:
        return share(self.automated, self.decisions)

    @property
    def as_proposed_share(self) -> Decimal | None:
        return share(self.as_proposed, self.decisions)

    @property
    def automated_or_as_proposed_share(self) -> Decimal | None:
        return share(self.automated + self.as_proposed, self.decisions)

    @property
    def with_track(self) -> int:
        return sum(n for key, n in self.tracks.items() if key not in ("undecided", "none"))

    @property
    def work_share(self) -> Decimal | None:
        return share(self.tracks.get("work", 0), self.with_track)

    @property
    def social_share(self) -> Decimal | None:
        return share(self.tracks.get("social", 0) + self.tracks.get("both", 0), self.with_track)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(month.replace(day=1), time(0), tzinfo=zone)
    end = datetime.combine(next_month(month), time(0), tzinfo=zone)
    return start, end


def follows_proposal(decision: Decision, proposal: Proposal | None) -> bool:
    if proposal is None:
        return False
    if decision.outcome == DecisionOutcome.APPROVED:
        return proposal.eligible and not decision.partly and decision.amount == proposal.amount
    return not proposal.eligible


def month_statistics(*, municipality_id: int, month: date) -> MonthStatistics:
    start, end = month_bounds(month)
    stats = MonthStatistics(month=month.replace(day=1))
    decisions = list(
        Decision.objects.filter(
            application__municipality_id=municipality_id, decided_at__gte=start, decided_at__lt=end
        ).select_related("application")
    )
    if not decisions:
        return stats
    ids = [d.application_id for d in decisions]
    latest: dict[int, Proposal] = {}
    for proposal in Proposal.objects.filter(application_id__in=ids).order_by("round", "pk"):
        latest[proposal.application_id] = proposal
    followed: dict[int, bool] = {}
    for decision in decisions:
        application = decision.application
        stats.decisions += 1
        if application.submitted_at:
            seconds = Decimal((decision.decided_at - application.submitted_at).total_seconds())
            stats.hours.append((seconds / 3600).quantize(Decimal("0.01")))
        if application.decision_due_at and decision.decided_at <= application.decision_due_at:
            stats.within_target += 1
        follows = follows_proposal(decision, latest.get(application.pk))
        followed[application.pk] = follows
        if decision.decided_by_id is None:
            stats.automated += 1
        elif follows:
            stats.as_proposed += 1
        track = decision.track or application.track or "undecided"
        stats.tracks[track] = stats.tracks.get(track, 0) + 1
    for ground in CommunicationWaiver.objects.filter(
        decision__in=[d.pk for d in decisions]
    ).values_list("ground", flat=True):
        stats.communication_exceptions[ground] = stats.communication_exceptions.get(ground, 0) + 1
    per_kind: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    decided_at = {d.application_id: d.decided_at for d in decisions}
    over_acknowledged: dict[str, set[int]] = {}
    for warning in CaseWarning.objects.filter(application_id__in=ids).order_by("kind", "pk"):
        acknowledged_at = warning.acknowledged_at
        if acknowledged_at is not None and acknowledged_at <= decided_at[warning.application_id]:
            over_acknowledged.setdefault(warning.kind, set()).add(warning.application_id)
        counts = per_kind.setdefault(warning.kind, [0, 0, 0])
        labels[warning.kind] = warning.get_kind_display()
        counts[0] += 1
        if not followed[warning.application_id]:
            counts[1] += 1
        elif warning.acknowledged_at is not None:
            counts[2] += 1
    stats.warning_kinds = [
        WarningKindRow(
            kind=kind,
            label=labels[kind],
            total=c[0],
            overridden=c[1],
            dismissed=c[2],
            decided_over_acknowledged=len(over_acknowledged.get(kind, ())),
        )
        for kind, c in sorted(per_kind.items())
    ]
    return stats


def _text(value: object) -> str:
    return "" if value is None else str(value)


def statistics_csv(stats: MonthStatistics) -> str:
    """One row per figure: section, key, value (semicolon-separated, as Swedish Excel reads)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["avsnitt", "nyckel", "värde"])
    month = f"{stats.month:%Y-%m}"
    rows = [
        ("beslut", "månad", month),
        ("beslut", "antal", stats.decisions),
        ("beslutstid_timmar", "p50", stats.p50_hours),
        ("beslutstid_timmar", "p90", stats.p90_hours),
        ("beslutstid_timmar", "inom_mål_andel", stats.within_target_share),
        ("förslag", "automatiserade", stats.automated),
        ("förslag", "enligt_förslag", stats.as_proposed),
        ("förslag", "automatiserade_andel", stats.automated_share),
        ("förslag", "enligt_förslag_andel", stats.as_proposed_share),
        (
            "förslag",
            "automatiserade_eller_enligt_förslag_andel",
            stats.automated_or_as_proposed_share,
        ),
    ]
    for row in stats.warning_kinds:
        rows += [
            (f"varning:{row.kind}", "antal", row.total),
            (f"varning:{row.kind}", "ändrat_andel", row.override_rate),
            (f"varning:{row.kind}", "avfärdat_andel", row.dismissal_rate),
            (f"varning:{row.kind}", "beslut_över_kvitterad", row.decided_over_acknowledged),
        ]
    for ground, _label, count in stats.communication_exception_rows:
        rows.append(("kommunicering_undantag", ground, count))
    for track in ("work", "social", "both", "none", "undecided"):
        rows.append(("spår", track, stats.tracks.get(track, 0)))
    rows += [
        ("spår", "arbete_andel", stats.work_share),
        ("spår", "socialt_andel", stats.social_share),
        ("spår", "antaget_arbete_andel", ASSUMED_WORK_SHARE),
        ("spår", "antaget_socialt_andel", ASSUMED_SOCIAL_SHARE),
    ]
    for section, key, value in rows:
        writer.writerow([section, key, _text(value)])
    return out.getvalue()
