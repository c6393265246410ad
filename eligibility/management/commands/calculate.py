"""``manage.py calculate FILE``: one trial calculation from a household as JSON.

The JSON shape is ``eligibility.rules.household_from_dict``'s (see eligibility/rules/parsing.py);
the output is ``result_to_dict``'s. Nothing is read from or written to the database. Invalid
input exits with status 2 and says what is wrong on stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from eligibility.rules import InvalidHousehold, calculate, household_from_dict, result_to_dict

INVALID_INPUT = 2


class Command(BaseCommand):
    help = (
        "Calculate försörjningsstöd for one household given as JSON (a file, or - for stdin) "
        "and print the result with its explanation lines as JSON."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False
    # call_command("calculate", "-", stdin=io.StringIO(...)) in tests; sys.stdin otherwise.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path to a JSON file with one household, or - for stdin.")

    def handle(self, *args: Any, **options: Any) -> None:
        text = self._read(options["file"], options.get("stdin") or sys.stdin)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(f"invalid JSON: {error}", returncode=INVALID_INPUT) from None
        if not isinstance(data, dict):
            raise CommandError(
                f"invalid household: expected a JSON object, got {type(data).__name__}",
                returncode=INVALID_INPUT,
            )
        try:
            result = calculate(household_from_dict(data))
        except InvalidHousehold as error:
            raise CommandError(f"invalid household: {error}", returncode=INVALID_INPUT) from None
        self.stdout.write(json.dumps(result_to_dict(result), indent=2, ensure_ascii=False))

    @staticmethod
    def _read(name: str, stdin: TextIO) -> str:
        if name == "-":
            return stdin.read()
        try:
            return Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {name}: {error}", returncode=INVALID_INPUT) from None
