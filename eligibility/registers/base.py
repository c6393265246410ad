"""One small interface for register look-ups, with typed extracts in the SSBTEK shape.

Adapters never touch the database. Errors: `RegisterUnavailable` (retry later),
`RegisterResponseInvalid` (a person must look). "Not in the register" is an answer
(`Extract.found = False`), not an error.

An answer covers two calendar months: the control month (the month before the month applied
for, `as_of`) and the month before that, so the robot can compare them. Payments are individual
payments as SSBTEK reports them (gross, tax, net, date, period covered, payer), never monthly
totals. `Extract.details` and `Payment.details` hold JSON values only (dates as ISO strings,
amounts as strings of kronor) so that `Extract.from_json(extract.to_json()) == extract`.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol


class RegisterError(Exception):
    pass


class RegisterUnavailable(RegisterError):
    """Timeout, connection error, 5xx, circuit open: try again later."""


class RegisterResponseInvalid(RegisterError):
    """The answer could not be understood: a person must look."""


@dataclass(frozen=True)
class RequestPurpose:
    """Who asks, about whom, why: carried by every look-up and stored with the answer."""

    municipality_code: str
    case_reference: str
    requested_by: str  # "robot" or a staff username
    purpose: str = "ekonomiskt bistånd: prövning av ansökan"


@dataclass(frozen=True)
class Payment:
    """One payment as SSBTEK reports it: not a monthly total. `gross == tax + net`."""

    kind: str  # an income type, e.g. "child_allowance", "sickness_benefit", "salary"
    gross: Decimal
    tax: Decimal
    net: Decimal
    paid_on: date
    period_start: date
    period_end: date
    payer: str  # the agency, fund or employer that paid
    details: dict[str, Any] = field(default_factory=dict)  # e.g. {"days": 10}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Payment:
        return cls(
            kind=data["kind"],
            gross=Decimal(data["gross"]),
            tax=Decimal(data["tax"]),
            net=Decimal(data["net"]),
            paid_on=date.fromisoformat(data["paid_on"]),
            period_start=date.fromisoformat(data["period_start"]),
            period_end=date.fromisoformat(data["period_end"]),
            payer=data["payer"],
            details=dict(data.get("details", {})),
        )


@dataclass(frozen=True)
class PersonRecord:
    personnummer: str
    name: str
    relation: str  # "self", "partner", "child", "parent"
    age: int | None = None  # on the as_of date

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PersonRecord:
        return cls(
            personnummer=data["personnummer"],
            name=data["name"],
            relation=data["relation"],
            age=data.get("age"),
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class Extract:
    source: str
    personnummer: str
    as_of: date
    found: bool = True
    payments: tuple[Payment, ...] = ()
    household: tuple[PersonRecord, ...] = ()
    address: str = ""
    protected_identity: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        # Field by field rather than ``asdict`` (which deep-copies): the robot writes thousands
        # of these a minute. tests/eligibility/registers checks the round trip.
        return {
            "source": self.source,
            "personnummer": self.personnummer,
            "as_of": self.as_of.isoformat(),
            "found": self.found,
            "payments": [
                {
                    "kind": p.kind,
                    "gross": str(p.gross),
                    "tax": str(p.tax),
                    "net": str(p.net),
                    "paid_on": p.paid_on.isoformat(),
                    "period_start": p.period_start.isoformat(),
                    "period_end": p.period_end.isoformat(),
                    "payer": p.payer,
                    "details": _jsonable(p.details),
                }
                for p in self.payments
            ],
            "household": [
                {
                    "personnummer": r.personnummer,
                    "name": r.name,
                    "relation": r.relation,
                    "age": r.age,
                }
                for r in self.household
            ],
            "address": self.address,
            "protected_identity": self.protected_identity,
            "details": _jsonable(self.details),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Extract:
        return cls(
            source=data["source"],
            personnummer=data["personnummer"],
            as_of=date.fromisoformat(data["as_of"]),
            found=data.get("found", True),
            payments=tuple(Payment.from_json(p) for p in data.get("payments", [])),
            household=tuple(PersonRecord.from_json(p) for p in data.get("household", [])),
            address=data.get("address", ""),
            protected_identity=data.get("protected_identity", False),
            details=dict(data.get("details", {})),
        )


# Every payment kind the registers report, with the calculation's income type for it
# (eligibility.rules INCOME_TYPES). A kind the engine has no type for yet counts as "other".
INCOME_TYPE_BY_KIND = {
    "salary": "salary",
    "unemployment_benefit": "unemployment_benefit",
    "sickness_benefit": "sickness_benefit",
    "parental_benefit": "parental_benefit",
    "activity_support": "activity_support",
    "activity_compensation": "other",  # aktivitetsersättning
    "sickness_compensation": "other",  # sjukersättning
    "child_allowance": "child_allowance",
    "large_family_supplement": "child_allowance",  # flerbarnstillägg
    "housing_allowance": "housing_allowance",
    "maintenance_support": "maintenance_support",
    "pension": "pension",
    "study_support": "study_support",
    "tax_refund": "tax_refund",
}


def income_type(kind: str) -> str:
    return INCOME_TYPE_BY_KIND.get(kind, "other")


class Register(Protocol):
    source: str
    label: str
    is_fake: bool

    def fetch(self, personnummer: str, *, as_of: date, purpose: RequestPurpose) -> Extract: ...


# --- months -------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def previous_month(day: date) -> date:
    """The first day of the month before `day`'s month."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def answer_months(as_of: date) -> tuple[date, date]:
    """(the month before the control month, the control month), as first days of the month."""
    control = previous_month(as_of)
    return previous_month(control), control


# --- the caller's deadline ----------------------------------------------------------------

register_deadline: ContextVar[float | None] = ContextVar("register_deadline", default=None)


def time_left() -> float | None:
    """Seconds the caller still waits for this look-up (None: no deadline known).

    Set by `lookup.registers_fetch` around every call; a real adapter uses it to bound its
    HTTP timeouts, the fakes to know how long a simulated "timeout" must sleep."""
    deadline = register_deadline.get()
    return None if deadline is None else max(0.0, deadline - time.monotonic())
