"""The door every write passes that can move a case from one count of the caseworker's queue to
another (#20 c): its status, track, owner, municipality, protected identity, emergency, dates,
a live warning or an open household link.

The queue's facet counts are kept in a table (caseworker.workbench.queue_counts), updated in the
same transaction as the change, never recounted over every case. So each model whose rows decide
a count (Application here, CaseWarning and HouseholdLink in eligibility) writes through
`QueueFactsQuerySet` and `QueueFactsModel`: `save`, `delete`, `update`, `bulk_create`,
`bulk_update` and a queryset's `delete` announce the applications they touched on
`queue_facts_changed`, inside an atomic block around the write. The caseworker app subscribes in
its `ready()` (the dependency rule: intake and eligibility never import caseworker).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from threading import local
from typing import Any, ClassVar, TypeVar

from django.db import models, router, transaction
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In
from django.db.models.sql.where import AND

from intake.states import Status
from kernel.events import Topic

# A household link to a case in one of these links nothing (the queue's "same household" facet,
# #16 item 3): a case entering one moves its linked cases too.
HOUSEHOLD_GONE_STATUSES = frozenset({Status.DRAFT, Status.WITHDRAWN})


@dataclass(frozen=True)
class QueueFactsChange:
    """Applications whose queue facts may have changed.

    `locked`: those that need no lock to be counted again, because this transaction wrote their
    row (its UPDATE or INSERT holds the lock) or did not change them at all (read in one
    snapshot, their facts and their count agree). A case whose warning or household link
    changed is not among them. `partners`: a status may have entered HOUSEHOLD_GONE_STATUSES,
    so the cases linked to these may have moved too."""

    applications: frozenset[int]
    locked: frozenset[int] = frozenset()
    partners: bool = False


# Published in the writer's transaction; the handler must run in it.
queue_facts_changed: Topic[QueueFactsChange, None] = Topic("intake.queue_facts_changed")

M = TypeVar("M", bound=models.Model)


@dataclass
class _Pending:
    applications: set[int] = field(default_factory=set)
    locked: set[int] = field(default_factory=set)
    partners: bool = False


_deferral = local()


@contextmanager
def queue_facts_deferred() -> Iterator[None]:
    """Announce the changes made inside once, at the end (one count update for a unit of work
    that writes a case several times, e.g. the robot's round). Use it inside the transaction:
    the announcement must be made before the commit. Nothing is announced if it raises."""
    stack: list[_Pending] = getattr(_deferral, "stack", None) or []
    _deferral.stack = stack
    pending = _Pending()
    stack.append(pending)
    try:
        yield
    finally:
        stack.pop()
    # Not reached on an exception, nor made in a transaction marked for rollback: nothing of it
    # will be committed.
    if pending.applications and not transaction.get_rollback():
        _publish(pending.applications, pending.locked, pending.partners)


def _publish(applications: set[int], locked: set[int], partners: bool) -> None:
    stack: list[_Pending] = getattr(_deferral, "stack", None) or []
    if stack:
        pending = stack[-1]
        pending.applications |= applications
        pending.locked |= locked
        pending.partners = pending.partners or partners
        return
    queue_facts_changed.publish(
        QueueFactsChange(frozenset(applications), frozenset(locked & applications), partners)
    )


def queue_facts_announce(
    application_ids: Iterable[int | None], *, locked: bool = False, partners: bool = False
) -> None:
    ids = {pk for pk in application_ids if pk is not None}
    if ids:
        _publish(ids, ids if locked else set(), partners)


def _status_may_be_gone(value: Any) -> bool:
    """Whether a written status may be one of HOUSEHOLD_GONE_STATUSES (an expression may)."""
    return not isinstance(value, str) or value in HOUSEHOLD_GONE_STATUSES


class QueueFactsQuerySet(models.QuerySet[M]):
    """A queryset whose writes announce the applications they touched.

    `queue_fact_fields`: the fields whose change can move a case between counts (a write of
    other fields announces nothing); `queue_application_columns`: the columns that name the
    applications a row is about ("pk" for an application itself)."""

    queue_fact_fields: ClassVar[frozenset[str]] = frozenset()
    queue_application_columns: ClassVar[tuple[str, ...]] = ("pk",)

    def _queue_touches(self, fields: Iterable[str]) -> bool:
        return not self.queue_fact_fields.isdisjoint(fields)

    @property
    def _queue_own_rows(self) -> bool:
        """The rows are applications: writing them locks the applications."""
        return self.queue_application_columns == ("pk",)

    def _queue_ids(self) -> set[int]:
        ids: set[int] = set()
        for row in self.order_by().values_list(*self.queue_application_columns):
            ids.update(pk for pk in row if pk is not None)
        return ids

    def _queue_ids_of(self, objs: Iterable[M]) -> set[int]:
        ids: set[int] = set()
        for obj in objs:
            for column in self.queue_application_columns:
                value = getattr(obj, column)
                if value is not None:
                    ids.add(value)
        return ids

    def _queue_pk_candidates(self) -> set[int] | None:
        """The ids the filter is restricted to (`pk=…` or `pk__in=[…]` among its ANDed
        conditions), or None when it is not."""
        where = self.query.where
        if where.connector != AND or where.negated:
            return None
        for child in where.children:
            if not isinstance(child, Exact | In) or not isinstance(child.lhs, Col):
                continue
            if not child.lhs.target.primary_key or child.lhs.alias != self.query.base_table:
                continue
            values = [child.rhs] if isinstance(child, Exact) else child.rhs
            if isinstance(values, list | tuple | set | frozenset) and all(
                isinstance(value, int) for value in values
            ):
                return set(values)
        return None

    def update(self, **kwargs: Any) -> int:
        if not self._queue_touches(kwargs):
            return super().update(**kwargs)
        partners = (
            self._queue_own_rows and "status" in kwargs and _status_may_be_gone(kwargs["status"])
        )
        with transaction.atomic(using=self.db):
            candidates = self._queue_pk_candidates() if self._queue_own_rows else None
            if candidates is not None:
                # The UPDATE locks the rows it changes; a candidate it leaves alone is unchanged.
                updated = super().update(**kwargs)
                queue_facts_announce(candidates, locked=True, partners=partners)
                return updated
            # The rows that match, locked (FOR NO KEY UPDATE on PostgreSQL), then updated by id:
            # exactly these rows change, and the filter may no longer match them afterwards (a
            # compare-and-set).
            rows = list(
                self.select_for_update(no_key=True, of=("self",))
                .order_by("pk")
                .values_list("pk", *self.queue_application_columns)
            )
            pks = [row[0] for row in rows]
            updated = self.model._base_manager.using(self.db).filter(pk__in=pks).update(**kwargs)
            queue_facts_announce(
                (pk for row in rows for pk in row[1:]),
                locked=self._queue_own_rows,
                partners=partners,
            )
        return updated

    def bulk_create(self, objs: Iterable[M], *args: Any, **kwargs: Any) -> list[M]:
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            queue_facts_announce(self._queue_ids_of(created), locked=self._queue_own_rows)
        return created

    def bulk_update(
        self, objs: Iterable[M], fields: Iterable[str], batch_size: int | None = None
    ) -> int:
        objs = list(objs)
        fields = list(fields)
        if not self._queue_touches(fields):
            return super().bulk_update(objs, fields, batch_size=batch_size)
        with transaction.atomic(using=self.db):
            updated = super().bulk_update(objs, fields, batch_size=batch_size)
            queue_facts_announce(
                self._queue_ids_of(objs),
                locked=self._queue_own_rows,
                partners=self._queue_own_rows and "status" in fields,
            )
        return updated

    def delete(self) -> tuple[int, dict[str, int]]:
        with transaction.atomic(using=self.db):
            ids = self._queue_ids()
            deleted = super().delete()
            queue_facts_announce(ids, locked=self._queue_own_rows)
        return deleted


class QueueFactsModel(models.Model):
    """`save` and `delete` announce the applications the row is about (see the module)."""

    queue_fact_fields: ClassVar[frozenset[str]] = frozenset()
    queue_application_columns: ClassVar[tuple[str, ...]] = ("pk",)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if (update_fields is not None and self.queue_fact_fields.isdisjoint(update_fields)) or (
            not self.queue_save_announces()
        ):
            super().save(*args, **kwargs)
            return
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            super().save(*args, **kwargs)
            own = self.queue_application_columns == ("pk",)
            queue_facts_announce(
                self.queue_application_ids(),
                locked=own,
                partners=own and _status_may_be_gone(getattr(self, "status", None)),
            )

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            ids = self.queue_application_ids()
            deleted = super().delete(*args, **kwargs)
            queue_facts_announce(ids, locked=self.queue_application_columns == ("pk",))
        return deleted

    def queue_application_ids(self) -> set[int]:
        return {
            value
            for column in self.queue_application_columns
            if (value := getattr(self, column)) is not None
        }

    def queue_save_announces(self) -> bool:
        """Whether this save can move a case (an application overrides it: a draft cannot)."""
        return True
