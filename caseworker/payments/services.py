"""Payments: one order per approved decision, created in the approval's transaction, and a daily
ISO 20022 pain.001.001.03 credit-transfer file in SEK per municipality (Swedish domestic account
transfers: clearing number as ClrSysMmbId "SESBA", the account as BBAN), paid from that
municipality's own account (`caseworker.payments.debtors`).

The payee's account is checked by the banks' rules (bankkonto) when it is given, when the order
is made and again when the order is put in a file: an order whose account fails is held (it
waits for an account, with the reason on the case) and never goes to the bank.

"Only once" lives in the database: PaymentOrder.decision is one-to-one, PaymentFileEntry.order
is unique, and orders move CREATED -> SENT in the same transaction as their file row.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import logging
from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, override
from lxml import etree

from accounts.models import (
    BankAccountInvalid,
    Municipality,
    User,
    bank_account_parts,
    validate_bank_account,
)
from caseworker.audit.log import journal_write
from caseworker.models.audit import JournalCategory
from caseworker.models.payments import PaymentFile, PaymentFileEntry, PaymentOrder, PaymentStatus
from caseworker.payments.debtors import Debtor, PaymentDebtorUnavailable, payment_debtor_for
from intake.events import TimelineEntry
from intake.models import Application, Decision, DecisionOutcome
from kernel.working_days import next_working_day

PAIN_001 = "pain.001.001.03"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{PAIN_001}"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
# How Swedish banks read the initiating party's organisation number (GrpHdr/InitgPty/Id/OrgId).
INITIATING_PARTY_SCHEME = "BANK"

logger = logging.getLogger(__name__)


class PaymentFileInvalid(Exception):
    """The generated file does not validate against the XSD: nothing is sent."""


def next_banking_day(after: date) -> date:
    """Weekends, public holidays and midsummer/christmas/new year's eve are not banking days."""
    return next_working_day(after)


def _hold_reason(error: BankAccountInvalid) -> str:
    """Stored on the order and shown on the case: Swedish, whatever language the request had."""
    with override("sv"):
        return f"Sökandens kontonummer går inte att betala till: {error.message}"[:300]


def _account_checked(bank_account: str) -> tuple[str, str, str]:
    """(clearing, account, why it cannot be paid to): blanks when there is no account, and the
    banks' objection when it fails their rules."""
    if not bank_account:
        return "", "", ""
    try:
        clearing, account = bank_account_parts(bank_account)
    except BankAccountInvalid as error:
        return "", "", _hold_reason(error)
    return clearing, account, ""


def payment_order_for_decision(decision: Decision) -> PaymentOrder | None:
    """Call in the approval's transaction. One order per decision however often it is called;
    none for a rejection. Without a bank account, or with one that fails the banks' rules, the
    order waits as "needs account" (for a failing one with the reason, journalled); a municipality
    that pays to the registered account pays there when no valid account was given."""
    if decision.outcome != DecisionOutcome.APPROVED or decision.amount <= 0:
        return None
    existing = PaymentOrder.objects.filter(decision=decision).first()
    if existing is not None:
        return existing
    application = decision.application
    applicant = application.applicant
    clearing, account, hold_reason = _account_checked(applicant.bank_account)
    registered = not account and application.municipality.pays_to_registered_account
    if registered:
        hold_reason = ""  # the account given is not used: the bank pays to the registered one
    decided_on = timezone.localdate(decision.decided_at or timezone.now())
    order = PaymentOrder(
        decision=decision,
        application=application,
        amount=decision.amount,
        payee_name=applicant.display_name()[:70],
        payee_personnummer=applicant.personnummer or "",
        clearing=clearing,
        account=account,
        status=PaymentStatus.CREATED if account or registered else PaymentStatus.NEEDS_ACCOUNT,
        to_registered_account=registered,
        payment_date=next_banking_day(decided_on),
        hold_reason=hold_reason,
    )
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        return PaymentOrder.objects.get(decision=decision)
    if hold_reason:
        _hold_journal(order)
    return order


def _hold_journal(order: PaymentOrder) -> None:
    journal_write(
        category=JournalCategory.PAYMENT,
        application=order.application,
        text=f"Utbetalningen hålls inne. {order.hold_reason} Registrera ett giltigt kontonummer.",
        author=None,
    )


