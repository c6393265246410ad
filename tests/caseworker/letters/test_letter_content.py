"""The letter's legal content (#16 item 6): provisions for every decision type, each refused part
with what was asked, what was granted and why, no surplus line that reads as a grant in a
refusal, a standing decision's whole period, the municipality's postal address, who attested
and when, no payment date without a bank account, and money as "3 940 kr"."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Municipality, Role, User
from caseworker.decisions.services import decision_draft_approve, decision_submit, line_adjust
from caseworker.letters.reasons import SOL
from caseworker.letters.render import letter_context, letter_html
from eligibility.models import CaseWarning, HousingCostCap, MunicipalNormSettings
from eligibility.robot.warnings import warning_acknowledge
from intake import services as intake
from intake.models import Application, Decision
from tests.builders import client_for

pytestmark = pytest.mark.usefixtures("frozen_wednesday", "private_media", "no_stickprov")

NBSP = "\u00a0"
ADDRESS = "Socialnämnden\nBox 123\n231 83 Trelleborg"


def calculated(application: Application, user: User) -> Decimal:
    """The amount the case page shows in the caseworker's column (what a decision takes)."""
    page = client_for(user).get(reverse("caseworker:case_detail", args=[application.pk]))
    return page.context["calculation"].caseworker_amount


def acknowledged(application: Application, user: User) -> Application:
    for warning in CaseWarning.objects.filter(application=application):
        if warning.acknowledged_at is None:
            warning_acknowledge(warning=warning, user=user, note="Utrett.")
    return application


@pytest.fixture
def capped_case(
    make_draft: Callable[..., Application],
    applicant: User,
    caseworker: User,
    trelleborg: Municipality,
    submit: Callable[[Application], Application],
) -> Application:
    """Rent 5 400 kr against the municipality's cap of 5 065 kr for one adult."""
    settings_row = MunicipalNormSettings.objects.create(
        municipality=trelleborg, valid_from=make_draft.__defaults__[0]
    )
    HousingCostCap.objects.create(
        settings=settings_row, household_type="one_adult", max_amount=Decimal(5065)
    )
    return acknowledged(submit(make_draft(applicant, rent="5400")), caseworker)


def test_a_capped_rent_is_a_refused_part_with_asked_granted_why_and_provisions(
    capped_case: Application, caseworker: User, decide: Callable[..., Decision]
) -> None:
    decision = decide(capped_case, amount=calculated(capped_case, caseworker))
    context = letter_context(decision)

    [part] = context["refused_parts"]
    assert (part.label, part.asked_text, part.granted_text) == (
        "Hyra",
        f"5{NBSP}400{NBSP}kr",
        f"5{NBSP}065{NBSP}kr",
    )
    assert f"5{NBSP}065{NBSP}kr" in part.reason and "skälig" in part.reason
    assert "Kommunens riktlinjer för skälig boendekostnad" in part.provisions
    assert "delvis" in context["outcome_text"]
    assert decision.partly  # the case page says what the letter says (stranger run)
    html = letter_html(decision)
    assert "Avslag på en del av ansökan" in html
    assert f"3{NBSP}940{NBSP}kr" in html  # the adult's norm, with a non-breaking space


def test_a_caseworker_change_shows_its_label_and_reason(
    capped_case: Application, caseworker: User, decide: Callable[..., Decision]
) -> None:
    line_adjust(
        application=capped_case,
        code="rent",
        amount=Decimal(4000),
        reason="Hyran delas med en inneboende.",
        by=caseworker,
    )
    decision = decide(capped_case, amount=calculated(capped_case, caseworker), partly=True)
    context = letter_context(decision)

    [part] = context["refused_parts"]
    assert (part.asked, part.granted) == (Decimal(5400), Decimal(4000))
    assert part.reason == "Hyran delas med en inneboende."
    assert part.provisions == (SOL,)
    [change] = context["adjustments"]
    assert (change.label, change.amount_text) == ("Hyra", f"4{NBSP}000{NBSP}kr")
    assert change.reason == "Hyran delas med en inneboende."
    html = letter_html(decision)
    assert "Hyran delas med en inneboende." in html
    assert "Handläggarens bedömning" not in html  # no opaque difference line


def test_every_decision_carries_provisions_by_default(
    submitted_application: Application, decide: Callable[..., Decision]
) -> None:
    decision = decide(submitted_application, provisions=[])
    assert SOL in decision.provisions
    assert any("riksnormen" in p for p in decision.provisions)
    assert SOL in letter_context(decision)["provisions"]


