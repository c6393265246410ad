"""System checks: fake registers and the test e-ID login are refused when DEBUG is off."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string


@register(Tags.security, deploy=False)
def check_no_test_integrations_in_production(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.DEBUG:
        return []
    errors: list[Error] = []
    for name, dotted in settings.REGISTER_BACKENDS.items():
        backend = import_string(dotted)
        if getattr(backend, "is_fake", False):
            errors.append(
                Error(
                    f"Register '{name}' uses the fake adapter {dotted} while DEBUG is off.",
                    hint="Configure the real adapter for production.",
                    id="bistand.E001",
                )
            )
    for channel, dotted in settings.NOTIFICATION_BACKENDS.items():
        if getattr(import_string(dotted), "is_fake", False):
            errors.append(
                Error(
                    f"Notices by {channel} use the fake transport {dotted} while DEBUG is off.",
                    hint="Configure the SMS, e-mail and print service transports.",
                    id="bistand.E004",
                )
            )
    provider = import_string(settings.EID_PROVIDER)
    if getattr(provider, "is_test", False):
        errors.append(
            Error(
                f"The e-ID provider {settings.EID_PROVIDER} is a test login while DEBUG is off.",
                hint="Set EID_PROVIDER to BankID or the municipality's OIDC e-ID broker.",
                id="bistand.E002",
            )
        )
    if getattr(provider, "start_url_name", None) == "accounts:oidc_start":
        from .oidc import oidc_configuration_problems

        missing = oidc_configuration_problems()
        if missing:
            errors.append(
                Error(
                    f"The OIDC e-ID login is not configured: {', '.join(missing)}.",
                    hint="Set them from the municipality's e-ID broker registration.",
                    id="bistand.E003",
                )
            )
    return errors
