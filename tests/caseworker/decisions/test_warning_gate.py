"""Approval with open warnings (#16 item 4): every robot warning open at decision time is
acknowledged with a note (or closed by a changed calculation) before a decision is recorded;
acknowledgements are journalled; the statistics count decisions made over acknowledged
warnings, per kind."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Municipality, Role, User
from caseworker.caseload.statistics import month_statistics, statistics_csv
from caseworker.decisions.services import (
    ActionNotAllowed,
    OpenWarnings,
    case_warning_acknowledge,
    decision_draft_approve,
    decision_record,
    decision_submit,
)
from caseworker.models import DecisionDraft, JournalEntry
from eligibility.models import CaseWarning, WarningKind, WarningStatus
from intake.models import Application, Decision
from tests.builders import client_for, household_case_make

pytestmark = pytest.mark.usefixtures("frozen_wednesday")

REASON = "Bistånd enligt riksnormen och skäliga kostnader."


@pytest.fixture
def case(trelleborg: Municipality, caseworker: User) -> Application:
    return household_case_make(trelleborg, caseworker, costs={"rent": Decimal(6000)})


def warn(case: Application, kind: str = WarningKind.UNHANDLED_INCOME, key: str = "") -> CaseWarning:
    return CaseWarning.objects.create(
        application=case,
        kind=kind,
        key=key or f"{kind}:test",
        message="Sjukpenning 4 000 kr i registret, inte uppgiven.",
    )


@pytest.mark.parametrize("outcome", ["approved", "rejected"])
def test_an_open_warning_refuses_the_decision(
    case: Application, caseworker: User, outcome: str
) -> None:
    warn(case)

    with pytest.raises(OpenWarnings, match=r"^1 varning är öppen \(.+\): kvittera den"):
        decision_submit(application=case, caseworker=caseworker, outcome=outcome, reason=REASON)

    assert not Decision.objects.filter(application=case).exists()
    assert not DecisionDraft.objects.filter(application=case).exists()


def test_acknowledged_with_a_note_and_journalled_the_decision_goes_through(
    case: Application, caseworker: User
) -> None:
    warning = warn(case)
    with pytest.raises(ActionNotAllowed):
        case_warning_acknowledge(application=case, warning_pk=warning.pk, by=caseworker, note=" ")
    warning.refresh_from_db()
    assert warning.status == WarningStatus.OPEN

    case_warning_acknowledge(
        application=case, warning_pk=warning.pk, by=caseworker, note="Sjukpenningen upphörde."
    )
    decision = decision_submit(
        application=case, caseworker=caseworker, outcome="approved", reason=REASON
    )

    assert isinstance(decision, Decision)
    warning.refresh_from_db()
    assert (warning.status, warning.acknowledge_note) == (
        WarningStatus.ACKNOWLEDGED,
        "Sjukpenningen upphörde.",
    )
    assert not CaseWarning.objects.filter(application=case, status=WarningStatus.OPEN).exists()
    assert JournalEntry.objects.filter(
        application=case, author=caseworker, text__contains="Sjukpenningen upphörde."
    ).exists()


def test_a_warning_closed_by_a_changed_calculation_does_not_block(
    case: Application, caseworker: User
) -> None:
    CaseWarning.objects.filter(pk=warn(case).pk).update(
        status=WarningStatus.CLOSED, closed_at=timezone.now(), closed_reason="Borta."
    )

    decision = decision_record(
        application=case, caseworker=caseworker, outcome="approved", reason=REASON
    )

    assert decision.amount > 0


def test_a_warning_raised_under_a_draft_blocks_its_second_approval(
    case: Application,
    caseworker: User,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
) -> None:
    User.objects.filter(pk=caseworker.pk).update(in_introduction=True)
    caseworker.refresh_from_db()
    second = make_staff("attest", Role.CASEWORKER, trelleborg)
    decision_submit(application=case, caseworker=caseworker, outcome="approved", reason=REASON)
    warn(case, WarningKind.NEW_HOUSEHOLD_MEMBER)

    with pytest.raises(OpenWarnings):
        decision_draft_approve(application=case, by=second)

    assert not Decision.objects.filter(application=case).exists()


def test_the_case_page_refuses_an_acknowledgement_without_a_note(
    case: Application, caseworker: User
) -> None:
    warning = warn(case)
    client = client_for(caseworker)

    client.post(
        reverse("caseworker:case_warnings", args=[case.pk]), {"warning": warning.pk, "note": ""}
    )
    warning.refresh_from_db()
    assert warning.status == WarningStatus.OPEN

    client.post(
        reverse("caseworker:case_warnings", args=[case.pk]),
        {"warning": warning.pk, "note": "Hyresavi finns."},
    )
    warning.refresh_from_db()
    assert (warning.status, warning.acknowledged_by_id) == (
        WarningStatus.ACKNOWLEDGED,
        caseworker.pk,
    )
    assert JournalEntry.objects.filter(application=case, text__contains="Hyresavi finns.").exists()


def test_the_statistics_count_decisions_made_over_acknowledged_warnings_per_kind(
    trelleborg: Municipality, caseworker: User
) -> None:
    first = household_case_make(trelleborg, caseworker, costs={"rent": Decimal(6000)})
    second = household_case_make(trelleborg, caseworker, costs={"rent": Decimal(5000)})
    for case, keys in ((first, ("a", "b")), (second, ("c",))):
        for key in keys:
            warning = warn(case, WarningKind.UNHANDLED_INCOME, key=key)
            case_warning_acknowledge(
                application=case, warning_pk=warning.pk, by=caseworker, note="Kontrollerat."
            )
    warn(second, WarningKind.NEW_COST)
    CaseWarning.objects.filter(application=second, kind=WarningKind.NEW_COST).update(
        status=WarningStatus.CLOSED, closed_at=timezone.now()
    )
    for case in (first, second):
        decision_record(application=case, caseworker=caseworker, outcome="approved", reason=REASON)

    stats = month_statistics(municipality_id=trelleborg.pk, month=timezone.localdate())

    rows = {row.kind: row for row in stats.warning_kinds}
    assert rows[WarningKind.UNHANDLED_INCOME].decided_over_acknowledged == 2  # two decisions
    assert rows[WarningKind.NEW_COST].decided_over_acknowledged == 0  # closed, never acknowledged
    assert "varning:unhandled_income;beslut_över_kvitterad;2" in statistics_csv(stats)


def test_reloading_a_refused_decision_does_not_decide_once_the_warning_is_acknowledged(
    case: Application, caseworker: User
) -> None:
    """Stranger run: the decision was refused for an open warning; the caseworker acknowledged
    it and pressed F5 to see the page again; the browser sent the refused form once more and
    the case was decided without "Fatta beslut" being pressed."""
    warning = warn(case)
    client = client_for(caseworker)
    url = reverse("caseworker:case_detail", args=[case.pk])
    page = client.get(url)
    attempt = page.context["decision_attempt"]
    version = page.context["form"].initial["calculation"]
    form = {
        "attempt": attempt,
        "calculation": version,
        "outcome": "approved",
        "reason": REASON,
        "track": "work",
        "months": "1",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200 and "kvittera" in refused.content.decode()
    case_warning_acknowledge(application=case, warning_pk=warning.pk, note="Utrett.", by=caseworker)

    reloaded = client.post(url, form)  # F5: the same form, the same token

    assert reloaded.status_code == 200
    assert "redan skickats en gång" in reloaded.content.decode()
    assert not Decision.objects.filter(application=case).exists()
    # Pressing the button on the page now shown decides.
    fresh = reloaded.context["decision_attempt"]
    assert fresh != attempt
    assert client.post(url, {**form, "attempt": fresh}).status_code == 302
    assert Decision.objects.filter(application=case).count() == 1


def test_two_open_warnings_are_counted_in_words(case: Application, caseworker: User) -> None:
    warn(case, key="a")
    warn(case, kind=WarningKind.ASSET_FOUND, key="b")
    with pytest.raises(OpenWarnings, match=r"^2 varningar är öppna \(.+; .+\): kvittera varje"):
        decision_submit(application=case, caseworker=caseworker, outcome="approved", reason=REASON)
