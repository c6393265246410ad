"""The decision services' gates (#16): kommunicering passes only on the law's exceptions, and
the first decision of a case records its track."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Municipality, Role, User
from caseworker.caseload.statistics import month_statistics, statistics_csv
from caseworker.decisions.calculation import case_calculation_load
from caseworker.decisions.services import (
    DecisionInvalid,
    decision_draft_approve,
    decision_record,
    decision_submit,
    inherited_track,
    line_adjust,
)
from caseworker.models import (
    CommunicationException,
    CommunicationWaiver,
    DecisionDraft,
    JournalEntry,
)
from eligibility.models import CaseWarning, Proposal, RegisterSnapshot
from eligibility.robot.warnings import warning_acknowledge
from intake.models import Application, Decision, DecisionTrack
from intake.services import application_renew
from intake.states import Status
from tests.builders import WEDNESDAY, client_for
from tests.conftest import PNR_ALVA

pytestmark = pytest.mark.usefixtures("frozen_wednesday")


@pytest.fixture
def case(submitted_application: Application) -> Application:
    assert submitted_application.status == Status.AWAITING_CASEWORKER
    return submitted_application


def with_register_salary(application: Application) -> None:
    """The register shows a salary the applicant never declared (and has not seen)."""
    Application.objects.filter(pk=application.pk).update(robot_round=9)
    application.robot_round = 9
    RegisterSnapshot.objects.create(
        application=application,
        source="population",
        round=9,
        status="ok",
        payload={
            "persons": [
                {
                    "personnummer": PNR_ALVA,
                    "found": True,
                    "household": [],
                    "payments": [
                        {
                            "kind": "housing_allowance",
                            "gross": "4100",
                            "tax": "0",
                            "net": "4100",
                            "paid_on": "2026-10-25",
                        }
                    ],
                }
            ]
        },
    )


# --- item 5: kommunicering (FL 25 §) --------------------------------------------------------------


def test_free_text_alone_never_passes_the_kommunicering_gate(
    case: Application, caseworker: User
) -> None:
    """The case page's form: a refusal on unseen register facts with only a written reason
    (the old free-text field and the note) is refused, and nothing is decided."""
    with_register_salary(case)
    response = client_for(caseworker).post(
        reverse("caseworker:case_detail", args=[case.pk]),
        {
            "outcome": "rejected",
            "reason": "Inkomsterna räcker till behovet.",
            "track": "work",
            "months": "1",
            "communication_not_needed": "Uppgifterna saknar betydelse",
            "communication_note": "Uppgifterna saknar betydelse",
        },
    )
    assert response.status_code == 200
    assert "FL 25 §" in response.content.decode()
    assert not Decision.objects.filter(application=case).exists()
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CASEWORKER


@pytest.mark.parametrize(
    ("exception", "note", "message"),
    [
        ("", "Uppgifterna saknar betydelse", "lagens undantag"),
        ("saknar betydelse", "Uppgifterna saknar betydelse", "lagens undantag"),
        (CommunicationException.IRRELEVANT, "  ", "Skriv varför"),
        (CommunicationException.NOT_ADVERSE, "Inte till nackdel.", "går den sökande emot"),
    ],
)
def test_an_exception_needs_a_ground_from_the_list_that_fits_and_a_note(
    case: Application, caseworker: User, exception: str, note: str, message: str
) -> None:
    with_register_salary(case)
    with pytest.raises(DecisionInvalid, match=message):
        decision_record(
            application=case,
            caseworker=caseworker,
            outcome="rejected",
            reason="Nej.",
            track="work",
            communication_exception=exception,
            communication_note=note,
        )
    assert not Decision.objects.filter(application=case).exists()


def test_a_ground_from_the_list_with_a_note_passes_and_is_journalled_and_counted(
    case: Application, caseworker: User, trelleborg: Municipality
) -> None:
    with_register_salary(case)
    decision = decision_record(
        application=case,
        caseworker=caseworker,
        outcome="rejected",
        reason="Nej.",
        track="work",
        communication_exception=CommunicationException.CANNOT_WAIT,
        communication_note="Hyran förfaller i morgon; beslutet kan inte vänta på svar.",
    )
    waiver = CommunicationWaiver.objects.get(decision=decision)
    assert waiver.ground == CommunicationException.CANNOT_WAIT
    assert waiver.author == caseworker
    assert "Bostadsbidrag" in waiver.facts[0]
    journal = JournalEntry.objects.filter(application=case).last().text
    assert "utan kommunicering" in journal
    assert "Avgörandet kan inte skjutas upp" in journal
    assert "Hyran förfaller i morgon" in journal

    page = client_for(caseworker).get(reverse("caseworker:case_detail", args=[case.pk]))
    assert "Beslutat utan kommunicering: Avgörandet kan inte skjutas upp" in page.content.decode()

    stats = month_statistics(municipality_id=trelleborg.pk, month=WEDNESDAY.date())
    assert stats.communication_exceptions == {CommunicationException.CANNOT_WAIT: 1}
    assert "kommunicering_undantag;cannot_wait;1" in statistics_csv(stats)
    assert "kommunicering_undantag;irrelevant;0" in statistics_csv(stats)


def test_an_approval_lowered_by_unseen_register_income_is_a_partial_refusal_to_communicate(
    case: Application, caseworker: User
) -> None:
    """Stranger run: the register's undeclared income lowers the amount, the caseworker approves
    without ticking "delvis avslag": that is still a decision against the applicant resting on
    facts they have not seen."""
    with_register_salary(case)
    # The robot's proposal already counts the register's income (as the robot stores it), so
    # the amount is not below the proposal: only the unseen income makes it adverse.
    calculation = case_calculation_load(case)
    Proposal.objects.filter(application=case).update(
        amount=calculation.caseworker_amount, lines=[dict(line) for line in calculation.lines]
    )
    assert case_calculation_load(case).robot_amount == calculation.caseworker_amount
    with pytest.raises(DecisionInvalid, match="lagens undantag"):
        decision_record(
            application=case, caseworker=caseworker, outcome="approved", reason="Ja.", track="work"
        )
    assert not Decision.objects.filter(application=case).exists()

    decision = decision_record(
        application=case,
        caseworker=caseworker,
        outcome="approved",
        reason="Ja.",
        track="work",
        communication_exception=CommunicationException.CANNOT_WAIT,
        communication_note="Hyran förfaller i morgon.",
    )
    assert decision.partly
    assert CommunicationWaiver.objects.filter(decision=decision).exists()


def test_a_communicated_case_needs_no_exception_and_records_none(
    case: Application, caseworker: User
) -> None:
    """Without unseen register facts there is nothing to waive: no record, no journal line."""
    decision = decision_record(
        application=case,
        caseworker=caseworker,
        outcome="rejected",
        reason="Nej.",
        track="work",
        communication_exception=CommunicationException.IRRELEVANT,
        communication_note="Spelar ingen roll.",
    )
    assert not CommunicationWaiver.objects.filter(decision=decision).exists()


def test_the_exception_travels_with_a_decision_awaiting_a_second_approval(
    case: Application,
    caseworker: User,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
) -> None:
    with_register_salary(case)
    trelleborg.second_approval_limit = Decimal(1)
    trelleborg.save(update_fields=["second_approval_limit"])
    colleague = make_staff("kollega", Role.CASEWORKER, trelleborg)
    line_adjust(
        application=case, code="rent", amount=Decimal(3000), reason="Skälig hyra.", by=caseworker
    )
    page = client_for(caseworker).get(reverse("caseworker:case_detail", args=[case.pk]))
    draft = decision_submit(
        application=case,
        caseworker=caseworker,
        outcome="approved",
        amount=page.context["calculation"].caseworker_amount,
        partly=True,
        reason="Delvis.",
        track="work",
        communication_exception=CommunicationException.IRRELEVANT,
        communication_note="Den delvisa avslagsdelen gäller hyran, inte inkomsten.",
    )
    assert isinstance(draft, DecisionDraft)
    assert draft.communication_exception == CommunicationException.IRRELEVANT
    case.refresh_from_db()
    decision = decision_draft_approve(application=case, by=colleague)
    assert decision.communication_waiver.ground == CommunicationException.IRRELEVANT


# --- item 10: the work/social split ---------------------------------------------------------------


def test_the_first_decision_of_a_case_must_record_a_track(
    case: Application, caseworker: User
) -> None:
    with pytest.raises(DecisionInvalid, match="Välj spår"):
        decision_record(application=case, caseworker=caseworker, outcome="rejected", reason="Nej.")
    with pytest.raises(DecisionInvalid, match="inte har något spår"):
        decision_record(
            application=case,
            caseworker=caseworker,
            outcome="rejected",
            reason="Nej.",
            track=DecisionTrack.NONE,
        )
    assert not Decision.objects.filter(application=case).exists()

    decision = decision_record(
        application=case,
        caseworker=caseworker,
        outcome="rejected",
        reason="Nej.",
        track=DecisionTrack.NONE,
        track_reason="Ålderspensionär: inget arbete eller socialt stöd att planera.",
    )
    assert (decision.track, decision.track_reason) == (
        "none",
        "Ålderspensionär: inget arbete eller socialt stöd att planera.",
    )
    case.refresh_from_db()
    assert case.track == ""
    assert (
        "Spår i beslutet: Inget spår" in JournalEntry.objects.filter(application=case).last().text
    )


def test_the_decision_form_requires_a_track(case: Application, caseworker: User) -> None:
    url = reverse("caseworker:case_detail", args=[case.pk])
    response = client_for(caseworker).post(
        url, {"outcome": "rejected", "reason": "Nej.", "months": "1"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["track"]
    assert not Decision.objects.filter(application=case).exists()
    none_without_reason = client_for(caseworker).post(
        url, {"outcome": "rejected", "reason": "Nej.", "months": "1", "track": "none"}
    )
    assert none_without_reason.context["form"].errors["track_reason"]

    response = client_for(caseworker).post(
        url, {"outcome": "rejected", "reason": "Nej.", "months": "1", "track": "social"}
    )
    assert response.status_code == 302
    assert Decision.objects.get(application=case).track == "social"
    case.refresh_from_db()
    assert case.track == "social"
    assert "Spår i beslutet: Socialt spår" in client_for(caseworker).get(url).content.decode()


def test_later_months_carry_the_cases_track_on(
    case: Application, caseworker: User, decide: Callable[..., Decision]
) -> None:
    decide(case, track=DecisionTrack.BOTH)
    renewal = application_renew(previous=case, month=date(2026, 12, 1))
    assert renewal.track == ""
    assert inherited_track(renewal) == "both"


def test_the_statistics_show_the_split_the_decisions_recorded(
    case: Application,
    caseworker: User,
    trelleborg: Municipality,
    make_draft: Callable[..., Application],
    other_applicant: User,
    submit: Callable[[Application], Application],
    make_staff: Callable[..., User],
    decide: Callable[..., Decision],
) -> None:
    decision_record(
        application=case, caseworker=caseworker, outcome="rejected", reason="Nej.", track="work"
    )
    other = submit(make_draft(other_applicant))
    for warning in CaseWarning.objects.filter(application=other):
        warning_acknowledge(warning=warning, user=caseworker, note="Utrett.")
    # The register's undeclared income makes the approval a partial refusal: kommunicering or
    # one of the law's exceptions first.
    decide(
        other,
        track="none",
        track_reason="Flyttar från kommunen.",
        communication_exception=CommunicationException.CANNOT_WAIT,
        communication_note="Hushållet saknar pengar till mat i dag.",
    )
    stats = month_statistics(municipality_id=trelleborg.pk, month=WEDNESDAY.date())
    assert stats.tracks == {"work": 1, "none": 1}
    assert stats.work_share == Decimal(1)
    assert "spår;none;1" in statistics_csv(stats)
    lead = make_staff("ledare", Role.TEAM_LEAD, trelleborg)
    page = client_for(lead).get(reverse("caseworker:statistics") + "?manad=2026-11")
    html = page.content.decode()
    assert 'id="stat-track-none">1<' in html
    assert 'id="stat-split">100\u00a0% / 0\u00a0%<' in html  # percent, not "1,000" (#18)
