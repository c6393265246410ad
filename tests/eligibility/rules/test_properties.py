"""Property-based tests: the invariants hold for any valid household."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligibility.rules import (
    Asset,
    Costs,
    ExtraCostItem,
    Household,
    Income,
    Member,
    MunicipalPolicy,
    calculate,
)
from eligibility.rules.household import INCOME_TYPES

from .helpers import assert_consistent

money = st.decimals(min_value=0, max_value=40000, places=2, allow_nan=False, allow_infinity=False)
small_money = st.decimals(min_value=0, max_value=3000, places=2)
months = st.sampled_from(
    [datetime.date(y, m, 1) for y in (2019, 2023, 2024, 2025, 2026, 2027) for m in (1, 6, 12)]
)


@st.composite
def children(draw: st.DrawFn) -> Member:
    age = draw(st.integers(0, 20))
    lunch = age <= 6 and draw(st.booleans())
    return Member("child", age, preschool_lunch=lunch, in_school=draw(st.booleans()))


@st.composite
def case_children(draw: st.DrawFn) -> Member:
    """A child who is in the case (under 19, or 19-20 in school)."""
    age = draw(st.integers(0, 20))
    lunch = age <= 6 and draw(st.booleans())
    return Member("child", age, preschool_lunch=lunch, in_school=age >= 19 or draw(st.booleans()))


@st.composite
def households(draw: st.DrawFn) -> Household:
    members: list[Member] = [Member("applicant", draw(st.integers(18, 90)))]
    if draw(st.booleans()):
        members.append(Member("partner", draw(st.integers(18, 90))))
    members += draw(st.lists(children(), max_size=9))
    members += [Member("adult", draw(st.integers(18, 90))) for _ in range(draw(st.integers(0, 2)))]
    incomes = draw(
        st.lists(
            st.builds(
                Income,
                type=st.sampled_from(INCOME_TYPES),
                amount=small_money,
                member=st.none() | st.integers(0, len(members) - 1),
                source=st.sampled_from(["declared", "register"]),
            ),
            max_size=6,
        )
    )
    extra = draw(st.integers(0, 3))
    return Household(
        month=draw(months),
        members=tuple(members),
        costs=Costs(
            rent=draw(money),
            electricity=draw(small_money),
            home_insurance=draw(small_money),
            work_travel=draw(small_money),
            union_fee=draw(small_money),
            unemployment_fund_fee=draw(small_money),
        ),
        incomes=tuple(incomes),
        assets=tuple(
            draw(
                st.lists(
                    st.builds(Asset, st.sampled_from(["bank", "vehicle", "property", "other"]),
                              small_money),
                    max_size=3,
                )
            )
        ),
        job_stimulus=draw(st.booleans()),
        shared_household_size=draw(st.none() | st.just(len(members) + extra)),
        other_needs=tuple(draw(st.lists(st.sampled_from(["dental", "glasses"]), max_size=2))),
        policy=MunicipalPolicy(
            max_housing_cost=draw(st.none() | money),
            asset_buffer=draw(small_money),
            extra_cost_items=(ExtraCostItem("card", "Busskort", draw(small_money),
                                            draw(st.sampled_from(["adult", "household"]))),),
        ),
    )  # fmt: skip


# Three times the loaded profile's count (300 by default; fewer under `make test-fast`).
PROPERTY = settings(
    max_examples=3 * settings().max_examples, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY
@given(households())
def test_support_is_never_negative_and_lines_always_sum_to_the_amount(h: Household) -> None:
    result = calculate(h)
    assert result.amount >= 0
    assert sum((line.amount for line in result.lines), Decimal(0)) == result.amount
    assert_consistent(result)


@PROPERTY
@given(households())
def test_same_input_same_output(h: Household) -> None:
    copy = dataclasses.replace(h)
    assert calculate(h) == calculate(copy)


@PROPERTY
@given(households(), st.data())
def test_more_income_never_gives_more_support(h: Household, data: st.DataObject) -> None:
    before = calculate(h).amount
    extra = data.draw(small_money)
    raise_one: bool = data.draw(st.booleans())
    if h.incomes and raise_one:
        # Raise one existing income.
        index = data.draw(st.integers(0, len(h.incomes) - 1))
        raised = dataclasses.replace(h.incomes[index], amount=h.incomes[index].amount + extra)
        incomes = (*h.incomes[:index], raised, *h.incomes[index + 1 :])
    else:
        # Add a declared income.
        kind = data.draw(st.sampled_from(INCOME_TYPES))
        member = data.draw(st.none() | st.integers(0, len(h.members) - 1))
        incomes = (*h.incomes, Income(kind, extra, member))
    assert calculate(dataclasses.replace(h, incomes=incomes)).amount <= before


@PROPERTY
@given(households(), small_money)
def test_more_savings_never_give_more_support(h: Household, extra: Decimal) -> None:
    more = dataclasses.replace(h, assets=(*h.assets, Asset("bank", extra)))
    assert calculate(more).amount <= calculate(h).amount


@PROPERTY
@given(households(), case_children())
def test_an_extra_child_never_gives_less(h: Household, child: Member) -> None:
    size = h.shared_household_size
    bigger = dataclasses.replace(
        h,
        members=(*h.members, child),
        shared_household_size=None if size is None else size + 1,
    )
    assert calculate(bigger).amount >= calculate(h).amount
