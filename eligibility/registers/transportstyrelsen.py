"""Transportstyrelsen: vehicles owned (an asset check)."""

from __future__ import annotations

from datetime import date
from typing import Any

from eligibility.registers.base import Extract
from eligibility.registers.simulation import DEMO_PEOPLE, FakeRegister, kronor, rng_for

SOURCE = "transportstyrelsen"
LABEL = "Transportstyrelsen"
MAKES = (
    ("Volvo", 320000),
    ("Volkswagen", 280000),
    ("Toyota", 260000),
    ("Kia", 240000),
    ("Skoda", 250000),
    ("Ford", 230000),
    ("Tesla", 450000),
)
# Letters used on Swedish plates (no I, Q, V, Å, Ä, Ö).
PLATE_LETTERS = "ABCDEFGHJKLMNOPRSTUWXYZ"


def plate(rng: Any) -> str:
    letters = "".join(rng.choice(PLATE_LETTERS) for _ in range(3))
    last = rng.choice("0123456789" + PLATE_LETTERS)
    return f"{letters} {rng.randint(0, 99):02d}{last}"


class FakeTransportstyrelsenRegister(FakeRegister):
    source = SOURCE
    label = LABEL

    def answer(self, personnummer: str, *, as_of: date) -> Extract:
        vehicles: list[dict[str, Any]] = []
        if personnummer not in DEMO_PEOPLE:
            rng = rng_for(SOURCE, personnummer)
            count = rng.choices([0, 1, 2], weights=[55, 38, 7])[0]
            for _ in range(count):
                make, new_price = rng.choice(MAKES)
                model_year = rng.randint(2004, as_of.year - 1)
                age = as_of.year - model_year
                value = max(5000, new_price * 0.85**age)
                vehicles.append(
                    {
                        "registration": plate(rng),
                        "make": make,
                        "model_year": model_year,
                        "estimated_value": str(kronor(round(value, -3))),
                    }
                )
        return Extract(
            source=SOURCE,
            personnummer=personnummer,
            as_of=as_of,
            details={"vehicles": vehicles},
        )
