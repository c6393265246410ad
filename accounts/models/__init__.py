"""Municipalities and people, by part (Django finds the models here). Import them from here.
Every case, setting, staff member and meeting belongs to one municipality; one installation may
serve several with their data kept apart."""

from __future__ import annotations

from accounts.models.mandates import (
    Mandate,
    MandateKind,
)
from accounts.models.municipalities import (
    Municipality,
)
from accounts.models.second_factor import (
    SecondFactorActivation,
)
from accounts.models.users import (
    CASE_HANDLING_ROLES,
    STAFF_ROLES,
    BankAccountInvalid,
    NotificationChannel,
    Role,
    User,
    bank_account_parts,
    validate_bank_account,
)

__all__ = [
    "CASE_HANDLING_ROLES",
    "STAFF_ROLES",
    "BankAccountInvalid",
    "Mandate",
    "MandateKind",
    "Municipality",
    "NotificationChannel",
    "Role",
    "SecondFactorActivation",
    "User",
    "bank_account_parts",
    "validate_bank_account",
]
