"""Amounts and ids as the applicant's pages show them (#17)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def kronor(value: Any) -> str:
    """ "6 500 kr", "6 500,50 kr" (the page's language's separators): öre only when there are
    some, never rounded away ("6500,50" once showed as "6501 kr" on check answers)."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places = 0 if amount == amount.to_integral_value() else 2
    return f"{number_format(amount, decimal_pos=places, force_grouping=True)}\u00a0kr"


@register.filter
def isolated(value: Any) -> SafeString:
    """A reference, number or name kept in one piece and its own direction inside text of
    another direction (Arabic): <bdi class="nowrap">EB-49KR9J6A</bdi>."""
    return format_html('<bdi class="nowrap">{}</bdi>', value)
