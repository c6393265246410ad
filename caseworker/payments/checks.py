"""System checks of the municipalities' paying accounts (PAYMENT_DEBTORS, caseworker.payments.
debtors): run by `manage.py check`, `migrate` and `runserver`. They read settings only, never the
database: which municipalities have no entry is `manage.py payment_debtors_check`'s question, and
a payment file for one is refused when it is made."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from caseworker.payments.debtors import (
    PaymentDebtorsMalformed,
    debtor_entries,
    example_debtor_allowed,
    example_debtor_entry,
)

HINT = "See .env.example, PAYMENT_DEBTORS, and caseworker/payments/debtors.py."


def payment_debtor_problems() -> list[CheckMessage]:
    try:
        entries = debtor_entries(settings.PAYMENT_DEBTORS)
    except PaymentDebtorsMalformed as error:
        return [Error(f"PAYMENT_DEBTORS cannot be read: {error}.", hint=HINT, id="bistand.E130")]
    messages: list[CheckMessage] = [
        Error(
            f"PAYMENT_DEBTORS[{code!r}] is not a valid paying account: "
            f"{'; '.join(entry.problems)}.",
            hint=HINT,
            id="bistand.E131",
        )
        for code, entry in sorted(entries.items())
        if entry.problems
    ]
    if example_debtor_allowed():
        example = example_debtor_entry()
        if example.problems:
            messages.append(
                Error(
                    "The example paying account PAYMENT_DEBTOR_* is not valid: "
                    f"{'; '.join(example.problems)}.",
                    hint="It is used for municipalities missing from PAYMENT_DEBTORS in local and "
                    "demo runs.",
                    id="bistand.E132",
                )
            )
    elif not entries:
        messages.append(
            Warning(
                "PAYMENT_DEBTORS is empty: no municipality has a paying account, so no payment "
                "file can be made.",
                hint=HINT,
                id="bistand.W130",
            )
        )
    return messages


@register("payments")
def check_payment_debtors(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    return payment_debtor_problems()
