"""Signatures: the applicant's and, in a joint application, the partner's."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Signature(models.Model):
    """An adult's signature (or refusal) on a joint application, made with their own e-ID."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.CASCADE, related_name="signatures"
    )
    personnummer = models.CharField(_("personnummer"), max_length=12)
    signed_at = models.DateTimeField(_("signerad"), null=True, blank=True)
    declined_at = models.DateTimeField(_("avböjd"), null=True, blank=True)
    note = models.TextField(_("meddelande"), blank=True)

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
