"""The benchmark's pure parts: percentiles, ratios, targets, gates, the JSON file and the table.

No Django and no services here, so `tests/bench/test_bench_smoke.py` checks them in milliseconds.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def percentile(values: Iterable[float], share: float) -> float:
    """The `share` (0-1) percentile, linear between the closest ranks (numpy's default);
    NaN for no values."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must be within 0-1, not {share}")
    position = (len(ordered) - 1) * share
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio(value: float, floor: float) -> float:
    """value / floor; NaN when the floor is not a positive number (nothing to compare with)."""
    if not floor or floor <= 0 or math.isnan(floor) or math.isnan(value):
        return math.nan
    return value / floor


@dataclass(frozen=True)
class Target:
    """A figure's target: `key` must be <= (or == / >=) `limit`."""

    key: str
    limit: float
    op: str = "<="  # "<=", ">=" or "=="
    label: str = ""

    def met(self, value: float | None) -> bool:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        if self.op == "<=":
            return value <= self.limit
        if self.op == ">=":
            return value >= self.limit
        if self.op == "==":
            return value == self.limit
        raise ValueError(f"unknown operator {self.op!r}")

    def text(self) -> str:
        limit = f"{self.limit:g}"
        return f"{self.op} {limit}{(' ' + self.label) if self.label else ''}"


# The targets (#10). A missed target is reported, not a failed run; gates fail the run.
TARGETS = (
    Target("e2e_p95_ratio", 1.4, label="× slowest register"),
    Target("batch_seconds_per_10k", 60, label="s for 10,000"),
    Target("batch_queries_per_app", 6, label="queries"),
    Target("batch_ratio_to_floor", 3, label="× COPY of the same rows + engine"),
    Target("queue_queries", 4, label="queries"),
    Target("queue_p95_ms", math.inf, label="(reported)"),
    Target("queue_ratio_to_bare_select", 15, label="× bare select"),
    Target("case_page_queries_history_minus_new", 0, "==", label="(36 months vs new)"),
    Target("case_page_ratio_to_pk_select", 20, label="× primary-key select"),
    Target("submit_errors", 0, "=="),
    Target("submit_cpu_ratio_to_floor", 3, label="× one-insert endpoint"),
    Target("submit_p95_ratio_to_floor", 3, label="× one-insert p95, same load"),
    Target("floor_errors", 0, "=="),
    Target("engine_us_per_household", 10, label="µs"),
)
TARGET_BY_KEY = {target.key: target for target in TARGETS}


@dataclass(frozen=True)
class Gate:
    """A correctness check: any failure fails the whole run (exit 1)."""

    name: str
    passed: bool
    detail: str = ""


def gate_one_proposal(proposals_per_application: dict[int, int], expected: Iterable[int]) -> Gate:
    """Every application the bench submitted has exactly one proposal."""
    expected = list(expected)
    wrong = {pk: proposals_per_application.get(pk, 0) for pk in expected}
    wrong = {pk: n for pk, n in wrong.items() if n != 1}
    detail = f"{len(expected)} applications"
    if wrong:
        sample = ", ".join(f"{pk}: {n}" for pk, n in list(wrong.items())[:5])
        detail += f"; {len(wrong)} without exactly one proposal (e.g. {sample})"
    return Gate("exactly one proposal per application", bool(expected) and not wrong, detail)


def gate_totals(pairs: Sequence[tuple[int, Any, Any]]) -> Gate:
    """(application id, stored amount, engine's amount) for a sample: all equal."""
    wrong = [(pk, stored, engine) for pk, stored, engine in pairs if stored != engine]
    detail = f"{len(pairs)} recomputed"
    if wrong:
        detail += "; differ: " + ", ".join(f"{pk}: {s} != {e}" for pk, s, e in wrong[:5])
    return Gate("proposal totals equal the engine's", bool(pairs) and not wrong, detail)


def gate_no_double_booking(clashes: int, meetings: int) -> Gate:
    """No two live meetings for one secretary at one start time."""
    return Gate(
        "no double booking",
        clashes == 0,
        f"{meetings} live meetings, {clashes} secretary+start clashes",
    )


