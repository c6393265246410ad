"""Standard reasons (motivering) and the stored decision letters.

Exported by caseworker/models/__init__.py.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caseworker.wording import ALLOWED_PLACEHOLDERS, reason_render
from notifications.models import DeliveryChannel, Notification

__all__ = ["DecisionLetter", "PrivateStorage", "ReasonTemplate", "private_storage"]


class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT, read at each use (tests override it), with no
    URL: nothing stored here is reachable except through an authorising view."""

    def __init__(self) -> None:
        super().__init__(location=None, base_url=None)

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> str:
        return ""

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; use the authorising download view.")


_PRIVATE_STORAGE = PrivateStorage()


def private_storage() -> PrivateStorage:
    return _PRIVATE_STORAGE


class ReasonTemplate(models.Model):
    """A standard reason with placeholders such as {namn} or {belopp} (caseworker.letters.reasons).

    A row without municipality is the national default; a municipality's row with the same code
    replaces it for that municipality.
    """

    municipality = models.ForeignKey(
        "accounts.Municipality",
        verbose_name=_("kommun"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reason_templates",
        help_text=_("Tomt: gäller alla kommuner som inte har en egen text med samma kod."),
    )
    code = models.SlugField(_("kod"), max_length=60)
    title = models.CharField(_("rubrik"), max_length=120)
    text = models.TextField(
        _("text"),
        help_text=_(
            "Platshållare: {namn}, {månad}, {belopp}, {norm}, {inkomst}, {hyra}, {maxhyra}."
        ),
    )
    provisions = models.JSONField(
        _("bestämmelser"),
        default=list,
        blank=True,
        help_text=_("Lagrum som texten bygger på, ett per rad i listan."),
    )
    active = models.BooleanField(_("används"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("standardmotivering")
        verbose_name_plural = _("standardmotiveringar")
        ordering = ["code", "municipality__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"], name="one_reason_template_per_municipality_code"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(municipality__isnull=True),
                name="one_national_reason_template_per_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    def clean(self) -> None:
        # Every allowed placeholder has a value here: only unknown or malformed ones are refused.
        rendered = reason_render(self.text or "", dict.fromkeys(ALLOWED_PLACEHOLDERS, ""))
        if rendered.malformed:
            raise ValidationError({"text": _("Texten har en klammerparentes som inte stängs.")})
        if rendered.unknown:
            raise ValidationError(
                {
                    "text": _("Okända platshållare: %(names)s")
                    % {"names": ", ".join(rendered.unknown)}
                }
            )


def letter_upload_to(instance: DecisionLetter, filename: str) -> str:
    return f"letters/{instance.decision_id}/{filename}"


class DecisionLetter(models.Model):
    """The decision letter as sent (PDF/UA), stored privately with its checksum. One per
    decision: rendering twice (a retried task) keeps the first."""

    decision = models.OneToOneField(
        "intake.Decision", on_delete=models.PROTECT, related_name="letter"
    )
    pdf = models.FileField(_("PDF"), storage=private_storage, upload_to=letter_upload_to)
    sha256 = models.CharField(_("kontrollsumma (SHA-256)"), max_length=64)
    created_at = models.DateTimeField(_("skapat"), auto_now_add=True)

    class Meta:
        verbose_name = _("beslutsbrev")
        verbose_name_plural = _("beslutsbrev")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Beslutsbrev {self.decision_id}"


class DecisionDelivery(models.Model):
    """The proof that a decision reached the person: sent, delivered, opened, the paper letter
    when it was not opened in time, and the notification date the appeal deadline counts from."""

    decision = models.OneToOneField(
        "intake.Decision", on_delete=models.PROTECT, related_name="delivery"
    )
    channel = models.CharField(_("kanal"), max_length=12, choices=DeliveryChannel.choices)
    notification = models.ForeignKey(
        Notification, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("skickat"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("levererat"), null=True, blank=True)
    opened_at = models.DateTimeField(_("öppnat"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Sökanden eller dennes företrädare."),
    )
    # Delgivning: the day the person is taken to have received the decision (FL 44 §: the
    # three weeks to appeal count from it). Set once, by the first of: opened on the status
    # page, or a paper letter's assumed arrival.
    notification_date = models.DateField(_("delgivningsdag"), null=True, blank=True)
    letter_channel = models.CharField(
        _("brevets väg"), max_length=12, choices=DeliveryChannel.choices, blank=True
    )
    letter = models.ForeignKey(
        Notification, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    letter_queued_at = models.DateTimeField(_("brev köat"), null=True, blank=True)
    letter_sent_at = models.DateTimeField(_("brev skickat"), null=True, blank=True)

    class Meta:
        verbose_name = _("delgivning av beslut")
        verbose_name_plural = _("delgivningar av beslut")
        indexes = [models.Index(fields=["opened_at", "letter_queued_at", "sent_at"])]
        constraints = [
            models.CheckConstraint(
                name="delivery_letter_route_is_a_letter",
                condition=Q(letter_channel="") | Q(letter_channel__in=["letter", "forwarding"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id}: {self.get_channel_display()}"
