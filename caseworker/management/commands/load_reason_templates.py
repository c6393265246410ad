"""Create the national default standard reasons (safe to run again)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from caseworker.letters.reasons import reason_templates_load


class Command(BaseCommand):
    help = "Create the national default standard reasons (motiveringar); --overwrite resets them."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--overwrite", action="store_true", help="Reset edited national texts to the defaults."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        created, updated = reason_templates_load(overwrite=options["overwrite"])
        self.stdout.write(f"{created} created, {updated} reset")