@transaction.atomic
def payment_order_set_account(*, order: PaymentOrder, bank_account: str, by: User) -> PaymentOrder:
    """Register the payee's account on an order that waits for one (and on the applicant, for
    the months to come). The account number is not written to the journal."""
    validate_bank_account(bank_account)
    if not bank_account.strip():
        raise ValidationError("Skriv ett kontonummer.")
    clearing, account = bank_account_parts(bank_account)
    updated = PaymentOrder.objects.filter(pk=order.pk, status=PaymentStatus.NEEDS_ACCOUNT).update(
        clearing=clearing,
        account=account,
        status=PaymentStatus.CREATED,
        hold_reason="",
        payment_date=next_banking_day(timezone.localdate()),
        updated_at=timezone.now(),
    )
    if not updated:
        raise ValidationError("Utbetalningen väntar inte på ett kontonummer.")
    applicant = order.application.applicant
    applicant.bank_account = f"{clearing}-{account}"  # ASCII digits, as the bank reads them
    applicant.save(update_fields=["bank_account"])
    journal_write(
        category=JournalCategory.PAYMENT,
        application=order.application,
        text="Kontonummer för utbetalning registrerat; utbetalningen kan skickas.",
        author=by,
    )
    order.refresh_from_db()
    return order


def payments_waiting_take_account(user_id: int) -> None:
    """Subscriber of accounts' `bank_account_given`: the person's payment orders that wait for
    an account take the one they gave (journal entry by the person themselves)."""
    person = User.objects.get(pk=user_id)
    if not person.bank_account:
        return
    for order in PaymentOrder.objects.filter(
        application__applicant=person, status=PaymentStatus.NEEDS_ACCOUNT
    ).select_related("application__applicant"):
        payment_order_set_account(order=order, bank_account=person.bank_account, by=person)


# --- pain.001 -----------------------------------------------------------------------------------


@cache
def pain001_schema() -> etree.XMLSchema:
    """The official pain.001.001.03 XSD, as shipped in the sepaxml package."""
    path = importlib.resources.files("sepaxml") / "schemas" / f"{PAIN_001}.xsd"
    with importlib.resources.as_file(path) as xsd:
        return etree.XMLSchema(etree.parse(str(xsd)))


def pain001_validate(xml: bytes) -> None:
    """Raises PaymentFileInvalid unless `xml` is a pain.001.001.03 document the XSD accepts."""
    schema = pain001_schema()
    try:
        document = etree.fromstring(xml)
    except etree.XMLSyntaxError as error:
        raise PaymentFileInvalid(f"Not well-formed XML: {error}") from error
    if not schema.validate(document):
        # Where and what kind, not the message: it may quote a payee's name or account, and
        # this text is logged.
        last = schema.error_log.last_error
        where = f"{last.type_name} at line {last.line} ({last.path})" if last else "invalid"
        raise PaymentFileInvalid(where)


def _amount(value: Decimal) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01'))}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attrib=attrs)
    if text is not None:
        element.text = text
    return element


def _path(parent: etree._Element, *tags: str, text: str) -> etree._Element:
    for tag in tags[:-1]:
        parent = _sub(parent, tag)
    return _sub(parent, tags[-1], text)


