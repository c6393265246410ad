"""#18: the case page's first screen (who, what is asked, the proposal in one sentence, what
needs attention, the decision), the logged personnummer reveal and the structured journal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse

from accounts.models import Municipality, User
from caseworker.audit.log import journal_write
from caseworker.decisions.services import decision_journal_text, line_adjust
from caseworker.models import AccessAction, AccessLog, JournalCategory, JournalEntry
from caseworker.workbench import case_summary
from eligibility.models import CaseWarning
from intake import services as intake
from intake.models import Application, Decision, MemberRole
from intake.states import Status
from tests.builders import case_make, client_for

pytestmark = [pytest.mark.usefixtures("frozen_wednesday", "private_media", "no_stickprov")]


@pytest.fixture
def renewal(
    approved: Decision, applicant: User, django_capture_on_commit_callbacks: Callable
) -> Application:
    with django_capture_on_commit_callbacks(execute=True):
        application = intake.application_renew(
            previous=approved.application, month=date(2026, 12, 1)
        )
        intake.application_submit(application=application, applicant=applicant)
    application.refresh_from_db()
    assert application.status == Status.AWAITING_CASEWORKER
    return application


# --- plain functions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked", "whole"),
    [
        ("198503122389", "19850312-••••", "19850312-2389"),
        ("8503122389", "850312-••••", "850312-2389"),
        ("", "••••", ""),
    ],
)
def test_a_personnummer_is_masked_to_its_birth_date(number: str, masked: str, whole: str) -> None:
    assert case_summary.masked_personnummer(number) == masked
    assert case_summary.formatted_personnummer(number) == whole


@pytest.mark.parametrize(
    ("roles", "text"),
    [
        ([MemberRole.APPLICANT], "1 vuxen"),
        ([MemberRole.APPLICANT, MemberRole.PARTNER], "2 vuxna"),
        ([MemberRole.APPLICANT, MemberRole.CHILD], "1 vuxen, 1 barn"),
        ([MemberRole.APPLICANT, MemberRole.PARTNER, *[MemberRole.CHILD] * 3], "2 vuxna, 3 barn"),
    ],
)
def test_the_household_is_counted_with_plurals(roles: list[str], text: str) -> None:
    assert case_summary.household_text([SimpleNamespace(role=r) for r in roles]) == text


def _calc(amount: int, *lines: tuple[str, int], mine: int | None = None) -> SimpleNamespace:
    return SimpleNamespace(
        robot_amount=Decimal(amount),
        caseworker_amount=Decimal(amount if mine is None else mine),
        adjusted=mine is not None,
        lines=[{"kind": kind, "amount": str(value)} for kind, value in lines],
    )


def test_the_proposal_is_one_sentence_with_need_income_and_amount() -> None:
    proposal = SimpleNamespace(amount=Decimal(7000))
    with_income = case_summary.proposal_sentence(
        proposal=proposal,
        calculation=_calc(7000, ("norm", 4000), ("cost", 6000), ("income", -3000)),
    )
    assert with_income == (
        "Roboten föreslår 7\u00a0000\u00a0kr: behovet 10\u00a0000\u00a0kr (riksnorm och "
        "skäliga kostnader) minus inkomster 3\u00a0000\u00a0kr."
    )
    none = case_summary.proposal_sentence(
        proposal=proposal, calculation=_calc(0, ("norm", 4000), ("income", -5000))
    )
    assert none.startswith("Roboten föreslår inget försörjningsstöd")
    assert case_summary.proposal_sentence(proposal=None, calculation=None) == (
        "Roboten har inte räknat ännu."
    )
    # After a change every figure is the caseworker's, so the sentence adds up (#18).
    changed = case_summary.proposal_sentence(
        proposal=proposal,
        calculation=_calc(7000, ("norm", 4000), ("cost", 5000), ("income", -3000), mine=6000),
    )
    assert changed == (
        "Med dina ändringar blir det 6\u00a0000\u00a0kr: behovet 9\u00a0000\u00a0kr "
        "(riksnorm och skäliga kostnader) minus inkomster 3\u00a0000\u00a0kr. Roboten föreslog "
        "7\u00a0000\u00a0kr."
    )


# --- the page -----------------------------------------------------------------------------------


def test_a_clean_renewal_has_the_approval_on_the_first_screen_and_it_decides(
    renewal: Application, caseworker: User
) -> None:
    client = client_for(caseworker)
    url = reverse("caseworker:case_detail", args=[renewal.pk])
    page = client.get(url)
    html = page.content.decode()
    quick = page.context["quick"]
    assert quick is not None and quick["track"] == "work" and quick["amount"] > 0
    # The first screen comes before the details, and the approval before the long form.
    assert html.index('id="case-who"') < html.index('id="quick-decision"')
    assert html.index('id="quick-decision"') < html.index('id="declared-heading"')
    assert "Inga öppna varningar, frister eller kopplade ärenden." in html
    form = {
        "attempt": "quick-1",
        "calculation": quick["version"],
        "outcome": "approved",
        "months": "1",
        "reason_template": quick["reason_template"],
        "decisive_facts": quick["facts"],
        "reason": quick["reason"],
        "track": quick["track"],
    }
    response = client.post(url, form)
    assert response.status_code == 302
    decision = Decision.objects.get(application=renewal)
    assert decision.amount == quick["amount"] and decision.decided_by == caseworker
    assert decision.decisive_facts == quick["facts"].split("\n")
    # A second press of the same form (double click) decides nothing more.
    again = client.post(url, form, follow=True)
    assert Decision.objects.filter(application=renewal).count() == 1
    assert "redan beslutat" in again.content.decode()


def test_an_open_warning_replaces_the_approval_with_what_to_do(
    renewal: Application, caseworker: User
) -> None:
    CaseWarning.objects.create(
        application=renewal, kind="new_cost", key="new_cost:x", message="Ny hyra."
    )
    page = client_for(caseworker).get(reverse("caseworker:case_detail", args=[renewal.pk]))
    assert page.context["quick"] is None
    html = page.content.decode()
    assert "1 varning att kvittera med en kommentar" in html
    assert 'href="#case-warnings"' in html


def test_a_new_application_without_a_track_asks_for_it_on_the_first_screen(
    submitted_application: Application, caseworker: User
) -> None:
    for warning in submitted_application.warnings.all():
        warning.status = "acknowledged"
        warning.save()
    page = client_for(caseworker).get(
        reverse("caseworker:case_detail", args=[submitted_application.pk])
    )
    quick = page.context["quick"]
    if quick is None:
        pytest.skip("the robot's proposal for this household is not an approval")
    assert quick["track"] == ""
    assert 'name="track" value="work"' in page.content.decode()


def test_the_personnummer_is_masked_and_a_reveal_is_logged_with_and_without_htmx(
    trelleborg: Municipality, caseworker: User
) -> None:
    case = case_make(trelleborg, caseworker)
    number = case.applicant.personnummer
    whole = case_summary.formatted_personnummer(number)
    client = client_for(caseworker)
    url = reverse("caseworker:case_detail", args=[case.pk])
    reveal = reverse("caseworker:case_personnummer", args=[case.pk])
    html = client.get(url).content.decode()
    assert case_summary.masked_personnummer(number) in html and whole not in html
    # htmx: the number replaces the mask.
    partial = client.post(reveal, HTTP_HX_REQUEST="true")
    assert whole in partial.content.decode()
    # Without JavaScript: the page shows it once, then masked again.
    assert client.post(reveal).status_code == 302
    assert whole in client.get(url).content.decode()
    assert whole not in client.get(url).content.decode()
    # A GET reveals nothing and logs nothing.
    assert client.get(reveal).status_code == 405
    logged = AccessLog.objects.filter(application=case, action=AccessAction.VIEW_PERSONNUMMER)
    assert logged.count() == 2 and {row.user_id for row in logged} == {caseworker.pk}


# --- the journal --------------------------------------------------------------------------------


def test_actions_write_the_journal_in_their_category(
    renewal: Application, caseworker: User, decide: Callable[..., Decision]
) -> None:
    line_adjust(
        application=renewal,
        code="electricity",
        amount=Decimal(400),
        reason="Elräkningen visar 400 kr.",
        by=caseworker,
    )
    decision = decide(renewal, amount=None, calculation_seen="")
    categories = list(
        JournalEntry.objects.filter(application=renewal).values_list("category", flat=True)
    )
    assert JournalCategory.CALCULATION in categories
    assert JournalCategory.DECISION in categories
    entry = JournalEntry.objects.get(
        application=renewal, category=JournalCategory.DECISION, text__startswith="Beslut: "
    )
    assert entry.text == decision_journal_text(decision)
    assert "Beviljat" in entry.text and "december 2026" in entry.text
    assert caseworker.display_name() in entry.text


def test_a_note_or_a_contact_is_written_with_its_category_and_the_journal_filters(
    renewal: Application, caseworker: User
) -> None:
    client = client_for(caseworker)
    url = reverse("caseworker:case_journal", args=[renewal.pk])
    client.post(url, {"text": "Ringde om hyran.", "category": "contact"})
    client.post(url, {"text": "Hyresavin kom per post."})
    assert list(
        JournalEntry.objects.filter(application=renewal, author=caseworker)
        .order_by("id")
        .values_list("category", "text")
    ) == [("contact", "Ringde om hyran."), ("note", "Hyresavin kom per post.")]
    page = client.get(reverse("caseworker:case_detail", args=[renewal.pk]) + "?journal=contact")
    journal = [entry.text for entry in page.context["journal"]]
    assert journal == ["Ringde om hyran."]
    assert "Kontakt med sökanden (1)" in page.content.decode()
    # An unknown category shows everything rather than nothing.
    everything = client.get(reverse("caseworker:case_detail", args=[renewal.pk]) + "?journal=x")
    assert len(everything.context["journal"]) >= 2


def test_journal_write_refuses_an_unknown_category(renewal: Application) -> None:
    with pytest.raises(ValueError):
        journal_write(application=renewal, text="x", author=None, category="gossip")


def test_the_approval_reason_names_the_housing_cost_the_calculation_accepted(
    renewal: Application, caseworker: User
) -> None:
    """#18 stranger run: the reason said the declared rent "har räknats med" after the
    caseworker had lowered it; the first screen's approval goes away when the amount is below
    the robot's (a partial refusal needs the full form)."""
    line_adjust(
        application=renewal,
        code="rent",
        amount=renewal.rent + 500,
        reason="Hyresavin visar en högre hyra.",
        by=caseworker,
    )
    page = client_for(caseworker).get(reverse("caseworker:case_detail", args=[renewal.pk]))
    quick = page.context["quick"]
    accepted = f"{int(renewal.rent + 500):,}".replace(",", "\u00a0")
    assert quick is not None and f"boendekostnaden {accepted}\u00a0kr" in quick["reason"]
    assert page.context["proposal_sentence"].startswith("Med dina ändringar blir det")
    line_adjust(
        application=renewal,
        code="rent",
        amount=renewal.rent - 1000,
        reason="Hyran delas med en inneboende.",
        by=caseworker,
    )
    lower = client_for(caseworker).get(reverse("caseworker:case_detail", args=[renewal.pk]))
    assert lower.context["quick"] is None


