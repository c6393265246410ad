"""Text as people type it on any keyboard."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation


def search_key(value: str) -> str:
    """Text as a search compares it: lower case, without diacritics, single spaces ("Åkesson"
    and "akesson" are the same key)."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())


def ascii_digits(value: str) -> str:
    """Every decimal digit as its ASCII digit: an Arabic keyboard's "٦٠٠٠" or a full-width
    "６０００" is 6000. Other characters (a superscript "²" included) are left as they are."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in value)


def decimal_text(value: object) -> str:
    """A number as Swedish text: decimal comma, no trailing zeros ("12,5", "15", "0,75"), the
    way staff read the figures in the dashboard's table (#18: "12.5" in an alarm beside "12,5" in
    the table)."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")
