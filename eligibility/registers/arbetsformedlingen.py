"""Arbetsförmedlingen: registered as a job seeker since, category, programme, activity report."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from eligibility.registers.base import Extract, previous_month
from eligibility.registers.simulation import (
    PNR_ALVA,
    PNR_BILAL,
    PNR_CARINA,
    PNR_CHILD,
    FakeRegister,
    rng_for,
)

SOURCE = "arbetsformedlingen"
LABEL = "Arbetsförmedlingen"
CATEGORIES = (
    "11 Arbetslös",
    "21 Deltidsarbetslös",
    "22 Timanställd",
    "68 Deltagare i jobb- och utvecklingsgarantin",
    "69 Deltagare i jobbgarantin för ungdomar",
)
PROGRAMME_BY_CATEGORY = {
    "68 Deltagare i jobb- och utvecklingsgarantin": "Jobb- och utvecklingsgarantin",
    "69 Deltagare i jobbgarantin för ungdomar": "Jobbgarantin för ungdomar",
}
NOT_REGISTERED: dict[str, Any] = {
    "registered": False,
    "registered_since": None,
    "category": None,
    "programme": None,
    "latest_activity_report": None,
}


def _report(as_of: date, day: int) -> dict[str, str]:
    """The activity report for the month before the control month, sent in the control month."""
    control = previous_month(as_of)
    reported = previous_month(control)
    return {"period": f"{reported:%Y-%m}", "submitted_on": control.replace(day=day).isoformat()}


def _registered(since: date, category: str, report: dict[str, str] | None) -> dict[str, Any]:
    return {
        "registered": True,
        "registered_since": since.isoformat(),
        "category": category,
        "programme": PROGRAMME_BY_CATEGORY.get(category),
        "latest_activity_report": report,
    }


class FakeArbetsformedlingenRegister(FakeRegister):
    source = SOURCE
    label = LABEL

    def answer(self, personnummer: str, *, as_of: date) -> Extract:
        details = self._details(personnummer, as_of)
        if details is None:
            return Extract(source=SOURCE, personnummer=personnummer, as_of=as_of, found=False)
        return Extract(source=SOURCE, personnummer=personnummer, as_of=as_of, details=details)

    def _details(self, personnummer: str, as_of: date) -> dict[str, Any] | None:
        if personnummer == PNR_ALVA:
            return _registered(date(2025, 9, 1), CATEGORIES[0], _report(as_of, 6))
        if personnummer == PNR_BILAL:
            return _registered(date(2024, 3, 15), CATEGORIES[3], _report(as_of, 9))
        if personnummer in (PNR_CARINA, PNR_CHILD):
            return dict(NOT_REGISTERED)
        rng = rng_for(SOURCE, personnummer)
        roll = rng.random()
        if roll < 0.30:
            return None  # never registered
        if roll < 0.60:
            return dict(NOT_REGISTERED)
        since = as_of - timedelta(days=rng.randint(40, 1500))
        category = rng.choice(CATEGORIES)
        report = _report(as_of, rng.randint(1, 14)) if rng.random() < 0.9 else None
        return _registered(since, category, report)
