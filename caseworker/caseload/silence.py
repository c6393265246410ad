"""The silence detector (#7): households that go quiet are noticed before anything lapses.

Four triggers, each with two stages (settings.SILENCE):

- NO_REAPPLICATION: a household that applied in at least `reapply_min_months` of the last
  `reapply_history_months` months has no application for this month. Reminder from
  `reapply_remind_day`, outreach from `reapply_outreach_day`; lapses at the month's end.
- SUPPLEMENT_UNANSWERED: a komplettering is still unanswered `supplement_remind_days_before` days
  before its deadline (reminder) and on the deadline day (outreach). A request whose deadline
  passed unanswered within the last week also gets its outreach task if the detector missed it.
- DRAFT_UNFINISHED: a draft for a month that ends within `draft_remind_days_before_month_end`
  days (reminder) or `draft_outreach_days_before_month_end` days (outreach).
- DECISION_UNOPENED: a decision sent `decision_remind_after_days` days ago and not opened
  (reminder), `decision_outreach_after_days` days (outreach; the appeal time is running).

The applicant is reminded through their own channel (notifications.delivery, no case details in
the notice) first; the outreach task for staff comes after, never before the reminder. One
SilenceSignal per (trigger, household, month) makes a second run do nothing.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from caseworker.caseload.ownership import owner_choose_weighted
from caseworker.models import SupplementRequest
from caseworker.models.caseload import OutreachTask, SilenceSignal, SilenceTrigger
from caseworker.models.letters import DecisionDelivery
from intake.models import Application, ApplicationKind
from intake.services import first_of_month
from intake.states import Status
from notifications.delivery import notify_applicant
from notifications.models import Notification, NotificationKind

REMINDER_BODY = gettext_lazy(
    "Påminnelse från kommunen: logga in för att se vad du behöver göra i din ansökan."
)


class Stage(StrEnum):
    REMIND = "remind"
    OUTREACH = "outreach"


@dataclass(frozen=True)
class Silence:
    trigger: SilenceTrigger
    application: Application
    month: date
    stage: Stage
    lapses_at: datetime
    text: str


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59), tzinfo=_zone())


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _months_back(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def _no_reapplication(today: date) -> list[Silence]:
    cfg = settings.SILENCE
    if today.day < cfg["reapply_remind_day"]:
        return []
    month = first_of_month(today)
    stage = Stage.OUTREACH if today.day >= cfg["reapply_outreach_day"] else Stage.REMIND
    history = (
        Application.objects.filter(
            month__gte=_months_back(month, cfg["reapply_history_months"]), month__lt=month
        )
        .exclude(status__in=[Status.DRAFT, Status.WITHDRAWN])
        .exclude(kind=ApplicationKind.SUPPLEMENTARY)
        .values("applicant_id")
        .annotate(months=Count("month", distinct=True))
        .filter(months__gte=cfg["reapply_min_months"])
        .values_list("applicant_id", flat=True)
    )
    applied = (
        Application.objects.filter(month=month)
        .exclude(status=Status.WITHDRAWN)
        .values_list("applicant_id", flat=True)
    )
    quiet = set(history) - set(applied)
    found = []
    for applicant_id in sorted(quiet):
        latest = (
            Application.objects.filter(applicant_id=applicant_id, month__lt=month)
            .exclude(status__in=[Status.DRAFT, Status.WITHDRAWN])
            .exclude(kind=ApplicationKind.SUPPLEMENTARY)
            .order_by("-month", "-submitted_at")
            .first()
        )
        if latest is None:
            continue
        found.append(
            Silence(
                trigger=SilenceTrigger.NO_REAPPLICATION,
                application=latest,
                month=month,
                stage=stage,
                lapses_at=_end_of(month_end(month)),
                text=_("Hushållet brukar ansöka men har inte ansökt för %(month)s.")
                % {"month": f"{month:%Y-%m}"},
            )
        )
    return found


def _supplement_unanswered(today: date) -> list[Silence]:
    cfg = settings.SILENCE
    found = []
    waiting = SupplementRequest.objects.filter(
        resolved_at__isnull=True,
        application__status=Status.AWAITING_SUPPLEMENT,
        deadline__lte=today + timedelta(days=cfg["supplement_remind_days_before"]),
    ).select_related("application")
    missed = SupplementRequest.objects.filter(
        resolution="deadline_passed",
        deadline__gte=today - timedelta(days=7),
        deadline__lt=today,
    ).select_related("application")
    for request in [*waiting, *missed]:
        days_left = (request.deadline - today).days
        stage = (
            Stage.OUTREACH if days_left <= cfg["supplement_outreach_days_before"] else Stage.REMIND
        )
        found.append(
            Silence(
                trigger=SilenceTrigger.SUPPLEMENT_UNANSWERED,
                application=request.application,
                month=request.application.month,
                stage=stage,
                lapses_at=_end_of(max(request.deadline, today)),
                text=_("Kompletteringen (senast %(day)s) är inte besvarad.")
                % {"day": f"{request.deadline:%Y-%m-%d}"},
            )
        )
    return found


def _draft_unfinished(today: date) -> list[Silence]:
    cfg = settings.SILENCE
    found = []
    drafts = Application.objects.filter(
        status=Status.DRAFT, month__lte=first_of_month(today)
    ).select_related("applicant")
    for draft in drafts:
        end = month_end(draft.month)
        days_left = (end - today).days
        if days_left < 0 or days_left > cfg["draft_remind_days_before_month_end"]:
            continue
        stage = (
            Stage.OUTREACH
            if days_left <= cfg["draft_outreach_days_before_month_end"]
            else Stage.REMIND
        )
        found.append(
            Silence(
                trigger=SilenceTrigger.DRAFT_UNFINISHED,
                application=draft,
                month=draft.month,
                stage=stage,
                lapses_at=_end_of(end),
                text=_("En påbörjad ansökan för %(month)s är inte inskickad.")
                % {"month": f"{draft.month:%Y-%m}"},
            )
        )
    return found


def _decision_unopened(now: datetime) -> list[Silence]:
    cfg = settings.SILENCE
    found = []
    deliveries = DecisionDelivery.objects.filter(
        opened_at__isnull=True,
        sent_at__isnull=False,
        sent_at__lte=now - timedelta(days=cfg["decision_remind_after_days"]),
        sent_at__gte=now - timedelta(days=30),
    ).select_related("decision__application")
    for delivery in deliveries:
        application = delivery.decision.application
        sent_at = delivery.sent_at
        if sent_at is None:  # excluded by the query
            continue
        stage = (
            Stage.OUTREACH
            if sent_at <= now - timedelta(days=cfg["decision_outreach_after_days"])
            else Stage.REMIND
        )
        found.append(
            Silence(
                trigger=SilenceTrigger.DECISION_UNOPENED,
                application=application,
                month=application.month,
                stage=stage,
                lapses_at=now + timedelta(days=1),
                text=_("Beslutet har inte öppnats sedan %(day)s.")
                % {"day": f"{timezone.localtime(sent_at):%Y-%m-%d}"},
            )
        )
    return found


def silences_find(*, now: datetime) -> list[Silence]:
    today = timezone.localdate(now)
    return [
        *_no_reapplication(today),
        *_supplement_unanswered(today),
        *_draft_unfinished(today),
        *_decision_unopened(now),
    ]


def _outreach_owner(application: Application) -> User:
    if application.owner is not None:
        return application.owner
    earlier = (
        Application.objects.filter(applicant_id=application.applicant_id, owner__isnull=False)
        .select_related("owner")
        .order_by("-month", "-submitted_at")
        .first()
    )
    if earlier is not None and earlier.owner is not None and earlier.owner.is_active:
        return earlier.owner
    return owner_choose_weighted(municipality=application.municipality)


@transaction.atomic
def silence_act(silence: Silence) -> SilenceSignal:
    """Remind the applicant (once), then create the outreach task (once) when the stage says
    so. The reminder always comes first."""
    application = silence.application
    signal, _made = SilenceSignal.objects.get_or_create(
        trigger=silence.trigger,
        applicant_id=application.applicant_id,
        month=silence.month,
        defaults={"application": application, "municipality_id": application.municipality_id},
    )
    signal = SilenceSignal.objects.select_for_update().get(pk=signal.pk)
    now = timezone.now()
    if signal.reminded_at is None:
        notify_applicant(
            application=application,
            kind=NotificationKind.REMINDER,
            body=REMINDER_BODY,
            key=f"silence:{silence.trigger}:{application.applicant_id}:{silence.month:%Y%m}",
        )
        SilenceSignal.objects.filter(pk=signal.pk).update(reminded_at=now)
        signal.reminded_at = now
    if silence.stage == Stage.OUTREACH and signal.outreach_at is None:
        OutreachTask.objects.create(
            signal=signal,
            application=application,
            municipality_id=application.municipality_id,
            assigned_to=_outreach_owner(application),
            text=silence.text[:300],
            due_at=silence.lapses_at,
        )
        SilenceSignal.objects.filter(pk=signal.pk).update(outreach_at=now)
        signal.outreach_at = now
    return signal


def silence_detect(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: find every quiet household and act. Safe to run twice."""
    now = now or timezone.now()
    counts = {"reminded": 0, "outreach": 0}
    for silence in silences_find(now=now):
        before = SilenceSignal.objects.filter(
            trigger=silence.trigger,
            applicant_id=silence.application.applicant_id,
            month=silence.month,
        ).first()
        signal = silence_act(silence)
        if signal.reminded_at and (before is None or before.reminded_at is None):
            counts["reminded"] += 1
        if signal.outreach_at and (before is None or before.outreach_at is None):
            counts["outreach"] += 1
    return counts


@transaction.atomic
def outreach_task_complete(*, task: OutreachTask, by: User, status: str, note: str = "") -> None:
    """Staff record how the outreach went (reached, unreachable, not needed)."""
    if status not in ("reached", "unreachable", "not_needed"):
        raise ValueError(status)
    OutreachTask.objects.filter(pk=task.pk, status="open").update(
        status=status, note=note.strip(), done_at=timezone.now(), done_by=by
    )


def unreachable_applicant_ids(municipality_id: int, *, now: datetime | None = None) -> set[int]:
    """Applicants staff could not reach (outreach) or whose notices failed for good (30 days)."""
    now = now or timezone.now()
    from_outreach = OutreachTask.objects.filter(
        municipality_id=municipality_id, status="unreachable"
    ).values_list("application__applicant_id", flat=True)
    failed = Notification.objects.filter(
        application__municipality_id=municipality_id,
        status="failed",
        attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS,
        created_at__gte=now - timedelta(days=30),
    ).values_list("application__applicant_id", flat=True)
    return set(from_outreach) | set(failed)
