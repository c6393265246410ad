"""Payments: one order per approval, never paid twice, and a valid pain.001.001.03 file."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils.formats import date_format
from lxml import etree

from accounts.models import Municipality, User, bank_account_parts
from caseworker.letters.render import letter_context
from caseworker.models import AccessAction, AccessLog, JournalEntry
from caseworker.models.payments import PaymentFile, PaymentFileEntry, PaymentOrder, PaymentStatus
from caseworker.payments.debtors import PaymentDebtorUnavailable
from caseworker.payments.services import (
    NAMESPACE,
    PaymentFileInvalid,
    next_banking_day,
    pain001_validate,
    payment_file_create,
    payment_file_read,
    payment_order_for_decision,
    payment_order_set_account,
)
from intake.models import Application, Decision, DecisionOutcome
from intake.services import ConcurrentTransition, application_transition
from intake.states import Actor, Status, TransitionNotAllowed
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("frozen_wednesday", "private_media", "no_stickprov")

ACCOUNT = "6000-123456789"
NS = {"p": NAMESPACE}


@pytest.fixture
def with_account(applicant: User) -> User:
    applicant.bank_account = ACCOUNT
    applicant.full_clean()
    applicant.save(update_fields=["bank_account"])
    return applicant


@pytest.fixture
def approved(
    with_account: User, submitted_application: Application, decide: Callable[..., Decision]
) -> Decision:
    return decide(submitted_application)


# --- the order ----------------------------------------------------------------------------------


def test_an_approval_creates_one_order_for_the_next_banking_day(approved: Decision) -> None:
    order = PaymentOrder.objects.get(decision=approved)

    assert order.amount == approved.amount
    assert order.status == PaymentStatus.CREATED
    assert (order.clearing, order.account) == ("6000", "123456789")
    assert order.payee_personnummer == approved.application.applicant.personnummer
    assert order.payment_date == date(2026, 11, 19)  # decided Wednesday 18 November


def test_calling_the_hook_again_returns_the_same_order(approved: Decision) -> None:
    first = PaymentOrder.objects.get(decision=approved)
    assert payment_order_for_decision(approved).pk == first.pk
    assert PaymentOrder.objects.count() == 1


def test_the_database_refuses_a_second_order_for_a_decision(approved: Decision) -> None:
    first = PaymentOrder.objects.get(decision=approved)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentOrder.objects.create(
            decision=approved,
            application=approved.application,
            amount=first.amount,
            payee_name="x",
            payee_personnummer="x",
            clearing="6000",
            account="123456789",
            payment_date=first.payment_date,
        )


def test_a_rejection_creates_no_order(
    submitted_application: Application, decide: Callable[..., Decision]
) -> None:
    decide(submitted_application, outcome=DecisionOutcome.REJECTED)
    assert not PaymentOrder.objects.exists()


def test_without_an_account_the_order_waits_and_the_caseworker_can_add_one(
    submitted_application: Application, decide: Callable[..., Decision], caseworker: User
) -> None:
    decision = decide(submitted_application)
    order = PaymentOrder.objects.get(decision=decision)
    assert order.status == PaymentStatus.NEEDS_ACCOUNT
    assert payment_file_create(day=date(2026, 11, 18)) is None  # nothing to send yet

    client = Client()
    client.login(username=caseworker.username, password=PASSWORD)
    url = reverse("caseworker:payment_order_detail", args=[submitted_application.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Väntar på kontonummer" in html
    # No payment day is promised that a missing account makes impossible (stranger run).
    assert "När ett konto är registrerat" in html
    assert date_format(order.payment_date, "j F Y") not in html
    assert client.post(url, {"bank_account": "12"}).status_code == 400
    response = client.post(url, {"bank_account": "8327-9 123 456 789-0"})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == PaymentStatus.CREATED
    assert (order.clearing, order.account) == ("83279", "1234567890")
    assert User.objects.get(pk=submitted_application.applicant_id).bank_account
    journal = JournalEntry.objects.filter(application=submitted_application).last()
    assert "Kontonummer" in journal.text and "1234567890" not in journal.text
    assert AccessLog.objects.filter(user=caseworker, action=AccessAction.CHANGE).exists()


def test_an_order_with_an_account_cannot_be_given_another(
    approved: Decision, caseworker: User
) -> None:
    order = PaymentOrder.objects.get(decision=approved)
    with pytest.raises(ValidationError):
        payment_order_set_account(order=order, bank_account="5000-1234567", by=caseworker)


def test_staff_of_another_municipality_cannot_see_the_payment(
    approved: Decision, make_staff: Callable[..., User], svedala: Municipality
) -> None:
    from accounts.models import Role

    outsider = make_staff("svedala_hl", Role.CASEWORKER, svedala)
    client = Client()
    client.login(username=outsider.username, password=PASSWORD)
    url = reverse("caseworker:payment_order_detail", args=[approved.application.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("value", "parts"),
    [
        ("6000-123456789", ("6000", "123456789")),
        ("8327-9 123 456 789-0", ("83279", "1234567890")),
        ("5000 12 345 60", ("5000", "1234560")),
        ("3300 870214-1238", ("3300", "8702141238")),
        ("9570-123 456 789 7", ("9570", "1234567897")),
        ("6000-12345678 9", ("6000", "123456789")),
    ],
)
def test_bank_accounts_are_split_into_clearing_and_account(
    value: str, parts: tuple[str, str]
) -> None:
    assert bank_account_parts(value) == parts


@pytest.mark.parametrize(
    "value",
    [
        "123",
        "6000-12345",
        "6000-12345678901",
        "SE45 5000 0000",
        "5000 12 345 67",  # SEB: wrong check digit
        "6000-123456788",  # Handelsbanken: wrong check digit
        "0999-1234567",  # no bank has clearing 0999
        "5000-12345678",  # SEB accounts have 7 digits
    ],
)
def test_malformed_bank_accounts_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        bank_account_parts(value)


@pytest.mark.parametrize(
    ("day", "banking_day"),
    [
        (date(2026, 11, 20), date(2026, 11, 23)),  # Friday -> Monday
        (date(2026, 12, 23), date(2026, 12, 28)),  # Christmas Eve, Christmas, Boxing Day
        (date(2026, 6, 18), date(2026, 6, 22)),  # Midsummer Eve and Day
    ],
)
def test_payment_dates_skip_weekends_and_bank_holidays(day: date, banking_day: date) -> None:
    assert next_banking_day(day) == banking_day


def test_the_status_page_shows_the_payment_date(approved: Decision) -> None:
    client = Client()
    client.force_login(approved.application.applicant)
    page = client.get(reverse("intake:application_detail", args=[approved.application.pk]))
    assert "Pengarna betalas ut torsdag 19 november 2026" in page.content.decode()


# --- concurrency --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_make_one_decision_and_one_payment(
    with_account: User, submitted_application: Application, caseworker: User
) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve() -> None:
        try:
            application = Application.objects.get(pk=submitted_application.pk)
            barrier.wait(timeout=10)
            try:
                with transaction.atomic():
                    application_transition(
                        application=application,
                        to=Status.APPROVED,
                        actor_kind=Actor.CASEWORKER,
                        actor=caseworker,
                        reason="Beviljas.",
                    )
                    decision = Decision.objects.create(
                        application=application,
                        outcome=DecisionOutcome.APPROVED,
                        amount=Decimal(5000),
                        reason="Beviljas.",
                        decided_by=caseworker,
                    )
                    payment_order_for_decision(decision)
                outcomes.append("approved")
            except (ConcurrentTransition, TransitionNotAllowed):
                outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["approved", "refused"]
    assert Decision.objects.filter(application=submitted_application).count() == 1
    assert PaymentOrder.objects.filter(application=submitted_application).count() == 1


# --- pain.001 -----------------------------------------------------------------------------------


def test_the_daily_file_is_valid_pain001_and_sends_each_order(
    approved: Decision, private_media: Path
) -> None:
    payment_file = payment_file_create(day=date(2026, 11, 18))

    assert payment_file is not None
    order = PaymentOrder.objects.get(decision=approved)
    assert order.status == PaymentStatus.SENT
    assert payment_file.number_of_orders == 1
    assert payment_file.control_sum == approved.amount
    assert Path(payment_file.xml.path).is_relative_to(private_media)
    xml = payment_file_read(payment_file)
    pain001_validate(xml)  # raises when invalid
    document = etree.fromstring(xml)
    assert document.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=NS) == "1"
    assert document.findtext(".//p:ReqdExctnDt", namespaces=NS) == "2026-11-19"
    amount = document.find(".//p:InstdAmt", namespaces=NS)
    assert amount.get("Ccy") == "SEK" and Decimal(amount.text) == approved.amount
    assert document.findtext(".//p:EndToEndId", namespaces=NS) == order.idempotency_key.hex
    assert document.findtext(".//p:ClrSysMmbId/p:MmbId", namespaces=NS) == "6000"
    assert document.findtext(".//p:CdtrAcct/p:Id/p:Othr/p:Id", namespaces=NS) == "6000123456789"
    assert approved.application.applicant.personnummer.encode() not in xml


def test_an_invalid_document_fails_validation(approved: Decision) -> None:
    payment_file = payment_file_create(day=date(2026, 11, 18))
    document = etree.fromstring(payment_file_read(payment_file))
    amount = document.find(".//p:InstdAmt", namespaces=NS)
    amount.attrib.pop("Ccy")  # the currency is required
    with pytest.raises(PaymentFileInvalid):
        pain001_validate(etree.tostring(document))


def test_a_bad_debtor_account_makes_no_file_and_sends_nothing(
    approved: Decision, settings: object
) -> None:
    settings.PAYMENT_DEBTOR_IBAN = "not an iban"
    with pytest.raises(PaymentDebtorUnavailable, match="iban"):
        payment_file_create(day=date(2026, 11, 18))
    assert not PaymentFile.objects.exists()
    assert PaymentOrder.objects.get(decision=approved).status == PaymentStatus.CREATED


def test_each_order_is_in_at_most_one_file(approved: Decision) -> None:
    first = payment_file_create(day=date(2026, 11, 18))
    assert payment_file_create(day=date(2026, 11, 18)) is None
    assert payment_file_create(day=date(2026, 11, 19)) is None
    assert PaymentFileEntry.objects.count() == 1

    order = PaymentOrder.objects.get(decision=approved)
    second = PaymentFile.objects.create(
        message_id="EB-manual",
        created_for=date(2026, 11, 19),
        sha256="0" * 64,
        number_of_orders=1,
        control_sum=order.amount,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentFileEntry.objects.create(file=second, order=order)
    assert first.entries.get().order == order


def test_a_late_file_moves_the_payment_date_forward(approved: Decision) -> None:
    payment_file_create(day=date(2026, 11, 20))  # Friday: the order waited two days
    order = PaymentOrder.objects.get(decision=approved)
    assert order.payment_date == date(2026, 11, 23)


def test_the_command_makes_the_file_for_a_date(
    approved: Decision, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("payment_file_create", "--date", "2026-11-18")
    assert "EB20261118-001: 1 orders" in capsys.readouterr().out
    call_command("payment_file_create", "--date", "2026-11-18")
    assert "No payment orders waiting" in capsys.readouterr().out
    assert PaymentFile.objects.count() == 1


def test_a_municipality_paying_to_the_registered_account_needs_no_account_number(
    submitted_application: Application,
    decide: Callable[..., Decision],
    private_media: Path,
) -> None:
    """#17: where the municipality pays to the account linked to the personnummer (Bankgirot's
    account register), no account is asked and the payment goes out all the same."""
    municipality = submitted_application.municipality
    municipality.pays_to_registered_account = True
    municipality.save(update_fields=["pays_to_registered_account"])
    decision = decide(submitted_application)
    order = PaymentOrder.objects.get(decision=decision)
    assert (order.status, order.to_registered_account, order.account) == (
        PaymentStatus.CREATED,
        True,
        "",
    )
    payment_file = payment_file_create(day=date(2026, 11, 18))
    assert payment_file is not None
    xml = payment_file_read(payment_file)
    pain001_validate(xml)
    document = etree.fromstring(xml)
    person = document.find(".//p:Cdtr/p:Id/p:PrvtId/p:Othr", namespaces=NS)
    assert person.findtext("p:Id", namespaces=NS) == order.payee_personnummer
    assert person.findtext("p:SchmeNm/p:Cd", namespaces=NS) == "NIDN"
    assert document.find(".//p:CdtrAcct", namespaces=NS) is None
    assert "kopplat till ditt personnummer" in letter_context(decision)["payment_text"]
