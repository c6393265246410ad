"""Queries the ORM writes once per process (#20 d): ``CompiledQuery``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet


class CompiledQuery:
    """A query whose SQL the ORM writes once per process; each run binds its own values.

    The owner choice's annotated queries (weighted loads, a case's facts) cost the ORM more CPU
    to build and compile than the rest of a submit (#20 d). `build` gets one marker per value
    (distinct, never real data) and returns the queryset; the markers are found among the
    compiled parameters and replaced by each run's values. Rows come back as dicts by column
    alias (values() names them)."""

    def __init__(self, build: Callable[..., QuerySet[Any]], *markers: Any) -> None:
        self.build = build
        self.markers = markers
        self._compiled: dict[str, tuple[str, list[Any], list[tuple[int, int]]]] = {}

    def _compile(self, alias: str) -> tuple[str, list[Any], list[tuple[int, int]]]:
        found = self._compiled.get(alias)
        if found is None:
            queryset = self.build(*self.markers).using(alias)
            sql, params = queryset.query.sql_with_params()
            slots = [
                (position, index)
                for position, param in enumerate(params)
                for index, marker in enumerate(self.markers)
                if _is_marker(param, marker)
            ]
            if sorted({index for _p, index in slots}) != list(range(len(self.markers))):
                raise ValueError("a marker is missing from the compiled query")
            found = (sql, list(params), slots)
            self._compiled[alias] = found
        return found

    def _bound(self, values: tuple[Any, ...], alias: str) -> tuple[str, list[Any]]:
        sql, params, slots = self._compile(alias)
        bound = list(params)
        for position, index in slots:
            value = values[index]
            bound[position] = str(value) if isinstance(params[position], str) else value
        return sql, bound

    def rows(self, *values: Any, alias: str = "default") -> list[dict[str, Any]]:
        sql, bound = self._bound(values, alias)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, bound)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def tuples(self, *values: Any, alias: str = "default") -> list[tuple[Any, ...]]:
        """The rows by position, as the driver returns them (no Django converters: on
        PostgreSQL the types are already Python's; SQLite gives dates and times as text)."""
        sql, bound = self._bound(values, alias)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, bound)
            return [tuple(row) for row in cursor.fetchall()]


def _is_marker(param: Any, marker: Any) -> bool:
    """`param` is `marker` as compiled: itself, or as text (SQLite writes dates as text)."""
    if type(param) is type(marker):
        return bool(param == marker)
    return isinstance(param, str) and param == str(marker)
