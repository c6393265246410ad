"""Retention (gallring): what may no longer be kept is anonymised or deleted (#9; GDPR art.
5(1)(e), SoL gallring; SECURITY.md T69).

- A personakt (all applications of one applicant) is kept RETENTION_CASE_YEARS after its last
  entry (an application saved, an event, a journal entry). After that its personal data is
  anonymised: names, personnummer, free text, register extracts, documents and letters go;
  what remains (dates, statuses, amounts) is statistics about nobody. The applicant's account
  is anonymised and closed. The change history of those rows is deleted with them.
- Access-log rows and access-denial rows are deleted RETENTION_ACCESS_LOG_YEARS after they
  were written.

`retention_plan` is the dry run (what would go, nothing written); `retention_run` carries it
out. Every model that points at an application must be listed in ANONYMISE or in
NO_PERSONAL_DATA (a test enforces it), so a new model cannot keep personal data by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog
from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone

from accounts.models import User
from caseworker.models import AccessDenial, AccessLog, JournalEntry
from caseworker.models.letters import DecisionLetter
from intake.documents.attachments import stored_path
from intake.models import Application, ApplicationEvent, Attachment
from meetings.models import NeedsScreen

logger = structlog.get_logger(__name__)

REDACTED = "[gallrad]"


def _unique_placeholder() -> Concat:
    """'G' + the row id, 12 characters: unique where personnummer must be, and not a
    personnummer (11 digits)."""
    return Concat(Value("G"), LPad(Cast("id", CharField()), 11, Value("0")))


# model label -> the relation from the model to Application ("a|b": a row that links two
# applications goes with either), and field -> replacement.
ANONYMISE: dict[str, tuple[str, dict[str, Any]]] = {
    "intake.Application": (
        "pk",
        {"declaration": {}, "paper_document_reference": "", "robot_last_error": ""},
    ),
    "intake.HouseholdMember": ("application", {"name": REDACTED, "personnummer": "PLACEHOLDER"}),
    "intake.ApplicationEvent": ("application", {"reason": ""}),
    "intake.Decision": ("application", {"reason": REDACTED, "decisive_facts": []}),
    "intake.Attachment": ("application", {"original_name": REDACTED}),
    "intake.Signature": (
        "application",
        {
            "personnummer": "PLACEHOLDER",
            "note": "",
            "signer_name": REDACTED,
            "bankid_signature": "",
            "bankid_ocsp_response": "",
            "device_ip": None,
        },
    ),
    "intake.SigningOrder": ("application", {"text": ""}),
    "intake.Message": ("application", {"body": REDACTED}),
    "notifications.Notification": ("application", {"body": REDACTED, "last_error": ""}),
    "eligibility.RegisterSnapshot": ("application", {"payload": {}, "request": {}, "error": ""}),
    "eligibility.Proposal": ("application", {"person_reasons": [], "track_suggestion": {}}),
    "eligibility.HouseholdLink": ("first|second", {"reason": REDACTED}),
    "eligibility.RegisteredResident": ("application", {"personnummer": "PLACEHOLDER"}),
    "eligibility.CaseWarning": (
        "application",
        {"message": REDACTED, "details": {}, "acknowledge_note": "", "closed_reason": ""},
    ),
    "caseworker.JournalEntry": ("application", {"text": REDACTED}),
    "caseworker.LineAdjustment": ("application", {"reason": REDACTED}),
    "caseworker.SupplementRequest": ("application", {"what": REDACTED, "resolution": ""}),
    "caseworker.Communication": ("application", {"facts": [], "reply": "", "disputed_facts": []}),
    "caseworker.ChildImpactAssessment": ("application", {"text": REDACTED}),
    "caseworker.DecisionDraft": (
        "application",
        {"reason": REDACTED, "decisive_facts": [], "why_second": "", "note": ""},
    ),
    "caseworker.PaymentOrder": (
        "application",
        {"payee_name": REDACTED, "payee_personnummer": "", "clearing": "", "account": ""},
    ),
    "caseworker.CaseMove": ("application", {"return_note": ""}),
    "caseworker.Referral": ("application", {"reason": REDACTED, "close_note": ""}),
    "caseworker.StaffAlert": ("application", {"text": REDACTED}),
    "caseworker.Reminder": ("application", {"text": REDACTED}),
    "caseworker.OutreachTask": ("application", {"text": REDACTED, "note": ""}),
    "meetings.Meeting": ("application", {"outcome_note": ""}),
}
# Rows that point at an application but hold nothing about a person beyond that link.
NO_PERSONAL_DATA = {
    "intake.DeclaredIncome",  # a type and an amount
    "caseworker.SectionApproval",  # who approved which section when
    "caseworker.SilenceSignal",  # a trigger name and dates
    "caseworker.AccessLog",  # kept for its own period (ACCESS_LOG), then deleted
    # Under which queue count a case is counted: status, owner, flags and two dates (#20 c).
    "caseworker.QueueCountEntry",
}
# History tables (django-simple-history) that copy personal data: deleted with the akt.
HISTORY = {
    "intake.HistoricalApplication": "id",
    "intake.HistoricalDecision": "application_id",
    "caseworker.HistoricalPaymentOrder": "application_id",
}


@dataclass(frozen=True)
class CaseDue:
    reference: str
    applicant_id: int
    last_entry: datetime


@dataclass
class RetentionPlan:
    now: datetime
    case_cutoff: datetime
    access_log_cutoff: datetime
    cases: list[CaseDue] = field(default_factory=list)
    access_log_rows: int = 0
    access_denial_rows: int = 0

    def lines(self) -> list[str]:
        """The dry-run report: references and dates, never a name or a personnummer."""
        out = [
            f"Gallring {self.now:%Y-%m-%d %H:%M} (UTC)",
            f"Personakter utan anteckning sedan {self.case_cutoff:%Y-%m-%d}: "
            f"{len(self.cases)} ansökningar avidentifieras",
        ]
        out += [
            f"  {case.reference}  sökande #{case.applicant_id}  senast {case.last_entry:%Y-%m-%d}"
            for case in self.cases
        ]
        out.append(
            f"Åtkomstloggrader äldre än {self.access_log_cutoff:%Y-%m-%d}: "
            f"{self.access_log_rows} tas bort"
        )
        out.append(
            f"Nekade åtkomster äldre än {self.access_log_cutoff:%Y-%m-%d}: "
            f"{self.access_denial_rows} tas bort"
        )
        return out


def _years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def retention_plan(*, now: datetime | None = None) -> RetentionPlan:
    """What the run would anonymise and delete now. Reads only."""
    now = now or timezone.now()
    plan = RetentionPlan(
        now=now,
        case_cutoff=_years_before(now, settings.RETENTION_CASE_YEARS),
        access_log_cutoff=_years_before(now, settings.RETENTION_ACCESS_LOG_YEARS),
    )
    cutoff = plan.case_cutoff
    # An applicant's akt is alive while any of their applications saw an entry after the cutoff.
    alive = (
        set(Application.objects.filter(updated_at__gte=cutoff).values_list("applicant", flat=True))
        | set(
            ApplicationEvent.objects.filter(created_at__gte=cutoff).values_list(
                "application__applicant", flat=True
            )
        )
        | set(
            JournalEntry.objects.filter(created_at__gte=cutoff).values_list(
                "application__applicant", flat=True
            )
        )
    )
    due = (
        Application.objects.filter(retention_anonymised_at__isnull=True)
        .exclude(applicant__in=alive)
        .order_by("applicant_id", "id")
    )
    plan.cases = [
        CaseDue(app.reference, app.applicant_id, app.updated_at)
        for app in due.only("reference", "applicant_id", "updated_at")
    ]
    plan.access_log_rows = AccessLog.objects.filter(at__lt=plan.access_log_cutoff).count()
    plan.access_denial_rows = AccessDenial.objects.filter(at__lt=plan.access_log_cutoff).count()
    return plan


def _anonymise_rows(label: str, relation: str, changes: dict[str, Any], ids: list[int]) -> int:
    model = apps.get_model(label)
    match = Q()
    for name in relation.split("|"):
        match |= Q(**{f"{name}__in": ids})
    rows = model.objects.filter(match)
    values = {
        name: (_unique_placeholder() if value == "PLACEHOLDER" else value)
        for name, value in changes.items()
    }
    updated: int = rows.update(**values)
    return updated


def _files_delete(application_ids: list[int]) -> list[Path]:
    """Documents and decision letters of the akt (deleted after commit)."""

    paths = [
        stored_path(attachment)
        for attachment in Attachment.objects.filter(application_id__in=application_ids)
    ]
    for letter in DecisionLetter.objects.filter(decision__application_id__in=application_ids):
        if letter.pdf:
            paths.append(Path(letter.pdf.path))
    return paths


def _applicants_anonymise(applicant_ids: set[int]) -> None:
    """An applicant whose every application is anonymised is closed and anonymised too."""
    still_kept = set(
        Application.objects.filter(
            applicant__in=applicant_ids, retention_anonymised_at__isnull=True
        ).values_list("applicant", flat=True)
    )
    done = applicant_ids - still_kept
    User.objects.filter(pk__in=done).update(
        personnummer=_unique_placeholder(),
        username=Concat(Value("gallrad-"), Cast("id", CharField())),
        first_name="",
        last_name="",
        email="",
        phone="",
        bank_account="",
        is_active=False,
        password=make_password(None),
    )


def _purge_allow() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Lets the append-only triggers allow, for this transaction only, the DELETE of
            # old access-log and denial rows (caseworker migration 0002) and the redaction of
            # the journal's and the status history's text (0005).
            cursor.execute("SET LOCAL bistand.retention_purge = 'on'")


def _access_log_purge(cutoff: datetime) -> int:
    _purge_allow()
    deleted, _ = AccessLog.objects.filter(at__lt=cutoff).delete()
    return deleted


def _access_denial_purge(cutoff: datetime) -> int:
    _purge_allow()
    deleted, _ = AccessDenial.objects.filter(at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def retention_run(*, now: datetime | None = None, dry_run: bool = False) -> RetentionPlan:
    """Anonymise the akter past their period and delete old access-log and access-denial rows.

    Safe to run twice: anonymised applications are marked and skipped next time."""
    plan = retention_plan(now=now)
    if dry_run:
        return plan
    ids = list(
        Application.objects.filter(reference__in=[case.reference for case in plan.cases])
        .select_for_update()
        .values_list("pk", flat=True)
    )
    if ids:
        paths = _files_delete(ids)
        _purge_allow()  # the journal and the status events are append-only but for this
        for label, (relation, changes) in ANONYMISE.items():
            _anonymise_rows(label, relation, changes, ids)
        NeedsScreen.objects.filter(member__application_id__in=ids).delete()
        _letters_forget(ids)
        for label, column in HISTORY.items():
            apps.get_model(label).objects.filter(**{f"{column}__in": ids}).delete()
        Application.objects.filter(pk__in=ids).update(retention_anonymised_at=plan.now)
        _applicants_anonymise({case.applicant_id for case in plan.cases})

        def files_unlink() -> None:
            for path in paths:
                path.unlink(missing_ok=True)

        transaction.on_commit(files_unlink)
    removed = _access_log_purge(plan.access_log_cutoff) if plan.access_log_rows else 0
    denials = _access_denial_purge(plan.access_log_cutoff) if plan.access_denial_rows else 0
    logger.info(
        "retention_run",
        applications_anonymised=len(ids),
        access_log_rows_deleted=removed,
        access_denial_rows_deleted=denials,
    )
    return plan


def _letters_forget(application_ids: list[int]) -> None:

    DecisionLetter.objects.filter(decision__application_id__in=application_ids).update(pdf="")


def models_pointing_at_applications() -> set[str]:
    """Every model with a foreign key to Application (history tables aside)."""
    labels = set()
    for model in apps.get_models():
        if model._meta.label.split(".")[1].startswith("Historical"):
            continue
        if any(f.is_relation and f.related_model is Application for f in model._meta.fields):
            labels.add(model._meta.label)
    return labels


__all__ = [
    "ANONYMISE",
    "NO_PERSONAL_DATA",
    "RetentionPlan",
    "models_pointing_at_applications",
    "retention_plan",
    "retention_run",
]
