"""The benchmark harness's pure parts (`bench/report.py`); the bench itself runs by `make bench`."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import pytest
from personnummer import personnummer as pnr_lib

from bench import report


def test_percentile_interpolates_between_closest_ranks() -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert report.percentile(values, 0.5) == 3.0
    assert report.percentile(values, 0.0) == 1.0
    assert report.percentile(values, 1.0) == 5.0
    assert report.percentile(values, 0.95) == pytest.approx(4.8)
    assert report.percentile([7.0], 0.95) == 7.0


def test_percentile_of_nothing_is_nan_and_a_share_outside_0_1_is_refused() -> None:
    assert math.isnan(report.percentile([], 0.5))
    with pytest.raises(ValueError, match="share"):
        report.percentile([1.0], 95)


def test_ratio_divides_and_is_nan_without_a_positive_floor() -> None:
    assert report.ratio(3.0, 2.0) == 1.5
    assert math.isnan(report.ratio(3.0, 0.0))
    assert math.isnan(report.ratio(3.0, -1.0))
    assert math.isnan(report.ratio(math.nan, 1.0))


def test_targets_compare_with_their_operator_and_nan_never_meets() -> None:
    at_most = report.Target("x", 1.4)
    assert at_most.met(1.4) and not at_most.met(1.41)
    exactly = report.Target("errors", 0, "==")
    assert exactly.met(0) and not exactly.met(1)
    assert not at_most.met(math.nan) and not at_most.met(None)
    assert report.verdict("e2e_p95_ratio", 1.2) == "met"
    assert report.verdict("e2e_p95_ratio", 1.6) == "MISSED"
    assert report.verdict("not_a_target", 1.6) == ""


def test_one_proposal_gate_fails_on_a_missing_or_a_second_proposal() -> None:
    assert report.gate_one_proposal({1: 1, 2: 1}, [1, 2]).passed
    missing = report.gate_one_proposal({1: 1}, [1, 2])
    assert not missing.passed and "2: 0" in missing.detail
    assert not report.gate_one_proposal({1: 2}, [1]).passed
    assert not report.gate_one_proposal({}, []).passed  # nothing checked is not a pass


def test_totals_gate_needs_every_recomputed_amount_equal() -> None:
    assert report.gate_totals([(1, Decimal("5220.00"), Decimal("5220"))]).passed
    differ = report.gate_totals([(1, Decimal(5220), Decimal(5221))])
    assert not differ.passed and "5220 != 5221" in differ.detail
    assert not report.gate_totals([]).passed


def test_double_booking_and_processed_gates() -> None:
    assert report.gate_no_double_booking(0, 10).passed
    assert not report.gate_no_double_booking(1, 10).passed
    assert report.gate_all_processed(0, 5).passed
    assert not report.gate_all_processed(2, 5).passed


def test_results_file_has_every_figure_targets_gates_and_null_for_unmeasured(
    tmp_path: Path,
) -> None:
    gates = [report.Gate("no double booking", True, "0 clashes")]
    path = tmp_path / "results" / "latest.json"
    written = report.results_write(
        path,
        results={"e2e_p95_ratio": 1.2, "submit_errors": 0, "queue_p95_ms": math.nan},
        gates=gates,
        meta={"mode": "quick"},
    )
    on_disk = json.loads(path.read_text())
    assert on_disk == written
    assert on_disk["e2e_p95_ratio"] == 1.2
    assert on_disk["queue_p95_ms"] is None
    assert on_disk["targets"]["e2e_p95_ratio"] == {"op": "<=", "limit": 1.4, "met": True}
    assert on_disk["gates"] == [
        {"name": "no double booking", "passed": True, "detail": "0 clashes"}
    ]
    assert on_disk["passed"] is True
    assert on_disk["meta"] == {"mode": "quick"}


def test_a_failed_gate_makes_the_run_fail(tmp_path: Path) -> None:
    written = report.results_write(
        tmp_path / "r.json",
        results={},
        gates=[report.Gate("a", True), report.Gate("b", False)],
        meta={},
    )
    assert written["passed"] is False


def test_tables_show_value_target_and_verdict() -> None:
    results = {"engine_us_per_household": 12.5, "submit_errors": 0}
    gates = [report.Gate("no double booking", False, "1 clash")]
    text = report.text_table(results, gates)
    assert "12.5" in text and "MISSED" in text and "FAIL  no double booking" in text
    markdown = report.markdown_table(results, gates)
    assert "| (e) engine µs per household | `engine_us_per_household` | 12.5 | <= 10 µs |" in (
        markdown
    )
    assert "| no double booking | FAIL | 1 clash |" in markdown


def test_synthetic_personnummer_are_valid_distinct_samordningsnummer_born_1900_1910() -> None:
    numbers = [report.synthetic_personnummer(i) for i in (0, 1, 19, 20, 40_000, 80_339)]
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        parsed = pnr_lib.parse(number)
        assert parsed.is_coordination_number()
        assert 1900 <= int(number[:4]) <= 1910
        assert number[8:11] >= "980"
    with pytest.raises(ValueError, match="out of range"):
        report.synthetic_personnummer(80_340)
