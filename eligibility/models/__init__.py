"""The robot's records and the municipality's calculation settings (Django finds the models
here). Import them from here."""

from __future__ import annotations

from eligibility.models.households import (
    HouseholdLink,
    HouseholdLinkResolution,
    RegisteredResident,
)
from eligibility.models.norms import (
    CostPer,
    HouseholdType,
    HousingCostCap,
    MunicipalCostItem,
    MunicipalNormSettings,
)
from eligibility.models.robot import (
    CaseWarning,
    Proposal,
    RegisterSnapshot,
    SnapshotStatus,
    WarningKind,
    WarningStatus,
)

__all__ = [
    "CaseWarning",
    "CostPer",
    "HouseholdLink",
    "HouseholdLinkResolution",
    "HouseholdType",
    "HousingCostCap",
    "MunicipalCostItem",
    "MunicipalNormSettings",
    "Proposal",
    "RegisterSnapshot",
    "RegisteredResident",
    "SnapshotStatus",
    "WarningKind",
    "WarningStatus",
]
