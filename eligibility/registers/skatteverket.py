"""Skatteverket: capital income (yearly, from the latest final tax assessment) and tax refunds
paid in the two months asked about."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from eligibility.registers.base import Extract, Payment, answer_months, month_end
from eligibility.registers.simulation import DEMO_PEOPLE, FakeRegister, day_in, kronor, rng_for

SOURCE = "skatteverket"
LABEL = "Skatteverket"
# Refunds (skatteåterbäring) are paid in April (e-filed early), June or August.
REFUND_MONTHS = (4, 6, 8)
REFUND_DAYS = {4: 8, 6: 10, 8: 12}


def income_year(as_of: date) -> int:
    """The latest income year with a final tax assessment (decided by the summer after)."""
    return as_of.year - 1 if as_of.month >= 7 else as_of.year - 2


def _capital_income(rng: Any, year: int) -> dict[str, Any]:
    interest = dividends = gains = Decimal(0)
    if rng.random() < 0.35:
        interest = kronor(rng.uniform(50, 4000))
    if rng.random() < 0.15:
        dividends = kronor(rng.uniform(200, 20000))
    if rng.random() < 0.08:
        gains = kronor(rng.uniform(1000, 60000))
    return {
        "income_year": year,
        "interest": str(interest),
        "dividends": str(dividends),
        "capital_gains": str(gains),
        "total": str(interest + dividends + gains),
    }


class FakeSkatteverketRegister(FakeRegister):
    source = SOURCE
    label = LABEL

    def answer(self, personnummer: str, *, as_of: date) -> Extract:
        year = income_year(as_of)
        if personnummer in DEMO_PEOPLE:
            details = {"capital_income": _capital_income(_Zero(), year)}
            return Extract(source=SOURCE, personnummer=personnummer, as_of=as_of, details=details)
        details = {"capital_income": _capital_income(rng_for(SOURCE, personnummer, year), year)}
        payments = []
        first, control = answer_months(as_of)
        for refund_year in sorted({first.year, control.year}):
            refund_rng = rng_for(SOURCE, personnummer, "refund", refund_year)
            if refund_rng.random() >= 0.30:
                continue
            month = refund_rng.choice(REFUND_MONTHS)
            paid_on = day_in(date(refund_year, month, 1), REFUND_DAYS[month])
            if not first <= paid_on <= month_end(control):
                continue
            amount = kronor(refund_rng.uniform(300, 12000))
            payments.append(
                Payment(
                    kind="tax_refund",
                    gross=amount,
                    tax=Decimal(0),
                    net=amount,
                    paid_on=paid_on,
                    period_start=date(refund_year - 1, 1, 1),
                    period_end=date(refund_year - 1, 12, 31),
                    payer=LABEL,
                    details={"income_year": refund_year - 1},
                )
            )
        return Extract(
            source=SOURCE,
            personnummer=personnummer,
            as_of=as_of,
            payments=tuple(payments),
            details=details,
        )


class _Zero:
    """A stand-in random generator that says "no" to everything (the demo people)."""

    def random(self) -> float:
        return 1.0
