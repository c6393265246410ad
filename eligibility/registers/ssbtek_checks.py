"""System checks for the production register adapters (registered in `EligibilityConfig.ready`).

When any configured register (settings.REGISTER_BACKENDS) is an SSBTEK adapter, SSBTEK must be
reachable as configured: an https URL, the organisation certificate and key as readable files, the
CA file (if set) readable, the organisation number and name, and a syfte and lagtext for every
municipality entry. Reported by `manage.py check` in every environment (the fakes need none of it).

- bistand.E110: SSBTEK_URL is not an https:// address.
- bistand.E111: the client certificate or key is not set, not a file or not readable.
- bistand.E112: SSBTEK_CA_FILE is set but not a readable file.
- bistand.E113: SSBTEK_ORGANISATION_NUMBER is not 10 digits, or SSBTEK_ORGANISATION_NAME is empty.
- bistand.E114: SSBTEK_LEGAL_BASIS has no "default" entry, or an entry lacks syfte or lagtext.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from eligibility.registers.ssbtek import SsbtekRegister
from kernel.checks import INTEGRATIONS, configured_as, file_problem

HINT = "See .env.example (SSBTEK) and README, 'Going live'."


def ssbtek_problems() -> list[Error]:
    sources = sorted(
        s for s, d in settings.REGISTER_BACKENDS.items() if configured_as(d, SsbtekRegister)
    )
    if not sources:
        return []
    using = f" (used for {', '.join(sources)})"
    errors: list[Error] = []
    url = settings.SSBTEK_URL
    if not url.startswith("https://"):
        errors.append(
            Error(f"SSBTEK_URL must be an https URL{using}.", hint=HINT, id="bistand.E110")
        )
    for variable in ("SSBTEK_CLIENT_CERT", "SSBTEK_CLIENT_KEY"):
        problem = file_problem(variable, getattr(settings, variable), required=True)
        if problem:
            errors.append(Error(f"{problem}{using}.", hint=HINT, id="bistand.E111"))
    problem = file_problem("SSBTEK_CA_FILE", settings.SSBTEK_CA_FILE, required=False)
    if problem:
        errors.append(Error(f"{problem}{using}.", hint=HINT, id="bistand.E112"))
    if not re.fullmatch(r"\d{10}", settings.SSBTEK_ORGANISATION_NUMBER):
        errors.append(
            Error(
                f"SSBTEK_ORGANISATION_NUMBER must be the municipality's 10-digit "
                f"organisationsnummer{using}.",
                hint=HINT,
                id="bistand.E113",
            )
        )
    if not settings.SSBTEK_ORGANISATION_NAME.strip():
        errors.append(
            Error(f"SSBTEK_ORGANISATION_NAME is not set{using}.", hint=HINT, id="bistand.E113")
        )
    table = settings.SSBTEK_LEGAL_BASIS
    incomplete = sorted(
        code
        for code, entry in table.items()
        if not isinstance(entry, dict)
        or not str(entry.get("syfte", "")).strip()
        or not str(entry.get("lagtext", "")).strip()
    )
    if "default" not in table or incomplete:
        errors.append(
            Error(
                "SSBTEK_LEGAL_BASIS needs a 'default' entry, and every entry a syfte and a "
                f"lagtext (incomplete: {', '.join(incomplete) or 'default missing'}).",
                hint=HINT,
                id="bistand.E114",
            )
        )
    return errors


@register(INTEGRATIONS)
def check_ssbtek_configuration(app_configs: Any, **kwargs: Any) -> list[Error]:
    return ssbtek_problems()
