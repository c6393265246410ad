"""Who may own a case (#16 item 7): the alert for a case nobody responsible may see, and on
PostgreSQL a trigger that refuses an owner of another municipality or role.

`caseworker.caseload.ownership` is the one service that sets owners and checks the whole rule
(active, case-handling role, the case's municipality, allowed for a protected identity). The
database adds what a row of the case and of the owner can prove at the moment the owner is set:
the role and the municipality. Whether the account is active or may handle protected identities
changes on the account, not on the case (the service hands such cases on), and the robot learns
a protected identity after the owner was chosen (the service moves the case at once), so those
two parts stay with the service. On SQLite nothing is installed.
"""

from django.db import migrations, models

FUNCTION = """
CREATE OR REPLACE FUNCTION intake_application_owner_guard() RETURNS trigger AS $$
DECLARE
    owner_role text;
    owner_municipality bigint;
BEGIN
    IF NEW.owner_id IS NULL THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.owner_id IS NOT DISTINCT FROM OLD.owner_id
            AND NEW.municipality_id IS NOT DISTINCT FROM OLD.municipality_id THEN
        RETURN NEW;
    END IF;
    SELECT role, municipality_id INTO owner_role, owner_municipality
        FROM accounts_user WHERE id = NEW.owner_id;
    IF owner_role NOT IN ('caseworker', 'team_lead')
            OR owner_municipality IS DISTINCT FROM NEW.municipality_id THEN
        RAISE EXCEPTION 'case % may not be owned by user % (role %, municipality %)',
            NEW.id, NEW.owner_id, owner_role, owner_municipality
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
CREATE TRIGGER intake_application_owner_guard
BEFORE INSERT OR UPDATE OF owner_id, municipality_id ON intake_application
FOR EACH ROW EXECUTE FUNCTION intake_application_owner_guard();
"""
DROP = """
DROP TRIGGER IF EXISTS intake_application_owner_guard ON intake_application;
DROP FUNCTION IF EXISTS intake_application_owner_guard();
"""


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)  # literal % in RAISE
    schema_editor.execute(TRIGGER)


def uninstall(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("caseworker", "0003_communication_exceptions"),
        ("intake", "0002_decision_calculation_lines"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="staffalert",
            name="kind",
            field=models.CharField(
                choices=[
                    ("ceiling_exceeded", "Alla handläggare över taket"),
                    ("referral_unacknowledged", "Överlämning inte kvitterad i tid"),
                    ("eviction_prevention", "Vräkning eller avstängning: akut ärende"),
                    ("no_on_call", "Ingen handläggare i jour"),
                    ("emergency", "Akut ärende"),
                    ("absence_without_stand_in", "Frånvaro utan ersättare"),
                    ("closed_with_open_referral", "Avslutat med öppen överlämning"),
                    ("owner_invalid", "Ärende som ingen behörig ansvarig kan se"),
                ],
                max_length=40,
                verbose_name="slag",
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
