"""The caseworker queue's facet counts, kept exact in a table (#20 c).

Every write that can move a case between counts (its status, track, owner, a warning, a household
link, its emergency, its dates) announces the case on `intake.models.queue_facts_changed`, in its
own transaction; `queue_counts_refresh` (subscribed in caseworker/apps.py) reads the case's facts
again, takes one off the count it was under and adds one to the count it is under now. The queue
then reads a few hundred rows of `QueueCount`, never every case.

Time is exact too. A count row knows the Swedish day a case was submitted and the day its decision
is due; every day wholly on one side of an age or deadline boundary falls in one bucket by its
date. The few cases on a boundary day (submitted N days ago to the day, due today) are counted
from their timestamps (`queue_boundary_ids`). `queue_counts_differences` proves the table equal
to a full count (manage.py queue_counts_reconcile).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from caseworker.models.queue import (
    KEY_FIELDS,
    LONG_AGO,
    NO_DATE,
    NO_OWNER,
    QueueCount,
    QueueCountEntry,
)
from eligibility.models import CaseWarning, HouseholdLink, HouseholdLinkResolution, WarningStatus
from intake.models import Application
from intake.models.application import emergency_condition
from intake.models.queue_facts import HOUSEHOLD_GONE_STATUSES, QueueFactsChange
from intake.states import Status
from kernel.compiled import CompiledQuery

STOCKHOLM = ZoneInfo("Europe/Stockholm")
AGE_DAYS = (2, 7, 30)
LIVE_WARNING_STATUSES = [WarningStatus.OPEN, WarningStatus.ACKNOWLEDGED]
# A linked application that is a draft or withdrawn links nothing (queue.household_link_open).
GONE_STATUSES = sorted(HOUSEHOLD_GONE_STATUSES)
CHUNK = 2000

# (municipality, protected identity, status, track, owner, live warning, open household link,
# emergency, day submitted, day due): the columns of `QueueCount`, in KEY_FIELDS order.
Key = tuple[int, bool, str, str, int, bool, bool, bool, date, date]
# The model's field names for KEY_FIELDS (the municipality is a foreign key).
KEY_NAMES = tuple("municipality" if name == "municipality_id" else name for name in KEY_FIELDS)


def stockholm_day(moment: datetime | None) -> date:
    return NO_DATE if moment is None else timezone.localtime(moment, STOCKHOLM).date()


FACT_COLUMNS = (
    "pk",
    "municipality_id",
    "protected_identity",
    "status",
    "track",
    "owner_id",
    "live_warning",
    "household_open",
    "emergency",
    "submitted_at",
    "decision_due_at",
)
ENTRY_COLUMNS = tuple(
    f"queue_count_entry__{name}"
    for name in ("application_id", *KEY_FIELDS, "submitted_at", "due_at")
)
# A case's exact times (submitted, due): kept on its entry for the boundary days.
Times = tuple[datetime | None, datetime | None]


def _with_facts(rows: QuerySet[Application]) -> QuerySet[Application]:
    """`rows` with what a facet looks at, per row: the same rules as the queue's filters
    (queue.facet_condition)."""
    live_warning = CaseWarning.objects.filter(
        application=OuterRef("pk"), status__in=LIVE_WARNING_STATUSES
    )
    links = HouseholdLink.objects.filter(resolution=HouseholdLinkResolution.OPEN)
    as_first = links.filter(first=OuterRef("pk")).exclude(second__status__in=GONE_STATUSES)
    as_second = links.filter(second=OuterRef("pk")).exclude(first__status__in=GONE_STATUSES)
    return rows.annotate(
        live_warning=Exists(live_warning),
        household_open=Case(
            When(Exists(as_first) | Exists(as_second), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        emergency=Case(
            When(emergency_condition(), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    ).order_by()


def _key_from(row: tuple[Any, ...]) -> Key | None:
    """A case's key from its FACT_COLUMNS; None for a draft (never counted)."""
    _, municipality, protected, status, track, owner, warning, linked, urgent, sent, due = row
    if status == Status.DRAFT:
        return None
    return (
        municipality,
        bool(protected),
        status,
        track,
        NO_OWNER if owner is None else owner,
        bool(warning),
        bool(linked),
        bool(urgent),
        stockholm_day(sent),
        stockholm_day(due),
    )


def _facts(rows: QuerySet[Application]) -> Iterator[tuple[int, Key, Times]]:
    """Each counted case (every one but drafts) of `rows` with the key it belongs under now and
    its exact times."""
    found = _with_facts(rows.exclude(status=Status.DRAFT)).values_list(*FACT_COLUMNS)
    for row in found.iterator(chunk_size=CHUNK):
        key = _key_from(row)
        if key is not None:
            yield row[0], key, (row[-2], row[-1])


