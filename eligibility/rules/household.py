"""Input facts for one calculation: a household applying for one calendar month.

Frozen dataclasses, validated on construction so :func:`calculation.calculate` can trust them.
Invalid facts raise :class:`InvalidHousehold` with a plain message.

Member indexes (``Income.member``) are 0-based positions in ``Household.members``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "ADULT_ROLES",
    "ASSET_TYPES",
    "EXTRA_COST_PER",
    "INCOME_SOURCES",
    "INCOME_TYPES",
    "OTHER_NEED_CODES",
    "ROLES",
    "Asset",
    "Costs",
    "ExtraCostItem",
    "Household",
    "Income",
    "InvalidHousehold",
    "Member",
    "MunicipalPolicy",
]


class InvalidHousehold(ValueError):
    """The facts cannot be calculated: the message says what is wrong and where."""


ROLES = frozenset({"applicant", "partner", "child", "adult"})
ADULT_ROLES = frozenset({"applicant", "partner", "adult"})
INCOME_TYPES = (
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
)
INCOME_SOURCES = frozenset({"declared", "register"})
ASSET_TYPES = frozenset({"bank", "vehicle", "property", "other"})
EXTRA_COST_PER = frozenset({"adult", "household"})
# Known "other living needs"; other slug-like codes are accepted too (all go to a person).
OTHER_NEED_CODES = frozenset(
    {"dental", "glasses", "medical", "medicine", "childcare_fee", "furniture"}
)
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

MAX_AGE = 130
CHILD_MAX_AGE = 20
ADULT_MIN_AGE = 18
PRESCHOOL_MAX_AGE = 6


def _check_amount(value: object, what: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidHousehold(f"{what}: must be a finite Decimal, got {value!r}")
    if value < 0:
        raise InvalidHousehold(f"{what}: must not be negative, got {value}")


def _check_code(value: object, what: str) -> None:
    if not isinstance(value, str) or not _CODE.match(value):
        raise InvalidHousehold(
            f"{what}: must be a lower-case code (letters, digits, _), got {value!r}"
        )


@dataclass(frozen=True, slots=True)
class Member:
    """A person in the dwelling.

    role: "applicant" (exactly one), "partner" (spouse/registered partner/cohabitant, at most one),
    "child" (0-20, the parents' maintenance duty), or "adult" (an adult sharing the household
    without being a partner: their own case, see calculation.py).
    """

    role: str
    age: int
    preschool_lunch: bool = False
    in_school: bool = False

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise InvalidHousehold(
                f"member role: must be one of {sorted(ROLES)}, got {self.role!r}"
            )
        if isinstance(self.age, bool) or not isinstance(self.age, int):
            raise InvalidHousehold(f"member age: must be a whole number, got {self.age!r}")
        if not 0 <= self.age <= MAX_AGE:
            raise InvalidHousehold(f"member age: must be 0-{MAX_AGE}, got {self.age}")
        if self.role == "child" and self.age > CHILD_MAX_AGE:
            raise InvalidHousehold(
                f"member age: a child is 0-{CHILD_MAX_AGE} (got {self.age}); "
                "use role 'adult' for an older person sharing the household"
            )
        if self.role in ADULT_ROLES and self.age < ADULT_MIN_AGE:
            raise InvalidHousehold(
                f"member age: role {self.role!r} must be at least {ADULT_MIN_AGE}, got {self.age}"
            )
        if self.preschool_lunch and not (self.role == "child" and self.age <= PRESCHOOL_MAX_AGE):
            raise InvalidHousehold(
                "member preschool_lunch: only for children aged 0-6 "
                f"(got role {self.role!r}, age {self.age})"
            )
        if not isinstance(self.preschool_lunch, bool) or not isinstance(self.in_school, bool):
            raise InvalidHousehold("member preschool_lunch/in_school: must be true or false")


@dataclass(frozen=True, slots=True)
class Costs:
    """Reasonable costs outside the norm claimed for the month, kronor (the case's own share)."""

    rent: Decimal = Decimal(0)
    electricity: Decimal = Decimal(0)
    home_insurance: Decimal = Decimal(0)
    work_travel: Decimal = Decimal(0)
    union_fee: Decimal = Decimal(0)
    unemployment_fund_fee: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for name in (
            "rent",
            "electricity",
            "home_insurance",
            "work_travel",
            "union_fee",
            "unemployment_fund_fee",
        ):
            _check_amount(getattr(self, name), f"costs.{name}")


@dataclass(frozen=True, slots=True)
class Income:
    """A net monthly income. ``member`` is an index into Household.members, None = household.

    ``source``: "declared" (by the applicant) or "register" (fetched from an authority). For the
    same (type, member), register figures replace declared ones (see calculation.py).
    """

    type: str
    amount: Decimal
    member: int | None = None
    source: str = "declared"

    def __post_init__(self) -> None:
        if self.type not in INCOME_TYPES:
            raise InvalidHousehold(
                f"income type: must be one of {list(INCOME_TYPES)}, got {self.type!r}"
            )
        _check_amount(self.amount, f"income {self.type} amount")
        if self.source not in INCOME_SOURCES:
            raise InvalidHousehold(
                f"income source: must be 'declared' or 'register', got {self.source!r}"
            )
        if self.member is not None and (
            isinstance(self.member, bool) or not isinstance(self.member, int) or self.member < 0
        ):
            raise InvalidHousehold(
                f"income member: must be a member index (0, 1, ...), got {self.member!r}"
            )


@dataclass(frozen=True, slots=True)
class Asset:
    """An asset: "bank" savings count above the municipality's buffer; others go to a person."""

    type: str
    amount: Decimal

    def __post_init__(self) -> None:
        if self.type not in ASSET_TYPES:
            raise InvalidHousehold(
                f"asset type: must be one of {sorted(ASSET_TYPES)}, got {self.type!r}"
            )
        _check_amount(self.amount, f"asset {self.type} amount")


@dataclass(frozen=True, slots=True)
class ExtraCostItem:
    """A municipality's own cost item, e.g. a local transport card for every adult.

    per: "adult" (times the adults in the case: applicant and partner) or "household" (once).
    """

    code: str
    label: str
    amount: Decimal
    per: str = "adult"

    def __post_init__(self) -> None:
        _check_code(self.code, "extra cost item code")
        if not isinstance(self.label, str) or not self.label.strip():
            raise InvalidHousehold(f"extra cost item {self.code}: label must not be empty")
        _check_amount(self.amount, f"extra cost item {self.code} amount")
        if self.per not in EXTRA_COST_PER:
            raise InvalidHousehold(
                f"extra cost item {self.code}: per must be 'adult' or 'household', got {self.per!r}"
            )


@dataclass(frozen=True, slots=True)
class MunicipalPolicy:
    """The municipality's settings that the calculation uses.

    max_housing_cost: highest reasonable housing cost for this household type (None = no cap).
    asset_buffer: bank savings up to this amount are left alone (0 unless set).
    """

    max_housing_cost: Decimal | None = None
    asset_buffer: Decimal = Decimal(0)
    extra_cost_items: tuple[ExtraCostItem, ...] = ()

    def __post_init__(self) -> None:
        _check_amount(self.max_housing_cost, "municipality.max_housing_cost", optional=True)
        _check_amount(self.asset_buffer, "municipality.asset_buffer")
        if not isinstance(self.extra_cost_items, tuple) or not all(
            isinstance(item, ExtraCostItem) for item in self.extra_cost_items
        ):
            raise InvalidHousehold("municipality.extra_cost_items: must be a tuple of items")
        codes = [item.code for item in self.extra_cost_items]
        if len(set(codes)) != len(codes):
            raise InvalidHousehold("municipality.extra_cost_items: codes must be unique")


@dataclass(frozen=True, slots=True)
class Household:
    """Everything the calculation needs for one month.

    month: the first day of the calendar month applied for.
    shared_household_size: persons in the dwelling when more live there than ``members`` lists
    (e.g. an adult child applying on their own in the parents' home); None = len(members).
    """

    month: datetime.date
    members: tuple[Member, ...]
    costs: Costs = field(default_factory=Costs)
    incomes: tuple[Income, ...] = ()
    assets: tuple[Asset, ...] = ()
    job_stimulus: bool = False
    shared_household_size: int | None = None
    other_needs: tuple[str, ...] = ()
    policy: MunicipalPolicy = field(default_factory=MunicipalPolicy)

    def __post_init__(self) -> None:
        month = self.month
        if isinstance(month, datetime.datetime) or not isinstance(month, datetime.date):
            raise InvalidHousehold(f"month: must be a date, got {month!r}")
        if month.day != 1:
            raise InvalidHousehold(f"month: must be the first day of a month, got {month}")
        if not isinstance(self.members, tuple) or not all(
            isinstance(m, Member) for m in self.members
        ):
            raise InvalidHousehold("members: must be a tuple of Member")
        roles = [m.role for m in self.members]
        if roles.count("applicant") != 1:
            raise InvalidHousehold(
                f"members: exactly one applicant is required, got {roles.count('applicant')}"
            )
        if roles.count("partner") > 1:
            raise InvalidHousehold("members: at most one partner")
        if not isinstance(self.costs, Costs):
            raise InvalidHousehold("costs: must be Costs")
        for kind, items, cls in (
            ("incomes", self.incomes, Income),
            ("assets", self.assets, Asset),
        ):
            if not isinstance(items, tuple) or not all(isinstance(i, cls) for i in items):
                raise InvalidHousehold(f"{kind}: must be a tuple of {cls.__name__}")
        for position, income in enumerate(self.incomes):
            if income.member is not None and income.member >= len(self.members):
                raise InvalidHousehold(
                    f"incomes[{position}].member: {income.member} is out of range "
                    f"(there are {len(self.members)} members, numbered from 0)"
                )
        if not isinstance(self.job_stimulus, bool):
            raise InvalidHousehold("job_stimulus: must be true or false")
        size = self.shared_household_size
        if size is not None:
            if isinstance(size, bool) or not isinstance(size, int):
                raise InvalidHousehold(
                    f"shared_household_size: must be a whole number, got {size!r}"
                )
            if size < len(self.members):
                raise InvalidHousehold(
                    f"shared_household_size: {size} is fewer than the "
                    f"{len(self.members)} members listed"
                )
        if not isinstance(self.other_needs, tuple):
            raise InvalidHousehold("other_needs: must be a tuple of codes")
        for code in self.other_needs:
            _check_code(code, "other_needs")
        if not isinstance(self.policy, MunicipalPolicy):
            raise InvalidHousehold("policy: must be MunicipalPolicy")
