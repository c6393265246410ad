"""The staff second factor (TOTP): the person's device, enrolment and the QR code."""

from __future__ import annotations

import base64
from typing import Any

from django.db import transaction

from .models import User


def totp_device_for(user: User) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def totp_enrollment_start(*, user: User) -> Any:
    """The person's unconfirmed device (one at a time), created if missing. A confirmed device
    is never replaced here: losing it is an admin matter (a new device after identification)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=False)
    return device


@transaction.atomic
def totp_enrollment_confirm(*, user: User, device: Any, token: str) -> bool:
    """Confirm `device` with a code from the app; only the person's own unconfirmed device."""
    if device.user_id != user.pk or device.confirmed or totp_device_for(user) is not None:
        return False
    if not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def totp_secret_base32(device: Any) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def totp_qr_data_uri(device: Any) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (no inline SVG, no external service)."""
    import segno

    return segno.make(device.config_url, error="m").svg_data_uri(scale=4)
