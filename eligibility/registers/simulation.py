"""What every fake register shares: delays, failure injection and deterministic generation.

Nothing here talks to a real register. Behaviour is configured in settings and, across
processes (a real Celery worker in tests), by a JSON control file:

- `REGISTER_FAKE_DELAY`: "0" (default), "150" (fixed milliseconds) or "per_person:50-300"
  (a deterministic delay per (source, personnummer) in [50, 300] ms, see `fake_delay_ms`).
  A non-zero `REGISTER_FAKE_DELAY_MS` (the older setting) wins as a fixed delay.
- `REGISTER_FAKE_FAILURES = {"source": "unavailable" | "invalid"}` (in-process, for
  `override_settings`).
- `REGISTER_FAKE_CONTROL_FILE`: a path; when the file exists every fake call reads it:
  `{"<source>" | "*": {"fail": "unavailable" | "invalid" | "timeout" | "not_found",
  "fail_first": N, "delay_ms": N}}`. With `fail_first` only the first N calls to that source
  fail, counted across processes in `<file>.counts` under an fcntl lock; the count starts again
  whenever the control file's content changes. "timeout" sleeps past the caller's deadline and
  then raises `RegisterUnavailable`.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import random
import time
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from eligibility.registers.base import (
    Extract,
    Payment,
    RegisterResponseInvalid,
    RegisterUnavailable,
    month_end,
    time_left,
)

# Skatteverket's published test personnummer (never issued): the demo household.
PNR_ALVA = "200306062381"
PNR_BILAL = "200607092384"
PNR_CARINA = "200802122390"
PNR_CHILD = "201701012393"
# The demo people answer from fixtures in every register; anyone else is generated.
DEMO_PEOPLE = frozenset({PNR_ALVA, PNR_BILAL, PNR_CARINA, PNR_CHILD})

FAILURES = ("unavailable", "invalid", "timeout", "not_found")


# --- deterministic generation ---------------------------------------------------------------


def rng_for(source: str, personnummer: str, *salt: object) -> random.Random:
    """A random generator seeded by sha256 of source, personnummer and salt: same in, same out,
    in every process (unlike `hash()`)."""
    key = ":".join([source, personnummer, *(str(s) for s in salt)])
    return random.Random(hashlib.sha256(key.encode()).digest())  # noqa: S311 (not crypto)


def kronor(value: float | Decimal | int) -> Decimal:
    """Whole kronor, half up."""
    return Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def taxed(gross: Decimal, rate: float) -> tuple[Decimal, Decimal, Decimal]:
    """(gross, tax, net) in whole kronor with gross == tax + net."""
    gross = kronor(gross)
    tax = kronor(gross * Decimal(str(rate)))
    return gross, tax, gross - tax


def birth_date(personnummer: str) -> date | None:
    """From a 12-digit personnummer or samordningsnummer (day + 60); None if unreadable."""
    digits = personnummer.replace("-", "").replace("+", "")
    if len(digits) != 12 or not digits.isdigit():
        return None
    day = int(digits[6:8])
    try:
        return date(int(digits[:4]), int(digits[4:6]), day - 60 if day > 60 else day)
    except ValueError:
        return None


def age_on(personnummer: str, as_of: date) -> int | None:
    born = birth_date(personnummer)
    if born is None:
        return None
    return as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def make_personnummer(born: date, rng: random.Random) -> str:
    """A valid-looking personnummer (correct check digit) for a generated household member."""
    base = f"{born:%y%m%d}{rng.randint(0, 999):03d}"
    return f"{born:%Y}{base[2:]}{luhn_digit(base)}"


def day_in(month: date, day: int) -> date:
    """`day` of `month`, moved back to Friday if it falls on a weekend (payout days)."""
    result = month.replace(day=min(day, 28 if month.month == 2 else 30))
    while result.weekday() >= 5:
        result -= timedelta(days=1)
    return result


# --- delay ----------------------------------------------------------------------------------


def _delay_spec() -> str:
    legacy = getattr(settings, "REGISTER_FAKE_DELAY_MS", 0)
    if legacy:
        return str(int(legacy))
    return str(getattr(settings, "REGISTER_FAKE_DELAY", "0") or "0").strip()


def fake_delay_ms(source: str, personnummer: str, spec: str | None = None) -> int:
    """The configured fake delay in milliseconds for one (source, personnummer) look-up.

    Exact and deterministic, so a benchmark can compute each application's slowest register.
    The control file's `delay_ms` (if any) is not included."""
    spec = _delay_spec() if spec is None else spec.strip()
    if spec.startswith("per_person:"):
        low_text, _sep, high_text = spec.removeprefix("per_person:").partition("-")
        low, high = int(low_text), int(high_text or low_text)
        if high < low:
            raise ValueError(f"REGISTER_FAKE_DELAY range is empty: {spec!r}")
        digest = hashlib.sha256(f"delay:{source}:{personnummer}".encode()).digest()
        return low + int.from_bytes(digest[:8], "big") % (high - low + 1)
    try:
        return max(0, int(spec or "0"))
    except ValueError:
        raise ValueError(
            f"REGISTER_FAKE_DELAY must be '0', '<ms>' or 'per_person:<lo>-<hi>', not {spec!r}"
        ) from None


