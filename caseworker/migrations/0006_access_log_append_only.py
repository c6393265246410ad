"""The access log is append-only in PostgreSQL: a trigger refuses UPDATE and DELETE (#9).

Revoking UPDATE/DELETE from the app's role would not bind a role that owns the table (as in the
tests, and in small installations); a trigger binds everyone except a superuser who drops it.
Retention deletes rows past their period through `caseworker.retention`, which sets the
transaction-local flag `bistand.retention_purge` first; nothing else may delete. On SQLite
nothing is installed; a test checks that the services never update the log.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION caseworker_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('bistand.retention_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'caseworker_accesslog is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
CREATE TRIGGER caseworker_accesslog_append_only
BEFORE UPDATE OR DELETE ON caseworker_accesslog
FOR EACH ROW EXECUTE FUNCTION caseworker_accesslog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS caseworker_accesslog_append_only ON caseworker_accesslog;
DROP FUNCTION IF EXISTS caseworker_accesslog_append_only();
"""


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)  # a literal % in the function body
        schema_editor.execute(TRIGGER)


def uninstall(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("caseworker", "0005_history")]

    operations = [migrations.RunPython(install, uninstall)]
