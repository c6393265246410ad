"""The caseworker's decisions and actions on a case. The robot proposes; the caseworker decides
and signs. Every write is one atomic, verb-named function; status changes go through
`intake.services.application_transition`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import Role, User
from caseworker.audit.log import journal_write
from caseworker.caseload.referrals import ReferralOpen, referral_close_guard
from caseworker.decisions import events
from caseworker.decisions.calculation import (
    CaseCalculation,
    adjustable_codes,
    case_calculation_load,
    has_children,
    register_comparison,
    unseen_register_facts,
    version_amount,
)
from caseworker.decisions.households import household_approval_blocker
from caseworker.letters.reasons import decision_provisions
from caseworker.letters.refusals import costs_cut, latest_adjustments
from caseworker.models import (
    ChildImpactAssessment,
    Communication,
    CommunicationException,
    CommunicationWaiver,
    DecisionDraft,
    DraftStatus,
    LineAdjustment,
    Section,
    SectionApproval,
)
from caseworker.models.audit import JournalCategory
from caseworker.wording import kronor, month_label
from eligibility.models import CaseWarning, WarningStatus
from eligibility.robot.warnings import warning_acknowledge
from intake.models import Application, Decision, DecisionOutcome, DecisionTrack, Track
from intake.services import ConcurrentTransition, application_transition, hand_over_to_robot
from intake.states import Actor, Status, check_transition


class DecisionInvalid(Exception):
    pass


class SecondApprovalRequired(DecisionInvalid):
    pass


class CalculationChanged(DecisionInvalid):
    """The calculation is not the one the caseworker saw: nothing is decided."""

    def __init__(self, *, seen: Decimal | None, now: Decimal) -> None:
        self.seen, self.now = seen, now
        whole = now.quantize(Decimal(1))
        if seen is None or seen.quantize(Decimal(1)) == whole:
            text = (
                f"Beräkningen har ändrats sedan sidan öppnades (beloppet är {whole} kr). "
                "Kontrollera beräkningen och fatta beslutet igen."
            )
        else:
            text = (
                f"Beloppet har ändrats från {seen.quantize(Decimal(1))} kr till {whole} kr "
                "sedan sidan öppnades. Kontrollera beräkningen och fatta beslutet igen."
            )
        super().__init__(text)


class OpenWarnings(DecisionInvalid):
    """A robot warning is still open: a caseworker must acknowledge it with a note first."""


class SectionLocked(Exception):
    pass


class ActionNotAllowed(Exception):
    pass


def section_locked(application: Application, section: str) -> bool:
    return SectionApproval.objects.filter(application=application, section=section).exists()


def second_approval_reason(
    *, application: Application, caseworker: User | None, outcome: str, amount: Decimal | None
) -> str:
    """Why a second caseworker must approve (empty when not needed)."""
    if caseworker is None:
        return ""
    if caseworker.in_introduction:
        return "Handläggaren är under introduktion."
    limit = application.municipality.second_approval_limit
    if outcome == DecisionOutcome.APPROVED and amount is not None and amount > limit:
        return f"Beloppet är över attestgränsen {limit.quantize(Decimal(1))} kr."
    return ""


def open_communication(application: Application, today: date | None = None) -> Communication | None:
    """A communication still waiting for the applicant's reply before its deadline."""
    today = today or timezone.localdate()
    return (
        Communication.objects.filter(
            application=application, replied_at__isnull=True, reply_by__gte=today
        )
        .order_by("-sent_at")
        .first()
    )


def communication_needed(application: Application, *, with_members: bool = True) -> list[str]:
    """Register facts the applicant has not seen that are not yet communicated (without
    `with_members`: only the register income the calculation counts)."""
    snapshots = list(application.register_snapshots.filter(round=application.robot_round))
    members = list(application.members.all())
    facts = unseen_register_facts(
        register_comparison(
            application=application,
            members=members,
            incomes=list(application.incomes.all()),
            snapshots=snapshots,
        ),
        members=with_members,
    )
    if not facts:
        return []
    communicated: set[str] = set()
    for communication in Communication.objects.filter(application=application):
        communicated.update(communication.facts)
    return [fact for fact in facts if fact not in communicated]


