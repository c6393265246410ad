"""Operations (#9): the worker's heartbeat and the maintenance banner."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["Heartbeat", "MaintenanceBanner", "heartbeat_beat"]


class Heartbeat(models.Model):
    """One row per beating component ("worker"); /health/ready reads its age."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"


def heartbeat_beat(*, name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


class MaintenanceBanner(models.Model):
    """A message shown on every page while active (set in the admin)."""

    text = models.CharField(_("text"), max_length=300)
    active = models.BooleanField(_("visas"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("driftmeddelande")
        verbose_name_plural = _("driftmeddelanden")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text
