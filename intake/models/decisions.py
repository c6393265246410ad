"""The decision as recorded on the application (who decides is caseworker.decisions)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from intake.models.application import ZERO
from kernel.money import kronor_text


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("Beviljat")
    REJECTED = "rejected", _("Avslag")


class DecisionTrack(models.TextChoices):
    """The track a decision records (the application's `Track`, or none with a reason)."""

    WORK = "work", _("Arbetsspåret")
    SOCIAL = "social", _("Socialt spår")
    BOTH = "both", _("Båda spåren")
    NONE = "none", _("Inget spår")


class AppealStatus(models.TextChoices):
    RECEIVED = "received", _("Mottaget av kommunen")
    CHANGED = "changed", _("Beslutet har ändrats efter omprövning")
    SENT_TO_COURT = "sent_to_court", _("Skickat till förvaltningsrätten")
    WITHDRAWN = "withdrawn", _("Återkallat")


class Appeal(models.Model):
    """An appeal (överklagande) sent online. It goes to the municipality, which reconsiders the
    decision first (omprövning, FL 37–39 §§) and otherwise sends it on to förvaltningsrätten
    (FL 46 §).
    One per decision: a second sending returns the first."""

    decision = models.OneToOneField(
        "intake.Decision", on_delete=models.PROTECT, related_name="appeal"
    )
    reasons = models.TextField(_("varför beslutet är fel"))
    wanted = models.TextField(_("vad beslutet ska ändras till"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("mottaget"), auto_now_add=True)
    deadline = models.DateField(_("sista dag att överklaga"), null=True, blank=True)
    late = models.BooleanField(
        _("kom in för sent"),
        default=False,
        help_text=_("Kommunen prövar om det kan tas upp (FL 45 §); det tas ändå emot."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.RECEIVED
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("överklagande")
        verbose_name_plural = _("överklaganden")

    def __str__(self) -> str:
        return f"Överklagande av {self.decision}"


class Decision(models.Model):
    """The decision is the caseworker's and bears their name."""

    application = models.OneToOneField(
        "intake.Application", on_delete=models.PROTECT, related_name="decision"
    )
    outcome = models.CharField(_("beslut"), max_length=20, choices=DecisionOutcome.choices)
    amount = models.DecimalField(
        _("beviljat belopp"), max_digits=12, decimal_places=2, default=ZERO
    )
    reason = models.TextField(_("motivering"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        help_text=_("Handläggaren som beslutade. Tomt bara för ett automatiserat beslut."),
    )
    # FL 28 § / KL 6 kap.: an automated decision names the function, its rule version and the
    # nämnd's delegation decision that allows it.
    automated_function = models.CharField(_("automatiserad funktion"), max_length=120, blank=True)
    rule_version = models.CharField(_("regelversion"), max_length=60, blank=True)
    delegation_reference = models.CharField(_("delegationsbeslut"), max_length=200, blank=True)
    # FL 32 §: the provisions applied and the decisive circumstances, for the letter and appeal.
    provisions = models.JSONField(_("tillämpade bestämmelser"), default=list, blank=True)
    decisive_facts = models.JSONField(_("avgörande omständigheter"), default=list, blank=True)
    partly = models.BooleanField(
        _("delvis avslag"), default=False, help_text=_("Beviljat men lägre än ansökt/föreslaget.")
    )
    # The calculation the amount was taken from, line by line (code, label, amount, rule, kind):
    # the caseworker's calculation at the moment of decision, for the letter.
    lines = models.JSONField(_("beräkningens poster"), default=list, blank=True)
    # The work/social split (#16 item 10): the case's first decision records the track the
    # caseworker chose (or none, with the reason); later months carry it on.
    track = models.CharField(
        _("spår"), max_length=10, choices=DecisionTrack.choices, blank=True, default=""
    )
    track_reason = models.TextField(_("varför inget spår"), blank=True)
    decided_at = models.DateTimeField(_("beslutsdatum"), auto_now_add=True)
    months = models.PositiveSmallIntegerField(
        _("antal månader"),
        default=1,
        help_text=_(
            "Ett stående beslut gäller flera månader: varje månad kontrollerar roboten "
            "registren och ärendet går tillbaka till handläggaren om något har ändrats."
        ),
    )
    under_standing_decision = models.ForeignKey(
        "self",
        verbose_name=_("enligt stående beslut"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monthly_decisions",
    )

    # Audit (#9): every save leaves an append-only historical row with who and when.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="decision_amount_not_negative"),
            models.CheckConstraint(condition=Q(months__gte=1), name="decision_covers_a_month"),
            # Every decision says who decided: a person, or the automated function under a
            # recorded delegation.
            models.CheckConstraint(
                name="decision_names_who_decided",
                condition=Q(decided_by__isnull=False)
                | (~Q(automated_function="") & ~Q(delegation_reference="")),
            ),
        ]

    def __str__(self) -> str:
        # "Beviljat 8 432 kr", "Avslag" (#18: the admin showed "Avslag 0.00 kr").
        if self.outcome == DecisionOutcome.APPROVED:
            return f"{self.get_outcome_display()} {kronor_text(self.amount)}"
        return str(self.get_outcome_display())

    @property
    def decided_by_label(self) -> str:
        """Who decided, as the letter and the status page say it."""
        if self.decided_by is not None:
            return self.decided_by.display_name()
        return f"{self.automated_function} (regelversion {self.rule_version})"

    @property
    def is_standing(self) -> bool:
        return self.months > 1

    def covers(self, month: date) -> bool:
        first = self.application.month
        last_index = first.year * 12 + first.month - 1 + self.months - 1
        index = month.year * 12 + month.month - 1
        return first.year * 12 + first.month - 1 <= index <= last_index
