"""Register adapters, chosen by dotted path in `settings.REGISTER_BACKENDS`."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from eligibility.registers.base import Register, RequestPurpose


@cache
def _load(dotted: str) -> Register:
    register: Register = import_string(dotted)()
    return register


def configured_registers() -> dict[str, Register]:
    return {source: _load(dotted) for source, dotted in settings.REGISTER_BACKENDS.items()}


def register_request_record(source: str, purpose: RequestPurpose) -> dict[str, str]:
    """What `source`'s register sends with a look-up besides `purpose` (SSBTEK: its syfte and
    lagtext), for the stored snapshot's request; {} for registers that send nothing more."""
    record = getattr(configured_registers().get(source), "request_record", None)
    return dict(record(purpose)) if record is not None else {}
