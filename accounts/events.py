"""What accounts announces to the apps above it (kernel.events, ADR 0012)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kernel.events import Topic

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class StaffAccessNarrowed:
    """A staff account lost some access to cases: deactivated, another role or municipality,
    or no longer allowed to handle protected identities (`user` as saved; `by` who did it)."""

    user: User
    by: User | None


# Published inside the transaction that saves the account: the caseload hands the person's open
# cases to a stand-in or back to assignment in the same transaction (caseworker). Required: an
# account must never be narrowed while its cases stay with it unnoticed (#16 item 8).
staff_access_narrowed: Topic[StaffAccessNarrowed, None] = Topic("accounts.staff_access_narrowed")

# The person gave a bank account for payments (their own pages: the application's payment step or
# "Mina uppgifter"), with the user's id, inside the saving transaction: payments waiting for an
# account take it (caseworker), so the status page stops asking for one (#17).
bank_account_given: Topic[int, None] = Topic("accounts.bank_account_given", required=False)
