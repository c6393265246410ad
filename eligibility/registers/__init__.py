"""Register adapters, chosen by dotted path in `settings.REGISTER_BACKENDS`."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from eligibility.registers.base import Register


@cache
def _load(dotted: str) -> Register:
    register: Register = import_string(dotted)()
    return register


def configured_registers() -> dict[str, Register]:
    return {source: _load(dotted) for source, dotted in settings.REGISTER_BACKENDS.items()}
