"""Personnummer and samordningsnummer: validation, normalisation, birth date, age, masking."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.identity import (
    age_on,
    birth_date,
    is_samordningsnummer,
    masked,
    normalise_personnummer,
)


def luhn_digit(nine_digits: str) -> str:
    """The control digit of YYMMDD-NNN, computed here so the test does not trust the library."""
    total = 0
    for i, char in enumerate(nine_digits):
        product = int(char) * (2 if i % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return str((10 - total % 10) % 10)


def test_the_luhn_helper_agrees_with_known_test_numbers() -> None:
    assert luhn_digit("170101239") == "3"  # 201701012393, Skatteverket test number
    assert luhn_digit("701063239") == "1"  # 197010632391


# The 10-digit forms are frozen so the century guess cannot drift with the calendar.
@time_machine.travel("2026-11-18 10:00 +01:00", tick=False)
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("199001011239", "199001011239"),  # 12 digits
        ("9001011239", "199001011239"),  # 10 digits, century guessed (< 100 years old)
        ("900101-1239", "199001011239"),  # 10 digits with the '-' separator
        ("19900101-1239", "199001011239"),  # 12 digits with the '-' separator
        ("900101+1239", "189001011239"),  # '+' means 100 years or older
        (" 199001011239 ", "199001011239"),  # surrounding space is ignored
        ("201701012393", "201701012393"),  # Skatteverket test number, a child
        ("1701012393", "201701012393"),
        ("200306062381", "200306062381"),
        ("197010632391", "197010632391"),  # samordningsnummer: day 03 + 60
        ("7010632391", "197010632391"),
        ("701063-2391", "197010632391"),
    ],
)
def test_valid_numbers_are_normalised_to_twelve_digits(value: str, expected: str) -> None:
    assert normalise_personnummer(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("199001011238", id="wrong-check-digit"),
        pytest.param("900101-1238", id="wrong-check-digit-10"),
        pytest.param("19900101123X", id="letter-as-check-digit"),
        pytest.param("abcdefghijkl", id="letters"),
        pytest.param("19900101", id="date-only"),
        pytest.param("1990010112399", id="too-long"),
        pytest.param("20230230123" + luhn_digit("230230123"), id="30-february-with-right-luhn"),
        pytest.param("19901301123" + luhn_digit("901301123"), id="month-13-with-right-luhn"),
        pytest.param(
            "19700292123" + luhn_digit("700292123"), id="samordning-day-92-with-right-luhn"
        ),
    ],
)
def test_invalid_numbers_are_refused(value: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalise_personnummer(value)
    assert excinfo.value.code == "invalid"


@pytest.mark.parametrize("value", ["", "   ", None])
def test_an_empty_number_is_required(value: str | None) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalise_personnummer(value)
    assert excinfo.value.code == "required"


def test_the_invalid_date_case_really_has_a_correct_check_digit() -> None:
    # 2023-02-30 does not exist; the Luhn digit is right, so only the date check can refuse it.
    assert luhn_digit("230230123") == "5"
    with pytest.raises(ValidationError):
        normalise_personnummer("202302301235")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("197010632391", True),
        ("7010632391", True),
        ("199001011239", False),
        ("201701012393", False),
    ],
)
def test_samordningsnummer_is_recognised(value: str, expected: bool) -> None:
    assert is_samordningsnummer(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("199001011239", date(1990, 1, 1)),
        ("201701012393", date(2017, 1, 1)),
        ("200306062381", date(2003, 6, 6)),
        ("197010632391", date(1970, 10, 3)),  # samordningsnummer: day minus 60
        ("701063-2391", date(1970, 10, 3)),
    ],
)
def test_birth_date_reads_the_date_part(value: str, expected: date) -> None:
    assert birth_date(value) == expected


@pytest.mark.parametrize(
    ("value", "on", "expected"),
    [
        ("199001011239", date(2026, 11, 1), 36),
        ("199001011239", date(2025, 12, 31), 35),
        ("199001011239", date(2026, 1, 1), 36),  # birthday: a year older that day
        ("201701012393", date(2026, 11, 1), 9),
        ("200306062381", date(2021, 6, 5), 17),  # the day before the 18th birthday
        ("200306062381", date(2021, 6, 6), 18),
        ("197010632391", date(2020, 10, 2), 49),  # samordningsnummer, day before birthday
        ("197010632391", date(2020, 10, 3), 50),
        ("197010632391", date(2026, 11, 1), 56),
    ],
)
def test_age_on_a_given_day(value: str, on: date, expected: int) -> None:
    assert age_on(value, on) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("199001011239", "19900101-****"),
        ("900101-1239", "19900101-****"),
        ("197010632391", "19701063-****"),
    ],
)
def test_masked_hides_the_last_four_digits(value: str, expected: str) -> None:
    shown = masked(value)
    assert shown == expected
    assert value[-4:] not in shown


def test_masked_refuses_an_invalid_number() -> None:
    with pytest.raises(ValidationError):
        masked("199001011238")
