"""Many rows in one short statement: ``rows_insert``, a ``bulk_create`` for the robot's batch.

Django's ``bulk_create`` on PostgreSQL sends either one placeholder per value (``VALUES (%s,
...), ...``: for fifty applications' register answers thousands of placeholders, compiled per
row into a query text of hundreds of kilobytes that the driver splits again) or one text array
per column (``UNNEST``: psycopg escapes each JSON document in the array with a regular
expression per double quote; see ``eligibility.fields.BulkJSONField``). ``rows_insert`` sends
the rows as one JSON document, ``INSERT ... SELECT (r->>0)::type, ... FROM
jsonb_array_elements(%s::jsonb) r``: one parameter, encoded by the C JSON encoder, a query text
of a few hundred bytes that the driver caches. Each value is prepared by its field as
``bulk_create`` prepares it (``pre_save``, ``get_db_prep_save``; a JSON column as the text its
encoder writes) and turned into its column type by the type's own input function, so the rows
are the ones ``bulk_create`` writes. No primary keys come back.

Only for models whose writes nothing else listens to (not the queue's fact models, whose
querysets announce their writes); elsewhere than PostgreSQL it is ``bulk_create``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import connections, router
from django.db.models import NOT_PROVIDED, Field, JSONField, Model


def rows_insert(objects: Sequence[Model], *, ignore_conflicts: bool = False) -> None:
    """Insert ``objects`` (all of one model, primary keys left to the database) in one
    statement; with ``ignore_conflicts`` a row that breaks a unique constraint is skipped."""
    if not objects:
        return
    model = type(objects[0])
    database = router.db_for_write(model)
    connection = connections[database]
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and getattr(field, "db_returning", False)) and not field.generated
    ]
    if connection.vendor != "postgresql" or any(
        field.db_default is not NOT_PROVIDED for field in fields
    ):
        model._default_manager.db_manager(database).bulk_create(
            list(objects), ignore_conflicts=ignore_conflicts
        )
        return
    rows = []
    for obj in objects:
        if type(obj) is not model:
            raise TypeError(f"rows_insert takes one model, not {model} and {type(obj)}")
        # What bulk_create does first: a related object's key copied to its column.
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]  # Django's, not in the stubs
        rows.append([_plain(field, field.pre_save(obj, True), connection) for field in fields])
    quote = connection.ops.quote_name
    # Names and types from the model's metadata, quoted; the values go as the one parameter.
    sql = "INSERT INTO {} ({}) SELECT {} FROM jsonb_array_elements(%s::jsonb) AS r{}".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(
            f"(r->>{index})::{field.db_type(connection)}" for index, field in enumerate(fields)
        ),
        " ON CONFLICT DO NOTHING" if ignore_conflicts else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(rows, ensure_ascii=False)])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = database


def _plain(field: Field[Any, Any], value: Any, connection: Any) -> Any:
    """The value as JSON carries it to the column's input function."""
    if isinstance(field, JSONField):
        if value is None:
            return None  # SQL NULL, as bulk_create stores None
        return json.dumps(field.get_prep_value(value), cls=field.encoder)
    value = field.get_db_prep_save(value, connection)
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"rows_insert cannot carry {type(value).__name__} for {field}")