def test_acknowledging_a_warning_refreshes_the_first_screen_out_of_band(
    renewal: Application, caseworker: User
) -> None:
    warning = CaseWarning.objects.create(
        application=renewal, kind="new_cost", key="new_cost:x", message="Ny hyra."
    )
    response = client_for(caseworker).post(
        reverse("caseworker:case_warnings", args=[renewal.pk]),
        {"warning": warning.pk, "note": "Hyresavin finns."},
        headers={"HX-Request": "true", "HX-Target": "case-warnings"},
    )
    html = response.content.decode()
    assert 'id="case-proposal"' in html and 'hx-swap-oob="true"' in html
    assert "varning att kvittera" not in html and 'id="quick-decision"' in html


def test_a_line_is_changed_in_whole_kronor(renewal: Application, caseworker: User) -> None:
    response = client_for(caseworker).post(
        reverse("caseworker:case_calculation", args=[renewal.pk]),
        {"code": "rent", "amount": "4 500,50", "reason": "Hyresavi."},
    )
    assert "Skriv beloppet i hela kronor, utan ören." in response.content.decode()
    assert not renewal.line_adjustments.exists()


def test_register_labels_follow_the_staff_members_language() -> None:
    """#18 stranger run: register labels stayed Swedish on English and Arabic staff pages."""
    from django.utils import translation

    from caseworker.workbench.register_facts import label, readable

    with translation.override("en"):
        assert label("registered") == "Registered as a jobseeker"
        assert readable(True) == "Yes"
    with translation.override("sv"):
        assert label("registered") == "Inskriven som arbetssökande"
