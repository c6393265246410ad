"""The queue counts' one-case refresh on PostgreSQL reads the case through SQL compiled once per
process (caseworker.workbench.queue_counts._FACTS_OF_ONE, #20 d): the same row, value for value
and type for type, as the ORM query it was compiled from (SQLite, in the other suites, takes
the ORM path). The reconciliation after every service test checks the counts themselves."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import User
from caseworker.workbench.queue_counts import _FACTS_OF_ONE, FACT_COLUMNS, _facts_and_entries
from intake.models import Application

pytestmark = [pytest.mark.services]


def _both(pk: int) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    return _FACTS_OF_ONE.tuples(pk), list(_facts_and_entries(Application.objects.filter(pk=pk)))


def test_the_compiled_refresh_reads_what_the_orm_reads(
    postgres: str, make_draft: Callable[..., Application], applicant: User, caseworker: User
) -> None:
    draft = make_draft(applicant)
    compiled, orm = _both(draft.pk)
    assert compiled == orm and len(compiled) == 1
    # Counted: the entry's columns come back too, with their types.
    Application.objects.filter(pk=draft.pk).update(status="submitted", owner=caseworker)
    compiled, orm = _both(draft.pk)
    assert compiled == orm
    assert [type(v) for v in compiled[0]] == [type(v) for v in orm[0]]
    assert compiled[0][len(FACT_COLUMNS)] == draft.pk  # the case's count entry, joined
    assert _FACTS_OF_ONE.tuples(-1) == []
