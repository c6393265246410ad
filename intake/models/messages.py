"""Messages between the applicant and the caseworker, and feedback on accessibility."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """A message between the applicant and the caseworker, on the case."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("meddelande"), max_length=4000)
    created_at = models.DateTimeField(_("skickat"), auto_now_add=True)
    read_at = models.DateTimeField(_("läst"), null=True, blank=True)

    class Meta:
        verbose_name = _("meddelande")
        verbose_name_plural = _("meddelanden")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.created_at:%Y-%m-%d %H:%M}"


class AccessibilityFeedback(models.Model):
    """Feedback from the accessibility statement (DOS-lagen 13 §: a feedback function)."""

    message = models.TextField(_("vad som inte fungerade"), max_length=4000)
    page = models.CharField(_("sida"), max_length=300, blank=True)
    contact = models.CharField(_("kontaktuppgift"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(_("åtgärdad"), null=True, blank=True)

    class Meta:
        verbose_name = _("synpunkt på tillgänglighet")
        verbose_name_plural = _("synpunkter på tillgänglighet")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.message[:40]}"
