"""(b)'s floor (#20 target b): the physical limit of writing what the month's batch wrote.

After the batch, every table it inserted into is found (the tables whose row count or highest
primary key grew while it ran: snapshots, proposals, lines, warnings, meetings, events,
notices, ...), and exactly the rows it wrote (same columns, same values) are written again with
one COPY per table, into copies ``<table>_floor`` made with ``CREATE TABLE ... (LIKE <table>
INCLUDING ALL)`` plus the original's foreign keys. Copies, because re-inserting into the same
table is refused by its unique indexes (one proposal per application and round, one live
meeting per secretary and start time, ...) and changing values to get past them would no longer
be the same rows; the copies keep every column, default, check, index, unique index and foreign
key of the original, so each row costs what it costs there (the indexes start empty, a little
cheaper than the real ones). The applications' final state (the batch's UPDATE of status,
lease, due date, ...) is written as one COPY into a temporary table and one ``UPDATE ... FROM``
with the same values.

The rows are read into memory (COPY's text format) before the clock starts; the timed part is
one transaction: the COPYs, the UPDATE and the COMMIT. Added to it, the engine's time for the
same households: ``calculate()`` over each application's household built as the gates build it
(``household_build`` from the declaration and the stored snapshots), built before the clock
starts, after one warm-up pass. The copies are dropped at the end.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from psycopg import sql

FLOOR_SUFFIX = "_floor"
APPLICATION_TABLE = "intake_application"


@dataclass(frozen=True)
class TableMark:
    """A table's row count and highest integer primary key (None: no such key) at one time."""

    rows: int
    max_pk: int | None


def _connect(database_url: str) -> Any:
    import psycopg

    return psycopg.connect(database_url)


def _tables(conn: Any) -> dict[str, str | None]:
    """Every ordinary table of the public schema, with its single-column integer primary key
    (None when it has another kind of key or none)."""
    rows = conn.execute(
        """
        SELECT c.relname,
               (SELECT a.attname FROM pg_index i
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                 WHERE i.indrelid = c.oid AND i.indisprimary AND i.indnkeyatts = 1
                   AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype))
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname NOT LIKE %s
         ORDER BY c.relname
        """,
        ("%" + FLOOR_SUFFIX,),
    ).fetchall()
    return dict(rows)


def tables_mark(database_url: str) -> dict[str, TableMark]:
    """Every table's row count and highest primary key, taken before the batch starts."""
    marks = {}
    with _connect(database_url) as conn:
        for table, pk in _tables(conn).items():
            if pk is None:
                query = sql.SQL("SELECT count(*), NULL FROM {}").format(sql.Identifier(table))
            else:
                query = sql.SQL("SELECT count(*), max({}) FROM {}").format(
                    sql.Identifier(pk), sql.Identifier(table)
                )
            count, max_pk = conn.execute(query).fetchone()
            marks[table] = TableMark(count, max_pk)
    return marks


@dataclass
class _Written:
    table: str
    pk: str
    after: int  # rows whose key is above this one are the batch's
    columns: list[str]
    data: bytes = b""
    rows: int = 0


def _written_tables(conn: Any, before: dict[str, TableMark]) -> tuple[list[_Written], list[str]]:
    """The tables the batch inserted into (by integer key), and those that grew without one."""
    written, unkeyed = [], []
    for table, pk in _tables(conn).items():
        mark = before.get(table, TableMark(0, None))
        if pk is None:
            (count,) = conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()
            if count != mark.rows:
                unkeyed.append(table)
            continue
        after = mark.max_pk or 0
        (grew,) = conn.execute(
            sql.SQL("SELECT EXISTS (SELECT 1 FROM {} WHERE {} > %s)").format(
                sql.Identifier(table), sql.Identifier(pk)
            ),
            (after,),
        ).fetchone()
        if grew:
            columns = [
                name
                for (name,) in conn.execute(
                    "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass "
                    "AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
                    (table,),
                ).fetchall()
            ]
            written.append(_Written(table, pk, after, columns))
    return written, unkeyed


def _copy_out(conn: Any, query: sql.Composed) -> bytes:
    chunks = []
    with conn.cursor().copy(sql.SQL("COPY ({}) TO STDOUT").format(query)) as copy:
        for chunk in copy:
            chunks.append(bytes(chunk))
    return b"".join(chunks)


def _floor_tables_create(conn: Any, written: list[_Written]) -> None:
    """``<table>_floor`` for each table: the columns, defaults, checks, indexes and (added
    afterwards, since LIKE leaves them out) the original's foreign keys."""
    for item in written:
        floor = sql.Identifier(item.table + FLOOR_SUFFIX)
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(floor))
        conn.execute(
            sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                floor, sql.Identifier(item.table)
            )
        )
        for (definition,) in conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            (item.table,),
        ).fetchall():
            conn.execute(sql.SQL("ALTER TABLE {} ADD {}").format(floor, sql.SQL(definition)))
    conn.commit()


