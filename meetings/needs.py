"""The adults' needs screens (the work or social track) and the household's adults."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from intake.models import Application, HouseholdMember, IncomeType, MemberRole
from meetings import routing
from meetings.models import (
    NeedsScreen,
)

PENSION_AGE = 67


NEEDS_FIELDS = (
    "health",
    "substance_use",
    "violence",
    "housing_risk",
    "debt",
    "language",
    "caring_for_others",
)


def adult_members(application: Application) -> list[HouseholdMember]:
    return [
        member
        for member in application.members.all()
        if member.role != MemberRole.CHILD and member.age >= 18
    ]


@transaction.atomic
def needs_screen_save(
    *, member: HouseholdMember, answers: dict[str, bool], other: str
) -> NeedsScreen:
    screen, _created = NeedsScreen.objects.get_or_create(member=member)
    for field in NEEDS_FIELDS:
        setattr(screen, field, bool(answers.get(field, False)))
    screen.other = other.strip()[:1000]
    screen.save()
    return screen


def needs_screens(members: Iterable[HouseholdMember]) -> list[routing.Needs]:
    """The adults' answers to the optional needs screen (one query)."""
    adults = [m for m in members if m.role in ("applicant", "partner")]
    return [
        routing.Needs(**{field: getattr(screen, field) for field in NEEDS_FIELDS})
        for screen in NeedsScreen.objects.filter(member__in=adults)
    ]


def needs_suggest_track(*, application: Application) -> tuple[bool, bool, list[str]]:
    """``routing.suggest_track`` over this application's needs screens and declared facts."""
    adults = adult_members(application)
    screens = NeedsScreen.objects.filter(member__in=adults)
    needs = [
        routing.Needs(**{field: getattr(screen, field) for field in NEEDS_FIELDS})
        for screen in screens
    ]
    sick = application.incomes.filter(type=IncomeType.SICKNESS_BENEFIT).exists()
    indicators = routing.Indicators(
        adults=len(adults) or 1,
        adults_of_pension_age=sum(1 for m in adults if m.age >= PENSION_AGE),
        adults_on_sickness_benefit=1 if sick and len(adults) == 1 else 0,
    )
    return routing.suggest_track(needs, indicators)


# --- calendar feeds -------------------------------------------------------------------------
