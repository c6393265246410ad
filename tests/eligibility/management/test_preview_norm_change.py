"""``manage.py preview_norm_change``: stored proposals re-run with another year's riksnorm."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from eligibility.models import Proposal
from intake import services as intake
from intake.models import Application

# Reads today's date: also runs at every moment of the date matrix (tests/clock.py).
pytestmark = pytest.mark.dates


def _preview(*args: str) -> str:
    out = io.StringIO()
    call_command("preview_norm_change", *args, stdout=out)
    return out.getvalue()


def test_reports_old_new_and_difference_for_a_stored_proposal(
    submitted_application: Application,
) -> None:
    proposal = Proposal.objects.get(application=submitted_application)
    # 2026-11, single adult, rent 6 000: 3 940 + 1 280 + 6 000.
    assert proposal.amount == Decimal(11220)
    report = json.loads(_preview("--month", "2026-11", "--parameters", "2025", "--json"))
    assert report["parameters"] == "riksnorm-2025"
    # With 2025's norm: 3 910 + 1 270 + 6 000 = 11 180.
    assert report["cases"] == [
        {
            "reference": submitted_application.reference,
            "old": 11220,
            "new": 11180,
            "difference": -40,
            "recomputed_old": 11220,
            "stored_differs": False,
            "old_parameters": "riksnorm-2026",
            "new_parameters": "riksnorm-2025",
            "new_provisional": False,
        }
    ]
    assert report["totals"] == {
        "count": 1,
        "gaining": 0,
        "losing": 1,
        "unchanged": 0,
        "sum_of_differences": -40,
    }


def test_counts_gaining_losing_and_unchanged_over_several_cases(
    submitted_application: Application,
    make_draft: Callable[..., Application],
    other_applicant: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    # Bilal has a register income in the fake registers (child allowance 1 250).
    second = make_draft(other_applicant, rent="7000")
    with django_capture_on_commit_callbacks(execute=True):
        intake.application_submit(application=second, applicant=other_applicant)
    report = json.loads(_preview("--month", "2026-11", "--year", "2026", "--json"))
    assert [case["difference"] for case in report["cases"]] == [0, 0]
    assert report["totals"]["unchanged"] == 2
    report = json.loads(_preview("--month", "2026-11", "--year", "2024", "--json"))
    assert report["totals"]["losing"] == 2
    assert report["totals"]["sum_of_differences"] == sum(
        case["new"] - case["old"] for case in report["cases"]
    )


def test_readable_table_shows_each_case_and_the_totals(
    submitted_application: Application,
) -> None:
    text = _preview("--month", "2026-11", "--parameters", "2025")
    assert "riksnorm-2025" in text
    row = next(line for line in text.splitlines() if submitted_application.reference in line)
    assert row.split()[1:] == ["11", "220", "11", "180", "-40"]
    assert "1 cases: 0 gaining, 1 losing, 0 unchanged" in text


def test_marks_a_case_whose_stored_proposal_differs_from_a_recomputation(
    submitted_application: Application,
) -> None:
    Proposal.objects.filter(application=submitted_application).update(amount=Decimal(11000))
    report = json.loads(_preview("--month", "2026-11", "--parameters", "2025", "--json"))
    case = report["cases"][0]
    assert case["stored_differs"] is True
    assert case["difference"] == 11180 - 11000
    assert "*" in _preview("--month", "2026-11", "--parameters", "2025")


def test_uses_only_the_latest_round_and_stores_nothing(
    submitted_application: Application,
) -> None:
    Proposal.objects.create(
        application=submitted_application,
        round=2,
        eligible=True,
        amount=Decimal(11220),
        norm=Decimal(5220),
        parameter_version="riksnorm-2026",
        as_of=date(2026, 11, 1),
    )
    count = Proposal.objects.count()
    report = json.loads(_preview("--month", "2026-11", "--parameters", "2025", "--json"))
    assert report["totals"]["count"] == 1
    assert Proposal.objects.count() == count


@pytest.mark.django_db
def test_a_month_without_proposals_reports_zero_cases() -> None:
    report = json.loads(_preview("--month", "2026-10", "--parameters", "2025", "--json"))
    assert report["cases"] == []
    assert report["totals"]["count"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args",
    [
        ("--month", "2026-11", "--parameters", "2031"),  # no table for that year
        ("--month", "2026-13", "--parameters", "2025"),
        ("--month", "2026-11", "--parameters", "2025", "--municipality", "9999"),
    ],
    ids=["year_without_table", "bad_month", "unknown_municipality"],
)
def test_invalid_arguments_exit_with_status_2(args: tuple[str, ...]) -> None:
    with pytest.raises(CommandError) as error:
        _preview(*args)
    assert error.value.returncode == 2


def test_municipality_option_limits_the_cases(
    submitted_application: Application, svedala: object
) -> None:
    def cases(code: str) -> list:
        args = ("--month", "2026-11", "--parameters", "2025", "--municipality", code, "--json")
        return json.loads(_preview(*args))["cases"]

    assert cases("1263") == []
    assert len(cases("1287")) == 1