def pain001_build(
    *,
    message_id: str,
    created_at: datetime,
    debtor: Debtor,
    orders_by_date: dict[date, list[PaymentOrder]],
) -> bytes:
    """The credit-transfer initiation for the orders, one payment block per execution date, from
    the municipality's account (`debtor`); the municipality initiates it, named by its
    organisation number."""
    all_orders = [order for orders in orders_by_date.values() for order in orders]
    root = etree.Element(f"{{{NAMESPACE}}}Document", nsmap={None: NAMESPACE})
    initiation = _sub(root, "CstmrCdtTrfInitn")
    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", message_id)
    _sub(header, "CreDtTm", created_at.astimezone(STOCKHOLM).replace(microsecond=0).isoformat())
    _sub(header, "NbOfTxs", str(len(all_orders)))
    _sub(header, "CtrlSum", _amount(sum((o.amount for o in all_orders), Decimal(0))))
    initiating_party = _sub(header, "InitgPty")
    _sub(initiating_party, "Nm", debtor.name[:70])
    organisation = _sub(_sub(_sub(initiating_party, "Id"), "OrgId"), "Othr")
    _sub(organisation, "Id", debtor.organisation_number)
    _path(organisation, "SchmeNm", "Cd", text=INITIATING_PARTY_SCHEME)
    for index, (execution_date, orders) in enumerate(sorted(orders_by_date.items()), start=1):
        block = _sub(initiation, "PmtInf")
        _sub(block, "PmtInfId", f"{message_id}-{index}"[:35])
        _sub(block, "PmtMtd", "TRF")
        _sub(block, "NbOfTxs", str(len(orders)))
        _sub(block, "CtrlSum", _amount(sum((o.amount for o in orders), Decimal(0))))
        _sub(block, "ReqdExctnDt", execution_date.isoformat())
        _path(block, "Dbtr", "Nm", text=debtor.name[:70])
        debtor_account = _sub(block, "DbtrAcct")
        _path(debtor_account, "Id", "IBAN", text=debtor.iban)
        _sub(debtor_account, "Ccy", "SEK")
        _path(block, "DbtrAgt", "FinInstnId", "BIC", text=debtor.bic)
        for order in orders:
            transfer = _sub(block, "CdtTrfTxInf")
            payment_id = _sub(transfer, "PmtId")
            _sub(payment_id, "InstrId", f"EB{order.pk}"[:35])
            _sub(payment_id, "EndToEndId", order.idempotency_key.hex)
            _path(transfer, "Amt", "InstdAmt", text=_amount(order.amount)).set("Ccy", "SEK")
            if order.to_registered_account:
                # No account: the payee is named by personnummer (NIDN) and the bank pays to
                # the account in its account register (the municipality's agreement, #17).
                creditor = _sub(transfer, "Cdtr")
                _sub(creditor, "Nm", order.payee_name[:70])
                person = _sub(_sub(_sub(creditor, "Id"), "PrvtId"), "Othr")
                _sub(person, "Id", order.payee_personnummer)
                _path(person, "SchmeNm", "Cd", text="NIDN")
            else:
                member = _sub(_sub(_sub(transfer, "CdtrAgt"), "FinInstnId"), "ClrSysMmbId")
                _path(member, "ClrSysId", "Cd", text="SESBA")
                _sub(member, "MmbId", order.clearing)
                _path(transfer, "Cdtr", "Nm", text=order.payee_name[:70])
                other = _sub(_sub(_sub(transfer, "CdtrAcct"), "Id"), "Othr")
                _sub(other, "Id", f"{order.clearing}{order.account}")
                _path(other, "SchmeNm", "Cd", text="BBAN")
            _path(
                transfer,
                "RmtInf",
                "Ustrd",
                text=f"Ekonomiskt bistand {order.application.month:%Y-%m} "
                f"{order.application.reference}"[:140],
            )
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _orders_waiting(day: date) -> QuerySet[PaymentOrder]:
    """CREATED orders made up to the end of ``day`` and in no file yet."""
    day_end = datetime.combine(day, time.max, tzinfo=STOCKHOLM)
    return PaymentOrder.objects.filter(
        status=PaymentStatus.CREATED, created_at__lte=day_end, file_entries__isnull=True
    )


@transaction.atomic
def payment_file_create(
    *,
    day: date,
    now: datetime | None = None,
    municipality: Municipality | None = None,
    created_by: User | None = None,
) -> PaymentFile | None:
    """Collect every CREATED order made up to the end of ``day`` (of ``municipality``) into one
    validated pain.001 file and mark them SENT in the same transaction. None when nothing waits.
    Running it twice, or twice at once (a double click), makes no second file for the same
    orders: the orders are locked, and the second run finds them SENT or fails on the unique
    entry. A file is one municipality's, paid from its own account: without ``municipality`` the
    waiting orders must all be of one (`payment_files_create` makes one file per municipality).
    PaymentDebtorUnavailable, and nothing changes, when the municipality has no valid paying
    account. An order whose account fails the banks' rules is held (it waits for an account,
    with the reason on its case) and left out."""
    now = now or timezone.now()
    waiting = _orders_waiting(day)
    if municipality is not None:
        waiting = waiting.filter(application__municipality=municipality)
    orders = list(
        waiting.select_related("application").select_for_update(of=("self",)).order_by("pk")
    )
    if not orders:
        return None
    municipality_ids = {order.application.municipality_id for order in orders}
    if len(municipality_ids) > 1:
        raise ValueError("A payment file holds one municipality's orders: name the municipality.")
    if municipality is None:
        municipality = Municipality.objects.get(pk=municipality_ids.pop())
    debtor = payment_debtor_for(municipality)
    orders = _orders_payable(orders)
    if not orders:
        return None
    earliest = next_banking_day(day)
    by_date: dict[date, list[PaymentOrder]] = defaultdict(list)
    moved: list[PaymentOrder] = []
    for order in orders:
        if order.payment_date < earliest:
            order.payment_date = earliest
            moved.append(order)
        by_date[order.payment_date].append(order)
    sequence = PaymentFile.objects.filter(created_for=day).count() + 1
    message_id = f"EB{day:%Y%m%d}-{sequence:03d}"
    xml = pain001_build(
        message_id=message_id, created_at=now, debtor=debtor, orders_by_date=dict(by_date)
    )
    pain001_validate(xml)
    payment_file = PaymentFile(
        message_id=message_id,
        created_for=day,
        municipality=municipality,
        created_by=created_by,
        sha256=hashlib.sha256(xml).hexdigest(),
        number_of_orders=len(orders),
        control_sum=sum((o.amount for o in orders), Decimal(0)),
    )
    payment_file.xml.save(f"{message_id}.xml", ContentFile(xml), save=False)
    try:
        payment_file.save()
        PaymentFileEntry.objects.bulk_create(
            [PaymentFileEntry(file=payment_file, order=order) for order in orders]
        )
        if moved:
            PaymentOrder.objects.bulk_update(moved, ["payment_date"])
        sent = PaymentOrder.objects.filter(
            pk__in=[o.pk for o in orders], status=PaymentStatus.CREATED
        ).update(status=PaymentStatus.SENT, updated_at=now)
        if sent != len(orders):
            raise IntegrityError("An order changed while the payment file was made.")
    except IntegrityError:
        payment_file.xml.delete(save=False)
        raise
    return payment_file


