"""What a decision refused, part by part, for the letter (FL 32 §): for each cost that was not
granted in full, what was asked, what was granted, why, and the provisions it rests on. And the
caseworker's changes to the calculation, each with its label and reason.

Read from what the decision rests on and what cannot change after it: the application's declared
costs, the calculation lines stored with the decision (or the robot's latest proposal), and the
caseworker's line adjustments made before the decision (the calculation is locked from then on).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from caseworker.letters.reasons import reason_text_get, reason_values
from caseworker.models import LineAdjustment
from caseworker.wording import kronor, reason_render
from eligibility.robot.findings import COST_LABELS, INCOME_LABELS
from intake.models import Application, Decision, DecisionOutcome

ZERO = Decimal(0)


@dataclass(frozen=True)
class RefusedPart:
    code: str
    label: str
    asked: Decimal
    granted: Decimal
    reason: str
    provisions: tuple[str, ...]

    @property
    def asked_text(self) -> str:
        return kronor(self.asked)

    @property
    def granted_text(self) -> str:
        return kronor(self.granted)

    @property
    def refused_text(self) -> str:
        return kronor(self.asked - self.granted)


@dataclass(frozen=True)
class AdjustmentNote:
    label: str
    amount_text: str
    reason: str


def adjustment_label(code: str) -> str:
    if code.startswith("income:"):
        kind = code.removeprefix("income:")
        return f"Inkomst: {INCOME_LABELS.get(kind, kind)}"
    return COST_LABELS.get(code, code)


def latest_adjustments(
    application_id: int, *, until: datetime | None = None
) -> dict[str, LineAdjustment]:
    """The caseworker's latest adjustment per calculation line (made by `until`, if given)."""
    adjustments = LineAdjustment.objects.filter(application_id=application_id)
    if until is not None:
        adjustments = adjustments.filter(created_at__lte=until)
    latest: dict[str, LineAdjustment] = {}
    for adjustment in adjustments.order_by("created_at", "pk"):
        latest[adjustment.code] = adjustment
    return latest


def decision_adjustments(decision: Decision) -> dict[str, LineAdjustment]:
    """The caseworker's latest adjustment per line made before the decision."""
    return latest_adjustments(decision.application_id, until=decision.decided_at)


def _decision_lines(decision: Decision) -> list[dict[str, str]]:
    stored = list(getattr(decision, "lines", None) or [])
    if stored:
        return stored
    proposal = decision.application.proposals.order_by("-round").first()
    return list(proposal.lines) if proposal is not None else []


def adjustment_notes(decision: Decision) -> list[AdjustmentNote]:
    return [
        AdjustmentNote(
            label=adjustment_label(code),
            amount_text=kronor(adjustment.amount),
            reason=adjustment.reason,
        )
        for code, adjustment in decision_adjustments(decision).items()
    ]


@dataclass(frozen=True)
class CostCut:
    """One cost granted with less than the application asked for."""

    code: str
    label: str
    asked: Decimal
    granted: Decimal
    adjustment: LineAdjustment | None


def costs_cut(
    *,
    application: Application,
    lines: list[dict[str, str]],
    adjustments: dict[str, LineAdjustment],
) -> list[CostCut]:
    """Each declared cost that the calculation (its lines and the caseworker's adjustments)
    grants with less than was asked: the parts of an approval that are refused. One rule for
    the decision (is it a partial refusal?) and for the letter (what was refused)."""
    counted: dict[str, Decimal] = {}
    for line in lines:
        code = str(line.get("code", ""))
        if code in COST_LABELS:
            counted[code] = counted.get(code, ZERO) + Decimal(line["amount"])
    cuts: list[CostCut] = []
    for code, label in COST_LABELS.items():
        asked = Decimal(getattr(application, code, ZERO) or ZERO)
        adjustment = adjustments.get(code)
        if adjustment is not None:
            granted = adjustment.amount
        elif code in counted:
            granted = counted[code]
        else:
            continue
        if granted < asked:
            cuts.append(CostCut(code, label, asked, granted, adjustment))
    return cuts


def refused_parts(decision: Decision) -> list[RefusedPart]:
    """Each cost of an approval granted with less than was applied for (a partial refusal)."""
    if decision.outcome != DecisionOutcome.APPROVED:
        return []
    application = decision.application
    municipality = application.municipality
    parts: list[RefusedPart] = []
    values: dict[str, str] | None = None
    for cut in costs_cut(
        application=application,
        lines=_decision_lines(decision),
        adjustments=decision_adjustments(decision),
    ):
        if cut.adjustment is not None:
            template = reason_text_get(municipality=municipality, code="refused_part_cost")
            reason = cut.adjustment.reason
        else:
            template = reason_text_get(
                municipality=municipality,
                code="refused_part_housing_cap" if cut.code == "rent" else "refused_part_cost",
            )
            if values is None:
                values = reason_values(
                    application=application, proposal=None, amount=decision.amount
                )
            reason = reason_render(template.text, values).text if template else ""
        parts.append(
            RefusedPart(
                code=cut.code,
                label=cut.label,
                asked=cut.asked,
                granted=cut.granted,
                reason=reason,
                provisions=template.provisions if template else (),
            )
        )
    return parts
