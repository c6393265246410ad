"""What the robot announces (kernel.events, ADR 0012). The robot calls no decision code: a
stored proposal is announced, and caseworker decides what follows (a standing decision's month,
an automated decision under delegation) in its subscribers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kernel.events import Topic

if TYPE_CHECKING:
    from eligibility.models import HouseholdLink, Proposal
    from intake.models import Application


@dataclass(frozen=True)
class ProposalStored:
    application: Application
    proposal: Proposal


@dataclass(frozen=True)
class HouseholdLinked:
    link: HouseholdLink
    reference: str  # the application the robot was working on
    other_reference: str  # the month's other application it shares a person with


# Inside the robot's transaction, once the proposal, warnings and status are written (a month
# under a standing decision is decided here, in the same transaction).
proposal_stored: Topic[ProposalStored, None] = Topic("eligibility.proposal_stored")
# After the robot's transaction (one application, or each of a batch): the case is waiting for
# a caseworker with its proposal (an automated decision may take it, where delegated).
proposal_ready: Topic[Application, None] = Topic("eligibility.proposal_ready")
# Inside the robot's transaction: two applications of the month were linked as possibly one
# household (#16 item 3); the journal of both cases records it.
household_linked: Topic[HouseholdLinked, None] = Topic("eligibility.household_linked")
