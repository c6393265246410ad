"""The application: one household's request for one month, its status and its event log."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from intake.models.queue_facts import QueueFactsModel, QueueFactsQuerySet
from intake.states import OPEN_STATUSES, Actor, Status

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ZERO = Decimal("0")


class StatusChoices(models.TextChoices):
    DRAFT = Status.DRAFT, _("Utkast")
    SUBMITTED = Status.SUBMITTED, _("Mottagen")
    PROCESSING = Status.PROCESSING, _("Roboten arbetar")
    NEEDS_MANUAL = Status.NEEDS_MANUAL, _("Behöver manuell handläggning")
    AWAITING_CASEWORKER = Status.AWAITING_CASEWORKER, _("Väntar på handläggare")
    AWAITING_SUPPLEMENT = Status.AWAITING_SUPPLEMENT, _("Väntar på komplettering")
    AWAITING_REPLY = Status.AWAITING_REPLY, _("Väntar på svar (kommunicering)")
    AWAITING_SECOND_APPROVAL = Status.AWAITING_SECOND_APPROVAL, _("Väntar på attest")
    APPROVED = Status.APPROVED, _("Beviljad")
    REJECTED = Status.REJECTED, _("Avslagen")
    WITHDRAWN = Status.WITHDRAWN, _("Återtagen")


class ActorChoices(models.TextChoices):
    APPLICANT = Actor.APPLICANT, _("Sökande")
    ROBOT = Actor.ROBOT, _("Automatiserad funktion (roboten)")
    CASEWORKER = Actor.CASEWORKER, _("Handläggare")
    SYSTEM = Actor.SYSTEM, _("Systemet")


def new_reference() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "EB-" + "".join(secrets.choice(alphabet) for _ in range(8))


def money_field(label: StrOrPromise) -> models.DecimalField:
    return models.DecimalField(label, max_digits=12, decimal_places=2, default=ZERO)


class ApplicationKind(models.TextChoices):
    NEW = "new", _("Ny ansökan")
    RENEWAL = "renewal", _("Återansökan")
    SUPPLEMENTARY = "supplementary", _("Tilläggsansökan")


class Track(models.TextChoices):
    WORK = "work", _("Arbetsspåret")
    SOCIAL = "social", _("Socialt spår")
    BOTH = "both", _("Båda spåren")


class ApplicationChannel(models.TextChoices):
    DIGITAL = "digital", _("Digitalt av sökanden")
    ASSISTED = "assisted", _("Tillsammans med personal")
    PAPER = "paper", _("Pappersansökan")


# What decides where a case is counted in the caseworker's queue (#20 c): a write of any of these
# announces the case (intake.models.queue_facts).
QUEUE_FACT_FIELDS = frozenset(
    {
        "status",
        "track",
        "owner",
        "owner_id",
        "municipality",
        "municipality_id",
        "protected_identity",
        "submitted_at",
        "decision_due_at",
        "emergency_no_food",
        "emergency_eviction_notice",
        "emergency_disconnection_notice",
    }
)


class ApplicationQuerySet(QueueFactsQuerySet["Application"]):
    queue_fact_fields = QUEUE_FACT_FIELDS

    def submitted(self) -> ApplicationQuerySet:
        return self.exclude(status=Status.DRAFT)


def emergency_condition() -> Q:
    """What the applicant said makes the case an emergency (no money for food today, an eviction
    or a disconnection notice): `Application.is_emergency` as a condition."""
    return (
        Q(emergency_no_food=True)
        | Q(emergency_eviction_notice=True)
        | Q(emergency_disconnection_notice=True)
    )


def urgency_rank() -> Case:
    """0 for an open emergency, 1 for everything else: the first key of every order of the
    caseworker's queue, so emergencies come first whatever it is sorted by (#16 item 14)."""
    return Case(
        When(Q(status__in=OPEN_STATUSES) & emergency_condition(), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


class Application(QueueFactsModel):
    reference = models.CharField(
        _("ärendenummer"), max_length=12, unique=True, default=new_reference
    )
    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    month = models.DateField(_("månad som ansökan gäller"), help_text=_("Första dagen i månaden."))
    kind = models.CharField(
        _("slag av ansökan"),
        max_length=20,
        choices=ApplicationKind.choices,
        default=ApplicationKind.NEW,
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("föregående månads ansökan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    supplements = models.ForeignKey(
        "self",
        verbose_name=_("kompletterar ansökan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supplementary_applications",
    )
    standing_decision = models.ForeignKey(
        "Decision",
        verbose_name=_("stående beslut"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="covered_applications",
        help_text=_("Månadens ansökan skapades av ett stående beslut."),
    )
    track = models.CharField(
        _("spår (handläggarens beslut)"), max_length=10, choices=Track.choices, blank=True
    )
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("arbetslivssekreterare senast"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Vem som fick hushållets möte på arbetsspåret (kontinuitet nästa månad)."),
    )
    status = models.CharField(
        _("status"), max_length=30, choices=StatusChoices.choices, default=Status.DRAFT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ansvarig handläggare"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_applications",
    )

    rent = money_field(_("hyra eller boendekostnad"))
    electricity = money_field(_("hushållsel"))
    home_insurance = money_field(_("hemförsäkring"))
    work_travel = money_field(_("arbetsresor"))
    union_fee = money_field(_("fackavgift"))
    unemployment_fund_fee = money_field(_("a-kasseavgift"))

    savings = money_field(_("pengar på bankkonton"))
    owns_vehicle = models.BooleanField(_("äger bil, mc eller båt"), default=False)
    vehicle_value = money_field(_("fordonets ungefärliga värde"))
    owns_property = models.BooleanField(_("äger bostad, fritidshus eller mark"), default=False)
    property_value = money_field(_("fastighetens ungefärliga värde"))

    decision_due_at = models.DateTimeField(
        _("beslut senast"),
        null=True,
        blank=True,
        help_text=_("Målet: beslut inom en arbetsdag från komplett ansökan."),
    )
    household_source = models.CharField(
        _("hushållet förifyllt från"),
        max_length=30,
        blank=True,
        help_text=_("Tomt när sökanden själv fyllde i hushållet."),
    )
    prefilled_incomes = models.JSONField(
        _("inkomster hämtade från Försäkringskassan"),
        default=dict,
        blank=True,
        help_text=_("Typ → belopp som föreslogs i ansökan (månaden före den sökta)."),
    )
    income_change_note = models.TextField(
        _("varför sökanden ändrade hämtade inkomster"), blank=True
    )
    answered_steps = models.JSONField(
        _("besvarade steg"),
        default=list,
        blank=True,
        help_text=_(
            'Stegen sökanden har sparat (t.ex. "housing"): kontrollsidan visar de obesvarade '
            "och den som fortsätter kommer till första obesvarade steget."
        ),
    )
    declaration_accepted_at = models.DateTimeField(_("intygat"), null=True, blank=True)
    declaration = models.JSONField(
        _("ansökan som den signerades"),
        default=dict,
        blank=True,
        help_text=_("Hushåll och inkomster frysta vid inskickandet; ändras aldrig därefter."),
    )
    submitted_at = models.DateTimeField(_("skickad"), null=True, blank=True)

    # How the application came in (#5): online by the applicant, filled in with staff while the
    # applicant was present (signed by the applicant with e-ID), or a signed paper application
    # registered by staff (the paper is the signature: document reference and received date).
    channel = models.CharField(
        _("inkommen via"), max_length=10, choices=ApplicationChannel.choices, default="digital"
    )
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ifylld med hjälp av"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assisted_applications",
    )
    paper_document_reference = models.CharField(
        _("den undertecknade pappersansökan (registreringsnummer)"), max_length=120, blank=True
    )
    paper_received_on = models.DateField(_("pappersansökan inkom"), null=True, blank=True)
    # Skyddade personuppgifter (from the population register): no address anywhere, and only
    # staff allowed to handle protected cases see the case. Set by the robot.
    protected_identity = models.BooleanField(_("skyddade personuppgifter"), default=False)

    # Emergency path (#7): said by the applicant; the case becomes same-day, goes to the on-call
    # caseworker and its deadline is counted in hours (caseworker.caseload.emergency).
    emergency_no_food = models.BooleanField(_("har inga pengar till mat i dag"), default=False)
    emergency_eviction_notice = models.BooleanField(
        _("har fått ett vräkningsbesked eller en uppsägning av bostaden"), default=False
    )
    emergency_disconnection_notice = models.BooleanField(
        _("har fått besked om avstängning av el, värme eller vatten"), default=False
    )
    emergency_declared_at = models.DateTimeField(_("akut läge angivet"), null=True, blank=True)

    # The row is the robot's outbox: the sweeper re-dispatches what waits or is stuck.
    robot_requested_at = models.DateTimeField(null=True, blank=True)
    robot_round = models.PositiveIntegerField(default=1)
    robot_lease_owner = models.CharField(max_length=64, blank=True)
    robot_lease_until = models.DateTimeField(null=True, blank=True)
    robot_attempts = models.PositiveIntegerField(default=0)
    robot_last_error = models.TextField(blank=True)
    # Retention (#9): when the personakt's personal data was anonymised (caseworker.audit).
    retention_anonymised_at = models.DateTimeField(_("gallrad"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    # Audit (#9): every save leaves an append-only historical row with who and when.
    history = HistoricalRecords(
        excluded_fields=[
            "robot_lease_owner",
            "robot_lease_until",
            "robot_attempts",
            "robot_last_error",
            "robot_requested_at",
        ]
    )

    class Meta:
        verbose_name = _("ansökan")
        verbose_name_plural = _("ansökningar")
        ordering = ["-submitted_at", "-created_at"]
        indexes = [
            models.Index(fields=["municipality", "status", "submitted_at"]),
            models.Index(fields=["status", "robot_requested_at"]),
            # The caseworker queue's default keyset order (caseworker/workbench/queue.py): first in,
            # first out per municipality, so a page is an index walk, not a sort of every case.
            models.Index(
                F("municipality"),
                Coalesce("submitted_at", "created_at"),
                F("id"),
                name="queue_submitted_order",
            ),
            # The same with open emergencies first (#16 item 14): the queue's default order.
            models.Index(
                F("municipality"),
                urgency_rank(),
                Coalesce("submitted_at", "created_at"),
                F("id"),
                name="queue_urgent_submitted_order",
            ),
        ]
        constraints = [
            # A household applies once per month: one live application per applicant and month.
            # One new application or renewal per household and month; supplementary
            # applications add costs to a month already applied for.
            # Per municipality: each municipality handles its own (a person registered in one
            # who applies in another is a warning there, never a refusal that tells anything
            # about the other municipality's case).
            models.UniqueConstraint(
                fields=["applicant", "municipality", "month"],
                condition=~Q(status=Status.WITHDRAWN) & ~Q(kind="supplementary"),
                name="one_live_application_per_person_municipality_and_month",
            ),
            models.CheckConstraint(
                name="supplementary_application_names_what_it_supplements",
                condition=~Q(kind="supplementary") | Q(supplements__isnull=False),
            ),
            models.CheckConstraint(
                name="submitted_application_has_owner",
                condition=Q(status=Status.DRAFT)
                | Q(status=Status.WITHDRAWN)
                | Q(owner__isnull=False),
            ),
        ]

    queue_fact_fields = QUEUE_FACT_FIELDS
    # The status as read from the database ("" when not known): see queue_save_announces.
    _queue_loaded_status: str | None = ""

    def __str__(self) -> str:
        return self.reference

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Application:
        instance = super().from_db(db, field_names, values)
        instance._queue_loaded_status = instance.__dict__.get("status")
        return instance

    def queue_save_announces(self) -> bool:
        """A draft saved as a draft (new, or read as a draft) is in no count of the queue."""
        loaded = None if self._state.adding else getattr(self, "_queue_loaded_status", "")
        return not (self.status == Status.DRAFT and loaded in (None, Status.DRAFT))

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_decided(self) -> bool:
        return self.status in (Status.APPROVED, Status.REJECTED)

    @property
    def is_emergency(self) -> bool:
        return (
            self.emergency_no_food
            or self.emergency_eviction_notice
            or self.emergency_disconnection_notice
        )

    @property
    def housing_emergency(self) -> bool:
        """An eviction or disconnection notice: the eviction-prevention contact is alerted."""
        return self.emergency_eviction_notice or self.emergency_disconnection_notice


class ApplicationEvent(models.Model):
    """Append-only history of status changes: who, from, to, why, when."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(max_length=30, choices=StatusChoices.choices)
    to_status = models.CharField(max_length=30, choices=StatusChoices.choices)
    actor_kind = models.CharField(max_length=20, choices=ActorChoices.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status} → {self.to_status}"
