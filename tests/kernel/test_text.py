"""kernel.text: search keys and numbers as Swedish text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kernel.text import decimal_text, search_key


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("12.50"), "12,5"),
        (Decimal("15"), "15"),
        (Decimal("15.00"), "15"),
        (Decimal("0.75"), "0,75"),
        (3, "3"),
        ("not a number", "not a number"),
    ],
)
def test_a_number_is_written_with_a_decimal_comma_and_no_trailing_zeros(
    value: object, text: str
) -> None:
    assert decimal_text(value) == text


def test_search_key_ignores_case_and_diacritics() -> None:
    assert search_key("Åkesson") == search_key("akesson")
