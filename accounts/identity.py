"""Swedish personal identity numbers (personnummer and samordningsnummer).

Validation (checksum and date) is done by the `personnummer` package, which, unlike
python-stdnum, accepts samordningsnummer (day + 60).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from personnummer import personnummer as pnr_lib

from kernel.text import ascii_digits


def normalise_personnummer(value: str) -> str:
    """Return the 12-digit form (YYYYMMDDNNNN) or raise ValidationError."""
    raw = ascii_digits((value or "").strip())  # "١٩٨٧…" from an Arabic keyboard is 1987…
    if not raw:
        raise ValidationError(_("Ange ett personnummer."), code="required")
    if not raw.isascii():
        raise ValidationError(
            _("Personnumret är inte giltigt (kontrollera datum och kontrollsiffra)."),
            code="invalid",
        )
    try:
        parsed = pnr_lib.parse(raw)
    except (pnr_lib.PersonnummerException, ValueError, TypeError) as exc:
        raise ValidationError(
            _("Personnumret är inte giltigt (kontrollera datum och kontrollsiffra)."),
            code="invalid",
        ) from exc
    return str(parsed.format(True))


def is_samordningsnummer(value: str) -> bool:
    return int(normalise_personnummer(value)[6:8]) > 60


def birth_date(value: str) -> date:
    digits = normalise_personnummer(value)
    day = int(digits[6:8])
    if day > 60:
        day -= 60
    return date(int(digits[:4]), int(digits[4:6]), day)


def age_on(value: str, on: date) -> int:
    born = birth_date(value)
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def masked(value: str) -> str:
    """For display where the full number is not needed: 19900101-****."""
    digits = normalise_personnummer(value)
    return f"{digits[:8]}-****"
