"""Every municipality in the database and its paying account (PAYMENT_DEBTORS): the deploy-time
question the system checks cannot ask (they do not read the database). Ends with an error when
any municipality has none, or an invalid one: run it after `migrate` when going live and after
adding a municipality."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Municipality
from caseworker.payments.debtors import (
    PaymentDebtorsMalformed,
    debtor_entries,
    example_debtor_allowed,
)


class Command(BaseCommand):
    help = "List the municipalities and whether each has a valid paying account (PAYMENT_DEBTORS)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            entries = debtor_entries(settings.PAYMENT_DEBTORS)
        except PaymentDebtorsMalformed as error:
            raise CommandError(f"PAYMENT_DEBTORS cannot be read: {error}") from error
        failing = 0
        for municipality in Municipality.objects.order_by("code"):
            entry = entries.get(municipality.code)
            if entry is not None and entry.debtor is not None:
                state = f"ok: {entry.debtor.name}, {entry.debtor.iban}"
            elif entry is not None:
                failing += 1
                state = f"INVALID: {'; '.join(entry.problems)}"
            elif example_debtor_allowed():
                state = "example account (PAYMENT_DEBTOR_*, local and demo runs only)"
            else:
                failing += 1
                state = "MISSING: no entry in PAYMENT_DEBTORS"
            self.stdout.write(f"{municipality.code} {municipality.name}: {state}")
        known = set(Municipality.objects.values_list("code", flat=True))
        for code in sorted(set(entries) - known):
            self.stdout.write(f"{code}: configured, but no such municipality in the database")
        if failing:
            raise CommandError(
                f"{failing} municipality/municipalities cannot make payment files: no valid "
                "paying account."
            )
