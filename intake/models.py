"""The application aggregate: one household's application for one calendar month."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .states import Actor, Status

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


def money_field(label: str) -> models.DecimalField:
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


class ApplicationQuerySet(models.QuerySet["Application"]):
    def submitted(self) -> ApplicationQuerySet:
        return self.exclude(status=Status.DRAFT)


class Application(models.Model):
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
    # caseworker and its deadline is counted in hours (caseworker.emergency).
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
    # Retention (#9): when the personakt's personal data was anonymised (caseworker.retention).
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
            # The caseworker queue's default keyset order (caseworker/queue.py): first in,
            # first out per municipality, so a page is an index walk, not a sort of every case.
            models.Index(
                F("municipality"),
                Coalesce("submitted_at", "created_at"),
                F("id"),
                name="queue_submitted_order",
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

    def __str__(self) -> str:
        return self.reference

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


class MemberRole(models.TextChoices):
    APPLICANT = "applicant", _("Sökande")
    PARTNER = "partner", _("Make, maka, sambo eller registrerad partner")
    CHILD = "child", _("Barn")
    ADULT = "adult", _("Annan vuxen i hushållet")


class HouseholdMember(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(_("roll"), max_length=20, choices=MemberRole.choices)
    name = models.CharField(_("namn"), max_length=120)
    personnummer = models.CharField(_("personnummer"), max_length=12)
    age = models.PositiveSmallIntegerField(_("ålder"))
    preschool_lunch = models.BooleanField(_("äter lunch i förskolan"), default=False)
    in_school = models.BooleanField(_("går i gymnasieskolan"), default=False)

    class Meta:
        verbose_name = _("hushållsmedlem")
        verbose_name_plural = _("hushållsmedlemmar")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "personnummer"], name="member_once_per_application"
            ),
        ]
        # Submitting looks up every member's other applications of the month (one household,
        # one application): without it, a scan of every member ever declared.
        indexes = [models.Index(fields=["personnummer"], name="member_personnummer")]

    def __str__(self) -> str:
        return self.name


class IncomeType(models.TextChoices):
    SALARY = "salary", _("Lön (efter skatt)")
    UNEMPLOYMENT_BENEFIT = "unemployment_benefit", _("A-kassa")
    SICKNESS_BENEFIT = "sickness_benefit", _("Sjukpenning eller sjukersättning")
    PARENTAL_BENEFIT = "parental_benefit", _("Föräldrapenning")
    ACTIVITY_SUPPORT = "activity_support", _("Aktivitetsstöd")
    CHILD_ALLOWANCE = "child_allowance", _("Barnbidrag")
    HOUSING_ALLOWANCE = "housing_allowance", _("Bostadsbidrag")
    MAINTENANCE_SUPPORT = "maintenance_support", _("Underhållsstöd")
    PENSION = "pension", _("Pension")
    STUDY_SUPPORT = "study_support", _("Studiemedel")
    TAX_REFUND = "tax_refund", _("Skatteåterbäring")
    OTHER = "other", _("Annan inkomst")


class DeclaredIncome(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="incomes")
    type = models.CharField(_("slag"), max_length=30, choices=IncomeType.choices)
    amount = models.DecimalField(_("belopp per månad"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("uppgiven inkomst")
        verbose_name_plural = _("uppgivna inkomster")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "type"], name="one_declared_income_per_type"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="declared_income_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.amount}"


class ApplicationEvent(models.Model):
    """Append-only history of status changes: who, from, to, why, when."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
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


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("Beviljat")
    REJECTED = "rejected", _("Avslag")


class Decision(models.Model):
    """The decision is the caseworker's and bears their name."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="decision"
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
        return f"{self.get_outcome_display()} {self.amount} kr"

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


# --- Attachments, signatures and messages (issue #5) ----------------------------------------


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
    generated name; only an authorising view reads it (intake.attachments)."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="attachments"
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


class Signature(models.Model):
    """An adult's signature (or refusal) on a joint application, made with their own e-ID."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="signatures"
    )
    personnummer = models.CharField(_("personnummer"), max_length=12)
    signed_at = models.DateTimeField(_("signerad"), null=True, blank=True)
    declined_at = models.DateTimeField(_("avböjd"), null=True, blank=True)
    note = models.TextField(_("meddelande"), blank=True)

    class Meta:
        verbose_name = _("underskrift")
        verbose_name_plural = _("underskrifter")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "personnummer"], name="one_signature_per_person"
            ),
            models.CheckConstraint(
                name="signature_signed_or_declined_not_both",
                condition=Q(signed_at__isnull=True) | Q(declined_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.personnummer[-4:]}"


class Message(models.Model):
    """A message between the applicant and the caseworker, on the case."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="messages")
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


from .notification_models import *  # noqa: E402,F403


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
