"""#17: where the applicant's journey broke: the municipality, the payment account, implausible
households, the step counter, the back link and resuming where one left off."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Municipality, User
from intake import events
from intake.models import Application, MemberRole
from tests.conftest import PNR_CHILD

pytestmark = [pytest.mark.dates, pytest.mark.django_db]

PNR_51 = "197501011006"  # 51 in 2026
PNR_46 = "198001011009"


@pytest.fixture
def logged_in(client: Client, applicant: User) -> Client:
    client.force_login(applicant)
    return client


def url(name: str, application: Application) -> str:
    return reverse(f"intake:{name}", args=[application.pk])


def selected(page: str) -> list[str]:
    return re.findall(r'<option value="(\d*)" selected>', page)


def test_the_municipality_is_the_one_the_population_register_gives(
    logged_in: Client, trelleborg: Municipality, svedala: Municipality
) -> None:
    page = logged_in.get(reverse("intake:application_list")).content.decode()
    assert selected(page) == [str(trelleborg.pk)]  # Alva is registered in Trelleborg (1287)
    assert "Enligt folkbokföringen bor du i <bdi>Trelleborg</bdi>" in page


def test_without_an_answer_from_the_register_nothing_is_chosen_and_choosing_is_required(
    logged_in: Client, trelleborg: Municipality, svedala: Municipality
) -> None:
    with events.registered_municipality.overridden(lambda query: None):
        page = logged_in.get(reverse("intake:application_list")).content.decode()
    assert selected(page) == [""]
    assert "Välj kommun" in page
    response = logged_in.post(reverse("intake:application_start"), {"month": "2026-11"})
    assert response.status_code == 302
    assert not Application.objects.exists()
    assert "Välj kommunen där du bor." in logged_in.get(response.url).content.decode()


def test_registered_in_a_municipality_not_served_here_says_where_to_apply(
    logged_in: Client, trelleborg: Municipality
) -> None:
    with events.registered_municipality.overridden(lambda query: "0180"):
        page = logged_in.get(reverse("intake:application_list")).content.decode()
    assert "inte tar emot ansökningar här" in page
    assert selected(page) == [""]


def test_check_answers_shows_the_municipality_and_it_can_be_changed(
    logged_in: Client,
    make_draft: Callable[..., Application],
    applicant: User,
    svedala: Municipality,
) -> None:
    draft = make_draft(applicant)
    page = logged_in.get(url("step_review", draft)).content.decode()
    assert "<bdi>Trelleborg</bdi>" in page and url("step_municipality", draft) in page
    response = logged_in.post(url("step_municipality", draft), {"municipality": svedala.pk})
    assert response.url == url("step_review", draft)
    draft.refresh_from_db()
    assert draft.municipality == svedala
    assert logged_in.post(url("step_municipality", draft), {"municipality": "x"}).status_code == 400


def test_the_payment_account_is_checked_by_the_banks_rules(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    refused = logged_in.post(url("step_payment", draft), {"bank_account": "6000-123456788"})
    assert refused.status_code == 200
    assert "kontrollsiffran är fel" in refused.content.decode()
    applicant.refresh_from_db()
    assert applicant.bank_account == ""
    response = logged_in.post(url("step_payment", draft), {"bank_account": "6000 123 456 789"})
    assert response.url == url("step_attachments", draft)
    applicant.refresh_from_db()
    assert applicant.bank_account == "6000-123456789"
    page = logged_in.get(url("step_review", draft)).content.decode()
    assert "<bdi>6000-123456789</bdi>" in page


def test_unanswered_steps_are_marked_on_check_answers_not_shown_as_zero(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    page = logged_in.get(url("step_review", draft)).content.decode()
    assert "Några frågor är inte besvarade" in page
    assert page.count("Inte besvarat.") == 5  # housing, other costs, incomes, assets, payment
    for step, data in [
        ("step_housing", {"rent": "6000"}),
        ("step_other_costs", {}),
        ("step_incomes", {}),
        ("step_assets", {}),
        ("step_payment", {}),
    ]:
        logged_in.post(url(step, draft), data)
    page = logged_in.get(url("step_review", draft)).content.decode()
    assert "Inte besvarat." not in page
    assert "Inget bankkonto: handläggaren hör av sig" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"partner_name": "Nio År", "partner_personnummer": PNR_CHILD}, "minst 18 år"),
    ],
)
def test_a_partner_who_is_a_child_is_refused_on_the_page(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User, data, message
) -> None:
    draft = make_draft(applicant)
    response = logged_in.post(url("step_partner", draft), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not draft.members.filter(role=MemberRole.PARTNER).exists()


def test_a_child_aged_51_is_refused_on_the_page(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    response = logged_in.post(
        url("step_children", draft),
        {
            "children-TOTAL_FORMS": "1",
            "children-INITIAL_FORMS": "0",
            "children-0-name": "Vuxen Son",
            "children-0-personnummer": PNR_51,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Barn i ansökan ska vara under 21 år" in page and "Något behöver rättas" in page
    assert not draft.members.filter(role=MemberRole.CHILD).exists()


def test_the_step_count_stays_the_same_when_a_partner_is_added(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    before = logged_in.get(url("step_housing", draft)).content.decode()
    logged_in.post(url("step_household", draft), {"applicant_name": "Alva A", "has_partner": "on"})
    logged_in.post(
        url("step_partner", draft), {"partner_name": "P P", "partner_personnummer": PNR_46}
    )
    partner_page = logged_in.get(url("step_partner", draft)).content.decode()
    after = logged_in.get(url("step_housing", draft)).content.decode()
    assert "Steg 2 av 8" in before and "Steg 2 av 8" in after
    assert "Steg 1 av 8" in partner_page
    # the back link goes to the page before
    assert f'class="back-link" href="{url("step_partner", draft)}"' in after


def test_resuming_lands_on_the_first_unanswered_step(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    logged_in.post(url("step_household", draft), {"applicant_name": "Alva A"})
    logged_in.post(url("step_housing", draft), {"rent": "6000"})
    response = logged_in.get(url("application_resume", draft))
    assert response.url == url("step_other_costs", draft)
    page = logged_in.get(reverse("intake:application_list")).content.decode()
    assert url("application_resume", draft) in page


def test_before_starting_the_home_page_says_what_to_have_ready_and_whom_to_call(
    client: Client, trelleborg: Municipality
) -> None:
    trelleborg.contact_phone = "031-390 06 10"
    trelleborg.phone_hours = "måndag–fredag 9–11"
    trelleborg.save()
    page = client.get(reverse("home")).content.decode()
    assert "Innan du börjar" in page and "ungefär 10 minuter" in page
    assert "ditt bankkontonummer med clearingnummer" in page
    assert 'href="tel:0313900610"' in page and "måndag–fredag 9–11" in page
    assert page.count("Inloggning för personal") == 1  # once, in the header
    assert reverse("privacy") in page


def test_the_privacy_notice_names_the_registers_the_legal_basis_retention_and_rights(
    client: Client, settings: object
) -> None:
    settings.RETENTION_CASE_YEARS = 5  # type: ignore[attr-defined]
    page = client.get(reverse("privacy")).content.decode()
    for said in (
        "artikel 6.1 e",
        "Försäkringskassan",
        "CSN",
        "Arbetsförmedlingen",
        "A-kassorna",
        "Transportstyrelsen",
        "Migrationsverket",
        "sparas i <bdi>5</bdi> år",
        "Integritetsskyddsmyndigheten",
        "en människa beslutar",
    ):
        assert said in page, said


def test_incomes_are_prefilled_from_forsakringskassan_and_a_change_asks_why(
    client: Client, trelleborg: Municipality, other_applicant: User
) -> None:
    """Bilal: Försäkringskassan pays him child allowance (1 250 kr) and Carina, his partner in
    the population register, sickness benefit (6 120 kr net)."""
    client.force_login(other_applicant)
    client.post(reverse("intake:application_start"), {"municipality": trelleborg.pk})
    draft = Application.objects.get(applicant=other_applicant)
    assert draft.prefilled_incomes == {"child_allowance": "1250", "sickness_benefit": "6120"}
    page = client.get(url("step_incomes", draft)).content.decode()
    assert "Vi hämtade 1250 kr från Försäkringskassan" in page
    assert 'value="1250"' in page and 'value="6120"' in page
    refused = client.post(
        url("step_incomes", draft), {"child_allowance": "0", "sickness_benefit": "6120"}
    )
    assert "Skriv varför" in refused.content.decode()
    assert draft.incomes.get(type="child_allowance").amount == 1250
    client.post(
        url("step_incomes", draft),
        {"child_allowance": "0", "sickness_benefit": "6120", "change_reason": "Barnet flyttade."},
    )
    draft.refresh_from_db()
    assert not draft.incomes.filter(type="child_allowance").exists()
    assert draft.income_change_note == "Barnet flyttade."


def test_errors_say_what_to_do_not_djangos_generic_wording(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    page = logged_in.post(url("step_household", draft), {"applicant_name": ""}).content.decode()
    assert "Skriv ditt namn." in page and "Detta fält måste fyllas i" not in page
    page = logged_in.post(url("step_partner", draft), {}).content.decode()
    assert "Skriv partnerns namn." in page and "Skriv partnerns personnummer." in page


def test_preschool_lunch_for_a_nine_year_old_is_refused_on_the_page_not_by_the_robot(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    response = logged_in.post(
        url("step_children", draft),
        {
            "children-TOTAL_FORMS": "1",
            "children-INITIAL_FORMS": "0",
            "children-0-name": "Testa Berg",
            "children-0-personnummer": PNR_CHILD,  # 9 years old
            "children-0-preschool_lunch": "on",
        },
    )
    assert "Lunch i förskolan gäller barn upp till 6 år" in response.content.decode()
    assert not draft.members.filter(role=MemberRole.CHILD).exists()


def test_check_answers_shows_ore_and_groups_thousands_never_rounding(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    """Stranger run: rent "6500,50" showed as "6501 kr" on the page the applicant signs."""
    draft = make_draft(applicant)
    logged_in.post(url("step_housing", draft), {"rent": "6500,50"})
    page = logged_in.get(url("step_review", draft)).content.decode()
    assert "6\u00a0500,50\u00a0kr" in page and "6501" not in page


def test_where_the_municipality_pays_to_the_registered_account_no_account_is_needed(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    draft.municipality.pays_to_registered_account = True
    draft.municipality.save(update_fields=["pays_to_registered_account"])
    page = logged_in.get(url("step_payment", draft)).content.decode()
    assert "Kommunen betalar till det konto du har kopplat till ditt personnummer" in page
    logged_in.post(url("step_payment", draft), {"bank_account": ""})
    review = logged_in.get(url("step_review", draft)).content.decode()
    assert "Till kontot som är kopplat till ditt personnummer hos din bank." in review
