"""scripts/pass_summary.py: one line per pass, and a pass that failed or ran nothing fails CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "pass_summary.py"


def _junit(path: Path, tests: int, failures: int = 0, errors: int = 0, skipped: int = 0) -> str:
    path.write_text(
        f'<testsuites><testsuite name="pytest" tests="{tests}" failures="{failures}" '
        f'errors="{errors}" skipped="{skipped}"/></testsuites>'
    )
    return str(path)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_the_table_passes_only_when_every_pass_ran_tests_and_none_failed(tmp_path: Path) -> None:
    _run("record", str(tmp_path), "lint", "3", "0")
    _run("record", str(tmp_path), "sqlite", "90", "0", _junit(tmp_path / "a.xml", 10, skipped=2))
    table = _run("table", str(tmp_path))
    assert table.returncode == 0
    assert "PASS  sqlite           8 passed, 0 failed, 0 errors, 2 skipped  (90 s)" in table.stdout
    assert "2 passes, 0 failed, 93 s in all" in table.stdout


def test_a_pass_that_ran_no_test_fails(tmp_path: Path) -> None:
    _run("record", str(tmp_path), "dates", "4", "0", _junit(tmp_path / "d.xml", 0))
    table = _run("table", str(tmp_path))
    assert table.returncode == 1
    assert "FAIL  dates            0 passed" in table.stdout
    assert "(no test ran)" in table.stdout


def test_a_failed_test_or_command_fails_the_pass(tmp_path: Path) -> None:
    _run("record", str(tmp_path), "services", "9", "0", _junit(tmp_path / "s.xml", 5, errors=1))
    _run("record", str(tmp_path), "migrations", "1", "1")
    table = _run("table", str(tmp_path))
    assert table.returncode == 1
    assert "FAIL  services" in table.stdout
    assert "FAIL  migrations       exit status 1" in table.stdout


def test_no_pass_at_all_fails(tmp_path: Path) -> None:
    assert _run("table", str(tmp_path)).returncode == 1
