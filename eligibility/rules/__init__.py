"""The eligibility rules: a pure calculation of försörjningsstöd (no Django, no DB, no clock).

Public API (other apps import only from here)::

    from eligibility.rules import calculate, household_from_dict, result_to_dict, ...
"""

from eligibility.rules.calculation import CalculationResult, Line, calculate
from eligibility.rules.household import (
    Asset,
    Costs,
    ExtraCostItem,
    Household,
    Income,
    InvalidHousehold,
    Member,
    MunicipalPolicy,
)
from eligibility.rules.money import round_kronor
from eligibility.rules.parameters import NormTable, available_norm_years, norm_table_for
from eligibility.rules.parsing import household_from_dict, result_to_dict

__all__ = [
    "Asset",
    "CalculationResult",
    "Costs",
    "ExtraCostItem",
    "Household",
    "Income",
    "InvalidHousehold",
    "Line",
    "Member",
    "MunicipalPolicy",
    "NormTable",
    "available_norm_years",
    "calculate",
    "household_from_dict",
    "norm_table_for",
    "result_to_dict",
    "round_kronor",
]
