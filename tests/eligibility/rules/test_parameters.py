"""The dated riksnorm tables: every figure of every year in DOMAIN.md, through the engine."""

from __future__ import annotations

import datetime
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from eligibility.rules import (
    InvalidHousehold,
    Member,
    available_norm_years,
    calculate,
    norm_table_for,
)
from eligibility.rules.parameters import DATA_DIR, ParameterError, load_tables

from .domain_figures import (
    BAND_EXAMPLES,
    BANDS,
    HOUSEHOLD,
    PERSONAL,
    PRICE_BASE_AMOUNT,
    figure,
)
from .helpers import APPLICANT, PARTNER, assert_consistent, by_rule, household, month

YEARS = sorted(PERSONAL)

CHILD_CASES = [
    pytest.param(year, band, age, lunch, school, id=f"{year}-{band}-{age}")
    for year in YEARS
    for band, examples in BAND_EXAMPLES.items()
    for age, lunch, school in examples
]


def test_available_norm_years_are_the_domain_years() -> None:
    assert available_norm_years() == [2019, 2023, 2024, 2025, 2026]


@pytest.mark.parametrize(("year", "band", "age", "lunch", "school"), CHILD_CASES)
def test_child_personal_amount_per_band_and_year(
    year: int, band: str, age: int, lunch: bool, school: bool
) -> None:
    amount, provisional = figure(PERSONAL[year][BANDS.index(band)])
    child = Member("child", age, preschool_lunch=lunch, in_school=school)
    result = calculate(household(year, (APPLICANT, child)))
    assert by_rule(result, f"riksnorm.personal.{band}") == [Decimal(amount)]
    # The adult and the 2-person amounts are never provisional, so the flag is the child's.
    assert result.provisional is provisional
    assert ("provisional_norm" in result.flags) is provisional
    assert_consistent(result)


@pytest.mark.parametrize("year", YEARS)
def test_single_adult_amount_per_year(year: int) -> None:
    amount, _ = figure(PERSONAL[year][BANDS.index("adult_single")])
    result = calculate(household(year))
    assert by_rule(result, "riksnorm.personal.adult_single") == [Decimal(amount)]


@pytest.mark.parametrize("year", YEARS)
def test_couple_gets_one_couple_amount_for_both(year: int) -> None:
    amount, _ = figure(PERSONAL[year][BANDS.index("adult_couple")])
    result = calculate(household(year, (APPLICANT, PARTNER)))
    assert by_rule(result, "riksnorm.personal.adult_couple") == [Decimal(amount)]
    assert by_rule(result, "riksnorm.personal.adult_single") == []


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("persons", range(1, 8))
def test_household_common_costs_per_size_and_year(year: int, persons: int) -> None:
    amount, provisional = figure(HOUSEHOLD[year][persons - 1])
    children = tuple(Member("child", 8) for _ in range(persons - 1))
    result = calculate(household(year, (APPLICANT, *children)))
    assert by_rule(result, f"riksnorm.household.persons_{persons}") == [Decimal(amount)]
    assert norm_table_for(month(year)).common_costs(persons).provisional is provisional


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("persons", [8, 9, 12])
def test_more_than_seven_persons_adds_the_difference_per_extra_person(
    year: int, persons: int
) -> None:
    seven, _ = figure(HOUSEHOLD[year][6])
    six, _ = figure(HOUSEHOLD[year][5])
    each, _ = figure(HOUSEHOLD[year][7])
    assert each == seven - six  # DOMAIN.md: the difference between the 6- and 7-person amounts
    children = tuple(Member("child", 12) for _ in range(persons - 1))
    result = calculate(household(year, (APPLICANT, *children)))
    expected = seven + (persons - 7) * each
    assert by_rule(result, "riksnorm.household.more_than_7") == [Decimal(expected)]


@pytest.mark.parametrize("year", YEARS)
def test_provisional_markers_are_exactly_those_marked_p_in_domain(year: int) -> None:
    table = norm_table_for(month(year))
    for band, cell in zip(BANDS, PERSONAL[year], strict=True):
        assert (table.personal[band].amount, table.personal[band].provisional) == (
            Decimal(figure(cell)[0]),
            figure(cell)[1],
        ), band
    keys = [f"persons_{n}" for n in range(1, 8)] + ["each_additional"]
    for key, cell in zip(keys, HOUSEHOLD[year], strict=True):
        assert (table.household[key].amount, table.household[key].provisional) == (
            Decimal(figure(cell)[0]),
            figure(cell)[1],
        ), key


