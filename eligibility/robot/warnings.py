"""The warning life cycle: open -> acknowledged -> closed. Closed warnings never reopen."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from eligibility.models import CaseWarning, WarningStatus
from eligibility.robot.findings import Finding
from intake.models import Application

CLOSED_BECAUSE_GONE = "Orsaken finns inte längre vid ny kontroll."


def warnings_sync(
    *,
    application: Application,
    round_: int,
    findings: Iterable[Finding],
    none_live: bool = False,
) -> None:
    """Raise a warning for each new cause and close those whose cause has disappeared.

    At most three queries (one when the caller knows no warning exists yet: `none_live`); a race
    with another writer is absorbed by the partial unique index (one live warning per cause).
    """
    findings = list(findings)
    live = (
        {}
        if none_live
        else {
            w.key: w
            for w in CaseWarning.objects.filter(application=application).exclude(
                status=WarningStatus.CLOSED
            )
        }
    )
    if not findings and not live:
        return
    found = {f.key for f in findings}
    CaseWarning.objects.bulk_create(
        warnings_build(application, round_, [f for f in findings if f.key not in live]),
        ignore_conflicts=True,
    )
    gone = [w.pk for key, w in live.items() if key not in found]
    if gone:
        CaseWarning.objects.filter(pk__in=gone).exclude(status=WarningStatus.CLOSED).update(
            status=WarningStatus.CLOSED, closed_at=timezone.now(), closed_reason=CLOSED_BECAUSE_GONE
        )


def warnings_build(
    application: Application, round_: int, findings: Iterable[Finding]
) -> list[CaseWarning]:
    """The (unsaved) open warnings for ``findings`` (the batch robot inserts many at once)."""
    return [
        CaseWarning(
            application=application,
            kind=f.kind,
            key=f.key,
            message=f.message,
            details=dict(f.details),
            round=round_,
        )
        for f in findings
    ]


class WarningNotOpen(Exception):
    pass


class WarningNoteMissing(ValueError):
    """A warning is acknowledged with a note on what the caseworker concluded, never without."""


@transaction.atomic
def warning_acknowledge(*, warning: CaseWarning, user: User, note: str) -> CaseWarning:
    """A caseworker has looked at the warning (with a note on what they concluded). The case
    page acknowledges through `caseworker.decisions.services.case_warning_acknowledge`, which
    also writes the journal entry."""
    if not note.strip():
        raise WarningNoteMissing(warning.key)
    updated = CaseWarning.objects.filter(pk=warning.pk, status=WarningStatus.OPEN).update(
        status=WarningStatus.ACKNOWLEDGED,
        acknowledged_by=user,
        acknowledged_at=timezone.now(),
        acknowledge_note=note.strip(),
    )
    if updated != 1:
        raise WarningNotOpen(warning.key)
    warning.refresh_from_db()
    return warning
