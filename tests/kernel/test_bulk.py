"""kernel.bulk.rows_insert writes the rows bulk_create writes (the robot's batch uses it for
register answers, proposals and registered residents), on SQLite (where it is bulk_create) and
on PostgreSQL (one JSON parameter, each value through its column type's input function)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from accounts.models import User
from eligibility.models import Proposal, RegisterSnapshot
from intake.models import Application
from kernel.bulk import rows_insert

TRICKY = 'citat " och \\ bakstreck, radbrytning\n, å ä ö, emoji 🙂 och tab\t'


def _snapshots(application: Application) -> list[RegisterSnapshot]:
    return [
        RegisterSnapshot(
            application=application,
            source=source,
            round=1,
            status="ok",
            payload={"persons": [{"name": TRICKY, "net": "1234.50", "n": 7, "x": None}]},
            request={"subjects": ["19800101-1234"], "as_of": "2026-12-01", "nested": {"a": []}},
            error="" if source != "af" else TRICKY,
            period_start=date(2026, 10, 1) if source != "ck" else None,
            period_end=date(2026, 11, 30),
        )
        for source in ("skv", "fk", "af", "ck")
    ]


def _proposal(application: Application) -> Proposal:
    return Proposal(
        application=application,
        round=1,
        eligible=True,
        amount=Decimal("8123.45"),
        norm=Decimal("4200.00"),
        lines=[{"label": TRICKY, "amount": "100.10"}],
        flags=[],
        parameter_version="2026",
        as_of=date(2026, 12, 1),
        person_reasons=["x"],
        track_suggestion={},
    )


def _rows(model: type[Any]) -> list[dict[str, Any]]:
    skip = {"id", "fetched_at", "created_at"}
    return [
        {k: v for k, v in row.items() if k not in skip}
        for row in model.objects.order_by("source" if model is RegisterSnapshot else "id").values()
    ]


def assert_same_rows_as_bulk_create(application: Application) -> None:
    RegisterSnapshot.objects.bulk_create(_snapshots(application))
    Proposal.objects.bulk_create([_proposal(application)])
    expected = (_rows(RegisterSnapshot), _rows(Proposal))
    RegisterSnapshot.objects.all().delete()
    Proposal.objects.all().delete()

    rows_insert(_snapshots(application))
    rows_insert([_proposal(application)])

    assert (_rows(RegisterSnapshot), _rows(Proposal)) == expected
    assert len(expected[0]) == 4
    assert all(s.fetched_at is not None for s in RegisterSnapshot.objects.all())  # auto_now_add


def assert_conflicts_skipped(application: Application) -> None:
    rows_insert(_snapshots(application)[:2])
    changed = _snapshots(application)
    changed[0].error = "the second delivery"
    rows_insert(changed, ignore_conflicts=True)  # the first answer of a source stays
    assert RegisterSnapshot.objects.count() == 4
    assert not RegisterSnapshot.objects.filter(error="the second delivery").exists()


@pytest.mark.django_db
def test_rows_insert_writes_what_bulk_create_writes(
    make_draft: Callable[..., Application], applicant: User
) -> None:
    assert_same_rows_as_bulk_create(make_draft(applicant))


@pytest.mark.django_db
def test_rows_insert_skips_conflicts_when_asked(
    make_draft: Callable[..., Application], applicant: User
) -> None:
    assert_conflicts_skipped(make_draft(applicant))


@pytest.mark.django_db
def test_rows_insert_of_nothing_sends_nothing(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        rows_insert([])
