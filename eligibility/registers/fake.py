"""All fake registers in one place (the names settings and tests have always used).

Each fake lives in its register's module next to what it simulates; the shared behaviour
(delays, failure injection, deterministic generation) is in `simulation`. Demo and test people
use Skatteverket's published test personnummer (never issued); any other personnummer gets a
deterministic generated answer.
"""

from __future__ import annotations

from .arbetsformedlingen import FakeArbetsformedlingenRegister
from .csn import FakeCsnRegister
from .employer_pay import FakeEmployerPayRegister
from .forsakringskassan import FIXTURES as FORSAKRINGSKASSAN
from .forsakringskassan import FakeForsakringskassanRegister
from .migrationsverket import FakeMigrationsverketRegister
from .population import POPULATION, FakePopulationRegister
from .simulation import FakeRegister, control_file_write, fake_delay_ms
from .skatteverket import FakeSkatteverketRegister
from .transportstyrelsen import FakeTransportstyrelsenRegister
from .unemployment_fund import FakeUnemploymentFundRegister

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
