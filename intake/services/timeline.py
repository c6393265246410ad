"""The applicant's timeline (#17): everything that happened to the case, newest first, from
intake's own records and what other layers add (`events.status_timeline`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from intake import events
from intake.events import TimelineEntry
from intake.models import Application, AttachmentKind, ScanStatus, SignatureMethod
from intake.states import Status
from kernel.money import kronor_text

ROBOT_DONE = (Status.AWAITING_CASEWORKER, Status.NEEDS_MANUAL)


def timeline_for(application: Application) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    if application.submitted_at:
        entries.append(
            TimelineEntry(
                application.submitted_at,
                _("Ansökan mottagen"),
                _("Ärendenummer %(ref)s.") % {"ref": application.reference},
                kind="received",
            )
        )
    signatures = application.signatures.filter(
        method=SignatureMethod.BANKID, signed_at__isnull=False
    ).order_by("signed_at")
    for signature in signatures:
        entries.append(
            TimelineEntry(
                signature.signed_at,  # type: ignore[arg-type]  # filtered: not null
                _("Underskriven med BankID"),
                _("Underskriven av %(name)s. Underskriften är kontrollerad.")
                % {"name": signature.signer_name}
                if signature.ocsp_verified
                else _("Underskriven av %(name)s.") % {"name": signature.signer_name},
                kind="signature",
            )
        )
    robot_done = False
    for event in application.events.order_by("created_at"):
        if event.to_status in ROBOT_DONE and not robot_done:
            robot_done = True
            entries.append(
                TimelineEntry(
                    event.created_at,
                    _("Uppgifter hämtade från myndigheter"),
                    _("Vi har räknat på ansökan. En handläggare går igenom den."),
                    kind="robot",
                )
            )
        elif event.to_status == Status.AWAITING_REPLY:
            entries.append(
                TimelineEntry(
                    event.created_at,
                    _("Handläggaren vill att du tittar på uppgifter innan beslut"),
                    kind="request",
                )
            )
        elif event.to_status == Status.WITHDRAWN:
            entries.append(TimelineEntry(event.created_at, _("Du tog tillbaka ansökan")))
    for attachment in application.attachments.exclude(scan_status=ScanStatus.INFECTED):
        if application.submitted_at and attachment.uploaded_at > application.submitted_at:
            entries.append(
                TimelineEntry(
                    attachment.uploaded_at,
                    _("Dokument mottaget: %(name)s") % {"name": attachment.original_name},
                    str(AttachmentKind(attachment.kind).label),
                    kind="document",
                )
            )
    for message in application.messages.all():
        mine = message.author_id == application.applicant_id
        entries.append(
            TimelineEntry(
                message.created_at,
                _("Du skickade ett meddelande") if mine else _("Meddelande från handläggaren"),
                link="#messages",
                link_text=_("Läs meddelandet"),
                kind="message",
            )
        )
    decision = getattr(application, "decision", None) if application.is_decided else None
    if decision is not None:
        outcome = (
            _("Beviljat delvis")
            if decision.outcome == "approved" and decision.partly
            else str(decision.get_outcome_display())
        )
        amount = kronor_text(decision.amount) if decision.outcome == "approved" else ""
        entries.append(
            TimelineEntry(
                decision.decided_at,
                _("Beslut: %(outcome)s") % {"outcome": outcome},
                amount,
                link=(
                    reverse("application_letter", args=[application.pk])
                    if getattr(decision, "letter", None)
                    else ""
                ),
                link_text=_("Ladda ner beslutet (PDF)"),
                kind="decision",
            )
        )
        appeal = getattr(decision, "appeal", None)
        if appeal is not None:
            entries.append(
                TimelineEntry(
                    appeal.submitted_at,
                    _("Överklagande mottaget"),
                    str(appeal.get_status_display()),
                    link=reverse("intake:appeal", args=[application.pk]),
                    link_text=_("Se ditt överklagande"),
                    kind="appeal",
                )
            )
    for more in events.status_timeline.publish(application):
        entries.extend(more)
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
