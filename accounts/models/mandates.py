"""Representatives: god man, förvaltare, ombud, acting for a person while the mandate lasts."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MandateKind(models.TextChoices):
    GOD_MAN = "god_man", _("God man")
    FORVALTARE = "forvaltare", _("Förvaltare")
    OMBUD = "ombud", _("Ombud med fullmakt")


class Mandate(models.Model):
    """A representative's right to apply and follow cases for another person (#5).

    God man and förvaltare are appointed by överförmyndaren; an ombud has the person's fullmakt.
    Staff register the mandate from the document; it is active from `valid_from` up to and
    including `valid_until` (open-ended when empty) unless revoked. Services in
    `accounts.mandates`.
    """

    representative = models.ForeignKey(
        "accounts.User",
        verbose_name=_("företrädare"),
        on_delete=models.PROTECT,
        related_name="mandates",
    )
    principal_personnummer = models.CharField(_("huvudmannens personnummer"), max_length=12)
    kind = models.CharField(_("slag"), max_length=20, choices=MandateKind.choices)
    valid_from = models.DateField(_("gäller från"))
    valid_until = models.DateField(_("gäller till och med"), null=True, blank=True)
    document_reference = models.CharField(
        _("handling (registreringsnummer)"),
        max_length=120,
        help_text=_("Fullmakten eller förordnandet från överförmyndaren, som den är diarieförd."),
    )
    registered_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("registrerad av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("återkallad av"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("fullmakt eller förordnande")
        verbose_name_plural = _("fullmakter och förordnanden")
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["representative", "principal_personnummer"])]
        constraints = [
            models.CheckConstraint(
                name="mandate_period_in_order",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
            ),
            models.CheckConstraint(
                name="mandate_has_document", condition=~Q(document_reference="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.representative.display_name()}"
