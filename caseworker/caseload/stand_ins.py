"""Absence: a caseworker away hands their open cases, reminders and referrals to a stand-in for
the period, and gets them back after (beat: `stand_ins_apply`). Journaled on every case."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CASE_HANDLING_ROLES, Role, User
from caseworker.audit.log import journal_write
from caseworker.caseload.ownership import (
    alert_team_leads,
    owner_choose_weighted,
    owner_refusal,
)
from caseworker.models.audit import JournalCategory
from caseworker.models.caseload import (
    AlertKind,
    CaseMove,
    Referral,
    Reminder,
    StandIn,
)
from intake.models import Application
from intake.states import OPEN_STATUSES
from meetings.models import Absence


class StandInRefused(Exception):
    """The absence could not be recorded: the message says why."""


def _check_stand_in(*, caseworker: User, stand_in: User, start: date, end: date) -> None:
    if stand_in.pk == caseworker.pk:
        raise StandInRefused(_("Ersättaren måste vara en annan person."))
    if (
        stand_in.role not in CASE_HANDLING_ROLES
        or not stand_in.is_active
        or stand_in.municipality_id != caseworker.municipality_id
    ):
        raise StandInRefused(
            _("Ersättaren ska vara en aktiv handläggare eller gruppledare i samma kommun.")
        )
    if Absence.objects.filter(secretary=stand_in, start__lte=end, end__gte=start).exists():
        raise StandInRefused(_("Ersättaren är själv borta under perioden."))


@transaction.atomic
def caseworker_absence_record(
    *,
    caseworker: User,
    start: date,
    end: date,
    stand_in: User,
    by: User,
    reason: str = "",
) -> StandIn:
    """Mark a caseworker away with a named stand-in. Cases move at once when the absence has
    begun, otherwise on its first day (beat task `stand_ins_apply`)."""
    if end < start:
        raise StandInRefused(_("Frånvaron måste sluta samma dag eller efter att den börjar."))
    if by.role != Role.TEAM_LEAD and by.pk != caseworker.pk:
        raise StandInRefused(_("Bara gruppledaren eller handläggaren själv kan ange frånvaro."))
    _check_stand_in(caseworker=caseworker, stand_in=stand_in, start=start, end=end)
    absence = Absence.objects.create(secretary=caseworker, start=start, end=end, reason=reason)
    record = StandIn.objects.create(absence=absence, stand_in=stand_in, created_by=by)
    today = timezone.localdate()
    if start <= today <= end:
        stand_in_move(stand_in=record)
    return record


@transaction.atomic
def stand_in_move(*, stand_in: StandIn) -> int:
    """Move the absent caseworker's open cases, open reminders and unacknowledged referrals to
    the stand-in, recording the original owner. Safe to run twice."""
    locked = (
        StandIn.objects.select_for_update()
        .select_related("absence", "stand_in")
        .get(pk=stand_in.pk)
    )
    if locked.moved_at is not None:
        return 0
    away = locked.absence.secretary
    to = locked.stand_in
    now = timezone.now()
    cases = list(
        Application.objects.select_for_update()
        .filter(owner=away, status__in=OPEN_STATUSES)
        .order_by("pk")
    )
    for application in cases:
        # A case the stand-in may not own (a protected identity) goes to someone who may.
        moved_to = (
            to
            if owner_refusal(owner=to, application=application) is None
            else owner_choose_weighted(
                municipality=application.municipality, application=application
            )
        )
        Application.objects.filter(pk=application.pk).update(owner=moved_to, updated_at=now)
        CaseMove.objects.create(
            application=application, stand_in=locked, original_owner=away, moved_to=moved_to
        )
        application.owner = moved_to
        journal_write(
            category=JournalCategory.OWNERSHIP,
            application=application,
            author=None,
            text=_(
                "Ärendet flyttat till %(to)s under %(away)s frånvaro %(start)s–%(end)s. "
                "Ärendet och dess tidsfrister går tillbaka när frånvaron är slut."
            )
            % {
                "to": moved_to.display_name(),
                "away": away.display_name(),
                "start": f"{locked.absence.start:%Y-%m-%d}",
                "end": f"{locked.absence.end:%Y-%m-%d}",
            },
        )
    Reminder.objects.filter(owner=away, done_at__isnull=True).update(owner=to, moved_from=away)
    Referral.objects.filter(to_owner=away, closed_at__isnull=True).update(
        to_owner=to, moved_from=away
    )
    StandIn.objects.filter(pk=locked.pk).update(moved_at=now)
    return len(cases)


@transaction.atomic
def stand_in_return(*, stand_in: StandIn) -> int:
    """Move everything back to the caseworker who was away. A case the stand-in still owns goes
    back; a case decided or reassigned meanwhile stays (noted on the move). Safe to run twice."""
    locked = (
        StandIn.objects.select_for_update()
        .select_related("absence", "stand_in")
        .get(pk=stand_in.pk)
    )
    if locked.moved_at is None or locked.returned_at is not None:
        return 0
    back_to = locked.absence.secretary
    now = timezone.now()
    returned = 0
    for move in locked.moves.filter(returned_at__isnull=True).select_related(
        "application", "original_owner"
    ):
        application = move.application
        # Back only to an owner who may still own the case (not deactivated, not moved to
        # another municipality, still allowed for a protected identity).
        may_return = owner_refusal(owner=move.original_owner, application=application) is None
        still_here = may_return and (
            Application.objects.filter(
                pk=application.pk, owner=move.moved_to, status__in=OPEN_STATUSES
            ).update(owner=move.original_owner, updated_at=now)
            == 1
        )
        if still_here:
            note = ""
            returned += 1
            journal_write(
                category=JournalCategory.OWNERSHIP,
                application=application,
                author=None,
                text=_("Ärendet tillbaka till %(owner)s efter frånvaron (ersättare: %(by)s).")
                % {"owner": move.original_owner.display_name(), "by": move.moved_to.display_name()},
            )
        elif not may_return:
            note = "den ordinarie ansvarige får inte längre äga ärendet"
        else:
            note = "avslutat eller omfördelat under frånvaron"
        CaseMove.objects.filter(pk=move.pk).update(returned_at=now, return_note=note)
    if back_to.is_active:  # a deactivated caseworker's reminders and referrals stay
        Reminder.objects.filter(moved_from=back_to, done_at__isnull=True).update(
            owner=back_to, moved_from=None
        )
        Referral.objects.filter(moved_from=back_to, closed_at__isnull=True).update(
            to_owner=back_to, moved_from=None
        )
    StandIn.objects.filter(pk=locked.pk).update(returned_at=now)
    return returned


def stand_ins_apply(*, today: date | None = None) -> dict[str, int]:
    """Beat: start stand-ins whose absence began, end those whose absence is over, and alert
    the team leads about a caseworker away without a named stand-in."""
    today = today or timezone.localdate()
    moved = returned = 0
    for record in StandIn.objects.filter(
        moved_at__isnull=True, absence__start__lte=today, absence__end__gte=today
    ):
        moved += stand_in_move(stand_in=record)
    for record in StandIn.objects.filter(
        moved_at__isnull=False, returned_at__isnull=True, absence__end__lt=today
    ):
        returned += stand_in_return(stand_in=record)
    missing = 0
    for absence in Absence.objects.filter(
        start__lte=today,
        end__gte=today,
        secretary__role=Role.CASEWORKER,
        stand_in__isnull=True,
    ).select_related("secretary"):
        municipality_id = absence.secretary.municipality_id
        if municipality_id is None:  # a caseworker belongs to a municipality (check constraint)
            continue
        if Application.objects.filter(owner=absence.secretary, status__in=OPEN_STATUSES).exists():
            missing += len(
                alert_team_leads(
                    municipality_id=municipality_id,
                    kind=AlertKind.ABSENCE_WITHOUT_STAND_IN,
                    text=_("%(name)s är borta %(start)s–%(end)s utan ersättare.")
                    % {
                        "name": absence.secretary.display_name(),
                        "start": f"{absence.start:%Y-%m-%d}",
                        "end": f"{absence.end:%Y-%m-%d}",
                    },
                    key=f"absence:{absence.pk}",
                )
            )
    return {"moved": moved, "returned": returned, "alerts": missing}
