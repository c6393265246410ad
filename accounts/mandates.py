"""Representatives: god man, förvaltare and ombud with fullmakt (#5).

A representative logs in with their own e-ID. While a mandate is active they see the principal's
applications (through `intake.access`, the one door), can start and submit for them, and get the
same notices. Staff register and revoke mandates from the documents; nothing is inferred.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.eid import EidIdentity
from accounts.identity import normalise_personnummer
from accounts.models import Mandate, MandateKind, Role, User
from accounts.services import applicant_get_or_create


class MandateRefused(Exception):
    pass


def active_on(day: date) -> Q:
    return (
        Q(revoked_at__isnull=True)
        & Q(valid_from__lte=day)
        & (Q(valid_until__isnull=True) | Q(valid_until__gte=day))
    )


def mandates_active(*, day: date | None = None) -> QuerySet[Mandate]:
    return Mandate.objects.filter(active_on(day or timezone.localdate()))


def principals_of(*, representative: User, day: date | None = None) -> QuerySet[Mandate]:
    """The active mandates a representative holds (a lazy query: usable as a subquery)."""
    return mandates_active(day=day).filter(representative=representative)


def mandate_for(
    *, representative: User, principal_personnummer: str, day: date | None = None
) -> Mandate | None:
    return (
        principals_of(representative=representative, day=day)
        .filter(principal_personnummer=principal_personnummer)
        .first()
    )


def representatives_of(*, principal_personnummer: str, day: date | None = None) -> list[User]:
    return [
        m.representative
        for m in mandates_active(day=day)
        .filter(principal_personnummer=principal_personnummer, representative__is_active=True)
        .select_related("representative")
    ]


@transaction.atomic
def mandate_register(
    *,
    representative_personnummer: str,
    principal_personnummer: str,
    kind: MandateKind | str,
    valid_from: date,
    valid_until: date | None,
    document_reference: str,
    registered_by: User,
) -> Mandate:
    """Record a mandate from its document. The representative's account is created if needed
    (it gets a name at their first e-ID login)."""
    if not registered_by.handles_cases:
        raise MandateRefused("Only caseworkers register mandates.")
    representative_pnr = normalise_personnummer(representative_personnummer)
    principal_pnr = normalise_personnummer(principal_personnummer)
    if representative_pnr == principal_pnr:
        raise MandateRefused("A person cannot represent themselves.")
    if valid_until is not None and valid_until < valid_from:
        raise MandateRefused("The mandate ends before it starts.")
    if not document_reference.strip():
        raise MandateRefused("A mandate needs its document.")
    representative = applicant_get_or_create(identity=EidIdentity(representative_pnr))
    if representative.role != Role.APPLICANT:
        raise MandateRefused("Staff accounts cannot hold mandates.")
    return Mandate.objects.create(
        representative=representative,
        principal_personnummer=principal_pnr,
        kind=kind,
        valid_from=valid_from,
        valid_until=valid_until,
        document_reference=document_reference.strip(),
        registered_by=registered_by,
    )


@transaction.atomic
def mandate_revoke(*, mandate: Mandate, revoked_by: User) -> Mandate:
    """Ends the mandate now (idempotent: the first revocation is the one recorded)."""
    Mandate.objects.filter(pk=mandate.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=revoked_by
    )
    mandate.refresh_from_db()
    return mandate


def acting_label(*, user: User, mandate: Mandate) -> str:
    """For event reasons: who acted for whom, without the principal's personnummer."""
    return (
        f"{mandate.get_kind_display()} {user.display_name()} "
        f"(förordnande/fullmakt {mandate.document_reference})"
    )
