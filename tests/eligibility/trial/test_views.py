"""The public trial calculation at /provrakning/: no login, nothing stored, Swedish and English."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Municipality, User
from eligibility.models import HouseholdType, HousingCostCap, MunicipalNormSettings, Proposal
from intake.models import Application

# Reads today's date: also runs at every moment of the date matrix (tests/clock.py).
pytestmark = pytest.mark.dates

URL = "/provrakning/"
NOTICE_SV = "Det här är en provräkning, inte ett beslut."
NOTICE_EN = "This is a trial calculation, not a decision."


def _calculation(client: Client, **params: str) -> dict:
    response = client.post(URL, params)
    assert response.status_code == 200
    assert "calculation" in response.context, response.context["form"].errors
    return response.context["calculation"]


@pytest.mark.django_db
def test_empty_page_shows_the_form_and_the_notice_without_login(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert NOTICE_SV in content
    assert 'method="post"' in content  # incomes never in the address (#17)
    assert 'id="trial-result"' not in content


@pytest.mark.django_db
def test_month_defaults_to_the_current_month(client: Client) -> None:
    with time_machine.travel(datetime(2026, 3, 15, 12, tzinfo=ZoneInfo("Europe/Stockholm"))):
        response = client.get(URL)
    assert 'value="2026-03"' in response.content.decode()


@pytest.mark.django_db
def test_single_adult_without_costs_in_january_2026_gets_5220(client: Client) -> None:
    calculation = _calculation(client, month="2026-01", adults="1")
    assert calculation["result"].amount == Decimal(5220)
    content = client.post(URL, {"month": "2026-01", "adults": "1"}).content.decode()
    assert 'id="trial-result"' in content
    assert "Personliga kostnader, ensamstående vuxen" in content
    assert "5\xa0220" in content  # Swedish grouping


@pytest.mark.django_db
def test_couple_with_children_costs_and_income_is_calculated(client: Client) -> None:
    calculation = _calculation(
        client,
        month="2026-01",
        adults="2",
        child1_age="4",
        child1_lunch="on",
        child2_age="12",
        cost_rent="7000",
        cost_electricity="300",
        income_child_allowance="2500",
    )
    # couple 7 100 + child 4-6 with preschool lunch 2 720 + child 11-14 4 380 + 4 persons 2 020
    # + rent 7 000 + electricity 300 - child allowance 2 500
    assert calculation["result"].amount == Decimal(7100 + 2720 + 4380 + 2020 + 7000 + 300 - 2500)


@pytest.mark.django_db
def test_flags_are_explained_in_plain_swedish(client: Client) -> None:
    response = client.post(URL, {"month": "2026-01", "savings": "10000"})
    content = response.content.decode()
    assert "Sparade pengar räknas av" in content
    assert "savings_counted" not in content


@pytest.mark.django_db
def test_chosen_municipality_caps_the_rent(client: Client, trelleborg: Municipality) -> None:
    settings_row = MunicipalNormSettings.objects.create(
        municipality=trelleborg, valid_from=date(2026, 1, 1)
    )
    HousingCostCap.objects.create(
        settings=settings_row, household_type=HouseholdType.ONE_ADULT, max_amount=Decimal(5065)
    )
    calculation = _calculation(
        client, month="2026-01", municipality=str(trelleborg.pk), cost_rent="6000"
    )
    assert calculation["result"].amount == Decimal(5220 + 5065)
    assert "housing_cost_capped" in calculation["result"].flags
    without = _calculation(client, month="2026-01", cost_rent="6000")
    assert without["result"].amount == Decimal(5220 + 6000)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"month": "2026-13"}, "month"),
        ({"month": "2018-05"}, "month"),  # no riksnorm table covers 2018
        ({"month": "2026-01", "child1_age": "8", "child1_lunch": "on"}, "child1_lunch"),
        ({"month": "2026-01", "child1_lunch": "on"}, "child1_age"),
        ({"month": "2026-01", "cost_rent": "-5"}, "cost_rent"),
        ({"month": "2026-01", "child1_age": "21"}, "child1_age"),
    ],
    ids=["bad_month", "month_without_norm", "lunch_too_old", "lunch_no_age", "negative", "age"],
)
def test_invalid_input_shows_errors_and_no_result(client: Client, params: dict, field: str) -> None:
    response = client.post(URL, params)
    assert response.status_code == 200
    assert "calculation" not in response.context
    assert field in response.context["form"].errors
    assert "Något behöver rättas" in response.content.decode()


@pytest.mark.django_db
def test_nothing_is_written_to_the_database(client: Client, trelleborg: Municipality) -> None:
    models = (Application, Proposal, Session, User, MunicipalNormSettings, Municipality)
    before = {model: model.objects.count() for model in models}
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
        client.post(URL, {"month": "2026-01", "municipality": str(trelleborg.pk), "savings": "1"})
    assert {model: model.objects.count() for model in models} == before
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE", "REPLACE"}
    ]
    assert writes == []


@pytest.mark.django_db
def test_english_from_the_language_cookie(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = client.post(URL, {"month": "2026-01"}).content.decode()
    assert NOTICE_EN in content
    assert '<html lang="en"' in content
    assert "Adults in the household" in content
    assert "How we calculated" in content
    assert NOTICE_SV not in content


@pytest.mark.django_db
def test_language_switcher_sets_the_cookie_and_returns_to_the_page(client: Client) -> None:
    content = client.post(URL, {"month": "2026-01"}).content.decode()
    assert 'action="/i18n/setlang/"' in content
    assert 'value="en"' in content
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/provrakning/?month=2026-01"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/provrakning/?month=2026-01"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert NOTICE_EN in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_home_page_links_to_the_trial_calculation(client: Client) -> None:
    assert f'href="{URL}"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_incomes_in_the_address_are_not_read(client: Client) -> None:
    """#17: a link with a household's figures in it calculates nothing."""
    response = client.get(URL, {"month": "2026-01", "savings": "10000", "income_salary": "9000"})
    assert response.status_code == 200
    assert "calculation" not in response.context
