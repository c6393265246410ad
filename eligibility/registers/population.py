"""The population register (Navet): household members, address, municipality of registration
(folkbokföringskommun, `details["municipality_code"]`), protected identity."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

from eligibility.registers.base import Extract, PersonRecord
from eligibility.registers.simulation import (
    PNR_ALVA,
    PNR_BILAL,
    PNR_CARINA,
    PNR_CHILD,
    FakeRegister,
    age_on,
    make_personnummer,
    rng_for,
)

SOURCE = "population"
LABEL = "Folkbokföringen (Navet)"

TRELLEBORG = "1287"
# personnummer -> household as the population register knows it (the demo people, all registered
# in Trelleborg). Generated people are registered where they apply.
POPULATION: dict[str, dict[str, Any]] = {
    PNR_ALVA: {"address": "Testgatan 1, 231 42 Trelleborg", "household": []},
    PNR_BILAL: {
        "address": "Provvägen 7, 231 44 Trelleborg",
        "household": [
            (PNR_CARINA, "Carina Dahl", "partner"),
            (PNR_CHILD, "Testa Berg", "child"),
        ],
    },
    PNR_CARINA: {
        "address": "Provvägen 7, 231 44 Trelleborg",
        "household": [
            (PNR_BILAL, "Bilal Berg", "partner"),
            (PNR_CHILD, "Testa Berg", "child"),
        ],
    },
    PNR_CHILD: {
        "address": "Provvägen 7, 231 44 Trelleborg",
        "household": [
            (PNR_BILAL, "Bilal Berg", "parent"),
            (PNR_CARINA, "Carina Dahl", "parent"),
        ],
    },
}
STREETS = (
    "Exempelgatan",
    "Provvägen",
    "Testgatan",
    "Demostigen",
    "Fiktivgatan",
    "Påhittade vägen",
)
FIRST_NAMES = ("Sara", "Ali", "Emma", "Omar", "Maja", "Leo", "Noor", "Elias", "Wilma", "Adam")
LAST_NAMES = ("Exempelsson", "Provsson", "Testberg", "Demodotter", "Fiktivén")


def _generated(personnummer: str, as_of: date) -> dict[str, Any]:
    rng = rng_for(SOURCE, personnummer)
    protected = rng.random() < 0.01
    address = (
        ""  # skyddad folkbokföring: Navet gives no address
        if protected
        else f"{rng.choice(STREETS)} {rng.randint(1, 60)}, 231 {rng.randint(31, 66)} Trelleborg"
    )
    household: list[tuple[str, str, str]] = []
    last_name = rng.choice(LAST_NAMES)
    own_age = age_on(personnummer, as_of) or 35
    if own_age >= 18 and rng.random() < 0.35:
        born = as_of - timedelta(days=365 * max(18, own_age + rng.randint(-6, 6)) + 100)
        household.append(
            (make_personnummer(born, rng), f"{rng.choice(FIRST_NAMES)} {last_name}", "partner")
        )
    if own_age >= 20:
        for _ in range(rng.choices([0, 1, 2, 3], weights=[50, 22, 20, 8])[0]):
            child_age = rng.randint(0, min(17, own_age - 18))
            born = as_of - timedelta(days=365 * child_age + rng.randint(1, 300))
            household.append(
                (make_personnummer(born, rng), f"{rng.choice(FIRST_NAMES)} {last_name}", "child")
            )
    return {"address": address, "household": household, "protected_identity": protected}


class FakePopulationRegister(FakeRegister):
    source = SOURCE
    label = LABEL

    def fetch(self, personnummer: str, *, as_of: date, purpose: Any) -> Extract:
        extract = super().fetch(personnummer, as_of=as_of, purpose=purpose)
        if not extract.found:
            return extract
        known = personnummer in POPULATION
        code = TRELLEBORG if known else getattr(purpose, "municipality_code", "") or TRELLEBORG
        return dataclasses.replace(extract, details={**extract.details, "municipality_code": code})

    def answer(self, personnummer: str, *, as_of: date) -> Extract:
        record = POPULATION.get(personnummer) or _generated(personnummer, as_of)
        household = tuple(
            PersonRecord(pnr, name, relation, age_on(pnr, as_of))
            for pnr, name, relation in record["household"]
        )
        return Extract(
            source=SOURCE,
            personnummer=personnummer,
            as_of=as_of,
            household=household,
            address=str(record["address"]),
            protected_identity=bool(record.get("protected_identity", False)),
            details={"age": age_on(personnummer, as_of)},
        )
