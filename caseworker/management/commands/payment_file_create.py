"""Make the day's pain.001 payment files from every order waiting to be sent: one file per
municipality, paid from its own account, by the same service as the team lead's payment-files
page (#18). A municipality without a valid paying account (PAYMENT_DEBTORS) gets no file: it is
named on stderr and the command ends with an error once the others' files are made."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from caseworker.payments.services import (
    PaymentFileInvalid,
    payment_debtors_missing,
    payment_files_create,
)


class Command(BaseCommand):
    help = (
        "Create the ISO 20022 pain.001.001.03 files (SEK, one per municipality) with the day's "
        "created payment orders."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as error:
            raise CommandError("--date must be YYYY-MM-DD") from error
        try:
            payment_files = payment_files_create(day=day)
        except PaymentFileInvalid as error:
            raise CommandError(f"The file did not validate; nothing was sent: {error}") from error
        missing = payment_debtors_missing(day)
        if not payment_files and not missing:
            self.stdout.write(f"No payment orders waiting on {day}.")
            return
        for payment_file in payment_files:
            self.stdout.write(
                f"{payment_file.message_id}: {payment_file.number_of_orders} orders, "
                f"{payment_file.control_sum} SEK, sha256 {payment_file.sha256}"
            )
        for unavailable in missing:
            self.stderr.write(f"no file: {unavailable}")
        if missing:
            raise CommandError(
                f"{len(missing)} municipality/municipalities got no file: no valid paying account "
                "(PAYMENT_DEBTORS). Their orders wait."
            )
