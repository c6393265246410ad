"""Prove the queue's count table equal to a full count of the applications (#20 c).

manage.py queue_counts_reconcile          # prints every difference; exit 1 when any
manage.py queue_counts_reconcile --fix    # and then counts every case again
manage.py queue_counts_reconcile --compact  # first merge the days every bucket agrees on
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseworker.workbench.queue_counts import (
    queue_counts_compact,
    queue_counts_differences,
    queue_counts_rebuild,
)


class Command(BaseCommand):
    help = "Compare the queue's facet count table with a full count; --fix counts again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="count every case again")
        parser.add_argument(
            "--compact", action="store_true", help="merge old days into one first (the roll-up)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["compact"]:
            merged = queue_counts_compact()
            self.stdout.write(f"{merged} count rows merged")
        differences = queue_counts_differences()
        for difference in differences:
            self.stdout.write(difference)
        if not differences:
            self.stdout.write("0 differences")
            return
        self.stdout.write(f"{len(differences)} differences")
        if options["fix"]:
            counted = queue_counts_rebuild()
            left = queue_counts_differences()
            self.stdout.write(f"counted {counted} cases again: {len(left)} differences")
            if not left:
                return
        raise CommandError(f"{len(differences)} differences between the count table and the cases")
