"""Hand-overs between the work track (arbetslivssekreterare) and social services
(socialsekreterare/handläggare), and back (#7).

A referral names both owners, its urgency and the deadline for the receiving side to
acknowledge. An unacknowledged referral past its deadline escalates to both team leads (a
dashboard alert each). While a referral is open the case cannot close: `referral_close_guard`
is called by `caseworker.decisions.services.decision_record` before a decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CASE_HANDLING_ROLES, Role, User
from caseworker.audit.log import journal_write
from caseworker.caseload.ownership import alert_team_leads, owner_choose_weighted
from caseworker.models.audit import JournalCategory
from caseworker.models.caseload import (
    AlertKind,
    Referral,
    ReferralDirection,
    ReferralUrgency,
    StaffAlert,
)
from intake.models import Application, ApplicationEvent
from intake.services import NoCaseworkerAvailable
from intake.states import TERMINAL, Status
from meetings.events import SocialReferralPlanned

WORK_ROLES = (Role.SECRETARY, Role.TEAM_LEAD)
SOCIAL_ROLES = CASE_HANDLING_ROLES


class ReferralRefused(Exception):
    """The referral action was refused: the message says why (shown to staff)."""


class ReferralOpen(ReferralRefused):
    """The case has an open referral and cannot close."""


def referrals_open_for(application: Application | int) -> QuerySet[Referral]:
    """Open referrals on a case (acknowledged or not)."""
    pk = application.pk if isinstance(application, Application) else application
    return Referral.objects.filter(application_id=pk, closed_at__isnull=True)


def referral_close_guard(application: Application) -> None:
    """Raise ReferralOpen when the case has an open referral (call before closing a case)."""
    if referrals_open_for(application).exists():
        raise ReferralOpen(
            _(
                "Ärendet har en öppen överlämning. Den mottagande sidan ska kvittera och "
                "avsluta överlämningen innan ärendet kan avslutas."
            )
        )


def acknowledge_deadline(urgency: str, now: datetime) -> datetime:
    hours = settings.REFERRAL_ACKNOWLEDGE_HOURS[urgency]
    return now + timedelta(hours=hours)


def _is_team_lead_of(user: User, referral: Referral) -> bool:
    return (
        user.role == Role.TEAM_LEAD
        and user.is_active
        and user.municipality_id == referral.application.municipality_id
    )


def may_see_referral(user: User, referral: Referral) -> bool:
    return user.is_active and (
        user.pk in (referral.from_owner_id, referral.to_owner_id)
        or _is_team_lead_of(user, referral)
        or (
            user.role == Role.CASEWORKER
            and user.municipality_id == referral.application.municipality_id
        )
    )


@transaction.atomic
def referral_create(
    *,
    application: Application,
    from_owner: User,
    to_owner: User,
    direction: str,
    reason: str,
    urgency: str = ReferralUrgency.NORMAL,
    now: datetime | None = None,
    decided_case: bool = False,
) -> Referral:
    """Hand the household over to the other side. The receiver must acknowledge in time.

    `decided_case`: a plan made at a meeting after the decision hands the household over all
    the same (the meeting belongs to that case); a caseworker hands over open cases only."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ReferralRefused(_("Skriv varför hushållet lämnas över."))
    if direction not in ReferralDirection.values or urgency not in ReferralUrgency.values:
        raise ReferralRefused(_("Okänd riktning eller brådska."))
    if application.status == Status.DRAFT or (application.status in TERMINAL and not decided_case):
        raise ReferralRefused(_("Bara ett öppet ärende kan lämnas över."))
    receiving_roles = SOCIAL_ROLES if direction == ReferralDirection.WORK_TO_SOCIAL else WORK_ROLES
    for person in (from_owner, to_owner):
        if not person.is_active or person.municipality_id != application.municipality_id:
            raise ReferralRefused(_("Båda parter ska vara aktiv personal i ärendets kommun."))
    if to_owner.role not in receiving_roles:
        raise ReferralRefused(_("Mottagaren arbetar inte på den mottagande sidan."))
    if to_owner.pk == from_owner.pk:
        raise ReferralRefused(_("Mottagaren måste vara en annan person."))
    referral = Referral.objects.create(
        application=application,
        direction=direction,
        urgency=urgency,
        from_owner=from_owner,
        to_owner=to_owner,
        reason=reason,
        acknowledge_by=acknowledge_deadline(urgency, now),
    )
    journal_write(
        category=JournalCategory.OWNERSHIP,
        application=application,
        author=from_owner,
        text=_(
            "Överlämning %(direction)s till %(to)s (%(urgency)s), "
            "kvitteras senast %(by)s: %(reason)s"
        )
        % {
            "direction": referral.get_direction_display().lower(),
            "to": to_owner.display_name(),
            "urgency": referral.get_urgency_display().lower(),
            "by": f"{timezone.localtime(referral.acknowledge_by):%Y-%m-%d %H:%M}",
            "reason": reason,
        },
    )
    return referral