def communication_exception_check(*, exception: str, note: str) -> None:
    """An exception from kommunicering is one of the law's grounds (a fixed list), never a
    decision going against the applicant "not being adverse", and always has a note."""
    if exception not in CommunicationException.values:
        raise DecisionInvalid(
            "Beslutet går den sökande emot och bygger på registeruppgifter som den sökande inte "
            "har sett: kommunicera uppgifterna först, eller välj ett av lagens undantag "
            "(FL 25 § andra stycket) och skriv varför."
        )
    if exception == CommunicationException.NOT_ADVERSE:
        raise DecisionInvalid(
            "Ett avslag eller delvis avslag går den sökande emot: välj ett annat undantag eller "
            "kommunicera uppgifterna."
        )
    if not note.strip():
        raise DecisionInvalid("Skriv varför undantaget från kommunicering gäller i ärendet.")


def _adverse_decision_gates(
    application: Application,
    outcome: str,
    partly: bool,
    communication_exception: str = "",
    communication_note: str = "",
) -> list[str]:
    """Refuse a decision the law does not allow yet. Returns the uncommunicated register facts
    an adverse decision passes on one of the law's exceptions (empty otherwise)."""
    if open_communication(application) is not None:
        raise DecisionInvalid(
            "Kommuniceringen är öppen: beslut kan fattas när den sökande har svarat eller "
            "tiden för svar har gått ut."
        )
    adverse = outcome == DecisionOutcome.REJECTED or partly
    if not adverse:
        return []
    if (
        has_children(application.members.all())
        and not ChildImpactAssessment.objects.filter(application=application).exists()
    ):
        raise DecisionInvalid(
            "Hushållet har barn: skriv en barnkonsekvensanalys innan avslag eller delvis avslag."
        )
    facts = communication_needed(application)
    if facts:
        communication_exception_check(exception=communication_exception, note=communication_note)
    return facts


def open_warnings(application: Application) -> list[CaseWarning]:
    return list(
        CaseWarning.objects.filter(application=application, status=WarningStatus.OPEN).order_by(
            "created_at", "pk"
        )
    )


def _open_warnings_gate(application: Application) -> None:
    """Every robot warning open at decision time must have been acknowledged with a note (or
    closed by a changed calculation) before any decision is recorded."""
    still_open = open_warnings(application)
    if still_open:
        kinds = "; ".join(dict.fromkeys(w.get_kind_display() for w in still_open))
        raise OpenWarnings(
            ngettext(
                "%(n)s varning är öppen (%(kinds)s): kvittera den med en kommentar innan beslutet.",
                "%(n)s varningar är öppna (%(kinds)s): kvittera varje varning med en kommentar "
                "innan beslutet.",
                len(still_open),
            )
            % {"n": len(still_open), "kinds": kinds}
        )


@dataclass(frozen=True)
class DecidedAmount:
    amount: Decimal
    partly: bool
    lines: list[dict[str, str]]


def decided_amount(
    *,
    application: Application,
    outcome: str,
    partly: bool = False,
    amount: Decimal | None = None,
    calculation_seen: str = "",
) -> DecidedAmount:
    """The amount of a caseworker's decision, computed here from the stored calculation and the
    recorded line adjustments (never taken from a form). `amount` and `calculation_seen` are
    what the caseworker saw: when either differs from the calculation now, nothing is decided
    (`CalculationChanged`). An approval below the robot's proposal is a partial refusal."""
    calculation: CaseCalculation = case_calculation_load(application)
    now = calculation.caseworker_amount
    if calculation_seen and calculation_seen != calculation.version:
        raise CalculationChanged(seen=version_amount(calculation_seen), now=now)
    lines = [dict(line) for line in calculation.lines]
    if outcome != DecisionOutcome.APPROVED:
        return DecidedAmount(amount=Decimal(0), partly=False, lines=lines)
    if amount is not None and Decimal(amount).quantize(Decimal(1)) != now.quantize(Decimal(1)):
        raise CalculationChanged(seen=Decimal(amount), now=now)
    robot = calculation.robot_amount
    below = robot is not None and now < robot
    # Less than was applied for is a partial refusal, whoever noticed it (#16, stranger run): a
    # declared cost granted with less (the housing cap, an adjustment) or register income the
    # applicant did not declare and has not seen. Then the adverse-decision gates apply
    # (kommunicering, child impact) and the case page and the letter say the same.
    cut = costs_cut(
        application=application, lines=lines, adjustments=latest_adjustments(application.pk)
    )
    unseen = bool(communication_needed(application, with_members=False))
    return DecidedAmount(amount=now, partly=partly or below or bool(cut) or unseen, lines=lines)


