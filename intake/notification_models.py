"""What we told applicants and how each decision reached them (#5). Services: notifications.py.

A `Notification` is one message to one person through one channel; the row is the outbox (it is
written in the transaction that caused it and sent after commit; the retry task resends what
failed). A `DecisionDelivery` is the proof that a decision reached the person: sent, delivered,
opened, the paper letter when it was not opened in time, and the notification date the appeal
deadline counts from. No address is ever stored: letters get it from the population register
when they are sent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = [
    "DecisionDelivery",
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


class DecisionDelivery(models.Model):
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
