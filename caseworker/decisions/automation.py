"""Automated decisions (FL 28 §; KL 6 kap. delegation), off by default.

Only when the municipality has enabled them under a recorded delegation decision, and only for a
renewal (återansökan) that the robot found approvable, that was not drawn for stickprov and that
has no warning a person has not closed. Everything else waits for a caseworker, as before.
"""

from __future__ import annotations

from django.db import transaction

from caseworker.audit.log import journal_write
from caseworker.decisions.households import household_approval_blocker
from caseworker.decisions.services import DecisionInvalid, decision_record
from caseworker.letters.reasons import reason_template_get, reason_values
from caseworker.models.audit import JournalCategory
from caseworker.wording import reason_render
from eligibility.models import CaseWarning, Proposal, WarningStatus
from intake.models import Application, ApplicationKind, Decision, DecisionOutcome
from intake.services import ConcurrentTransition
from intake.states import Status, TransitionNotAllowed

AUTOMATED_FUNCTION = "Bistånd robot"
# Bump when the decision logic here or the engine's rules change in a way the parameters do not
# show; the letter and the decision record carry it next to the parameter version.
ENGINE_VERSION = "1"


def automation_blockers(*, application: Application, proposal: Proposal | None) -> list[str]:
    """Why this case may not be decided automatically (empty: it may). Read-only."""
    municipality = application.municipality
    blockers: list[str] = []
    if not municipality.automated_decisions_enabled:
        blockers.append("automation_off")
    elif not municipality.automation_delegation_reference.strip():
        blockers.append("no_delegation")
    if application.kind != ApplicationKind.RENEWAL:
        blockers.append("not_renewal")
    if application.standing_decision_id:
        blockers.append("standing_decision")  # handled by the caseworker's standing decision
    if application.status != Status.AWAITING_CASEWORKER:
        blockers.append("not_awaiting_caseworker")
    if proposal is None:
        blockers.append("no_proposal")
    else:
        if not proposal.approvable:
            blockers.append("not_approvable")
        if proposal.sampled:
            blockers.append("sampled")
        if not proposal.eligible or proposal.amount <= 0:
            blockers.append("nothing_to_approve")
        if proposal.amount > municipality.second_approval_limit:
            blockers.append("over_second_approval_limit")  # four eyes: a person decides
    if (
        CaseWarning.objects.filter(application=application)
        .exclude(status=WarningStatus.CLOSED)
        .exists()
    ):
        blockers.append("open_warnings")
    if household_approval_blocker(application):
        blockers.append("household_link")  # maybe one household with another case (#16 item 3)
    return blockers


def automated_decision_try(*, application: Application) -> Decision | None:
    """Decide the case automatically if every condition holds; otherwise None (a caseworker
    decides). Safe to call twice and concurrently: the compare-and-set transition lets one
    caller through."""
    application = Application.objects.select_related("municipality", "applicant").get(
        pk=application.pk
    )
    proposal = Proposal.objects.filter(
        application=application, round=application.robot_round
    ).first()
    if automation_blockers(application=application, proposal=proposal):
        return None
    assert proposal is not None  # noqa: S101 (automation_blockers refuses a missing proposal)
    municipality = application.municipality
    template = reason_template_get(municipality=municipality, code="approved_automated")
    values = reason_values(
        application=application, proposal=proposal, amount=proposal.amount, lines=proposal.lines
    )
    if template is not None:
        reason = reason_render(template.text, values).text
        provisions = list(template.provisions)
    else:
        reason = (
            f"Du beviljas {values['belopp']} i försörjningsstöd för {values['månad']} enligt "
            "riksnormen. Beslutet har fattats automatiserat."
        )
        provisions = ["Förvaltningslagen (2017:900) 28 § (automatiserat beslut)"]
    decisive_facts = [
        f"Behov enligt riksnormen: {values.get('norm', '–')}",
        f"Boendekostnad: {values['hyra']}",
        f"Hushållets inkomster: {values.get('inkomst', '–')}",
        "Återansökan utan ändrade uppgifter i ansökan eller register och utan varningar",
    ]
    try:
        with transaction.atomic():
            # The one writer of decisions: the transition (Actor.SYSTEM), the decision naming
            # the function, its rule version and delegation, and the letter and payment hooks.
            decision = decision_record(
                application=application,
                caseworker=None,
                outcome=DecisionOutcome.APPROVED,
                reason=reason,
                amount=proposal.amount,
                provisions=provisions,
                decisive_facts=decisive_facts,
                automated_function=AUTOMATED_FUNCTION,
                rule_version=f"{proposal.parameter_version} / motor {ENGINE_VERSION}"[:60],
                delegation_reference=municipality.automation_delegation_reference,
            )
            journal_write(
                category=JournalCategory.DECISION,
                application=application,
                text=(
                    f"Automatiserat beslut: beviljat {values['belopp']} för {values['månad']} "
                    f"({AUTOMATED_FUNCTION}, regelversion {decision.rule_version}, "
                    f"delegationsbeslut {decision.delegation_reference})."
                ),
                author=None,
            )
    except (ConcurrentTransition, TransitionNotAllowed, DecisionInvalid):
        return None
    return decision


def case_ready(application: Application) -> None:
    """Subscriber of the robot's `proposal_ready` (after its transaction): where the municipality
    has delegated it, an approvable renewal may be decided by the automated function."""
    delegated = application.municipality.automated_decisions_enabled
    if delegated and not application.standing_decision_id:
        automated_decision_try(application=application)
