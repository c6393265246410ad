"""The journal and the status history are append-only in PostgreSQL, as the access log is
(0002_append_only_logs; #16 item 13): a trigger refuses UPDATE and DELETE.

A journal entry is never edited (a correction is a new entry), and an application's status
events are its history. The one writer allowed to change a row is retention
(`caseworker.audit.retention`), which anonymises an akt past its period: inside its
transaction it sets the flag `bistand.retention_purge`, and then only the free text may change
(the entry's text, the event's reason); who, when, which case and what happened stay. Nothing
may delete a row. On SQLite nothing is installed.
"""

from django.db import migrations

# table -> the columns that stay as they are even when retention redacts the row's text
KEPT = {
    "caseworker_journalentry": ("id", "application_id", "author_id", "corrects_id", "created_at"),
    "intake_applicationevent": (
        "id",
        "application_id",
        "from_status",
        "to_status",
        "actor_kind",
        "actor_id",
        "created_at",
    ),
}

FUNCTION = """
CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('bistand.retention_purge', true) = 'on'
        AND {unchanged} THEN
        RETURN NEW;
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
    for table, kept in KEPT.items():
        unchanged = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in kept)
        schema_editor.execute(
            FUNCTION.format(table=table, unchanged=unchanged), params=None
        )  # a literal %
        schema_editor.execute(TRIGGER.format(table=table))


def uninstall(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in KEPT:
        schema_editor.execute(DROP.format(table=table))


class Migration(migrations.Migration):
    dependencies = [
        ("caseworker", "0004_owner_guard"),
        ("intake", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
