"""Municipalities and people. Every case, setting, staff member and meeting belongs to one
municipality; one installation may serve several with their data kept apart."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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


def bank_account_parts(value: str) -> tuple[str, str]:
    """A Swedish bank account as (clearing, account): 4 digits (5 for Swedbank's 8xxx-x) and
    7–10 digits after it. Spaces, dashes and dots between digits are ignored."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if any(not (ch.isdigit() or ch in " -.,") for ch in value):
        raise ValueError("bank account has other characters than digits and separators")
    clearing_length = 5 if digits.startswith("8") else 4
    clearing, account = digits[:clearing_length], digits[clearing_length:]
    if len(clearing) != clearing_length or not 7 <= len(account) <= 10:
        raise ValueError("bank account has the wrong length")
    return clearing, account


def validate_bank_account(value: str) -> None:
    if not value:
        return
    try:
        bank_account_parts(value)
    except ValueError as error:
        raise ValidationError(
            _("Skriv clearingnummer (4 siffror, Swedbank 5) och kontonummer (7–10 siffror).")
        ) from error


def _new_security_stamp() -> str:
    import secrets

    return secrets.token_hex(16)


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Sökande")
    CASEWORKER = "caseworker", _("Handläggare")
    TEAM_LEAD = "team_lead", _("Gruppledare")
    SECRETARY = "secretary", _("Arbetslivssekreterare")
    ADMIN = "admin", _("Systemförvaltare")


STAFF_ROLES = (Role.CASEWORKER, Role.TEAM_LEAD, Role.SECRETARY, Role.ADMIN)
CASE_HANDLING_ROLES = (Role.CASEWORKER, Role.TEAM_LEAD)


class NotificationChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-post")
    LETTER = "letter", _("Brev")


class User(AbstractUser):
    """Applicants log in with e-ID (personnummer, no password); staff with Django auth."""

    role = models.CharField(_("roll"), max_length=20, choices=Role.choices, default=Role.APPLICANT)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("kommun"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    personnummer = models.CharField(
        _("personnummer"), max_length=12, unique=True, null=True, blank=True
    )
    in_introduction = models.BooleanField(
        _("under introduktion"),
        default=False,
        help_text=_("Alla beslut av en handläggare under introduktion attesteras av en annan."),
    )
    mentor = models.ForeignKey(
        "self",
        verbose_name=_("mentor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentees",
        help_text=_("Erfaren handläggare som attesterar beslut under introduktionen."),
    )

    bank_account = models.CharField(
        _("bankkonto (clearingnummer och kontonummer)"),
        max_length=24,
        blank=True,
        validators=[validate_bank_account],
        help_text=_("Till exempel 8327-9 123 456 789-0 eller 6000-123456789."),
    )

    # How the person wants to hear that something new happened (#5). Letter needs nothing from
    # us: the address is looked up in the population register when a letter is sent.
    notification_channel = models.CharField(
        _("aviseringssätt"),
        max_length=10,
        choices=NotificationChannel.choices,
        default=NotificationChannel.LETTER,
    )
    phone = models.CharField(_("mobilnummer"), max_length=20, blank=True)
    # Staff: may open cases of people with skyddade personuppgifter (protected identity).
    may_handle_protected = models.BooleanField(
        _("får handlägga skyddade personuppgifter"), default=False
    )
    # Part of every session's auth hash: a new value ends all the person's sessions (#9).
    security_stamp = models.CharField(
        _("säkerhetsstämpel"), max_length=32, default=_new_security_stamp, editable=False
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")
        constraints = [
            models.CheckConstraint(
                name="staff_belongs_to_a_municipality",
                condition=Q(role="applicant") | Q(role="admin") | Q(municipality__isnull=False),
            ),
            models.CheckConstraint(
                name="applicant_has_personnummer",
                condition=~Q(role="applicant") | Q(personnummer__isnull=False),
            ),
        ]

    @property
    def is_applicant(self) -> bool:
        return self.role == Role.APPLICANT

    @property
    def handles_cases(self) -> bool:
        return self.role in CASE_HANDLING_ROLES

    @property
    def is_secretary(self) -> bool:
        return self.role == Role.SECRETARY

    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def get_session_auth_hash(self) -> str:
        """Sessions carry this hash; the auth middleware ends a session whose hash no longer
        matches. Besides the password it covers the security stamp (bumped by
        `accounts.security.user_sessions_end`), the role, the municipality and whether the
        account is active, so disabling an account or changing its role ends every session."""
        from django.utils.crypto import salted_hmac

        value = "|".join(
            (
                self.password or "",
                self.security_stamp,
                self.role,
                str(self.municipality_id or ""),
                "1" if self.is_active else "0",
            )
        )
        return salted_hmac(
            "accounts.User.get_session_auth_hash", value, algorithm="sha256"
        ).hexdigest()


class MandateKind(models.TextChoices):
    GOD_MAN = "god_man", _("God man")
    FORVALTARE = "forvaltare", _("Förvaltare")
    OMBUD = "ombud", _("Ombud med fullmakt")


class Mandate(models.Model):
    """A representative's right to apply and follow cases for another person (#5).

    God man and förvaltare are appointed by överförmyndaren; an ombud has the person's fullmakt.
    Staff register the mandate from the document; it is active from `valid_from` up to and
    including `valid_until` (open-ended when empty) unless revoked. Services in
    `accounts.mandates`.
    """

    representative = models.ForeignKey(
        User,
        verbose_name=_("företrädare"),
        on_delete=models.PROTECT,
        related_name="mandates",
    )
    principal_personnummer = models.CharField(_("huvudmannens personnummer"), max_length=12)
    kind = models.CharField(_("slag"), max_length=20, choices=MandateKind.choices)
    valid_from = models.DateField(_("gäller från"))
    valid_until = models.DateField(_("gäller till och med"), null=True, blank=True)
    document_reference = models.CharField(
        _("handling (registreringsnummer)"),
        max_length=120,
        help_text=_("Fullmakten eller förordnandet från överförmyndaren, som den är diarieförd."),
    )
    registered_by = models.ForeignKey(
        User,
        verbose_name=_("registrerad av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("återkallad av"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("fullmakt eller förordnande")
        verbose_name_plural = _("fullmakter och förordnanden")
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["representative", "principal_personnummer"])]
        constraints = [
            models.CheckConstraint(
                name="mandate_period_in_order",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
            ),
            models.CheckConstraint(
                name="mandate_has_document", condition=~Q(document_reference="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.representative.display_name()}"


class SecondFactorActivation(models.Model):
    """A one-time activation code that lets a staff member enrol an authenticator app once.

    An administrator issues it and hands it over out of band (in person, or by phone to a number
    known beforehand); the password alone is not enough to bind a second factor. Only a keyed
    hash of the code is stored. Services in `accounts.second_factor`.
    """

    user = models.ForeignKey(
        User,
        verbose_name=_("användare"),
        on_delete=models.CASCADE,
        related_name="second_factor_activations",
    )
    code_hash = models.CharField(_("kodens kontrollsumma"), max_length=64, editable=False)
    issued_by = models.ForeignKey(
        User,
        verbose_name=_("utfärdad av"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Tomt när koden skapades från serverns kommandorad."),
    )
    issued_at = models.DateTimeField(_("utfärdad"))
    expires_at = models.DateTimeField(_("giltig till"))
    failed_attempts = models.PositiveSmallIntegerField(_("felaktiga försök"), default=0)
    used_at = models.DateTimeField(_("använd"), null=True, blank=True)
    voided_at = models.DateTimeField(_("ogiltig sedan"), null=True, blank=True)

    class Meta:
        verbose_name = _("aktiveringskod för autentiseringsapp")
        verbose_name_plural = _("aktiveringskoder för autentiseringsapp")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["user", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                name="second_factor_activation_expires_after_issue",
                condition=Q(expires_at__gt=models.F("issued_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.username} {self.issued_at:%Y-%m-%d %H:%M}"


from .operation_models import *  # noqa: E402,F403
