"""Seed the national default standard reasons (caseworker.reasons.DEFAULT_REASONS).

Existing rows are left alone; `manage.py load_reason_templates --overwrite` resets edited texts.
"""

from django.db import migrations

# A frozen copy would drift from the code's defaults; the defaults are data, not schema, and
# the command can always re-apply them, so the migration reads them from the code.
from caseworker.reasons import DEFAULT_REASONS


def seed(apps, schema_editor):
    ReasonTemplate = apps.get_model("caseworker", "ReasonTemplate")
    for default in DEFAULT_REASONS:
        fields = {k: v for k, v in default.items() if k != "code"}
        if not ReasonTemplate.objects.filter(municipality__isnull=True, code=default["code"]).exists():
            ReasonTemplate.objects.create(municipality=None, code=default["code"], **fields)


class Migration(migrations.Migration):
    dependencies = [("caseworker", "0003_letters_payments")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
