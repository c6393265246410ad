"""Fixtures for meeting tests: applications created directly (no robot), staff with hours."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, time

import pytest

from accounts.models import Municipality, Role, User
from intake.models import Application, HouseholdMember, MemberRole
from meetings.models import WorkingHours

_counter = itertools.count(1)


@pytest.fixture
def make_applicant(db: None) -> Callable[..., User]:
    def make(name: str = "Sökande") -> User:
        n = next(_counter)
        return User.objects.create(
            username=f"applicant-{n}",
            role=Role.APPLICANT,
            personnummer=f"19800101{n:04d}",
            first_name=name,
            last_name=f"Nummer{n}",
        )

    return make


@pytest.fixture
def make_application(
    trelleborg: Municipality, make_applicant: Callable[..., User]
) -> Callable[..., Application]:
    def make(
        applicant: User | None = None,
        month: date = date(2026, 11, 1),
        owner: User | None = None,
        adults: int = 1,
        children: int = 0,
    ) -> Application:
        applicant = applicant or make_applicant()
        application = Application.objects.create(
            applicant=applicant, municipality=trelleborg, month=month, owner=owner
        )
        HouseholdMember.objects.create(
            application=application,
            role=MemberRole.APPLICANT,
            name=applicant.display_name(),
            personnummer=applicant.personnummer,
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
                personnummer=f"20170101{i:04d}",
                age=9,
            )
        return application

    return make


def give_hours(person: User, *blocks: tuple[time, time], weekdays: range = range(5)) -> None:
    for weekday in weekdays:
        for start, end in blocks:
            WorkingHours.objects.create(secretary=person, weekday=weekday, start=start, end=end)
