"""Reads for the robot and the pages: the municipality's settings in force for a month."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from typing import Protocol

from django.utils.translation import gettext

from accounts.models import Municipality
from accounts.reference_cache import cached
from eligibility.models import (
    HouseholdType,
    MunicipalNormSettings,
    RegisterSnapshot,
    SnapshotStatus,
)
from eligibility.rules import (
    CalculationResult,
    ExtraCostItem,
    Household,
    MunicipalPolicy,
    calculate,
)
from intake.events import TimelineEntry
from intake.models import Application


class HasRole(Protocol):
    @property
    def role(self) -> str: ...


ADULTS_IN_CASE = frozenset({"applicant", "partner"})


def household_type_for(members: Iterable[HasRole]) -> HouseholdType:
    """The housing-cap type: adults are applicant and partner, children the role "child"."""
    roles = [member.role for member in members]
    adults = sum(1 for role in roles if role in ADULTS_IN_CASE)
    children = roles.count("child")
    return HouseholdType.for_household(adults=adults, children=children)


def norm_settings_in_force(
    *, municipality: Municipality | int, month: date
) -> MunicipalNormSettings | None:
    """The row with the latest ``valid_from`` on or before ``month``, caps and items prefetched.

    One query for the row and one per prefetched relation (three in all; one when none exists).
    """
    return (
        MunicipalNormSettings.objects.filter(
            municipality=municipality, valid_from__lte=month.replace(day=1)
        )
        .order_by("-valid_from")
        .prefetch_related("housing_caps", "cost_items")
        .first()
    )


def policy_for(
    *, municipality: Municipality | int, month: date, members: Iterable[HasRole]
) -> MunicipalPolicy:
    """The engine's MunicipalPolicy for a household in ``month`` (no settings: no cap, no items).

    ``members`` are the household's members (the engine's ``Member`` or intake's
    ``HouseholdMember``); only their roles matter, to find the housing-cap type.
    """
    municipality_id = municipality if isinstance(municipality, int) else municipality.pk
    every = cached(
        ("norm_settings", municipality_id),
        lambda: list(
            MunicipalNormSettings.objects.filter(municipality=municipality_id)
            .order_by("-valid_from")
            .prefetch_related("housing_caps", "cost_items")
        ),
    )
    first_day = month.replace(day=1)
    found = next((row for row in every if row.valid_from <= first_day), None)
    if found is None:
        return MunicipalPolicy()
    wanted = household_type_for(members)
    cap = next((c.max_amount for c in found.housing_caps.all() if c.household_type == wanted), None)
    return MunicipalPolicy(
        max_housing_cost=cap,
        asset_buffer=found.asset_buffer,
        extra_cost_items=tuple(
            ExtraCostItem(code=item.code, label=item.label, amount=item.amount, per=item.per)
            for item in found.cost_items.all()
        ),
    )


def trial_calculate(
    *, household: Household, municipality: Municipality | None
) -> CalculationResult:
    """A trial calculation for the public page: reads settings, stores nothing.

    With a municipality, its settings in force for the month (cap, buffer, items) apply.
    """
    if municipality is not None:
        policy = policy_for(
            municipality=municipality, month=household.month, members=household.members
        )
        household = dataclasses.replace(household, policy=policy)
    return calculate(household)


def status_timeline(application: Application) -> list[TimelineEntry]:
    """intake's timeline asks (`intake.events.status_timeline`): registers that have not
    answered in the robot's latest round. "Uppgifter hämtade" alone would tell the applicant
    that everything was fetched when a register was down (#19 stranger run)."""
    latest = (
        RegisterSnapshot.objects.filter(application=application)
        .order_by("-round")
        .values_list("round", flat=True)
        .first()
    )
    if latest is None:
        return []
    missing = RegisterSnapshot.objects.filter(
        application=application,
        round=latest,
        status__in=[SnapshotStatus.UNAVAILABLE, SnapshotStatus.INVALID],
    ).order_by("fetched_at")
    first = missing.first()
    if first is None:
        return []
    return [
        TimelineEntry(
            first.fetched_at,
            gettext("Några myndigheter har inte svarat ännu"),
            gettext(
                "Vi frågar dem igen och räknar om när svaren har kommit. Din handläggare ser "
                "vilka uppgifter som saknas."
            ),
            kind="robot",
        )
    ]