# How many earlier months of a case are searched for its track: three years.
TRACK_LOOKBACK_MONTHS = 36


def inherited_track(application: Application) -> str:
    """The track the case already has: the application's own, else the one recorded by the
    latest decision (or set) on an earlier month of the same case (`previous`), at most
    `TRACK_LOOKBACK_MONTHS` months back.

    One query however long the history (#20 f; it was two per month walked): the applicant's
    applications of those months with each one's first decision's track, walked along
    `previous` in memory. It runs for a new case too, so every case page costs the same. A
    link out of the window (renewals months apart) is followed one row at a time."""
    if application.track:
        return application.track
    decision_track = (
        Decision.objects.filter(application=OuterRef("pk")).order_by("pk").values("track")[:1]
    )
    year, index = divmod(
        application.month.year * 12 + application.month.month - 1 - TRACK_LOOKBACK_MONTHS, 12
    )
    rows = (
        Application.objects.annotate(decision_track=Subquery(decision_track))
        .order_by()
        .values_list("pk", "previous_id", "track", "decision_track")
    )
    window = {
        pk: (previous_id, track, decided)
        for pk, previous_id, track, decided in rows.filter(
            applicant_id=application.applicant_id,
            month__gte=date(year, index + 1, 1),
            month__lte=application.month,
        )
    }
    earlier_id, seen = application.previous_id, 0
    while earlier_id is not None and seen < TRACK_LOOKBACK_MONTHS:
        row = window.get(earlier_id)
        if row is None:
            found = rows.filter(pk=earlier_id).first()
            if found is None:
                break
            row = found[1:]
        earlier_id, track, decided = row
        if decided:
            return str(decided)
        if track:
            return str(track)
        seen += 1
    return ""


def decision_track_check(*, application: Application, track: str, reason: str) -> tuple[str, str]:
    """The track a caseworker's decision records: the one chosen, else the case's own. The
    first decision of a case must choose (work, social, both, or none with a reason)."""
    track = track or inherited_track(application)
    if not track:
        raise DecisionInvalid(
            "Välj spår för ärendet (arbete, socialt, båda eller inget spår med skäl) innan "
            "det första beslutet."
        )
    if track not in DecisionTrack.values:
        raise DecisionInvalid(f"Okänt spår: {track}")
    reason = reason.strip()
    if track == DecisionTrack.NONE and not reason:
        raise DecisionInvalid("Skriv varför ärendet inte har något spår.")
    return track, reason if track == DecisionTrack.NONE else ""


def decision_signed(decision: Decision) -> None:
    """Inside the decision's transaction: announce it. The letter, the payment order and the
    applicant's notice subscribe (caseworker.decisions.events)."""
    events.decision_signed.publish(decision)


def _section_approve(application: Application, section: str, by: User) -> None:
    SectionApproval.objects.get_or_create(
        application=application, section=section, defaults={"approved_by": by}
    )


