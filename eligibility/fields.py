"""Model fields of the eligibility app."""

from __future__ import annotations

from typing import Any

from django.db import models


class BulkJSONField(models.JSONField):
    """A JSONField that PostgreSQL bulk-inserts as ``VALUES`` rows rather than ``UNNEST`` arrays.

    Django 5.2 sends a bulk insert on PostgreSQL as one array per column; psycopg quotes each
    JSON document inside a text array with a regular-expression substitution per double quote,
    which took a fifth of the robot's time for register answers (ADR 0011). A field with its
    own placeholder makes Django use plain ``VALUES`` for the table; nothing else changes (same
    column type, same values)."""

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return "%s"
