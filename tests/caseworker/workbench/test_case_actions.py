"""The caseworker's case page actions: decide, adjust, partly reject, second approval, section
locks, komplettering, kommunicering, child-impact gate, track, hooks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Municipality, Role, User
from caseworker.decisions.events import decision_signed
from caseworker.decisions.pauses import (
    communication_reply,
    communication_send,
    pauses_resume,
    supplement_received,
    supplement_request,
)
from caseworker.decisions.services import (
    ActionNotAllowed,
    DecisionInvalid,
    SecondApprovalRequired,
    SectionLocked,
    application_track_set,
    child_impact_record,
    communication_needed,
    decision_draft_approve,
    decision_draft_send_back,
    decision_record,
    decision_submit,
    line_adjust,
    section_approve,
)
from caseworker.models import (
    ChildImpactAssessment,
    Communication,
    DecisionDraft,
    DraftStatus,
    JournalEntry,
    LineAdjustment,
    SectionApproval,
    SupplementRequest,
)
from eligibility.models import Proposal, RegisterSnapshot
from intake import services as intake
from intake.models import Application, Decision
from intake.services import MemberInput
from intake.states import Status
from tests.builders import WEDNESDAY, client_for, warnings_acknowledge_all
from tests.conftest import PNR_ALVA, PNR_CHILD

# On the suite's working Wednesday morning, from before the first fixture runs.
pytestmark = pytest.mark.usefixtures("frozen_wednesday")

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TODAY = WEDNESDAY.date()


@pytest.fixture
def colleague(make_staff: Callable[..., User], trelleborg: Municipality) -> User:
    return make_staff("kollega", Role.CASEWORKER, trelleborg)


@pytest.fixture
def case(submitted_application: Application) -> Application:
    assert submitted_application.status == Status.AWAITING_CASEWORKER
    return submitted_application


def proposal_amount(application: Application) -> Decimal:
    return Proposal.objects.filter(application=application).order_by("-round").first().amount


def register_round(application: Application, persons: list[dict]) -> None:
    """Replace the register answers with a round of our own (the population register answers
    with `persons`)."""
    Application.objects.filter(pk=application.pk).update(robot_round=9)
    application.robot_round = 9
    RegisterSnapshot.objects.create(
        application=application,
        source="population",
        round=9,
        status="ok",
        payload={"persons": persons},
    )


def with_undeclared_housing_allowance(application: Application) -> None:
    register_round(
        application,
        [
            {
                "personnummer": PNR_ALVA,
                "found": True,
                "household": [],
                "payments": [
                    {
                        "kind": "housing_allowance",
                        "gross": "2500",
                        "tax": "0",
                        "net": "2500",
                        "paid_on": "2026-10-25",
                    }
                ],
            }
        ],
    )


# --- approve as proposed ---------------------------------------------------------------------


def test_approving_as_proposed_records_the_decision_and_locks_every_section(
    case: Application, caseworker: User
) -> None:
    amount = proposal_amount(case)
    response = client_for(caseworker).post(
        reverse("caseworker:case_detail", args=[case.pk]),
        {
            "track": "work",
            "outcome": "approved",
            "amount": str(amount.quantize(Decimal(1))),
            "months": "1",
            "reason": "Enligt förslaget.",
            "provisions": "4 kap. 1 § SoL",
            "decisive_facts": "Inga inkomster\nHyra 6000 kr",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get(application=case)
    assert (decision.outcome, decision.partly, decision.decided_by) == (
        "approved",
        False,
        caseworker,
    )
    assert decision.provisions == [  # the approval's default provisions first (#16 item 6)
        "Socialtjänstlagen (2025:400), rätten till ekonomiskt bistånd",
        "Socialtjänstförordningen (2025:468) 12 kap. 2–3 §§ (riksnormen)",
        "4 kap. 1 § SoL",
    ]
    assert decision.decisive_facts == ["Inga inkomster", "Hyra 6000 kr"]
    assert set(
        SectionApproval.objects.filter(application=case).values_list("section", flat=True)
    ) == {"calculation", "payment", "decision"}


def test_a_decision_without_reasons_is_refused(case: Application, caseworker: User) -> None:
    with pytest.raises(DecisionInvalid):
        decision_record(
            track="work", application=case, caseworker=caseworker, outcome="rejected", reason=" "
        )
    response = client_for(caseworker).post(
        reverse("caseworker:case_detail", args=[case.pk]), {"outcome": "rejected", "reason": ""}
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert not Decision.objects.exists()


def test_signing_sets_off_the_letter_and_payment_in_the_same_transaction(
    case: Application, caseworker: User
) -> None:
    """A signed decision is announced (`decision_signed`, caseworker.decisions.events); the
    letter and the payment order subscribe. They run inside the decision's transaction: a failing
    payment order undoes the decision."""
    seen: list[tuple[str, int, bool]] = []

    def letter(decision: Decision) -> None:
        seen.append(("letter", decision.pk, Decision.objects.filter(pk=decision.pk).exists()))

    def payment(decision: Decision) -> None:
        seen.append(("payment", decision.pk, Decision.objects.filter(pk=decision.pk).exists()))
        raise RuntimeError("payment failed")

    with decision_signed.overridden(letter, payment), pytest.raises(RuntimeError):
        decision_record(
            track="work",
            application=case,
            caseworker=caseworker,
            outcome="approved",
            reason="Ja.",
        )
    assert [s[0] for s in seen] == ["letter", "payment"]
    assert all(s[2] for s in seen)  # the decision existed inside the transaction ...
    assert not Decision.objects.exists()  # ... and a failing payment order undoes it
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CASEWORKER


def test_the_letter_the_payment_and_the_notice_subscribe_to_a_signed_decision() -> None:
    """Wired in caseworker.apps; the decision code imports none of them."""
    from caseworker.letters.delivery import decision_notice_queue
    from caseworker.letters.tasks import letter_for_decision_queue
    from caseworker.payments.services import payment_order_for_decision

    assert set(decision_signed.handlers) == {
        letter_for_decision_queue,
        payment_order_for_decision,
        decision_notice_queue,
    }


# --- adjust lines ----------------------------------------------------------------------------


def test_adjusting_a_cost_recalculates_in_the_caseworkers_column_and_keeps_the_reason(
    case: Application, caseworker: User
) -> None:
    robot = proposal_amount(case)
    response = client_for(caseworker).post(
        reverse("caseworker:case_calculation", args=[case.pk]),
        {"code": "rent", "amount": "5000", "reason": "Hyresavin visar 5 000 kr."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<section id="case-calculation"')
    calculation = response.context["calculation"]
    assert calculation.robot_amount == robot
    assert calculation.caseworker_amount == robot - 1000
    row = next(r for r in calculation.rows if r.code == "rent")
    assert (row.robot, row.caseworker) == (Decimal(6000), Decimal(5000))
    adjustment = LineAdjustment.objects.get(application=case)
    assert adjustment.reason == "Hyresavin visar 5 000 kr."
    assert JournalEntry.objects.filter(application=case, author=caseworker).exists()
    assert proposal_amount(case) == robot  # the robot's proposal is untouched
    # The decision section learns the new amount at once, out of band (stranger run: it kept
    # showing the old amount until the decision was refused as stale).
    oob = html[html.index('id="decision-amount"') - 3 :]
    assert 'hx-swap-oob="true"' in oob and f"{int(robot) - 1000} kr" in oob


def test_a_robot_refresh_never_overwrites_the_caseworkers_edit(
    case: Application, caseworker: User
) -> None:
    line_adjust(application=case, code="rent", amount=Decimal(5000), reason="Avin.", by=caseworker)
    # The robot refreshes its proposal in place (as assessment_recheck does).
    Proposal.objects.filter(application=case).update(amount=Decimal(1), lines=[])
    response = client_for(caseworker).get(reverse("caseworker:case_calculation", args=[case.pk]))
    calculation = response.context["calculation"]
    assert calculation.robot_amount == Decimal(1)
    assert next(r for r in calculation.rows if r.code == "rent").caseworker == Decimal(5000)
    assert LineAdjustment.objects.filter(application=case).count() == 1


def test_adjusting_an_income_replaces_the_register_and_declared_figures(
    case: Application, caseworker: User
) -> None:
    with_undeclared_housing_allowance(case)
    client = client_for(caseworker)
    before = client.get(reverse("caseworker:case_calculation", args=[case.pk])).context
    line_adjust(
        application=case,
        code="income:housing_allowance",
        amount=Decimal(0),
        reason="Bostadsbidraget har upphört (beslut från FK).",
        by=caseworker,
    )
    after = client.get(reverse("caseworker:case_calculation", args=[case.pk])).context
    assert after["calculation"].caseworker_amount == before["calculation"].caseworker_amount + 2500


def test_an_adjustment_needs_a_reason_and_a_known_line(case: Application, caseworker: User) -> None:
    with pytest.raises(ActionNotAllowed):
        line_adjust(application=case, code="rent", amount=Decimal(1), reason="", by=caseworker)
    with pytest.raises(ActionNotAllowed):
        line_adjust(
            application=case, code="personal_costs", amount=Decimal(1), reason="x", by=caseworker
        )


def test_an_approved_section_is_locked(case: Application, caseworker: User) -> None:
    section_approve(application=case, section="calculation", by=caseworker)
    with pytest.raises(SectionLocked):
        line_adjust(application=case, code="rent", amount=Decimal(1), reason="x", by=caseworker)
    with pytest.raises(SectionLocked):
        section_approve(application=case, section="calculation", by=caseworker)
    response = client_for(caseworker).post(
        reverse("caseworker:case_calculation", args=[case.pk]),
        {"code": "rent", "amount": "1", "reason": "x"},
    )
    assert response.status_code == 200
    assert "låst" in response.content.decode()
    assert not LineAdjustment.objects.exists()


def test_a_decided_case_refuses_a_second_decision_section(
    case: Application, caseworker: User
) -> None:
    decision_record(
        track="work",
        application=case,
        caseworker=caseworker,
        outcome="approved",
        reason="Ja.",
    )
    with pytest.raises(ActionNotAllowed):
        line_adjust(application=case, code="rent", amount=Decimal(1), reason="x", by=caseworker)
    with pytest.raises(ActionNotAllowed):
        section_approve(application=case, section="decision", by=caseworker)


# --- reject fully or partly ------------------------------------------------------------------


def test_approving_less_than_calculated_is_a_partial_rejection(
    case: Application, caseworker: User
) -> None:
    """A lower amount comes from a recorded line adjustment with its reason (#16 item 1), never
    from a total typed into the form."""
    amount = (proposal_amount(case) - 500).quantize(Decimal(1))
    line_adjust(
        application=case, code="rent", amount=Decimal(5500), reason="Skälig hyra.", by=caseworker
    )
    response = client_for(caseworker).post(
        reverse("caseworker:case_detail", args=[case.pk]),
        {
            "track": "work",
            "outcome": "approved",
            "amount": "1",  # a total from the form is never used
            "months": "1",
            "reason": "Hyran godtas inte fullt ut.",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.partly and decision.amount == amount


def test_a_full_rejection_records_no_amount(case: Application, caseworker: User) -> None:
    decision = decision_record(
        track="work",
        application=case,
        caseworker=caseworker,
        outcome="rejected",
        reason="Tillgångar finns.",
    )
    assert decision.amount == 0
    case.refresh_from_db()
    assert case.status == Status.REJECTED


# --- second approval -------------------------------------------------------------------------


def test_an_amount_above_the_limit_waits_for_a_second_caseworker(
    case: Application, caseworker: User, colleague: User
) -> None:
    Municipality.objects.filter(pk=case.municipality_id).update(second_approval_limit=1000)
    case.municipality.refresh_from_db()
    with pytest.raises(SecondApprovalRequired):
        decision_record(
            track="work",
            application=case,
            caseworker=caseworker,
            outcome="approved",
            reason="Ja.",
        )
    draft = decision_submit(
        track="work",
        application=case,
        caseworker=caseworker,
        outcome="approved",
        reason="Ja.",
    )
    assert isinstance(draft, DecisionDraft)
    case.refresh_from_db()
    assert case.status == Status.AWAITING_SECOND_APPROVAL
    with pytest.raises(ActionNotAllowed):  # the same person can never be both
        decision_draft_approve(application=case, by=caseworker)
    decision = decision_draft_approve(application=case, by=colleague)
    assert decision.decided_by == caseworker
    assert (
        SectionApproval.objects.get(application=case, section="decision").approved_by == colleague
    )
    draft.refresh_from_db()
    assert (draft.status, draft.handled_by) == (DraftStatus.APPROVED, colleague)


def test_the_second_caseworker_can_send_a_decision_back(
    case: Application, caseworker: User, colleague: User
) -> None:
    Municipality.objects.filter(pk=case.municipality_id).update(second_approval_limit=1000)
    case.municipality.refresh_from_db()
    decision_submit(
        track="work",
        application=case,
        caseworker=caseworker,
        outcome="approved",
        reason="Ja.",
    )
    response = client_for(colleague).post(
        reverse("caseworker:case_second_approval", args=[case.pk]),
        {"verdict": "send_back", "note": "Kontrollera hyran."},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CASEWORKER
    assert DecisionDraft.objects.get().status == DraftStatus.SENT_BACK
    assert not Decision.objects.exists()
    # The calculation is open again for the proposer.
    line_adjust(application=case, code="rent", amount=Decimal(5000), reason="Avi.", by=caseworker)


def test_a_caseworker_in_introduction_needs_their_mentor_for_every_decision(
    case: Application,
    caseworker: User,
    colleague: User,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
) -> None:
    mentor = make_staff("mentor", Role.CASEWORKER, trelleborg)
    User.objects.filter(pk=caseworker.pk).update(in_introduction=True, mentor=mentor)
    caseworker.refresh_from_db()
    response = client_for(caseworker).post(
        reverse("caseworker:case_detail", args=[case.pk]),
        {
            "track": "work",
            "outcome": "approved",
            "amount": "100",
            "months": "1",
            "reason": "Ja.",
            "partly": "on",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.AWAITING_SECOND_APPROVAL
    with pytest.raises(ActionNotAllowed):
        decision_draft_approve(application=case, by=colleague)  # not the mentor
    response = client_for(mentor).post(
        reverse("caseworker:case_second_approval", args=[case.pk]), {"verdict": "approve"}
    )
    assert response.status_code == 302
    assert Decision.objects.get().decided_by == caseworker


def test_sending_back_needs_a_note(case: Application, caseworker: User, colleague: User) -> None:
    User.objects.filter(pk=caseworker.pk).update(in_introduction=True)
    caseworker.refresh_from_db()
    decision_submit(
        track="work", application=case, caseworker=caseworker, outcome="rejected", reason="Nej."
    )
    with pytest.raises(ActionNotAllowed):
        decision_draft_send_back(application=case, by=colleague, note=" ")


# --- komplettering -----------------------------------------------------------------------------


def test_a_supplement_request_pauses_the_case_until_it_arrives(
    case: Application, caseworker: User, applicant: User
) -> None:
    response = client_for(caseworker).post(
        reverse("caseworker:case_supplement_request", args=[case.pk]),
        {"what": "Hyresavi för november.", "deadline": "2026-11-25"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.AWAITING_SUPPLEMENT
    with pytest.raises(Exception):  # noqa: B017 - no decision while paused
        decision_record(
            track="work", application=case, caseworker=caseworker, outcome="rejected", reason="x"
        )
    supplement_received(application=case, by=applicant)
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CASEWORKER
    request = SupplementRequest.objects.get()
    assert request.resolution == "received"
    assert case.events.last().actor == applicant


def test_a_passed_supplement_deadline_resumes_the_case(
    case: Application, caseworker: User, frozen_wednesday: time_machine.Traveller
) -> None:
    supplement_request(
        application=case, by=caseworker, what="Kontoutdrag.", deadline=TODAY + timedelta(days=2)
    )
    assert pauses_resume()["supplements"] == []  # not before the deadline
    frozen_wednesday.move_to(WEDNESDAY + timedelta(days=3))
    assert pauses_resume()["supplements"] == [case.pk]
    assert pauses_resume()["supplements"] == []  # safe to run twice
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CASEWORKER
    assert SupplementRequest.objects.get().resolution == "deadline_passed"
    assert case.events.last().actor_kind == "system"


def test_a_supplement_deadline_must_be_in_the_future(case: Application, caseworker: User) -> None:
    with pytest.raises(ActionNotAllowed):
        supplement_request(application=case, by=caseworker, what="x", deadline=TODAY)


# --- kommunicering -----------------------------------------------------------------------------


def test_an_adverse_decision_on_unseen_register_facts_needs_kommunicering_first(
    case: Application, caseworker: User, applicant: User
) -> None:
    with_undeclared_housing_allowance(case)
    with pytest.raises(DecisionInvalid, match="kommunicera"):
        decision_record(
            track="work", application=case, caseworker=caseworker, outcome="rejected", reason="Nej."
        )
    page = client_for(caseworker).get(reverse("caseworker:case_detail", args=[case.pk]))
    facts = page.context["uncommunicated_facts"]
    assert len(facts) == 1 and "Bostadsbidrag" in facts[0]

    communication_send(
        application=case, by=caseworker, facts=facts, reply_by=TODAY + timedelta(days=7)
    )
    case.refresh_from_db()
    assert case.status == Status.AWAITING_REPLY

    applicant_client = client_for(applicant)
    url = reverse("application_communication", args=[case.pk])
    assert "Bostadsbidrag" in applicant_client.get(url).content.decode()
    response = applicant_client.post(
        url, {"reply": "", "dispute_0": "on", "note_0": "Bidraget upphörde i oktober."}
    )
    assert response.status_code == 302
    communication = Communication.objects.get()
    assert communication.disputed_facts == [{"fact": 0, "note": "Bidraget upphörde i oktober."}]
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CASEWORKER
    decision = decision_record(
        track="work", application=case, caseworker=caseworker, outcome="rejected", reason="Nej."
    )
    assert decision.outcome == "rejected"


def test_no_decision_while_a_communication_is_open_before_its_deadline(
    case: Application, caseworker: User, frozen_wednesday: time_machine.Traveller
) -> None:
    with_undeclared_housing_allowance(case)
    communication_send(
        application=case,
        by=caseworker,
        # The register facts as the case page words them: the approval below the proposal
        # that follows is a partial refusal resting on them (#16 item 1).
        facts=communication_needed(case),
        reply_by=TODAY + timedelta(days=7),
    )
    case.refresh_from_db()
    with pytest.raises(Exception):  # noqa: B017 - the case waits for the reply
        decision_record(
            track="work",
            application=case,
            caseworker=caseworker,
            outcome="approved",
            reason="Ja.",
        )
    frozen_wednesday.move_to(WEDNESDAY + timedelta(days=6))
    assert pauses_resume()["communications"] == []
    frozen_wednesday.move_to(WEDNESDAY + timedelta(days=8))
    assert pauses_resume()["communications"] == [case.pk]
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CASEWORKER
    assert Communication.objects.get().closed_at is not None
    decision_record(
        track="work",
        application=case,
        caseworker=caseworker,
        outcome="approved",
        reason="Ja.",
    )


def test_only_the_applicant_replies_and_only_once(
    case: Application, caseworker: User, applicant: User, other_applicant: User
) -> None:
    communication = communication_send(
        application=case, by=caseworker, facts=["A."], reply_by=TODAY + timedelta(days=3)
    )
    with pytest.raises(ActionNotAllowed):
        communication_reply(communication=communication, applicant=other_applicant, reply="x")
    assert (
        client_for(other_applicant)
        .get(reverse("application_communication", args=[case.pk]))
        .status_code
        == 404
    )
    communication_reply(communication=communication, applicant=applicant, reply="Stämmer.")
    with pytest.raises(ActionNotAllowed):
        communication_reply(communication=communication, applicant=applicant, reply="Igen.")


# --- child impact ------------------------------------------------------------------------------


@pytest.fixture
def family_case(
    make_draft: Callable[..., Application],
    applicant: User,
    caseworker: User,
    secretary: User,
    django_capture_on_commit_callbacks: Callable,
) -> Application:
    application = make_draft(applicant)
    intake.application_set_household(
        application=application,
        applicant_name=applicant.display_name(),
        others=[MemberInput(role="child", name="Barnet", personnummer=PNR_CHILD)],
    )
    with django_capture_on_commit_callbacks(execute=True):
        intake.application_submit(application=application, applicant=applicant)
    application.refresh_from_db()
    assert application.status == Status.AWAITING_CASEWORKER
    warnings_acknowledge_all(application, caseworker)
    return application


def test_a_rejection_for_a_family_needs_a_child_impact_assessment(
    family_case: Application, caseworker: User
) -> None:
    with pytest.raises(DecisionInvalid, match="barnkonsekvensanalys"):
        decision_record(
            track="work",
            application=family_case,
            caseworker=caseworker,
            outcome="rejected",
            reason="Nej.",
        )
    with pytest.raises(DecisionInvalid, match="barnkonsekvensanalys"):
        decision_record(
            track="work",
            application=family_case,
            caseworker=caseworker,
            outcome="approved",
            reason="Delvis.",
            partly=True,
        )
    response = client_for(caseworker).post(
        reverse("caseworker:case_child_impact", args=[family_case.pk]),
        {"text": "Barnets boende påverkas inte; hyran täcks."},
    )
    assert response.status_code == 302
    assert ChildImpactAssessment.objects.filter(application=family_case).count() == 1
    decision_record(
        track="work",
        application=family_case,
        caseworker=caseworker,
        outcome="rejected",
        reason="Nej.",
    )


def test_an_approval_in_full_for_a_family_needs_no_child_impact_assessment(
    family_case: Application, caseworker: User
) -> None:
    decision_record(
        track="work",
        application=family_case,
        caseworker=caseworker,
        outcome="approved",
        reason="Ja.",
    )


def test_a_child_impact_assessment_needs_text(family_case: Application, caseworker: User) -> None:
    with pytest.raises(ActionNotAllowed):
        child_impact_record(application=family_case, by=caseworker, text="  ")


# --- track, warnings, journal --------------------------------------------------------------------


def test_the_caseworker_routes_a_case_to_the_social_track(
    case: Application, caseworker: User
) -> None:
    response = client_for(caseworker).post(
        reverse("caseworker:case_track", args=[case.pk]),
        {"track": "social", "reason": "Behöver stöd kring boendet."},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.track == "social"
    assert "Socialt spår" in JournalEntry.objects.filter(application=case).last().text
    with pytest.raises(ActionNotAllowed):
        application_track_set(application=case, by=caseworker, track="nowhere")


def test_acknowledging_a_warning_with_htmx_returns_the_warnings_partial(
    case: Application, caseworker: User
) -> None:
    from eligibility.models import CaseWarning

    warning = CaseWarning.objects.create(
        application=case, kind="new_cost", key="new_cost:rent", message="Ny hyra."
    )
    response = client_for(caseworker).post(
        reverse("caseworker:case_warnings", args=[case.pk]),
        {"warning": warning.pk, "note": "Hyresavi finns."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.content.decode().startswith('<section id="case-warnings"')
    warning.refresh_from_db()
    assert (warning.status, warning.acknowledged_by) == ("acknowledged", caseworker)
    assert warning.acknowledge_note == "Hyresavi finns."


def test_a_journal_entry_is_signed_and_a_correction_is_a_new_entry(
    case: Application, caseworker: User
) -> None:
    client = client_for(caseworker)
    url = reverse("caseworker:case_journal", args=[case.pk])
    response = client.post(url, {"text": "Ringde sökanden."}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().startswith('<section id="case-journal"')
    first = JournalEntry.objects.get(text="Ringde sökanden.")
    assert first.author == caseworker
    response = client.post(url, {"text": "Rättelse: ringde den 17:e.", "corrects": first.pk})
    assert response.status_code == 302
    correction = JournalEntry.objects.get(corrects=first)
    first.refresh_from_db()
    assert first.text == "Ringde sökanden."
    assert correction.signed_by == caseworker.display_name()
