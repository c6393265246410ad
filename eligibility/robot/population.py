"""What others ask of the population register (Navet) through the robot's register adapters.

- intake proposes the household (`intake.events.registered_household`): the partner and children
  registered with the applicant. Nothing is stored here; the applicant confirms or changes it.
- notifications needs the address for a letter at send time (`notifications.events.postal_address`);
  it is never stored.

Both are answered here, subscribed in eligibility.apps; neither app imports this one.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.utils import timezone

from eligibility.registers import configured_registers
from eligibility.registers.base import RegisterError, RequestPurpose, previous_month
from intake.events import HouseholdQuery, IncomeQuery, RegisteredMember, ResidenceQuery
from notifications.events import AddressQuery, PostalAddress

logger = logging.getLogger(__name__)

PREFILL_PURPOSE = "ekonomiskt bistånd: förifyllning av hushåll i ansökan"


def registered_household(query: HouseholdQuery) -> list[RegisteredMember] | None:
    """The partner and children registered with the person, or None when the register could
    not answer (the applicant then fills in the household by hand)."""
    register = configured_registers()["population"]
    purpose = RequestPurpose(
        municipality_code=query.municipality_code,
        case_reference=query.case_reference,
        requested_by="applicant",
        purpose=PREFILL_PURPOSE,
    )
    case_reference = query.case_reference
    try:
        extract = register.fetch(query.personnummer, as_of=query.month, purpose=purpose)
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


RESIDENCE_PURPOSE = "ekonomiskt bistånd: vilken kommun ansökan ska till (folkbokföringskommun)"


def registered_municipality(query: ResidenceQuery) -> str | None:
    """The code of the municipality where the person is registered (folkbokföringskommun), or
    None when the register could not answer (the applicant then chooses)."""
    register = configured_registers()["population"]
    purpose = RequestPurpose(
        municipality_code="",  # not chosen yet: this look-up is how it is chosen
        case_reference="",
        requested_by="applicant",
        purpose=RESIDENCE_PURPOSE,
    )
    try:
        extract = register.fetch(query.personnummer, as_of=query.month, purpose=purpose)
    except RegisterError as exc:
        logger.warning("registered municipality unavailable: %s", exc)
        return None
    if not extract.found:
        return None
    return str(extract.details.get("municipality_code") or "") or None


def postal_address(query: AddressQuery) -> PostalAddress:
    """The registered address now, for a letter; none for skyddade personuppgifter."""
    register = configured_registers()["population"]
    extract = register.fetch(
        query.personnummer,
        as_of=timezone.localdate(),
        purpose=RequestPurpose(
            municipality_code=query.municipality_code,
            case_reference=query.reference,
            requested_by="notifications",
            purpose="ekonomiskt bistånd: brev till folkbokföringsadressen",
        ),
    )
    return PostalAddress(
        address="" if extract.protected_identity else extract.address,
        protected=extract.protected_identity,
    )


INCOME_PURPOSE = "ekonomiskt bistånd: förifyllning av inkomster i ansökan"
# Försäkringskassan's kinds that the application asks as one income type.
INCOME_TYPE_OF = {
    "large_family_supplement": "child_allowance",  # flerbarnstillägg is part of barnbidraget
    "activity_compensation": "sickness_benefit",  # aktivitetsersättning
    "sickness_compensation": "sickness_benefit",  # sjukersättning
}


def registered_incomes(query: IncomeQuery) -> dict[str, Decimal] | None:
    """What Försäkringskassan (with Pensionsmyndigheten) paid the household's adults in the
    month before the one applied for, net, by the application's income types; None when the
    register could not answer (the applicant then types the amounts)."""
    register = configured_registers()["forsakringskassan"]
    purpose = RequestPurpose(
        municipality_code=query.municipality_code,
        case_reference=query.case_reference,
        requested_by="applicant",
        purpose=INCOME_PURPOSE,
    )
    paid_in = previous_month(query.month)
    totals: dict[str, Decimal] = {}
    for personnummer in query.personnummers:
        try:
            extract = register.fetch(personnummer, as_of=query.month, purpose=purpose)
        except RegisterError as exc:
            logger.warning("income prefill unavailable for %s: %s", query.case_reference, exc)
            return None
        for payment in extract.payments:
            if payment.paid_on.replace(day=1) != paid_in:
                continue
            kind = INCOME_TYPE_OF.get(payment.kind, payment.kind)
            totals[kind] = totals.get(kind, Decimal(0)) + payment.net
    return totals