# --- the control file -----------------------------------------------------------------------


def control_file_write(path: str | Path, config: dict[str, dict[str, Any]]) -> None:
    """Write a control file (tests, chaos runs) and restart its fail_first counters."""
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(config))
    tmp.replace(path)  # atomic: a reader never sees half a file
    Path(f"{path}.counts").unlink(missing_ok=True)


def _control_read(source: str) -> dict[str, Any]:
    path = getattr(settings, "REGISTER_FAKE_CONTROL_FILE", "")
    if not path:
        return {}
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        return {}
    try:
        config = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        raise RegisterResponseInvalid(f"fake control file is not JSON: {exc}") from exc
    entry = config.get(source) or config.get("*") or {}
    if entry:
        entry = dict(entry, _stamp=hashlib.sha256(text.encode()).hexdigest())
    return entry


def _count_call(source: str, stamp: str) -> int:
    """This call's number (1, 2, ...) for `source` since the control file last changed,
    counted across processes."""
    path = Path(f"{settings.REGISTER_FAKE_CONTROL_FILE}.counts")
    with open(f"{settings.REGISTER_FAKE_CONTROL_FILE}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            try:
                state = json.loads(path.read_text())
            except (FileNotFoundError, json.JSONDecodeError):
                state = {}
            if state.get("stamp") != stamp:
                state = {"stamp": stamp, "counts": {}}
            count = state["counts"].get(source, 0) + 1
            state["counts"][source] = count
            path.write_text(json.dumps(state))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return count


class FakeRegister:
    """Base for fake registers: `fetch` applies the configured behaviour, then `answer`."""

    source = "fake"
    label = "Fake"
    is_fake = True

    def fetch(self, personnummer: str, *, as_of: date, purpose: Any) -> Extract:
        failure = self._behave(personnummer)
        if failure == "not_found":
            return Extract(source=self.source, personnummer=personnummer, as_of=as_of, found=False)
        return self.answer(personnummer, as_of=as_of)

    def answer(self, personnummer: str, *, as_of: date) -> Extract:
        raise NotImplementedError

    def _behave(self, personnummer: str) -> str:
        control = _control_read(self.source)
        delay = control.get("delay_ms")
        delay_ms = int(delay) if delay is not None else fake_delay_ms(self.source, personnummer)
        failure = control.get("fail", "")
        if failure and failure not in FAILURES:
            raise RegisterResponseInvalid(f"unknown fake failure {failure!r}")
        limited = failure and control.get("fail_first") is not None
        if limited and _count_call(self.source, control["_stamp"]) > int(control["fail_first"]):
            failure = ""
        if delay_ms:
            time.sleep(delay_ms / 1000)
        failure = failure or getattr(settings, "REGISTER_FAKE_FAILURES", {}).get(self.source, "")
        if failure == "timeout":
            left = time_left()
            time.sleep((settings.REGISTER_TIMEOUT_SECONDS if left is None else left) + 0.2)
            raise RegisterUnavailable(f"{self.label} svarade inte i tid")
        if failure == "unavailable":
            raise RegisterUnavailable(f"{self.label} svarar inte")
        if failure == "invalid":
            raise RegisterResponseInvalid(f"{self.label} gav ett oläsbart svar")
        return str(failure)


def monthly_payment(
    *,
    kind: str,
    month: date,
    payday: int,
    gross: Decimal | float | int,
    tax_rate: float,
    payer: str,
    details: dict[str, Any] | None = None,
) -> Payment:
    """One payment for a calendar month, paid on `payday` (moved back off a weekend)."""
    gross, tax, net = taxed(Decimal(str(gross)), tax_rate)
    return Payment(
        kind=kind,
        gross=gross,
        tax=tax,
        net=net,
        paid_on=day_in(month, payday),
        period_start=month,
        period_end=month_end(month),
        payer=payer,
        details=details or {},
    )
