"""System checks for the production transports (registered in `NotificationsConfig.ready`, tag
`kernel.checks.INTEGRATIONS`, so every web, worker and beat process runs them before it starts).

A transport validates its own settings when it is made (`GatewaySmsBackend()`,
`SftpLetterBackend()`); the check makes one and reports what it refused, plus the files it names.

- bistand.E140: the SMS gateway's settings are missing or wrong.
- bistand.E141: the print service's settings are missing or wrong, or a file it names is missing.
- bistand.E142: e-mail would go out with the example sender or an unreadable EMAIL_CA_FILE.
- bistand.E143: letters to people with protected identity have no forwarding address.
- bistand.E144: e-mail has no bounce mailbox (notifications.bounces) to read its delivery reports.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from kernel.checks import INTEGRATIONS, configured_as, file_problem
from notifications.print_service import SftpLetterBackend
from notifications.sms import GatewaySmsBackend
from notifications.transports import DjangoEmailBackend

HINT = "See .env.example and README, 'Going live'."


def transport_problems() -> list[Error]:
    channels = settings.NOTIFICATION_BACKENDS
    errors: list[Error] = []
    if configured_as(channels.get("sms", ""), GatewaySmsBackend):
        try:
            GatewaySmsBackend()
        except ImproperlyConfigured as refused:
            errors.append(Error(f"SMS: {refused}", hint=HINT, id="bistand.E140"))
        if not settings.SMS_GATEWAY_URL.startswith("https://"):
            errors.append(
                Error("SMS: SMS_GATEWAY_URL must be https.", hint=HINT, id="bistand.E140")
            )
        problem = file_problem("SMS_CA_FILE", settings.SMS_CA_FILE, required=False)
        if problem:
            errors.append(Error(f"SMS: {problem}.", hint=HINT, id="bistand.E140"))
    if configured_as(channels.get("letter", ""), SftpLetterBackend):
        try:
            SftpLetterBackend()
        except ImproperlyConfigured as refused:
            errors.append(Error(f"Letters: {refused}", hint=HINT, id="bistand.E141"))
        for variable in ("PRINT_SFTP_KEY_FILE", "PRINT_SFTP_KNOWN_HOSTS"):
            problem = file_problem(variable, getattr(settings, variable), required=False)
            if problem:
                errors.append(Error(f"Letters: {problem}.", hint=HINT, id="bistand.E141"))
        if not any(line.strip() for line in settings.PRINT_FORWARDING_ADDRESS):
            errors.append(
                Error(
                    "Letters: PRINT_FORWARDING_ADDRESS is empty, so a letter to a person with "
                    "protected identity (sent through Skatteverket) cannot be posted.",
                    hint="Take the current address from Skatteverket.",
                    id="bistand.E143",
                )
            )
    if configured_as(channels.get("email", ""), DjangoEmailBackend):
        if settings.DEFAULT_FROM_EMAIL.rstrip(">").endswith(".invalid"):
            errors.append(
                Error(
                    "E-mail: DEFAULT_FROM_EMAIL is the example sender.",
                    hint=HINT,
                    id="bistand.E142",
                )
            )
        for variable in ("EMAIL_CA_FILE", "EMAIL_BOUNCE_CA_FILE"):
            problem = file_problem(variable, getattr(settings, variable), required=False)
            if problem:
                errors.append(Error(f"E-mail: {problem}.", hint=HINT, id="bistand.E142"))
        missing = [
            name
            for name in ("EMAIL_BOUNCE_ADDRESS", "EMAIL_BOUNCE_POP3_HOST", "EMAIL_BOUNCE_POP3_USER")
            if not getattr(settings, name)
        ]
        if missing:
            errors.append(
                Error(
                    f"E-mail: no bounce mailbox ({', '.join(missing)} not set), so an e-mail "
                    "that never arrived would not fall back to a letter.",
                    hint=HINT,
                    id="bistand.E144",
                )
            )
    return errors


@register(INTEGRATIONS)
def check_transports(app_configs: Any, **kwargs: Any) -> list[Error]:
    return transport_problems()
