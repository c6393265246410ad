"""The staff second factor's out-of-band activation codes (accounts.second_factor)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SecondFactorActivation(models.Model):
    """A one-time activation code that lets a staff member enrol an authenticator app once.

    An administrator issues it and hands it over out of band (in person, or by phone to a number
    known beforehand); the password alone is not enough to bind a second factor. Only a keyed
    hash of the code is stored. Services in `accounts.second_factor`.
    """

    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("användare"),
        on_delete=models.CASCADE,
        related_name="second_factor_activations",
    )
    code_hash = models.CharField(_("kodens kontrollsumma"), max_length=64, editable=False)
    issued_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("utfärdad av"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Tomt när koden skapades från serverns kommandorad."),
    )
    issued_at = models.DateTimeField(_("utfärdad"))
    expires_at = models.DateTimeField(_("giltig till"))
    failed_attempts = models.PositiveSmallIntegerField(_("felaktiga försök"), default=0)
    used_at = models.DateTimeField(_("använd"), null=True, blank=True)
    voided_at = models.DateTimeField(_("ogiltig sedan"), null=True, blank=True)

    class Meta:
        verbose_name = _("aktiveringskod för autentiseringsapp")
        verbose_name_plural = _("aktiveringskoder för autentiseringsapp")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["user", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                name="second_factor_activation_expires_after_issue",
                condition=Q(expires_at__gt=models.F("issued_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.username} {self.issued_at:%Y-%m-%d %H:%M}"
