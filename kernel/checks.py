"""Shared pieces of the system checks that guard the outside systems' configuration.

Every adapter's check is registered with the tag `INTEGRATIONS`: `manage.py check` reports them,
and `config.startup.refuse_unsafe_configuration` runs the same checks before gunicorn, a worker or
beat takes any work (gunicorn and Celery never run system checks themselves).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.module_loading import import_string

INTEGRATIONS = "integrations"


def configured_as(dotted: str, base: type) -> bool:
    """Whether the adapter named by `dotted` is `base` or a subclass of it (False when it cannot
    be imported: accounts.checks reports that)."""
    if not dotted:
        return False
    try:
        backend = import_string(dotted)
    except ImportError:
        return False
    return isinstance(backend, type) and issubclass(backend, base)


def file_problem(variable: str, path: str, *, required: bool) -> str | None:
    """What is wrong with the file a setting names (None: nothing), for a check's message."""
    if not path:
        return f"{variable} is not set" if required else None
    file = Path(path)
    if not file.is_file():
        return f"{variable} = {path!r} is not a file"
    if not os.access(file, os.R_OK):
        return f"{variable} = {path!r} cannot be read by this process"
    return None
