"""The one money input (#17 item 5): Swedish ways of writing amounts, nothing scaled, nothing
ambiguous accepted."""

from __future__ import annotations

import ast
import pathlib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.money import AmountAmbiguous, AmountUnreadable, MoneyField, parse_kronor

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("typed", "kronor"),
    [
        ("6500", "6500"),
        ("6 500", "6500"),
        ("6\u00a0500", "6500"),
        ("6500,50", "6500.50"),
        ("6 500,50", "6500.50"),
        ("6 500 kr", "6500"),
        ("6500kr", "6500"),
        ("6 500:-", "6500"),
        ("6500.50", "6500.50"),
        ("6.500,50", "6500.50"),
        ("6,500.50", "6500.50"),
        ("6.500.000", "6500000"),
        ("6500,5", "6500.5"),
        (",50", "0.50"),
        ("  12  ", "12"),
    ],
)
def test_swedish_and_english_ways_of_writing_an_amount_are_read_as_meant(typed, kronor):
    assert parse_kronor(typed) == Decimal(kronor)


@pytest.mark.parametrize("typed", ["6.500", "6,500", "12,000", "1.250 kr"])
def test_an_amount_that_reads_two_ways_is_refused_not_guessed(typed):
    with pytest.raises(AmountAmbiguous):
        parse_kronor(typed)


@pytest.mark.parametrize(
    "typed", ["1e3", "-5", "+5", "abc", "65 00", "6,5,0", "NaN", "Infinity", "kr", "5 5 5", "0x10"]
)
def test_what_is_not_an_amount_is_refused(typed):
    with pytest.raises(AmountUnreadable):
        parse_kronor(typed)


def test_the_field_says_what_to_write_instead():
    field = MoneyField(required=False)
    with pytest.raises(Exception) as refused:
        field.clean("6.500")
    assert "6.500" in str(refused.value) and "6500,50" in str(refused.value)
    with pytest.raises(Exception) as too_fine:
        field.clean("10500,505")
    assert "två siffror" in str(too_fine.value)
    with pytest.raises(Exception) as too_big:
        field.clean("2 000 000")
    assert "1 000 000" in str(too_big.value)
    assert field.clean("") is None


def test_whole_kronor_fields_refuse_oren():
    field = MoneyField(decimal_places=0)
    assert field.clean("3 940") == Decimal(3940)
    with pytest.raises(Exception) as refused:
        field.clean("3940,50")
    assert "hela kronor" in str(refused.value)


def test_the_widget_is_a_text_box_with_the_number_pad():
    html = MoneyField().widget.render("rent", Decimal("6500.50"))
    assert 'type="text"' in html and 'inputmode="decimal"' in html
    assert 'value="6500,50"' in html


@given(st.decimals(min_value=0, max_value=999_999, places=2, allow_nan=False))
def test_an_amount_shown_back_reads_as_the_same_amount(value):
    shown = MoneyField().widget.format_value(value)
    assert parse_kronor(shown or "0") == value


def _money_forms() -> list[str]:
    """Every place a form declares a number field for money: none may bypass MoneyField."""
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "migrations" in path.parts or "tests" in path.parts[:1]:
            continue
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"DecimalField", "NumberInput"}
                and isinstance(node.value, ast.Name)
                and node.value.id == "forms"
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return offenders


def test_no_form_takes_money_in_a_number_field():
    assert _money_forms() == []