def _key_of(row: QueueCount | QueueCountEntry) -> Key:
    return (
        row.municipality_id,
        row.protected_identity,
        row.status,
        row.track,
        row.owner_id,
        row.live_warning,
        row.household_open,
        row.emergency,
        row.submitted_on,
        row.due_on,
    )


def _key_set(row: QueueCount | QueueCountEntry, key: Key) -> None:
    for name, value in zip(KEY_FIELDS, key, strict=True):
        setattr(row, name, value)


def _entry(pk: int, key: Key, times: Times) -> QueueCountEntry:
    entry = QueueCountEntry(application_id=pk, submitted_at=times[0], due_at=times[1])
    _key_set(entry, key)
    return entry


def _counts_add(deltas: Counter[Key]) -> None:
    """Append each non-zero delta as a row of its own: an INSERT that takes no lock another
    writer waits for (a count is the sum of its key's rows, see `QueueCount`)."""
    rows = []
    for key, n in sorted(deltas.items()):
        if n:
            row = QueueCount(cases=n)
            _key_set(row, key)
            rows.append(row)
    if rows:
        QueueCount.objects.bulk_create(rows)


def _linked(ids: set[int]) -> set[int]:
    """The other side of every open household link of `ids`: a case's status decides whether
    its partner's link counts as open."""
    pairs = HouseholdLink.objects.filter(resolution=HouseholdLinkResolution.OPEN).filter(
        Q(first_id__in=ids) | Q(second_id__in=ids)
    )
    return {pk for pair in pairs.order_by().values_list("first_id", "second_id") for pk in pair}


def _facts_and_entries(rows: QuerySet[Application]) -> QuerySet[Application, tuple[Any, ...]]:
    return _with_facts(rows).values_list(*FACT_COLUMNS, *ENTRY_COLUMNS)


# No application has this id: the marker CompiledQuery replaces by each run's id.
_MARKER_ID = -7_310_000_000_101
_FACTS_OF_ONE = CompiledQuery(
    lambda pk: _facts_and_entries(Application.objects.filter(pk=pk)), _MARKER_ID
)


def queue_counts_refresh(change: QueueFactsChange) -> None:
    """Count the changed applications (and, when a status may have gone, their household
    partners) under the keys they belong to now.

    Called in the writer's transaction (intake.models.queue_facts). The cases' rows are locked
    first (the writer's own UPDATE or INSERT did it when it wrote them; FOR NO KEY UPDATE here
    otherwise): two transactions refreshing one case take turns, and the second reads the case
    after the first committed, so the last one counts it right.
    """
    ids = sorted(change.applications)
    for start in range(0, len(ids), CHUNK):
        chunk = set(ids[start : start + CHUNK])
        _refresh(chunk, to_lock=chunk - change.locked, partners=change.partners)


