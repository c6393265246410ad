"""Meetings recorded as "Mötet ställdes in" before that also cancelled them: cancelled now (by
staff, when it was recorded), so their time is free and the applicant may book a new one."""

from django.db import migrations
from django.db.models import F


def cancel_called_off(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    Meeting.objects.filter(attendance="cancelled", cancelled_at__isnull=True).update(
        cancelled_at=F("recorded_at"), cancelled_by="staff"
    )
    # A record without its time (never written by the app): cancelled when it was booked.
    Meeting.objects.filter(attendance="cancelled", cancelled_at__isnull=True).update(
        cancelled_at=F("created_at"), cancelled_by="staff"
    )


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_room_protect")]

    operations = [migrations.RunPython(cancel_called_off, migrations.RunPython.noop)]
