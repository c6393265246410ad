"""``manage.py preview_norm_change --month 2026-11 --parameters 2027``: what another year's
riksnorm would do to the stored proposals of a month.

How: for each application with a proposal for the month, the Household is rebuilt from the
stored application, its members and the register snapshots of the proposal's round
(``household_build``, exactly as the robot did, with the municipality's settings in force for the
original month), and calculated once more with ``month`` moved to the same month of the target
year. The engine chooses its parameter table by month, so that is the whole parameter change;
the facts (ages, costs, incomes, municipal settings) stay the case's. A target year without its
own table is refused rather than silently run on an older one.

"Old" is the stored proposal's amount. When today's recomputation for the original month gives
another amount (settings, members or rules changed since), the row is marked, because then the
difference is not only the norm's.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import OuterRef, Subquery

from accounts.models import Municipality
from eligibility.models import Proposal, RegisterSnapshot
from eligibility.robot.facts import household_build
from eligibility.rules import InvalidHousehold, available_norm_years, calculate, norm_table_for

INVALID_INPUT = 2
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _month(value: str) -> datetime.date:
    match = _MONTH.match(value)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise CommandError(f"--month: expected YYYY-MM, got {value!r}", returncode=INVALID_INPUT)
    return datetime.date(int(match.group(1)), int(match.group(2)), 1)


def _same_month_in(month: datetime.date, year: int) -> datetime.date:
    return month.replace(year=year)


def norm_change_preview(
    *, month: datetime.date, year: int, municipality: Municipality | None = None
) -> dict[str, Any]:
    """Recompute the latest proposal of every application for ``month`` with ``year``'s norm."""
    target = _same_month_in(month, year)
    latest_round = (
        Proposal.objects.filter(application=OuterRef("application"))
        .order_by("-round")
        .values("round")[:1]
    )
    latest = (
        Proposal.objects.filter(as_of=month, round=Subquery(latest_round))
        .select_related("application")
        .prefetch_related("application__members", "application__incomes")
        .order_by("application__reference")
    )
    if municipality is not None:
        latest = latest.filter(application__municipality=municipality)
    proposals = list(latest)
    snapshots: dict[tuple[int, int], list[RegisterSnapshot]] = {}
    for snapshot in RegisterSnapshot.objects.filter(
        application__in=[p.application_id for p in proposals]
    ):
        snapshots.setdefault((snapshot.application_id, snapshot.round), []).append(snapshot)

    rows: list[dict[str, Any]] = []
    for proposal in proposals:
        application = proposal.application
        household = household_build(
            application=application,
            members=list(application.members.all()),
            snapshots=snapshots.get((application.pk, proposal.round), []),
        )
        baseline = calculate(household)
        changed = calculate(dataclasses.replace(household, month=target))
        old = proposal.amount
        rows.append(
            {
                "reference": application.reference,
                "old": old,
                "new": changed.amount,
                "difference": changed.amount - old,
                "recomputed_old": baseline.amount,
                "stored_differs": baseline.amount != old,
                "old_parameters": proposal.parameter_version,
                "new_parameters": changed.parameter_version,
                "new_provisional": changed.provisional,
            }
        )
    differences = [row["difference"] for row in rows]
    return {
        "month": f"{month:%Y-%m}",
        "parameters": norm_table_for(target).version,
        "cases": rows,
        "totals": {
            "count": len(rows),
            "gaining": sum(1 for d in differences if d > 0),
            "losing": sum(1 for d in differences if d < 0),
            "unchanged": sum(1 for d in differences if d == 0),
            "sum_of_differences": sum(differences, Decimal(0)),
        },
    }


def _kr(amount: Decimal, *, signed: bool = False) -> str:
    text = f"{int(amount):+,}" if signed else f"{int(amount):,}"
    return text.replace(",", " ")


class Command(BaseCommand):
    help = (
        "Preview a riksnorm change: re-run the stored proposals of a month with another year's "
        "parameters and report old and new amounts per case and in total. Stores nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="The proposals' month, YYYY-MM.")
        parser.add_argument(
            "--parameters",
            "--year",
            dest="year",
            type=int,
            required=True,
            help="The year whose riksnorm parameters to use, e.g. 2027.",
        )
        parser.add_argument("--municipality", help="Only this municipality (kommunkod).")
        parser.add_argument("--json", action="store_true", help="Machine-readable output.")

    def handle(self, *args: Any, **options: Any) -> None:
        month = _month(options["month"])
        year = options["year"]
        if year not in available_norm_years():
            years = ", ".join(str(y) for y in available_norm_years())
            raise CommandError(
                f"--parameters: there is no riksnorm table for {year} (available: {years})",
                returncode=INVALID_INPUT,
            )
        municipality = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(code=options["municipality"]).first()
            if municipality is None:
                raise CommandError(
                    f"--municipality: no municipality with code {options['municipality']!r}",
                    returncode=INVALID_INPUT,
                )
        try:
            report = norm_change_preview(month=month, year=year, municipality=municipality)
        except InvalidHousehold as error:
            raise CommandError(str(error), returncode=INVALID_INPUT) from None
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False, default=int))
        else:
            self._table(report)

    def _table(self, report: dict[str, Any]) -> None:
        write = self.stdout.write
        write(f"Proposals for {report['month']} recomputed with {report['parameters']}")
        header = f"{'reference':<14}{'old':>10}{'new':>10}{'difference':>12}"
        write(header)
        write("-" * len(header))
        for row in report["cases"]:
            mark = "  *" if row["stored_differs"] else ""
            write(
                f"{row['reference']:<14}{_kr(row['old']):>10}{_kr(row['new']):>10}"
                f"{_kr(row['difference'], signed=True):>12}{mark}"
            )
        totals = report["totals"]
        write("-" * len(header))
        write(
            f"{totals['count']} cases: {totals['gaining']} gaining, {totals['losing']} losing, "
            f"{totals['unchanged']} unchanged; sum of differences "
            f"{_kr(totals['sum_of_differences'], signed=True)} kr per month"
        )
        if any(row["stored_differs"] for row in report["cases"]):
            write(
                "* the stored proposal differs from a recomputation today for its own month "
                "(settings, members or rules changed): the difference is not only the norm's."
            )
