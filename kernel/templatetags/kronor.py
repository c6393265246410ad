"""Amounts and ids as the applicant's pages show them (#17)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

from kernel.money import kronor_text

register = template.Library()


@register.filter
def kronor(value: Any) -> str:
    """kernel.money.kronor_text as a filter ("6500,50" once showed as "6501 kr" on check
    answers)."""
    return kronor_text(value)


@register.filter
def isolated(value: Any) -> SafeString:
    """A reference, number or name kept in one piece and its own direction inside text of
    another direction (Arabic): <bdi class="nowrap">EB-49KR9J6A</bdi>."""
    return format_html('<bdi class="nowrap">{}</bdi>', value)


@register.filter
def percent(share: Any) -> str:
    """A share (0–1) as people read it: "75 %", "12,5 %" (a share of 1,000 read as one thousand,
    #18). Empty when there is no share (nothing to divide)."""
    if share is None or share == "":
        return ""
    try:
        value = Decimal(str(share)) * 100
    except InvalidOperation:
        return str(share)
    whole = value == value.to_integral_value()
    rounded = value.quantize(Decimal(1) if whole else Decimal("0.1"))
    return f"{number_format(rounded, decimal_pos=0 if whole else 1)}\u00a0%"
