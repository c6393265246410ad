"""Migrationsverket: residence status and how long a permit is valid."""

from __future__ import annotations

from datetime import date, timedelta

from eligibility.registers.base import Extract
from eligibility.registers.simulation import DEMO_PEOPLE, FakeRegister, rng_for

SOURCE = "migrationsverket"
LABEL = "Migrationsverket"
STATUSES = ("citizen", "permanent", "temporary", "none")


class FakeMigrationsverketRegister(FakeRegister):
    source = SOURCE
    label = LABEL

    def answer(self, personnummer: str, *, as_of: date) -> Extract:
        status, valid_until = "citizen", None
        if personnummer not in DEMO_PEOPLE:
            rng = rng_for(SOURCE, personnummer)
            status = rng.choices(STATUSES, weights=[80, 10, 8, 2])[0]
            if status == "temporary":
                valid_until = (as_of + timedelta(days=rng.randint(-20, 720))).isoformat()
        details = {"residence_status": status, "permit_valid_until": valid_until}
        return Extract(source=SOURCE, personnummer=personnummer, as_of=as_of, details=details)
