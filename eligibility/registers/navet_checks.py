"""System check: when the population register is Navet, its settings are there and its files
exist (`manage.py check` in every environment; imported in `EligibilityConfig.ready`).

- bistand.E120: a required setting is empty (NAVET_URL, the certificate and key, the
  organisation number, the order identity).
- bistand.E121: NAVET_URL is not an https:// address.
- bistand.E122: a certificate, key or CA file does not exist or cannot be read.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from eligibility.registers.navet import NavetConfiguration, NavetPopulationRegister
from kernel.checks import INTEGRATIONS, configured_as, file_problem


def navet_configuration_problems() -> list[Error]:
    if not any(
        configured_as(d, NavetPopulationRegister) for d in settings.REGISTER_BACKENDS.values()
    ):
        return []
    configuration = NavetConfiguration.from_settings()
    errors = [
        Error(
            f"The population register is Navet but {name} is not set.",
            hint="Set it from Skatteverket's connection (see .env.example, 'Navet').",
            id="bistand.E120",
        )
        for name in configuration.missing()
    ]
    if configuration.url and not configuration.url.startswith("https://"):
        errors.append(
            Error(
                "NAVET_URL must be an https:// address (Navet is asked over mutual TLS).",
                id="bistand.E121",
            )
        )
    files = {
        "NAVET_CLIENT_CERT": configuration.client_cert,
        "NAVET_CLIENT_KEY": configuration.client_key,
        "NAVET_CA_FILE": configuration.ca_file,
    }
    for name, path in files.items():
        problem = file_problem(name, path, required=False)
        if problem:
            errors.append(Error(f"{problem}.", id="bistand.E122"))
    return errors


@register(INTEGRATIONS)
def check_navet_configuration(app_configs: Any, **kwargs: Any) -> list[Error]:
    return navet_configuration_problems()
