"""The bank's report back (#19 item 5): a camt.054 debit notification says, per payment, whether
it was booked (paid) or returned (rejected, with the bank's reason). Each entry is matched on the
EndToEndId our pain.001 wrote (`PaymentOrder.idempotency_key`), so a file read twice, or a file
from another municipality's account, changes nothing it should not.

Parsing is namespace-agnostic (camt.054.001.02 to .08 differ in namespace and in how the entry's
status is written: `<Sts>BOOK</Sts>` or `<Sts><Cd>BOOK</Cd></Sts>`) and refuses DTDs, entities
and network access (lxml's hardened parser).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from lxml import etree

from caseworker.audit.log import journal_write
from caseworker.models.audit import JournalCategory
from caseworker.models.caseload import Reminder
from caseworker.models.payments import PaymentOrder, PaymentStatus
from kernel.money import kronor_text
from notifications.delivery import notify_applicant
from notifications.models import NotificationKind

# The ISO 20022 return reasons a Swedish bank reports most often, in words (the code is kept).
RETURN_REASONS = {
    "AC01": "Felaktigt kontonummer",
    "AC04": "Kontot är avslutat",
    "AC06": "Kontot är spärrat",
    "AG01": "Transaktionen är inte tillåten på kontot",
    "AM04": "Otillräckligt täckning",
    "BE04": "Mottagarens adress saknas eller är felaktig",
    "MD07": "Kontohavaren är avliden",
    "MS03": "Okänd orsak från banken",
    "RC01": "Felaktigt clearingnummer",
}


class ReturnFileInvalid(ValueError):
    """Not a camt.054 notification we can read."""


@dataclass(frozen=True)
class ReturnEntry:
    end_to_end_id: str
    amount: Decimal
    booked: bool
    reason_code: str = ""
    reason_text: str = ""

    @property
    def returned(self) -> bool:
        return bool(self.reason_code or self.reason_text)


def _local(element: etree._Element) -> str:
    """An element's name without its namespace; "" for a comment, processing instruction or
    unresolved entity reference (they name nothing we read)."""
    if not isinstance(element.tag, str):
        return ""
    return etree.QName(element).localname


def _child(element: etree._Element, *path: str) -> etree._Element | None:
    current: etree._Element | None = element
    for name in path:
        if current is None:
            return None
        current = next((c for c in current if _local(c) == name), None)
    return current


def _text(element: etree._Element, *path: str) -> str:
    found = _child(element, *path)
    return (found.text or "").strip() if found is not None else ""


def _status(entry: etree._Element) -> str:
    status = _child(entry, "Sts")
    if status is None:
        return ""
    code = _child(status, "Cd")
    return ((code.text if code is not None else status.text) or "").strip()


def camt054_parse(data: bytes) -> list[ReturnEntry]:
    """Every transaction in the notification, with whether it was booked and, for a returned
    payment, the bank's reason."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ReturnFileInvalid(f"not XML: {exc}") from exc
    if root.getroottree().docinfo.doctype:
        raise ReturnFileInvalid("a document type declaration (DTD) is not accepted")
    notification = _child(root, "BkToCstmrDbtCdtNtfctn")
    if _local(root) != "Document" or notification is None:
        raise ReturnFileInvalid("not a camt.054 debit/credit notification")
    entries: list[ReturnEntry] = []
    for ntfctn in (c for c in notification if _local(c) == "Ntfctn"):
        for entry in (c for c in ntfctn if _local(c) == "Ntry"):
            booked = _status(entry) == "BOOK"
            details = _child(entry, "NtryDtls")
            transactions = (
                [c for c in details if _local(c) == "TxDtls"] if details is not None else []
            )
            for tx in transactions:
                end_to_end = _text(tx, "Refs", "EndToEndId")
                raw_amount = (
                    _text(tx, "AmtDtls", "TxAmt", "Amt")
                    or _text(tx, "Amt")
                    or (_text(entry, "Amt") if len(transactions) == 1 else "")
                )
                try:
                    amount = Decimal(raw_amount)
                except InvalidOperation as exc:
                    raise ReturnFileInvalid(f"no amount for {end_to_end or '?'}") from exc
                entries.append(
                    ReturnEntry(
                        end_to_end_id=end_to_end,
                        amount=amount,
                        booked=booked,
                        reason_code=_text(tx, "RtrInf", "Rsn", "Cd"),
                        reason_text=_text(tx, "RtrInf", "AddtlInf"),
                    )
                )
    return entries


