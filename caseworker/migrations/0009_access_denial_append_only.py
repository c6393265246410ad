"""The access-denial log is append-only in PostgreSQL, like the access log (0006): a trigger
refuses UPDATE and DELETE.

Retention deletes rows past the access log's period through `caseworker.retention`, which sets
the transaction-local flag `bistand.retention_purge` first; nothing else may delete. On SQLite
nothing is installed; a test checks that no code updates or deletes the rows.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION caseworker_accessdenial_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('bistand.retention_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'caseworker_accessdenial is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
CREATE TRIGGER caseworker_accessdenial_append_only
BEFORE UPDATE OR DELETE ON caseworker_accessdenial
FOR EACH ROW EXECUTE FUNCTION caseworker_accessdenial_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS caseworker_accessdenial_append_only ON caseworker_accessdenial;
DROP FUNCTION IF EXISTS caseworker_accessdenial_append_only();
"""


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)  # a literal % in the function body
        schema_editor.execute(TRIGGER)


def uninstall(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("caseworker", "0008_access_denials")]

    operations = [migrations.RunPython(install, uninstall)]
