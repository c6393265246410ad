"""Factories for the ownership tests (#7): cases in a given state, owned by a given person."""

from __future__ import annotations

import itertools
from datetime import date, datetime

from accounts.models import Municipality, Role, User
from intake.models import Application, ApplicationKind, HouseholdMember, MemberRole
from intake.states import Status

_numbers = itertools.count(1)


def personnummer(n: int) -> str:
    """A valid (Luhn) personnummer born 1980-01-01 with serial n (test data only)."""
    base = f"800101{n % 1000:03d}"
    total = 0
    for i, ch in enumerate(base):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return f"19{base}{(10 - total % 10) % 10}"


def make_applicant(name: str = "") -> User:
    n = next(_numbers)
    return User.objects.create(
        username=f"sokande{n}",
        role=Role.APPLICANT,
        personnummer=personnummer(n),
        first_name=name or f"Sökande{n}",
        last_name="Testsson",
    )


def make_case(
    municipality: Municipality,
    owner: User | None,
    *,
    applicant: User | None = None,
    status: str = Status.AWAITING_CASEWORKER,
    month: date = date(2026, 11, 1),
    kind: str = ApplicationKind.RENEWAL,
    children: int = 0,
    protected: bool = False,
    previous: Application | None = None,
    submitted_at: datetime | None = None,
    decision_due_at: datetime | None = None,
    track: str = "",
) -> Application:
    applicant = applicant or make_applicant()
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
    for i in range(children):
        HouseholdMember.objects.create(
            application=application,
            role=MemberRole.CHILD,
            name=f"Barn {i}",
            personnummer=f"c{application.pk}-{i}",
            age=8,
        )
    return application
