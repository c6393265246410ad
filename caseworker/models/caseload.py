"""Ownership of cases (#7): caseload settings, stand-ins during absence, referrals between the
work track and social services, reminders (bevakningar), staff alerts and the silence detector's
records. Services live in ownership.py, referrals.py, emergency.py, reminders.py, silence.py.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

__all__ = [
    "AlertKind",
    "CaseMove",
    "CaseworkerProfile",
    "OutreachStatus",
    "OutreachTask",
    "OwnershipSettings",
    "Referral",
    "ReferralDirection",
    "ReferralUrgency",
    "Reminder",
    "SilenceSignal",
    "SilenceTrigger",
    "StaffAlert",
    "StandIn",
]


class OwnershipSettings(models.Model):
    """A municipality's settings for caseloads, team leads and emergencies."""

    municipality = models.OneToOneField(
        "accounts.Municipality", on_delete=models.CASCADE, related_name="ownership_settings"
    )
    default_ceiling = models.DecimalField(
        _("högsta viktade ärendemängd per handläggare"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("35"),
        validators=[MinValueValidator(Decimal(1))],
        help_text=_("Gäller när handläggaren inte har ett eget tak."),
    )
    work_team_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gruppledare arbetsspåret"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    social_team_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gruppledare socialtjänsten"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    eviction_prevention_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kontakt för vräkningsförebyggande arbete"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    eviction_prevention_email = models.EmailField(
        _("e-post för vräkningsförebyggande arbete"), blank=True
    )

    class Meta:
        verbose_name = _("kommunens inställningar för ärendefördelning")
        verbose_name_plural = _("kommunernas inställningar för ärendefördelning")

    def __str__(self) -> str:
        return str(self.municipality)


class CaseworkerProfile(models.Model):
    """A caseworker's own ceiling and whether they are on call (jour) for emergencies."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="caseload_profile"
    )
    caseload_ceiling = models.DecimalField(
        _("eget tak för viktad ärendemängd"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(1))],
        help_text=_("Till exempel lägre under introduktionen. Tomt: kommunens tak."),
    )
    on_call = models.BooleanField(
        _("i jour"), default=False, help_text=_("Får akuta ärenden samma dag.")
    )

    class Meta:
        verbose_name = _("handläggarens ärendemängd")
        verbose_name_plural = _("handläggarnas ärendemängd")

    def __str__(self) -> str:
        return str(self.user)


class StandIn(models.Model):
    """The named stand-in for a caseworker's absence (meetings.Absence holds the dates)."""

    absence = models.OneToOneField(
        "meetings.Absence", on_delete=models.PROTECT, related_name="stand_in"
    )
    stand_in = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ersättare"),
        on_delete=models.PROTECT,
        related_name="stand_in_for",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    moved_at = models.DateTimeField(_("ärenden flyttade"), null=True, blank=True)
    returned_at = models.DateTimeField(_("ärenden tillbaka"), null=True, blank=True)

    class Meta:
        verbose_name = _("ersättare vid frånvaro")
        verbose_name_plural = _("ersättare vid frånvaro")

    def __str__(self) -> str:
        return f"{self.absence} → {self.stand_in}"


