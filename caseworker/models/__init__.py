"""The caseworker app's models, by capability (Django finds them here). Import them from here or
from their module; each module holds one capability's tables."""

from __future__ import annotations

from caseworker.models.audit import (
    AccessAction,
    AccessDenial,
    AccessLog,
    DenialStatus,
    JournalEntry,
)
from caseworker.models.caseload import (
    AlertKind,
    CaseMove,
    CaseworkerProfile,
    OutreachStatus,
    OutreachTask,
    OwnershipSettings,
    Referral,
    ReferralDirection,
    ReferralUrgency,
    Reminder,
    SilenceSignal,
    SilenceTrigger,
    StaffAlert,
    StandIn,
)
from caseworker.models.decisions import (
    ChildImpactAssessment,
    Communication,
    DecisionDraft,
    DraftStatus,
    LineAdjustment,
    Section,
    SectionApproval,
    SupplementRequest,
)
from caseworker.models.letters import (
    DecisionDelivery,
    DecisionLetter,
    PrivateStorage,
    ReasonTemplate,
    letter_upload_to,
    private_storage,
)
from caseworker.models.payments import (
    PaymentFile,
    PaymentFileEntry,
    PaymentOrder,
    PaymentStatus,
    payment_file_upload_to,
)

__all__ = [
    "AccessAction",
    "AccessDenial",
    "AccessLog",
    "AlertKind",
    "CaseMove",
    "CaseworkerProfile",
    "ChildImpactAssessment",
    "Communication",
    "DecisionDelivery",
    "DecisionDraft",
    "DecisionLetter",
    "DenialStatus",
    "DraftStatus",
    "JournalEntry",
    "LineAdjustment",
    "OutreachStatus",
    "OutreachTask",
    "OwnershipSettings",
    "PaymentFile",
    "PaymentFileEntry",
    "PaymentOrder",
    "PaymentStatus",
    "PrivateStorage",
    "ReasonTemplate",
    "Referral",
    "ReferralDirection",
    "ReferralUrgency",
    "Reminder",
    "Section",
    "SectionApproval",
    "SilenceSignal",
    "SilenceTrigger",
    "StaffAlert",
    "StandIn",
    "SupplementRequest",
    "letter_upload_to",
    "payment_file_upload_to",
    "private_storage",
]
