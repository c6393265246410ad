"""Unemployment funds (a-kassor): payments per reported two-week period, and suspensions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from eligibility.registers.base import Extract, Payment, answer_months, month_end
from eligibility.registers.simulation import DEMO_PEOPLE, FakeRegister, rng_for, taxed

SOURCE = "unemployment_fund"
LABEL = "Arbetslöshetskassorna"
FUNDS = (
    "Alfa-kassan",
    "Unionens a-kassa",
    "Kommunals a-kassa",
    "Handelsanställdas a-kassa",
    "Byggnadsarbetarnas a-kassa",
    "Akademikernas a-kassa",
)
# Daily allowance 2026 (example figures): at most 1 200 kr a day for the first 100 days,
# then at most 1 000 kr; the basic insurance pays 510 kr a day.
DAILY_MAX_FIRST, DAILY_MAX_LATER, DAILY_BASIC = 1200, 1000, 510
TAX_RATE = 0.28
SUSPENSION_REASONS = (
    "avvisat erbjudande om lämpligt arbete",
    "inte lämnat aktivitetsrapport i tid",
    "egen uppsägning utan giltig anledning",
)


def _periods(first: date, last: date, anchor: date) -> list[tuple[date, date, date]]:
    """Two-week periods (Monday to Sunday) paid on the Wednesday after, with the payment
    date between `first` and `last`."""
    start = anchor - timedelta(days=anchor.weekday())
    while start + timedelta(days=16) >= first:
        start -= timedelta(days=14)
    result: list[tuple[date, date, date]] = []
    while True:
        end = start + timedelta(days=13)
        paid_on = end + timedelta(days=3)
        if paid_on > last:
            return result
        if paid_on >= first:
            result.append((start, end, paid_on))
        start += timedelta(days=14)


class FakeUnemploymentFundRegister(FakeRegister):
    source = SOURCE
    label = LABEL

    def answer(self, personnummer: str, *, as_of: date) -> Extract:
        if personnummer in DEMO_PEOPLE:
            details: dict[str, object] = {
                "fund": None,
                "member": False,
                "member_since": None,
                "suspensions": [],
            }
            return Extract(source=SOURCE, personnummer=personnummer, as_of=as_of, details=details)
        rng = rng_for(SOURCE, personnummer)
        if rng.random() < 0.60:
            return Extract(source=SOURCE, personnummer=personnummer, as_of=as_of, found=False)
        fund = rng.choice(FUNDS)
        details = {
            "fund": fund,
            "member": True,
            "member_since": date(rng.randint(2005, 2024), rng.randint(1, 12), 1).isoformat(),
            "suspensions": [],
        }
        payments: list[Payment] = []
        if rng.random() < 0.45:
            daily = rng.choice(
                [DAILY_MAX_FIRST, DAILY_MAX_LATER, DAILY_BASIC, rng.randint(600, 1150)]
            )
            full_days = rng.choice([10, 10, 10, 8, 5])  # part-time unemployed report fewer days
            months = answer_months(as_of)
            first, last = months[0], month_end(months[1])
            periods = _periods(first, last, date(2026, 1, 5) + timedelta(weeks=rng.randint(0, 1)))
            suspended = rng.random() < 0.12
            for index, (start, end, paid_on) in enumerate(periods):
                days = full_days
                if suspended and index == len(periods) - 2:
                    days = 0
                    details["suspensions"] = [
                        {
                            "from": start.isoformat(),
                            "to": end.isoformat(),
                            "days": full_days,
                            "reason": rng.choice(SUSPENSION_REASONS),
                        }
                    ]
                if not days:
                    continue
                gross, tax, net = taxed(Decimal(daily * days), TAX_RATE)
                payments.append(
                    Payment(
                        kind="unemployment_benefit",
                        gross=gross,
                        tax=tax,
                        net=net,
                        paid_on=paid_on,
                        period_start=start,
                        period_end=end,
                        payer=fund,
                        details={"days": days, "daily_amount": str(daily)},
                    )
                )
        return Extract(
            source=SOURCE,
            personnummer=personnummer,
            as_of=as_of,
            payments=tuple(payments),
            details=details,
        )