def _households(application_ids: list[int]) -> list[Any]:
    """Each application's household as the gates build it (declaration + stored snapshots)."""
    from eligibility.models import RegisterSnapshot
    from eligibility.robot.assessment import household_build
    from intake.models import Application
    from intake.services import declared_incomes, declared_members

    snapshots: dict[tuple[int, int], list[Any]] = {}
    for snapshot in RegisterSnapshot.objects.filter(application_id__in=application_ids):
        snapshots.setdefault((snapshot.application_id, snapshot.round), []).append(snapshot)
    households = []
    for application in Application.objects.filter(pk__in=application_ids).select_related(
        "municipality"
    ):
        households.append(
            household_build(
                application=application,
                members=declared_members(application),
                snapshots=snapshots.get((application.pk, application.robot_round), []),
                incomes=declared_incomes(application),
            )
        )
    return households


def engine_seconds(application_ids: list[int]) -> float:
    """``calculate()`` over the applications' households: one warm-up pass, one timed."""
    from eligibility.rules import calculate

    households = _households(application_ids)
    for household in households:
        calculate(household)
    began = time.perf_counter()
    for household in households:
        calculate(household)
    return time.perf_counter() - began


def batch_floor(
    *, database_url: str, before: dict[str, TableMark], application_ids: list[int]
) -> dict[str, Any]:
    """Write again what the batch wrote (see the module's docstring) and time it."""
    with _connect(database_url) as conn:
        written, unkeyed = _written_tables(conn, before)
        for item in written:
            item.data = _copy_out(
                conn,
                sql.SQL("SELECT {} FROM {} WHERE {} > {} ORDER BY {}").format(
                    sql.SQL(", ").join(map(sql.Identifier, item.columns)),
                    sql.Identifier(item.table),
                    sql.Identifier(item.pk),
                    sql.Literal(item.after),
                    sql.Identifier(item.pk),
                ),
            )
            item.rows = item.data.count(b"\n")
        app_columns = [
            name
            for (name,) in conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
                (APPLICATION_TABLE,),
            ).fetchall()
        ]
        app_data = _copy_out(
            conn,
            sql.SQL("SELECT {} FROM {} WHERE id = ANY({}) ORDER BY id").format(
                sql.SQL(", ").join(map(sql.Identifier, app_columns)),
                sql.Identifier(APPLICATION_TABLE),
                sql.Literal(application_ids),
            ),
        )
        conn.commit()
        _floor_tables_create(conn, written)
        updated_columns = [c for c in app_columns if c != "id"]
        per_table: dict[str, float] = {}
        try:
            began = time.perf_counter()
            for item in written:
                started = time.perf_counter()
                with conn.cursor().copy(
                    sql.SQL("COPY {} ({}) FROM STDIN").format(
                        sql.Identifier(item.table + FLOOR_SUFFIX),
                        sql.SQL(", ").join(map(sql.Identifier, item.columns)),
                    )
                ) as copy:
                    copy.write(item.data)
                per_table[item.table] = time.perf_counter() - started
            started = time.perf_counter()
            conn.execute(
                sql.SQL("CREATE TEMPORARY TABLE application_floor (LIKE {}) ON COMMIT DROP").format(
                    sql.Identifier(APPLICATION_TABLE)
                )
            )
            with conn.cursor().copy(
                sql.SQL("COPY application_floor ({}) FROM STDIN").format(
                    sql.SQL(", ").join(map(sql.Identifier, app_columns))
                )
            ) as copy:
                copy.write(app_data)
            conn.execute(
                sql.SQL("UPDATE {} AS a SET ({}) = ({}) FROM application_floor f WHERE a.id = f.id")
                .format(
                    sql.Identifier(APPLICATION_TABLE),
                    sql.SQL(", ").join(map(sql.Identifier, updated_columns)),
                    sql.SQL(", ").join(sql.Identifier("f", c) for c in updated_columns),
                )
            )  # fmt: skip
            per_table[APPLICATION_TABLE + " (update)"] = time.perf_counter() - started
            conn.commit()
            write_seconds = time.perf_counter() - began
        finally:
            conn.rollback()
            for item in written:
                conn.execute(
                    sql.SQL("DROP TABLE IF EXISTS {}").format(
                        sql.Identifier(item.table + FLOOR_SUFFIX)
                    )
                )
            conn.commit()
    engine = engine_seconds(application_ids)
    return {
        "batch_floor_seconds": write_seconds + engine,
        "batch_floor_write_seconds": write_seconds,
        "batch_floor_engine_seconds": engine,
        "batch_floor_rows": sum(item.rows for item in written) + len(application_ids),
        "batch_floor_tables": {
            item.table: {"rows": item.rows, "seconds": round(per_table[item.table], 4)}
            for item in written
        }
        | {
            APPLICATION_TABLE + " (update)": {
                "rows": len(application_ids),
                "seconds": round(per_table[APPLICATION_TABLE + " (update)"], 4),
            }
        },
        "batch_floor_tables_unkeyed": unkeyed,  # grew, but not copied: no integer key
    }