def decision_journal_text(decision: Decision, *, second_approver: User | None = None) -> str:
    """The decision as one journal line: outcome, amount, month, by whom (#18: decisions are
    journalled automatically, like every other action on the case)."""
    month = month_label(decision.application.month)
    if decision.outcome == DecisionOutcome.APPROVED:
        what = f"Beviljat {kronor(decision.amount)} för {month}"
        if decision.partly:
            what += " (delvis avslag)"
        if decision.months > 1:
            what += f", stående beslut i {decision.months} månader"
    else:
        what = f"Avslag för {month}"
    if decision.decided_by is None:
        who = "automatiserat beslut"
    else:
        who = f"beslutat av {decision.decided_by.display_name()}"
        if second_approver is not None and second_approver.pk != decision.decided_by_id:
            who += f", attesterat av {second_approver.display_name()}"
    return f"Beslut: {what}, {who}. Motivering: {decision.reason}"


@transaction.atomic
def decision_record(
    *,
    application: Application,
    caseworker: User | None,
    outcome: str,
    reason: str,
    amount: Decimal | None = None,
    months: int = 1,
    partly: bool = False,
    provisions: Sequence[str] = (),
    decisive_facts: Sequence[str] = (),
    second_approver: User | None = None,
    automated_function: str = "",
    rule_version: str = "",
    delegation_reference: str = "",
    communication_exception: str = "",
    communication_note: str = "",
    calculation_seen: str = "",
    track: str = "",
    track_reason: str = "",
    reason_template: str = "",
) -> Decision:
    """Record and sign the decision. `months` > 1 makes an approval a standing decision:
    each following month the robot re-checks the registers and the month is approved under it
    unless something changed, in which case the case comes back to a caseworker.

    `partly`: approved but less than applied for or proposed (a partial rejection). Refused while
    a communication is open, for an adverse decision resting on uncommunicated register facts,
    and for an adverse decision on a household with children without a child-impact assessment.
    A caseworker in introduction, or an amount over the municipality's limit, needs a second
    caseworker (`decision_submit` routes there; `second_approver` is that person). Without a
    caseworker the decision is the automated function's and names its delegation.

    A caseworker's amount is computed here from the stored calculation and the recorded line
    adjustments (`decided_amount`); `amount` and `calculation_seen` only say what the caseworker
    saw, and a difference refuses the decision (`CalculationChanged`). Refused while a robot
    warning is open (`OpenWarnings`).

    `communication_exception` (a `CommunicationException`) and `communication_note`: an adverse
    decision resting on register facts the applicant has not seen passes without kommunicering
    only on one of the law's exceptions with a note; it is recorded, journalled and counted.

    `track` (a `DecisionTrack`): the case's first decision by a caseworker records the track
    (none needs `track_reason`); later months carry the case's track on. An automated decision
    records the case's track when it has one.
    """
    reason = (reason or "").strip()
    locked = (
        Application.objects.select_for_update()
        .filter(pk=application.pk)
        .values_list("status", flat=True)
        .first()
    )
    if locked != application.status:
        raise ConcurrentTransition(f"{application.reference} is no longer {application.status}")
    limit = application.municipality.standing_decision_max_months
    if not 1 <= months <= limit:
        raise DecisionInvalid(f"Ett stående beslut kan gälla högst {limit} månader.")
    if months > 1 and outcome != DecisionOutcome.APPROVED:
        raise DecisionInvalid("Bara ett beviljande kan vara ett stående beslut.")
    if not reason:
        raise DecisionInvalid("Ett beslut måste motiveras.")
    if outcome == DecisionOutcome.APPROVED and (linked := household_approval_blocker(application)):
        raise DecisionInvalid(linked)  # two applications, maybe one household (#16 item 3)
    if outcome not in DecisionOutcome.values:
        raise DecisionInvalid(f"Okänt beslut: {outcome}")
    _open_warnings_gate(application)
    lines: list[dict[str, str]] = []
    if caseworker is not None:
        decided = decided_amount(
            application=application,
            outcome=outcome,
            partly=partly,
            amount=amount,
            calculation_seen=calculation_seen,
        )
        amount, partly, lines = decided.amount, decided.partly, decided.lines
    else:
        proposal = application.proposals.order_by("-round").first()
        lines = [dict(line) for line in proposal.lines] if proposal else []
    if outcome == DecisionOutcome.APPROVED:
        if amount is None or amount <= 0:
            raise DecisionInvalid("Ett beviljande måste ha ett belopp större än noll.")
        target = Status.APPROVED
    elif outcome == DecisionOutcome.REJECTED:
        amount = Decimal(0)
        partly = False
        target = Status.REJECTED
    else:
        raise DecisionInvalid(f"Okänt beslut: {outcome}")
    actor_kind = Actor.CASEWORKER if caseworker is not None else Actor.SYSTEM
    check_transition(Status(application.status), target, actor_kind)
    try:
        # A case cannot close while a hand-off to the other track waits for an answer.
        referral_close_guard(application)
    except ReferralOpen as exc:
        raise DecisionInvalid(str(exc)) from exc
    if caseworker is None and not (automated_function and delegation_reference):
        raise DecisionInvalid("Ett automatiserat beslut ska ange funktion och delegationsbeslut.")
    if second_approver is not None:
        if caseworker is not None and second_approver.pk == caseworker.pk:
            raise DecisionInvalid("Samma person kan inte både fatta och attestera beslutet.")
    elif second_approval_reason(
        application=application, caseworker=caseworker, outcome=outcome, amount=amount
    ):
        raise SecondApprovalRequired("Beslutet måste attesteras av en andra handläggare.")
    if section_locked(application, Section.DECISION):
        raise DecisionInvalid("Beslutsdelen är redan godkänd och låst.")
    if caseworker is not None:
        track, track_reason = decision_track_check(
            application=application, track=track, reason=track_reason
        )
    else:
        track, track_reason = inherited_track(application), ""
    # FL 32 §: every decision states its provisions, from the chosen standard reason or the
    # default one for its type, plus any the caseworker added (#16 item 6).
    provisions = decision_provisions(
        municipality=application.municipality,
        outcome=outcome,
        partly=partly,
        months=months,
        template_code=reason_template,
        typed=provisions,
    )
    uncommunicated = _adverse_decision_gates(
        application, outcome, partly, communication_exception, communication_note
    )
    # The compare-and-set transition makes a double click or two caseworkers produce one decision.
    signer = second_approver or caseworker
    application_transition(
        application=application,
        to=target,
        actor_kind=actor_kind,
        actor=signer,
        reason=reason,
    )
    decision = Decision.objects.create(
        application=application,
        outcome=outcome,
        amount=amount,
        reason=reason,
        decided_by=caseworker,
        months=months,
        partly=partly,
        lines=lines,
        provisions=[p.strip() for p in provisions if p.strip()],
        decisive_facts=[f.strip() for f in decisive_facts if f.strip()],
        automated_function=automated_function,
        rule_version=rule_version,
        delegation_reference=delegation_reference,
        track=track,
        track_reason=track_reason,
    )
    if track in Track.values and application.track != track:
        Application.objects.filter(pk=application.pk).update(track=track)
        application.track = track
    journal_write(
        category=JournalCategory.DECISION,
        application=application,
        author=signer,
        text=decision_journal_text(decision, second_approver=second_approver),
    )
    if caseworker is not None:
        journal_write(
            category=JournalCategory.DECISION,
            application=application,
            author=caseworker,
            text=f"Spår i beslutet: {DecisionTrack(track).label}."
            + (f" {track_reason}" if track_reason else ""),
        )
    if signer is not None:
        _section_approve(application, Section.CALCULATION, caseworker or signer)
        if outcome == DecisionOutcome.APPROVED:
            _section_approve(application, Section.PAYMENT, signer)
        _section_approve(application, Section.DECISION, signer)
    if uncommunicated:
        waiver = CommunicationWaiver.objects.create(
            decision=decision,
            ground=communication_exception,
            note=communication_note.strip(),
            facts=uncommunicated,
            author=caseworker or signer,
        )
        journal_write(
            category=JournalCategory.COMMUNICATION,
            application=application,
            author=caseworker or signer,
            text=(
                "Beslutet fattades utan kommunicering av registeruppgifterna "
                f"({'; '.join(uncommunicated)}). Undantag: {waiver.get_ground_display()}. "
                f"{waiver.note}"
            ),
        )
    decision_signed(decision)
    return decision


