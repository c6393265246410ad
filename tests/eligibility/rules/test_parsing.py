"""household_from_dict (the JSON shape of manage.py calculate) and result_to_dict."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest

from eligibility.rules import (
    Asset,
    Costs,
    ExtraCostItem,
    Household,
    Income,
    InvalidHousehold,
    Member,
    MunicipalPolicy,
    calculate,
    household_from_dict,
    result_to_dict,
)

FULL: dict[str, Any] = {
    "month": "2026-03",
    "members": [
        {"role": "applicant", "age": 34},
        {"role": "partner", "age": "36"},
        {"role": "child", "age": 4, "preschool_lunch": True},
        {"role": "child", "age": 19, "in_school": True},
    ],
    "shared_household_size": 4,
    "costs": {"rent": 7200, "electricity": "312.50", "home_insurance": 149.0},
    "incomes": [
        {"type": "salary", "amount": 5000, "member": 0},
        {"type": "salary", "amount": "5100", "member": 0, "source": "register"},
        {"type": "child_allowance", "amount": 2500},
    ],
    "assets": [{"type": "bank", "amount": 0.1}, {"type": "vehicle", "amount": 20000}],
    "job_stimulus": True,
    "other_needs": ["dental", "childcare_fee"],
    "municipality": {
        "max_housing_cost": "7000",
        "asset_buffer": 500,
        "extra_cost_items": [
            {"code": "bus_card", "label": "Busskort", "amount": 450, "per": "adult"}
        ],
    },
}


def test_the_full_shape_parses_to_the_expected_household() -> None:
    assert household_from_dict(FULL) == Household(
        month=datetime.date(2026, 3, 1),
        members=(
            Member("applicant", 34),
            Member("partner", 36),
            Member("child", 4, preschool_lunch=True),
            Member("child", 19, in_school=True),
        ),
        costs=Costs(rent=Decimal(7200), electricity=Decimal("312.50"),
                    home_insurance=Decimal("149.0")),
        incomes=(
            Income("salary", Decimal(5000), 0),
            Income("salary", Decimal(5100), 0, "register"),
            Income("child_allowance", Decimal(2500)),
        ),
        assets=(Asset("bank", Decimal("0.1")), Asset("vehicle", Decimal(20000))),
        job_stimulus=True,
        shared_household_size=4,
        other_needs=("dental", "childcare_fee"),
        policy=MunicipalPolicy(
            max_housing_cost=Decimal(7000),
            asset_buffer=Decimal(500),
            extra_cost_items=(ExtraCostItem("bus_card", "Busskort", Decimal(450)),),
        ),
    )  # fmt: skip


def test_minimal_shape() -> None:
    h = household_from_dict({"month": "2024-01", "members": [{"role": "applicant", "age": 40}]})
    assert calculate(h).amount == Decimal(5030)


def test_result_to_dict_is_json_ready() -> None:
    data = result_to_dict(calculate(household_from_dict(FULL)))
    text = json.dumps(data)
    back = json.loads(text)
    assert back["month"] == "2026-03"
    assert back["parameter_version"] == "riksnorm-2026"
    assert back["provisional"] is True
    assert isinstance(back["amount"], int) and isinstance(back["norm"], int)
    assert sum(line["amount"] for line in back["lines"]) == back["amount"]
    assert all(isinstance(line["amount"], int) for line in back["lines"])
    assert set(back["lines"][0]) == {"code", "label", "amount", "rule", "source", "kind"}
    assert "other_need:dental" in back["flags"]
    assert back["eligible"] is (back["amount"] > 0)


def _with(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(FULL))
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_with(month="2026-13"), "month"),
        (_with(month="2026-3"), "month: must be 'YYYY-MM'"),
        (_with(month=202603), "month"),
        ({"members": [{"role": "applicant", "age": 30}]}, "month: required"),
        ({"month": "2026-01"}, "members: required"),
        (_with(members=[]), "members"),
        (_with(members=[{"role": "child", "age": 3}]), "exactly one applicant"),
        (
            _with(members=[{"role": "applicant", "age": 30}, {"role": "partner", "age": 30},
                           {"role": "partner", "age": 31}], incomes=[]),
            "at most one partner",
        ),
        (_with(members=[{"role": "applicant", "age": 30}, {"role": "boss", "age": 30}]),
         r"members\[1\]: member role"),
        (_with(members=[{"role": "applicant", "age": -1}]), r"members\[0\]"),
        (_with(members=[{"role": "applicant", "age": 3.5}]), r"members\[0\].age"),
        (_with(members=[{"role": "applicant", "age": 30, "pet": "cat"}]), "unknown key"),
        (_with(members=[{"role": "applicant", "age": 30}, {"role": "child", "age": 25}]),
         "use role 'adult'"),
        (_with(members=[{"role": "applicant", "age": 30},
                        {"role": "child", "age": 9, "preschool_lunch": True}]), "0-6"),
        (_with(costs={"rent": -1}), "costs.rent: must not be negative"),
        (_with(costs={"parking": 100}), "unknown key"),
        (_with(costs={"rent": "lots"}), "costs.rent"),
        (_with(costs={"rent": True}), "costs.rent"),
        (_with(incomes=[{"type": "lottery", "amount": 1}]), r"incomes\[0\]: income type"),
        (_with(incomes=[{"type": "salary", "amount": -5}]), r"incomes\[0\].amount"),
        (_with(incomes=[{"type": "salary", "amount": 5, "member": 9}]), "out of range"),
        (_with(incomes=[{"type": "salary", "amount": 5, "source": "rumour"}]), "source"),
        (_with(incomes=[{"type": "salary"}]), "required"),
        (_with(assets=[{"type": "bitcoin", "amount": 5}]), "asset type"),
        (_with(assets=[{"type": "bank", "amount": "NaN"}]), r"assets\[0\].amount"),
        (_with(job_stimulus="yes"), "job_stimulus"),
        (_with(other_needs="dental"), "other_needs: must be a list"),
        (_with(other_needs=["Dental care!"]), "other_needs"),
        (_with(shared_household_size=2), "shared_household_size"),
        (_with(municipality={"max_rent": 5}), "unknown key"),
        (_with(municipality={"asset_buffer": -3}), "municipality.asset_buffer"),
        (_with(extra=1), "unknown key"),
        ([], "must be an object"),
    ],
)  # fmt: skip
def test_invalid_input_raises_invalid_household_with_a_clear_message(
    data: Any, message: str
) -> None:
    with pytest.raises(InvalidHousehold, match=message):
        household_from_dict(data)


def test_a_month_without_a_norm_table_is_refused_when_calculating() -> None:
    h = household_from_dict(_with(month="2021-06"))
    with pytest.raises(InvalidHousehold, match="2021-06"):
        calculate(h)


def test_constructing_invalid_facts_directly_also_raises() -> None:
    with pytest.raises(InvalidHousehold, match="first day"):
        Household(month=datetime.date(2026, 1, 2), members=(Member("applicant", 30),))
    with pytest.raises(InvalidHousehold, match="Decimal"):
        Income("salary", 100)
    with pytest.raises(InvalidHousehold, match="out of range"):
        Household(
            month=datetime.date(2026, 1, 1),
            members=(Member("applicant", 30),),
            incomes=(Income("salary", Decimal(1), member=1),),
        )
    with pytest.raises(InvalidHousehold, match="per"):
        ExtraCostItem("card", "Kort", Decimal(1), per="child")
