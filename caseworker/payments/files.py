"""The team lead's payment files (#18): what waits to be put in a file, the municipality's files,
their download (checked and validated against the XSD before it leaves, and logged), their
marking as sent to the bank, and the bank's camt.054 notification read back (#19 item 5: only
the municipality's own orders change). Files are made by `services.payment_file_create`, the
service the daily command uses; nothing here deletes a file.

Every function takes the municipality or a file already found within it: the views look files up
by municipality, so another municipality's file is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.access import door
from accounts.models import Municipality, Role, User
from accounts.permissions import staff_municipality_id
from caseworker.audit.log import cases_shown
from caseworker.models.payments import PaymentFile, PaymentOrder, PaymentStatus
from caseworker.payments.debtors import PaymentDebtorUnavailable, payment_debtor_for
from caseworker.payments.returns import ReturnResult, camt054_parse, payment_returns_apply
from caseworker.payments.services import (
    PaymentFileInvalid,
    pain001_validate,
    payment_file_read,
)
from intake.events import CasesShown


class PaymentFileAlreadySent(Exception):
    """The file is already marked as sent (by someone, at some time): it is not marked again."""


@dataclass(frozen=True)
class PaymentFilesOverview:
    files: list[PaymentFile]
    waiting_count: int  # approved orders with an account, in no file yet
    waiting_total: Decimal
    needs_account_count: int  # approved orders that wait for the payee's account
    # Orders held because the payee's account fails the banks' rules (their cases, to fix).
    held: list[PaymentOrder]
    debtor_missing: bool  # no valid paying account configured: no file can be made


def payment_files_overview(municipality_id: int) -> PaymentFilesOverview:
    orders = PaymentOrder.objects.filter(application__municipality_id=municipality_id)
    waiting = orders.filter(status=PaymentStatus.CREATED, file_entries__isnull=True)
    totals = waiting.aggregate(total=Coalesce(Sum("amount"), Decimal(0)))
    try:
        payment_debtor_for(Municipality.objects.get(pk=municipality_id))
    except PaymentDebtorUnavailable:
        debtor_missing = True
    else:
        debtor_missing = False
    return PaymentFilesOverview(
        files=list(
            PaymentFile.objects.filter(municipality_id=municipality_id)
            .select_related("created_by", "downloaded_by", "sent_by")
            .order_by("-created_at", "-pk")
        ),
        waiting_count=waiting.count(),
        waiting_total=totals["total"],
        needs_account_count=orders.filter(status=PaymentStatus.NEEDS_ACCOUNT).count(),
        held=list(
            orders.filter(status=PaymentStatus.NEEDS_ACCOUNT)
            .exclude(hold_reason="")
            .select_related("application")
            .order_by("pk")
        ),
        debtor_missing=debtor_missing,
    )


@door
def payment_file_of(user: User, pk: int) -> PaymentFile:
    """The file, for a team lead of its municipality. Another municipality's file is a 404, as
    one that does not exist (a 403 would tell it exists); any other role is refused."""
    if user.role != Role.TEAM_LEAD or not user.is_active:
        raise PermissionDenied
    payment_file = PaymentFile.objects.filter(
        pk=pk, municipality_id=staff_municipality_id(user)
    ).first()
    if payment_file is None:
        raise Http404
    return payment_file


def payment_file_download(
    payment_file: PaymentFile, *, by: User, now: datetime | None = None
) -> bytes:
    """The stored file, as it leaves for the bank: it must match its checksum and validate
    against the pain.001.001.03 XSD (PaymentFileInvalid otherwise: nothing leaves). Every
    download is recorded: one access-log row per case whose payment the file holds (it names
    the payees) and, on the file, who downloaded it last and when."""
    try:
        xml = payment_file_read(payment_file)
    except (OSError, ValueError) as error:
        raise PaymentFileInvalid(str(error)) from error
    pain001_validate(xml)
    now = now or timezone.now()
    PaymentFile.objects.filter(pk=payment_file.pk).update(downloaded_at=now, downloaded_by=by)
    cases_shown(
        CasesShown(
            user=by,
            application_ids=tuple(
                dict.fromkeys(
                    payment_file.entries.order_by("pk").values_list(
                        "order__application_id", flat=True
                    )
                )
            ),
            page=f"caseworker:payment_file_download {payment_file.message_id}",
        )
    )
    payment_file.downloaded_at, payment_file.downloaded_by = now, by
    return xml


def payment_file_mark_sent(
    payment_file: PaymentFile, *, by: User, now: datetime | None = None
) -> PaymentFile:
    """Record that the file was sent to the bank, by whom and when. Only once: a compare-and-set
    on "not yet sent", so a second mark (a double click, another tab) is refused."""
    now = now or timezone.now()
    marked = PaymentFile.objects.filter(pk=payment_file.pk, sent_at__isnull=True).update(
        sent_at=now, sent_by=by
    )
    if not marked:
        raise PaymentFileAlreadySent(payment_file.message_id)
    payment_file.refresh_from_db()
    return payment_file


def payment_returns_receive(data: bytes, *, by: User) -> ReturnResult:
    """The bank's camt.054 notification, uploaded by a team lead: each entry is matched among
    their municipality's orders only (another municipality's is "unknown", and unchanged), read
    by the hardened parser (no DTD, entities or network). Reading the same file again changes
    nothing more. The cases whose payments it names are recorded in the access log, as for a
    download. ReturnFileInvalid when it is not a notification we can read: nothing changes."""
    entries = camt054_parse(data)
    result = payment_returns_apply(entries, municipality_id=staff_municipality_id(by))
    cases = [o.application_id for o in (*result.paid, *result.rejected, *result.already)]
    if cases:
        cases_shown(
            CasesShown(
                user=by,
                application_ids=tuple(dict.fromkeys(cases)),
                page="caseworker:payment_returns_upload",
                change=bool(result.paid or result.rejected),
            )
        )
    return result