@transaction.atomic
def decision_submit(
    *,
    application: Application,
    caseworker: User,
    outcome: str,
    reason: str,
    amount: Decimal | None = None,
    months: int = 1,
    partly: bool = False,
    provisions: Sequence[str] = (),
    decisive_facts: Sequence[str] = (),
    communication_exception: str = "",
    communication_note: str = "",
    calculation_seen: str = "",
    track: str = "",
    track_reason: str = "",
    reason_template: str = "",
) -> Decision | DecisionDraft:
    """The caseworker's "sign": the decision itself, or a draft for a second caseworker when
    the amount is over the limit or the caseworker is in introduction. The amount is the
    calculation's (`decided_amount`), for the draft too."""
    if outcome not in DecisionOutcome.values:
        raise DecisionInvalid(f"Okänt beslut: {outcome}")
    _open_warnings_gate(application)
    decided = decided_amount(
        application=application,
        outcome=outcome,
        partly=partly,
        amount=amount,
        calculation_seen=calculation_seen,
    )
    amount, partly = decided.amount, decided.partly
    if outcome == DecisionOutcome.APPROVED and (linked := household_approval_blocker(application)):
        raise DecisionInvalid(linked)  # two applications, maybe one household (#16 item 3)
    why = second_approval_reason(
        application=application, caseworker=caseworker, outcome=outcome, amount=amount
    )
    if not why:
        return decision_record(
            application=application,
            caseworker=caseworker,
            outcome=outcome,
            reason=reason,
            amount=amount,
            months=months,
            partly=partly,
            provisions=provisions,
            decisive_facts=decisive_facts,
            communication_exception=communication_exception,
            communication_note=communication_note,
            calculation_seen=calculation_seen,
            track=track,
            track_reason=track_reason,
            reason_template=reason_template,
        )
    check_transition(Status(application.status), Status.AWAITING_SECOND_APPROVAL, Actor.CASEWORKER)
    reason = (reason or "").strip()
    if not reason:
        raise DecisionInvalid("Ett beslut måste motiveras.")
    if outcome not in DecisionOutcome.values:
        raise DecisionInvalid(f"Okänt beslut: {outcome}")
    if outcome == DecisionOutcome.APPROVED and (amount is None or amount <= 0):
        raise DecisionInvalid("Ett beviljande måste ha ett belopp större än noll.")
    track, track_reason = decision_track_check(
        application=application, track=track, reason=track_reason
    )
    partly = partly and outcome == DecisionOutcome.APPROVED
    provisions = decision_provisions(
        municipality=application.municipality,
        outcome=outcome,
        partly=partly,
        months=months,
        template_code=reason_template,
        typed=provisions,
    )
    if not _adverse_decision_gates(
        application, outcome, partly, communication_exception, communication_note
    ):
        communication_exception = communication_note = ""
    application_transition(
        application=application,
        to=Status.AWAITING_SECOND_APPROVAL,
        actor_kind=Actor.CASEWORKER,
        actor=caseworker,
        reason=f"Beslut väntar på attest: {why}",
    )
    _section_approve(application, Section.CALCULATION, caseworker)
    draft = DecisionDraft.objects.create(
        application=application,
        proposed_by=caseworker,
        outcome=outcome,
        amount=amount if outcome == DecisionOutcome.APPROVED and amount else Decimal(0),
        partly=partly and outcome == DecisionOutcome.APPROVED,
        months=months,
        reason=reason,
        provisions=[p.strip() for p in provisions if p.strip()],
        decisive_facts=[f.strip() for f in decisive_facts if f.strip()],
        why_second=why[:200],
        communication_exception=communication_exception,
        communication_note=communication_note.strip(),
        track=track,
        track_reason=track_reason,
    )
    journal_write(
        category=JournalCategory.DECISION,
        application=application,
        author=caseworker,
        text=f"Beslutsförslag till attest ({DecisionOutcome(outcome).label}): {why}",
    )
    return draft


