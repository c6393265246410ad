"""`manage.py retention_run [--dry-run]`: gallring (see caseworker.audit.retention)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from caseworker.audit.retention import retention_run


class Command(BaseCommand):
    help = "Gallring: avidentifiera personakter och ta bort gamla åtkomstloggrader."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would go, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        plan = retention_run(dry_run=options["dry_run"])
        if options["dry_run"]:
            self.stdout.write("TORRKÖRNING – inget ändras")
        self.stdout.write("\n".join(plan.lines()))