@dataclass
class ReturnResult:
    paid: list[PaymentOrder] = field(default_factory=list)
    rejected: list[PaymentOrder] = field(default_factory=list)
    already: list[PaymentOrder] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # reported, not yet booked
    unknown: list[str] = field(default_factory=list)  # no order of ours (or another municipality's)
    mismatched: list[str] = field(default_factory=list)  # our order, another amount: not applied


def reason_words(entry: ReturnEntry) -> str:
    words = RETURN_REASONS.get(entry.reason_code, "")
    parts = [p for p in (words, entry.reason_text) if p]
    text = ": ".join(parts) if parts else "Banken angav ingen orsak"
    return f"{text} ({entry.reason_code})" if entry.reason_code else text


@transaction.atomic
def payment_returns_apply(
    entries: Iterable[ReturnEntry], *, municipality_id: int | None = None
) -> ReturnResult:
    """Mark each reported order paid (CONFIRMED) or rejected (FAILED, with the bank's reason),
    journalled on its case. Only orders that went to the bank (SENT) change; one already marked
    the same way is counted, not changed (a file read twice); an amount that differs from the
    order's is not applied but reported, for a person to look at."""
    result = ReturnResult()
    now = timezone.now()
    for entry in entries:
        orders = PaymentOrder.objects.select_for_update().select_related("application")
        if municipality_id is not None:
            orders = orders.filter(application__municipality_id=municipality_id)
        order = _order_for(orders, entry.end_to_end_id)
        if order is None:
            result.unknown.append(entry.end_to_end_id)
            continue
        if order.amount != entry.amount:
            result.mismatched.append(entry.end_to_end_id)
            continue
        target = PaymentStatus.FAILED if entry.returned else PaymentStatus.CONFIRMED
        if not entry.returned and not entry.booked:
            result.pending.append(entry.end_to_end_id)
            continue
        if order.status == target:
            result.already.append(order)
            continue
        if order.status != PaymentStatus.SENT:
            result.mismatched.append(entry.end_to_end_id)
            continue
        order.status = target
        order.bank_reported_at = now
        order.bank_reason = reason_words(entry) if entry.returned else ""
        order.save(update_fields=["status", "bank_reported_at", "bank_reason", "updated_at"])
        if entry.returned:
            result.rejected.append(order)
            text = (
                f"Banken avvisade utbetalningen på {kronor_text(order.amount)}: "
                f"{order.bank_reason}. Kontakta sökanden om ett annat konto."
            )
            _rejection_follow_up(order, text)
        else:
            result.paid.append(order)
            text = f"Banken har betalat ut {kronor_text(order.amount)} (kontoavisering camt.054)."
        journal_write(
            category=JournalCategory.PAYMENT, application=order.application, author=None, text=text
        )
    return result


def _rejection_follow_up(order: PaymentOrder, text: str) -> None:
    """Nobody may be left waiting for money that never came: the case owner gets a task due
    today (once while it is open) and the applicant a notice to log in, where the status page
    says the payment did not go through."""
    application = order.application
    if (
        application.owner_id is not None
        and not Reminder.objects.filter(
            application=application, text=text, done_at__isnull=True
        ).exists()
    ):
        Reminder.objects.create(
            application=application,
            owner_id=application.owner_id,
            due_on=timezone.localdate(),
            text=text[:300],
            created_by_id=application.owner_id,
        )
    notify_applicant(
        application=application,
        kind=NotificationKind.MESSAGE,
        key=f"payment-rejected:{order.pk}",
    )


def _order_for(orders: QuerySet[PaymentOrder], end_to_end_id: str) -> PaymentOrder | None:
    """Our pain.001 writes the order's idempotency key as 32 hex digits (caseworker.payments.
    services); anything else is not ours."""
    key = end_to_end_id.strip().replace("-", "").lower()
    if len(key) != 32 or any(ch not in "0123456789abcdef" for ch in key):
        return None
    return orders.filter(idempotency_key=uuid.UUID(hex=key)).first()