def may_second_approve(draft: DecisionDraft, user: User) -> bool:
    """Not the proposer; not someone in introduction; for a caseworker in introduction with a
    mentor, the mentor (or a team lead)."""
    if user.pk == draft.proposed_by_id or user.in_introduction or not user.handles_cases:
        return False
    proposer = draft.proposed_by
    if proposer.in_introduction and proposer.mentor_id is not None:
        return user.pk == proposer.mentor_id or user.role == Role.TEAM_LEAD
    return True


def _pending_draft(application: Application) -> DecisionDraft:
    draft = (
        DecisionDraft.objects.select_for_update()
        .select_related("proposed_by")
        .filter(application=application, status=DraftStatus.PENDING)
        .first()
    )
    if draft is None:
        raise ActionNotAllowed("Inget beslut väntar på attest.")
    return draft


@transaction.atomic
def decision_draft_approve(*, application: Application, by: User) -> Decision:
    """The second caseworker approves: the decision is recorded in the proposer's name and
    signed (the decision section approved) by the second caseworker."""
    draft = _pending_draft(application)
    if not may_second_approve(draft, by):
        raise ActionNotAllowed("Du kan inte attestera det här beslutet.")
    decision = decision_record(
        application=application,
        caseworker=draft.proposed_by,
        outcome=draft.outcome,
        reason=draft.reason,
        amount=draft.amount,
        months=draft.months,
        partly=draft.partly,
        provisions=draft.provisions,
        decisive_facts=draft.decisive_facts,
        second_approver=by,
        communication_exception=draft.communication_exception,
        communication_note=draft.communication_note,
        track=draft.track,
        track_reason=draft.track_reason,
    )
    DecisionDraft.objects.filter(pk=draft.pk).update(
        status=DraftStatus.APPROVED, handled_by=by, handled_at=timezone.now()
    )
    journal_write(
        category=JournalCategory.DECISION,
        application=application,
        author=by,
        text="Beslutet attesterat.",
    )
    return decision


