"""#19 item 5: each municipality pays from its own account (PAYMENT_DEBTORS): the entries are
checked (IBAN, BIC, organisation number, bankgiro, clearing and account), each municipality's
pain.001 names its own debtor, a municipality without one gets no file, and a payee's account
that fails the banks' rules is held with the reason on the case."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from lxml import etree

from accounts.models import Municipality, Role, User
from caseworker.models import JournalEntry
from caseworker.models.payments import PaymentFile, PaymentOrder, PaymentStatus
from caseworker.payments.checks import payment_debtor_problems
from caseworker.payments.debtors import (
    PaymentDebtorUnavailable,
    bankgiro_problems,
    bic_problems,
    debtor_entries,
    debtor_entry,
    iban_checksum_valid,
    iban_problems,
    organisation_number_problems,
    payment_debtor_for,
)
from caseworker.payments.services import (
    NAMESPACE,
    pain001_validate,
    payment_file_create,
    payment_file_read,
    payment_files_create,
    payment_order_set_account,
)
from intake.services.timeline import timeline_for
from tests.builders import client_for
from tests.caseworker.payments.test_payment_files_page import order_make

pytestmark = pytest.mark.usefixtures("frozen_wednesday", "private_media", "no_stickprov")

DAY = date(2026, 11, 18)
NS = {"p": NAMESPACE}
CREATE = reverse("caseworker:payment_file_create")
LIST = reverse("caseworker:payment_files")

TRELLEBORG = {  # SEB 5839-8257466 inside its IBAN
    "name": "Trelleborgs kommun",
    "organisation_number": "212000-1231",
    "iban": "SE45 5000 0000 0583 9825 7466",
    "bic": "ESSESESS",
    "bankgiro": "5050-1055",
    "clearing": "5839",
    "account": "8257466",
}
SVEDALA = {  # Handelsbanken: the IBAN holds the account without the clearing number
    "name": "Svedala kommun",
    "organisation_number": "2120001223",
    "iban": "SE7160000000000123456789",
    "bic": "HANDSESS",
}


def iban(country: str, bban: str) -> str:
    """An IBAN with the right check digits (ISO 13616), computed independently of the code."""
    number = int("".join(str(int(ch, 36)) for ch in bban + country + "00"))
    return f"{country}{98 - number % 97:02d}{bban}"


def configured(settings: Any, **entries: dict[str, str]) -> None:
    settings.PAYMENT_DEBTORS = json.dumps({code: entry for code, entry in entries.items()})


@pytest.fixture
def production_like(settings: Any) -> None:
    """Where the example account is not allowed: only PAYMENT_DEBTORS counts."""
    settings.DEBUG = False
    settings.ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG = False


# --- the checks, pure ---------------------------------------------------------------------------


def test_the_iban_helper_and_the_code_agree_on_known_ibans() -> None:
    assert iban("SE", "50000000058398257466") == "SE4550000000058398257466"
    assert iban_checksum_valid("GB82 WEST 1234 5698 7654 32")  # ISO 13616's own example
    assert iban_checksum_valid(iban("SE", "80000832791234567890"))


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param("SE4550000000058398257466", None, id="valid"),
        pytest.param("se45 5000 0000 0583 9825 7466", None, id="spaces-and-lower-case"),
        pytest.param("SE4650000000058398257466", "check digits", id="check-digits-wrong"),
        pytest.param("SE4550000000058398257467", "check digits", id="one-digit-changed"),
        pytest.param("SE455000000005839825746", "SE and 22 digits", id="too-short"),
        pytest.param("GB82WEST12345698765432", "not a Swedish IBAN", id="foreign"),
        pytest.param("not an iban", "not a Swedish IBAN", id="garbage"),
    ],
)
def test_an_iban_is_swedish_and_its_check_digits_right(value: str, problem: str | None) -> None:
    problems = iban_problems(value)
    assert (problems == []) if problem is None else (problem in problems[0])


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("ESSESESS", True),
        ("HANDSESSXXX", True),
        ("essesess", True),
        ("ESSESES", False),  # 7 characters
        ("ESSESESSX", False),  # 9
        ("ESS1SESS", False),  # a digit in the bank code
        ("ESSESE1S", False),  # location "1S": the XSD refuses 0 and 1 as its first character
    ],
)
def test_a_bic_has_the_iso_9362_form(value: str, ok: bool) -> None:
    assert (bic_problems(value) == []) is ok


def test_the_bic_and_the_iban_are_in_the_same_country() -> None:
    assert bic_problems("DEUTDEFF", iban="SE4550000000058398257466") == [
        "bic: the bank is in DE, the IBAN in SE"
    ]


@pytest.mark.parametrize(
    ("value", "ok"),
    [("5050-1055", True), ("991-2346", True), ("5050-1056", False), ("505", False), ("x", False)],
)
def test_a_bankgiro_number_has_its_mod_10_digit(value: str, ok: bool) -> None:
    assert (bankgiro_problems(value) == []) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("212000-1231", True),
        ("162120001231", True),  # with the "16" prefix
        ("212000-1232", False),  # check digit
        ("201701012393", False),  # a personnummer is not an organisation number
        ("8001011234", False),  # third digit below 2: a person
    ],
)
def test_an_organisation_number_is_a_legal_persons_with_its_check_digit(
    value: str, ok: bool
) -> None:
    assert (organisation_number_problems(value) == []) is ok


def test_a_good_entry_is_normalised() -> None:
    entry = debtor_entry("1287", TRELLEBORG)
    assert entry.problems == ()
    assert entry.debtor is not None
    assert entry.debtor.iban == "SE4550000000058398257466"
    assert entry.debtor.organisation_number == "2120001231"
    assert entry.debtor.bankgiro == "50501055"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        pytest.param({"iban": "SE4650000000058398257466"}, "iban: the check digits", id="iban"),
        pytest.param({"bic": "ESSE"}, "bic: not a BIC", id="bic"),
        pytest.param({"bankgiro": "5050-1056"}, "bankgiro: the check digit", id="bankgiro"),
        pytest.param({"organisation_number": "212000-1232"}, "organisation_number", id="orgnr"),
        pytest.param({"name": ""}, "name: missing", id="no-name"),
        pytest.param({"name": "x" * 71}, "name: at most 70", id="long-name"),
        pytest.param({"account": "8257467"}, "clearing/account: Kontonumret", id="account-digit"),
        pytest.param({"clearing": "9999"}, "clearing/account: Clearingnumret", id="clearing"),
        pytest.param({"account": ""}, "clearing/account: give both", id="clearing-alone"),
        pytest.param({"typo": "x"}, "unknown keys: typo", id="unknown-key"),
    ],
)
def test_a_bad_entry_says_what_is_wrong(change: dict[str, str], problem: str) -> None:
    entry = debtor_entry("1287", {**TRELLEBORG, **change})
    assert entry.debtor is None
    assert any(p.startswith(problem) for p in entry.problems), entry.problems


def test_a_valid_account_that_is_not_the_one_in_the_iban_is_refused() -> None:
    # 6000-123456789 is a valid Handelsbanken account, but the IBAN holds SEB 5839-8257466.
    entry = debtor_entry("1287", {**TRELLEBORG, "clearing": "6000", "account": "123456789"})
    assert entry.problems == ("clearing/account: not the account the IBAN holds",)


def test_the_iban_may_hold_the_account_with_or_without_the_clearing_number() -> None:
    swedbank = iban("SE", "80000832791234567890")  # the 5-digit clearing number in the IBAN
    assert debtor_entry("1287", {**SVEDALA, "clearing": "6000", "account": "123456789"}).debtor
    assert debtor_entry(
        "1287",
        {**SVEDALA, "iban": swedbank, "bic": "SWEDSESS", "clearing": "8327-9",
         "account": "123 456 789-0"},
    ).debtor  # fmt: skip


def test_the_configuration_is_read_from_json_text_or_a_mapping() -> None:
    text = json.dumps({"1287": TRELLEBORG, "12x": SVEDALA})
    entries = debtor_entries(text)
    assert entries["1287"].debtor is not None
    assert entries["12x"].problems == ("'12x' is not a municipality code (4 digits)",)
    assert debtor_entries("") == {}
    assert debtor_entries({"1263": SVEDALA})["1263"].debtor is not None


# --- the system check ---------------------------------------------------------------------------


def test_the_check_passes_good_entries(settings: Any) -> None:
    configured(settings, **{"1287": TRELLEBORG, "1263": SVEDALA})
    assert payment_debtor_problems() == []


def test_the_check_reports_unreadable_json_and_bad_entries(settings: Any) -> None:
    settings.PAYMENT_DEBTORS = '{"1287": {"name": '
    assert [m.id for m in payment_debtor_problems()] == ["bistand.E130"]
    settings.PAYMENT_DEBTORS = '["1287"]'
    assert [m.id for m in payment_debtor_problems()] == ["bistand.E130"]

    configured(settings, **{"1287": {**TRELLEBORG, "iban": "SE4650000000058398257466"}})
    (message,) = payment_debtor_problems()
    assert message.id == "bistand.E131"
    assert "'1287'" in message.msg and "check digits" in message.msg


def test_the_check_reports_a_bad_example_account_where_it_is_used(settings: Any) -> None:
    settings.PAYMENT_DEBTOR_BIC = "nonsense"
    assert [m.id for m in payment_debtor_problems()] == ["bistand.E132"]


def test_the_check_warns_in_production_when_no_municipality_has_an_account(
    settings: Any, production_like: None
) -> None:
    settings.PAYMENT_DEBTORS = ""
    settings.PAYMENT_DEBTOR_BIC = "nonsense"  # the example account is not used here
    assert [m.id for m in payment_debtor_problems()] == ["bistand.W130"]


def test_the_check_runs_with_manage_py_check(settings: Any) -> None:
    configured(settings, **{"1287": {**TRELLEBORG, "bic": "X"}})
    with pytest.raises(Exception, match=r"bistand\.E131"):
        call_command("check", "--tag", "payments")


# --- the command that lists municipalities without an account ---------------------------------


def test_the_command_lists_municipalities_without_an_account(
    settings: Any, production_like: None, trelleborg: Municipality, svedala: Municipality
) -> None:
    configured(settings, **{"1287": TRELLEBORG, "0180": SVEDALA})
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 municipality"):
        call_command("payment_debtors_check", stdout=out)
    text = out.getvalue()
    assert "1287 Trelleborg: ok: Trelleborgs kommun, SE4550000000058398257466" in text
    assert "1263 Svedala: MISSING" in text
    assert "0180: configured, but no such municipality" in text

    configured(settings, **{"1287": TRELLEBORG, "1263": SVEDALA})
    call_command("payment_debtors_check", stdout=io.StringIO())  # no error


# --- each municipality's file, its own debtor ---------------------------------------------------


def test_two_municipalities_make_two_files_each_from_its_own_account(
    settings: Any,
    production_like: None,
    caseworker: User,
    trelleborg: Municipality,
    svedala: Municipality,
    make_staff: Callable[..., User],
) -> None:
    configured(settings, **{"1287": TRELLEBORG, "1263": SVEDALA})
    order_make(trelleborg, caseworker, "4200")
    order_make(svedala, make_staff("sv", Role.CASEWORKER, svedala), "3100")

    files = payment_files_create(day=DAY)

    assert len(files) == 2
    seen = {}
    for payment_file in files:
        xml = payment_file_read(payment_file)
        pain001_validate(xml)  # the XSD still accepts it
        document = etree.fromstring(xml)
        seen[payment_file.municipality_id] = (
            document.findtext(".//p:InitgPty/p:Nm", namespaces=NS),
            document.findtext(".//p:InitgPty/p:Id/p:OrgId/p:Othr/p:Id", namespaces=NS),
            document.findtext(".//p:InitgPty/p:Id/p:OrgId/p:Othr/p:SchmeNm/p:Cd", namespaces=NS),
            document.findtext(".//p:PmtInf/p:Dbtr/p:Nm", namespaces=NS),
            document.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS),
            document.findtext(".//p:DbtrAgt/p:FinInstnId/p:BIC", namespaces=NS),
        )
    assert seen == {
        trelleborg.pk: (
            "Trelleborgs kommun",
            "2120001231",
            "BANK",
            "Trelleborgs kommun",
            "SE4550000000058398257466",
            "ESSESESS",
        ),
        svedala.pk: (
            "Svedala kommun",
            "2120001223",
            "BANK",
            "Svedala kommun",
            "SE7160000000000123456789",
            "HANDSESS",
        ),
    }


def test_a_municipality_without_an_account_gets_no_file_and_the_others_do(
    settings: Any,
    production_like: None,
    caseworker: User,
    trelleborg: Municipality,
    svedala: Municipality,
    make_staff: Callable[..., User],
    caplog: pytest.LogCaptureFixture,
) -> None:
    configured(settings, **{"1287": TRELLEBORG})
    order_make(trelleborg, caseworker, "4200")
    waiting = order_make(svedala, make_staff("sv", Role.CASEWORKER, svedala), "3100")

    with pytest.raises(PaymentDebtorUnavailable, match="1263 Svedala: no entry"):
        payment_file_create(day=DAY, municipality=svedala)
    with caplog.at_level(logging.ERROR, logger="caseworker.payments.services"):
        files = payment_files_create(day=DAY)

    assert [f.municipality_id for f in files] == [trelleborg.pk]
    waiting.refresh_from_db()
    assert waiting.status == PaymentStatus.CREATED  # it waits, untouched
    assert "No paying account for 1263 Svedala" in caplog.text


def test_the_daily_command_names_the_municipality_without_an_account(
    settings: Any,
    production_like: None,
    svedala: Municipality,
    make_staff: Callable[..., User],
) -> None:
    order_make(svedala, make_staff("sv", Role.CASEWORKER, svedala), "3100")
    err = io.StringIO()
    with pytest.raises(CommandError, match="no valid paying account"):
        call_command("payment_file_create", "--date", DAY.isoformat(), stderr=err)
    assert "1263 Svedala" in err.getvalue()
    assert not PaymentFile.objects.exists()


def test_the_example_account_is_not_used_in_production(
    production_like: None, trelleborg: Municipality
) -> None:
    with pytest.raises(PaymentDebtorUnavailable):
        payment_debtor_for(trelleborg)


def test_the_team_lead_is_told_when_the_municipality_has_no_account(
    settings: Any,
    production_like: None,
    caseworker: User,
    trelleborg: Municipality,
    make_staff: Callable[..., User],
) -> None:
    lead = make_staff("ledare", Role.TEAM_LEAD, trelleborg)
    order = order_make(trelleborg, caseworker, "4200")
    client = client_for(lead)
    assert 'id="debtor-missing"' in client.get(LIST).content.decode()

    html = client.post(CREATE, follow=True).content.decode()

    assert "Trelleborg har inget giltigt konto att betala ut från inställt" in html
    assert not PaymentFile.objects.exists()
    order.refresh_from_db()
    assert order.status == PaymentStatus.CREATED

    configured(settings, **{"1287": TRELLEBORG})
    assert 'id="debtor-missing"' not in client.get(LIST).content.decode()


# --- the payee's account, checked when the order is made and when it is put in a file ---------


def test_an_order_for_an_account_that_fails_the_banks_rules_is_held_with_the_reason(
    caseworker: User, trelleborg: Municipality, make_staff: Callable[..., User]
) -> None:
    # Stored without the form's check (an old record, an import): the check digit is wrong.
    held = order_make(trelleborg, caseworker, "4200", account="6000-123456780")
    good = order_make(trelleborg, caseworker, "3100")

    assert held.status == PaymentStatus.NEEDS_ACCOUNT
    assert (held.clearing, held.account) == ("", "")
    assert held.hold_reason == (
        "Sökandens kontonummer går inte att betala till: Kontonumret stämmer inte "
        "(kontrollsiffran är fel). Kontrollera siffrorna."
    )
    journal = JournalEntry.objects.get(application=held.application, category="payment")
    assert journal.text.startswith("Utbetalningen hålls inne.")

    payment_file = payment_file_create(day=DAY, municipality=trelleborg)
    assert payment_file is not None
    assert [e.order_id for e in payment_file.entries.all()] == [good.pk]

    # On the case page, the payment page and the team lead's list.
    case = client_for(caseworker).get(reverse("caseworker:case_detail", args=[held.application_id]))
    assert "Utbetalningen hålls inne." in case.content.decode()
    assert "kontrollsiffran är fel" in case.content.decode()
    lead = make_staff("ledare", Role.TEAM_LEAD, trelleborg)
    html = client_for(lead).get(LIST).content.decode()
    assert 'id="payments-held"' in html and held.application.reference in html
    titles = [entry.title for entry in timeline_for(held.application)]
    assert "Utbetalningen väntar på ditt kontonummer" in titles

    # A valid account releases it, and the reason goes.
    payment_order_set_account(order=held, bank_account="6000-123456789", by=caseworker)
    held.refresh_from_db()
    assert (held.status, held.hold_reason) == (PaymentStatus.CREATED, "")


def test_an_account_that_fails_when_the_file_is_made_is_held_not_sent(
    caseworker: User, trelleborg: Municipality
) -> None:
    bad = order_make(trelleborg, caseworker, "4200")
    good = order_make(trelleborg, caseworker, "3100")
    # Stored past the checks (say, a clearing range the banks have since retired).
    PaymentOrder.objects.filter(pk=bad.pk).update(clearing="9999", account="1234567")

    payment_file = payment_file_create(day=DAY, municipality=trelleborg)

    assert payment_file is not None and payment_file.number_of_orders == 1
    assert b"99991234567" not in payment_file_read(payment_file)
    bad.refresh_from_db()
    good.refresh_from_db()
    assert (good.status, bad.status) == (PaymentStatus.SENT, PaymentStatus.NEEDS_ACCOUNT)
    assert "Clearingnumret 9999 hör inte till någon svensk bank" in bad.hold_reason
    assert bad.history.first().hold_reason == bad.hold_reason  # kept in the order's history
    assert JournalEntry.objects.filter(application=bad.application, category="payment").exists()


def test_only_held_orders_make_no_file(caseworker: User, trelleborg: Municipality) -> None:
    bad = order_make(trelleborg, caseworker, "4200")
    PaymentOrder.objects.filter(pk=bad.pk).update(clearing="9999", account="1234567")
    assert payment_file_create(day=DAY, municipality=trelleborg) is None
    bad.refresh_from_db()
    assert bad.status == PaymentStatus.NEEDS_ACCOUNT  # the hold is kept


def test_a_registered_account_municipality_pays_there_when_the_given_account_fails(
    caseworker: User, trelleborg: Municipality
) -> None:
    trelleborg.pays_to_registered_account = True
    trelleborg.save(update_fields=["pays_to_registered_account"])
    order = order_make(trelleborg, caseworker, "4200", account="6000-123456780")
    assert (order.status, order.to_registered_account, order.hold_reason) == (
        PaymentStatus.CREATED,
        True,
        "",
    )
