"""All fake registers in one place (the names settings and tests have always used).

Each fake lives in its register's module next to what it simulates; the shared behaviour
(delays, failure injection, deterministic generation) is in `simulation`. Demo and test people
use Skatteverket's published test personnummer (never issued); any other personnummer gets a
deterministic generated answer.
"""

from __future__ import annotations

from eligibility.registers.arbetsformedlingen import FakeArbetsformedlingenRegister
from eligibility.registers.csn import FakeCsnRegister
from eligibility.registers.employer_pay import FakeEmployerPayRegister
from eligibility.registers.forsakringskassan import FIXTURES as FORSAKRINGSKASSAN
from eligibility.registers.forsakringskassan import FakeForsakringskassanRegister
from eligibility.registers.migrationsverket import FakeMigrationsverketRegister
from eligibility.registers.population import POPULATION, FakePopulationRegister
from eligibility.registers.simulation import FakeRegister, control_file_write, fake_delay_ms
from eligibility.registers.skatteverket import FakeSkatteverketRegister
from eligibility.registers.transportstyrelsen import FakeTransportstyrelsenRegister
from eligibility.registers.unemployment_fund import FakeUnemploymentFundRegister

FAKE_REGISTERS: dict[str, type[FakeRegister]] = {
    cls.source: cls
    for cls in (
        FakePopulationRegister,
        FakeForsakringskassanRegister,
        FakeCsnRegister,
        FakeUnemploymentFundRegister,
        FakeArbetsformedlingenRegister,
        FakeSkatteverketRegister,
        FakeTransportstyrelsenRegister,
        FakeMigrationsverketRegister,
        FakeEmployerPayRegister,
    )
}

__all__ = [
    "FAKE_REGISTERS",
    "FORSAKRINGSKASSAN",
    "POPULATION",
    "FakeArbetsformedlingenRegister",
    "FakeCsnRegister",
    "FakeEmployerPayRegister",
    "FakeForsakringskassanRegister",
    "FakeMigrationsverketRegister",
    "FakePopulationRegister",
    "FakeRegister",
    "FakeSkatteverketRegister",
    "FakeTransportstyrelsenRegister",
    "FakeUnemploymentFundRegister",
    "control_file_write",
    "fake_delay_ms",
]
