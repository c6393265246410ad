"""`registers_fetch`: all look-ups at once, each with a deadline, retries and a breaker."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import LazySettings

from eligibility.registers.breaker import OPEN, breaker_for, breaker_states
from eligibility.registers.lookup import LookupResult, registers_fetch
from eligibility.registers.simulation import PNR_ALVA, PNR_BILAL, PNR_CARINA, control_file_write

from .conftest import AS_OF, PURPOSE, generated_people

ALL = [
    "population",
    "forsakringskassan",
    "csn",
    "unemployment_fund",
    "arbetsformedlingen",
    "skatteverket",
    "transportstyrelsen",
    "migrationsverket",
    "employer_pay",
]


def fetch(
    people: list[str], sources: list[str], timeout: float | None = None
) -> dict[str, LookupResult]:
    results = registers_fetch(
        personnummers=people, as_of=AS_OF, purpose=PURPOSE, sources=sources, timeout=timeout
    )
    assert [r.source for r in results] == sources
    return {r.source: r for r in results}


def test_every_register_answers_for_every_person() -> None:
    results = fetch([PNR_BILAL, PNR_CARINA], ALL)
    for result in results.values():
        assert result.status == "ok" and result.error == "" and result.attempts == 1
        assert [e.personnummer for e in result.extracts] == [PNR_BILAL, PNR_CARINA]
    payments = [p for e in results["forsakringskassan"].extracts for p in e.payments]
    assert {(p.kind, p.net) for p in payments} == {
        ("child_allowance", 1250),
        ("sickness_benefit", 6120),
    }


def test_all_lookups_run_at_once(settings: LazySettings) -> None:
    settings.REGISTER_FAKE_DELAY = "200"
    fetch([PNR_ALVA], ["csn"])  # warm the pool's threads
    started = time.monotonic()
    results = fetch([PNR_BILAL, PNR_CARINA], ALL)
    elapsed = time.monotonic() - started
    assert all(r.status == "ok" for r in results.values())
    assert elapsed < 1.0  # 18 look-ups of 200 ms each: one after another would be 3.6 s
    assert all(200 <= r.elapsed_ms < 1000 for r in results.values())


def test_the_slowest_register_sets_the_pace(settings: LazySettings) -> None:
    from eligibility.registers.simulation import fake_delay_ms

    settings.REGISTER_FAKE_DELAY = "per_person:50-300"
    people = generated_people(2, seed=11)
    slowest = max(fake_delay_ms(s, p) for s in ALL for p in people)
    started = time.monotonic()
    fetch(people, ALL)
    elapsed_ms = (time.monotonic() - started) * 1000
    assert slowest <= elapsed_ms < slowest + 250


def test_a_register_that_does_not_answer_in_time_is_unavailable(control_file: Path) -> None:
    control_file_write(control_file, {"csn": {"fail": "timeout"}})
    started = time.monotonic()
    results = fetch([PNR_ALVA, PNR_BILAL], ALL, timeout=0.5)
    elapsed = time.monotonic() - started
    assert 0.5 <= elapsed < 0.8
    assert results["csn"].status == "unavailable"
    assert "timeout" in results["csn"].error or "i tid" in results["csn"].error
    assert results["csn"].extracts == ()
    assert all(r.status == "ok" for s, r in results.items() if s != "csn")


def test_a_register_failing_once_is_retried(control_file: Path) -> None:
    control_file_write(control_file, {"csn": {"fail": "unavailable", "fail_first": 1}})
    result = fetch([PNR_ALVA], ["csn"])["csn"]
    assert (result.status, result.attempts, result.error) == ("ok", 2, "")
    assert 75 <= result.elapsed_ms < 400  # one backoff of about 0.1 s


def test_a_register_that_stays_down_is_unavailable_after_the_retries(control_file: Path) -> None:
    control_file_write(control_file, {"csn": {"fail": "unavailable"}})
    result = fetch([PNR_ALVA], ["csn"])["csn"]
    assert (result.status, result.attempts) == ("unavailable", 3)
    assert result.error == "CSN svarar inte"
    assert 220 <= result.elapsed_ms < 700  # backoff about 0.1 s then 0.2 s


def test_retries_stop_at_the_deadline(control_file: Path, settings: LazySettings) -> None:
    settings.REGISTER_RETRIES = 10
    control_file_write(control_file, {"csn": {"fail": "unavailable"}})
    started = time.monotonic()
    result = fetch([PNR_ALVA], ["csn"], timeout=0.5)["csn"]
    assert result.status == "unavailable"
    assert time.monotonic() - started < 0.6


def test_an_unreadable_answer_is_invalid_and_not_retried(control_file: Path) -> None:
    control_file_write(control_file, {"population": {"fail": "invalid"}})
    results = fetch([PNR_ALVA], ["population", "csn"])
    assert (results["population"].status, results["population"].attempts) == ("invalid", 1)
    assert results["population"].error
    assert results["csn"].status == "ok"


def test_nobody_in_the_register_is_not_found_and_one_person_found_is_ok(
    control_file: Path,
) -> None:
    control_file_write(control_file, {"csn": {"fail": "not_found"}})
    result = fetch([PNR_ALVA, PNR_BILAL], ["csn"])["csn"]
    assert result.status == "not_found"
    assert [e.found for e in result.extracts] == [False, False]
    control_file_write(control_file, {})
    not_in_csn = next(
        p for p in generated_people(50) if not fetch([p], ["csn"])["csn"].extracts[0].found
    )
    result = fetch([PNR_ALVA, not_in_csn], ["csn"])["csn"]
    assert result.status == "ok"
    assert [e.found for e in result.extracts] == [True, False]


def test_one_person_unavailable_makes_the_source_unavailable(settings: LazySettings) -> None:
    from eligibility.registers import csn

    class Picky(csn.FakeCsnRegister):
        def answer(self, personnummer, *, as_of):
            if personnummer == PNR_BILAL:
                from eligibility.registers.base import RegisterUnavailable

                raise RegisterUnavailable("CSN: tillfälligt fel")
            return super().answer(personnummer, as_of=as_of)

    settings.REGISTER_BACKENDS = {"csn": f"{__name__}.PICKY"}
    globals()["PICKY"] = Picky
    try:
        result = fetch([PNR_ALVA, PNR_BILAL], ["csn"])["csn"]
    finally:
        del globals()["PICKY"]
    assert result.status == "unavailable"
    assert [e.personnummer for e in result.extracts] == [PNR_ALVA]


def test_the_breaker_opens_after_repeated_failures_and_then_fails_fast(
    control_file: Path, settings: LazySettings
) -> None:
    settings.REGISTER_RETRIES = 0
    settings.REGISTER_BREAKER_FAIL_MAX = 3
    control_file_write(control_file, {"csn": {"fail": "unavailable", "delay_ms": 100}})
    for _ in range(3):
        assert fetch([PNR_ALVA], ["csn"])["csn"].status == "unavailable"
    assert breaker_states()["csn"] == OPEN
    started = time.monotonic()
    result = fetch([PNR_ALVA], ["csn"])["csn"]
    assert time.monotonic() - started < 0.05  # no call to the register
    assert result.status == "unavailable" and "kretsbrytaren" in result.error
    assert fetch([PNR_ALVA], ["population"])["population"].status == "ok"  # one per register


def test_a_half_open_breaker_closes_after_a_successful_probe(
    control_file: Path, settings: LazySettings
) -> None:
    settings.REGISTER_RETRIES = 0
    settings.REGISTER_BREAKER_FAIL_MAX = 2
    settings.REGISTER_BREAKER_RESET_SECONDS = 0.2
    control_file_write(control_file, {"csn": {"fail": "unavailable"}})
    for _ in range(2):
        fetch([PNR_ALVA], ["csn"])
    assert breaker_for("csn").state == OPEN
    control_file_write(control_file, {})
    assert "kretsbrytaren" in fetch([PNR_ALVA], ["csn"])["csn"].error
    time.sleep(0.25)
    assert fetch([PNR_ALVA], ["csn"])["csn"].status == "ok"
    assert breaker_for("csn").state == "closed"


def test_an_adapter_bug_is_invalid_not_a_crash(settings: LazySettings) -> None:
    settings.REGISTER_BACKENDS = {"csn": f"{__name__}.Broken"}
    result = fetch([PNR_ALVA], ["csn"])["csn"]
    assert (result.status, result.error) == ("invalid", "KeyError")


class Broken:
    source, label, is_fake = "csn", "Trasig", True

    def fetch(self, personnummer, *, as_of, purpose):
        raise KeyError("payments")


def test_results_serialise_for_the_snapshot() -> None:
    result = fetch([PNR_CARINA], ["forsakringskassan"])["forsakringskassan"]
    data = result.to_json()
    assert data["status"] == "ok"
    assert data["extracts"][0]["payments"][0]["net"] == "6120"
