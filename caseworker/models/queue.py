"""The caseworker queue's facet counts, kept exact in a table (#20 c).

`QueueCount`: how many cases share one combination of everything a facet of the queue looks at
(municipality, protected identity, status, track, owner, a live warning, an open household link,
an emergency, the Swedish day it was submitted and the day its decision is due). Updated in the
same transaction as every change that moves a case (caseworker.workbench.queue_counts), so the
counts are never stale and never a pass over every case.

`QueueCountEntry`: under which combination each case is counted now, so a change takes one off
the old count and adds one to the new.
"""

from __future__ import annotations

from datetime import date

from django.db import models

# No owner, no submission or no deadline: values that sort after every real one (the key columns
# are NOT NULL so that one combination is one row).
NO_OWNER = 0
NO_DATE = date(9999, 12, 31)
# Days older than every age and deadline boundary are merged into this one (the roll-up in
# `queue_counts_compact`): they fall in the same bucket whatever day it is.
LONG_AGO = date(1, 1, 1)

KEY_FIELDS = (
    "municipality_id",
    "protected_identity",
    "status",
    "track",
    "owner_id",
    "live_warning",
    "household_open",
    "emergency",
    "submitted_on",
    "due_on",
)


class QueueKeyFields(models.Model):
    # No constraint in the database: a foreign key check takes a share lock on the municipality's
    # row, which the robot locks to book meetings (a deadlock under load, #20 stranger run).
    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    protected_identity = models.BooleanField()
    status = models.CharField(max_length=30)
    track = models.CharField(max_length=10, blank=True)
    owner_id = models.IntegerField()  # NO_OWNER for none; not a key: the count outlives a user
    live_warning = models.BooleanField()
    household_open = models.BooleanField()
    emergency = models.BooleanField()
    submitted_on = models.DateField()  # in Swedish time; NO_DATE when never submitted
    due_on = models.DateField()  # in Swedish time; NO_DATE without a deadline

    class Meta:
        abstract = True


class QueueCount(QueueKeyFields):
    """A change to a count, appended: a writer inserts its own rows (+1 under the new key, -1
    under the old) and never updates a shared one, so writers do not wait for each other (one
    row per key, updated in place, serialised the robot's batches and deadlocked under 50
    submitting applicants). A count is the sum of its key's rows; `queue_counts_compact` merges
    them every few minutes."""

    cases = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["municipality", "submitted_on"], name="queue_count_days")]

    def __str__(self) -> str:
        return f"{self.status} ({self.cases})"


class QueueCountEntry(QueueKeyFields):
    # Not a foreign key that cascades: the count is taken off in the same transaction by the
    # door that deletes the application (intake.models.queue_facts), which needs the entry.
    application = models.OneToOneField(
        "intake.Application",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="queue_count_entry",
    )
    # The case's exact times: the few cases on a boundary day are counted from these.
    submitted_at = models.DateTimeField(null=True)
    due_at = models.DateTimeField(null=True)

    class Meta:
        # The few cases on a boundary day, counted exactly from their timestamps.
        indexes = [
            models.Index(fields=["municipality", "submitted_on"], name="queue_entry_submitted"),
            models.Index(fields=["municipality", "due_on"], name="queue_entry_due"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.status}"
