"""``manage.py calculate``: one household as JSON in, the result as JSON out; bad input exits 2."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

SINGLE_2026 = {"month": "2026-01", "members": [{"role": "applicant", "age": 40}]}
COUPLE_2026 = {
    "month": "2026-01",
    "members": [{"role": "applicant", "age": 40}, {"role": "partner", "age": 38}],
}


def _run(*args: str, stdin: str | None = None) -> dict:
    out = io.StringIO()
    options = {"stdout": out}
    if stdin is not None:
        options["stdin"] = io.StringIO(stdin)
    call_command("calculate", *args, **options)
    return json.loads(out.getvalue())


def test_calculates_a_household_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "household.json"
    path.write_text(json.dumps(SINGLE_2026), encoding="utf-8")
    result = _run(str(path))
    # The government's published 2026 total for a single adult: 3 940 + 1 280.
    assert result["amount"] == 5220
    assert [line["amount"] for line in result["lines"]] == [3940, 1280]
    assert result["parameter_version"] == "riksnorm-2026"


def test_calculates_a_household_from_stdin() -> None:
    result = _run("-", stdin=json.dumps(COUPLE_2026))
    assert result["amount"] == 8510  # the government's 2026 couple total: 7 100 + 1 410


def test_reads_the_real_stdin_when_given_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(SINGLE_2026)))
    assert _run("-")["amount"] == 5220


def test_prints_indented_json_with_swedish_characters_unescaped() -> None:
    out = io.StringIO()
    call_command("calculate", "-", stdin=io.StringIO(json.dumps(SINGLE_2026)), stdout=out)
    assert "ensamstående" in out.getvalue()
    assert '\n  "amount": 5220,' in out.getvalue()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({"month": "2026-01", "members": []}), "at least the applicant"),
        (json.dumps({**SINGLE_2026, "costs": {"rent": -1}}), "costs.rent"),
        (json.dumps({**SINGLE_2026, "month": "2026-13"}), "month"),
    ],
    ids=["bad_json", "not_an_object", "no_applicant", "negative_rent", "bad_month"],
)
def test_invalid_input_exits_with_status_2_and_says_why(text: str, message: str) -> None:
    with pytest.raises(CommandError) as error:
        call_command("calculate", "-", stdin=io.StringIO(text), stdout=io.StringIO())
    assert error.value.returncode == 2
    assert message in str(error.value)


def test_missing_file_exits_with_status_2(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as error:
        call_command("calculate", str(tmp_path / "nothing.json"), stdout=io.StringIO())
    assert error.value.returncode == 2


def _manage(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "calculate", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_command_line_prints_the_result_and_exits_0() -> None:
    done = _manage("-", stdin=json.dumps(COUPLE_2026))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["amount"] == 8510


def test_command_line_reports_invalid_household_on_stderr_with_exit_code_2() -> None:
    done = _manage("-", stdin=json.dumps({"month": "2026-01", "members": [{"role": "child"}]}))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "invalid household" in done.stderr
    assert "members[0]" in done.stderr
