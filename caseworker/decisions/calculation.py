"""Reads for the case page: the declaration beside the register answers, and the calculation
with the robot's and the caseworker's amounts side by side.

The caseworker's column is the engine run again over the same facts with the caseworker's line
adjustments applied (`eligibility.rules.calculate` over `household_build`). Adjustments live in
`caseworker.LineAdjustment`, apart from the robot's `Proposal`, so a robot refresh never
overwrites them.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from caseworker.models import LineAdjustment
from caseworker.wording import relation_text
from eligibility.models import Proposal, RegisterSnapshot
from eligibility.registers.base import income_type, previous_month
from eligibility.robot.facts import household_build, snapshot_extracts
from eligibility.robot.findings import (
    COST_LABELS,
    INCOME_LABELS,
    Facts,
    PaymentFact,
    income_by_month,
)
from eligibility.rules import CalculationResult, Household, Income, calculate
from intake.models import Application, DeclaredIncome, HouseholdMember, MemberRole

ZERO = Decimal(0)
COST_CODES = tuple(COST_LABELS)


def adjustable_codes() -> list[tuple[str, str]]:
    """Lines a caseworker may set: the reasonable costs and each kind of income."""
    costs = [(code, label) for code, label in COST_LABELS.items()]
    incomes = [
        (f"income:{kind}", f"Inkomst: {label}")
        for kind, label in INCOME_LABELS.items()
        if kind not in ("sickness_compensation", "activity_compensation")
    ]
    return costs + incomes


def current_adjustments(adjustments: Iterable[LineAdjustment]) -> dict[str, LineAdjustment]:
    """The latest adjustment per line code (earlier ones stay in the history)."""
    latest: dict[str, LineAdjustment] = {}
    for adjustment in sorted(adjustments, key=lambda a: (a.created_at, a.pk)):
        latest[adjustment.code] = adjustment
    return latest


def adjustments_apply(household: Household, amounts: dict[str, Decimal]) -> Household:
    """The household with the caseworker's amounts: a cost replaces the declared cost (and a
    caseworker's rent is final: the municipality's cap no longer applies); an income replaces
    every figure of that kind, declared or from a register."""
    if not amounts:
        return household
    costs = {code: amount for code, amount in amounts.items() if code in COST_CODES}
    changes: dict[str, Any] = {}
    if costs:
        changes["costs"] = dataclasses.replace(household.costs, **costs)
        if "rent" in costs:
            changes["policy"] = dataclasses.replace(household.policy, max_housing_cost=None)
    income_kinds = {
        code.removeprefix("income:"): amount
        for code, amount in amounts.items()
        if code.startswith("income:")
    }
    if income_kinds:
        kept = [i for i in household.incomes if i.type not in income_kinds]
        added = [
            Income(type=kind, amount=amount, source="declared")
            for kind, amount in income_kinds.items()
            if amount > 0
        ]
        changes["incomes"] = tuple(kept + added)
    return dataclasses.replace(household, **changes)


@dataclass(frozen=True)
class CalculationRow:
    """One line of the calculation: the robot's amount beside the caseworker's. Lines that share
    a rule code (the adult's and each child's personal costs, each member's income) stay apart,
    each with its own label."""

    code: str
    label: str
    robot: Decimal | None
    caseworker: Decimal | None
    rule: str
    adjustment: LineAdjustment | None

    @property
    def differs(self) -> bool:
        return self.robot != self.caseworker


@dataclass(frozen=True)
class CaseCalculation:
    rows: list[CalculationRow]
    robot_amount: Decimal | None
    caseworker_amount: Decimal
    result: CalculationResult
    adjustments: dict[str, LineAdjustment]
    lines: tuple[dict[str, str], ...] = ()

    @property
    def adjusted(self) -> bool:
        return bool(self.adjustments)

    @property
    def version(self) -> str:
        """What the caseworker saw: the amount and a digest of every line and adjustment. A
        decision form carries it back; a different value means the calculation changed since
        the page was opened (the amount part is only for the message, never trusted)."""
        digest = hashlib.sha256()
        for line in self.lines:
            digest.update(f"{line['code']}|{line['label']}|{line['amount']}\n".encode())
        for code, adjustment in sorted(self.adjustments.items()):
            digest.update(f"{code}|{adjustment.pk}|{adjustment.amount}\n".encode())
        whole = self.caseworker_amount.quantize(Decimal(1))
        return f"{whole}-{digest.hexdigest()[:20]}"


def version_amount(version: str) -> Decimal | None:
    """The amount part of a `CaseCalculation.version` (for telling the caseworker what changed)."""
    try:
        return Decimal(version.partition("-")[0])
    except ArithmeticError:
        return None


def _line_dict(code: str, label: str, amount: Decimal, rule: str, kind: str) -> dict[str, str]:
    return {"code": code, "label": label, "amount": str(amount), "rule": rule, "kind": kind}


def _rows_pair(
    robot_lines: list[dict[str, str]],
    mine: list[dict[str, str]],
    latest: dict[str, LineAdjustment],
) -> list[CalculationRow]:
    """Pair the robot's lines with the caseworker's, line by line: per code, first the lines with
    the same label (in order), then the rest by position. Never added together."""
    codes = list(dict.fromkeys([*(ln["code"] for ln in robot_lines), *(ln["code"] for ln in mine)]))
    rows: list[CalculationRow] = []
    for code in codes:
        theirs = [ln for ln in robot_lines if ln["code"] == code]
        ours = [ln for ln in mine if ln["code"] == code]
        pairs: list[tuple[dict[str, str] | None, dict[str, str] | None]] = []
        unmatched: list[dict[str, str]] = []
        for line in ours:
            match = next((t for t in theirs if t["label"] == line["label"]), None)
            if match is not None:
                theirs.remove(match)
                pairs.append((match, line))
            else:
                unmatched.append(line)
        for line in unmatched:
            pairs.append((theirs.pop(0) if theirs else None, line))
        pairs += [(t, None) for t in theirs]
        for robot_line, mine_line in pairs:
            shown = mine_line or robot_line
            if shown is None:  # never: a pair always holds one of the two
                continue
            rows.append(
                CalculationRow(
                    code=code,
                    label=shown["label"],
                    robot=Decimal(robot_line["amount"]) if robot_line else None,
                    caseworker=Decimal(mine_line["amount"]) if mine_line else None,
                    rule=shown["rule"],
                    adjustment=latest.get(code),
                )
            )
    for code, adjustment in latest.items():  # an adjusted line the engine left out (amount 0)
        if code not in codes:
            rows.append(
                CalculationRow(
                    code=code,
                    label=dict(adjustable_codes()).get(code, code),
                    robot=None,
                    caseworker=None,
                    rule="",
                    adjustment=adjustment,
                )
            )
    return rows


def case_calculation(
    *,
    application: Application,
    members: list[HouseholdMember],
    incomes: list[DeclaredIncome],
    snapshots: list[RegisterSnapshot],
    proposal: Proposal | None,
    adjustments: Sequence[LineAdjustment],
) -> CaseCalculation:
    latest = current_adjustments(adjustments)
    household = household_build(
        application=application, members=members, snapshots=snapshots, incomes=incomes
    )
    result = calculate(adjustments_apply(household, {c: a.amount for c, a in latest.items()}))
    mine = [_line_dict(ln.code, ln.label, ln.amount, ln.rule, ln.kind) for ln in result.lines]
    caseworker_amount = result.amount
    robot_lines = [
        _line_dict(
            str(ln["code"]),
            str(ln["label"]),
            Decimal(ln["amount"]),
            str(ln.get("rule", "")),
            str(ln.get("kind", "")),
        )
        for ln in (proposal.lines if proposal else [])
    ]
    granted = [ln for ln in robot_lines if ln["code"] == "already_granted"]
    if granted:  # a supplementary application: what the month already got
        already = -sum((Decimal(ln["amount"]) for ln in granted), ZERO)
        taken = min(already, caseworker_amount)
        mine.append(
            _line_dict(
                "already_granted", granted[0]["label"], -taken, "supplementary", "adjustment"
            )
        )
        caseworker_amount -= taken
    return CaseCalculation(
        rows=_rows_pair(robot_lines, mine, latest),
        robot_amount=proposal.amount if proposal else None,
        caseworker_amount=caseworker_amount,
        result=result,
        adjustments=latest,
        lines=tuple(mine),
    )


def case_calculation_load(application: Application) -> CaseCalculation:
    """The case's current calculation from what is stored: the household, the declared incomes,
    the register answers of the robot's current round, its latest proposal and the caseworker's
    recorded line adjustments. What a decision's amount is taken from."""
    return case_calculation(
        application=application,
        members=list(application.members.all()),
        incomes=list(application.incomes.all()),
        snapshots=list(application.register_snapshots.filter(round=application.robot_round)),
        proposal=application.proposals.order_by("-round").first(),
        adjustments=list(application.line_adjustments.select_related("author")),
    )


# --- declared beside the registers ------------------------------------------------------------


@dataclass(frozen=True)
class IncomeComparison:
    kind: str
    label: str
    declared: Decimal | None
    register: Decimal | None
    sources: tuple[str, ...]
    differs: bool


@dataclass(frozen=True)
class MemberComparison:
    personnummer: str
    name: str
    declared_role: str
    register_relation: str
    declared: bool
    in_register: bool

    @property
    def differs(self) -> bool:
        return self.declared != self.in_register


@dataclass(frozen=True)
class RegisterComparison:
    control_month: date
    incomes: list[IncomeComparison]
    members: list[MemberComparison] | None  # None when the population register did not answer

    @property
    def differences(self) -> int:
        return sum(r.differs for r in self.incomes) + sum(m.differs for m in self.members or [])


def register_comparison(
    *,
    application: Application,
    members: list[HouseholdMember],
    incomes: list[DeclaredIncome],
    snapshots: list[RegisterSnapshot],
) -> RegisterComparison:
    """Declared vs register per income kind (the control month's net payments, as the robot's
    findings count them) and per household member (the population register)."""
    payments: list[PaymentFact] = []
    sources: dict[str, set[str]] = {}
    register_household: list[dict[str, Any]] | None = None
    applicant_pnr = application.applicant.personnummer or ""
    control = previous_month(application.month)
    for snapshot in snapshots:
        for person in snapshot_extracts(snapshot):
            for payment in person.get("payments", []):
                kind = income_type(payment["kind"])
                paid_on = date.fromisoformat(payment["paid_on"])
                payments.append(
                    PaymentFact(
                        source=snapshot.source,
                        personnummer=person.get("personnummer", ""),
                        kind=kind,
                        net=Decimal(payment["net"]),
                        paid_on=paid_on,
                    )
                )
                if paid_on.replace(day=1) == control:
                    sources.setdefault(kind, set()).add(snapshot.source)
            if snapshot.source == "population" and person.get("personnummer") == applicant_pnr:
                register_household = list(person.get("household", []))
    declared = {i.type: i.amount for i in incomes}
    facts = Facts(
        month=application.month,
        application_kind=application.kind,
        declared_incomes=declared,
        payments=tuple(payments),
        declared_members=tuple((m.role, m.personnummer) for m in members),
        costs={},
    )
    in_register, _before = income_by_month(facts)
    threshold = application.municipality.declared_difference_threshold
    income_rows = []
    for kind in sorted(set(declared) | set(in_register)):
        mine, theirs = declared.get(kind), in_register.get(kind)
        differs = theirs is not None and abs((mine or ZERO) - theirs) > threshold
        income_rows.append(
            IncomeComparison(
                kind=kind,
                label=INCOME_LABELS.get(kind, kind),
                declared=mine,
                register=theirs,
                sources=tuple(sorted(sources.get(kind, ()))),
                differs=differs,
            )
        )
    member_rows: list[MemberComparison] | None = None
    if register_household is not None:
        registered = {p.get("personnummer", ""): p for p in register_household}
        registered.setdefault(applicant_pnr, {"relation": "sökande", "name": ""})
        member_rows = [
            MemberComparison(
                personnummer=m.personnummer,
                name=m.name,
                declared_role=m.get_role_display(),
                register_relation=relation_text(
                    registered.get(m.personnummer, {}).get("relation", "")
                ),
                declared=True,
                in_register=m.personnummer in registered,
            )
            for m in members
        ]
        declared_pnrs = {m.personnummer for m in members}
        member_rows += [
            MemberComparison(
                personnummer=pnr,
                name=str(p.get("name", "")),
                declared_role="",
                register_relation=relation_text(p.get("relation", "")),
                declared=False,
                in_register=True,
            )
            for pnr, p in registered.items()
            if pnr not in declared_pnrs
        ]
    return RegisterComparison(control_month=control, incomes=income_rows, members=member_rows)


def _kr(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal(1)):,}".replace(",", " ") + " kr"


def unseen_register_facts(comparison: RegisterComparison, *, members: bool = True) -> list[str]:
    """Register facts that differ from what the applicant declared, worded for the applicant:
    what must be communicated (FL 25 §) before an adverse decision resting on them. Without
    `members`, only the income the calculation counts (people the register places in the
    household are not in the calculation until the caseworker adds them)."""
    month = f"{comparison.control_month:%Y-%m}"
    facts = []
    for row in comparison.incomes:
        # Only what goes against the applicant: more income in the register than declared.
        if row.differs and row.register is not None and row.register > (row.declared or ZERO):
            sources = ", ".join(row.sources) or "register"
            facts.append(
                f"{row.label}: {_kr(row.register)} utbetalt under {month} enligt {sources}; "
                f"i ansökan uppgavs {_kr(row.declared or ZERO)}."
            )
    for member in (comparison.members or []) if members else []:
        if member.in_register and not member.declared:
            facts.append(
                f"Folkbokföringen visar att {member.name or 'en person'} "
                f"({member.register_relation.lower()}) bor i hushållet, men personen finns "
                "inte i ansökan."
            )
    return facts


def has_children(members: Iterable[HouseholdMember]) -> bool:
    return any(m.role == MemberRole.CHILD for m in members)