def gate_all_processed(waiting: int, total: int) -> Gate:
    """Nothing the bench submitted is left waiting for the robot or in NEEDS_MANUAL."""
    return Gate("every application processed", waiting == 0, f"{waiting} of {total} not processed")


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        if math.isinf(value):
            return "∞"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


# (key, what it is) in the order the table shows them; targets come from TARGETS.
ROWS = (
    ("e2e_p50_s", "(a) submit → proposal, p50 (s)"),
    ("e2e_p95_s", "(a) submit → proposal, p95 (s)"),
    ("e2e_floor_p50_s", "(a) slowest register delay, p50 (s)"),
    ("e2e_p95_ratio", "(a) p95 of e2e ÷ slowest register"),
    ("batch_apps", "(b) month batch, applications"),
    ("batch_seconds", "(b) month batch, seconds"),
    ("batch_apps_per_s", "(b) applications per second"),
    ("batch_seconds_per_10k", "(b) seconds per 10,000 (extrapolated)"),
    ("batch_queries_per_app", "(b) queries per application (worker)"),
    ("batch_floor_rows", "(b) rows the batch wrote (floor writes them again)"),
    ("batch_floor_write_seconds", "(b) floor: one COPY per table + UPDATE (s)"),
    ("batch_floor_engine_seconds", "(b) floor: engine for the same households (s)"),
    ("batch_floor_seconds", "(b) floor wall time (s)"),
    ("batch_ratio_to_floor", "(b) batch ÷ floor"),
    ("queue_rows", "(c) queue, applications"),
    ("queue_queries", "(c) queue page queries (all rows)"),
    ("queue_queries_at_1000", "(c) queue page queries (1,000 rows)"),
    ("queue_p95_ms", "(c) queue page p95 (ms)"),
    ("queue_bare_select_p95_ms", "(c) bare SELECT … LIMIT 25 p95 (ms)"),
    ("queue_ratio_to_bare_select", "(c) queue ÷ bare select (exact counts, no cache)"),
    ("queue_count_table_rows", "(c) rows in the facet count table"),
    ("case_page_rows", "(f) case page, applications in the table"),
    ("case_page_history_months", "(f) months of history before the case"),
    ("case_page_queries", "(f) case page queries, 36 months of history"),
    ("case_page_queries_new", "(f) case page queries, new case"),
    ("case_page_queries_history_minus_new", "(f) queries, history case − new case"),
    ("case_page_sql_ms", "(f) time in SQL for one render (ms)"),
    ("case_page_p95_ms", "(f) case page p95, 36 months of history (ms)"),
    ("case_page_new_p95_ms", "(f) case page p95, new case (ms)"),
    ("case_page_pk_select_p95_ms", "(f) bare primary-key SELECT p95 (ms)"),
    ("case_page_ratio_to_pk_select", "(f) case page ÷ primary-key select"),
    ("submit_requests", "(d) submits sent"),
    ("submit_per_s", "(d) submits per second"),
    ("submit_p95_ms", "(d) submit p95, sent with one-insert requests in turn (ms)"),
    ("submit_errors", "(d) submit errors"),
    ("floor_errors", "(d) one-insert errors"),
    ("floor_p95_ms", "(d) one-insert p95, in turn with the submits (ms)"),
    ("submit_p95_ratio_to_floor", "(d) submit p95 ÷ one-insert p95, same load"),
    ("submit_alone_p95_ms", "(d) submit p95, submits alone (ms)"),
    ("floor_alone_p95_ms", "(d) one-insert p95, alone (ms)"),
    ("submit_cpu_ms_per_request", "(d) web CPU per submit (ms)"),
    ("floor_cpu_ms_per_request", "(d) web CPU per one-insert request (ms)"),
    ("submit_cpu_ratio_to_floor", "(d) submit CPU ÷ one-insert CPU"),
    ("engine_us_per_household", "(e) engine µs per household"),
    ("engine_ratio_to_floor", "(e) engine ÷ bare loop"),
)


