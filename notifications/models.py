"""What we told applicants (#5). Services: notifications.delivery.

A `Notification` is one message to one person through one channel; the row is the outbox (it is
written in the transaction that caused it and sent after commit; the retry task resends what
failed). No address is ever stored: letters get it from the population register when they are
sent. (How a decision reached the person is `caseworker.models.DecisionDelivery`.)
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "DeliveryChannel",
    "Notification",
    "NotificationKind",
    "NotificationStatus",
]


class DeliveryChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-post")
    LETTER = "letter", _("Brev till folkbokföringsadressen")
    # Skyddade personuppgifter: the letter goes to Skatteverket, which forwards it.
    FORWARDING = "forwarding", _("Brev via Skatteverkets vidarebefordran")


class NotificationKind(models.TextChoices):
    DECISION = "decision", _("Beslut fattat")
    DECISION_LETTER = "decision_letter", _("Beslutet som brev")
    SUPPLEMENT = "supplement", _("Komplettering begärd")
    MESSAGE = "message", _("Meddelande från handläggaren")
    MEETING_BOOKED = "meeting_booked", _("Möte bokat")
    MEETING_CHANGED = "meeting_changed", _("Möte ändrat")
    MEETING_REMINDER = "meeting_reminder", _("Påminnelse om möte")
    REMINDER = "reminder", _("Påminnelse (inget har hänt)")
    SIGNATURE_REQUESTED = "signature", _("Ombedd att skriva under")


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("Köad")
    SENT = "sent", _("Skickad")
    FAILED = "failed", _("Misslyckades")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    application = models.ForeignKey(
        "intake.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField(_("slag"), max_length=20, choices=NotificationKind.choices)
    channel = models.CharField(_("kanal"), max_length=12, choices=DeliveryChannel.choices)
    body = models.TextField(_("text"))
    # Letters only: the document that goes in the envelope (e.g. "decision:42").
    enclosure = models.CharField(_("bilaga"), max_length=60, blank=True)
    # Makes a notice safe to create twice (e.g. "decision:42", "reminder:17").
    dedupe_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.QUEUED,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    provider_reference = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("skickad"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("levererad"), null=True, blank=True)

    class Meta:
        verbose_name = _("avisering")
        verbose_name_plural = _("aviseringar")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display()})"
