"""JSON boundary: a plain dict -> Household, and CalculationResult -> a JSON-ready dict.

The accepted shape (used by ``manage.py calculate``)::

    {
      "month": "2026-03",
      "members": [{"role": "applicant", "age": 34}, {"role": "child", "age": 4,
                   "preschool_lunch": true}],
      "shared_household_size": 5,                 # optional
      "costs": {"rent": 6500, "electricity": "312.50"},
      "incomes": [{"type": "salary", "amount": 5000, "member": 0,
                   "source": "register"}],        # member, source optional
      "assets": [{"type": "bank", "amount": 1200}],
      "job_stimulus": false,
      "other_needs": ["dental"],
      "municipality": {"max_housing_cost": 7000, "asset_buffer": 0,
                       "extra_cost_items": [{"code": "sl_card", "label": "Busskort",
                                             "amount": 400, "per": "adult"}]}
    }

``member`` is a 0-based index into ``members``. Amounts may be int, float or string and are
converted with ``Decimal(str(x))``. Anything else (unknown keys or types, negative amounts, a bad
month, no applicant, two partners, an index out of range) raises InvalidHousehold naming the
field.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from eligibility.rules.calculation import CalculationResult, Line
from eligibility.rules.household import (
    Asset,
    Costs,
    ExtraCostItem,
    Household,
    Income,
    InvalidHousehold,
    Member,
    MunicipalPolicy,
)
from eligibility.rules.money import to_decimal

__all__ = ["household_from_dict", "result_to_dict"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_TOP_KEYS = frozenset(
    {
        "month",
        "members",
        "shared_household_size",
        "costs",
        "incomes",
        "assets",
        "job_stimulus",
        "other_needs",
        "municipality",
    }
)
_MEMBER_KEYS = frozenset({"role", "age", "preschool_lunch", "in_school"})
_COST_KEYS = (
    "rent",
    "electricity",
    "home_insurance",
    "work_travel",
    "union_fee",
    "unemployment_fund_fee",
)
_INCOME_KEYS = frozenset({"type", "amount", "member", "source"})
_ASSET_KEYS = frozenset({"type", "amount"})
_MUNICIPALITY_KEYS = frozenset({"max_housing_cost", "asset_buffer", "extra_cost_items"})
_ITEM_KEYS = frozenset({"code", "label", "amount", "per"})

T = TypeVar("T")


def _object(value: object, where: str, allowed: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidHousehold(f"{where}: must be an object, got {type(value).__name__}")
    unknown = sorted(str(k) for k in value if k not in allowed)
    if unknown:
        raise InvalidHousehold(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidHousehold(f"{where}: must be a list, got {type(value).__name__}")
    return value


def _money(value: object, where: str) -> Decimal:
    try:
        amount = to_decimal(value)
    except ValueError as error:
        raise InvalidHousehold(f"{where}: {error}") from None
    if amount < 0:
        raise InvalidHousehold(f"{where}: must not be negative, got {value!r}")
    return amount


def _int(value: object, where: str) -> int:
    if isinstance(value, bool):
        raise InvalidHousehold(f"{where}: must be a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise InvalidHousehold(f"{where}: must be a whole number, got {value!r}")


def _bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidHousehold(f"{where}: must be true or false, got {value!r}")
    return value


def _str(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidHousehold(f"{where}: must be a string, got {value!r}")
    return value


def _build(where: str, factory: Callable[[], T]) -> T:
    """Construct a value object, prefixing its validation message with the JSON path."""
    try:
        return factory()
    except InvalidHousehold as error:
        raise InvalidHousehold(f"{where}: {error}") from None


def _month(value: object) -> datetime.date:
    match = _MONTH.match(value) if isinstance(value, str) else None
    if match is None:
        raise InvalidHousehold(f"month: must be 'YYYY-MM', got {value!r}")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 1900:
        raise InvalidHousehold(f"month: not a valid month: {value!r}")
    return datetime.date(year, month, 1)


def _member(raw: object, where: str) -> Member:
    data = _object(raw, where, _MEMBER_KEYS)
    if "role" not in data or "age" not in data:
        raise InvalidHousehold(f"{where}: 'role' and 'age' are required")
    role = _str(data["role"], f"{where}.role")
    age = _int(data["age"], f"{where}.age")
    lunch = _bool(data.get("preschool_lunch", False), f"{where}.preschool_lunch")
    school = _bool(data.get("in_school", False), f"{where}.in_school")
    return _build(where, lambda: Member(role, age, lunch, school))


def _income(raw: object, where: str) -> Income:
    data = _object(raw, where, _INCOME_KEYS)
    if "type" not in data or "amount" not in data:
        raise InvalidHousehold(f"{where}: 'type' and 'amount' are required")
    kind = _str(data["type"], f"{where}.type")
    amount = _money(data["amount"], f"{where}.amount")
    member = data.get("member")
    index = None if member is None else _int(member, f"{where}.member")
    source = _str(data.get("source", "declared"), f"{where}.source")
    return _build(where, lambda: Income(kind, amount, index, source))


def _asset(raw: object, where: str) -> Asset:
    data = _object(raw, where, _ASSET_KEYS)
    if "type" not in data or "amount" not in data:
        raise InvalidHousehold(f"{where}: 'type' and 'amount' are required")
    kind = _str(data["type"], f"{where}.type")
    amount = _money(data["amount"], f"{where}.amount")
    return _build(where, lambda: Asset(kind, amount))


def _item(raw: object, where: str) -> ExtraCostItem:
    data = _object(raw, where, _ITEM_KEYS)
    if not {"code", "label", "amount"} <= set(data):
        raise InvalidHousehold(f"{where}: 'code', 'label' and 'amount' are required")
    code = _str(data["code"], f"{where}.code")
    label = _str(data["label"], f"{where}.label")
    amount = _money(data["amount"], f"{where}.amount")
    per = _str(data.get("per", "adult"), f"{where}.per")
    return _build(where, lambda: ExtraCostItem(code, label, amount, per))


def _policy(raw: object) -> MunicipalPolicy:
    data = _object(raw, "municipality", _MUNICIPALITY_KEYS)
    cap_raw = data.get("max_housing_cost")
    cap = None if cap_raw is None else _money(cap_raw, "municipality.max_housing_cost")
    buffer_raw = data.get("asset_buffer")
    buffer = Decimal(0) if buffer_raw is None else _money(buffer_raw, "municipality.asset_buffer")
    items = tuple(
        _item(item, f"municipality.extra_cost_items[{i}]")
        for i, item in enumerate(_list(data.get("extra_cost_items", []), "extra_cost_items"))
    )
    return _build("municipality", lambda: MunicipalPolicy(cap, buffer, items))


def household_from_dict(data: Mapping[str, Any]) -> Household:
    """Parse the JSON shape above into a validated Household (InvalidHousehold on error)."""
    top = _object(data, "household", _TOP_KEYS)
    if "month" not in top:
        raise InvalidHousehold("month: required ('YYYY-MM')")
    month = _month(top["month"])
    if "members" not in top:
        raise InvalidHousehold("members: required (a list with one applicant)")
    members = tuple(
        _member(m, f"members[{i}]") for i, m in enumerate(_list(top["members"], "members"))
    )
    if not members:
        raise InvalidHousehold("members: at least the applicant is required")
    costs_raw = _object(top.get("costs", {}), "costs", frozenset(_COST_KEYS))
    costs = Costs(
        **{key: _money(costs_raw[key], f"costs.{key}") for key in _COST_KEYS if key in costs_raw}
    )
    incomes = tuple(
        _income(x, f"incomes[{i}]") for i, x in enumerate(_list(top.get("incomes", []), "incomes"))
    )
    for i, income in enumerate(incomes):
        if income.member is not None and income.member >= len(members):
            raise InvalidHousehold(
                f"incomes[{i}].member: {income.member} is out of range "
                f"(members are numbered 0-{len(members) - 1})"
            )
    assets = tuple(
        _asset(x, f"assets[{i}]") for i, x in enumerate(_list(top.get("assets", []), "assets"))
    )
    size_raw = top.get("shared_household_size")
    size = None if size_raw is None else _int(size_raw, "shared_household_size")
    needs = tuple(
        _str(x, f"other_needs[{i}]")
        for i, x in enumerate(_list(top.get("other_needs", []), "other_needs"))
    )
    policy = _policy(top["municipality"]) if top.get("municipality") is not None else None
    return Household(
        month=month,
        members=members,
        costs=costs,
        incomes=incomes,
        assets=assets,
        job_stimulus=_bool(top.get("job_stimulus", False), "job_stimulus"),
        shared_household_size=size,
        other_needs=needs,
        policy=policy or MunicipalPolicy(),
    )


def _line_to_dict(line: Line) -> dict[str, Any]:
    return {
        "code": line.code,
        "label": line.label,
        "amount": int(line.amount),
        "rule": line.rule,
        "source": line.source,
        "kind": line.kind,
    }


def result_to_dict(result: CalculationResult) -> dict[str, Any]:
    """A JSON-ready dict: whole-krona amounts as int, month as 'YYYY-MM'."""
    return {
        "eligible": result.eligible,
        "amount": int(result.amount),
        "norm": int(result.norm),
        "lines": [_line_to_dict(line) for line in result.lines],
        "flags": list(result.flags),
        "notes": list(result.notes),
        "parameter_version": result.parameter_version,
        "provisional": result.provisional,
        "month": f"{result.month:%Y-%m}",
    }
