from __future__ import annotations

from decimal import Decimal, localcontext

import pytest

from eligibility.rules import round_kronor
from eligibility.rules.money import format_kronor, to_decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        ("0.49", 0),
        ("0.5", 1),
        ("1.5", 2),
        ("2.5", 3),
        ("466", 466),
        ("4933.333333", 4933),
        ("-0.5", -1),
        ("-2.5", -3),
        ("-2.49", -2),
    ],
)
def test_round_kronor_rounds_half_up_to_whole_kronor(value: str, expected: int) -> None:
    assert round_kronor(Decimal(value)) == Decimal(expected)


def test_round_kronor_ignores_the_callers_decimal_context() -> None:
    with localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = "ROUND_DOWN"
        assert round_kronor(Decimal("12345.5")) == Decimal(12346)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5000, "5000"), (0.1, "0.1"), ("312.50", "312.50"), (" 7 ", "7"), (Decimal("1.2"), "1.2")],
)
def test_to_decimal_goes_through_str(value: object, expected: str) -> None:
    assert to_decimal(value) == Decimal(expected)


@pytest.mark.parametrize("value", [True, None, "abc", "NaN", "Infinity", float("inf"), [1]])
def test_to_decimal_refuses_non_numbers(value: object) -> None:
    with pytest.raises(ValueError):
        to_decimal(value)


def test_format_kronor_groups_thousands_the_swedish_way() -> None:
    assert format_kronor(Decimal(12345)) == "12 345"
    assert format_kronor(Decimal("4933.33")) == "4 933,33"
    assert format_kronor(Decimal(190)) == "190"
