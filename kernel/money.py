"""Amounts in kronor as people type them, and the one form field every money input uses.

Swedes write "6 500", "6500", "6500,50", "6 500 kr" or "6 500:-"; people reading the English pages
may write "6,500.50". What cannot be read one way only ("6.500": six and a half kronor or six
thousand five hundred?) is refused with a message that says how to write it, never guessed: a form
that stored "6500,50" as 650,050 kr is what this module exists to prevent.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext_lazy as _

SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
SUFFIX = re.compile(r"(?:kr\.?|kronor|sek|:-|:–|,-)$", re.IGNORECASE)
DIGITS = re.compile(r"\d+")
GROUPED = re.compile(r"^\d{1,3}(?:[ ]\d{3})+$")


class AmountUnreadable(ValueError):
    """Not an amount at all ("abc", "1e3", "-5")."""


class AmountAmbiguous(ValueError):
    """An amount that reads two ways ("6.500", "6,500")."""


def _integer_part(text: str) -> str:
    """Digits, possibly grouped by spaces in threes ("6 500"); raises when grouped otherwise."""
    if DIGITS.fullmatch(text):
        return text
    if GROUPED.match(text):
        return text.replace(" ", "")
    raise AmountUnreadable(text)


def parse_kronor(raw: str) -> Decimal:
    """The amount in `raw` as kronor, or AmountUnreadable / AmountAmbiguous."""
    text = SPACES.sub(" ", raw).strip()
    text = SUFFIX.sub("", text).strip()
    if not text:
        raise AmountUnreadable(raw)
    commas, dots = text.count(","), text.count(".")
    if commas and dots:
        # Both: the last is the decimal mark, the other groups thousands ("6.500,50", "6,500.50").
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        whole, _sep, fraction = text.rpartition(decimal_mark)
        if whole.count(decimal_mark) or not re.fullmatch(
            rf"\d{{1,3}}(?:{re.escape(group_mark)}\d{{3}})+", whole
        ):
            raise AmountUnreadable(raw)
        whole = whole.replace(group_mark, "")
    elif commas + dots == 0:
        whole, fraction = text, ""
    else:
        mark = "," if commas else "."
        parts = text.split(mark)
        if len(parts) > 2:
            # "6.500.000": only thousands groups read this way.
            if all(len(p) == 3 and p.isdigit() for p in parts[1:]) and parts[0].isdigit():
                return Decimal("".join(parts))
            raise AmountUnreadable(raw)
        whole, fraction = parts
        if len(fraction) == 3 and fraction.isdigit() and whole and len(whole.replace(" ", "")) <= 3:
            raise AmountAmbiguous(raw)
    whole = _integer_part(whole.strip()) if whole.strip() else "0"
    if fraction and not fraction.isdigit():
        raise AmountUnreadable(raw)
    try:
        return Decimal(f"{whole}.{fraction}" if fraction else whole)
    except InvalidOperation as exc:  # pragma: no cover - the patterns above admit digits only
        raise AmountUnreadable(raw) from exc


def kronor_for_input(value: Decimal | int | str | None) -> str:
    """An amount as the field shows it back: "6500", or "6500,50" with the page's decimal mark."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if amount == amount.to_integral_value():
        return str(int(amount))
    return f"{amount.quantize(Decimal('0.01'))}".replace(".", str(get_format("DECIMAL_SEPARATOR")))


def kronor_text(value: Decimal | int | str | None) -> str:
    """An amount as pages show it: "6 500 kr", "6 500,50 kr" (the active language's separators),
    öre only when there are some and never rounded away."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places = 0 if amount == amount.to_integral_value() else 2
    return f"{number_format(amount, decimal_pos=places, force_grouping=True)}\u00a0kr"


class MoneyInput(forms.TextInput):
    """A text box with the phone's number pad; never `type=number` (it drops "6 500")."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, str):
            return value  # what the person typed, shown back as typed when the form is refused
        return kronor_for_input(value) or None


class MoneyField(forms.Field):
    """An amount in kronor: Swedish and English ways of writing it, nothing ambiguous, no scale."""

    widget = MoneyInput
    default_error_messages = {
        "invalid": _("Skriv ett belopp i kronor med siffror, till exempel 6500 eller 6 500,50."),
        "ambiguous": _(
            "Det går inte att se om %(value)s betyder kronor och ören eller tusental. Skriv "
            "beloppet utan punkt, till exempel 6500, eller med ören efter komma, till exempel "
            "6500,50."
        ),
        "decimals": _("Skriv beloppet med högst två siffror efter kommat."),
        "whole": _("Skriv beloppet i hela kronor, utan ören."),
        "min_value": _("Beloppet kan inte vara mindre än %(limit)s kr."),
        "max_value": _("Beloppet kan inte vara mer än %(limit)s kr. Kontrollera siffrorna."),
    }

    def __init__(
        self,
        *,
        min_value: Decimal | int = 0,
        max_value: Decimal | int = 1_000_000,
        decimal_places: int = 2,
        **kwargs: Any,
    ) -> None:
        self.min_value = Decimal(min_value)
        self.max_value = Decimal(max_value)
        self.decimal_places = decimal_places
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        if isinstance(value, (Decimal, int)):
            return Decimal(value)
        text = str(value)
        try:
            amount = parse_kronor(text)
        except AmountAmbiguous:
            raise ValidationError(
                self.error_messages["ambiguous"], code="ambiguous", params={"value": text.strip()}
            ) from None
        except AmountUnreadable:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        exponent = amount.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > self.decimal_places:
            code = "whole" if self.decimal_places == 0 else "decimals"
            raise ValidationError(self.error_messages[code], code=code)
        return amount

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        if value < self.min_value:
            raise ValidationError(
                self.error_messages["min_value"],
                code="min_value",
                params={"limit": kronor_for_input(self.min_value)},
            )
        if value > self.max_value:
            raise ValidationError(
                self.error_messages["max_value"],
                code="max_value",
                params={"limit": f"{int(self.max_value):,}".replace(",", " ")},
            )
