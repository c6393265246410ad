"""The applicant's documents (stored privately and virus-scanned: intake.documents)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AttachmentKind(models.TextChoices):
    """The checklist: what a document shows. Which items apply follows from the answers."""

    RENT = "rent", _("Hyresavi eller hyreskontrakt")
    ELECTRICITY = "electricity", _("Elräkning")
    HOME_INSURANCE = "home_insurance", _("Hemförsäkringsbrev")
    WORK_TRAVEL = "work_travel", _("Underlag för resor till arbete")
    PAYSLIP = "payslip", _("Lönespecifikation")
    BENEFIT = "benefit", _("Beslut eller utbetalningsbesked om ersättning")
    BANK_STATEMENT = "bank_statement", _("Kontoutdrag")
    VEHICLE = "vehicle", _("Underlag om fordonets värde")
    PROPERTY = "property", _("Underlag om fastighetens värde")
    SUPPLEMENT = "supplement", _("Komplettering")
    OTHER = "other", _("Annat dokument")


class ScanStatus(models.TextChoices):
    PENDING = "pending_scan", _("Väntar på virusskanning")
    CLEAN = "clean", _("Kontrollerad")
    INFECTED = "infected", _("Skadlig kod – spärrad")
    ERROR = "error", _("Kunde inte kontrolleras")


class Attachment(models.Model):
    """An incoming document (inkommen handling). The file lives outside the web root under a
    generated name; only an authorising view reads it (intake.documents.attachments)."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(_("slag"), max_length=30, choices=AttachmentKind.choices)
    original_name = models.CharField(_("filnamn"), max_length=255)
    stored_name = models.CharField(max_length=64, unique=True)
    content_type = models.CharField(_("filtyp"), max_length=100)
    size = models.PositiveIntegerField(_("storlek (byte)"))
    sha256 = models.CharField(_("kontrollsumma (SHA-256)"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("mottagen"), auto_now_add=True)
    scan_status = models.CharField(
        _("virusskanning"), max_length=20, choices=ScanStatus.choices, default=ScanStatus.PENDING
    )

    class Meta:
        verbose_name = _("bifogat dokument")
        verbose_name_plural = _("bifogade dokument")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_clean(self) -> bool:
        return self.scan_status == ScanStatus.CLEAN
