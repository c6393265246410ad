"""#19 item 5 (begun): the bank's camt.054 notification read back: each payment order it reports
is marked paid or rejected, on the case, in the journal and on the applicant's timeline."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Municipality, User
from caseworker.models import JournalEntry
from caseworker.models.caseload import Reminder
from caseworker.models.payments import PaymentOrder, PaymentStatus
from caseworker.payments.returns import (
    ReturnFileInvalid,
    camt054_parse,
    payment_returns_apply,
)
from caseworker.payments.services import payment_file_create
from intake.services.timeline import timeline_for
from notifications.models import Notification
from tests.builders import client_for
from tests.caseworker.payments.test_payment_files_page import order_make

pytestmark = pytest.mark.usefixtures("frozen_wednesday", "private_media", "no_stickprov")

NS = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"


def camt054(*transactions: tuple[str, str, str, str], version_8: bool = False) -> bytes:
    """A debit notification with one entry per (end-to-end id, amount, status, return code)."""
    entries = []
    for end_to_end, amount, status, code in transactions:
        returned = (
            f"<RtrInf><Rsn><Cd>{code}</Cd></Rsn><AddtlInf>Kontot finns inte</AddtlInf></RtrInf>"
            if code
            else ""
        )
        sts = f"<Sts><Cd>{status}</Cd></Sts>" if version_8 else f"<Sts>{status}</Sts>"
        entries.append(
            f"<Ntry><Amt Ccy='SEK'>{amount}</Amt><CdtDbtInd>DBIT</CdtDbtInd>{sts}"
            f"<NtryDtls><TxDtls><Refs><EndToEndId>{end_to_end}</EndToEndId></Refs>"
            f"<AmtDtls><TxAmt><Amt Ccy='SEK'>{amount}</Amt></TxAmt></AmtDtls>{returned}"
            "</TxDtls></NtryDtls></Ntry>"
        )
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><Document xmlns='{NS}'><BkToCstmrDbtCdtNtfctn>"
        "<GrpHdr><MsgId>RETUR-1</MsgId><CreDtTm>2026-11-19T06:00:00</CreDtTm></GrpHdr>"
        f"<Ntfctn><Id>1</Id>{''.join(entries)}</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"
    ).encode()


@pytest.fixture
def sent(trelleborg: Municipality, caseworker: User) -> list[PaymentOrder]:
    orders = [order_make(trelleborg, caseworker, amount) for amount in ("4200", "3100", "999")]
    payment_file_create(day=date(2026, 11, 18), municipality=trelleborg)
    for order in orders:
        order.refresh_from_db()
        assert order.status == PaymentStatus.SENT
    return orders


def e2e(order: PaymentOrder) -> str:
    return order.idempotency_key.hex  # what pain.001 wrote as EndToEndId


def test_booked_orders_are_paid_and_returned_ones_rejected_with_the_banks_reason(
    sent: list[PaymentOrder], caseworker: User
) -> None:
    paid, returned, untouched = sent
    data = camt054(
        (e2e(paid), "4200.00", "BOOK", ""),
        (e2e(returned), "3100.00", "BOOK", "AC04"),
        ("NOTOURS-1", "50.00", "BOOK", ""),
    )
    result = payment_returns_apply(camt054_parse(data))
    assert [o.pk for o in result.paid] == [paid.pk]
    assert [o.pk for o in result.rejected] == [returned.pk]
    assert result.unknown == ["NOTOURS-1"]
    for order in sent:
        order.refresh_from_db()
    assert (paid.status, returned.status, untouched.status) == (
        PaymentStatus.CONFIRMED,
        PaymentStatus.FAILED,
        PaymentStatus.SENT,
    )
    assert returned.bank_reason == "Kontot är avslutat: Kontot finns inte (AC04)"
    # On the case page, in the journal and on the applicant's timeline.
    page = client_for(caseworker).get(
        reverse("caseworker:case_detail", args=[returned.application_id])
    )
    assert "Banken avvisade utbetalningen: Kontot är avslutat" in page.content.decode()
    journal = JournalEntry.objects.get(application=returned.application, category="payment")
    assert journal.text.startswith("Banken avvisade utbetalningen på 3\u00a0100\u00a0kr")
    titles = [entry.title for entry in timeline_for(returned.application)]
    assert "Utbetalningen gick inte igenom" in titles
    assert "Pengarna är utbetalda" in [entry.title for entry in timeline_for(paid.application)]
    # The status page no longer promises a future day once the bank has paid (stranger run).
    [entry] = [e for e in timeline_for(paid.application) if e.title == "Pengarna är utbetalda"]
    assert entry.detail == "4\u00a0200 kr. Banken har bekräftat utbetalningen."
    status = client_for(paid.application.applicant).get(f"/ansokan/{paid.application_id}/")
    text = status.content.decode()
    assert "Pengarna är utbetalda. Banken har bekräftat utbetalningen." in text
    assert "Pengarna betalas ut" not in text


def test_a_file_read_twice_changes_nothing_more(sent: list[PaymentOrder]) -> None:
    data = camt054((e2e(sent[0]), "4200.00", "BOOK", ""), version_8=True)
    first = payment_returns_apply(camt054_parse(data))
    second = payment_returns_apply(camt054_parse(data))
    assert len(first.paid) == 1 and second.paid == [] and len(second.already) == 1
    assert (
        JournalEntry.objects.filter(application=sent[0].application, category="payment").count()
        == 1
    )


def test_another_amount_or_a_pending_entry_is_not_applied(sent: list[PaymentOrder]) -> None:
    data = camt054((e2e(sent[0]), "4100.00", "BOOK", ""), (e2e(sent[1]), "3100.00", "PDNG", ""))
    result = payment_returns_apply(camt054_parse(data))
    assert result.mismatched == [e2e(sent[0])] and result.pending == [e2e(sent[1])]
    assert {PaymentOrder.objects.get(pk=o.pk).status for o in sent} == {PaymentStatus.SENT}


def test_another_municipalitys_orders_are_not_matched(
    sent: list[PaymentOrder], svedala: Municipality
) -> None:
    data = camt054((e2e(sent[0]), "4200.00", "BOOK", ""))
    result = payment_returns_apply(camt054_parse(data), municipality_id=svedala.pk)
    assert result.unknown == [e2e(sent[0])]
    assert PaymentOrder.objects.get(pk=sent[0].pk).status == PaymentStatus.SENT


@pytest.mark.parametrize(
    "data",
    [
        b"not xml",
        b"<Document><Other/></Document>",
        b"<?xml version='1.0'?><!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
        b"<Document><BkToCstmrDbtCdtNtfctn><Ntfctn><Ntry><Sts>BOOK</Sts><NtryDtls><TxDtls>"
        b"<Refs><EndToEndId>&x;</EndToEndId></Refs></TxDtls></NtryDtls></Ntry></Ntfctn>"
        b"</BkToCstmrDbtCdtNtfctn></Document>",
    ],
    ids=["not-xml", "not-camt054", "external-entity"],
)
def test_a_file_we_cannot_read_changes_nothing(data: bytes) -> None:
    with pytest.raises(ReturnFileInvalid):
        camt054_parse(data)


def test_the_command_reads_a_file_and_reports(
    sent: list[PaymentOrder], tmp_path: Path, trelleborg: Municipality
) -> None:
    path = tmp_path / "camt054.xml"
    path.write_bytes(camt054((e2e(sent[2]), "999.00", "BOOK", "")))
    out = io.StringIO()
    call_command("payment_returns_import", str(path), municipality=trelleborg.code, stdout=out)
    assert out.getvalue().startswith("paid 1, rejected 0")
    assert PaymentOrder.objects.get(pk=sent[2].pk).status == PaymentStatus.CONFIRMED


def test_amounts_are_compared_exactly(sent: list[PaymentOrder]) -> None:
    assert sent[2].amount == Decimal("999")
    result = payment_returns_apply(camt054_parse(camt054((e2e(sent[2]), "999", "BOOK", ""))))
    assert len(result.paid) == 1


def test_a_rejected_payment_gives_the_owner_a_task_and_the_applicant_a_notice_once(
    sent: list[PaymentOrder], caseworker: User
) -> None:
    """Found in a stranger run of `make prodlike`: a payment the bank returned left nobody with
    anything to do; the family would get no money and no word."""
    paid, returned, _untouched = sent
    data = camt054((e2e(paid), "4200.00", "BOOK", ""), (e2e(returned), "3100.00", "BOOK", "AC04"))
    payment_returns_apply(camt054_parse(data))
    payment_returns_apply(camt054_parse(data))  # the same file again changes nothing
    task = Reminder.objects.get(application=returned.application, done_at__isnull=True)
    assert task.owner_id == returned.application.owner_id
    assert task.text.startswith("Banken avvisade utbetalningen på 3\u00a0100\u00a0kr")
    assert not Reminder.objects.filter(application=paid.application).exists()
    notices = Notification.objects.filter(application=returned.application, kind="message")
    assert notices.count() == 1
    assert not Notification.objects.filter(application=paid.application, kind="message").exists()
