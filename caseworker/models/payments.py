"""Payment orders for approved decisions and the daily ISO 20022 pain.001 files.

"Only once" lives in the database: one order per decision, each order in at most one file.
Exported by caseworker/models/__init__.py.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from caseworker.models.letters import private_storage

__all__ = ["PaymentFile", "PaymentFileEntry", "PaymentOrder", "PaymentStatus"]


class PaymentStatus(models.TextChoices):
    NEEDS_ACCOUNT = "needs_account", _("Väntar på kontonummer")
    CREATED = "created", _("Skapad")
    SENT = "sent", _("Skickad till banken")
    CONFIRMED = "confirmed", _("Utbetald")
    FAILED = "failed", _("Misslyckad")


class PaymentOrder(models.Model):
    decision = models.OneToOneField(
        "intake.Decision", on_delete=models.PROTECT, related_name="payment_order"
    )
    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="payment_orders"
    )
    amount = models.DecimalField(_("belopp"), max_digits=12, decimal_places=2)
    payee_name = models.CharField(_("mottagare"), max_length=70)
    payee_personnummer = models.CharField(_("mottagarens personnummer"), max_length=12)
    clearing = models.CharField(_("clearingnummer"), max_length=5, blank=True)
    account = models.CharField(_("kontonummer"), max_length=10, blank=True)
    # Sent to the bank as EndToEndId: a retried send is recognisable as the same payment.
    idempotency_key = models.UUIDField(_("idempotensnyckel"), default=uuid.uuid4, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    to_registered_account = models.BooleanField(
        _("till kontot kopplat till personnumret"),
        default=False,
        help_text=_("Utan kontonummer: banken betalar till kontot i kontoregistret (#17)."),
    )
    payment_date = models.DateField(_("utbetalningsdag"))
    # The bank's report back (camt.054, caseworker.payments.returns): when, and for a returned
    # payment the bank's reason in words with its ISO code.
    bank_reported_at = models.DateTimeField(_("bankens besked"), null=True, blank=True)
    bank_reason = models.CharField(_("bankens orsak"), max_length=300, blank=True)
    # Why an order waits for an account although the applicant gave one: the account failed the
    # banks' rules (bankkonto) when the order was made or put in a file. Cleared by a valid one.
    hold_reason = models.CharField(_("varför utbetalningen hålls inne"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Audit (#9): every save leaves an append-only historical row with who and when.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("utbetalning")
        verbose_name_plural = _("utbetalningar")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                name="payment_has_account_unless_waiting",
                condition=Q(status="needs_account")
                | Q(to_registered_account=True)
                | (~Q(clearing="") & ~Q(account="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} kr {self.payment_date} ({self.status})"


def payment_file_upload_to(instance: PaymentFile, filename: str) -> str:
    return f"payments/{instance.created_for:%Y/%m}/{filename}"


class PaymentFile(models.Model):
    """One pain.001.001.03 file: one municipality's orders collected on one day. Never deleted
    (its entries protect it); the team lead downloads it and marks it sent (#18)."""

    message_id = models.CharField(_("meddelande-id"), max_length=35, unique=True)
    created_for = models.DateField(_("avser dag"))
    # Empty only on files made before #18, which held every municipality's orders.
    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kommun"),
    )
    xml = models.FileField(_("fil"), storage=private_storage, upload_to=payment_file_upload_to)
    sha256 = models.CharField(_("kontrollsumma (SHA-256)"), max_length=64)
    number_of_orders = models.PositiveIntegerField(_("antal betalningar"))
    control_sum = models.DecimalField(_("summa"), max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("skapad av"),
        help_text=_("Tomt när den dagliga körningen skapade filen."),
    )
    # The latest download; every download is also in the access log, one row per case.
    downloaded_at = models.DateTimeField(_("senast hämtad"), null=True, blank=True)
    downloaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("senast hämtad av"),
    )
    sent_at = models.DateTimeField(_("markerad som skickad"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("markerad som skickad av"),
    )

    class Meta:
        verbose_name = _("betalfil")
        verbose_name_plural = _("betalfiler")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="payment_file_sent_says_by_whom",
                condition=Q(sent_at__isnull=True, sent_by__isnull=True)
                | Q(sent_at__isnull=False, sent_by__isnull=False),
            ),
            models.CheckConstraint(
                name="payment_file_downloaded_says_by_whom",
                condition=Q(downloaded_at__isnull=True, downloaded_by__isnull=True)
                | Q(downloaded_at__isnull=False, downloaded_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.message_id

    @property
    def state(self) -> str:
        """ "sent", "downloaded" or "created": what the team lead has done with it."""
        if self.sent_at is not None:
            return "sent"
        if self.downloaded_at is not None:
            return "downloaded"
        return "created"


class PaymentFileEntry(models.Model):
    file = models.ForeignKey(PaymentFile, on_delete=models.PROTECT, related_name="entries")
    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="file_entries")

    class Meta:
        verbose_name = _("betalning i fil")
        verbose_name_plural = _("betalningar i fil")
        constraints = [
            # An order is in at most one file: it is never paid twice.
            models.UniqueConstraint(fields=["order"], name="payment_order_in_one_file"),
        ]

    def __str__(self) -> str:
        return f"{self.file_id}: {self.order_id}"