def _resolve_alerts(referral: Referral, by: User, now: datetime) -> None:
    StaffAlert.objects.filter(referral=referral, resolved_at__isnull=True).update(
        resolved_at=now, resolved_by=by
    )


@transaction.atomic
def referral_acknowledge(*, referral: Referral, by: User) -> Referral:
    """The receiving side (or a team lead on its behalf) has taken the household on."""
    referral = (
        Referral.objects.select_for_update().select_related("application").get(pk=referral.pk)
    )
    if referral.closed_at is not None or referral.acknowledged_at is not None:
        raise ReferralRefused(_("Överlämningen är redan kvitterad."))
    if by.pk != referral.to_owner_id and not _is_team_lead_of(by, referral):
        raise ReferralRefused(_("Bara mottagaren eller en gruppledare kan kvittera."))
    now = timezone.now()
    Referral.objects.filter(pk=referral.pk).update(acknowledged_at=now, acknowledged_by=by)
    _resolve_alerts(referral, by, now)
    journal_write(
        category=JournalCategory.OWNERSHIP,
        application=referral.application,
        author=by,
        text=_("Överlämningen kvitterad av %(by)s.") % {"by": by.display_name()},
    )
    referral.refresh_from_db()
    return referral


@transaction.atomic
def referral_reassign(*, referral: Referral, to_owner: User, by: User) -> Referral:
    """A team lead gives an unacknowledged referral to another receiver (new deadline)."""
    referral = (
        Referral.objects.select_for_update().select_related("application").get(pk=referral.pk)
    )
    if not _is_team_lead_of(by, referral):
        raise ReferralRefused(_("Bara en gruppledare kan ge överlämningen till någon annan."))
    if referral.closed_at is not None or referral.acknowledged_at is not None:
        raise ReferralRefused(_("Överlämningen är redan kvitterad."))
    receiving_roles = (
        SOCIAL_ROLES if referral.direction == ReferralDirection.WORK_TO_SOCIAL else WORK_ROLES
    )
    if (
        to_owner.role not in receiving_roles
        or not to_owner.is_active
        or to_owner.municipality_id != referral.application.municipality_id
        or to_owner.pk == referral.from_owner_id
    ):
        raise ReferralRefused(_("Mottagaren arbetar inte på den mottagande sidan."))
    now = timezone.now()
    Referral.objects.filter(pk=referral.pk).update(
        to_owner=to_owner,
        acknowledge_by=acknowledge_deadline(referral.urgency, now),
        escalated_at=None,
        moved_from=None,
    )
    _resolve_alerts(referral, by, now)
    journal_write(
        category=JournalCategory.OWNERSHIP,
        application=referral.application,
        author=by,
        text=_("Överlämningen gavs till %(to)s av %(by)s.")
        % {"to": to_owner.display_name(), "by": by.display_name()},
    )
    referral.refresh_from_db()
    return referral


