"""Dated riksnorm parameter tables, loaded from ``data/riksnorm_<year>.toml``.

Each file is one table: when it applies (``valid_from``, optional ``valid_to``), its legal
reference and source, every amount with a per-figure ``provisional`` marker, the price base
amount when known, and the source text for each kind of explanation line. Adding a year is a
data change only: drop a new file in ``data/`` (docs/how-to/add-a-years-norm.md).

The table in force for a month is the one with the latest ``valid_from`` on or before it, unless
that table has a ``valid_to`` before the month (used for 2019, since 2020-2022 are not in the
data: a 2021 month is refused rather than silently given 2019 amounts).
"""

from __future__ import annotations

import datetime
import functools
import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from eligibility.rules.household import InvalidHousehold

__all__ = [
    "DATA_DIR",
    "HOUSEHOLD_KEYS",
    "PERSONAL_KEYS",
    "SOURCE_KEYS",
    "Figure",
    "NormTable",
    "ParameterError",
    "available_norm_years",
    "load_tables",
    "norm_table_for",
]

DATA_DIR = Path(__file__).resolve().parent / "data"

PERSONAL_KEYS = (
    "child_0",
    "child_0_lunch",
    "child_1_2",
    "child_1_2_lunch",
    "child_3",
    "child_3_lunch",
    "child_4_6",
    "child_4_6_lunch",
    "child_7_10",
    "child_11_14",
    "child_15_18",
    "child_19_20",
    "adult_single",
    "adult_couple",
)
MAX_LISTED_PERSONS = 7
HOUSEHOLD_KEYS = (
    *(f"persons_{n}" for n in range(1, MAX_LISTED_PERSONS + 1)),
    "each_additional",
)
SOURCE_KEYS = (
    "personal",
    "household",
    "shared",
    "costs",
    "income",
    "child_income",
    "job_stimulus",
    "assets",
    "municipal",
)
MONTHS_PER_YEAR = 12


class ParameterError(Exception):
    """A parameter file is missing, malformed or inconsistent (a data bug, not a user error)."""


@dataclass(frozen=True, slots=True)
class Figure:
    """One amount of the norm, kronor per month, and whether it is provisional."""

    amount: Decimal
    provisional: bool = False


@dataclass(frozen=True, slots=True)
class NormTable:
    """The riksnorm in force for a period."""

    version: str
    year: int
    valid_from: datetime.date
    valid_to: datetime.date | None
    legal_reference: str
    source: str
    price_base_amount: Decimal | None
    personal: Mapping[str, Figure]
    household: Mapping[str, Figure]
    sources: Mapping[str, str]

    def covers(self, month: datetime.date) -> bool:
        return self.valid_from <= month and (self.valid_to is None or month <= self.valid_to)

    def common_costs(self, persons: int) -> Figure:
        """Household common costs for ``persons`` (more than 7: + each_additional per person)."""
        if persons < 1:
            raise ValueError("a household has at least one person")
        if persons <= MAX_LISTED_PERSONS:
            return self.household[f"persons_{persons}"]
        top = self.household[f"persons_{MAX_LISTED_PERSONS}"]
        extra = self.household["each_additional"]
        return Figure(
            top.amount + extra.amount * (persons - MAX_LISTED_PERSONS),
            top.provisional or extra.provisional,
        )

    @property
    def child_salary_exempt_per_month(self) -> Decimal | None:
        """One price base amount per calendar year, taken monthly as 1/12 of it (unrounded)."""
        if self.price_base_amount is None:
            return None
        return self.price_base_amount / MONTHS_PER_YEAR

    @property
    def provisional_figures(self) -> tuple[str, ...]:
        """Names of the provisional figures, e.g. ('personal.child_0', ...)."""
        return tuple(
            f"{group}.{key}"
            for group, figures in (("personal", self.personal), ("household", self.household))
            for key, figure in figures.items()
            if figure.provisional
        )


def _amount(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, str, float)):
        raise ParameterError(f"{where}: amount must be a number, got {value!r}")
    amount = Decimal(str(value))
    if not amount.is_finite() or amount < 0:
        raise ParameterError(f"{where}: amount must be a non-negative number, got {value!r}")
    return amount


def _figures(raw: object, keys: tuple[str, ...], where: str) -> Mapping[str, Figure]:
    if not isinstance(raw, dict):
        raise ParameterError(f"{where}: missing table")
    missing = [k for k in keys if k not in raw]
    unknown = [k for k in raw if k not in keys]
    if missing or unknown:
        raise ParameterError(f"{where}: missing {missing}, unknown {unknown}")
    figures: dict[str, Figure] = {}
    for key in keys:
        entry = raw[key]
        if not isinstance(entry, dict) or set(entry) - {"amount", "provisional"}:
            raise ParameterError(f"{where}.{key}: expected {{ amount = ..., provisional = ... }}")
        provisional = entry.get("provisional", False)
        if not isinstance(provisional, bool):
            raise ParameterError(f"{where}.{key}: provisional must be true or false")
        figures[key] = Figure(_amount(entry.get("amount"), f"{where}.{key}"), provisional)
    return MappingProxyType(figures)