@transaction.atomic(savepoint=False)
def _refresh(ids: set[int], *, to_lock: set[int], partners: bool) -> None:
    if partners:
        others = _linked(ids) - ids
        to_lock |= others
        ids |= others
    if to_lock:
        list(
            Application.objects.select_for_update(no_key=True)
            .filter(pk__in=to_lock)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    # The facts and the entry of each case, in one query (the entry LEFT JOINed).
    rows: Any
    if len(ids) == 1 and connection.vendor == "postgresql":
        # One case (a submit, a decision, a warning): the SQL written once per process, the
        # driver's types as they are (#20 d: building it was a quarter of a submit's CPU).
        rows = _FACTS_OF_ONE.tuples(next(iter(ids)))
    else:
        rows = _facts_and_entries(Application.objects.filter(pk__in=ids))
    now: dict[int, tuple[Key, Times] | None] = {}
    stored: dict[int, tuple[Key, Times]] = {}
    width = len(FACT_COLUMNS)
    for row in rows:
        key = _key_from(row[:width])
        now[row[0]] = None if key is None else (key, (row[width - 2], row[width - 1]))
        if row[width] is not None:
            stored[row[0]] = (tuple(row[width + 1 : -2]), (row[-2], row[-1]))
    missing = ids - set(now)
    if missing:  # deleted: taken off under the key they were counted under
        for gone_entry in QueueCountEntry.objects.filter(application_id__in=missing):
            stored[gone_entry.application_id] = (
                _key_of(gone_entry),
                (gone_entry.submitted_at, gone_entry.due_at),
            )
    deltas: Counter[Key] = Counter()
    added: list[QueueCountEntry] = []
    changed: list[QueueCountEntry] = []
    gone: list[int] = []
    for pk in sorted(ids):
        old, new = stored.get(pk), now.get(pk)
        if old == new:
            continue
        if old is not None and (new is None or old[0] != new[0]):
            deltas[old[0]] -= 1
        if new is not None and (old is None or old[0] != new[0]):
            deltas[new[0]] += 1
        if new is None:
            gone.append(pk)
        else:
            (added if old is None else changed).append(_entry(pk, *new))
    _counts_add(deltas)
    if added or changed:
        # One upsert for new and moved cases (bulk_update's CASE per column cost half a
        # refresh's time to build, #20 d).
        QueueCountEntry.objects.bulk_create(
            [*added, *changed],
            update_conflicts=True,
            unique_fields=["application"],
            update_fields=[*KEY_NAMES, "submitted_at", "due_at"],
        )
    if gone:
        QueueCountEntry.objects.filter(application_id__in=gone).delete()


# --- reading ---------------------------------------------------------------------------------


def age_boundaries(now: datetime) -> dict[int, date]:
    """For each age facet (older than N days), the Swedish day `now` minus N days falls on."""
    return {days: stockholm_day(now - timedelta(days=days)) for days in AGE_DAYS}


# The columns of a group, in this order in both halves of the UNION (queue.queue_counts).
GROUP_COLUMNS = (
    "g_status",
    "g_track",
    "g_owner",
    "g_warning",
    "g_household",
    "g_emergency",
    "age_bucket",
    "deadline_bucket",
)


def _end_of_today(now: datetime) -> datetime:
    """Midnight after `now` in Swedish time: "due today" means before it."""
    tomorrow = stockholm_day(now) + timedelta(days=1)
    return datetime.combine(tomorrow, time.min, tzinfo=STOCKHOLM)


def queue_count_groups(
    *, municipality_id: int, with_protected: bool, now: datetime
) -> QuerySet[QueueCount, tuple[Any, ...]]:
    """One municipality's cases grouped like queue.queue_counts's groups (GROUP_COLUMNS and the
    number of cases; no owner is NO_OWNER), in one query over the count tables, never the
    cases: the count table's rows for the days wholly on one side of every boundary, and, UNION
    ALL, the entries of the few cases on a boundary day (submitted on the day an age boundary
    falls on, or due today) grouped by their exact times."""
    bounds = age_boundaries(now)
    today = stockholm_day(now)
    on_boundary = Q(submitted_on__in=bounds.values()) | Q(due_on=today)
    counts = QueueCount.objects.filter(municipality_id=municipality_id).exclude(on_boundary)
    entries = QueueCountEntry.objects.filter(municipality_id=municipality_id).filter(on_boundary)
    if not with_protected:
        counts = counts.filter(protected_identity=False)
        entries = entries.filter(protected_identity=False)
    same = {
        "g_status": F("status"),
        "g_track": F("track"),
        "g_owner": F("owner_id"),
        "g_warning": F("live_warning"),
        "g_household": F("household_open"),
        "g_emergency": F("emergency"),
    }
    by_day = counts.annotate(
        **same,
        age_bucket=Case(
            *(
                When(submitted_on__lt=bounds[days], then=Value(days))
                for days in sorted(AGE_DAYS, reverse=True)
            ),
            default=Value(0),
            output_field=IntegerField(),
        ),
        deadline_bucket=Case(
            When(due_on=NO_DATE, then=Value("none")),
            When(due_on__lt=today, then=Value("overdue")),
            default=Value("later"),
            output_field=CharField(),
        ),
    )
    end_of_today = _end_of_today(now)
    exactly = entries.annotate(
        **same,
        age_bucket=Case(
            *(
                When(submitted_at__lt=now - timedelta(days=days), then=Value(days))
                for days in sorted(AGE_DAYS, reverse=True)
            ),
            default=Value(0),
            output_field=IntegerField(),
        ),
        deadline_bucket=Case(
            When(due_at__isnull=True, then=Value("none")),
            When(due_at__lt=now, then=Value("overdue")),
            When(due_at__lt=end_of_today, then=Value("today")),
            default=Value("later"),
            output_field=CharField(),
        ),
    )
    table = (
        by_day.values(*GROUP_COLUMNS)
        .annotate(cases=Sum("cases"))
        .values_list(*GROUP_COLUMNS, "cases")
        .order_by()
    )
    boundary = (
        exactly.values(*GROUP_COLUMNS)
        .annotate(cases=Count("pk"))
        .values_list(*GROUP_COLUMNS, "cases")
        .order_by()
    )
    return table.union(boundary, all=True)


# --- upkeep and proof -------------------------------------------------------------------------


def _rolled(key: Key, *, submitted_before: date, due_before: date) -> Key:
    submitted_on, due_on = key[8], key[9]
    if submitted_on < submitted_before:
        submitted_on = LONG_AGO
    if due_on < due_before:
        due_on = LONG_AGO
    return (*key[:8], submitted_on, due_on)


def _cutoffs(now: datetime) -> dict[str, date]:
    """Days before these are in one bucket for good: older than the oldest age boundary, and
    overdue."""
    oldest = min(age_boundaries(now).values())
    return {
        "submitted_before": oldest - timedelta(days=1),
        "due_before": stockholm_day(now) - timedelta(days=1),
    }


def queue_counts_compact(now: datetime | None = None) -> int:
    """Merge the count table: every key's rows into one, the days every bucket agrees on into
    one (`LONG_AGO`), and drop keys that sum to nothing, so the queue sums a few rows a day.
    Beat runs it every few minutes; the counts are right whether or not it ran. Returns the rows
    there were before.

    The rows are taken out with one DELETE … RETURNING and their sums put back in the same
    transaction: a writer's rows committed meanwhile are not in that DELETE's snapshot (READ
    COMMITTED), so they stay and are merged next time; two merges at once each merge what the
    other did not take."""
    cutoffs = _cutoffs(now or timezone.now())
    table = connection.ops.quote_name(QueueCount._meta.db_table)
    column_of = {f.name: f.column for f in QueueCount._meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(column_of[n]) for n in (*KEY_NAMES, "cases"))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} RETURNING {columns}")  # noqa: S608 - our names
            taken = cursor.fetchall()
        sums: Counter[Key] = Counter()
        for *key, cases in taken:
            sums[_rolled(_key_read(key), **cutoffs)] += cases
        _counts_add(sums)
        QueueCountEntry.objects.filter(submitted_on__lt=cutoffs["submitted_before"]).exclude(
            submitted_on=LONG_AGO
        ).update(submitted_on=LONG_AGO)
        QueueCountEntry.objects.filter(due_on__lt=cutoffs["due_before"]).exclude(
            due_on=LONG_AGO
        ).update(due_on=LONG_AGO)
    return len(taken)