def verdict(key: str, value: Any) -> str:
    target = TARGET_BY_KEY.get(key)
    if target is None or math.isinf(target.limit):
        return ""
    return "met" if target.met(value) else "MISSED"


def table_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(key, description, value, target, verdict) for every row the results have."""
    rows = []
    for key, label in ROWS:
        if key not in results:
            continue
        target = TARGET_BY_KEY.get(key)
        shown = "" if target is None or math.isinf(target.limit) else target.text()
        rows.append((key, label, _fmt(results[key]), shown, verdict(key, results[key])))
    return rows


def markdown_table(results: dict[str, Any], gates: Sequence[Gate]) -> str:
    lines = ["| Measure | Key | Value | Target | |", "| --- | --- | ---: | --- | --- |"]
    for key, label, value, target, met in table_rows(results):
        lines.append(f"| {label} | `{key}` | {value} | {target} | {met} |")
    lines.append("")
    lines.append("| Correctness gate | Result | Detail |")
    lines.append("| --- | --- | --- |")
    for gate in gates:
        lines.append(f"| {gate.name} | {'pass' if gate.passed else 'FAIL'} | {gate.detail} |")
    return "\n".join(lines) + "\n"


def text_table(results: dict[str, Any], gates: Sequence[Gate]) -> str:
    rows = table_rows(results)
    width = max((len(label) for _k, label, *_r in rows), default=10)
    value_width = max((len(value) for _k, _l, value, *_r in rows), default=5)
    out = []
    for _key, label, value, target, met in rows:
        out.append(f"{label:<{width}}  {value:>{value_width}}  {target:<24} {met}".rstrip())
    out.append("")
    for gate in gates:
        out.append(f"{'PASS' if gate.passed else 'FAIL'}  {gate.name}: {gate.detail}")
    return "\n".join(out) + "\n"


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None  # JSON has no NaN: a figure that could not be measured is null
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def results_write(
    path: Path, *, results: dict[str, Any], gates: Sequence[Gate], meta: dict[str, Any]
) -> dict[str, Any]:
    """Write the run as JSON (atomically) and return what was written."""
    document = {
        **_jsonable(results),
        "targets": {
            t.key: {"op": t.op, "limit": _jsonable(t.limit), "met": t.met(results.get(t.key))}
            for t in TARGETS
            if t.key in results and not math.isinf(t.limit)
        },
        "gates": [{"name": g.name, "passed": g.passed, "detail": g.detail} for g in gates],
        "passed": all(g.passed for g in gates),
        "meta": _jsonable(meta),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")
    os.replace(tmp, path)
    return document


def luhn_digit(nine: str) -> str:
    total = 0
    for index, char in enumerate(nine):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


SYNTHETIC_FIRST_DAY_ORDINAL = 693596  # date(1900, 1, 1).toordinal()
SYNTHETIC_DAYS = 4017  # 1900-01-01 .. 1910-12-31
SYNTHETIC_SERIALS = 20  # serial numbers 980-999


def synthetic_personnummer(index: int) -> str:
    """The bench's `index`-th person: a samordningsnummer (day + 60) for someone born
    1900-1910 with serial 980-999, check digit correct, so `personnummer` accepts it.

    Synthetic, never a living person's: anyone born 1900-1910 would be over 115 years old
    (older than any living Swede), the Skatteverket test series is too small for a city's month
    (10,000+ households), and the day + 60 form keeps them apart from the ordinary numbers the
    other fixtures use. Up to 80,340 distinct numbers (index 0-80,339)."""
    from datetime import date

    if not 0 <= index < SYNTHETIC_DAYS * SYNTHETIC_SERIALS:
        raise ValueError(f"synthetic personnummer index out of range: {index}")
    born = date.fromordinal(SYNTHETIC_FIRST_DAY_ORDINAL + index // SYNTHETIC_SERIALS)
    serial = 980 + index % SYNTHETIC_SERIALS
    nine = f"{born:%y%m}{born.day + 60:02d}{serial:03d}"
    return f"{born:%Y}{nine[2:]}{luhn_digit(nine)}"
