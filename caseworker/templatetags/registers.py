"""Register sources by their authorities' names on staff pages (#18)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from caseworker.workbench.register_facts import source_label

register = template.Library()


@register.filter
def source_names(sources: Iterable[str]) -> str:
    """("csn", "employer_pay") → "CSN, Skatteverket (arbetsgivardeklarationer)"."""
    return ", ".join(source_label(source) for source in sources)
