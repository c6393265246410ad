"""The applicant's form: one topic per page, saved on the server at every step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Municipality, User
from intake import services
from intake.models import Application, ApplicationKind, MemberRole
from intake.states import Status
from tests.conftest import PNR_BILAL, PNR_CARINA, PNR_CHILD

# Reads today's date: also runs at every moment of the date matrix (tests/clock.py).
pytestmark = [pytest.mark.dates, pytest.mark.django_db]


@pytest.fixture
def logged_in(client: Client, applicant: User) -> Client:
    client.force_login(applicant)
    return client


def url(name: str, application: Application) -> str:
    return reverse(f"intake:{name}", args=[application.pk])


def test_each_topic_has_its_own_page_and_leads_to_the_next(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    flow = [
        ("step_household", {"applicant_name": "Alva A"}, "step_housing"),
        ("step_housing", {"rent": "6500", "electricity": "300"}, "step_other_costs"),
        ("step_other_costs", {"work_travel": "800"}, "step_incomes"),
        ("step_incomes", {"salary": "2000"}, "step_assets"),
        ("step_assets", {"savings": "100"}, "step_payment"),
        ("step_payment", {"bank_account": "6000 123 456 789"}, "step_attachments"),
    ]
    for page, data, following in flow:
        assert logged_in.get(url(page, draft)).status_code == 200
        response = logged_in.post(url(page, draft), data)
        assert response.status_code == 302, page
        assert response.url == url(following, draft)
    draft.refresh_from_db()
    assert (draft.rent, draft.electricity, draft.work_travel) == (
        Decimal(6500),
        Decimal(300),
        Decimal(800),
    )
    assert draft.incomes.get().amount == Decimal(2000)
    applicant.refresh_from_db()
    assert applicant.bank_account == "6000-123456789"


def test_a_partner_and_children_get_their_own_pages(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    response = logged_in.post(
        url("step_household", draft),
        {"applicant_name": "Alva", "has_partner": "on", "has_children": "on"},
    )
    assert response.url == url("step_partner", draft) + "?barn=1"
    response = logged_in.post(
        response.url, {"partner_name": "Bilal Berg", "partner_personnummer": PNR_BILAL}
    )
    assert response.url == url("step_children", draft)
    response = logged_in.post(
        url("step_children", draft),
        {
            "children-TOTAL_FORMS": "1",
            "children-INITIAL_FORMS": "0",
            "children-0-name": "Testa",
            "children-0-personnummer": PNR_CHILD,
        },
    )
    assert response.url == url("step_housing", draft)
    roles = sorted(draft.members.values_list("role", flat=True))
    assert roles == ["applicant", "child", "partner"]


def test_the_applicants_own_personnummer_as_partner_is_an_error_on_the_page_not_a_500(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    """#17 item 4: the partner's personnummer equal to the applicant's gave HTTP 500."""
    draft = make_draft(applicant)
    response = logged_in.post(
        url("step_partner", draft),
        {"partner_name": "Jag själv", "partner_personnummer": applicant.personnummer},
    )
    assert response.status_code == 200
    assert "Personnumret är ditt eget" in response.content.decode()
    assert not draft.members.filter(role=MemberRole.PARTNER).exists()


@pytest.mark.parametrize("second", [PNR_CHILD, PNR_BILAL], ids=["the-same-child", "the-partner"])
def test_a_child_twice_or_the_partner_as_a_child_is_an_error_on_the_page_not_a_500(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User, second: str
) -> None:
    """#17 item 4: the same child twice gave HTTP 500."""
    draft = make_draft(applicant)
    logged_in.post(
        url("step_partner", draft),
        {"partner_name": "Bilal Berg", "partner_personnummer": PNR_BILAL},
    )
    response = logged_in.post(
        url("step_children", draft),
        {
            "children-TOTAL_FORMS": "2",
            "children-INITIAL_FORMS": "0",
            "children-0-name": "Testa",
            "children-0-personnummer": PNR_CHILD,
            "children-1-name": "Testa igen",
            "children-1-personnummer": second,
        },
    )
    assert response.status_code == 200
    assert "Samma personnummer står två gånger i hushållet" in response.content.decode()
    assert not draft.members.filter(role=MemberRole.CHILD).exists()


