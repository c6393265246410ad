"""Read the bank's camt.054 notification back: each payment order it reports is marked paid or
rejected (with the bank's reason) on its case and the applicant's timeline (#19 item 5)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Municipality
from caseworker.payments.returns import ReturnFileInvalid, camt054_parse, payment_returns_apply


class Command(BaseCommand):
    help = "Mark payment orders paid or rejected from a camt.054 file from the bank."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="the camt.054 XML file")
        parser.add_argument(
            "--municipality", help="municipality code: only that municipality's orders match"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality_id = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(code=options["municipality"]).first()
            if municipality is None:
                raise CommandError(f"No municipality with code {options['municipality']}")
            municipality_id = municipality.pk
        try:
            entries = camt054_parse(Path(options["path"]).read_bytes())
        except (OSError, ReturnFileInvalid) as error:
            raise CommandError(f"Nothing was changed: {error}") from error
        result = payment_returns_apply(entries, municipality_id=municipality_id)
        self.stdout.write(
            f"paid {len(result.paid)}, rejected {len(result.rejected)}, "
            f"already recorded {len(result.already)}, not yet booked {len(result.pending)}, "
            f"unknown {len(result.unknown)}, amount differs {len(result.mismatched)}"
        )
        for end_to_end_id in result.unknown + result.mismatched:
            self.stderr.write(f"not applied: {end_to_end_id}")
