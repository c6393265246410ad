"""kernel.bulk.rows_insert on PostgreSQL: its one-JSON-parameter INSERT writes the rows
bulk_create writes and skips conflicts when asked (tests/kernel/test_bulk.py, on SQLite, sees
only the bulk_create it falls back to)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import User
from intake.models import Application
from tests.kernel.test_bulk import assert_conflicts_skipped, assert_same_rows_as_bulk_create

pytestmark = [pytest.mark.services]


def test_rows_insert_writes_what_bulk_create_writes(
    postgres: str, make_draft: Callable[..., Application], applicant: User
) -> None:
    assert_same_rows_as_bulk_create(make_draft(applicant))


def test_rows_insert_skips_conflicts_when_asked(
    postgres: str, make_draft: Callable[..., Application], applicant: User
) -> None:
    assert_conflicts_skipped(make_draft(applicant))