@pytest.mark.parametrize("year", YEARS)
def test_price_base_amount_where_domain_gives_it(year: int) -> None:
    expected = PRICE_BASE_AMOUNT.get(year)
    table = norm_table_for(month(year))
    assert table.price_base_amount == (None if expected is None else Decimal(expected))


def test_every_table_has_a_legal_reference_and_source() -> None:
    for year in YEARS:
        table = norm_table_for(month(year))
        assert table.version == f"riksnorm-{year}"
        assert table.legal_reference.strip()
        assert table.source.strip()
        assert all(text.strip() for text in table.sources.values())


@pytest.mark.parametrize(
    ("applied", "version"),
    [
        (datetime.date(2019, 1, 1), "riksnorm-2019"),
        (datetime.date(2019, 12, 1), "riksnorm-2019"),
        (datetime.date(2023, 6, 1), "riksnorm-2023"),
        (datetime.date(2024, 12, 1), "riksnorm-2024"),
        (datetime.date(2025, 1, 1), "riksnorm-2025"),
        (datetime.date(2025, 7, 1), "riksnorm-2025"),
        (datetime.date(2026, 1, 1), "riksnorm-2026"),
        (datetime.date(2026, 11, 17), "riksnorm-2026"),
        (datetime.date(2027, 3, 1), "riksnorm-2026"),
    ],
)
def test_the_table_in_force_is_chosen_by_the_month(applied: datetime.date, version: str) -> None:
    assert norm_table_for(applied).version == version


def test_a_month_before_the_earliest_table_is_refused() -> None:
    with pytest.raises(InvalidHousehold, match="no riksnorm before 2019-01"):
        norm_table_for(datetime.date(2018, 12, 1))


@pytest.mark.parametrize("year", [2020, 2021, 2022])
def test_years_missing_from_the_data_are_refused_not_given_2019_amounts(year: int) -> None:
    with pytest.raises(InvalidHousehold, match="no riksnorm table covers"):
        norm_table_for(datetime.date(year, 5, 1))
    with pytest.raises(InvalidHousehold):
        calculate(household(year))


def test_a_month_after_the_latest_table_is_flagged_as_using_an_outdated_norm() -> None:
    result = calculate(household(2027))
    assert result.parameter_version == "riksnorm-2026"
    assert "norm_table_outdated" in result.flags
    assert "norm_table_outdated" not in calculate(household(2026)).flags


def test_a_new_year_is_a_data_change_only(tmp_path: Path) -> None:
    for path in DATA_DIR.glob("riksnorm_*.toml"):
        shutil.copy(path, tmp_path / path.name)
    text = (DATA_DIR / "riksnorm_2026.toml").read_text(encoding="utf-8")
    text = text.replace("2026", "2027").replace(
        "adult_single = { amount = 3940 }", "adult_single = { amount = 4000 }"
    )
    (tmp_path / "riksnorm_2027.toml").write_text(text, encoding="utf-8")
    tables = load_tables(tmp_path)
    assert [t.year for t in tables] == [2019, 2023, 2024, 2025, 2026, 2027]
    assert tables[-1].personal["adult_single"].amount == Decimal(4000)
    assert tables[-1].valid_from == datetime.date(2027, 1, 1)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("adult_single = { amount = 3940 }", "", "missing"),
        ("each_additional = { amount = 190, provisional = true }",
         "each_additional = { amount = 200, provisional = true }", "persons_7 - persons_6"),
        ("persons_1 = { amount = 1280 }", "persons_1 = { amount = -1 }", "non-negative"),
        ("persons_1 = { amount = 1280 }", 'persons_1 = { amount = 1280, provisional = "yes" }',
         "provisional"),
        ("year = 2026", "year = 2025", "year"),
    ],
)  # fmt: skip
def test_broken_parameter_files_are_refused_at_load(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = (DATA_DIR / "riksnorm_2026.toml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "riksnorm_2026.toml").write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(ParameterError, match=message):
        load_tables(tmp_path)


def test_two_tables_starting_on_the_same_date_are_refused(tmp_path: Path) -> None:
    shutil.copy(DATA_DIR / "riksnorm_2026.toml", tmp_path / "riksnorm_2026.toml")
    text = (DATA_DIR / "riksnorm_2026.toml").read_text(encoding="utf-8")
    (tmp_path / "riksnorm_2026b.toml").write_text(
        text.replace('"riksnorm-2026"', '"riksnorm-2026b"'), encoding="utf-8"
    )
    with pytest.raises(ParameterError, match="same date"):
        load_tables(tmp_path)
