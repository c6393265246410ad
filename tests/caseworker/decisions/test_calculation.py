"""The case calculation (#16 item 2): lines that share a rule code stay apart, each with its own
label and amount; the decision form's facts are one per line; the version tells a changed
calculation apart."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Municipality, User
from caseworker.decisions.calculation import case_calculation_load
from caseworker.decisions.services import line_adjust
from tests.builders import client_for, household_case_make

pytestmark = pytest.mark.usefixtures("frozen_wednesday")


def test_the_adults_and_each_childs_personal_costs_are_separate_lines(
    trelleborg: Municipality, caseworker: User
) -> None:
    case = household_case_make(
        trelleborg, caseworker, child_ages=(8, 2), costs={"rent": Decimal(6000)}
    )

    calculation = case_calculation_load(case)

    personal = [row for row in calculation.rows if row.code == "personal_costs"]
    engine = [line for line in calculation.result.lines if line.code == "personal_costs"]
    assert len(engine) == 3
    assert [(r.label, r.caseworker, r.robot) for r in personal] == [
        (line.label, line.amount, line.amount) for line in engine
    ]
    assert personal[0].label == "Personliga kostnader, ensamstående vuxen"
    assert "barn 7–10 år" in personal[1].label and "barn 1–2 år" in personal[2].label
    assert sum(r.caseworker for r in calculation.rows if r.caseworker is not None) == (
        calculation.caseworker_amount
    )


def test_the_decision_forms_facts_are_one_line_each_never_added_up(
    trelleborg: Municipality, caseworker: User
) -> None:
    case = household_case_make(
        trelleborg, caseworker, child_ages=(8,), costs={"rent": Decimal(6000)}
    )
    engine = [line for line in case_calculation_load(case).result.lines]
    adult, child = (line for line in engine if line.code == "personal_costs")

    response = client_for(caseworker).get(reverse("caseworker:case_detail", args=[case.pk]))

    facts = response.context["form"].initial["decisive_facts"].splitlines()
    assert f"{adult.label}: {adult.amount} kr" in facts
    assert f"{child.label}: {child.amount} kr" in facts
    assert f"{adult.label}: {adult.amount + child.amount} kr" not in facts
    assert len(facts) == len(engine)


def test_the_version_changes_with_an_adjusted_line_and_carries_the_amount_seen(
    trelleborg: Municipality, caseworker: User
) -> None:
    case = household_case_make(
        trelleborg, caseworker, costs={"rent": Decimal(6000), "electricity": 300}
    )
    before = case_calculation_load(case)

    line_adjust(
        application=case,
        code="electricity",
        amount=Decimal(900),
        reason="Elräkning.",
        by=caseworker,
    )
    after = case_calculation_load(case)

    assert after.caseworker_amount == before.caseworker_amount + 600
    assert after.version != before.version
    assert before.version.startswith(f"{before.caseworker_amount.quantize(Decimal(1))}-")
    assert case_calculation_load(case).version == after.version  # stable while nothing changes
