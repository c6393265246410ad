"""The emergency path (#7): no money for food today, an eviction notice or a disconnection notice.

intake records what the applicant said and sets the deadline in hours
(`intake.services.emergency_updates`); after commit it hands the case over here by dotted path
(settings.EMERGENCY_HANDLER). This module makes sure the case is with a caseworker on call,
alerts that caseworker, and for an eviction or disconnection notice alerts the municipality's
eviction-prevention contact. Safe to run twice (alerts have dedupe keys).
"""

from __future__ import annotations

from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from caseworker.audit.log import journal_write
from caseworker.caseload.ownership import (
    alert_team_leads,
    caseloads,
    least_utilised,
    municipality_settings,
    on_call_ids,
)
from caseworker.models.audit import JournalCategory
from caseworker.models.caseload import AlertKind, StaffAlert
from intake.models import Application
from intake.states import TERMINAL

# No case details leave the system by e-mail: only that something needs doing.
EVICTION_MAIL_SUBJECT = "Akut ärende: risk för vräkning eller avstängning"
EVICTION_MAIL_BODY = (
    "Ett akut ärende om ekonomiskt bistånd med risk för vräkning eller avstängning har kommit in. "
    "Logga in i Bistånd för att se det."
)


def _on_call_owner(application: Application) -> User | None:
    staff = list(
        User.objects.filter(
            municipality_id=application.municipality_id, role=Role.CASEWORKER, is_active=True
        )
    )
    if application.protected_identity:
        staff = [user for user in staff if user.may_handle_protected]
    on_call = on_call_ids([user.pk for user in staff])
    pool = [load for load in caseloads(application.municipality_id, staff).values()]
    pool = [load for load in pool if load.user.pk in on_call]
    return least_utilised(pool).user if pool else None


def _mail(address: str) -> None:
    send_mail(EVICTION_MAIL_SUBJECT, EVICTION_MAIL_BODY, None, [address], fail_silently=True)


@transaction.atomic
def emergency_escalate(application_id: int) -> list[StaffAlert]:
    """Route an emergency case to the on-call caseworker and raise the alerts."""
    application = (
        Application.objects.select_for_update()
        .select_related("owner", "municipality")
        .filter(pk=application_id)
        .first()
    )
    if application is None or not application.is_emergency or application.status in TERMINAL:
        return []
    alerts: list[StaffAlert] = []
    on_call = _on_call_owner(application)
    if on_call is not None and application.owner_id != on_call.pk:
        previous = application.owner
        Application.objects.filter(pk=application.pk).update(
            owner=on_call, updated_at=timezone.now()
        )
        application.owner = on_call
        journal_write(
            category=JournalCategory.EMERGENCY,
            application=application,
            author=None,
            text=_("Akut ärende: flyttat till %(to)s som har jour (tidigare: %(from)s).")
            % {
                "to": on_call.display_name(),
                "from": previous.display_name() if previous else "–",
            },
        )
    elif on_call is None:
        alerts += alert_team_leads(
            municipality_id=application.municipality_id,
            kind=AlertKind.NO_ON_CALL,
            text=_("Akut ärende %(ref)s: ingen handläggare är i jour.")
            % {"ref": application.reference},
            key=f"no-on-call:{application.pk}",
            application=application,
        )
    said = [
        label
        for flag, label in (
            (application.emergency_no_food, _("inga pengar till mat i dag")),
            (application.emergency_eviction_notice, _("vräkningsbesked")),
            (application.emergency_disconnection_notice, _("besked om avstängning")),
        )
        if flag
    ]
    due = (
        f"{timezone.localtime(application.decision_due_at):%Y-%m-%d %H:%M}"
        if application.decision_due_at
        else "–"
    )
    alert, made = StaffAlert.objects.get_or_create(
        dedupe_key=f"emergency:{application.pk}",
        defaults={
            "municipality_id": application.municipality_id,
            "kind": AlertKind.EMERGENCY,
            "recipient": application.owner,
            "application": application,
            "text": _("Akut ärende %(ref)s (%(said)s): beslut senast %(due)s.")
            % {"ref": application.reference, "said": ", ".join(said), "due": due},
        },
    )
    if made:
        alerts.append(alert)
        journal_write(
            category=JournalCategory.EMERGENCY,
            application=application,
            author=None,
            text=_("Sökanden har angett ett akut läge: %(said)s. Beslut senast %(due)s.")
            % {"said": ", ".join(said), "due": due},
        )
    if application.housing_emergency:
        found = municipality_settings(application.municipality_id)
        contact = found.eviction_prevention_contact if found.pk else None
        email = found.eviction_prevention_email if found.pk else ""
        alert, made = StaffAlert.objects.get_or_create(
            dedupe_key=f"eviction:{application.pk}",
            defaults={
                "municipality_id": application.municipality_id,
                "kind": AlertKind.EVICTION_PREVENTION,
                "recipient": contact,
                "email": email,
                "application": application,
                "text": _(
                    "Akut ärende %(ref)s med %(said)s: kontakta hushållet för att förebygga "
                    "vräkning eller avstängning."
                )
                % {"ref": application.reference, "said": ", ".join(said)},
            },
        )
        if made:
            alerts.append(alert)
            if email:
                transaction.on_commit(partial(_mail, email), robust=True)
            if contact is None and not email:
                alerts += alert_team_leads(
                    municipality_id=application.municipality_id,
                    kind=AlertKind.EVICTION_PREVENTION,
                    text=_(
                        "Akut ärende %(ref)s med risk för vräkning eller avstängning, men "
                        "kommunen har ingen kontakt för vräkningsförebyggande arbete."
                    )
                    % {"ref": application.reference},
                    key=f"eviction-no-contact:{application.pk}",
                    application=application,
                )
    return alerts
