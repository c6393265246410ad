"""The application aggregate's models, by part (Django finds them here). Import them from here."""

from __future__ import annotations

from intake.models.application import (
    ZERO,
    ActorChoices,
    Application,
    ApplicationChannel,
    ApplicationEvent,
    ApplicationKind,
    ApplicationQuerySet,
    StatusChoices,
    Track,
    money_field,
    new_reference,
)
from intake.models.decisions import (
    Appeal,
    AppealStatus,
    Decision,
    DecisionOutcome,
    DecisionTrack,
)
from intake.models.documents import (
    Attachment,
    AttachmentKind,
    ScanStatus,
)
from intake.models.household import (
    DeclaredIncome,
    HouseholdMember,
    IncomeType,
    MemberRole,
)
from intake.models.messages import (
    AccessibilityFeedback,
    Message,
)
from intake.models.signatures import (
    Signature,
    SignatureMethod,
    SigningOrder,
)

__all__ = [
    "ZERO",
    "AccessibilityFeedback",
    "ActorChoices",
    "Appeal",
    "AppealStatus",
    "Application",
    "ApplicationChannel",
    "ApplicationEvent",
    "ApplicationKind",
    "ApplicationQuerySet",
    "Attachment",
    "AttachmentKind",
    "Decision",
    "DecisionOutcome",
    "DecisionTrack",
    "DeclaredIncome",
    "HouseholdMember",
    "IncomeType",
    "MemberRole",
    "Message",
    "ScanStatus",
    "Signature",
    "SignatureMethod",
    "SigningOrder",
    "StatusChoices",
    "Track",
    "money_field",
    "new_reference",
]
