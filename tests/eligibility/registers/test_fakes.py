"""Each fake register: the demo people's fixtures, deterministic generated people, the SSBTEK
shape (individual payments covering the control month and the month before) and JSON."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from eligibility.registers.base import Extract, answer_months, month_end
from eligibility.registers.fake import FAKE_REGISTERS
from eligibility.registers.simulation import PNR_ALVA, PNR_BILAL, PNR_CARINA, PNR_CHILD

from .conftest import AS_OF, PURPOSE, generated_people

SOURCES = sorted(FAKE_REGISTERS)
DEMO = [PNR_ALVA, PNR_BILAL, PNR_CARINA, PNR_CHILD]
PEOPLE = generated_people(200)
FIRST, CONTROL = answer_months(AS_OF)


def fetch(source: str, personnummer: str, as_of: date = AS_OF) -> Extract:
    return FAKE_REGISTERS[source]().fetch(personnummer, as_of=as_of, purpose=PURPOSE)


def test_there_are_nine_registers_each_marked_fake_with_a_swedish_label() -> None:
    expected = [
        "population",
        "forsakringskassan",
        "csn",
        "unemployment_fund",
        "arbetsformedlingen",
        "skatteverket",
        "transportstyrelsen",
        "migrationsverket",
        "employer_pay",
    ]
    assert sorted(expected) == SOURCES
    for source, cls in FAKE_REGISTERS.items():
        assert cls.is_fake is True
        assert cls.source == source
        assert cls.label and cls.label != "Fake"


def test_the_settings_name_a_fake_for_every_register(settings) -> None:
    from django.utils.module_loading import import_string

    assert {s: import_string(d) for s, d in settings.REGISTER_BACKENDS.items()} == FAKE_REGISTERS


def test_old_import_paths_still_work() -> None:
    from eligibility.registers.fake import FakeForsakringskassanRegister, FakePopulationRegister
    from eligibility.registers.forsakringskassan import FakeForsakringskassanRegister as fk
    from eligibility.registers.population import FakePopulationRegister as pop

    assert (FakeForsakringskassanRegister, FakePopulationRegister) == (fk, pop)


# --- the demo people ------------------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES)
def test_alva_gets_no_payments_from_any_register_and_is_known_to_all(source: str) -> None:
    extract = fetch(source, PNR_ALVA)
    assert extract.found
    assert extract.payments == ()


def test_bilal_gets_exactly_child_allowance_1250_in_each_month() -> None:
    for source in SOURCES:
        extract = fetch(source, PNR_BILAL)
        assert extract.found
        if source != "forsakringskassan":
            assert extract.payments == (), source
    payments = fetch("forsakringskassan", PNR_BILAL).payments
    assert [(p.kind, p.net, p.tax, p.paid_on) for p in payments] == [
        ("child_allowance", Decimal("1250"), Decimal("0"), date(2026, 9, 20)),
        ("child_allowance", Decimal("1250"), Decimal("0"), date(2026, 10, 20)),
    ]


def test_carina_gets_exactly_sickness_benefit_6120_net_in_each_month() -> None:
    for source in SOURCES:
        if source != "forsakringskassan":
            assert fetch(source, PNR_CARINA).payments == (), source
    payments = fetch("forsakringskassan", PNR_CARINA).payments
    assert [(p.kind, p.gross, p.tax, p.net, p.paid_on) for p in payments] == [
        ("sickness_benefit", Decimal("8100"), Decimal("1980"), Decimal("6120"), date(2026, 9, 25)),
        ("sickness_benefit", Decimal("8100"), Decimal("1980"), Decimal("6120"), date(2026, 10, 25)),
    ]


def test_the_demo_details() -> None:
    assert fetch("arbetsformedlingen", PNR_ALVA).details["registered"] is True
    assert fetch("arbetsformedlingen", PNR_BILAL).details["registered"] is True
    assert fetch("arbetsformedlingen", PNR_CARINA).details["registered"] is False
    for pnr in DEMO:
        assert fetch("migrationsverket", pnr).details["residence_status"] == "citizen"
        assert fetch("transportstyrelsen", pnr).details["vehicles"] == []
    bilal = fetch("population", PNR_BILAL)
    assert bilal.address == "Provvägen 7, 231 44 Trelleborg"
    assert [(m.personnummer, m.relation) for m in bilal.household] == [
        (PNR_CARINA, "partner"),
        (PNR_CHILD, "child"),
    ]
    assert bilal.household[1].age == 9
    assert fetch("population", PNR_ALVA).household == ()
    assert not fetch("population", PNR_ALVA).protected_identity


def test_a_demo_person_removed_from_the_fixtures_gets_nothing_not_a_generated_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import eligibility.registers.fake as fake

    monkeypatch.delitem(fake.FORSAKRINGSKASSAN, PNR_CARINA)
    assert fetch("forsakringskassan", PNR_CARINA).payments == ()


# --- generated people -----------------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES)
def test_generated_answers_are_deterministic(source: str) -> None:
    for pnr in PEOPLE[:50]:
        assert fetch(source, pnr) == fetch(source, pnr)


@pytest.mark.parametrize("source", SOURCES)
def test_payments_have_the_ssbtek_shape(source: str) -> None:
    for pnr in PEOPLE + DEMO:
        for payment in fetch(source, pnr).payments:
            assert payment.gross == payment.tax + payment.net
            assert payment.net > 0 and payment.tax >= 0
            assert payment.gross == payment.gross.to_integral_value()  # whole kronor
            assert FIRST <= payment.paid_on <= month_end(CONTROL)
            assert payment.period_start <= payment.period_end
            assert payment.paid_on >= payment.period_start
            assert payment.payer


@pytest.mark.parametrize("source", ["forsakringskassan", "employer_pay"])
def test_monthly_payments_cover_the_control_month_and_the_month_before(source: str) -> None:
    with_payments = 0
    for pnr in PEOPLE:
        months_by_kind: dict[str, set[date]] = {}
        for payment in fetch(source, pnr).payments:
            assert payment.period_start <= payment.paid_on <= payment.period_end
            months_by_kind.setdefault(payment.kind, set()).add(payment.paid_on.replace(day=1))
        for months in months_by_kind.values():
            assert months == {FIRST, CONTROL}
        with_payments += bool(months_by_kind)
    assert with_payments > 40


def test_unemployment_payments_are_per_reported_period_in_both_months() -> None:
    paid = [p for pnr in PEOPLE for p in fetch("unemployment_fund", pnr).payments]
    assert paid
    for payment in paid:
        assert payment.kind == "unemployment_benefit"
        assert 1 <= payment.details["days"] <= 10
        assert (payment.period_end - payment.period_start).days == 13
        assert payment.paid_on > payment.period_end
    assert {p.paid_on.replace(day=1) for p in paid} == {FIRST, CONTROL}
    suspended = [
        e
        for e in (fetch("unemployment_fund", pnr) for pnr in generated_people(600, seed=3))
        if e.found and e.details["suspensions"]
    ]
    assert suspended


def test_generated_people_vary_like_real_caseloads() -> None:
    kinds: Counter[str] = Counter()
    not_found: Counter[str] = Counter()
    for pnr in PEOPLE:
        for source in SOURCES:
            extract = fetch(source, pnr)
            not_found[source] += not extract.found
            kinds.update({p.kind for p in extract.payments})
    for kind in (
        "housing_allowance",
        "child_allowance",
        "sickness_benefit",
        "salary",
        "unemployment_benefit",
        "study_support",
    ):
        assert kinds[kind] >= 3, (kind, kinds)
    for source in ("forsakringskassan", "csn", "unemployment_fund", "employer_pay"):
        assert 0 < not_found[source] < len(PEOPLE), (source, not_found)
    statuses = Counter(fetch("migrationsverket", p).details["residence_status"] for p in PEOPLE)
    assert statuses["citizen"] > statuses["temporary"] > 0
    assert any(fetch("transportstyrelsen", p).details["vehicles"] for p in PEOPLE)
    assert any(fetch("population", p).household for p in PEOPLE)


def test_a_benefit_sometimes_changes_by_more_than_12_percent_between_the_months() -> None:
    changed = 0
    for pnr in PEOPLE:
        by_kind: dict[str, dict[date, Decimal]] = {}
        for p in fetch("forsakringskassan", pnr).payments:
            by_kind.setdefault(p.kind, {})[p.paid_on.replace(day=1)] = p.net
        changed += any(
            abs(m[CONTROL] - m[FIRST]) > m[FIRST] * Decimal("0.12") for m in by_kind.values()
        )
    assert changed


def test_tax_refunds_are_payments_dated_in_the_months_asked_about() -> None:
    as_of = date(2026, 5, 1)  # March and April: early refunds are paid in April
    refunds = [
        p
        for pnr in PEOPLE
        for p in fetch("skatteverket", pnr, as_of=as_of).payments
        if p.kind == "tax_refund"
    ]
    assert refunds
    for refund in refunds:
        assert refund.paid_on.month == 4 and refund.tax == 0
        assert (refund.period_start, refund.period_end) == (date(2025, 1, 1), date(2025, 12, 31))


def test_csn_details_say_what_was_applied_for_and_granted() -> None:
    studying = [e for e in (fetch("csn", p) for p in PEOPLE) if e.found and e.details["applied"]]
    assert studying
    for extract in studying:
        assert set(extract.details) >= {"applied", "granted", "period"}
        assert bool(extract.payments) <= extract.details["granted"]


def test_household_members_have_valid_personnummer_and_ages() -> None:
    from eligibility.registers.simulation import luhn_digit

    members = [m for p in PEOPLE for m in fetch("population", p).household]
    assert {m.relation for m in members} == {"partner", "child"}
    for member in members:
        assert luhn_digit(member.personnummer[2:11]) == member.personnummer[11]
        assert member.age is not None and member.age >= 0
        if member.relation == "child":
            assert member.age < 18


# --- JSON -----------------------------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES)
def test_extracts_round_trip_through_json(source: str) -> None:
    for pnr in DEMO + PEOPLE[:60]:
        extract = fetch(source, pnr)
        data = json.loads(json.dumps(extract.to_json()))
        assert Extract.from_json(data) == extract


@pytest.mark.parametrize("source", SOURCES)
def test_the_hand_written_json_is_every_field_as_asdict_gives_it(source: str) -> None:
    from dataclasses import asdict

    from eligibility.registers.base import _jsonable

    for pnr in DEMO + PEOPLE[:60]:
        extract = fetch(source, pnr)
        assert extract.to_json() == _jsonable(asdict(extract))


def test_the_payload_keeps_the_shape_the_robot_reads() -> None:
    data = fetch("forsakringskassan", PNR_CARINA).to_json()
    assert data["payments"][1] == {
        "kind": "sickness_benefit",
        "gross": "8100",
        "tax": "1980",
        "net": "6120",
        "paid_on": "2026-10-25",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "payer": "Försäkringskassan och Pensionsmyndigheten",
        "details": {},
    }


def test_every_payment_kind_maps_to_an_income_type_the_engine_knows() -> None:
    from eligibility.registers.base import INCOME_TYPE_BY_KIND, income_type
    from eligibility.rules.household import INCOME_TYPES

    kinds = {
        p.kind
        for source in SOURCES
        for pnr in PEOPLE + generated_people(300, seed=5)
        for p in fetch(source, pnr).payments
    }
    assert kinds <= set(INCOME_TYPE_BY_KIND)
    assert {income_type(k) for k in INCOME_TYPE_BY_KIND} <= set(INCOME_TYPES)
