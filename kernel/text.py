"""Text as people type it on any keyboard."""

from __future__ import annotations

import unicodedata


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
