"""Standing decisions (#4): a caseworker approves for several months; each month's renewal is
created and submitted by beat, the robot re-checks the registers, and if nothing changed the
month is approved under the standing decision, in the robot's transaction, in the caseworker's
name. Otherwise the case waits for a caseworker.

`month_approve_if_unchanged` subscribes to the robot's `proposal_stored` (caseworker.apps): the
robot calls no decision code.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from caseworker.decisions.households import household_approval_blocker
from caseworker.decisions.services import decision_signed
from eligibility.robot.events import ProposalStored
from intake.models import Application, Decision, DecisionOutcome
from intake.services import (
    ApplicationIncomplete,
    application_renew,
    application_submit_for_standing_decision,
    application_transition,
)
from intake.states import Actor, Status


@transaction.atomic
def application_approve_under_standing_decision(
    *, application: Application, amount: Decimal
) -> Decision:
    """Approve the month under the caseworker's standing decision (nothing changed).

    The decision stays the caseworker's: it names them and the standing decision it follows.
    """
    standing = application.standing_decision
    if standing is None or not standing.covers(application.month):
        raise ApplicationIncomplete("No standing decision covers this month.")
    proposal = application.proposals.order_by("-round").first()
    application_transition(
        application=application,
        to=Status.APPROVED,
        actor_kind=Actor.SYSTEM,
        reason=f"Beviljas enligt stående beslut från {standing.decided_at:%Y-%m-%d}",
    )
    return Decision.objects.create(
        application=application,
        outcome=DecisionOutcome.APPROVED,
        amount=amount,
        reason=(
            f"Beviljas enligt stående beslut av {standing.decided_by_label} "
            f"({standing.decided_at:%Y-%m-%d}). Registren har kontrollerats för månaden och "
            "inget har ändrats."
        ),
        decided_by=standing.decided_by,
        under_standing_decision=standing,
        track=standing.track,
        lines=[dict(line) for line in proposal.lines] if proposal is not None else [],
    )


def month_approve_if_unchanged(stored: ProposalStored) -> None:
    """Subscriber of the robot's `proposal_stored`, inside its transaction."""
    application, proposal = stored.application, stored.proposal
    if not application.standing_decision_id or not proposal.approvable or proposal.sampled:
        return
    if household_approval_blocker(application):
        return  # maybe one household with another case: a caseworker resolves it (#16 item 3)
    decision = application_approve_under_standing_decision(
        application=application, amount=proposal.amount
    )
    decision_signed(decision)


def standing_decision_renewals_create(*, month: date) -> list[Application]:
    """For every standing decision that covers `month`, create and submit the month's renewal.

    Safe to run twice (the month's application exists the second time). The robot then
    re-checks the registers; if nothing changed the month is approved under the standing
    decision, otherwise the case goes to a caseworker.
    """
    month = month.replace(day=1)
    created: list[Application] = []
    standing = (
        Decision.objects.filter(months__gt=1, outcome=DecisionOutcome.APPROVED)
        .filter(application__month__lt=month)
        .select_related("application", "application__municipality")
    )
    for decision in standing:
        if not decision.covers(month):
            continue
        household_has_month = (
            Application.objects.filter(applicant_id=decision.application.applicant_id, month=month)
            .exclude(status=Status.WITHDRAWN)
            .exclude(kind="supplementary")
        )
        if household_has_month.exists():
            continue
        latest = (
            Application.objects.filter(
                applicant_id=decision.application.applicant_id,
                month__lt=month,
                status=Status.APPROVED,
            )
            .exclude(kind="supplementary")
            .order_by("-month")
            .first()
        )
        with transaction.atomic():
            renewal = application_renew(
                previous=latest or decision.application, month=month, standing_decision=decision
            )
            application_submit_for_standing_decision(application=renewal)
        created.append(renewal)
    return created