def _date(value: object, where: str) -> datetime.date:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ParameterError(f"{where}: must be a TOML date (YYYY-MM-DD), got {value!r}")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ParameterError(f"{where}: must be a non-empty string")
    return value


def parse_table(data: Mapping[str, Any], name: str) -> NormTable:
    """Build a NormTable from a parsed TOML document (``name`` is used in error messages)."""
    valid_from = _date(data.get("valid_from"), f"{name}: valid_from")
    valid_to = data.get("valid_to")
    if valid_to is not None:
        valid_to = _date(valid_to, f"{name}: valid_to")
        if valid_to < valid_from:
            raise ParameterError(f"{name}: valid_to is before valid_from")
    year = data.get("year")
    if not isinstance(year, int) or year != valid_from.year:
        raise ParameterError(f"{name}: year must equal the year of valid_from")
    raw_sources = data.get("sources")
    if not isinstance(raw_sources, dict) or set(raw_sources) != set(SOURCE_KEYS):
        raise ParameterError(f"{name}: [sources] must have exactly {list(SOURCE_KEYS)}")
    pbb = data.get("price_base_amount")
    household = _figures(data.get("household"), HOUSEHOLD_KEYS, f"{name}: household")
    step = household["persons_7"].amount - household["persons_6"].amount
    if household["each_additional"].amount != step:
        raise ParameterError(
            f"{name}: household.each_additional must be persons_7 - persons_6 ({step})"
        )
    return NormTable(
        version=_text(data.get("version"), f"{name}: version"),
        year=year,
        valid_from=valid_from,
        valid_to=valid_to,
        legal_reference=_text(data.get("legal_reference"), f"{name}: legal_reference"),
        source=_text(data.get("source"), f"{name}: source"),
        price_base_amount=None if pbb is None else _amount(pbb, f"{name}: price_base_amount"),
        personal=_figures(data.get("personal"), PERSONAL_KEYS, f"{name}: personal"),
        household=household,
        sources=MappingProxyType(
            {k: _text(raw_sources[k], f"{name}: sources.{k}") for k in SOURCE_KEYS}
        ),
    )


def load_tables(directory: Path = DATA_DIR) -> tuple[NormTable, ...]:
    """Load every ``riksnorm_*.toml`` in ``directory``: sorted by valid_from, no overlaps."""
    tables = []
    for path in sorted(directory.glob("riksnorm_*.toml")):
        with path.open("rb") as handle:
            try:
                data = tomllib.load(handle)
            except tomllib.TOMLDecodeError as error:
                raise ParameterError(f"{path.name}: {error}") from error
        tables.append(parse_table(data, path.name))
    if not tables:
        raise ParameterError(f"no riksnorm_*.toml files in {directory}")
    tables.sort(key=lambda t: t.valid_from)
    for earlier, later in itertools.pairwise(tables):
        if earlier.valid_from == later.valid_from or earlier.version == later.version:
            raise ParameterError(f"{earlier.version} and {later.version} start on the same date")
        if earlier.valid_to is not None and earlier.valid_to >= later.valid_from:
            raise ParameterError(f"{earlier.version} overlaps {later.version}")
    return tuple(tables)


@functools.cache
def _tables() -> tuple[NormTable, ...]:
    return load_tables()


_BY_MONTH: dict[tuple[int, int], NormTable] = {}


def norm_table_for(month: datetime.date) -> NormTable:
    """The table in force for ``month`` (any day of it); InvalidHousehold if none covers it."""
    key = (month.year, month.month)
    table = _BY_MONTH.get(key)
    if table is not None:
        return table
    first = datetime.date(month.year, month.month, 1)
    tables = _tables()
    candidates = [t for t in tables if t.valid_from <= first]
    if not candidates:
        raise InvalidHousehold(
            f"month: no riksnorm before {tables[0].valid_from:%Y-%m} "
            f"(got {first:%Y-%m}; tables: {', '.join(t.version for t in tables)})"
        )
    table = candidates[-1]
    if not table.covers(first):
        raise InvalidHousehold(
            f"month: no riksnorm table covers {first:%Y-%m} ({table.version} ended "
            f"{table.valid_to}; tables: {', '.join(t.version for t in tables)})"
        )
    _BY_MONTH[key] = table
    return table


def available_norm_years() -> list[int]:
    """The years that have a riksnorm table, sorted."""
    return sorted(t.year for t in _tables())
