"""Small builders shared by the rule tests."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from eligibility.rules import CalculationResult, Household, Member

APPLICANT = Member("applicant", 35)
PARTNER = Member("partner", 33)


def month(year: int, number: int = 1) -> datetime.date:
    return datetime.date(year, number, 1)


def household(
    year: int = 2026, members: tuple[Member, ...] = (APPLICANT,), **kwargs: Any
) -> Household:
    """A household applying for January of ``year``; Household fields as keywords."""
    return Household(month=month(year), members=members, **kwargs)


def by_rule(result: CalculationResult, rule: str) -> list[Decimal]:
    """The amounts of the lines with ``rule``, in order."""
    return [line.amount for line in result.lines if line.rule == rule]


def by_code(result: CalculationResult, code: str) -> list[Decimal]:
    return [line.amount for line in result.lines if line.code == code]


def assert_consistent(result: CalculationResult) -> None:
    """The invariants every result keeps."""
    assert sum((line.amount for line in result.lines), Decimal(0)) == result.amount
    assert result.amount >= 0
    assert result.amount == result.amount.to_integral_value()
    assert all(line.amount == line.amount.to_integral_value() for line in result.lines)
    assert result.eligible == (result.amount > 0)
    assert result.provisional == ("provisional_norm" in result.flags)
    assert len(set(result.flags)) == len(result.flags)
    assert all(
        line.kind in {"norm", "cost", "income", "asset", "adjustment"} for line in result.lines
    )
