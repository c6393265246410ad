"""Prefill an applicant's household from the population register (Navet).

This is the second allowed hand-over between intake and eligibility (docs/adr/0003): the
applicant's form calls this one function, at call time, to propose the household. Nothing is
stored here; intake decides what to keep and the applicant confirms or changes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from .registers import configured_registers
from .registers.base import RegisterError, RequestPurpose

logger = logging.getLogger(__name__)

PREFILL_PURPOSE = "ekonomiskt bistånd: förifyllning av hushåll i ansökan"


@dataclass(frozen=True)
class RegisteredMember:
    role: str  # "partner" or "child" (intake.models.MemberRole values)
    name: str
    personnummer: str


def household_from_population_register(
    personnummer: str, month: date, *, municipality_code: str, case_reference: str
) -> list[RegisteredMember] | None:
    """The partner and children registered with the person, or None when the register could
    not answer (the applicant then fills in the household by hand)."""
    register = configured_registers()["population"]
    purpose = RequestPurpose(
        municipality_code=municipality_code,
        case_reference=case_reference,
        requested_by="applicant",
        purpose=PREFILL_PURPOSE,
    )
    try:
        extract = register.fetch(personnummer, as_of=month, purpose=purpose)
    except RegisterError as exc:
        logger.warning("household prefill unavailable for %s: %s", case_reference, exc)
        return None
    if not extract.found:
        return None
    return [
        RegisteredMember(role=person.relation, name=person.name, personnummer=person.personnummer)
        for person in extract.household
        if person.relation in ("partner", "child")
    ]
