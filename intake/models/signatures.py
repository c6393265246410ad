"""Signatures: the applicant's and, in a joint application, the partner's."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SignatureMethod(models.TextChoices):
    BANKID = "bankid", _("BankID")
    TEST = "test", _("testläge")


class Signature(models.Model):
    """An adult's signature (or refusal) on an application, made with their own e-ID.

    Signed with BankID, the evidence is kept with it: the signature document (base64 XML, with
    the text the person saw), BankID's OCSP response (the certificate was valid at signing),
    the order, the signer's name, their BankID's issue date, their device's address and the
    SHA-256 of the text we asked them to sign. `method` "" is a signature from before BankID."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.CASCADE, related_name="signatures"
    )
    personnummer = models.CharField(_("personnummer"), max_length=12)
    signed_at = models.DateTimeField(_("signerad"), null=True, blank=True)
    declined_at = models.DateTimeField(_("avböjd"), null=True, blank=True)
    note = models.TextField(_("meddelande"), blank=True)
    method = models.CharField(
        _("underskriftsmetod"), max_length=10, choices=SignatureMethod.choices, blank=True
    )
    signer_name = models.CharField(_("undertecknarens namn"), max_length=200, blank=True)
    bankid_order_ref = models.CharField(_("BankID-order"), max_length=64, blank=True)
    bankid_signature = models.TextField(_("BankID-signatur (base64 XML)"), blank=True)
    bankid_ocsp_response = models.TextField(_("OCSP-svar (base64)"), blank=True)
    ocsp_verified = models.BooleanField(_("OCSP-verifierad"), default=False)
    bankid_issue_date = models.CharField(_("BankID utfärdat"), max_length=10, blank=True)
    device_ip = models.GenericIPAddressField(_("enhetens IP-adress"), null=True, blank=True)
    signed_text_sha256 = models.CharField(_("SHA-256 av signerad text"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("underskrift")
        verbose_name_plural = _("underskrifter")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "personnummer"], name="one_signature_per_person"
            ),
            models.CheckConstraint(
                name="signature_signed_or_declined_not_both",
                condition=Q(signed_at__isnull=True) | Q(declined_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.personnummer[-4:]}"


class SigningOrder(models.Model):
    """A BankID sign order in progress, kept on the server: the browser only ever names the
    application, never an order. One per person and application at a time (a new start
    replaces the old); removed when it completes, fails or is cancelled."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.CASCADE, related_name="signing_orders"
    )
    signer = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="signing_orders"
    )
    as_partner = models.BooleanField(default=False)
    order_ref = models.CharField(max_length=64, unique=True)
    auto_start_token = models.CharField(max_length=64)
    qr_start_token = models.CharField(max_length=64)
    qr_start_secret = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    text = models.TextField()  # what the person is asked to sign (its hash goes on the signature)
    hint_code = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "signer"], name="one_signing_order_per_signer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.order_ref[:8]}"
