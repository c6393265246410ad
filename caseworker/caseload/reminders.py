"""Bevakningar (#7): dated reminders on a case for its owner. They follow the case owner during
an absence (caseworker.caseload.ownership moves them to the stand-in and back)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from caseworker.audit.log import journal_write
from caseworker.models.audit import JournalCategory
from caseworker.models.caseload import Reminder
from intake.models import Application


class ReminderRefused(Exception):
    pass


@transaction.atomic
def reminder_create(
    *, application: Application, by: User, due_on: date, text: str, owner: User | None = None
) -> Reminder:
    """A reminder for the case owner (or someone named) on a date."""
    text = text.strip()
    if not text:
        raise ReminderRefused(_("Skriv vad som ska bevakas."))
    if due_on < timezone.localdate():
        raise ReminderRefused(_("Datumet har redan passerat."))
    owner = owner or application.owner or by
    if owner.municipality_id != application.municipality_id or not owner.handles_cases:
        raise ReminderRefused(_("Bevakningen kan bara gälla en handläggare i ärendets kommun."))
    reminder = Reminder.objects.create(
        application=application, owner=owner, due_on=due_on, text=text[:300], created_by=by
    )
    journal_write(
        category=JournalCategory.OWNERSHIP,
        application=application,
        author=by,
        text=_("Bevakning %(day)s för %(owner)s: %(text)s")
        % {"day": f"{due_on:%Y-%m-%d}", "owner": owner.display_name(), "text": text},
    )
    return reminder


@transaction.atomic
def reminder_done(*, reminder: Reminder, by: User) -> Reminder:
    if reminder.done_at is not None:
        raise ReminderRefused(_("Bevakningen är redan klar."))
    if by.pk != reminder.owner_id and by.municipality_id != reminder.owner.municipality_id:
        raise ReminderRefused(_("Du kan inte klarmarkera den här bevakningen."))
    now = timezone.now()
    Reminder.objects.filter(pk=reminder.pk, done_at__isnull=True).update(done_at=now, done_by=by)
    reminder.refresh_from_db()
    return reminder


def reminders_for(user: User, *, due_by: date | None = None) -> QuerySet[Reminder]:
    """The user's open reminders, due on or before `due_by` (all when None), oldest first."""
    reminders = Reminder.objects.filter(owner=user, done_at__isnull=True).select_related(
        "application"
    )
    if due_by is not None:
        reminders = reminders.filter(due_on__lte=due_by)
    return reminders.order_by("due_on", "id")


def reminders_on_case(application: Application) -> QuerySet[Reminder]:
    return Reminder.objects.filter(application=application).select_related("owner", "done_by")
