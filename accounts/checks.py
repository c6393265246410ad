"""Production refuses fakes: the outside-system adapters, the test e-ID login and the test
signing.

`integration_problems()` is the one list. The system check below reports it (`manage.py check`,
`runserver`, `check --deploy`), and `config.startup.refuse_unsafe_configuration` stops every web,
worker and beat process from starting with it (gunicorn never runs system checks).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

from accounts.oidc import oidc_configuration_problems
from accounts.signing import signing_configuration_problems
from kernel.checks import INTEGRATIONS


def _load(dotted: str) -> Any:
    try:
        return import_string(dotted)
    except ImportError:
        return None


def integration_problems() -> list[Error]:
    """What makes this configuration unfit to serve anyone with DEBUG off: an adapter that is
    not configured, cannot be imported, is a fake, or the test e-ID login."""
    if settings.DEBUG or settings.ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG:
        return []
    errors: list[Error] = []
    configured = [
        *((f"REGISTER_{n.upper()}", f"Register '{n}'", d, "bistand.E001")
          for n, d in settings.REGISTER_BACKENDS.items()),
        *((f"NOTIFICATION_{c.upper()}", f"Notices by {c}", d, "bistand.E004")
          for c, d in settings.NOTIFICATION_BACKENDS.items()),
        # Uploaded documents nobody may open until a virus scanner has looked at them.
        ("ATTACHMENT_SCAN_BACKEND", "Virus scanning of documents",
         settings.ATTACHMENT_SCAN_BACKEND, "bistand.E008"),
    ]  # fmt: skip
    for variable, what, dotted, fake_id in configured:
        backend = _load(dotted) if dotted else None
        if not dotted or backend is None:
            errors.append(
                Error(
                    f"{what} has no adapter: set {variable} to the real one"
                    + (f" ({dotted!r} cannot be imported)." if dotted else "."),
                    hint="See README, 'Going live'.",
                    id="bistand.E005",
                )
            )
        elif getattr(backend, "is_fake", False):
            errors.append(
                Error(
                    f"{what} uses the fake adapter {dotted} while DEBUG is off.",
                    hint=f"Set {variable} to the real adapter.",
                    id=fake_id,
                )
            )
    provider = _load(settings.EID_PROVIDER) if settings.EID_PROVIDER else None
    if provider is None:
        errors.append(
            Error(
                "No e-ID login is configured: set EID_PROVIDER"
                + (
                    f" ({settings.EID_PROVIDER!r} cannot be imported)."
                    if settings.EID_PROVIDER
                    else "."
                ),
                hint="Set EID_PROVIDER to the municipality's OIDC e-ID broker.",
                id="bistand.E005",
            )
        )
    elif getattr(provider, "is_test", False):
        errors.append(
            Error(
                f"The e-ID provider {settings.EID_PROVIDER} is a test login while DEBUG is off.",
                hint="Set EID_PROVIDER to BankID or the municipality's OIDC e-ID broker.",
                id="bistand.E002",
            )
        )
    elif getattr(provider, "start_url_name", None) == "accounts:oidc_start":
        missing = oidc_configuration_problems()
        if missing:
            errors.append(
                Error(
                    f"The OIDC e-ID login is not configured: {', '.join(missing)}.",
                    hint="Set them from the municipality's e-ID broker registration.",
                    id="bistand.E003",
                )
            )
    errors.extend(_signing_problems())
    return errors


def _signing_problems() -> list[Error]:
    """The signing of applications (SIGNING_PROVIDER): set, importable, not the test signing,
    and BankID's address and certificates configured."""
    dotted = settings.SIGNING_PROVIDER
    provider = _load(dotted) if dotted else None
    if provider is None:
        return [
            Error(
                "No signing is configured: set SIGNING_PROVIDER"
                + (f" ({dotted!r} cannot be imported)." if dotted else "."),
                hint="Set SIGNING_PROVIDER to accounts.bankid.BankIdSigning.",
                id="bistand.E005",
            )
        ]
    if getattr(provider, "is_test", True):
        return [
            Error(
                f"The signing provider {dotted} is a test signing while DEBUG is off.",
                hint="Set SIGNING_PROVIDER to accounts.bankid.BankIdSigning.",
                id="bistand.E006",
            )
        ]
    if dotted.rsplit(".", 1)[-1] == "BankIdSigning":
        missing = signing_configuration_problems()
        if missing:
            return [
                Error(
                    f"BankID signing is not configured: {', '.join(missing)}.",
                    hint="Set them from the municipality's BankID RP agreement.",
                    id="bistand.E007",
                )
            ]
    return []


@register(Tags.security, INTEGRATIONS)
def check_no_test_integrations_in_production(app_configs: Any, **kwargs: Any) -> list[Error]:
    return integration_problems()