class CaseMove(models.Model):
    """A case moved to a stand-in: the original owner is kept so the move back is exact."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="case_moves"
    )
    stand_in = models.ForeignKey(StandIn, on_delete=models.PROTECT, related_name="moves")
    original_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    moved_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    moved_at = models.DateTimeField(auto_now_add=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("flyttat ärende")
        verbose_name_plural = _("flyttade ärenden")
        ordering = ["moved_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(returned_at__isnull=True),
                name="one_open_case_move_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.original_owner_id} → {self.moved_to_id}"


class ReferralDirection(models.TextChoices):
    WORK_TO_SOCIAL = "work_to_social", _("Från arbetsspåret till socialtjänsten")
    SOCIAL_TO_WORK = "social_to_work", _("Från socialtjänsten till arbetsspåret")


class ReferralUrgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Brådskande")
    EMERGENCY = "emergency", _("Akut (samma dag)")


class Referral(models.Model):
    """A hand-over between the work track and social services, and back. The receiving side
    acknowledges before `acknowledge_by`; otherwise both team leads are alerted."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="referrals"
    )
    direction = models.CharField(_("riktning"), max_length=20, choices=ReferralDirection.choices)
    urgency = models.CharField(
        _("brådska"), max_length=10, choices=ReferralUrgency.choices, default=ReferralUrgency.NORMAL
    )
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lämnas av"),
        on_delete=models.PROTECT,
        related_name="referrals_sent",
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tas emot av"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    reason = models.TextField(_("skäl"))
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledge_by = models.DateTimeField(_("ska kvitteras senast"))
    acknowledged_at = models.DateTimeField(_("kvitterad"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(_("eskalerad"), null=True, blank=True)
    closed_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_note = models.TextField(_("anteckning vid avslut"), blank=True)
    # Set while the receiver's stand-in holds the referral (absence): who gets it back.
    moved_from = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("överlämning")
        verbose_name_plural = _("överlämningar")
        ordering = ["acknowledge_by", "id"]
        indexes = [models.Index(fields=["closed_at", "acknowledged_at", "acknowledge_by"])]
        constraints = [
            models.CheckConstraint(
                name="referral_between_two_people", condition=~Q(from_owner=F("to_owner"))
            ),
            models.CheckConstraint(
                name="referral_closed_after_acknowledged",
                condition=Q(closed_at__isnull=True) | Q(acknowledged_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.get_direction_display()}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class AlertKind(models.TextChoices):
    CEILING_EXCEEDED = "ceiling_exceeded", _("Alla handläggare över taket")
    REFERRAL_UNACKNOWLEDGED = "referral_unacknowledged", _("Överlämning inte kvitterad i tid")
    EVICTION_PREVENTION = "eviction_prevention", _("Vräkning eller avstängning: akut ärende")
    NO_ON_CALL = "no_on_call", _("Ingen handläggare i jour")
    EMERGENCY = "emergency", _("Akut ärende")
    ABSENCE_WITHOUT_STAND_IN = "absence_without_stand_in", _("Frånvaro utan ersättare")
    CLOSED_WITH_OPEN_REFERRAL = "closed_with_open_referral", _("Avslutat med öppen överlämning")
    OWNER_INVALID = "owner_invalid", _("Ärende som ingen behörig ansvarig kan se")


class StaffAlert(models.Model):
    """Something a team lead (or a named contact) must act on. Shown on the dashboard until
    resolved; `dedupe_key` makes every alert safe to raise twice."""

    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.CASCADE, related_name="staff_alerts"
    )
    kind = models.CharField(_("slag"), max_length=40, choices=AlertKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mottagare"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_alerts",
    )
    email = models.EmailField(_("e-post"), blank=True)
    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    text = models.TextField(_("text"))
    dedupe_key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(_("åtgärdad"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("larm till gruppledare")
        verbose_name_plural = _("larm till gruppledare")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["municipality", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"


class Reminder(models.Model):
    """Bevakning: a dated reminder on a case for its owner."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="reminders"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("för"),
        on_delete=models.PROTECT,
        related_name="case_reminders",
    )
    due_on = models.DateField(_("datum"))
    text = models.CharField(_("vad"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(_("klar"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set while the owner's stand-in holds the reminder (absence): who gets it back.
    moved_from = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("bevakning")
        verbose_name_plural = _("bevakningar")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner", "done_at", "due_on"])]

    def __str__(self) -> str:
        return f"{self.due_on} {self.text[:40]}"


class SilenceTrigger(models.TextChoices):
    NO_REAPPLICATION = "no_reapplication", _("Brukar återansöka men har inte ansökt")
    SUPPLEMENT_UNANSWERED = "supplement_unanswered", _("Komplettering inte besvarad")
    DRAFT_UNFINISHED = "draft_unfinished", _("Påbörjad ansökan inte inskickad")
    DECISION_UNOPENED = "decision_unopened", _("Beslutet inte öppnat")


class SilenceSignal(models.Model):
    """The silence detector saw a household go quiet: one row per (trigger, household, month).
    First the applicant is reminded; if it is still quiet, a staff outreach task follows."""

    trigger = models.CharField(_("orsak"), max_length=30, choices=SilenceTrigger.choices)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="silence_signals"
    )
    month = models.DateField(_("månad"))
    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="silence_signals"
    )
    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    detected_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(_("påmind"), null=True, blank=True)
    outreach_at = models.DateTimeField(_("uppsökande uppgift skapad"), null=True, blank=True)

    class Meta:
        verbose_name = _("tystnad")
        verbose_name_plural = _("tystnader")
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trigger", "applicant", "month"], name="one_silence_signal_per_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trigger} {self.applicant_id} {self.month:%Y-%m}"


class OutreachStatus(models.TextChoices):
    OPEN = "open", _("Att göra")
    REACHED = "reached", _("Kontakt fått")
    UNREACHABLE = "unreachable", _("Gick inte att nå")
    NOT_NEEDED = "not_needed", _("Behövs inte")


class OutreachTask(models.Model):
    """Staff reach out to a household that went quiet (phone, letter, home visit)."""

    signal = models.OneToOneField(SilenceSignal, on_delete=models.PROTECT, related_name="task")
    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="outreach_tasks"
    )
    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ansvarig"),
        on_delete=models.PROTECT,
        related_name="outreach_tasks",
    )
    text = models.CharField(_("vad"), max_length=300)
    due_at = models.DateTimeField(_("senast"))
    status = models.CharField(
        max_length=20, choices=OutreachStatus.choices, default=OutreachStatus.OPEN
    )
    note = models.TextField(_("anteckning"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("uppsökande uppgift")
        verbose_name_plural = _("uppsökande uppgifter")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["municipality", "status"])]

    def __str__(self) -> str:
        return f"{self.application_id} {self.get_status_display()}"
