"""Fake behaviour: configured delays and failure injection through a control file, which works
across processes (a real Celery worker)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import LazySettings

from eligibility.registers.base import RegisterResponseInvalid, RegisterUnavailable
from eligibility.registers.csn import FakeCsnRegister
from eligibility.registers.simulation import PNR_ALVA, control_file_write, fake_delay_ms

from .conftest import AS_OF, PURPOSE, generated_people

REPO = Path(__file__).resolve().parents[3]


def csn_fetch(pnr: str = PNR_ALVA):
    return FakeCsnRegister().fetch(pnr, as_of=AS_OF, purpose=PURPOSE)


# --- delay ----------------------------------------------------------------------------------


def test_no_delay_by_default() -> None:
    assert fake_delay_ms("csn", PNR_ALVA) == 0


def test_a_fixed_delay(settings: LazySettings) -> None:
    settings.REGISTER_FAKE_DELAY = "150"
    assert fake_delay_ms("csn", PNR_ALVA) == 150
    started = time.monotonic()
    csn_fetch()
    assert 0.14 <= time.monotonic() - started < 0.4


def test_per_person_delays_are_deterministic_and_spread_over_the_range(
    settings: LazySettings,
) -> None:
    settings.REGISTER_FAKE_DELAY = "per_person:50-300"
    people = generated_people(400)
    delays = [fake_delay_ms(source, p) for p in people for source in ("csn", "population")]
    assert min(delays) >= 50 and max(delays) <= 300
    assert min(delays) < 60 and max(delays) > 290
    assert len(set(delays)) > 150
    assert delays == [fake_delay_ms(s, p) for p in people for s in ("csn", "population")]
    assert fake_delay_ms("csn", people[0]) != fake_delay_ms("population", people[0]) or (
        fake_delay_ms("csn", people[1]) != fake_delay_ms("population", people[1])
    )
    # The same in another process (sha256, not the salted hash()).
    code = (
        "from eligibility.registers.simulation import fake_delay_ms;"
        f"print(fake_delay_ms('csn', '{people[0]}', 'per_person:50-300'))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert int(other.stdout) == fake_delay_ms("csn", people[0])


def test_the_fake_sleeps_exactly_its_per_person_delay(settings: LazySettings) -> None:
    settings.REGISTER_FAKE_DELAY = "per_person:50-300"
    expected = fake_delay_ms("csn", PNR_ALVA) / 1000
    started = time.monotonic()
    csn_fetch()
    assert expected <= time.monotonic() - started < expected + 0.1


def test_the_old_delay_setting_still_wins_when_set(settings: LazySettings) -> None:
    settings.REGISTER_FAKE_DELAY = "per_person:50-300"
    settings.REGISTER_FAKE_DELAY_MS = 1200
    assert fake_delay_ms("csn", PNR_ALVA) == 1200


@pytest.mark.parametrize("spec", ["soon", "per_person:300-50", "per_person:x-y"])
def test_a_wrong_delay_setting_is_an_error(spec: str) -> None:
    with pytest.raises(ValueError):
        fake_delay_ms("csn", PNR_ALVA, spec)


# --- failures -------------------------------------------------------------------------------


def test_failures_in_settings_still_work(settings: LazySettings) -> None:
    settings.REGISTER_FAKE_FAILURES = {"csn": "unavailable"}
    with pytest.raises(RegisterUnavailable):
        csn_fetch()
    settings.REGISTER_FAKE_FAILURES = {"csn": "invalid"}
    with pytest.raises(RegisterResponseInvalid):
        csn_fetch()


def test_a_missing_control_file_changes_nothing(control_file: Path) -> None:
    assert not control_file.exists()
    assert csn_fetch().found


@pytest.mark.parametrize(
    ("fail", "error"), [("unavailable", RegisterUnavailable), ("invalid", RegisterResponseInvalid)]
)
def test_the_control_file_makes_a_register_fail(
    control_file: Path, fail: str, error: type[Exception]
) -> None:
    control_file_write(control_file, {"csn": {"fail": fail}})
    with pytest.raises(error):
        csn_fetch()
    control_file_write(control_file, {"population": {"fail": fail}})
    assert csn_fetch().found


def test_the_control_file_can_say_not_found_and_delay(control_file: Path) -> None:
    control_file_write(control_file, {"csn": {"fail": "not_found", "delay_ms": 120}})
    started = time.monotonic()
    extract = csn_fetch()
    assert not extract.found and extract.personnummer == PNR_ALVA
    assert time.monotonic() - started >= 0.12


def test_a_timeout_sleeps_past_the_callers_deadline(
    control_file: Path, settings: LazySettings
) -> None:
    settings.REGISTER_TIMEOUT_SECONDS = 0.3
    control_file_write(control_file, {"*": {"fail": "timeout"}})
    started = time.monotonic()
    with pytest.raises(RegisterUnavailable):
        csn_fetch()
    assert time.monotonic() - started > 0.3


def test_fail_first_fails_only_the_first_calls(control_file: Path) -> None:
    control_file_write(control_file, {"csn": {"fail": "unavailable", "fail_first": 2}})
    for _ in range(2):
        with pytest.raises(RegisterUnavailable):
            csn_fetch()
    assert csn_fetch().found
    # Writing the file again starts the count again.
    control_file_write(control_file, {"csn": {"fail": "unavailable", "fail_first": 1}})
    with pytest.raises(RegisterUnavailable):
        csn_fetch()
    assert csn_fetch().found


CALLER = """
import django, json, sys
django.setup()
from datetime import date
from eligibility.registers.base import RequestPurpose, RegisterUnavailable
from eligibility.registers.csn import FakeCsnRegister
purpose = RequestPurpose("1287", "EB-TEST-1", "robot")
outcomes = []
for _ in range(int(sys.argv[1])):
    try:
        FakeCsnRegister().fetch("200306062381", as_of=date(2026, 11, 1), purpose=purpose)
        outcomes.append("ok")
    except RegisterUnavailable:
        outcomes.append("failed")
print(json.dumps(outcomes))
"""


def test_fail_first_is_counted_across_processes(control_file: Path) -> None:
    control_file_write(control_file, {"csn": {"fail": "unavailable", "fail_first": 5}})
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        REGISTER_FAKE_CONTROL_FILE=str(control_file),
        REGISTER_FAKE_DELAY="0",
        REGISTER_FAKE_DELAY_MS="0",
        PYTHONPATH=str(REPO),
    )
    workers = [
        subprocess.Popen(  # two processes calling at the same time
            [sys.executable, "-c", CALLER, "6"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [json.loads(w.communicate(timeout=60)[0]) for w in workers]
    assert all(w.returncode == 0 for w in workers)
    assert sum(o.count("failed") for o in outcomes) == 5
    assert sum(o.count("ok") for o in outcomes) == 7
    # Each process saw its failures first: once the five are used up, calls succeed.
    for o in outcomes:
        assert o == sorted(o, key=lambda x: x == "ok")
