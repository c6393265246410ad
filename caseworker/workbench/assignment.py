"""Giving cases to a caseworker (bulk assign from the queue). The one writer of `owner` after
submission."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CASE_HANDLING_ROLES, User
from caseworker.audit.log import access_log_record, journal_write
from caseworker.caseload.ownership import owner_refusal
from caseworker.models import AccessAction
from caseworker.models.audit import JournalCategory
from intake.access import applications_visible_to
from intake.models import Application
from intake.states import OPEN_STATUSES


class AssignmentRefused(Exception):
    """Nothing was assigned: the message says why (shown to the caseworker)."""


@transaction.atomic
def applications_assign(
    *, applications: Iterable[Application | int], owner: User, by: User
) -> list[Application]:
    """Make `owner` responsible for the given open cases. All or nothing: if any case is not an
    open case the actor may see (their municipality), or the owner is not an active caseworker or
    team lead of the same municipality, nothing changes. Each changed case gets a journal entry
    and an access-log row; cases the owner already has are left as they are."""
    if by.role not in CASE_HANDLING_ROLES or not by.is_active or not by.municipality_id:
        raise AssignmentRefused(_("Du får inte fördela ärenden."))
    if (
        owner.role not in CASE_HANDLING_ROLES
        or not owner.is_active
        or owner.municipality_id != by.municipality_id
    ):
        raise AssignmentRefused(
            _("Ärenden kan bara tilldelas en handläggare eller gruppledare i din kommun.")
        )
    ids = {item.pk if isinstance(item, Application) else int(item) for item in applications}
    if not ids:
        raise AssignmentRefused(_("Välj minst ett ärende."))
    locked = list(
        applications_visible_to(by)
        .filter(pk__in=ids, status__in=OPEN_STATUSES)
        .select_related("owner")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise AssignmentRefused(
            _("Minst ett av ärendena är inte ett öppet ärende i din kommun. Inget har ändrats.")
        )
    for application in locked:
        reason = owner_refusal(owner=owner, application=application)
        if reason is not None:
            raise AssignmentRefused(
                _("%(ref)s kan inte tilldelas: %(reason)s. Inget har ändrats.")
                % {"ref": application.reference, "reason": reason}
            )
    changed = [application for application in locked if application.owner_id != owner.pk]
    if not changed:
        return []
    Application.objects.filter(pk__in=[a.pk for a in changed]).update(
        owner=owner, updated_at=timezone.now()
    )
    for application in changed:
        text = _("Ärendet tilldelat %(owner)s av %(by)s (tidigare: %(previous)s)") % {
            "owner": owner.display_name(),
            "by": by.display_name(),
            "previous": application.owner.display_name() if application.owner else "–",
        }
        application.owner = owner
        journal_write(
            category=JournalCategory.OWNERSHIP, application=application, text=text, author=by
        )
        access_log_record(
            user=by, application=application, action=AccessAction.CHANGE, detail="tilldelning"
        )
    return changed