@transaction.atomic
def referral_close(*, referral: Referral, by: User, note: str = "") -> Referral:
    """The hand-over is done. Only an acknowledged referral can close (database rule too)."""
    referral = (
        Referral.objects.select_for_update().select_related("application").get(pk=referral.pk)
    )
    if referral.closed_at is not None:
        raise ReferralRefused(_("Överlämningen är redan avslutad."))
    if referral.acknowledged_at is None:
        raise ReferralRefused(_("Överlämningen måste kvitteras innan den avslutas."))
    if by.pk not in (referral.to_owner_id, referral.from_owner_id) and not _is_team_lead_of(
        by, referral
    ):
        raise ReferralRefused(_("Du kan inte avsluta den här överlämningen."))
    now = timezone.now()
    Referral.objects.filter(pk=referral.pk).update(
        closed_at=now, closed_by=by, close_note=note.strip()
    )
    _resolve_alerts(referral, by, now)
    journal_write(
        category=JournalCategory.OWNERSHIP,
        application=referral.application,
        author=by,
        text=_("Överlämningen avslutad av %(by)s.") % {"by": by.display_name()}
        + (f" {note.strip()}" if note.strip() else ""),
    )
    referral.refresh_from_db()
    return referral


def referrals_escalate(*, now: datetime | None = None) -> list[int]:
    """Beat: every open referral not acknowledged by its deadline escalates to both team leads
    (one alert each, once). A referral left open on a case that closed anyway (withdrawn by the
    applicant, or approved under a standing decision) is raised too. Safe to run twice."""
    now = now or timezone.now()
    escalated: list[int] = []
    overdue = Referral.objects.filter(
        closed_at__isnull=True,
        acknowledged_at__isnull=True,
        escalated_at__isnull=True,
        acknowledge_by__lt=now,
    ).select_related("application", "to_owner")
    for referral in overdue:
        with transaction.atomic():
            if (
                Referral.objects.filter(pk=referral.pk, escalated_at__isnull=True).update(
                    escalated_at=now
                )
                != 1
            ):
                continue
            alert_team_leads(
                municipality_id=referral.application.municipality_id,
                kind=AlertKind.REFERRAL_UNACKNOWLEDGED,
                text=_("Överlämningen av %(ref)s till %(to)s är inte kvitterad (senast %(by)s).")
                % {
                    "ref": referral.application.reference,
                    "to": referral.to_owner.display_name(),
                    "by": f"{timezone.localtime(referral.acknowledge_by):%Y-%m-%d %H:%M}",
                },
                key=f"referral:{referral.pk}:{referral.acknowledge_by:%Y%m%d%H%M}",
                application=referral.application,
                referral=referral,
            )
            journal_write(
                category=JournalCategory.OWNERSHIP,
                application=referral.application,
                author=None,
                text=_("Överlämningen kvitterades inte i tid; gruppledarna har larmats."),
            )
        escalated.append(referral.pk)
    # A referral made after its case had closed (a meeting's plan after the decision) did not
    # see the case close under it.
    closed_before = ApplicationEvent.objects.filter(
        application=OuterRef("application"),
        to_status__in=list(TERMINAL),
        created_at__lte=OuterRef("created_at"),
    )
    for referral in (
        Referral.objects.filter(
            Q(closed_at__isnull=True) & Q(application__status__in=list(TERMINAL))
        )
        .exclude(Exists(closed_before))
        .select_related("application")
    ):
        alert_team_leads(
            municipality_id=referral.application.municipality_id,
            kind=AlertKind.CLOSED_WITH_OPEN_REFERRAL,
            text=_("Ärendet %(ref)s avslutades med en öppen överlämning.")
            % {"ref": referral.application.reference},
            key=f"closed-open-referral:{referral.pk}",
            application=referral.application,
            referral=referral,
        )
    return escalated


# --- A meeting's plan: "Hänvisning till socialtjänsten" (#16) ---------------------------------


