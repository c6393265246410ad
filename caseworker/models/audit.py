"""The access log, the refusals and the journal: append-only records of who saw and did what
(SoLPuL åtkomstkontroll, SOSFS 2014:5). Writers: caseworker.audit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessAction(models.TextChoices):
    VIEW_CASE = "view_case", _("Visade ärendet")
    VIEW_PARTIAL = "view_partial", _("Visade del av ärendet")
    VIEW_ATTACHMENT = "view_attachment", _("Öppnade bilaga")
    VIEW_LETTER = "view_letter", _("Öppnade beslutsbrev")
    SEARCH = "search", _("Sökning som träffade ärendet")
    CHANGE = "change", _("Ändrade i ärendet")
    VIEW_PERSONNUMMER = "view_personnummer", _("Visade hela personnumret")


class AccessLog(models.Model):
    """Who looked at which case, when and what (SoLPuL åtkomstkontroll). Never updated."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="access_log"
    )
    action = models.CharField(max_length=30, choices=AccessAction.choices)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("åtkomst")
        verbose_name_plural = _("åtkomstlogg")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["application", "at"]), models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.application_id}"


class DenialStatus(models.IntegerChoices):
    FORBIDDEN = 403, _("Ingen behörighet")
    NOT_FOUND = 404, _("Finns inte eller inte åtkomlig")


class AccessDenial(models.Model):
    """A logged-in user asked for an object (a URL naming an object id) and was refused: 403 or
    404. Kept beside the access log, which records only what was shown. Never updated.

    No foreign key to what was asked for: the id may name nothing, or something of another
    municipality; `object_id` is the most specific id in the URL (an attachment's, not its
    case's) and `path` holds the rest, without the query string."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    url_name = models.CharField(_("adress (namn)"), max_length=100)
    path = models.CharField(_("sökväg"), max_length=300)
    object_id = models.CharField(_("begärt id"), max_length=40)
    status = models.PositiveSmallIntegerField(_("svar"), choices=DenialStatus.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("nekad åtkomst")
        verbose_name_plural = _("nekade åtkomster")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.status} {self.url_name}"


class JournalCategory(models.TextChoices):
    """What a journal entry is about, so a caseworker can read one thread of the case (all
    decisions, all contacts) without reading everything (#18). Free notes are NOTE or CONTACT;
    every other category is written by the action it records."""

    NOTE = "note", _("Anteckning")
    CONTACT = "contact", _("Kontakt med sökanden")
    DECISION = "decision", _("Beslut")
    CALCULATION = "calculation", _("Beräkning")
    WARNING = "warning", _("Varning")
    COMMUNICATION = "communication", _("Kommunicering och komplettering")
    OWNERSHIP = "ownership", _("Ansvar och överlämning")
    DOCUMENT = "document", _("Dokument och brev")
    EMERGENCY = "emergency", _("Akut läge")
    PAYMENT = "payment", _("Utbetalning")
    HOUSEHOLD = "household", _("Hushåll")


class JournalEntry(models.Model):
    """A dated journal entry signed by its author or by the robot. Never edited: a correction is
    a new entry that points at the one it corrects."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="journal"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Tomt när roboten (den automatiserade funktionen) skrev."),
    )
    category = models.CharField(
        _("kategori"), max_length=20, choices=JournalCategory.choices, default=JournalCategory.NOTE
    )
    text = models.TextField(_("anteckning"))
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("rättar"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("journalanteckning")
        verbose_name_plural = _("journal")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.text[:40]}"

    @property
    def signed_by(self) -> str:
        return (
            self.author.display_name()
            if self.author
            else str(_("Roboten (automatiserad funktion)"))
        )
