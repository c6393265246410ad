"""Builders shared by the whole suite: people, cases and clients made directly, without the
robot. One place, so a test file never copies another's setup (the fixtures that go through the
services, `make_draft`, `submit`, `submitted_application`, live in tests/conftest.py).

Plain functions, not fixtures: a test calls them with the values it cares about and takes the
defaults for the rest.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client

from accounts.models import Municipality, Role, User
from caseworker.audit.log import journal_write
from caseworker.decisions.calculation import case_calculation_load
from caseworker.decisions.services import case_warning_acknowledge, decision_record
from caseworker.models import CommunicationException
from eligibility.models import Proposal
from intake import services as intake
from intake.models import (
    Application,
    ApplicationKind,
    DecisionOutcome,
    DeclaredIncome,
    HouseholdMember,
    MemberRole,
)
from intake.states import Status
from meetings.models import WorkingHours

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# The suite's ordinary working morning: a Wednesday with working days on both sides.
WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=STOCKHOLM)

_numbers = itertools.count(1)


def with_check_digit(nine: str) -> str:
    """YYMMDDNNN plus its Luhn check digit."""
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return f"{nine}{(10 - total % 10) % 10}"


def personnummer(n: int) -> str:
    """A valid (Luhn) personnummer born 1980-01-01 with serial n (test data only)."""
    return "19" + with_check_digit(f"800101{n % 1000:03d}")


def applicant_make(name: str = "") -> User:
    """An applicant with a unique, valid personnummer."""
    n = next(_numbers)
    return User.objects.create(
        username=f"sokande{n}",
        role=Role.APPLICANT,
        personnummer=personnummer(n),
        first_name=name or f"Sökande{n}",
        last_name="Testsson",
    )


def case_make(
    municipality: Municipality,
    owner: User | None = None,
    *,
    applicant: User | None = None,
    status: str = Status.AWAITING_CASEWORKER,
    month: date = date(2026, 11, 1),
    kind: str = ApplicationKind.RENEWAL,
    adults: int = 1,
    children: int = 0,
    protected: bool = False,
    previous: Application | None = None,
    submitted_at: datetime | None = None,
    decision_due_at: datetime | None = None,
    track: str = "",
) -> Application:
    """An application in a given state, owned by a given person, with its household: made
    directly in the database (no robot, no events)."""
    applicant = applicant or applicant_make()
    application = Application.objects.create(
        municipality=municipality,
        applicant=applicant,
        month=month,
        kind=kind,
        status=status,
        owner=owner,
        protected_identity=protected,
        previous=previous,
        submitted_at=submitted_at,
        decision_due_at=decision_due_at,
        track=track,
    )
    HouseholdMember.objects.create(
        application=application,
        role=MemberRole.APPLICANT,
        name=applicant.display_name(),
        personnummer=applicant.personnummer or "",
        age=40,
    )
    for i in range(1, adults):
        HouseholdMember.objects.create(
            application=application,
            role=MemberRole.PARTNER,
            name=f"Vuxen {i}",
            personnummer=f"19810101{i:04d}",
            age=41,
        )
    for i in range(children):
        HouseholdMember.objects.create(
            application=application,
            role=MemberRole.CHILD,
            name=f"Barn {i}",
            personnummer=f"c{application.pk}-{i}",
            age=8,
        )
    return application


def hours_give(person: User, *blocks: tuple[time, time], weekdays: range = range(5)) -> None:
    """Working hours for a secretary: the same blocks on each of the weekdays."""
    for weekday in weekdays:
        for start, end in blocks:
            WorkingHours.objects.create(secretary=person, weekday=weekday, start=start, end=end)


def client_for(user: User, **kwargs: Any) -> Client:
    """A test client logged in as ``user`` (the second factor, where asked, is the test's job)."""
    client = Client(**kwargs)
    client.force_login(user)
    return client


def household_case_make(
    municipality: Municipality,
    owner: User,
    *,
    partner: bool = False,
    child_ages: tuple[int, ...] = (),
    costs: dict[str, Decimal] | None = None,
    incomes: dict[str, Decimal] | None = None,
    track: str = "work",
) -> Application:
    """A case waiting for the caseworker with the household, costs and declared incomes given,
    and a robot proposal computed from them by the engine (as the robot stores it), made
    directly (no registers, no warnings)."""
    application = case_make(municipality, owner, adults=2 if partner else 1, track=track)
    for i, age in enumerate(child_ages):
        HouseholdMember.objects.create(
            application=application,
            role=MemberRole.CHILD,
            name=f"Barn {i + 1}",
            personnummer=f"c{application.pk}-{i}",
            age=age,
            in_school=age >= 19,
        )
    if costs:
        Application.objects.filter(pk=application.pk).update(**costs)
        application.refresh_from_db()
    for kind, amount in (incomes or {}).items():
        DeclaredIncome.objects.create(application=application, type=kind, amount=amount)
    calculation = case_calculation_load(application)
    result = calculation.result
    Proposal.objects.create(
        application=application,
        round=application.robot_round,
        eligible=result.eligible,
        amount=result.amount,
        norm=result.norm,
        lines=[dict(line) for line in calculation.lines],
        flags=list(result.flags),
        parameter_version=result.parameter_version,
        as_of=application.month,
    )
    return application


def warnings_acknowledge_all(application: Application, by: User) -> None:
    """The caseworker has looked at every open robot warning on the case (each with a note), as
    a decision requires."""
    for pk in application.warnings.filter(status="open").values_list("pk", flat=True):
        case_warning_acknowledge(
            application=application, warning_pk=pk, by=by, note="Kontrollerat i underlagen."
        )


def case_with_history_make(
    *,
    applicant: User,
    municipality: Municipality,
    owner: User,
    month: date,
    months: int,
    after_commit: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> Application:
    """The applicant's case for `month`, waiting for `owner` with its warnings acknowledged,
    after `months` earlier months of the same case: each month started (a renewal of the one
    before), submitted, assessed by the robot (registers, proposal, warnings, a meeting),
    noted in the journal and decided by `owner` (approved, with a payment order, when the robot
    found an amount, else refused; a letter and a notice), on the 3rd of
    its month. `months=0` gives a new case. Everything goes through the services: tests pass
    `after_commit=lambda: django_capture_on_commit_callbacks(execute=True)`, the benchmark
    (autocommit) the default. The robot runs where `ROBOT_MODE` says ("sync" in tests)."""
    first = date(month.year, month.month, 1)
    for back in range(months, -1, -1):
        year, index = divmod(first.year * 12 + first.month - 1 - back, 12)
        current = date(year, index + 1, 1)
        with time_machine.travel(
            datetime(current.year, current.month, 3, 10, 0, tzinfo=STOCKHOLM), tick=False
        ):
            application = _case_month_submit(
                applicant=applicant,
                municipality=municipality,
                owner=owner,
                month=current,
                after_commit=after_commit,
            )
            if back:
                _case_month_approve(application, owner, after_commit)
    return application


def _case_month_submit(
    *,
    applicant: User,
    municipality: Municipality,
    owner: User,
    month: date,
    after_commit: Callable[[], AbstractContextManager[object]],
) -> Application:
    application = intake.application_start(
        applicant=applicant, municipality=municipality, month=month
    )
    if application.kind == ApplicationKind.NEW:
        intake.application_set_household(
            application=application, applicant_name=applicant.display_name(), others=[]
        )
        intake.application_set_costs(application=application, costs={"rent": Decimal(6000)})
    with after_commit():
        intake.application_submit(application=application, applicant=applicant)
    Application.objects.filter(pk=application.pk).update(owner=owner)
    application.refresh_from_db()
    warnings_acknowledge_all(application, owner)
    journal_write(application=application, text=f"Samtal om {month:%Y-%m}.", author=owner)
    return application


def _case_month_approve(
    application: Application,
    owner: User,
    after_commit: Callable[[], AbstractContextManager[object]],
) -> None:
    proposal = Proposal.objects.filter(application=application).order_by("-round").first()
    if proposal is None or application.status != Status.AWAITING_CASEWORKER:
        return  # the robot stopped (NEEDS_MANUAL): an undecided month is history too
    with after_commit():
        decision_record(
            application=application,
            caseworker=owner,
            outcome=DecisionOutcome.APPROVED if proposal.amount > 0 else DecisionOutcome.REJECTED,
            amount=proposal.amount if proposal.amount > 0 else None,
            reason="Beslutat enligt riksnormen och hushållets inkomster.",
            track="work",
            # Register facts the declaration did not have (the benchmark's fakes make some):
            # decided on one of the law's exceptions rather than after a kommunicering.
            communication_exception=CommunicationException.IRRELEVANT,
            communication_note="Uppgiften ändrar inte beloppet (testdata).",
        )
