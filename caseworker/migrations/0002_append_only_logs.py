"""The access log and the access-denial log are append-only in PostgreSQL: a trigger refuses
UPDATE and DELETE (#9, #14; ADR 0008).

Revoking UPDATE/DELETE from the app's role would not bind a role that owns the table (as in the
tests, and in small installations); a trigger binds everyone except a superuser who drops it.
Retention deletes rows past their period through `caseworker.audit.retention`, which sets the
transaction-local flag `bistand.retention_purge` first; nothing else may delete. On SQLite
nothing is installed; a test checks that no code updates or deletes the rows.
"""

from django.db import migrations

TABLES = ("caseworker_accesslog", "caseworker_accessdenial")

FUNCTION = """
CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('bistand.retention_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{table} is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
CREATE TRIGGER {table}_append_only
BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP FUNCTION IF EXISTS {table}_append_only();
"""


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(FUNCTION.format(table=table), params=None)  # a literal %
        schema_editor.execute(TRIGGER.format(table=table))


def uninstall(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(DROP.format(table=table))


class Migration(migrations.Migration):
    dependencies = [("caseworker", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