def test_an_invalid_page_shows_an_error_summary_linking_to_the_field(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    response = logged_in.post(url("step_housing", draft), {"rent": "-5"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary" role="alert" tabindex="-1" autofocus' in page
    assert 'href="#id_rent"' in page
    assert "<title>Fel:" in page


def test_autosave_stores_answers_and_says_when(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    response = logged_in.post(
        reverse("intake:autosave", args=[draft.pk, "housing"]), {"rent": "7100"}
    )
    assert response.status_code == 200
    assert "Sparat kl." in response.content.decode()
    draft.refresh_from_db()
    assert draft.rent == Decimal(7100)


def test_autosave_does_not_store_invalid_answers_and_says_so(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant, rent="6000")
    response = logged_in.post(
        reverse("intake:autosave", args=[draft.pk, "housing"]), {"rent": "abc"}
    )
    assert "Inte sparat än" in response.content.decode()
    draft.refresh_from_db()
    assert draft.rent == Decimal(6000)


def test_autosave_refuses_someone_elses_draft(
    client: Client, make_draft: Callable[..., Application], applicant: User, other_applicant: User
) -> None:
    draft = make_draft(applicant)
    client.force_login(other_applicant)
    response = client.post(reverse("intake:autosave", args=[draft.pk, "housing"]), {"rent": "1"})
    assert response.status_code == 404


def test_the_list_page_offers_to_continue_a_draft(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    make_draft(applicant)
    page = logged_in.get(reverse("intake:application_list")).content.decode()
    assert "Fortsätt din ansökan" in page
    assert "Sparat kl." in page


def test_submitting_a_single_adult_application_shows_the_confirmation(
    logged_in: Client,
    make_draft: Callable[..., Application],
    applicant: User,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    draft = make_draft(applicant)
    with django_capture_on_commit_callbacks(execute=False):
        response = logged_in.post(url("step_review", draft), {"declaration": "on"})
    assert response.url == url("application_sent", draft)
    page = logged_in.get(response.url).content.decode()
    assert "Ansökan är skickad" in page
    assert "inom en arbetsdag" in page and "nästa arbetsdag" in page
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_the_household_is_prefilled_from_the_population_register(
    client: Client, trelleborg: Municipality, other_applicant: User
) -> None:
    client.force_login(other_applicant)  # Bilal: Carina and a child in the fake register
    response = client.post(
        reverse("intake:application_start"),
        {"municipality": trelleborg.pk, "month": date.today().strftime("%Y-%m")},
    )
    application = Application.objects.get(applicant=other_applicant)
    assert response.url == url("step_household", application)
    members = dict(application.members.values_list("personnummer", "role"))
    assert members == {PNR_BILAL: "applicant", PNR_CARINA: "partner", PNR_CHILD: "child"}
    assert application.household_source == "population_register"
    page = client.get(response.url).content.decode()
    assert "Vi har hämtat ditt hushåll från folkbokföringen" in page
    # named, not only a ticked box (#17 item 8)
    assert "<bdi>Carina Dahl</bdi> – make, maka, sambo" in page
    assert "<bdi>Testa Berg</bdi> – barn" in page


def test_an_unavailable_register_leaves_the_household_to_the_applicant(
    client: Client, trelleborg: Municipality, other_applicant: User, settings
) -> None:
    settings.REGISTER_FAKE_FAILURES = {"population": "unavailable"}
    client.force_login(other_applicant)
    client.post(
        reverse("intake:application_start"),
        {"municipality": trelleborg.pk, "month": date.today().strftime("%Y-%m")},
    )
    application = Application.objects.get(applicant=other_applicant)
    assert list(application.members.values_list("role", flat=True)) == [MemberRole.APPLICANT]
    assert application.household_source == ""


@pytest.mark.parametrize(
    ("today", "opens", "months"),
    [
        (date(2026, 11, 14), 15, [date(2026, 11, 1)]),
        (date(2026, 11, 15), 15, [date(2026, 11, 1), date(2026, 12, 1)]),
        (date(2026, 12, 20), 15, [date(2026, 12, 1), date(2027, 1, 1)]),
        (date(2026, 11, 14), 10, [date(2026, 11, 1), date(2026, 12, 1)]),
    ],
)
def test_the_monthly_window_opens_next_month_on_the_municipalitys_day(
    today: date, opens: int, months: list[date]
) -> None:
    assert services.application_months_open(today=today, opens_day=opens) == months


def test_applying_for_next_month_before_the_window_opens_is_refused(
    logged_in: Client, trelleborg: Municipality, applicant: User
) -> None:
    trelleborg.application_window_opens_day = 28
    trelleborg.save()
    import time_machine

    with time_machine.travel(date(2026, 11, 3), tick=False):
        response = logged_in.post(
            reverse("intake:application_start"), {"municipality": trelleborg.pk, "month": "2026-12"}
        )
    assert response.url == reverse("intake:application_list")
    assert not Application.objects.filter(applicant=applicant).exists()


def test_a_renewal_asks_whether_anything_changed(
    logged_in: Client, submitted_application: Application, applicant: User
) -> None:
    assert submitted_application.month == date(2026, 11, 1)
    following = date(2026, 12, 1)
    import time_machine

    with time_machine.travel(date(2026, 11, 20), tick=False):  # the window for December is open
        response = logged_in.post(
            reverse("intake:application_start"),
            {
                "municipality": submitted_application.municipality_id,
                "month": following.strftime("%Y-%m"),
            },
        )
        renewal = Application.objects.get(applicant=applicant, month=following)
        assert renewal.kind == ApplicationKind.RENEWAL
        assert response.url == url("application_changes", renewal)
        page = logged_in.get(response.url).content.decode()
        assert "Har något ändrats?" in page and "6\u00a0000\u00a0kr" in page
        changes = response.url
        assert logged_in.post(changes, {"changed": "no"}).url == url("step_attachments", renewal)
        assert logged_in.post(changes, {"changed": "yes"}).url == url("step_household", renewal)
        assert logged_in.post(changes, {}).status_code == 400


def test_withdrawing_a_draft(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    logged_in.post(url("application_withdraw", draft))
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN


def test_the_accessibility_statement_stores_feedback(client: Client) -> None:
    from intake.models import AccessibilityFeedback

    page = client.get("/tillganglighet/").content.decode()
    assert "Rapportera brister" in page
    assert client.post("/tillganglighet/", {"message": ""}).status_code == 400
    response = client.post("/tillganglighet/", {"message": "Knappen syns inte", "page": "/x"})
    assert response.status_code == 302
    assert AccessibilityFeedback.objects.get().message == "Knappen syns inte"


def test_every_page_links_the_accessibility_statement(client: Client) -> None:
    assert 'href="/tillganglighet/"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("typed", "stored"), [("6500,50", "6500.50"), ("6 500", "6500"), ("6 500 kr", "6500")]
)
def test_rent_written_the_swedish_way_is_stored_as_meant(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User, typed, stored
) -> None:
    draft = make_draft(applicant)
    response = logged_in.post(url("step_housing", draft), {"rent": typed})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.rent == Decimal(stored)


def test_an_ambiguous_rent_is_refused_with_what_to_write_and_nothing_stored(
    logged_in: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant, rent="6000")
    response = logged_in.post(url("step_housing", draft), {"rent": "6.500"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Det går inte att se om 6.500 betyder" in page
    assert 'value="6.500"' in page and 'type="number"' not in page
    draft.refresh_from_db()
    assert draft.rent == Decimal(6000)
