"""The municipalities the installation serves, with their own settings."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


# Times of day as callables, not values: Django's check fields.W161 ("fixed default value")
# takes a fixed time for a mistaken "now" during the 20 seconds around it each day, and
# `check --deploy --fail-level WARNING` would then fail at 08:00, 10:00 and 16:30.
def office_opens_default() -> time:
    return time(8, 0)


def office_closes_default() -> time:
    return time(16, 30)


def emergency_morning_deadline_default() -> time:
    return time(10, 0)


class Municipality(models.Model):
    code = models.CharField(_("kommunkod"), max_length=4, unique=True)
    name = models.CharField(_("namn"), max_length=100)
    meeting_minutes = models.PositiveSmallIntegerField(_("möteslängd (minuter)"), default=45)
    # The robot's municipal settings.
    sample_share = models.DecimalField(
        _("andel stickprov"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.100"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("Andel av de ärenden som kan beviljas enligt förslaget som ändå granskas."),
    )
    income_change_threshold = models.DecimalField(
        _("gräns för ändrad inkomst"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.120"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("En förmån som ändrats mer än så mellan två månader ger en varning."),
    )
    declared_difference_threshold = models.DecimalField(
        _("gräns för skillnad uppgift–register (kr)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("100"),
        validators=[MinValueValidator(Decimal(0))],
    )
    application_window_opens_day = models.PositiveSmallIntegerField(
        _("ansökan för nästa månad öppnar (dag i månaden)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Från den dagen kan hushållet ansöka för nästa månad."),
    )
    standing_decision_max_months = models.PositiveSmallIntegerField(
        _("längsta stående beslut (månader)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    second_approval_limit = models.DecimalField(
        _("gräns för attest (kr)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("20000"),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Beslut över detta belopp måste godkännas av en andra handläggare."),
    )

    # Automated decisions (FL 28 §, KL 6 kap.): off until the nämnd has delegated to the function.
    automated_decisions_enabled = models.BooleanField(
        _("automatiserade beslut"),
        default=False,
        help_text=_(
            "Roboten beviljar återansökningar som kan beviljas enligt förslaget, inte är "
            "stickprov och saknar öppna varningar. Kräver ett delegationsbeslut."
        ),
    )
    automation_delegation_reference = models.CharField(
        _("delegationsbeslut för automatiserade beslut"),
        max_length=200,
        blank=True,
        help_text=_("Nämndens beslut som delegerar till den automatiserade funktionen (§, datum)."),
    )

    # The letter's address for appeals and questions (#16 item 6).
    postal_address = models.TextField(
        _("nämndens postadress"),
        blank=True,
        help_text=_(
            "Skrivs i beslutsbrevet: dit skickas överklaganden och frågor. En rad per rad i "
            "adressen, t.ex. Socialnämnden, Box 123, 231 83 Trelleborg."
        ),
    )

    # Delivery of decisions (#5): an unopened digital decision goes out on paper after this.
    decision_open_days = models.PositiveSmallIntegerField(
        _("dagar innan beslutet skickas på papper"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "Har sökanden inte öppnat beslutet inom så många dagar skickas det som brev till "
            "folkbokföringsadressen."
        ),
    )

    # Emergencies (#16 item 14): within office hours an emergency is decided within
    # EMERGENCY_DECISION_HOURS (before the office closes); outside them the applicant is told to
    # call the on-call service (socialjouren) and the decision comes the next morning at the
    # latest (`intake.services.emergency_deadline`).
    office_opens = models.TimeField(_("kontoret öppnar (vardagar)"), default=office_opens_default)
    office_closes = models.TimeField(
        _("kontoret stänger (vardagar)"), default=office_closes_default
    )
    emergency_morning_deadline = models.TimeField(
        _("akut ärende efter kontorstid: beslut senast kl. (nästa morgon)"),
        default=emergency_morning_deadline_default,
    )
    on_call_phone = models.CharField(
        _("telefon till socialjouren"),
        max_length=30,
        blank=True,
        help_text=_("Sökande med akut läge utanför kontorstid hänvisas hit."),
    )

    # Payments (#17): some municipalities pay to the account the person has linked to their
    # personnummer at their bank (Bankgirot's account register), so no account number is asked.
    pays_to_registered_account = models.BooleanField(
        _("betalar till kontot kopplat till personnumret (kontoregistret)"),
        default=False,
        help_text=_(
            "Kommunen betalar till det konto sökanden har kopplat till sitt personnummer hos "
            "banken; sökanden behöver inte skriva något kontonummer."
        ),
    )

    # Contact for applicants (#17): shown before they start and on their case.
    contact_phone = models.CharField(
        _("telefon till socialtjänsten (ekonomiskt bistånd)"), max_length=30, blank=True
    )
    phone_hours = models.CharField(
        _("telefontider"),
        max_length=200,
        blank=True,
        help_text=_("Till exempel: måndag–fredag 9–11 och 13–14."),
    )
    reception = models.CharField(
        _("besöksadress och öppettider"),
        max_length=300,
        blank=True,
        help_text=_("Till exempel: Stadshuset, Algatan 13. Måndag–torsdag 9–15."),
    )

    # Audit (#9): every save leaves an append-only historical row with who and when.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kommun")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="automated_decisions_need_delegation",
                condition=Q(automated_decisions_enabled=False)
                | ~Q(automation_delegation_reference=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.automated_decisions_enabled and not self.automation_delegation_reference.strip():
            raise ValidationError(
                {
                    "automation_delegation_reference": _(
                        "Automatiserade beslut kräver ett delegationsbeslut från nämnden."
                    )
                }
            )
