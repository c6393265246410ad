"""Production-like configurations for tests: stand-ins for real adapters and a process
environment with the production settings (tests/accounts/test_checks.py, tests/security/
test_production_startup.py). Importable by a subprocess: no pytest, no settings at import."""

from __future__ import annotations

import os
import secrets
import string
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


class RealLookingRegister:
    """Stands in for a real adapter (none exists yet): not marked as a fake."""

    is_fake = False
    source = "stub"
    label = "Stub"


class RealLookingEidProvider:
    """Stands in for BankID or an OIDC broker: not marked as a test login."""

    is_test = False


class RealLookingNotifier:
    """Stands in for an SMS, e-mail or print service transport: not a fake."""

    is_fake = False


class RealLookingSigningProvider:
    """Stands in for BankID signing: not the test signing."""

    is_test = False


STUB_REGISTER = f"{__name__}.RealLookingRegister"
STUB_EID = f"{__name__}.RealLookingEidProvider"
STUB_NOTIFIER = f"{__name__}.RealLookingNotifier"
REAL_NOTIFIERS = dict.fromkeys(("sms", "email", "letter"), STUB_NOTIFIER)


STUB_REGISTER = f"{__name__}.RealLookingRegister"
STUB_EID = f"{__name__}.RealLookingEidProvider"
STUB_NOTIFIER = f"{__name__}.RealLookingNotifier"
STUB_SIGNING = f"{__name__}.RealLookingSigningProvider"
REAL_NOTIFIERS = dict.fromkeys(("sms", "email", "letter"), STUB_NOTIFIER)
REGISTER_SOURCES = (
    "population",
    "forsakringskassan",
    "csn",
    "unemployment_fund",
    "arbetsformedlingen",
    "skatteverket",
    "transportstyrelsen",
    "migrationsverket",
    "employer_pay",
)
# Every outside system pointed at a non-fake stand-in, as a production installation would be.
ALL_REAL = {
    **{f"REGISTER_{source.upper()}": STUB_REGISTER for source in REGISTER_SOURCES},
    **{f"NOTIFICATION_{channel.upper()}": STUB_NOTIFIER for channel in REAL_NOTIFIERS},
    "EID_PROVIDER": STUB_EID,
    "SIGNING_PROVIDER": STUB_SIGNING,
}


def production_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "REGISTER_", "EID_", "ROBOT_", "DEBUG", "NOTIFICATION_", "SIGNING_")
        )
        and key not in {"SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL", "DATABASE_URL"}
    }
    # No punctuation: django-environ reads a value starting with '$' as a reference to another
    # variable, which made a random key flaky.
    alphabet = string.ascii_letters + string.digits
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
        ALLOWED_HOSTS="bistand.example.se",
        DEBUG="False",
        PYTHONPATH=str(REPO),
        # One municipality's paying account (caseworker.payments.debtors): without any, the
        # deploy check warns (bistand.W130).
        PAYMENT_DEBTORS='{"1287": {"name": "Trelleborgs kommun", "organisation_number": '
        '"212000-1231", "iban": "SE4550000000058398257466", "bic": "ESSESESS"}}',
    )
    env.update(extra)
    return env
