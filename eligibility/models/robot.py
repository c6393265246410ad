"""What the robot stores per application and round: register answers, the proposal, the
warnings a person must look at."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from eligibility.fields import BulkJSONField
from intake.models.queue_facts import QueueFactsModel, QueueFactsQuerySet


class SnapshotStatus(models.TextChoices):
    OK = "ok", _("Svar")
    NOT_FOUND = "not_found", _("Finns inte i registret")
    UNAVAILABLE = "unavailable", _("Registret svarade inte")
    INVALID = "invalid", _("Oläsbart svar")


class RegisterSnapshot(models.Model):
    """One register's answer for one application and robot round, with who asked and why."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="register_snapshots"
    )
    source = models.CharField(_("register"), max_length=40)
    round = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=20, choices=SnapshotStatus.choices)
    payload = BulkJSONField(default=dict)
    request = BulkJSONField(default=dict, help_text=_("Vem frågade, om vem, varför."))
    error = models.TextField(blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    fetched_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("registeruppgift")
        verbose_name_plural = _("registeruppgifter")
        ordering = ["source"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "source", "round"], name="one_snapshot_per_source_and_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} ({self.get_status_display()})"


class Proposal(models.Model):
    """The robot's proposal: the engine's amount and explanation lines, recomputable later."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="proposals"
    )
    round = models.PositiveIntegerField(default=1)
    eligible = models.BooleanField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    norm = models.DecimalField(max_digits=12, decimal_places=2)
    lines = BulkJSONField(default=list)
    flags = BulkJSONField(default=list)
    parameter_version = models.CharField(max_length=40)
    provisional = models.BooleanField(default=False)
    as_of = models.DateField(help_text=_("Månaden som beräkningen gäller."))
    approvable = models.BooleanField(
        _("kan beviljas enligt förslaget"),
        default=False,
        help_text=_("Bara när inget kräver en persons bedömning."),
    )
    person_reasons = BulkJSONField(
        default=list, help_text=_("Varför en person måste titta (tom när förslaget kan beviljas).")
    )
    sampled = models.BooleanField(_("stickprov"), default=False)
    track_suggestion = BulkJSONField(
        default=dict, help_text=_("Robotens förslag till spår med skäl; handläggaren beslutar.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("förslag")
        verbose_name_plural = _("förslag")
        ordering = ["-round"]
        constraints = [
            models.UniqueConstraint(fields=["application", "round"], name="one_proposal_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} kr ({self.parameter_version})"


class WarningKind(models.TextChoices):
    UNHANDLED_INCOME = "unhandled_income", _("Inkomst i register som inte är uppgiven")
    INCOME_CHANGED = "income_changed", _("Inkomst har ändrats")
    INCOME_GONE = "income_gone", _("Inkomst har upphört")
    NEW_INCOME = "new_income", _("Ny inkomst")
    DECLARED_REGISTER_DIFFERENCE = (
        "declared_register_difference",
        _("Uppgiven inkomst skiljer sig från registret"),
    )
    PERSON_MISSING_IN_REGISTER = "person_missing_in_register", _("Person saknas i register")
    NEW_COST = "new_cost", _("Ny kostnad")
    NEW_HOUSEHOLD_MEMBER = "new_household_member", _("Ny person i hushållet")
    HOUSING_COST_CHANGED = "housing_cost_changed", _("Boendekostnaden har ändrats")
    COST_NEEDS_ASSESSMENT = "cost_needs_assessment", _("Kostnad som kräver bedömning")
    COST_CAPPED = "cost_capped", _("Kostnad över kommunens gräns")
    ASSET_FOUND = "asset_found", _("Tillgång hittad")
    REGISTER_UNAVAILABLE = "register_unavailable", _("Register utan svar")
    PROVISIONAL_NORM = "provisional_norm", _("Preliminärt normbelopp")
    RESIDENCE_STATUS = "residence_status", _("Uppehållsrätt behöver kontrolleras")
    HOUSEHOLD_IN_OTHER_APPLICATION = (
        "household_in_other_application",
        _("Någon i hushållet finns i en annan ansökan"),
    )
    REGISTERED_ELSEWHERE = "registered_elsewhere", _("Folkbokförd i en annan kommun")


class WarningStatus(models.TextChoices):
    OPEN = "open", _("Öppen")
    ACKNOWLEDGED = "acknowledged", _("Kvitterad")
    CLOSED = "closed", _("Stängd")


# A live warning or none decides where a case is counted in the caseworker's queue (#20 c).
WARNING_QUEUE_FACT_FIELDS = frozenset({"status", "application", "application_id"})


class CaseWarningQuerySet(QueueFactsQuerySet["CaseWarning"]):
    queue_fact_fields = WARNING_QUEUE_FACT_FIELDS
    queue_application_columns = ("application_id",)


class CaseWarning(QueueFactsModel):
    """Something a person must look at. Life cycle: open -> acknowledged -> closed.

    A warning closes itself when its cause is gone at a later check and never reopens: if the
    same cause comes back, a new warning is raised (the partial unique index allows one live
    warning per cause and application).
    """

    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="warnings"
    )
    kind = models.CharField(_("slag"), max_length=40, choices=WarningKind.choices)
    key = models.CharField(_("orsak"), max_length=160)
    status = models.CharField(
        max_length=20, choices=WarningStatus.choices, default=WarningStatus.OPEN
    )
    message = models.TextField(_("beskrivning"))
    details = BulkJSONField(default=dict)
    round = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledge_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)

    objects = CaseWarningQuerySet.as_manager()
    queue_fact_fields = WARNING_QUEUE_FACT_FIELDS
    queue_application_columns = ("application_id",)

    class Meta:
        verbose_name = _("varning")
        verbose_name_plural = _("varningar")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "key"],
                condition=~models.Q(status="closed"),
                name="one_live_warning_per_cause",
            ),
        ]
        indexes = [models.Index(fields=["application", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"
