"""The wording of letters: a safe placeholder renderer for standard reasons, kronor and months.

The renderer walks the template with ``string.Formatter.parse`` and substitutes only the allowed
names from a plain dict. Nothing is looked up on an object: ``{namn.__class__}``, ``{belopp[0]}``
or ``{okänd}`` stay as they were written and are reported, so a mistyped template shows up in the
letter preview instead of leaking data or failing. No models here: the ReasonTemplate model's
validation uses it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from string import Formatter

from django.utils import formats, translation

ALLOWED_PLACEHOLDERS: frozenset[str] = frozenset(
    {"namn", "månad", "belopp", "norm", "inkomst", "hyra", "maxhyra"}
)


@dataclass(frozen=True)
class RenderedReason:
    text: str
    unknown: tuple[str, ...] = ()  # placeholders left as written (not allowed or no value)
    malformed: bool = False  # an unmatched brace: the text is returned unchanged

    @property
    def complete(self) -> bool:
        return not self.unknown and not self.malformed


def _literal(field: str, conversion: str | None, spec: str) -> str:
    return (
        "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
    )


def reason_render(template: str, values: dict[str, str]) -> RenderedReason:
    """Fill the allowed placeholders from ``values`` (strings only); leave the rest visible."""
    try:
        parts = list(Formatter().parse(template))
    except ValueError:
        return RenderedReason(text=template, malformed=True)
    out: list[str] = []
    unknown: list[str] = []
    for literal, field, spec, conversion in parts:
        out.append(literal)
        if field is None:
            continue
        if field in ALLOWED_PLACEHOLDERS and field in values and not conversion and not spec:
            out.append(str(values[field]))
        else:
            out.append(_literal(field, conversion, spec or ""))
            unknown.append(field)
    return RenderedReason(text="".join(out), unknown=tuple(dict.fromkeys(unknown)))


def kronor(amount: Decimal | int | None) -> str:
    """Whole kronor with a space as thousands separator: 12 345 kr."""
    if amount is None:
        return "–"
    whole = int(Decimal(amount).quantize(Decimal(1)))
    return f"{whole:,}".replace(",", "\u00a0") + "\u00a0kr"


# An amount of kronor written in free text: "3940 kr", "10695.00 kr", "3 940 kr", "−1000 kr".
_MONEY = re.compile(r"(?<![\d,.])(\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:[.,](\d{1,2}))?[ \u00a0]?kr\b")


def money_text(text: str) -> str:
    """Every amount of kronor in ``text`` as a letter prints money: "3 940 kr", with a
    non-breaking space between thousands and before "kr", and no decimals when whole."""

    def written(match: re.Match[str]) -> str:
        whole = re.sub(r"[ \u00a0]", "", match.group(1))
        cents = (match.group(2) or "").ljust(2, "0") if match.group(2) else ""
        if not cents or int(cents) == 0:
            return kronor(Decimal(whole))
        grouped = f"{int(whole):,}".replace(",", "\u00a0")
        return f"{grouped},{cents}\u00a0kr"

    return _MONEY.sub(written, text)


def month_label(month: date) -> str:
    with translation.override("sv"):
        return str(formats.date_format(month, "F Y"))


# The population register's relations as the case page and the letters name them (#18: "child"
# and "partner" reached the comparison table and the kommunicering text).
RELATIONS = {
    "partner": "Make, maka eller sambo",
    "child": "Barn",
    "parent": "Förälder",
    "sökande": "Sökande",
}


def relation_text(relation: object) -> str:
    text = str(relation or "")
    return RELATIONS.get(text, text)