def _orders_payable(orders: list[PaymentOrder]) -> list[PaymentOrder]:
    """The orders whose account passes the banks' rules today; the others are held (back to
    waiting for an account, with the reason, journalled) and are not put in the file. An account
    is checked on input and when the order is made; this catches one that was stored otherwise
    or a clearing range the banks have since retired."""
    payable = []
    for order in orders:
        if order.to_registered_account:
            payable.append(order)
            continue
        try:
            bank_account_parts(f"{order.clearing}-{order.account}")
        except BankAccountInvalid as error:
            order.status = PaymentStatus.NEEDS_ACCOUNT
            order.hold_reason = _hold_reason(error)
            order.save(update_fields=["status", "hold_reason", "updated_at"])
            _hold_journal(order)
            continue
        payable.append(order)
    return payable


def payment_files_create(*, day: date, now: datetime | None = None) -> list[PaymentFile]:
    """The daily run (command and task): one file per municipality with orders waiting, each in
    its own transaction. A municipality without a valid paying account gets no file (logged as
    an error; its orders wait) and the others get theirs."""
    municipality_ids = sorted(
        set(_orders_waiting(day).values_list("application__municipality_id", flat=True))
    )
    files = []
    for municipality in Municipality.objects.filter(pk__in=municipality_ids).order_by("pk"):
        try:
            payment_file = payment_file_create(day=day, now=now, municipality=municipality)
        except PaymentDebtorUnavailable as error:
            logger.error("Payment file not made: %s", error)
            continue
        if payment_file is not None:
            files.append(payment_file)
    return files


def payment_debtors_missing(day: date) -> list[PaymentDebtorUnavailable]:
    """The municipalities whose orders wait for a file (up to ``day``) without a valid paying
    account: why each gets no file."""
    waiting = _orders_waiting(day).values_list("application__municipality_id", flat=True)
    missing = []
    for municipality in Municipality.objects.filter(pk__in=set(waiting)).order_by("code"):
        try:
            payment_debtor_for(municipality)
        except PaymentDebtorUnavailable as error:
            missing.append(error)
    return missing


def payment_file_read(payment_file: PaymentFile) -> bytes:
    with payment_file.xml.open("rb") as handle:
        data = bytes(handle.read())
    if hashlib.sha256(data).hexdigest() != payment_file.sha256:
        raise ValueError(f"Payment file {payment_file.pk} does not match its checksum")
    return data


def status_timeline(application: Application) -> list[TimelineEntry]:
    """intake's timeline asks (`intake.events.status_timeline`): the payment, planned, paid or
    failed."""
    entries = []
    for order in PaymentOrder.objects.filter(application=application):
        day = date_format(order.payment_date, "l j F Y")
        if order.status == PaymentStatus.NEEDS_ACCOUNT:
            title = gettext("Utbetalningen väntar på ditt kontonummer")
            detail = gettext("Din handläggare hör av sig.")
        elif order.status == PaymentStatus.FAILED:
            title = gettext("Utbetalningen gick inte igenom")
            detail = gettext("Din handläggare hör av sig om hur du får pengarna.")
        elif order.status == PaymentStatus.CONFIRMED:
            # The bank's report is the news (the entry's time): not the planned day, which
            # may still lie ahead when the bank pays early.
            title = gettext("Pengarna är utbetalda")
            detail = gettext("%(amount)s kr. Banken har bekräftat utbetalningen.") % {
                "amount": number_format(order.amount, decimal_pos=0, force_grouping=True),
            }
        else:
            title = gettext("Utbetalning planerad")
            detail = gettext("%(amount)s kr betalas ut %(day)s.") % {
                "amount": number_format(order.amount, decimal_pos=0, force_grouping=True),
                "day": day,
            }
        entries.append(TimelineEntry(order.updated_at, title, detail, kind="payment"))
    return entries
