"""Försäkringskassan and Pensionsmyndigheten: benefits and pensions paid, one payment each."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from eligibility.registers.base import Extract, Payment, answer_months, month_end
from eligibility.registers.simulation import (
    DEMO_PEOPLE,
    PNR_BILAL,
    PNR_CARINA,
    FakeRegister,
    monthly_payment,
    rng_for,
)

SOURCE = "forsakringskassan"
LABEL = "Försäkringskassan och Pensionsmyndigheten"
PENSIONSMYNDIGHETEN = "Pensionsmyndigheten"

KINDS = (
    "housing_allowance",
    "child_allowance",
    "large_family_supplement",
    "maintenance_support",
    "sickness_benefit",
    "parental_benefit",
    "activity_support",
    "activity_compensation",
    "sickness_compensation",
    "pension",
)
PAYDAY = {"child_allowance": 20, "large_family_supplement": 20, "pension": 18}
CHILD_ALLOWANCE = Decimal("1250")  # per child and month, 2026
# Flerbarnstillägg per month by number of children (2 children: 150, 3: 730, 4: 1 740).
LARGE_FAMILY_SUPPLEMENT = {2: 150, 3: 730, 4: 1740}

# personnummer -> monthly payments (kind, net, tax) for the demo people. Tests may delete an
# entry; a demo person without one gets no payments (never generated ones).
FIXTURES: dict[str, list[tuple[str, Decimal, Decimal]]] = {
    PNR_BILAL: [("child_allowance", Decimal("1250"), Decimal("0"))],
    PNR_CARINA: [("sickness_benefit", Decimal("6120"), Decimal("1980"))],
}


def _fixture_payments(personnummer: str, months: tuple[date, ...]) -> list[Payment]:
    payments = []
    for month in months:
        for kind, net, tax in FIXTURES.get(personnummer, []):
            payments.append(
                Payment(
                    kind=kind,
                    gross=net + tax,
                    tax=tax,
                    net=net,
                    paid_on=month.replace(day=PAYDAY.get(kind, 25)),
                    period_start=month,
                    period_end=month_end(month),
                    payer=LABEL,
                )
            )
    return payments


def _generated_payments(personnummer: str, months: tuple[date, ...]) -> list[Payment] | None:
    """None: not in the register. Otherwise the person's payments in the two months."""
    rng = rng_for(SOURCE, personnummer)
    if rng.random() < 0.10:
        return None
    # kind -> (monthly gross, tax rate, monthly variation)
    plan: dict[str, tuple[float, float, float]] = {}
    if rng.random() < 0.30:
        children = rng.choices([1, 2, 3, 4], weights=[45, 35, 15, 5])[0]
        plan["child_allowance"] = (float(CHILD_ALLOWANCE * children), 0.0, 0.0)
        if children >= 2:
            plan["large_family_supplement"] = (LARGE_FAMILY_SUPPLEMENT[children], 0.0, 0.0)
        if rng.random() < 0.30:
            plan["maintenance_support"] = (rng.choice([1673, 1823, 2223]) * children, 0.0, 0.0)
    if rng.random() < 0.18:
        plan["housing_allowance"] = (rng.randrange(800, 4600, 10), 0.0, 0.0)
    work = rng.random()
    if work < 0.10:
        plan["sickness_benefit"] = (rng.randrange(7000, 26000, 10), 0.30, 0.25)
    elif work < 0.18:
        plan["parental_benefit"] = (rng.randrange(5500, 31000, 10), 0.30, 0.20)
    elif work < 0.26:
        plan["activity_support"] = (rng.randrange(4500, 21000, 10), 0.25, 0.20)
    elif work < 0.29:
        plan["activity_compensation"] = (rng.randrange(10500, 13500, 10), 0.25, 0.0)
    elif work < 0.34:
        plan["sickness_compensation"] = (rng.randrange(10500, 14500, 10), 0.27, 0.0)
    elif work < 0.40:
        plan["pension"] = (rng.randrange(9000, 19000, 10), 0.20, 0.0)
    payments = []
    for kind, (gross, rate, variation) in plan.items():
        for month in months:
            month_rng = rng_for(SOURCE, personnummer, kind, month.isoformat())
            # Varying benefits sometimes change by more than 12 % between the months.
            factor = 1 + (month_rng.uniform(-variation, variation / 2) if variation else 0.0)
            payments.append(
                monthly_payment(
                    kind=kind,
                    month=month,
                    payday=PAYDAY.get(kind, month_rng.choice([18, 25, 26])),
                    gross=gross * factor,
                    tax_rate=rate,
                    payer=PENSIONSMYNDIGHETEN if kind == "pension" else "Försäkringskassan",
                )
            )
    return payments


class FakeForsakringskassanRegister(FakeRegister):
    source = SOURCE
    label = LABEL

    def answer(self, personnummer: str, *, as_of: date) -> Extract:
        months = answer_months(as_of)
        if personnummer in DEMO_PEOPLE:
            payments: list[Payment] | None = _fixture_payments(personnummer, months)
        else:
            payments = _generated_payments(personnummer, months)
        if payments is None:
            return Extract(source=SOURCE, personnummer=personnummer, as_of=as_of, found=False)
        payments.sort(key=lambda p: (p.paid_on, p.kind))
        return Extract(
            source=SOURCE, personnummer=personnummer, as_of=as_of, payments=tuple(payments)
        )
