"""Household, cost, income and asset rules, flags, and DOMAIN.md's published totals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from eligibility.rules import (
    Asset,
    Costs,
    ExtraCostItem,
    Income,
    Member,
    MunicipalPolicy,
    calculate,
)

from .helpers import APPLICANT, PARTNER, assert_consistent, by_code, by_rule, household

D = Decimal


# --- published totals ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "members", "total"),
    [
        (2024, (APPLICANT,), 5030),  # Socialstyrelsen's test calculator
        (2026, (APPLICANT,), 5220),  # the government, November 2025 (3 940 + 1 280)
        (2026, (APPLICANT, PARTNER), 8510),  # the government, November 2025
    ],
)
def test_published_totals_reproduce_to_the_krona(
    year: int, members: tuple[Member, ...], total: int
) -> None:
    result = calculate(household(year, members))
    assert result.amount == D(total)
    assert result.norm == D(total)
    assert result.eligible
    assert not result.provisional
    assert result.flags == ()
    assert result.parameter_version == f"riksnorm-{year}"
    assert_consistent(result)


def test_2026_single_adult_case_system_capture_is_3940_plus_1280() -> None:
    result = calculate(household(2026))
    assert [line.amount for line in result.lines] == [D(3940), D(1280)]
    assert [line.kind for line in result.lines] == ["norm", "norm"]


# --- households ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "single", "five_persons", "expected"),
    [(2024, 3800, 2240, 4248), (2026, 3940, 2330, 4406), (2019, 3090, 1810, 3452)],
)
def test_adult_sharing_a_household_gets_single_amount_plus_common_costs_divided(
    year: int, single: int, five_persons: int, expected: int
) -> None:
    # DOMAIN.md's formula (published 2014: 1 710 / 5 + 2 950 = 3 292) with figures we have.
    assert single + Decimal(five_persons) / 5 == expected
    result = calculate(household(year, shared_household_size=5))
    assert by_rule(result, "riksnorm.personal.adult_single") == [D(single)]
    assert by_rule(result, "riksnorm.household.shared") == [D(five_persons) / 5]
    assert result.amount == D(expected)
    assert_consistent(result)


def test_the_2014_published_example_formula() -> None:
    assert Decimal(1710) / 5 + 2950 == 3292
    assert Decimal(1740) / 5 + 2980 == 3328  # 2017


def test_members_with_role_adult_are_their_own_case_but_count_as_persons() -> None:
    # Applicant + child 8 + a lodger: the case is 2 of 3 persons.
    lodger = Member("adult", 40)
    result = calculate(household(2024, (APPLICANT, Member("child", 8), lodger)))
    assert by_rule(result, "riksnorm.personal.adult_single") == [D(3800)]
    assert by_rule(result, "riksnorm.personal.child_7_10") == [D(3680)]
    assert by_rule(result, "riksnorm.household.shared") == [D(1147)]  # 1 720 × 2/3 = 1 146.67
    assert result.amount == D(3800 + 3680 + 1147)
    assert_consistent(result)


def test_shared_household_size_counts_people_not_listed() -> None:
    members = (APPLICANT, PARTNER)
    result = calculate(household(2024, members, shared_household_size=4))
    assert by_rule(result, "riksnorm.household.shared") == [D(975)]  # 1 950 × 2/4
    assert result.amount == D(6850 + 975)


def test_young_adult_not_in_school_is_not_in_the_case_and_is_flagged() -> None:
    young = Member("child", 19, in_school=False)
    result = calculate(household(2024, (APPLICANT, young)))
    assert by_rule(result, "riksnorm.personal.child_19_20") == []
    assert by_rule(result, "riksnorm.household.shared") == [D(680)]  # 1 360 × 1/2
    assert "young_adult_not_in_school" in result.flags
    assert result.amount == D(3800 + 680)


def test_young_adult_in_school_gets_the_19_20_band() -> None:
    young = Member("child", 20, in_school=True)
    result = calculate(household(2025, (APPLICANT, young)))
    assert by_rule(result, "riksnorm.personal.child_19_20") == [D(4960)]
    assert by_rule(result, "riksnorm.household.persons_2") == [D(1400)]
    assert "young_adult_not_in_school" not in result.flags


def test_family_of_four_2025() -> None:
    members = (APPLICANT, PARTNER, Member("child", 3, preschool_lunch=True), Member("child", 9))
    result = calculate(household(2025, members))
    assert result.norm == D(7050 + 2480 + 3790 + 2010)
    assert result.amount == result.norm
    assert not result.provisional


def test_family_in_2026_using_provisional_figures_is_flagged() -> None:
    result = calculate(household(2026, (APPLICANT, Member("child", 5))))
    assert result.amount == D(3940 + 3050 + 1410)
    assert result.provisional
    assert "provisional_norm" in result.flags


def test_nine_person_household_2024() -> None:
    children = tuple(Member("child", 12) for _ in range(7))
    result = calculate(household(2024, (APPLICANT, PARTNER, *children)))
    assert result.norm == D(6850 + 7 * 4230 + 2730 + 2 * 190)


# --- reasonable costs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    ["rent", "electricity", "home_insurance", "work_travel", "union_fee", "unemployment_fund_fee"],
)
def test_each_reasonable_cost_is_its_own_line(field: str) -> None:
    costs = Costs(**{field: D("412.50")})
    result = calculate(household(2026, costs=costs))
    assert by_code(result, field) == [D(413)]
    assert [line.kind for line in result.lines if line.code == field] == ["cost"]
    assert result.amount == D(5220 + 413)
    assert_consistent(result)


def test_zero_costs_make_no_lines() -> None:
    result = calculate(household(2026, costs=Costs()))
    assert len(result.lines) == 2


def test_rent_above_the_municipal_cap_is_capped_shown_and_flagged() -> None:
    policy = MunicipalPolicy(max_housing_cost=D(4700))
    result = calculate(household(2024, costs=Costs(rent=D(5300)), policy=policy))
    assert by_code(result, "rent") == [D(4700)]
    assert by_rule(result, "cost.rent_capped") == [D(4700)]
    assert "housing_cost_capped" in result.flags
    assert any("600 kr godtas inte" in note for note in result.notes)
    assert result.amount == D(5030 + 4700)


@pytest.mark.parametrize("rent", [4700, 3000])
def test_rent_at_or_below_the_cap_is_approved_in_full(rent: int) -> None:
    policy = MunicipalPolicy(max_housing_cost=D(4700))
    result = calculate(household(2024, costs=Costs(rent=D(rent)), policy=policy))
    assert by_rule(result, "cost.rent") == [D(rent)]
    assert "housing_cost_capped" not in result.flags


def test_no_cap_when_the_municipality_sets_none() -> None:
    result = calculate(household(2024, costs=Costs(rent=D(12000))))
    assert by_code(result, "rent") == [D(12000)]


def test_municipal_extra_item_per_adult_counts_each_adult_in_the_case() -> None:
    card = ExtraCostItem("transport_card", "Månadskort kollektivtrafik", D(450), per="adult")
    policy = MunicipalPolicy(extra_cost_items=(card,))
    single = calculate(household(2026, policy=policy))
    couple = calculate(household(2026, (APPLICANT, PARTNER), policy=policy))
    lodger = calculate(household(2026, (APPLICANT, Member("adult", 50)), policy=policy))
    assert by_code(single, "municipal:transport_card") == [D(450)]
    assert by_code(couple, "municipal:transport_card") == [D(900)]
    assert by_code(lodger, "municipal:transport_card") == [D(450)]  # the lodger is own case


def test_municipal_extra_item_per_household_counts_once() -> None:
    item = ExtraCostItem("internet", "Bredband", D(299), per="household")
    result = calculate(
        household(2026, (APPLICANT, PARTNER), policy=MunicipalPolicy(extra_cost_items=(item,)))
    )
    assert by_code(result, "municipal:internet") == [D(299)]
    assert result.amount == D(8510 + 299)


@pytest.mark.parametrize(
    "need", ["dental", "glasses", "medical", "medicine", "childcare_fee", "furniture", "stove"]
)
def test_other_needs_are_never_approved_only_flagged(need: str) -> None:
    result = calculate(household(2026, other_needs=(need,)))
    assert result.flags == (f"other_need:{need}",)
    assert result.amount == D(5220)


# --- incomes -------------------------------------------------------------------------------


INCOME_TYPES = [
    "salary",
    "unemployment_benefit",
    "sickness_benefit",
    "parental_benefit",
    "activity_support",
    "child_allowance",
    "housing_allowance",
    "maintenance_support",
    "pension",
    "study_support",
    "tax_refund",
    "other",
]


@pytest.mark.parametrize("kind", INCOME_TYPES)
def test_every_income_type_is_counted_net(kind: str) -> None:
    result = calculate(household(2026, incomes=(Income(kind, D("1000.40"), member=0),)))
    assert by_code(result, f"income:{kind}") == [D(-1000)]
    assert result.amount == D(4220)
    assert_consistent(result)


def test_incomes_of_the_same_type_and_member_add_up() -> None:
    incomes = (Income("salary", D(2000), 0), Income("salary", D(1500), 0))
    result = calculate(household(2026, incomes=incomes))
    assert by_code(result, "income:salary") == [D(-3500)]


def test_register_income_replaces_declared_and_is_not_added_on_top() -> None:
    incomes = (
        Income("sickness_benefit", D(4000), 0, source="declared"),
        Income("sickness_benefit", D(4200), 0, source="register"),
    )
    result = calculate(household(2026, incomes=incomes))
    assert by_rule(result, "income.register_replaces_declared") == [D(-4200)]
    assert "declared_register_difference" in result.flags
    assert result.amount == D(5220 - 4200)


def test_equal_register_and_declared_income_is_not_a_difference() -> None:
    incomes = (
        Income("pension", D(3000), 0, source="register"),
        Income("pension", D(3000), 0),
    )
    result = calculate(household(2026, incomes=incomes))
    assert by_code(result, "income:pension") == [D(-3000)]
    assert "declared_register_difference" not in result.flags


def test_register_replaces_only_the_same_type_and_member() -> None:
    incomes = (
        Income("salary", D(1000), 0, source="register"),
        Income("salary", D(800), 1),
        Income("housing_allowance", D(500), None),
    )
    result = calculate(household(2026, (APPLICANT, PARTNER), incomes=incomes))
    assert result.amount == D(8510 - 1000 - 800 - 500)
    assert "declared_register_difference" not in result.flags


def test_register_says_zero_where_declared_says_more() -> None:
    incomes = (Income("other", D(700), 0), Income("other", D(0), 0, source="register"))
    result = calculate(household(2026, incomes=incomes))
    assert by_code(result, "income:other") == [D(0)]
    assert "declared_register_difference" in result.flags
    assert result.amount == D(5220)


def test_jobbstimulans_counts_3750_of_a_5000_net_wage() -> None:
    incomes = (Income("salary", D(5000), 0),)
    result = calculate(household(2026, job_stimulus=True, incomes=incomes))
    assert by_code(result, "income:salary") == [D(-5000)]
    assert by_code(result, "job_stimulus") == [D(1250)]
    assert result.amount == D(5220 - 3750)
    assert_consistent(result)


def test_jobbstimulans_only_when_active_and_only_for_salary() -> None:
    incomes = (Income("salary", D(5000), 0), Income("unemployment_benefit", D(1000), 0))
    inactive = calculate(household(2026, incomes=incomes))
    active = calculate(household(2026, incomes=incomes, job_stimulus=True))
    assert by_code(inactive, "job_stimulus") == []
    assert by_code(active, "job_stimulus") == [D(1250)]
    assert active.amount == D(5220 - 3750 - 1000)


def test_jobbstimulans_rounds_the_counted_part_once() -> None:
    incomes = (Income("salary", D("1001.50"), 0),)
    result = calculate(household(2026, job_stimulus=True, incomes=incomes))
    # counted = round(751.125) = 751; the salary line is round(1 001.50) = 1 002.
    assert by_code(result, "income:salary") == [D(-1002)]
    assert by_code(result, "job_stimulus") == [D(251)]


def test_childs_salary_is_exempt_up_to_a_twelfth_of_the_price_base_amount() -> None:
    teen = Member("child", 16)
    incomes = (Income("salary", D(3000), member=1),)
    result = calculate(household(2026, (APPLICANT, teen), incomes=incomes))
    assert by_code(result, "income:salary") == [D(-3000)]
    assert by_code(result, "child_salary_exempt") == [D(3000)]
    assert "child_income_cap_reached" not in result.flags
    assert result.amount == result.norm


@pytest.mark.parametrize(
    ("year", "salary", "counted"),
    [(2026, 6000, 1067), (2025, 6000, 1100), (2024, 5000, 225)],  # 59 200/12, 58 800/12, 57 300/12
)
def test_childs_salary_above_the_monthly_share_is_counted_and_flagged(
    year: int, salary: int, counted: int
) -> None:
    teen = Member("child", 17)
    incomes = (Income("salary", D(salary), member=1),)
    result = calculate(household(year, (APPLICANT, teen), incomes=incomes))
    assert by_code(result, "child_salary_exempt") == [D(salary - counted)]
    assert "child_income_cap_reached" in result.flags
    assert result.amount == result.norm - counted


def test_jobbstimulans_does_not_apply_to_a_childs_salary() -> None:
    teen = Member("child", 17)
    incomes = (Income("salary", D(6000), member=1),)
    result = calculate(household(2026, (APPLICANT, teen), incomes=incomes, job_stimulus=True))
    assert by_code(result, "job_stimulus") == []


def test_childs_other_incomes_are_counted_in_full() -> None:
    teen = Member("child", 17)
    incomes = (Income("study_support", D(1250), member=1),)
    result = calculate(household(2026, (APPLICANT, teen), incomes=incomes))
    assert result.amount == result.norm - 1250


def test_childs_salary_without_a_price_base_amount_goes_to_a_person() -> None:
    teen = Member("child", 16)
    incomes = (Income("salary", D(1000), member=1),)
    result = calculate(household(2023, (APPLICANT, teen), incomes=incomes))
    assert "child_income_exemption_unavailable" in result.flags
    assert result.amount == result.norm - 1000


def test_income_of_someone_in_their_own_case_is_not_counted_here() -> None:
    incomes = (Income("salary", D(9000), member=1),)
    result = calculate(household(2026, (APPLICANT, Member("adult", 24)), incomes=incomes))
    assert by_code(result, "income:salary") == []
    assert "own_case_income_not_counted" in result.flags
    assert result.amount == result.norm


# --- assets ---


def test_savings_count_in_full_when_no_buffer_is_set() -> None:
    result = calculate(household(2026, assets=(Asset("bank", D(1200)),)))
    assert by_code(result, "savings") == [D(-1200)]
    assert "savings_counted" in result.flags
    assert result.amount == D(4020)


def test_savings_count_only_above_the_municipal_buffer() -> None:
    policy = MunicipalPolicy(asset_buffer=D(1000))
    assets = (Asset("bank", D(700)), Asset("bank", D(800)))
    result = calculate(household(2026, assets=assets, policy=policy))
    assert by_code(result, "savings") == [D(-500)]
    below = calculate(household(2026, assets=(Asset("bank", D(900)),), policy=policy))
    assert by_code(below, "savings") == []
    assert "savings_counted" not in below.flags


@pytest.mark.parametrize("kind", ["vehicle", "property", "other"])
def test_other_assets_are_flagged_and_change_nothing(kind: str) -> None:
    result = calculate(household(2026, assets=(Asset(kind, D(80000)),)))
    assert result.flags == (f"asset:{kind}",)
    assert result.amount == D(5220)


# --- when income exceeds the need -----------------------------------------------------------------


def test_income_above_the_need_gives_zero_with_an_adjustment_line() -> None:
    result = calculate(household(2026, incomes=(Income("pension", D(6000), 0),)))
    assert result.amount == D(0)
    assert not result.eligible
    assert result.lines[-1].kind == "adjustment"
    assert result.lines[-1].amount == D(780)
    assert "income_exceeds_need" in result.flags
    assert_consistent(result)


def test_income_exactly_equal_to_the_need_is_not_eligible_without_adjustment() -> None:
    result = calculate(household(2026, incomes=(Income("pension", D(5220), 0),)))
    assert result.amount == D(0)
    assert not result.eligible
    assert all(line.kind != "adjustment" for line in result.lines)
    assert "income_exceeds_need" not in result.flags


# --- explanation lines ---


def test_every_line_has_a_swedish_label_a_rule_and_a_source() -> None:
    policy = MunicipalPolicy(
        max_housing_cost=D(5000),
        asset_buffer=D(100),
        extra_cost_items=(ExtraCostItem("card", "Busskort", D(400)),),
    )
    result = calculate(
        household(
            2026,
            (APPLICANT, PARTNER, Member("child", 2, preschool_lunch=True), Member("child", 15)),
            costs=Costs(D(7000), D(300), D(150), D(600), D(250), D(120)),
            incomes=(
                Income("salary", D(9000), 0),
                Income("salary", D(7000), 3),
                Income("child_allowance", D(2500)),
                Income("housing_allowance", D(1500), None, "register"),
            ),
            assets=(Asset("bank", D(2000)), Asset("vehicle", D(30000))),
            job_stimulus=True,
            other_needs=("glasses",),
            policy=policy,
        )
    )
    assert_consistent(result)
    for line in result.lines:
        assert line.label and line.rule and line.source
    assert result.month.isoformat() == "2026-01-01"
    assert set(result.flags) >= {
        "housing_cost_capped",
        "child_income_cap_reached",
        "asset:vehicle",
        "savings_counted",
        "other_need:glasses",
        "provisional_norm",
    }


def test_same_input_same_output() -> None:
    h = household(2026, (APPLICANT, Member("child", 4)), incomes=(Income("salary", D(3333), 0),))
    assert calculate(h) == calculate(h)


def test_fast_constructors_build_the_same_objects_as_the_constructors() -> None:
    from eligibility.rules.calculation import CalculationResult, Line, _line

    fast = _line("c", "l", D(1), "r", "s", "cost")
    assert fast == Line("c", "l", D(1), "r", "s", "cost")
    assert type(fast) is Line and fast.amount == D(1) and fast.kind == "cost"
    assert Line._fields == ("code", "label", "amount", "rule", "source", "kind")
    assert CalculationResult._fields == (
        "eligible", "amount", "norm", "lines", "flags", "parameter_version", "provisional",
        "month", "notes",
    )  # fmt: skip
    result = calculate(household(2026))
    assert type(result) is CalculationResult
    assert CalculationResult(**result._asdict()) == result
    assert CalculationResult(*result[:8]).notes == ()  # notes default to none
    with pytest.raises(AttributeError):
        fast.amount = D(2)
    with pytest.raises(AttributeError):
        result.amount = D(2)
