"""Structured JSON logs: one line per record, with the request id or the Celery task id, and
nothing in them that identifies a person (SECURITY.md §3.9, §4.5; ASVS 16.2.5).

Both structlog loggers and the standard library's loggers (Django, Celery, our modules) go
through the same processor chain, so masking cannot be bypassed by choosing the "wrong" logger:

    merge request/task context -> level, logger, UTC timestamp -> exception text -> mask -> JSON

`mask_personal_data` keeps only the birth year of anything that looks like a personnummer (10 or
12 digits, optional `-`/`+`) and drops secrets (passwords, tokens, BankID order refs ...) by key.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

# 12 digits (YYYYMMDDNNNN) or 10 (YYMMDDNNNN), with an optional - or + before the last four.
# Deliberately broad (no date or checksum test): a phone number masked by mistake costs nothing.
PERSONNUMMER_RE = re.compile(r"(?<![0-9])(\d{2})?(\d{2})(\d{4})([-+]?)(\d{4})(?![0-9])")

SECRET_KEYS = frozenset(
    {
        "password",
        "password1",
        "password2",
        "old_password",
        "new_password",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "secret",
        "client_secret",
        "api_key",
        "authorization",
        "cookie",
        "set-cookie",
        "sessionid",
        "csrftoken",
        "csrfmiddlewaretoken",
        "orderref",
        "order_ref",
        "qrstartsecret",
        "qr_start_secret",
        "qrstarttoken",
        "autostarttoken",
        "personnummer",
        "personal_identity_number",
        "otp",
        "totp",
    }
)
# Values we generate (times, levels) are never rewritten; ids only while they are UUIDs (a
# client can send its own X-Request-ID, and that is masked like any other input).
UNMASKED_KEYS = frozenset({"timestamp", "level"})
ID_KEYS = frozenset({"request_id", "correlation_id", "task_id", "parent_task_id"})
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
DROPPED = "[bortrensat]"


def mask_personnummer(text: str) -> str:
    """'19850101-1234' -> '1985XXXX-XXXX'; '850101-1234' -> '85XXXX-XXXX' (the birth year only)."""

    def replace(match: re.Match[str]) -> str:
        century, year, _rest, separator, _last = match.groups()
        return f"{century or ''}{year}XXXX{separator or '-'}XXXX"

    return PERSONNUMMER_RE.sub(replace, text)


def _is_secret(key: object) -> bool:
    return isinstance(key, str) and key.lower().replace(" ", "_") in SECRET_KEYS


def _clean(value: Any, depth: int = 0) -> Any:
    if depth > 6:
        return "[…]"
    if isinstance(value, str):
        return mask_personnummer(value)
    if isinstance(value, bytes):
        return mask_personnummer(value.decode("utf-8", "replace"))
    if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) in (10, 12):
        return mask_personnummer(str(value))
    if isinstance(value, Mapping):
        return {k: (DROPPED if _is_secret(k) else _clean(v, depth + 1)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v, depth + 1) for v in value]
    if isinstance(value, float | bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    return mask_personnummer(str(value))


def mask_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: drop secrets by key, mask personnummer in every other value."""
    for key in list(event_dict):
        if key in UNMASKED_KEYS:
            continue
        if key in ID_KEYS and UUID_RE.fullmatch(str(event_dict[key])):
            continue
        if _is_secret(key):
            event_dict[key] = DROPPED
        else:
            event_dict[key] = _clean(event_dict[key])
    return event_dict


def _drop_stdlib_noise(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    # The raw LogRecord (args may hold a personnummer) and the formatter's bookkeeping.
    event_dict.pop("_record", None)
    event_dict.pop("_from_structlog", None)
    return event_dict


SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.ExtraAdder(),
]


def json_formatter(**_: Any) -> structlog.stdlib.ProcessorFormatter:
    """The formatter for every handler (used from settings.LOGGING and for Celery's handlers)."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=SHARED_PROCESSORS,
        processors=[
            _drop_stdlib_noise,
            structlog.processors.format_exc_info,
            mask_personal_data,
            structlog.processors.JSONRenderer(ensure_ascii=False, default=str),
        ],
    )


def structlog_configure() -> None:
    """structlog loggers hand their event dicts to the standard library's handlers."""
    structlog.configure(
        processors=[
            *SHARED_PROCESSORS[:4],
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def logging_settings(level: str = "INFO") -> dict[str, Any]:
    """settings.LOGGING: JSON lines on stderr (collected and shipped off-host by the platform)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "config.logging.json_formatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "root": {"handlers": ["console"], "level": level},
        # django_structlog logs request_started/request_finished (with the request id) at INFO.
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }


def celery_handlers_to_json(logger: logging.Logger | None = None, **_: Any) -> None:
    """Celery's worker configures its own handlers; give them the JSON formatter too (the
    after_setup_logger / after_setup_task_logger signals), so task logs carry the task id
    and are masked like everything else."""
    for handler in (logger or logging.getLogger()).handlers:
        handler.setFormatter(json_formatter())
