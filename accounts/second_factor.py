"""The staff second factor (TOTP): activation codes, enrolment, the person's device, the QR code.

Enrolling an authenticator app needs more than the password: an administrator issues a one-time
activation code (`second_factor_activation_issue`, from the User admin or the management command
`second_factor_activation`) and hands it over out of band. The person redeems it on the
enrolment page; every enrolment attempt gets a brand-new secret, held by that session alone, and
confirming the app with a code uses the activation up. Only a keyed hash of a code is stored, and
no code is ever logged.
"""

from __future__ import annotations

import base64
import logging
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, SecondFactorActivation, User

if TYPE_CHECKING:
    from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger("accounts.security")

# No 0/O, 1/I/L: read aloud or copied from paper without mix-ups. 31 symbols, 10 of them: about
# 49 bits, against at most ACTIVATION_MAX_FAILED_ATTEMPTS guesses per code.
ACTIVATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACTIVATION_CODE_LENGTH = 10
ACTIVATION_MAX_FAILED_ATTEMPTS = 5


class ActivationRefused(Exception):
    """No activation code for this person, or no enrolment with it (the message says why)."""


def totp_device_for(user: User) -> TOTPDevice | None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


# --- activation codes -----------------------------------------------------------------------


def activation_code_normalise(code: str) -> str:
    """What the person typed, as issued: capitals, without spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def activation_code_display(code: str) -> str:
    """ABCDE-FGHJK: easier to read out and to type."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def _activation_code_hash(*, user_id: int, code: str) -> str:
    """Keyed with SECRET_KEY, so a copy of the database alone does not let anyone test guesses."""
    return salted_hmac(
        "accounts.second_factor.activation", f"{user_id}:{code}", algorithm="sha256"
    ).hexdigest()


def _activations_live(*, user: User) -> QuerySet[SecondFactorActivation]:
    return SecondFactorActivation.objects.filter(
        user=user, used_at__isnull=True, voided_at__isnull=True, expires_at__gt=timezone.now()
    )


@transaction.atomic
def second_factor_activation_issue(*, user: User, issued_by: User | None) -> str:
    """A new activation code for `user`, returned in plain text this once (only its hash is
    kept). Every earlier unused code of the person is void from now on. `issued_by` is None when
    the code comes from the server's command line."""
    if user.role == Role.APPLICANT:
        raise ActivationRefused(_("Sökande loggar in med e-legitimation och har ingen app."))
    if not user.is_active:
        raise ActivationRefused(_("Kontot är avstängt."))
    if totp_device_for(user) is not None:
        raise ActivationRefused(
            _("Personen har redan en autentiseringsapp. Ta först bort personens TOTP device.")
        )
    now = timezone.now()
    SecondFactorActivation.objects.filter(
        user=user, used_at__isnull=True, voided_at__isnull=True
    ).update(voided_at=now)
    code = "".join(secrets.choice(ACTIVATION_ALPHABET) for _ in range(ACTIVATION_CODE_LENGTH))
    activation = SecondFactorActivation.objects.create(
        user=user,
        code_hash=_activation_code_hash(user_id=user.pk, code=code),
        issued_by=issued_by,
        issued_at=now,
        expires_at=now + timedelta(hours=settings.OTP_ACTIVATION_HOURS),
    )
    logger.info(
        "security.second_factor_activation_issued",
        extra={
            "user_id": user.pk,
            "activation_id": activation.pk,
            "issued_by_id": issued_by.pk if issued_by is not None else None,
        },
    )
    return code


@transaction.atomic
def second_factor_activation_redeem(*, user: User, code: str) -> SecondFactorActivation | None:
    """The person's live activation (issued, not expired, used or void) if `code` is its code,
    else None. A wrong code counts against the live activation; after
    ACTIVATION_MAX_FAILED_ATTEMPTS wrong codes it is void and a new one must be issued."""
    activation = _activations_live(user=user).select_for_update().first()
    candidate = _activation_code_hash(user_id=user.pk, code=activation_code_normalise(code))
    if activation is None:
        return None
    if constant_time_compare(activation.code_hash, candidate):
        return activation
    activation.failed_attempts += 1
    fields = ["failed_attempts"]
    if activation.failed_attempts >= ACTIVATION_MAX_FAILED_ATTEMPTS:
        activation.voided_at = timezone.now()
        fields.append("voided_at")
        logger.warning(
            "security.second_factor_activation_voided",
            extra={"user_id": user.pk, "activation_id": activation.pk},
        )
    activation.save(update_fields=fields)
    return None


def second_factor_activation_live(
    *, user: User, activation_id: int
) -> SecondFactorActivation | None:
    """The activation a session redeemed earlier, if it is still the person's and still live."""
    return _activations_live(user=user).filter(pk=activation_id).first()


# --- enrolment ------------------------------------------------------------------------------


@transaction.atomic
def totp_enrollment_start(*, user: User, activation: SecondFactorActivation) -> TOTPDevice:
    """A new enrolment attempt: a brand-new unconfirmed device with a fresh random secret. Any
    earlier unconfirmed device of the person goes, so an older attempt (another session's) can
    no longer be confirmed. A confirmed device is never replaced here: losing it is an admin
    matter (remove the device, issue a new activation code)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_otp.util import random_hex

    if second_factor_activation_live(user=user, activation_id=activation.pk) is None:
        raise ActivationRefused(_("Aktiveringskoden gäller inte längre."))
    if totp_device_for(user) is not None:
        raise ActivationRefused(_("Personen har redan en autentiseringsapp."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="app", confirmed=False, key=random_hex(20))


@transaction.atomic
def totp_enrollment_attempt(
    *, user: User, activation_id: int, device_id: int | None
) -> tuple[SecondFactorActivation, TOTPDevice] | None:
    """The enrolment attempt a session is in: its activation, and its device if the session
    already has one (still the person's, still unconfirmed), else a new attempt. None when the
    activation is no longer live."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    activation = second_factor_activation_live(user=user, activation_id=activation_id)
    if activation is None or totp_device_for(user) is not None:
        return None
    device = None
    if device_id is not None:
        device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        device = totp_enrollment_start(user=user, activation=activation)
    return activation, device


@transaction.atomic
def totp_enrollment_confirm(
    *, user: User, activation: SecondFactorActivation, device: TOTPDevice, token: str
) -> bool:
    """Confirm `device` with a code from the app: only the person's own unconfirmed device,
    only while the activation is live. Confirming uses the activation up."""
    live = _activations_live(user=user).select_for_update().filter(pk=activation.pk).first()
    if live is None:
        return False
    if device.user_id != user.pk or device.confirmed or totp_device_for(user) is not None:
        return False
    if not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    live.used_at = timezone.now()
    live.save(update_fields=["used_at"])
    logger.info(
        "security.second_factor_enrolled",
        extra={"user_id": user.pk, "activation_id": live.pk, "device_id": device.pk},
    )
    return True


def totp_secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (no inline SVG, no external service)."""
    import segno

    return segno.make(device.config_url, error="m").svg_data_uri(scale=4)