def test_a_chosen_standard_reason_gives_its_provisions(
    submitted_application: Application, decide: Callable[..., Decision]
) -> None:
    decision = decide(
        submitted_application,
        outcome="rejected",
        reason_template="rejected_missing_supplement",
        provisions=["Kommunens riktlinjer"],
    )
    assert decision.provisions == [
        SOL,
        "Förvaltningslagen (2017:900) 23 § (utredningsansvar)",
        "Kommunens riktlinjer",
    ]


def test_a_refusal_prints_no_surplus_line_that_reads_as_a_grant(
    make_draft: Callable[..., Application],
    applicant: User,
    caseworker: User,
    submit: Callable[[Application], Application],
    decide: Callable[..., Decision],
) -> None:
    draft = make_draft(applicant)
    intake.application_set_incomes(application=draft, incomes={"salary": Decimal(15000)})
    application = acknowledged(submit(draft), caseworker)
    decision = decide(application, outcome="rejected", reason="Inkomsterna räcker.")

    context = letter_context(decision)
    assert not any("täcker behovet" in line["label"] for line in context["lines"])
    assert any("högre än behovet" in note for note in context["notes"])
    assert "Inkomsterna täcker behovet" not in letter_html(decision)


def test_a_standing_decision_states_its_whole_period(
    submitted_application: Application, decide: Callable[..., Decision]
) -> None:
    decision = decide(submitted_application, months=3)
    context = letter_context(decision)
    assert "november 2026 – januari 2027 (3 månader)" in context["outcome_text"]
    assert "per månad" in context["outcome_text"]
    assert "november 2026 – januari 2027" in letter_html(decision)


def test_the_letter_gives_the_postal_address_for_appeals_and_questions(
    approved: Decision, trelleborg: Municipality
) -> None:
    trelleborg.postal_address = ADDRESS
    trelleborg.save(update_fields=["postal_address"])
    approved.application.municipality.refresh_from_db()
    html = letter_html(approved)
    assert "Box 123, 231 83 Trelleborg" in html  # with the appeal
    assert '<address id="postal-address">Socialnämnden<br>Box 123<br>231 83 Trelleborg' in html


def test_the_letter_says_who_attested_and_when(
    submitted_application: Application,
    caseworker: User,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    trelleborg.second_approval_limit = Decimal(1)
    trelleborg.save(update_fields=["second_approval_limit"])
    colleague = make_staff("kollega", Role.CASEWORKER, trelleborg)
    decision_submit(
        application=submitted_application,
        caseworker=caseworker,
        outcome="approved",
        amount=calculated(submitted_application, caseworker),
        reason="Ja.",
        track="work",
    )
    submitted_application.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        decision = decision_draft_approve(application=submitted_application, by=colleague)
    text = letter_context(decision)["attest_text"]
    who = colleague.display_name()
    assert text == f"Beslutet har attesterats den 18 november 2026 av {who}, handläggare."


def test_no_payment_date_is_promised_without_a_bank_account(
    submitted_application: Application, applicant: User, decide: Callable[..., Decision]
) -> None:
    applicant.bank_account = ""
    applicant.save(update_fields=["bank_account"])
    decision = decide(submitted_application)
    text = letter_context(decision)["payment_text"]
    assert "betalas ut den" not in text
    assert "bankkontonummer" in text


def test_a_payment_date_is_given_with_a_bank_account(
    submitted_application: Application, applicant: User, decide: Callable[..., Decision]
) -> None:
    applicant.bank_account = "6000-123456789"
    applicant.save(update_fields=["bank_account"])
    decision = decide(submitted_application)
    assert letter_context(decision)["payment_text"].startswith("Pengarna betalas ut den ")


def test_money_in_free_text_is_printed_as_the_letter_prints_money(
    submitted_application: Application, decide: Callable[..., Decision]
) -> None:
    decision = decide(
        submitted_application,
        reason="Beviljat 10695 kr för månaden.",
        decisive_facts=["Personliga kostnader, ensamstående vuxen: 3940 kr"],
    )
    context = letter_context(decision)
    assert context["reason_paragraphs"] == [f"Beviljat 10{NBSP}695{NBSP}kr för månaden."]
    assert context["decisive_facts"] == [
        f"Personliga kostnader, ensamstående vuxen: 3{NBSP}940{NBSP}kr"
    ]
