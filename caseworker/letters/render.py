"""Decision letters: content from the decision (FL 31–33 §§), rendered to a tagged PDF (PDF/UA-1)
after the decision's transaction commits, and stored privately with a checksum.

No address is ever printed: the applicant's address is not stored, and a protected identity
(skyddade personuppgifter) must never appear in a letter. The letter reaches the applicant
through the status page (an authorising download view).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from caseworker.letters.reasons import decision_provisions
from caseworker.letters.refusals import RefusedPart, adjustment_notes, refused_parts
from caseworker.models import DecisionDraft, DraftStatus, PaymentOrder, PaymentStatus
from caseworker.models.letters import DecisionLetter
from caseworker.wording import kronor, money_text, month_label
from intake.models import Decision, DecisionOutcome
from kernel.working_days import is_working_day
from notifications.events import EnclosureQuery

logger = logging.getLogger(__name__)

APPEAL_PERIOD = timedelta(weeks=3)


def appeal_deadline(notified_on: date) -> date:
    """Three weeks from the day the applicant was notified (FL 44 §). A deadline on a Saturday,
    Sunday or holiday moves to the next working day (lag (1930:173) om beräkning av lagstadgad
    tid)."""
    deadline = notified_on + APPEAL_PERIOD
    while not is_working_day(deadline):
        deadline += timedelta(days=1)
    return deadline


def _day(value: date) -> str:
    with translation.override("sv"):
        return str(formats.date_format(value, "j F Y"))


def _item_text(item: Any) -> str:
    """Provisions and decisive facts are stored as text or as small dicts."""
    if isinstance(item, dict):
        label = item.get("text") or item.get("label") or item.get("fact") or ""
        value = item.get("value")
        return f"{label}: {value}" if value not in (None, "") else str(label)
    return str(item)


def _signed(amount: Decimal | int) -> str:
    amount = Decimal(amount)
    return ("−" if amount < 0 else "") + kronor(abs(amount))


def letter_lines(decision: Decision) -> list[dict[str, str]]:
    """The letter's calculation lines: the decision's stored lines (a decision stored before
    they were kept falls back to the robot's latest proposal)."""
    stored = decision.lines
    if not stored:
        proposal = decision.application.proposals.order_by("-round").first()
        stored = list(proposal.lines) if proposal is not None else []
    return [
        {
            "code": str(line.get("code", "")),
            "label": str(line["label"]),
            "amount": str(Decimal(line["amount"])),
            "amount_text": _signed(Decimal(line["amount"])),
        }
        for line in stored
    ]


SURPLUS_CODE = "no_negative_support"


def is_surplus_line(line: dict[str, str]) -> bool:
    """The engine's "the incomes cover the need" line: a positive figure that must not read as
    a grant in a refusal."""
    code = line.get("code", "")
    return code == SURPLUS_CODE or (
        not code and str(line.get("label", "")).startswith("Inkomsterna täcker behovet")
    )


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _period(decision: Decision) -> str:
    """The months a decision covers: one month, or a standing decision's whole period."""
    first = decision.application.month
    if decision.months <= 1:
        return month_label(first)
    last = _add_months(first, decision.months - 1)
    return f"{month_label(first)} – {month_label(last)} ({decision.months} månader)"


def _outcome_text(decision: Decision, parts: list[RefusedPart]) -> str:
    period = _period(decision)
    per_month = " per månad" if decision.months > 1 else ""
    if decision.outcome != DecisionOutcome.APPROVED:
        return f"Din ansökan om ekonomiskt bistånd för {period} avslås."
    if decision.partly or parts:
        return (
            f"Du beviljas delvis ekonomiskt bistånd: {kronor(decision.amount)}{per_month} för "
            f"{period}. Det som inte beviljas står under Avslag på en del av ansökan."
        )
    return f"Du beviljas ekonomiskt bistånd med {kronor(decision.amount)}{per_month} för {period}."


def _attest_text(decision: Decision) -> str:
    """When and by whom a decision that needed a second caseworker was attested."""
    draft = (
        DecisionDraft.objects.filter(
            application_id=decision.application_id, status=DraftStatus.APPROVED
        )
        .select_related("handled_by")
        .order_by("-handled_at")
        .first()
    )
    if draft is None or draft.handled_by is None or draft.handled_at is None:
        return ""
    return (
        f"Beslutet har attesterats den {_day(timezone.localdate(draft.handled_at))} av "
        f"{draft.handled_by.display_name()}, handläggare."
    )


def _payment_text(decision: Decision) -> str:
    """A payment date only when the money can go out: without a bank account there is none."""
    if decision.outcome != DecisionOutcome.APPROVED:
        return ""
    order = PaymentOrder.objects.filter(decision=decision).first()
    if order is None:
        return ""
    if order.to_registered_account and order.status != PaymentStatus.NEEDS_ACCOUNT:
        return (
            f"Pengarna betalas ut den {_day(order.payment_date)} till det konto som är kopplat "
            "till ditt personnummer hos din bank."
        )
    if order.status == PaymentStatus.NEEDS_ACCOUNT or not order.account:
        return (
            "Vi har inte ditt bankkontonummer. Pengarna betalas ut när du har lämnat det till "
            "din handläggare; ett datum för utbetalningen kan vi därför inte ange ännu."
        )
    return f"Pengarna betalas ut den {_day(order.payment_date)}."


def letter_context(decision: Decision, *, notified_on: date | None = None) -> dict[str, Any]:
    """Everything the letter says, as plain values (tested without rendering a PDF)."""
    application = decision.application
    municipality = application.municipality
    authority = f"Socialnämnden, {municipality.name}"
    proposal = application.proposals.order_by("-round").first()
    approved = decision.outcome == DecisionOutcome.APPROVED
    month = month_label(application.month)
    parts = refused_parts(decision)
    outcome_text = _outcome_text(decision, parts)

    # The calculation the decision's amount was taken from, line by line as stored with the
    # decision (the caseworker's adjusted lines included); each line keeps its own label.
    lines: list[dict[str, str]] = letter_lines(decision)
    notes: list[str] = []
    if proposal is not None and not approved and proposal.amount > 0:
        notes.append(
            f"Beräkningen visar {kronor(proposal.amount)}, men ansökan avslås av de skäl "
            "som anges nedan."
        )

    if not approved:
        # A refusal shows no positive "the incomes cover the need" line that reads as a grant.
        for line in [line for line in lines if is_surplus_line(line)]:
            notes.append(
                f"Hushållets inkomster är {line['amount_text'].lstrip('−')} högre än behovet "
                "enligt beräkningen. Därför kan inget försörjningsstöd beviljas."
            )
        lines = [line for line in lines if not is_surplus_line(line)]
    provisions = [_item_text(p) for p in decision.provisions or []]
    if not provisions:  # a decision recorded before provisions were required
        provisions = decision_provisions(
            municipality=municipality,
            outcome=decision.outcome,
            partly=decision.partly or bool(parts),
            months=decision.months,
        )

    if decision.decided_by_id is not None:
        decided_by_text = (
            f"Beslutet har fattats av {decision.decided_by_label}, handläggare, "
            "på delegation från socialnämnden."
        )
    else:
        decided_by_text = (
            "Beslutet har fattats automatiserat av den automatiserade funktionen "
            f"{decision.automated_function} (regelversion {decision.rule_version}) enligt "
            f"nämndens delegationsbeslut {decision.delegation_reference} "
            "(förvaltningslagen 28 §). Ingen handläggare har gjort en egen bedömning. Du kan "
            "alltid be att en handläggare tittar på ditt ärende."
        )

    deadline = appeal_deadline(notified_on) if notified_on else None
    reason_paragraphs = [money_text(p.strip()) for p in decision.reason.split("\n\n") if p.strip()]
    return {
        "title": f"Beslut om ekonomiskt bistånd – {application.reference}",
        "authority": authority,
        "applicant_name": application.applicant.display_name(),
        "personnummer": application.applicant.personnummer or "",
        "reference": application.reference,
        "month": month,
        "decided_on": _day(timezone.localdate(decision.decided_at)),
        "outcome_text": outcome_text,
        "approved": approved,
        "partly": decision.partly,
        "amount_text": kronor(decision.amount),
        "lines": lines,
        "notes": notes,
        "reason_paragraphs": reason_paragraphs,
        "provisions": provisions,
        "decisive_facts": [money_text(_item_text(f)) for f in decision.decisive_facts or []],
        "automated": decision.decided_by_id is None,
        "decided_by_text": decided_by_text,
        "appeal_deadline": _day(deadline) if deadline else "",
        "payment_text": _payment_text(decision),
        "period": _period(decision),
        "standing": decision.months > 1,
        "refused_parts": parts,
        "adjustments": adjustment_notes(decision),
        "attest_text": _attest_text(decision),
        "postal_address_lines": [
            line.strip() for line in municipality.postal_address.splitlines() if line.strip()
        ],
    }


def letter_summary(decision: Decision, *, notified_on: date | None, language: str) -> str:
    """A short summary of the decision in the applicant's language (#17): what was decided,
    that the Swedish text is the decision, and the appeal deadline. Empty for Swedish."""
    if language == "sv" or language not in dict(settings.LANGUAGES):
        return ""
    application = decision.application
    deadline = appeal_deadline(notified_on) if notified_on else None
    with translation.override(language):
        return render_to_string(
            "caseworker/_letter_summary.html",
            {
                "language": language,
                "bidi": translation.get_language_bidi(),
                "approved": decision.outcome == DecisionOutcome.APPROVED,
                "partly": decision.partly or bool(refused_parts(decision)),
                "amount": formats.number_format(decision.amount, 0, force_grouping=True),
                "month": formats.date_format(application.month, "F Y"),
                "deadline": formats.date_format(deadline, "j F Y") if deadline else "",
            },
        )


def letter_html(decision: Decision, *, notified_on: date | None = None) -> str:
    summary = letter_summary(
        decision, notified_on=notified_on, language=decision.application.applicant.language
    )
    with translation.override("sv"):
        return render_to_string(
            "caseworker/letter_pdf.html",
            {**letter_context(decision, notified_on=notified_on), "summary": summary},
        )


def letter_pdf(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1: structure tree, /Lang, /Title shown in the viewer)."""
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR))
    return bytes(document.write_pdf(pdf_variant="pdf/ua-1"))


def letter_render(*, decision_id: int) -> DecisionLetter:
    """Render and store the decision's letter once. Safe to run twice: the second run (a retried
    task, two workers) returns the stored letter and leaves no second file behind."""
    existing = DecisionLetter.objects.filter(decision_id=decision_id).first()
    if existing is not None:
        return existing
    decision = Decision.objects.select_related(
        "application__municipality", "application__applicant", "decided_by"
    ).get(pk=decision_id)
    pdf = letter_pdf(letter_html(decision))  # outside any transaction: it takes a while
    digest = hashlib.sha256(pdf).hexdigest()
    letter = DecisionLetter(decision=decision, sha256=digest)
    letter.pdf.save(f"beslut-{decision.application.reference}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            letter.save()
    except IntegrityError:
        letter.pdf.delete(save=False)
        return DecisionLetter.objects.get(decision_id=decision_id)
    return letter


def letter_read(letter: DecisionLetter) -> bytes:
    """The stored PDF, refused if it no longer matches its checksum."""
    with letter.pdf.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != letter.sha256:
        raise ValueError(f"Letter {letter.pk} does not match its checksum")
    return bytes(data)


def decision_letter_enclosure(query: EnclosureQuery) -> bytes:
    """Notifications asks (`letter_enclosure`) for the PDF of "decision:<id>" to post it: the
    stored letter, checked against its checksum. Raises while it is not rendered yet (the notice
    is tried again)."""
    kind, _sep, pk = query.enclosure.partition(":")
    if kind != "decision" or not pk.isdigit():
        raise LookupError(f"unknown enclosure {query.enclosure!r}")
    return letter_read(DecisionLetter.objects.get(decision_id=int(pk)))
