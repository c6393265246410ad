"""`manage.py log_review --from 2026-11-01 --to 2026-12-01`: the loggkontroll report."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseworker.audit.review import SAMPLE_SIZE, log_review


class Command(BaseCommand):
    help = (
        "Loggkontroll: åtkomster utanför egna ärenden, till skyddade personer, ett urval "
        "och nekade åtkomster per användare."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD (inclusive)")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD (exclusive)")
        parser.add_argument("--sample", type=int, default=SAMPLE_SIZE)
        parser.add_argument("--seed", default=None, help="default: the period itself")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start, end = date.fromisoformat(options["start"]), date.fromisoformat(options["end"])
        except ValueError as error:
            raise CommandError(f"Dates are YYYY-MM-DD: {error}") from error
        if end <= start:
            raise CommandError("--to must be after --from")
        review = log_review(
            start=start, end=end, sample_size=options["sample"], seed=options["seed"]
        )
        self.stdout.write("\n".join(review.lines()))
