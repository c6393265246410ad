"""Employer-reported pay (arbetsgivardeklaration på individnivå, AGI): one salary payment per
employer and month, with the tax withheld."""

from __future__ import annotations

from datetime import date

from eligibility.registers.base import Extract, Payment, answer_months
from eligibility.registers.simulation import DEMO_PEOPLE, FakeRegister, monthly_payment, rng_for

SOURCE = "employer_pay"
LABEL = "Skatteverket (arbetsgivardeklarationer)"
EMPLOYERS = (
    ("Exempelbolaget i Trelleborg AB", "556000-0001"),
    ("Provbageriet Söderslätt AB", "556000-0019"),
    ("Testlogistik Syd AB", "556000-0027"),
    ("Demovård Omsorg AB", "556000-0035"),
    ("Trelleborgs kommun (exempel)", "212000-0001"),
)


class FakeEmployerPayRegister(FakeRegister):
    source = SOURCE
    label = LABEL

    def answer(self, personnummer: str, *, as_of: date) -> Extract:
        if personnummer in DEMO_PEOPLE:
            return Extract(source=SOURCE, personnummer=personnummer, as_of=as_of)
        rng = rng_for(SOURCE, personnummer)
        if rng.random() < 0.50:
            return Extract(source=SOURCE, personnummer=personnummer, as_of=as_of, found=False)
        jobs = []
        for employer, org_nr in rng.sample(EMPLOYERS, rng.choices([1, 2], weights=[85, 15])[0]):
            hourly = rng.random() < 0.4  # hourly pay varies a lot from month to month
            jobs.append((employer, org_nr, rng.randrange(3000, 34000, 50), hourly))
        payments: list[Payment] = []
        for month in answer_months(as_of):
            for employer, org_nr, salary, hourly in jobs:
                month_rng = rng_for(SOURCE, personnummer, employer, month.isoformat())
                factor = month_rng.uniform(0.6, 1.3) if hourly else 1.0
                payments.append(
                    monthly_payment(
                        kind="salary",
                        month=month,
                        payday=25,
                        gross=salary * factor,
                        tax_rate=0.30 if salary * factor > 2000 else 0.0,
                        payer=employer,
                        details={"employer": employer, "organisation_number": org_nr},
                    )
                )
        payments.sort(key=lambda p: (p.paid_on, p.payer))
        return Extract(
            source=SOURCE, personnummer=personnummer, as_of=as_of, payments=tuple(payments)
        )