def _key_read(values: list[Any]) -> Key:
    """A key as a cursor returns it (SQLite gives booleans as 0/1 and dates as text)."""
    municipality, protected, status, track, owner, warning, linked, urgent, sent, due = values
    return (
        municipality,
        bool(protected),
        status,
        track,
        owner,
        bool(warning),
        bool(linked),
        bool(urgent),
        sent if isinstance(sent, date) else date.fromisoformat(sent),
        due if isinstance(due, date) else date.fromisoformat(due),
    )


def queue_counts_rebuild() -> int:
    """Count every case again into empty tables (the first fill, and `--fix`). Returns the
    number of cases counted."""
    with transaction.atomic():
        QueueCountEntry.objects.all().delete()
        QueueCount.objects.all().delete()
        counted = 0
        totals: Counter[Key] = Counter()
        batch: list[QueueCountEntry] = []
        for pk, key, times in _facts(Application.objects.all()):
            batch.append(_entry(pk, key, times))
            totals[key] += 1
            counted += 1
            if len(batch) >= CHUNK:
                QueueCountEntry.objects.bulk_create(batch)
                batch = []
        QueueCountEntry.objects.bulk_create(batch)
        counts = []
        for key, n in sorted(totals.items()):
            row = QueueCount(cases=n)
            _key_set(row, key)
            counts.append(row)
        QueueCount.objects.bulk_create(counts, batch_size=CHUNK)
    return counted


def queue_counts_differences(now: datetime | None = None) -> list[str]:
    """Every way the table differs from a full count of the applications: a count that is not
    the number of cases under its key, a case counted under the wrong key, not counted, or
    counted though it is gone. Empty when they agree. Days merged by the roll-up are compared
    merged (they are one bucket). One snapshot on PostgreSQL (REPEATABLE READ), so a count
    taken while cases change compares like with like."""
    cutoffs = _cutoffs(now or timezone.now())

    def rolled(key: Key) -> Key:
        return _rolled(key, **cutoffs)

    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        facts = {pk: (key, times) for pk, key, times in _facts(Application.objects.all())}
        stored = {
            e.application_id: (_key_of(e), (e.submitted_at, e.due_at))
            for e in QueueCountEntry.objects.iterator(CHUNK)
        }
        table: Counter[Key] = Counter()
        for row in QueueCount.objects.iterator(CHUNK):
            table[rolled(_key_of(row))] += row.cases
    full = Counter(rolled(key) for key, _times in facts.values())
    differences = [
        f"count {key}: table {table[key]}, cases {full[key]}"
        for key in sorted(set(full) | set(table))
        if table[key] != full[key]
    ]
    for pk in sorted(set(facts) | set(stored)):
        expected, found = facts.get(pk), stored.get(pk)
        if expected is None:
            differences.append(f"application {pk}: counted under {found}, but not a counted case")
        elif found is None:
            differences.append(f"application {pk}: not counted, belongs under {expected}")
        elif rolled(found[0]) != rolled(expected[0]) or found[1] != expected[1]:
            differences.append(f"application {pk}: counted under {found}, belongs under {expected}")
    return differences
