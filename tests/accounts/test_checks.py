"""Production safety: fake registers and the test e-ID are refused when DEBUG is off."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core import checks
from django.core.management import call_command
from django.test import override_settings

from accounts.checks import check_no_test_integrations_in_production
from tests.production import (
    REAL_NOTIFIERS,
    REGISTER_SOURCES,
    STUB_EID,
    STUB_NOTIFIER,
    STUB_REGISTER,
    STUB_SIGNING,
    production_env,
)

REPO = Path(__file__).resolve().parents[2]
ISSUE_ID = re.compile(r"^\S*: \(([\w.]+)\) ", re.MULTILINE)


# Every register pointed at a non-fake adapter, as a production installation would.
ALL_REGISTERS_REAL = {
    f"REGISTER_{source.upper()}": STUB_REGISTER for source in settings.REGISTER_BACKENDS
}


def ids(errors: list[checks.CheckMessage]) -> list[str]:
    return sorted(e.id for e in errors)


# --- the check function ---------------------------------------------------------------------


@override_settings(DEBUG=False, ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG=False)
def test_with_debug_off_fake_registers_and_the_test_eid_are_errors() -> None:
    errors = check_no_test_integrations_in_production(None)
    assert ids(errors) == ["bistand.E001"] * len(settings.REGISTER_BACKENDS) + [
        "bistand.E002",
        *["bistand.E004"] * len(settings.NOTIFICATION_BACKENDS),
        "bistand.E006",  # the development signing
    ]
    assert all(e.level == checks.ERROR for e in errors)
    messages = " ".join(e.msg for e in errors)
    assert "population" in messages and "forsakringskassan" in messages
    assert "DevelopmentEidProvider" in messages
    assert "DevelopmentSigning" in messages


@override_settings(DEBUG=True)
def test_with_debug_on_fakes_are_allowed() -> None:
    assert check_no_test_integrations_in_production(None) == []


@override_settings(
    DEBUG=False,
    ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG=False,
    REGISTER_BACKENDS={"population": STUB_REGISTER, "forsakringskassan": STUB_REGISTER},
    NOTIFICATION_BACKENDS=REAL_NOTIFIERS,
    SIGNING_PROVIDER=STUB_SIGNING,
)
def test_only_the_test_eid_is_reported_when_registers_are_real() -> None:
    assert ids(check_no_test_integrations_in_production(None)) == ["bistand.E002"]


@override_settings(
    DEBUG=False,
    ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG=False,
    REGISTER_BACKENDS={
        "population": STUB_REGISTER,
        "forsakringskassan": "eligibility.registers.fake.FakeForsakringskassanRegister",
    },
    EID_PROVIDER=STUB_EID,
    NOTIFICATION_BACKENDS=REAL_NOTIFIERS,
    SIGNING_PROVIDER=STUB_SIGNING,
)
def test_one_remaining_fake_register_is_enough_to_fail() -> None:
    errors = check_no_test_integrations_in_production(None)
    assert ids(errors) == ["bistand.E001"]
    assert "forsakringskassan" in errors[0].msg


@override_settings(
    DEBUG=False,
    ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG=False,
    REGISTER_BACKENDS={"population": STUB_REGISTER, "forsakringskassan": STUB_REGISTER},
    EID_PROVIDER=STUB_EID,
    NOTIFICATION_BACKENDS=REAL_NOTIFIERS,
    SIGNING_PROVIDER=STUB_SIGNING,
)
def test_no_errors_with_real_integrations_and_debug_off() -> None:
    assert check_no_test_integrations_in_production(None) == []


@override_settings(DEBUG=False, ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG=False)
def test_the_check_is_registered_and_runs_without_deploy() -> None:
    errors = checks.run_checks(tags=[checks.Tags.security], include_deployment_checks=False)
    assert {"bistand.E001", "bistand.E002"} <= {e.id for e in errors}


# --- manage.py check in production settings (subprocess) ------------------------------------


def manage_check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.sweep  # a manage.py process each
def test_production_uses_the_real_adapters_by_default_and_says_what_each_lacks() -> None:
    """Out of the box production names the real adapter of every outside system (#19) and no
    fake; each adapter's check says which address, certificate or secret it still lacks."""
    result = manage_check(production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    found = set(ISSUE_ID.findall(output))
    assert found == {
        "bistand.E003",  # the OIDC e-ID broker
        "bistand.E007",  # BankID signing
        "bistand.E110", "bistand.E111", "bistand.E113",  # SSBTEK
        "bistand.E120",  # Navet
        "bistand.E140",  # the SMS gateway
        "bistand.E141", "bistand.E143",  # the print service
        "bistand.E142",  # e-mail (the example sender)
        "bistand.E144",  # e-mail (no bounce mailbox)
    }, output  # fmt: skip
    assert "NAVET_ORDER_IDENTITY" in output and "SSBTEK_CLIENT_CERT" in output
    # No fake, nothing that cannot be imported.
    assert not found & {"bistand.E001", "bistand.E002", "bistand.E004", "bistand.E005"}


@pytest.mark.sweep  # a manage.py process each
def test_production_deploy_check_reports_fakes_configured_by_environment() -> None:
    fakes = {
        **{f"REGISTER_{s.upper()}": d for s, d in settings.FAKE_REGISTER_BACKENDS.items()},
        **{f"NOTIFICATION_{c.upper()}": d for c, d in settings.FAKE_NOTIFICATION_BACKENDS.items()},
        "EID_PROVIDER": settings.DEVELOPMENT_EID_PROVIDER,
        "SIGNING_PROVIDER": settings.DEVELOPMENT_SIGNING_PROVIDER,
        "ATTACHMENT_SCAN_BACKEND": "intake.documents.scanning.NoScanner",
    }
    result = manage_check(production_env(**fakes))
    output = result.stdout + result.stderr
    found = ISSUE_ID.findall(output)
    assert result.returncode == 1, output
    registers = len(settings.REGISTER_BACKENDS)
    notifiers = len(settings.NOTIFICATION_BACKENDS)
    expected = ["bistand.E001"] * registers + ["bistand.E002"] + ["bistand.E004"] * notifiers
    assert sorted(found) == [*expected, "bistand.E006", "bistand.E008"], output
    assert f"System check identified {registers + 1 + notifiers + 2} issues" in output


@pytest.mark.sweep  # a manage.py process each
def test_production_deploy_check_passes_with_non_test_integrations() -> None:
    """With adapters that are not fakes, `check --deploy --fail-level WARNING` exits 0."""
    result = manage_check(
        production_env(
            **ALL_REGISTERS_REAL,
            EID_PROVIDER=STUB_EID,
            SIGNING_PROVIDER=STUB_SIGNING,
            NOTIFICATION_SMS=STUB_NOTIFIER,
            NOTIFICATION_EMAIL=STUB_NOTIFIER,
            NOTIFICATION_LETTER=STUB_NOTIFIER,
        )
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert ISSUE_ID.findall(output) == [], output
    assert "no issues" in output


@pytest.mark.parametrize(
    ("variable", "value", "expected_id"),
    [
        ("SECRET_KEY", "django-insecure-short", "security.W009"),
        ("SECURE_SSL_REDIRECT", "False", "security.W008"),
    ],
)
@pytest.mark.sweep  # a manage.py process each
def test_production_deploy_check_still_catches_weak_web_settings(
    variable: str, value: str, expected_id: str
) -> None:
    """The subprocess harness really runs Django's deploy checks (a negative control)."""
    result = manage_check(
        production_env(
            **ALL_REGISTERS_REAL,
            EID_PROVIDER=STUB_EID,
            SIGNING_PROVIDER=STUB_SIGNING,
            NOTIFICATION_SMS=STUB_NOTIFIER,
            NOTIFICATION_EMAIL=STUB_NOTIFIER,
            NOTIFICATION_LETTER=STUB_NOTIFIER,
            **{variable: value},
        )
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert expected_id in ISSUE_ID.findall(output), output


def test_the_stand_ins_cover_every_outside_system() -> None:
    assert set(REGISTER_SOURCES) == set(settings.REGISTER_BACKENDS)
    assert set(REAL_NOTIFIERS) == set(settings.NOTIFICATION_BACKENDS)


@override_settings(
    DEBUG=False,
    ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG=False,
    REGISTER_BACKENDS={"population": "", "forsakringskassan": "no.such.Adapter"},
    EID_PROVIDER="",
    NOTIFICATION_BACKENDS=REAL_NOTIFIERS,
    SIGNING_PROVIDER=STUB_SIGNING,
)
def test_an_unset_or_unimportable_adapter_is_an_error_not_a_silent_fake() -> None:
    errors = check_no_test_integrations_in_production(None)
    assert ids(errors) == ["bistand.E005"] * 3
    messages = " ".join(e.msg for e in errors)
    assert "REGISTER_POPULATION" in messages
    assert "'no.such.Adapter' cannot be imported" in messages
    assert "EID_PROVIDER" in messages


@override_settings(DEBUG=False, ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG=True)
def test_only_the_benchmark_switch_lets_fakes_run_with_debug_off() -> None:
    assert check_no_test_integrations_in_production(None) == []


@pytest.mark.as_of("2026-11-18T11:00:03")  # 10:00:03 UTC: the default emergency deadline's hour
def test_the_checks_pass_at_warning_level_at_the_moment_of_a_default_time_of_day() -> None:
    """Django's fields.W161 took a fixed default time (10:00) for a mistaken "now" in the 20
    seconds around it, which failed `check --deploy --fail-level WARNING` once a day."""
    call_command("check", "--fail-level", "WARNING")
