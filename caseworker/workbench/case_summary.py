"""The first screen of the case page (#18): who, what is asked, what the robot proposes and why
in one sentence, what needs attention, and whether the case can be decided from there.

Plain functions over the case page's context (caseworker.workbench.case_page), so the template
only lays out what is decided here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from caseworker.letters.reasons import reason_template_get, reason_values
from caseworker.wording import reason_render
from intake.models import Application, MemberRole
from kernel.money import kronor_text

# The standard reason the first screen's approval starts from (a caseworker may edit the text).
QUICK_APPROVAL_REASON = "approved_norm"

MASK = "••••"


def masked_personnummer(personnummer: str) -> str:
    """The birth date and a mask for the last four digits: "19850312-••••". The full number
    is shown only on request, and that request is logged (caseworker.workbench.case_page)."""
    digits = "".join(ch for ch in personnummer or "" if ch.isdigit())
    if len(digits) == 12:
        return f"{digits[:8]}-{MASK}"
    if len(digits) == 10:
        return f"{digits[:6]}-{MASK}"
    return MASK


def formatted_personnummer(personnummer: str) -> str:
    """ "198503121234" as "19850312-1234" (what people read and type)."""
    digits = "".join(ch for ch in personnummer or "" if ch.isdigit())
    if len(digits) in (10, 12):
        return f"{digits[:-4]}-{digits[-4:]}"
    return personnummer


def household_text(members: Iterable[Any]) -> str:
    """ "1 vuxen, 2 barn" from the application's members (applicant and partner are adults)."""
    adults = children = 0
    for member in members:
        if member.role == MemberRole.CHILD:
            children += 1
        else:
            adults += 1
    parts = [ngettext("%(n)d vuxen", "%(n)d vuxna", adults) % {"n": adults}]
    if children:
        parts.append(ngettext("%(n)d barn", "%(n)d barn", children) % {"n": children})
    return ", ".join(parts)


def _sum(lines: Sequence[Mapping[str, str]], *kinds: str) -> Decimal:
    return sum((Decimal(line["amount"]) for line in lines if line.get("kind") in kinds), Decimal(0))


def proposal_sentence(*, proposal: Any, calculation: Any) -> str:
    """What the robot proposes and why, in one sentence a person reads without the lines: the
    need (the norm and reasonable costs) less the incomes (and assets) is the amount."""
    if proposal is None:
        return _("Roboten har inte räknat ännu.")
    lines = calculation.lines
    need = _sum(lines, "norm", "cost")
    income = -_sum(lines, "income")
    assets = -_sum(lines, "asset")
    if calculation.adjusted:
        # Every figure from the caseworker's calculation, so the sentence adds up (#18
        # stranger run: the robot's amount beside the changed need did not).
        robot = calculation.robot_amount
        amount = calculation.caseworker_amount
        suffix = (
            " " + _("Roboten föreslog %(robot)s.") % {"robot": kronor_text(robot)}
            if robot is not None and robot != amount
            else ""
        )
        subject = _("Med dina ändringar blir det")
        return _sentence(subject, amount, need, income, assets) + suffix
    amount = calculation.robot_amount if calculation.robot_amount is not None else proposal.amount
    return _sentence(_("Roboten föreslår"), amount, need, income, assets)


def _sentence(
    subject: str, amount: Decimal, need: Decimal, income: Decimal, assets: Decimal
) -> str:
    values = {"subject": subject, "amount": kronor_text(amount), "need": kronor_text(need)}
    if amount <= 0:
        return _(
            "%(subject)s inget försörjningsstöd: inkomsterna (%(income)s) täcker behovet "
            "(%(need)s)."
        ) % {**values, "income": kronor_text(income)}
    if income and assets:
        return _(
            "%(subject)s %(amount)s: behovet %(need)s (riksnorm och skäliga kostnader) "
            "minus inkomster %(income)s och tillgångar %(assets)s."
        ) % {**values, "income": kronor_text(income), "assets": kronor_text(assets)}
    if income:
        return _(
            "%(subject)s %(amount)s: behovet %(need)s (riksnorm och skäliga kostnader) "
            "minus inkomster %(income)s."
        ) % {**values, "income": kronor_text(income)}
    return (
        _(
            "%(subject)s %(amount)s: behovet %(need)s (riksnorm och skäliga kostnader), "
            "inga inkomster."
        )
        % values
    )


