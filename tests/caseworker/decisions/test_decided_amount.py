"""The amount decided (#16 item 1): always computed on the server from the stored calculation
and the caseworker's recorded line adjustments; a total from a form is never trusted, and a
calculation that changed after the page was opened is shown, not silently used or ignored."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Municipality, Role, User
from caseworker.decisions.calculation import case_calculation_load
from caseworker.decisions.services import (
    CalculationChanged,
    DecisionInvalid,
    child_impact_record,
    decision_draft_approve,
    decision_submit,
    line_adjust,
)
from caseworker.letters.refusals import refused_parts
from caseworker.letters.render import letter_context
from caseworker.models import DecisionDraft
from intake.models import Application, Decision, DecisionOutcome
from intake.states import Status
from tests.builders import client_for, household_case_make

pytestmark = pytest.mark.usefixtures("frozen_wednesday")

REASON = "Bistånd enligt riksnormen och skäliga kostnader."


@pytest.fixture
def case(trelleborg: Municipality, caseworker: User) -> Application:
    """A single adult with rent and a 300 kr electricity bill, as the robot proposed it."""
    return household_case_make(
        trelleborg, caseworker, costs={"rent": Decimal(6000), "electricity": Decimal(300)}
    )


def proposed(case: Application) -> Decimal:
    return Decimal(case.proposals.get().amount)


def test_an_approval_takes_the_amount_and_lines_from_the_adjusted_calculation(
    case: Application, caseworker: User, django_capture_on_commit_callbacks: Callable
) -> None:
    line_adjust(
        application=case,
        code="electricity",
        amount=Decimal(900),
        reason="Elräkning.",
        by=caseworker,
    )

    with django_capture_on_commit_callbacks(execute=True):
        decision = decision_submit(
            application=case, caseworker=caseworker, outcome="approved", reason=REASON
        )

    assert isinstance(decision, Decision)
    assert decision.amount == proposed(case) + 600
    assert not decision.partly
    letter = letter_context(decision)
    electricity = [line for line in letter["lines"] if line["code"] == "electricity"]
    assert [(line["label"], Decimal(line["amount"])) for line in electricity] == [
        ("Hushållsel", Decimal(900))
    ]
    assert sum(Decimal(line["amount"]) for line in letter["lines"]) == decision.amount


def test_a_total_the_caseworker_did_not_see_computed_is_refused(
    case: Application, caseworker: User
) -> None:
    with pytest.raises(CalculationChanged):
        decision_submit(
            application=case,
            caseworker=caseworker,
            outcome="approved",
            reason=REASON,
            amount=proposed(case) + 5000,
        )
    assert not Decision.objects.filter(application=case).exists()


def test_a_lower_amount_comes_from_an_adjusted_line_and_is_a_partial_refusal(
    case: Application, caseworker: User
) -> None:
    line_adjust(
        application=case, code="rent", amount=Decimal(5000), reason="Hyresavi.", by=caseworker
    )

    decision = decision_submit(
        application=case, caseworker=caseworker, outcome="approved", reason=REASON
    )

    assert isinstance(decision, Decision)
    assert (decision.amount, decision.partly) == (proposed(case) - 1000, True)


def test_a_post_after_the_calculation_changed_decides_nothing_and_says_what_changed(
    case: Application, caseworker: User
) -> None:
    client = client_for(caseworker)
    url = reverse("caseworker:case_detail", args=[case.pk])
    seen = client.get(url).context["form"].initial["calculation"]
    before = proposed(case)
    # Meanwhile (another tab, or a colleague) the electricity line is raised by 600 kr.
    line_adjust(
        application=case,
        code="electricity",
        amount=Decimal(900),
        reason="Elräkning.",
        by=caseworker,
    )

    response = client.post(
        url,
        {
            "outcome": "approved",
            "amount": str(before),  # an old client's total: ignored
            "months": "1",
            "reason": REASON,
            "calculation": seen,
            "track": "work",
        },
    )

    assert response.status_code == 200
    assert not Decision.objects.filter(application=case).exists()
    page = response.content.decode()
    assert f"Beloppet har ändrats från {before:.0f} kr till {before + 600:.0f} kr" in page
    form = response.context["form"]
    assert form["calculation"].value() == case_calculation_load(case).version
    assert "Hushållsel: 900 kr" in form["decisive_facts"].value()


def test_the_post_with_the_current_calculation_decides_its_amount(
    case: Application, caseworker: User
) -> None:
    client = client_for(caseworker)
    url = reverse("caseworker:case_detail", args=[case.pk])
    line_adjust(
        application=case,
        code="electricity",
        amount=Decimal(900),
        reason="Elräkning.",
        by=caseworker,
    )
    seen = client.get(url).context["form"].initial["calculation"]

    client.post(
        url,
        {
            "outcome": "approved",
            "amount": "99",  # never trusted
            "months": "1",
            "reason": REASON,
            "calculation": seen,
            "track": "work",
        },
    )

    decision = Decision.objects.get(application=case)
    assert decision.amount == proposed(case) + 600


def test_a_draft_carries_the_computed_amount_and_its_approval_checks_it_again(
    case: Application,
    caseworker: User,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
) -> None:
    User.objects.filter(pk=caseworker.pk).update(in_introduction=True)
    caseworker.refresh_from_db()
    second = make_staff("attest", Role.CASEWORKER, trelleborg)
    line_adjust(
        application=case,
        code="electricity",
        amount=Decimal(900),
        reason="Elräkning.",
        by=caseworker,
    )

    draft = decision_submit(
        application=case, caseworker=caseworker, outcome="approved", reason=REASON
    )

    assert isinstance(draft, DecisionDraft)
    assert draft.amount == proposed(case) + 600
    # The calculation changes under the draft (the rent in the application is corrected).
    Application.objects.filter(pk=case.pk).update(rent=Decimal(5500))
    case.refresh_from_db()
    with pytest.raises(CalculationChanged, match=r"från .* kr till .* kr"):
        decision_draft_approve(application=case, by=second)
    assert not Decision.objects.filter(application=case).exists()
    case.refresh_from_db()
    assert case.status == Status.AWAITING_SECOND_APPROVAL


def test_an_unchanged_draft_is_approved_with_its_amount(
    case: Application,
    caseworker: User,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
) -> None:
    User.objects.filter(pk=caseworker.pk).update(in_introduction=True)
    caseworker.refresh_from_db()
    second = make_staff("attest", Role.CASEWORKER, trelleborg)
    draft = decision_submit(
        application=case, caseworker=caseworker, outcome=DecisionOutcome.APPROVED, reason=REASON
    )
    assert isinstance(draft, DecisionDraft)

    decision = decision_draft_approve(application=case, by=second)

    assert decision.amount == draft.amount == case_calculation_load(case).caseworker_amount


def test_an_approval_with_a_capped_cost_is_a_partial_refusal_on_the_page_and_in_the_letter(
    trelleborg: Municipality, caseworker: User, django_capture_on_commit_callbacks: Callable
) -> None:
    """Stranger run: a cost granted with less than asked (the housing cap, or as here the
    caseworker's adjustment) was approved as "Beviljat" on the case page while the letter said
    "beviljas delvis". One rule now decides both; with children the partial refusal first needs
    a child impact assessment."""
    case = household_case_make(
        trelleborg, caseworker, child_ages=(6,), costs={"rent": Decimal(8000)}
    )
    line_adjust(
        application=case,
        code="rent",
        amount=Decimal(6500),
        reason="Skälig boendekostnad för hushållets storlek.",
        by=caseworker,
    )
    with pytest.raises(DecisionInvalid, match="barnkonsekvensanalys"):
        decision_submit(application=case, caseworker=caseworker, outcome="approved", reason=REASON)
    child_impact_record(application=case, by=caseworker, text="Barnet bor kvar.")

    with django_capture_on_commit_callbacks(execute=True):
        decision = decision_submit(
            application=case, caseworker=caseworker, outcome="approved", reason=REASON
        )

    assert isinstance(decision, Decision)
    assert decision.partly
    assert [part.code for part in refused_parts(decision)] == ["rent"]
