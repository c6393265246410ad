"""One line per pass of `scripts/test.sh`, from the JUnit XML each pytest pass writes.

    python scripts/pass_summary.py record RESULTS_DIR NAME SECONDS RC [JUNIT.xml]  # one line
    python scripts/pass_summary.py table RESULTS_DIR            # every line; exit 1 on a bad pass

A pass is bad when its command failed, when a test failed or errored, or when it ran no test at
all (a pass that selects nothing proves nothing). Standard library only.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def _counts(junit: Path) -> dict[str, int]:
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    if not junit.is_file():
        return totals
    root = ET.parse(junit).getroot()  # noqa: S314 - pytest's own report, written by this run
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    for suite in suites:
        for key in totals:
            totals[key] += int(suite.get(key, 0))
    return totals


def line(name: str, seconds: float, rc: int, junit: str | None) -> dict[str, object]:
    record: dict[str, object] = {"name": name, "seconds": seconds, "rc": rc}
    if junit is not None:
        counts = _counts(Path(junit))
        passed = counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"]
        record.update(counts, passed=passed)
        ok = rc == 0 and counts["failures"] == counts["errors"] == 0 and passed > 0
        detail = (
            f"{passed} passed, {counts['failures']} failed, {counts['errors']} errors, "
            f"{counts['skipped']} skipped"
        )
        if passed == 0:
            detail += " (no test ran)"
    else:
        ok = rc == 0
        detail = "ok" if ok else f"exit status {rc}"
    record["ok"] = ok
    record["text"] = f"{'PASS' if ok else 'FAIL'}  {name:<16} {detail}  ({seconds:.0f} s)"
    return record


def main(argv: list[str]) -> int:
    if argv[:1] == ["record"] and len(argv) in (5, 6):
        _, results, name, seconds, rc, *junit = argv
        record = line(name, float(seconds), int(rc), junit[0] if junit else None)
        with Path(results, "passes.jsonl").open("a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
        print(f"== {record['text']}")
        return 0
    if argv[:1] == ["table"] and len(argv) == 2:
        path = Path(argv[1], "passes.jsonl")
        rows = path.read_text().splitlines() if path.exists() else []
        records = [json.loads(row) for row in rows]
        print("== summary")
        for record in records:
            print(record["text"])
        total = sum(float(r["seconds"]) for r in records)
        bad = [r for r in records if not r["ok"]]
        print(f"{len(records)} passes, {len(bad)} failed, {total:.0f} s in all")
        return 1 if bad or not records else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
