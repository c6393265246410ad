"""A migrated test database built once and cloned per test process.

Replaying every migration costs ~20 s of CPU per process. Instead, the first process of a run
builds a *template* (SQLite: a file under `.pytest-db/`; PostgreSQL: a database
`test_template_<fingerprint>`) and every process copies it (`shutil.copyfile`, or PostgreSQL's
`CREATE DATABASE … TEMPLATE …`). The template's name carries a fingerprint of every migration
file of every installed app, Django's version and the database engine, so a changed, added or
removed migration builds a new template; an unchanged tree reuses the last one across runs.
`pytest --create-db` (or deleting `.pytest-db/`) rebuilds it regardless.

Two runs at once are safe: building is serialised by a file lock (SQLite) or an advisory lock
(PostgreSQL), and a template is only given its final name once it is complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
SQLITE_TEMPLATES = ROOT / ".pytest-db"
PG_TEMPLATE_PREFIX = "test_template_"
# Any number that this project alone uses for pg_advisory_lock.
PG_LOCK_KEY = 0x42_15_7A_4D


def migrations_fingerprint(connection: BaseDatabaseWrapper) -> str:
    """A hash of everything that decides the migrated schema and its seeded rows: every
    migration file and every apps.py (post_migrate receivers) of every installed app."""
    digest = hashlib.sha256()
    digest.update(f"{django.get_version()}|{connection.vendor}|".encode())
    for app in sorted(apps.get_app_configs(), key=lambda a: a.label):
        folder = Path(app.path) / "migrations"
        # apps.py too: its post_migrate receivers seed rows into the template as well.
        for path in [Path(app.path) / "apps.py", *sorted(folder.glob("*.py"))]:
            if not path.is_file():
                continue
            digest.update(f"{app.label}/{path.name}|".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _migrate_into(connection: BaseDatabaseWrapper, name: str) -> None:
    """Create and migrate the test database `name` with Django's own machinery."""
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    connection.close()


def _point_at(connection: BaseDatabaseWrapper, name: str) -> None:
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name


@contextlib.contextmanager
def _restored_settings(connection: BaseDatabaseWrapper) -> Iterator[None]:
    name = connection.settings_dict["NAME"]
    test = dict(connection.settings_dict.get("TEST", {}))
    try:
        yield
    finally:
        connection.close()
        settings.DATABASES[connection.alias]["NAME"] = name
        connection.settings_dict["NAME"] = name
        connection.settings_dict["TEST"] = test


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_files(path: Path) -> list[Path]:
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")]


def _sqlite_template(connection: BaseDatabaseWrapper, rebuild: bool) -> Path:
    SQLITE_TEMPLATES.mkdir(exist_ok=True)
    template = SQLITE_TEMPLATES / f"template-{migrations_fingerprint(connection)}.sqlite3"
    with FileLock(f"{template}.lock"):
        if template.exists() and not rebuild:
            return template
        building = template.with_suffix(f".building-{os.getpid()}")
        with _restored_settings(connection):
            _migrate_into(connection, str(building))
        # The test settings use WAL: fold the log into the file so one file is the whole copy.
        with contextlib.closing(sqlite3.connect(building)) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.execute("PRAGMA journal_mode=DELETE")
        os.replace(building, template)
        for stale in SQLITE_TEMPLATES.glob("template-*.sqlite3"):
            if stale != template:
                with contextlib.suppress(OSError):
                    stale.unlink()
        return template


def _sqlite_clone(connection: BaseDatabaseWrapper, rebuild: bool) -> str:
    template = _sqlite_template(connection, rebuild)
    name = connection.settings_dict.get("TEST", {}).get("NAME")
    if not name or name == ":memory:" or "mode=memory" in name:
        raise RuntimeError("the SQLite test database must be a file (config/settings/test.py)")
    for path in _sqlite_files(Path(name)):
        path.unlink(missing_ok=True)
    shutil.copyfile(template, name)
    return name


def _sqlite_destroy(name: str) -> None:
    for path in _sqlite_files(Path(name)):
        path.unlink(missing_ok=True)


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_execute(connection: BaseDatabaseWrapper, *statements: str) -> None:
    """DDL on the maintenance database (names are quoted by the caller with quote_name)."""
    with connection._nodb_cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _pg_databases(connection: BaseDatabaseWrapper, like: str) -> list[str]:
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [like])
        return [name for (name,) in cursor.fetchall()]


def _pg_exists(connection: BaseDatabaseWrapper, name: str) -> bool:
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def _pg_template(connection: BaseDatabaseWrapper, rebuild: bool) -> str:
    template = f"{PG_TEMPLATE_PREFIX}{migrations_fingerprint(connection)}"
    qn = connection.ops.quote_name
    with connection._nodb_cursor() as lock:
        lock.execute("SELECT pg_advisory_lock(%s)", [PG_LOCK_KEY])
        try:
            if rebuild and _pg_exists(connection, template):
                _pg_execute(connection, f"DROP DATABASE {qn(template)} WITH (FORCE)")
            if not _pg_exists(connection, template):
                building = f"{template}_building"
                with _restored_settings(connection):
                    _migrate_into(connection, building)
                _pg_execute(connection, f"ALTER DATABASE {qn(building)} RENAME TO {qn(template)}")
            # Old templates of this checkout's earlier migrations: drop what nobody is copying.
            for stale in _pg_databases(connection, f"{PG_TEMPLATE_PREFIX}%"):
                if stale == template:
                    continue
                with contextlib.suppress(Exception):
                    _pg_execute(connection, f"DROP DATABASE {qn(stale)}")
        finally:
            lock.execute("SELECT pg_advisory_unlock(%s)", [PG_LOCK_KEY])
    return template


def _pg_clone(connection: BaseDatabaseWrapper, rebuild: bool) -> str:
    template = _pg_template(connection, rebuild)
    name = connection.creation._get_test_db_name()
    qn = connection.ops.quote_name
    _pg_execute(
        connection,
        f"DROP DATABASE IF EXISTS {qn(name)} WITH (FORCE)",
        f"CREATE DATABASE {qn(name)} TEMPLATE {qn(template)}",
    )
    return name


def _pg_destroy(connection: BaseDatabaseWrapper, name: str) -> None:
    qn = connection.ops.quote_name
    _pg_execute(connection, f"DROP DATABASE IF EXISTS {qn(name)} WITH (FORCE)")


# --- The fixture's two halves ---------------------------------------------------------------


def test_database_clone(*, rebuild: bool = False, alias: str = "default") -> tuple[str, str]:
    """Point `alias` at a fresh copy of the migrated template; returns (original, test) names."""
    connection = connections[alias]
    original = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        name = _sqlite_clone(connection, rebuild)
    elif connection.vendor == "postgresql":
        name = _pg_clone(connection, rebuild)
    else:  # pragma: no cover - the project runs on these two
        raise RuntimeError(f"no test database template for {connection.vendor}")
    _point_at(connection, name)
    return original, name


def test_database_destroy(*, original: str, name: str, alias: str = "default") -> None:
    connection = connections[alias]
    _point_at(connection, original)
    if connection.vendor == "sqlite":
        _sqlite_destroy(name)
    else:
        _pg_destroy(connection, name)