@dataclass(frozen=True)
class Attention:
    """One thing a person must look at before deciding, with where on the page it is."""

    text: str
    anchor: str
    blocks_decision: bool = False


def _day(value: date) -> str:
    return date_format(value, "j F")


def attention_items(context: Mapping[str, Any]) -> list[Attention]:
    """What needs attention, in the order it matters: what stops a decision first."""
    items: list[Attention] = []
    open_warnings = context.get("open_warnings") or []
    if open_warnings:
        n = len(open_warnings)
        items.append(
            Attention(
                ngettext(
                    "%(n)d varning att kvittera med en kommentar",
                    "%(n)d varningar att kvittera med en kommentar",
                    n,
                )
                % {"n": n},
                "case-warnings",
                blocks_decision=True,
            )
        )
    for linked in context.get("household_links") or []:
        if linked.blocks_approval:
            items.append(Attention(linked.blocks_approval, "case-household", True))
        elif linked.open:
            items.append(
                Attention(
                    _("Kopplat till ärende %(ref)s (kanske samma hushåll)")
                    % {"ref": linked.other.reference},
                    "case-household",
                )
            )
    communication = context.get("open_communication")
    if communication is not None:
        items.append(
            Attention(
                _("Kommuniceringen väntar på svar till %(day)s")
                % {"day": _day(communication.reply_by)},
                "communication-heading",
                blocks_decision=True,
            )
        )
    if context.get("uncommunicated_facts"):
        items.append(
            Attention(
                _("Registeruppgifter skiljer sig från ansökan och är inte kommunicerade"),
                "case-comparison",
            )
        )
    for request in context.get("supplement_requests") or []:
        if request.resolved_at is None:
            items.append(
                Attention(
                    _("Komplettering begärd: %(what)s, senast %(day)s")
                    % {"what": request.what, "day": _day(request.deadline)},
                    "supplement-heading",
                )
            )
    draft = context.get("draft")
    if draft is not None:
        items.append(
            Attention(
                _("Beslutsförslaget väntar på attest"), "decide-heading", blocks_decision=True
            )
        )
    proposal = context.get("proposal")
    if proposal is not None and proposal.sampled:
        items.append(Attention(_("Stickprov: granska ärendet innan beslutet"), "robot-heading"))
    application: Application = context["application"]
    if context.get("can_return_to_robot"):
        items.append(
            Attention(
                _("Roboten kunde inte slutföra ärendet: %(error)s")
                % {"error": application.robot_last_error or "–"},
                "decide-heading",
                blocks_decision=True,
            )
        )
    return items


def quick_approval(context: Mapping[str, Any]) -> dict[str, Any] | None:
    """The approval that can be signed from the first screen, or None: only while the case
    awaits a caseworker, the calculation gives an amount, nothing is pending attest and no
    open warning or linked case stops it (the full form below covers everything else, and the
    service checks every rule again whatever form was used)."""
    if not context.get("can_decide") or context.get("draft") is not None:
        return None
    calculation = context["calculation"]
    amount = calculation.caseworker_amount
    robot = calculation.robot_amount
    if amount <= 0:
        return None
    # Less than the robot proposed is a partial refusal, which needs its reasons, maybe
    # kommunicering and a child impact assessment: the full form below, not one click (#18
    # stranger run: "Bevilja 640 kr" was offered and then refused).
    if robot is not None and amount < robot:
        return None
    if any(item.blocks_decision for item in context["attention"]):
        return None
    application: Application = context["application"]
    template = reason_template_get(
        municipality=application.municipality, code=QUICK_APPROVAL_REASON
    )
    values = reason_values(
        application=application,
        proposal=context.get("proposal"),
        amount=calculation.caseworker_amount,
        lines=calculation.lines,
        members=context.get("members"),
    )
    reason = reason_render(template.text, values).text if template is not None else ""
    return {
        "amount": amount,
        "reason": reason,
        "reason_template": QUICK_APPROVAL_REASON if template is not None else "",
        "suggested_track": suggested_track(context.get("proposal")),
    }


def suggested_track(proposal: Any) -> str:
    """The robot's suggested track as a decision's track ("work", "social", "both"), to
    preselect; the caseworker decides (the choice stays visible and changeable)."""
    suggestion = getattr(proposal, "track_suggestion", None) or {}
    work, social = bool(suggestion.get("work")), bool(suggestion.get("social"))
    if work and social:
        return "both"
    return "work" if work else "social" if social else ""
