"""CSN: study support applied for, granted, the study period and the payments."""

from __future__ import annotations

from datetime import date, timedelta

from eligibility.registers.base import Extract, answer_months, previous_month
from eligibility.registers.simulation import DEMO_PEOPLE, FakeRegister, monthly_payment, rng_for

SOURCE = "csn"
LABEL = "CSN"
# Studiemedel per month for full-time study, 2026 (example figures): grant and loan.
GRANT_FULL_TIME = 3640
LOAN_FULL_TIME = 8350


def term(month: date) -> tuple[date, date] | None:
    """The study term around `month` (none in July)."""
    if 1 <= month.month <= 6:
        return date(month.year, 1, 19), date(month.year, 6, 7)
    if month.month >= 8:
        return date(month.year, 8, 24), date(month.year + 1, 1, 17)
    return None


class FakeCsnRegister(FakeRegister):
    source = SOURCE
    label = LABEL

    def answer(self, personnummer: str, *, as_of: date) -> Extract:
        nothing = {"applied": False, "granted": False, "period": None}
        if personnummer in DEMO_PEOPLE:
            return Extract(source=SOURCE, personnummer=personnummer, as_of=as_of, details=nothing)
        rng = rng_for(SOURCE, personnummer)
        if rng.random() < 0.70:
            return Extract(source=SOURCE, personnummer=personnummer, as_of=as_of, found=False)
        control = previous_month(as_of)
        period = term(control) or term(previous_month(control))
        if period is None:
            return Extract(source=SOURCE, personnummer=personnummer, as_of=as_of, details=nothing)
        decision = rng.choices(["granted", "pending", "rejected"], weights=[60, 20, 20])[0]
        rate = rng.choice([100, 100, 100, 75, 50])
        takes_loan = rng.random() < 0.6
        details = {
            "applied": True,
            "applied_on": (period[0] - timedelta(days=rng.randint(20, 90))).isoformat(),
            "granted": decision == "granted",
            "decision": decision,
            "period": {"start": period[0].isoformat(), "end": period[1].isoformat()},
            "study_rate_percent": rate,
            "loan": takes_loan,
        }
        payments = []
        if decision == "granted":
            for month in answer_months(as_of):
                if not (period[0].replace(day=1) <= month <= period[1]):
                    continue
                grant = GRANT_FULL_TIME * rate // 100
                loan = LOAN_FULL_TIME * rate // 100 if takes_loan else 0
                payments.append(
                    monthly_payment(
                        kind="study_support",
                        month=month,
                        payday=25,
                        gross=grant + loan,
                        tax_rate=0.0,
                        payer=LABEL,
                        details={"grant": str(grant), "loan": str(loan)},
                    )
                )
        return Extract(
            source=SOURCE,
            personnummer=personnummer,
            as_of=as_of,
            payments=tuple(payments),
            details=details,
        )
