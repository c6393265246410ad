"""Joint applications: both adults sign with their own e-ID; the partner may decline."""

from __future__ import annotations

from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.signing import SignedEvidence
from intake.models import (
    Application,
    HouseholdMember,
    MemberRole,
)
from intake.services.lifecycle import (
    ApplicationIncomplete,
    application_submit_signed,
    signature_record,
)
from intake.states import Status


class SignatureState(StrEnum):
    NOT_JOINT = "not_joint"
    UNSIGNED = "unsigned"  # nobody has signed yet
    AWAITING_PARTNER = "awaiting_partner"  # "Väntar på partnerns underskrift"
    PARTNER_DECLINED = "partner_declined"
    SIGNED = "signed"


def application_signature_state(application: Application) -> SignatureState:
    """What a joint draft waits for (a selector: reads only)."""
    partner = application.members.filter(role=MemberRole.PARTNER).first()
    if partner is None:
        return SignatureState.NOT_JOINT
    partner_signature = application.signatures.filter(personnummer=partner.personnummer).first()
    if partner_signature is not None and partner_signature.declined_at is not None:
        return SignatureState.PARTNER_DECLINED
    if partner_signature is not None and partner_signature.signed_at is not None:
        return SignatureState.SIGNED
    applicant_signed = application.signatures.filter(
        personnummer=application.applicant.personnummer, signed_at__isnull=False
    ).exists()
    return SignatureState.AWAITING_PARTNER if applicant_signed else SignatureState.UNSIGNED


def _partner_of(application: Application, partner: User) -> HouseholdMember:
    member = application.members.filter(
        role=MemberRole.PARTNER, personnummer=partner.personnummer or "-"
    ).first()
    if member is None or application.status != Status.DRAFT:
        raise ApplicationIncomplete("Only the declared partner can sign a draft.")
    if application_signature_state(application) != SignatureState.AWAITING_PARTNER:
        raise ApplicationIncomplete("The applicant has not signed (again) yet.")
    return member


def partner_may_sign(application: Application, partner: User) -> None:
    """Raises ApplicationIncomplete unless `partner` is the declared partner of a draft that
    waits for their signature."""
    _partner_of(application, partner)


@transaction.atomic
def application_partner_sign(
    *,
    application: Application,
    partner: User,
    evidence: SignedEvidence | None = None,
    signed_text: str = "",
) -> Application:
    """The partner signs with their own e-ID; with both signatures the application is sent."""
    Application.objects.select_for_update().filter(pk=application.pk).first()
    member = _partner_of(application, partner)
    signature_record(application, member.personnummer, evidence=evidence, signed_text=signed_text)
    return application_submit_signed(application, actor=partner)


@transaction.atomic
def application_partner_decline(*, application: Application, partner: User, note: str) -> None:
    """The partner declines: the application stays a draft; the applicant is told and may
    change the household (for example apply alone) and sign again."""
    member = _partner_of(application, partner)
    application.signatures.filter(personnummer=member.personnummer).update(
        declined_at=timezone.now(), signed_at=None, note=note[:2000]
    )
    application.signatures.exclude(personnummer=member.personnummer).update(signed_at=None)
