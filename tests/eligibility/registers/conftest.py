"""Register tests: no database; every test starts with closed breakers and quiet fakes."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.conf import LazySettings

from eligibility.registers.base import RequestPurpose
from eligibility.registers.breaker import breakers_reset
from eligibility.registers.simulation import make_personnummer

AS_OF = date(2026, 11, 1)  # control month October, compared with September
PURPOSE = RequestPurpose(municipality_code="1287", case_reference="EB-TEST-1", requested_by="robot")


def generated_people(count: int, seed: int = 7) -> list[str]:
    """Valid-looking personnummer for people the fakes do not have fixtures for."""
    rng = random.Random(seed)
    people = []
    for _ in range(count):
        born = date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28))
        people.append(make_personnummer(born, rng))
    return people


@pytest.fixture(autouse=True)
def quiet_registers(settings: LazySettings) -> Iterator[None]:
    settings.REGISTER_FAKE_DELAY = "0"
    settings.REGISTER_FAKE_DELAY_MS = 0
    settings.REGISTER_FAKE_CONTROL_FILE = ""
    settings.REGISTER_FAKE_FAILURES = {}
    settings.REGISTER_TIMEOUT_SECONDS = 5.0
    settings.REGISTER_RETRIES = 2
    settings.REGISTER_RETRY_BACKOFF_SECONDS = 0.1
    settings.REGISTER_BREAKER_FAIL_MAX = 5
    settings.REGISTER_BREAKER_RESET_SECONDS = 60.0
    breakers_reset()
    yield
    breakers_reset()


@pytest.fixture
def control_file(tmp_path: Path, settings: LazySettings) -> Path:
    path = tmp_path / "registers.json"
    settings.REGISTER_FAKE_CONTROL_FILE = str(path)
    return path