@transaction.atomic
def decision_draft_send_back(*, application: Application, by: User, note: str) -> DecisionDraft:
    draft = _pending_draft(application)
    note = note.strip()
    if not note:
        raise ActionNotAllowed("Skriv varför beslutet skickas tillbaka.")
    if not may_second_approve(draft, by):
        raise ActionNotAllowed("Du kan inte attestera det här beslutet.")
    application_transition(
        application=application,
        to=Status.AWAITING_CASEWORKER,
        actor_kind=Actor.CASEWORKER,
        actor=by,
        reason=f"Skickat tillbaka från attest: {note}",
    )
    # The proposer may change the calculation again.
    SectionApproval.objects.filter(application=application, section=Section.CALCULATION).delete()
    DecisionDraft.objects.filter(pk=draft.pk).update(
        status=DraftStatus.SENT_BACK, handled_by=by, handled_at=timezone.now(), note=note
    )
    journal_write(
        category=JournalCategory.DECISION,
        application=application,
        author=by,
        text=f"Beslutet skickades tillbaka: {note}",
    )
    draft.refresh_from_db()
    return draft


EDITABLE = (Status.AWAITING_CASEWORKER, Status.NEEDS_MANUAL)


@transaction.atomic
def section_approve(*, application: Application, section: str, by: User) -> SectionApproval:
    """Approve one section; it is locked from then on."""
    if section not in Section.values:
        raise ActionNotAllowed(f"Okänd del: {section}")
    if section == Section.DECISION:
        raise ActionNotAllowed("Beslutsdelen godkänns när beslutet signeras.")
    approval, created = SectionApproval.objects.get_or_create(
        application=application, section=section, defaults={"approved_by": by}
    )
    if not created:
        raise SectionLocked(f"{section} är redan godkänd.")
    journal_write(
        category=JournalCategory.CALCULATION,
        application=application,
        author=by,
        text=f"Godkände delen {Section(section).label}.",
    )
    return approval


