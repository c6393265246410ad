"""The benchmark's data, made fast with `bulk_create` (no robot, no signals).

People get synthetic samordningsnummer (`bench.report.synthetic_personnummer`: born 1900-1910,
never a living person). Their declared ages are ordinary working ages (20-64 for adults, 0-17
for children): the robot reads the signed declaration, so it takes the full path (registers,
engine, findings, a work-track meeting) as for a real household. The registers' fakes answer
from the personnummer alone, so their generated household may differ from the declared one
(a warning, as in life).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import Municipality, Role, User
from intake.models import (
    Application,
    ApplicationKind,
    DeclaredIncome,
    HouseholdMember,
    MemberRole,
)
from intake.states import Status
from meetings.models import WorkingHours

from .report import synthetic_personnummer

BATCH = 2000
PERSONS_PER_HOUSEHOLD = 4  # a partner and up to three children
INCOME_TYPES = ("salary", "child_allowance", "housing_allowance", "unemployment_benefit")


@dataclass
class Staff:
    municipality: Municipality
    caseworkers: list[User]
    secretaries: list[User]


def staff_create(*, code: str, name: str, caseworkers: int, secretaries: int) -> Staff:
    """A municipality, its caseworkers and arbetslivssekreterare (weekdays 8-12 and 13-16:
    nine 45-minute meetings a day each)."""
    municipality = Municipality.objects.create(code=code, name=name)

    def staff(role: Role, count: int, prefix: str) -> list[User]:
        return User.objects.bulk_create(
            [
                User(
                    username=f"{prefix}-{code}-{n}",
                    password="!",  # noqa: S106 - unusable: nobody logs in with a password
                    role=role,
                    municipality=municipality,
                    first_name=f"{prefix.capitalize()}{n}",
                    last_name="Bänksson",
                )
                for n in range(count)
            ],
            batch_size=BATCH,
        )

    workers = staff(Role.CASEWORKER, caseworkers, "handlaggare")
    meeters = staff(Role.SECRETARY, secretaries, "sekreterare")
    WorkingHours.objects.bulk_create(
        [
            WorkingHours(secretary=s, weekday=day, start=time(start), end=time(end))
            for s in meeters
            for day in range(5)
            for start, end in ((8, 12), (13, 16))
        ],
        batch_size=BATCH,
    )
    return Staff(municipality, workers, meeters)


def applicants_create(*, first_index: int, count: int) -> list[User]:
    return User.objects.bulk_create(
        [
            User(
                username=f"bench-{first_index + n}",
                password="!",  # noqa: S106 - e-ID users have no password
                role=Role.APPLICANT,
                personnummer=synthetic_personnummer(first_index + n),
                first_name=f"Sökande{first_index + n}",
                last_name="Bänksson",
            )
            for n in range(count)
        ],
        batch_size=BATCH,
    )


@dataclass(frozen=True)
class Person:
    role: str
    name: str
    personnummer: str
    age: int


def household_for(
    applicant: User, *, seed: int, partner_index: int, partners: bool = True
) -> list[Person]:
    """The applicant, a partner in a third of households (synthetic number `partner_index`),
    and 0-3 children (numbers derived from the partner index range, ages 0-17)."""
    rng = random.Random(seed)
    people = [Person(MemberRole.APPLICANT, applicant.first_name, applicant.personnummer or "", 0)]
    people[0] = Person(people[0].role, people[0].name, people[0].personnummer, rng.randint(20, 64))
    if rng.random() < 0.35 and partners:
        people.append(
            Person(
                MemberRole.PARTNER,
                "Partner",
                synthetic_personnummer(partner_index),
                rng.randint(20, 64),
            )
        )
    for child in range(rng.choices((0, 1, 2, 3), weights=(50, 22, 20, 8))[0]):
        people.append(
            Person(
                MemberRole.CHILD,
                f"Barn {child + 1}",
                synthetic_personnummer(partner_index + 1 + child),
                rng.randint(0, 17),
            )
        )
    return people


def _declaration(people: list[Person], incomes: dict[str, Decimal]) -> dict[str, Any]:
    """The frozen declaration, in the shape `intake.services.declaration_freeze` writes."""
    return {
        "version": 1,
        "members": [
            {
                "role": p.role,
                "name": p.name,
                "personnummer": p.personnummer,
                "age": p.age,
                "preschool_lunch": p.role == MemberRole.CHILD and p.age <= 5,
                "in_school": p.role == MemberRole.CHILD and p.age >= 16,
                "needs": None,
            }
            for p in people
        ],
        "incomes": [{"type": kind, "amount": str(amount)} for kind, amount in incomes.items()],
    }


def applications_create(
    *,
    staff: Staff,
    applicants: list[User],
    month: date,
    status: Status,
    first_person_index: int,
    previous: list[Application] | None = None,
    seed: int = 10,
    now: datetime | None = None,
    partners: bool = True,
) -> list[Application]:
    """One application per applicant for `month`, with members and incomes rows.

    DRAFT: ready to submit (the submit freezes the declaration). SUBMITTED: as submitted (the
    declaration frozen, an owner, waiting for the robot); with `previous`, renewals of those.
    APPROVED: last month's, decided, with the secretary who met the household (continuity).
    `partners=False` for drafts submitted by one person (a joint application waits for the
    partner's signature). Each household uses person numbers from
    `first_person_index + PERSONS_PER_HOUSEHOLD * n` on (partner, children).
    """
    now = now or timezone.now()
    rows, households, incomes_of = [], [], []
    for n, applicant in enumerate(applicants):
        rng = random.Random(seed * 7919 + n)
        people = household_for(
            applicant,
            seed=seed * 1_000_003 + n,
            partner_index=first_person_index + PERSONS_PER_HOUSEHOLD * n,
            partners=partners,
        )
        incomes = {
            kind: Decimal(rng.randint(200, 6000))
            for kind in rng.sample(INCOME_TYPES, rng.randint(0, 2))
        }
        households.append(people)
        incomes_of.append(incomes)
        submitted = status != Status.DRAFT
        rows.append(
            Application(
                municipality=staff.municipality,
                applicant=applicant,
                month=month,
                kind=ApplicationKind.RENEWAL if previous else ApplicationKind.NEW,
                previous=previous[n] if previous else None,
                status=status,
                owner=staff.caseworkers[n % len(staff.caseworkers)] if submitted else None,
                met_by=staff.secretaries[n % len(staff.secretaries)]
                if status == Status.APPROVED
                else None,
                rent=Decimal(rng.randint(3500, 9500)),
                electricity=Decimal(rng.randint(0, 600)),
                home_insurance=Decimal(rng.choice((0, 120, 180))),
                declaration=_declaration(people, incomes) if submitted else {},
                declaration_accepted_at=now if submitted else None,
                submitted_at=now - timedelta(days=30 if status == Status.APPROVED else 0)
                if submitted
                else None,
                robot_requested_at=now if status == Status.SUBMITTED else None,
            )
        )
    created = Application.objects.bulk_create(rows, batch_size=BATCH)
    HouseholdMember.objects.bulk_create(
        [
            HouseholdMember(
                application=application,
                role=p.role,
                name=p.name,
                personnummer=p.personnummer,
                age=p.age,
                preschool_lunch=p.role == MemberRole.CHILD and p.age <= 5,
                in_school=p.role == MemberRole.CHILD and p.age >= 16,
            )
            for application, people in zip(created, households, strict=True)
            for p in people
        ],
        batch_size=BATCH,
    )
    DeclaredIncome.objects.bulk_create(
        [
            DeclaredIncome(application=application, type=kind, amount=amount)
            for application, incomes in zip(created, incomes_of, strict=True)
            for kind, amount in incomes.items()
        ],
        batch_size=BATCH,
    )
    return created


def adults_of(application: Application) -> list[str]:
    """The adults the robot asks the registers about (from the members rows or declaration)."""
    members = (application.declaration or {}).get("members")
    if members is None:
        members = [
            {"role": m.role, "personnummer": m.personnummer} for m in application.members.all()
        ]
    return [m["personnummer"] for m in members if m["role"] in ("applicant", "partner")]


def sessions_create(users: list[User]) -> dict[int, str]:
    """A logged-in session per user (as after an e-ID login), in one bulk insert: user id ->
    session key."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils.crypto import get_random_string

    store = SessionStore()
    expires = timezone.now() + timedelta(hours=2)
    keys = {
        user.pk: get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789") for user in users
    }
    Session.objects.bulk_create(
        [
            Session(
                session_key=keys[user.pk],
                session_data=store.encode(
                    {
                        SESSION_KEY: str(user.pk),
                        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                        HASH_SESSION_KEY: user.get_session_auth_hash(),
                    }
                ),
                expire_date=expires,
            )
            for user in users
        ],
        batch_size=BATCH,
    )
    return keys
