"""People: applicants (e-ID), staff by role; their bank account and how we reach them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

import bankkonto
from bankkonto.account import get_account_number_format_based_on_clearing_number as account_format
from bankkonto.exceptions import BankkontoValidationError, SwedbankBankkontoValidationError
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kernel.text import ascii_digits, search_key

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class BankAccountInvalid(ValueError):
    """Not a Swedish bank account by the banks' rules; `message` says what to check."""

    def __init__(self, message: StrOrPromise) -> None:
        super().__init__(str(message))
        self.message = message


def bank_account_parts(value: str) -> tuple[str, str]:
    """A Swedish bank account as (clearing, account), checked by the banks' own rules (Bankgirot's
    "Bankernas kontonummeruppbyggnad", through the `bankkonto` library): the clearing number
    belongs to a bank, the account has that bank's length and its check digit (mod 10 or mod 11)
    is right. Spaces, dashes and dots between digits are ignored; a type-2 account written
    without its leading zeros gets them. Some Swedbank accounts cannot be checked by a check digit
    (Bankgirot's note): those are accepted on length."""
    value = ascii_digits(value)  # an Arabic keyboard's digits are digits too
    if any(not (ch in "0123456789" or ch in " -.,") for ch in value):
        raise BankAccountInvalid(_("Skriv bara siffror, mellanslag och bindestreck."))
    digits = "".join(ch for ch in value if ch in "0123456789")
    clearing_length = 5 if digits.startswith("8") else 4
    clearing, account = digits[:clearing_length], digits[clearing_length:]
    if len(clearing) != clearing_length or not 7 <= len(account) <= 10:
        raise BankAccountInvalid(
            _("Skriv clearingnummer (4 siffror, Swedbank 5) och kontonummer (7–10 siffror).")
        )
    try:
        bank, kind, shape, _footnote = account_format(clearing)
    except BankkontoValidationError:
        raise BankAccountInvalid(
            _("Clearingnumret %(clearing)s hör inte till någon svensk bank. Kontrollera det.")
            % {"clearing": clearing}
        ) from None
    length = len(shape.strip("0"))
    if kind == 2 and len(account) < length:
        account = account.zfill(length)
    if len(account) != length:
        raise BankAccountInvalid(
            _("Ett kontonummer hos %(bank)s har %(length)s siffror efter clearingnumret.")
            % {"bank": bank, "length": length}
        )
    try:
        bankkonto.validate(clearing, account)
    except SwedbankBankkontoValidationError:
        pass
    except BankkontoValidationError:
        raise BankAccountInvalid(
            _("Kontonumret stämmer inte (kontrollsiffran är fel). Kontrollera siffrorna.")
        ) from None
    return clearing, account


def validate_bank_account(value: str) -> None:
    if not value:
        return
    try:
        bank_account_parts(value)
    except BankAccountInvalid as error:
        raise ValidationError(error.message) from error


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
        "accounts.Municipality",
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

    # The name as the caseworkers' search compares it (#18): "akesson" finds Åkesson, in any
    # word order. Kept in step with the name by save().
    search_name = models.CharField(max_length=320, blank=True, default="", editable=False)
    language = models.CharField(
        _("språk för meddelanden"),
        max_length=8,
        default="sv",
        help_text=_(
            "Det språk personen senast använde i e-tjänsten: e-post, sms och brev följer det."
        ),
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

    objects: ClassVar[UserManager[Self]] = UserManager()

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

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_name = search_key(f"{self.first_name} {self.last_name}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"first_name", "last_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

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