@transaction.atomic
def line_adjust(
    *, application: Application, code: str, amount: Decimal, reason: str, by: User
) -> LineAdjustment:
    """Set the caseworker's amount for one calculation line (a cost or a kind of income). The
    change and the reason are kept; the robot's proposal is untouched."""
    reason = reason.strip()
    if not reason:
        raise ActionNotAllowed("Ange skälet till ändringen.")
    if code not in dict(adjustable_codes()):
        raise ActionNotAllowed(f"Posten {code} kan inte ändras.")
    if amount < 0:
        raise ActionNotAllowed("Beloppet får inte vara negativt.")
    locked = Application.objects.select_for_update().filter(pk=application.pk).first()
    if locked is None or locked.status not in EDITABLE:
        raise ActionNotAllowed("Beräkningen kan inte ändras i ärendets nuvarande läge.")
    if section_locked(application, Section.CALCULATION):
        raise SectionLocked("Beräkningen är godkänd och låst.")
    adjustment = LineAdjustment.objects.create(
        application=application, code=code, amount=amount, reason=reason, author=by
    )
    label = dict(adjustable_codes())[code]
    journal_write(
        category=JournalCategory.CALCULATION,
        application=application,
        author=by,
        text=f"Ändrade {label} till {amount.quantize(Decimal(1))} kr. Skäl: {reason}",
    )
    return adjustment


@transaction.atomic
def case_warning_acknowledge(
    *, application: Application, warning_pk: int, by: User, note: str
) -> CaseWarning:
    """Acknowledge one of the case's robot warnings with a note (what the caseworker concluded),
    journalled. Refused without a note, and once the case is decided."""
    note = note.strip()
    if not note:
        raise ActionNotAllowed("Skriv vad du har kommit fram till innan du kvitterar varningen.")
    if application.is_decided:
        raise ActionNotAllowed("Ärendet är redan beslutat.")
    warning = CaseWarning.objects.filter(application=application, pk=warning_pk).first()
    if warning is None:
        raise ActionNotAllowed("Varningen finns inte.")
    warning = warning_acknowledge(warning=warning, user=by, note=note)
    journal_write(
        category=JournalCategory.WARNING,
        application=application,
        author=by,
        text=f"Kvitterade varningen {warning.get_kind_display()} ({warning.message}): {note}",
    )
    return warning


@transaction.atomic
def child_impact_record(*, application: Application, by: User, text: str) -> ChildImpactAssessment:
    text = text.strip()
    if not text:
        raise ActionNotAllowed("Skriv barnkonsekvensanalysen.")
    assessment = ChildImpactAssessment.objects.create(application=application, text=text, author=by)
    journal_write(
        category=JournalCategory.DECISION,
        application=application,
        author=by,
        text=f"Barnkonsekvensanalys: {text}",
    )
    return assessment


@transaction.atomic
def application_track_set(
    *, application: Application, by: User, track: str, reason: str = ""
) -> Application:
    """The caseworker decides the track (work, social or both); the robot only suggests."""
    if track not in Track.values:
        raise ActionNotAllowed(f"Okänt spår: {track}")
    if application.is_decided:
        raise ActionNotAllowed("Ärendet är redan beslutat.")
    Application.objects.filter(pk=application.pk).update(track=track, updated_at=timezone.now())
    application.track = track
    text = f"Spår: {Track(track).label}."
    if reason.strip():
        text += f" {reason.strip()}"
    journal_write(category=JournalCategory.DECISION, application=application, author=by, text=text)
    return application


@transaction.atomic
def application_return_to_robot(*, application: Application, caseworker: User, reason: str) -> None:
    application_transition(
        application=application,
        to=Status.SUBMITTED,
        actor_kind=Actor.CASEWORKER,
        actor=caseworker,
        reason=reason or "Skickad till roboten igen",
        updates={"robot_attempts": 0, "robot_round": application.robot_round + 1},
    )
    transaction.on_commit(partial(hand_over_to_robot, application.pk), robust=True)