def _social_receiver(application: Application, *, sender: User) -> User | None:
    """Who in social services takes a household referred from a meeting: the case's owner when
    they may, else the caseworker the caseload would give the case to; None when nobody may."""

    def may_receive(person: User | None) -> bool:
        return (
            person is not None
            and person.is_active
            and person.role in SOCIAL_ROLES
            and person.municipality_id == application.municipality_id
            and person.pk != sender.pk
            and (not application.protected_identity or person.may_handle_protected)
        )

    if may_receive(application.owner):
        return application.owner
    try:
        chosen = owner_choose_weighted(
            municipality=application.municipality, application=application
        )
    except NoCaseworkerAvailable:
        return None
    return chosen if may_receive(chosen) else None


def referral_from_meeting_plan(event: SocialReferralPlanned) -> None:
    """Subscriber of `meetings.social_referral_planned` (inside the recording's transaction):
    the household is handed over to social services, with the receiver's acknowledgement
    deadline and escalation like any referral. A household already on its way there (an open
    referral to social services) gets no second one; when no referral can be made, the team
    leads are alerted and the journal says so, so the hand-off is never silently lost."""
    meeting = event.meeting
    application = Application.objects.select_related("owner", "municipality").get(
        pk=meeting.application_id
    )
    if referrals_open_for(application).filter(direction=ReferralDirection.WORK_TO_SOCIAL).exists():
        return
    day = f"{timezone.localtime(meeting.starts_at):%Y-%m-%d}"
    reason = _("Planering vid mötet %(day)s: hänvisning till socialtjänsten.") % {"day": day}
    if meeting.outcome_note:
        reason = f"{reason} {meeting.outcome_note}"
    receiver = _social_receiver(application, sender=event.by)
    refusal = _("ingen handläggare i kommunen kan ta emot hushållet")
    if receiver is not None:
        try:
            referral_create(
                application=application,
                from_owner=event.by,
                to_owner=receiver,
                direction=ReferralDirection.WORK_TO_SOCIAL,
                reason=reason,
                decided_case=True,
            )
        except ReferralRefused as refused:
            refusal = str(refused)
        else:
            return
    text = _(
        "Hänvisningen till socialtjänsten från mötet %(day)s kunde inte lämnas över "
        "(%(why)s). Ge hushållet till en handläggare."
    ) % {"day": day, "why": refusal}
    alert_team_leads(
        municipality_id=application.municipality_id,
        kind=AlertKind.REFERRAL_UNACKNOWLEDGED,
        text=text,
        key=f"meeting-referral:{meeting.pk}",
        application=application,
    )
    journal_write(
        category=JournalCategory.OWNERSHIP, application=application, author=event.by, text=text
    )


# --- What the applicant sees -------------------------------------------------------------------


@dataclass(frozen=True)
class CaseContact:
    """Who has the case and by when the applicant will be contacted (status page)."""

    name: str
    side: str
    contact_by: datetime | None


def case_contact(application: Application) -> CaseContact | None:
    """The person responsible now: the receiver of an open referral (contact by its
    acknowledgement deadline), else the owner (contact by the decision deadline)."""
    if application.status == Status.DRAFT:
        return None
    referral = (
        referrals_open_for(application)
        .select_related("to_owner")
        .order_by("-created_at", "-id")
        .first()
    )
    if referral is not None:
        side = (
            _("socialtjänsten")
            if referral.direction == ReferralDirection.WORK_TO_SOCIAL
            else _("arbetsspåret")
        )
        return CaseContact(
            name=referral.to_owner.display_name(),
            side=side,
            contact_by=None if referral.acknowledged_at else referral.acknowledge_by,
        )
    owner = application.owner
    if owner is None:
        return None
    return CaseContact(
        name=owner.display_name(),
        side=_("handläggare"),
        contact_by=None if application.status in TERMINAL else application.decision_due_at,
    )


def status_page_context(application: Application) -> dict[str, object]:
    """intake's status page asks (`intake.events.status_page_context`): who has the case."""
    return {"case_contact": case_contact(application)}
