"""The municipality's dated settings: chosen by month, capped by household type, validated."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import Municipality, Role, User
from eligibility.models import (
    HouseholdType,
    HousingCostCap,
    MunicipalCostItem,
    MunicipalNormSettings,
    Proposal,
)
from eligibility.rules import ExtraCostItem, Member, MunicipalPolicy
from eligibility.selectors import household_type_for, policy_for
from intake import services as intake
from intake.models import Application
from tests.conftest import PASSWORD, PNR_CHILD

# Reads today's date: also runs at every moment of the date matrix (tests/clock.py).
pytestmark = pytest.mark.dates

# Malmö 2018's published highest reasonable housing costs (DOMAIN.md).
MALMO_CAPS = {
    HouseholdType.ONE_ADULT: "5065",
    HouseholdType.TWO_ADULTS: "6220",
    HouseholdType.CHILDREN_1: "7500",
    HouseholdType.CHILDREN_2: "8975",
    HouseholdType.CHILDREN_3: "10450",
}


def _settings(
    municipality: Municipality,
    valid_from: date,
    *,
    caps: dict[str, str] | None = None,
    buffer: str = "0",
    items: tuple[tuple[str, str, str, str], ...] = (),
) -> MunicipalNormSettings:
    settings = MunicipalNormSettings.objects.create(
        municipality=municipality, valid_from=valid_from, asset_buffer=Decimal(buffer)
    )
    for household_type, amount in (caps or {}).items():
        HousingCostCap.objects.create(
            settings=settings, household_type=household_type, max_amount=Decimal(amount)
        )
    for code, label, amount, per in items:
        MunicipalCostItem.objects.create(
            settings=settings, code=code, label=label, amount=Decimal(amount), per=per
        )
    return settings


def _members(*roles: str) -> list[Member]:
    ages = {"applicant": 35, "partner": 35, "child": 8, "adult": 22}
    return [Member(role=role, age=ages[role]) for role in roles]


# --- choosing the settings in force -----------------------------------------------------------


def test_settings_in_force_are_the_latest_valid_from_on_or_before_the_month(
    trelleborg: Municipality,
) -> None:
    _settings(trelleborg, date(2026, 1, 1), caps={HouseholdType.ONE_ADULT: "5000"})
    _settings(trelleborg, date(2026, 7, 1), caps={HouseholdType.ONE_ADULT: "5400"})
    single = _members("applicant")

    def cap(month: date) -> Decimal | None:
        return policy_for(municipality=trelleborg, month=month, members=single).max_housing_cost

    assert cap(date(2025, 12, 1)) is None
    assert cap(date(2026, 1, 1)) == Decimal("5000")
    assert cap(date(2026, 6, 1)) == Decimal("5000")
    assert cap(date(2026, 7, 1)) == Decimal("5400")
    assert cap(date(2027, 3, 1)) == Decimal("5400")


def test_no_settings_give_the_engines_neutral_policy(trelleborg: Municipality) -> None:
    policy = policy_for(
        municipality=trelleborg, month=date(2026, 1, 1), members=_members("applicant")
    )
    assert policy == MunicipalPolicy()


def test_another_municipalitys_settings_are_not_used(
    trelleborg: Municipality, svedala: Municipality
) -> None:
    _settings(svedala, date(2026, 1, 1), caps={HouseholdType.ONE_ADULT: "4000"}, buffer="500")
    policy = policy_for(
        municipality=trelleborg, month=date(2026, 3, 1), members=_members("applicant")
    )
    assert policy == MunicipalPolicy()


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (("applicant",), "5065"),
        (("applicant", "partner"), "6220"),
        (("applicant", "child"), "7500"),
        (("applicant", "partner", "child"), "7500"),
        (("applicant", "child", "child"), "8975"),
        (("applicant", "partner", "child", "child", "child"), "10450"),
        # A lodger (role "adult") is their own case and does not change the household type.
        (("applicant", "adult"), "5065"),
    ],
)
def test_housing_cap_is_chosen_by_household_type(
    trelleborg: Municipality, roles: tuple[str, ...], expected: str
) -> None:
    _settings(trelleborg, date(2018, 1, 1), caps=MALMO_CAPS)
    policy = policy_for(municipality=trelleborg, month=date(2026, 1, 1), members=_members(*roles))
    assert policy.max_housing_cost == Decimal(expected)


def test_a_household_type_without_a_cap_row_is_not_capped(trelleborg: Municipality) -> None:
    _settings(trelleborg, date(2018, 1, 1), caps=MALMO_CAPS)  # no row for 4+ children
    members = _members("applicant", "child", "child", "child", "child")
    assert household_type_for(members) == HouseholdType.CHILDREN_4_PLUS
    policy = policy_for(municipality=trelleborg, month=date(2026, 1, 1), members=members)
    assert policy.max_housing_cost is None


def test_buffer_and_cost_items_become_the_engines_policy(trelleborg: Municipality) -> None:
    _settings(
        trelleborg,
        date(2026, 1, 1),
        buffer="2000",
        items=(("bus_card", "Busskort Skånetrafiken", "595", "adult"),),
    )
    policy = policy_for(
        municipality=trelleborg, month=date(2026, 2, 1), members=_members("applicant")
    )
    assert policy.asset_buffer == Decimal("2000")
    assert policy.extra_cost_items == (
        ExtraCostItem(code="bus_card", label="Busskort Skånetrafiken", amount=Decimal("595")),
    )


def test_policy_for_reads_settings_once_then_from_the_reference_cache(
    trelleborg: Municipality, django_assert_num_queries: Callable
) -> None:
    _settings(trelleborg, date(2026, 1, 1), caps=MALMO_CAPS, items=(("x", "X", "1", "adult"),))
    with django_assert_num_queries(3):  # the municipality's settings rows, caps, items
        policy_for(municipality=trelleborg, month=date(2026, 1, 1), members=_members("applicant"))
    with django_assert_num_queries(0):  # any month, any household type: cached
        policy_for(municipality=trelleborg, month=date(2025, 1, 1), members=_members("applicant"))
        policy_for(
            municipality=trelleborg,
            month=date(2026, 3, 1),
            members=_members("applicant", "partner"),
        )


def test_a_saved_setting_is_seen_at_once_in_this_process(trelleborg: Municipality) -> None:
    before = policy_for(
        municipality=trelleborg, month=date(2026, 1, 1), members=_members("applicant")
    )
    assert before.max_housing_cost is None
    _settings(trelleborg, date(2026, 1, 1), caps=MALMO_CAPS)
    after = policy_for(
        municipality=trelleborg, month=date(2026, 1, 1), members=_members("applicant")
    )
    assert after.max_housing_cost is not None


# --- the robot uses them ------------------------------------------------------------------------


@pytest.fixture
def submit(
    caseworker: User, secretary: User, django_capture_on_commit_callbacks: Callable
) -> Callable[[Application, User], Proposal]:
    def run(application: Application, applicant: User) -> Proposal:
        with django_capture_on_commit_callbacks(execute=True):
            intake.application_submit(application=application, applicant=applicant)
        return Proposal.objects.get(application=application)

    return run


def test_robot_caps_rent_at_the_single_adult_cap(
    trelleborg: Municipality,
    applicant: User,
    make_draft: Callable[..., Application],
    submit: Callable[[Application, User], Proposal],
) -> None:
    _settings(trelleborg, date(2026, 1, 1), caps=MALMO_CAPS)
    proposal = submit(make_draft(applicant, rent="6000"), applicant)
    assert "housing_cost_capped" in proposal.flags
    # 2026 single adult 3 940 + 1 280, rent 6 000 capped at 5 065.
    assert proposal.amount == Decimal(5220 + 5065)
    assert {"code": "rent", "amount": 5065}.items() <= next(
        line for line in proposal.lines if line["code"] == "rent"
    ).items()


def test_robot_caps_rent_by_the_households_type_with_a_child(
    trelleborg: Municipality,
    applicant: User,
    make_draft: Callable[..., Application],
    submit: Callable[[Application, User], Proposal],
) -> None:
    _settings(trelleborg, date(2026, 1, 1), caps=MALMO_CAPS)
    application = make_draft(applicant, rent="8000")
    intake.application_set_household(
        application=application,
        applicant_name="Alva Andersson",
        others=[intake.MemberInput(role="child", name="Testa", personnummer=PNR_CHILD)],
    )
    proposal = submit(application, applicant)
    assert "housing_cost_capped" in proposal.flags
    rent = next(line for line in proposal.lines if line["code"] == "rent")
    assert rent["amount"] == 7500


def test_robot_does_not_cap_rent_below_the_cap_and_adds_cost_items(
    trelleborg: Municipality,
    applicant: User,
    make_draft: Callable[..., Application],
    submit: Callable[[Application, User], Proposal],
) -> None:
    _settings(
        trelleborg,
        date(2026, 1, 1),
        caps=MALMO_CAPS,
        items=(("bus_card", "Busskort", "595", "adult"),),
    )
    proposal = submit(make_draft(applicant, rent="5000"), applicant)
    assert "housing_cost_capped" not in proposal.flags
    assert proposal.amount == Decimal(5220 + 5000 + 595)
    assert any(line["code"] == "municipal:bus_card" for line in proposal.lines)


def test_robot_uses_no_cap_before_the_settings_apply(
    trelleborg: Municipality,
    applicant: User,
    make_draft: Callable[..., Application],
    submit: Callable[[Application, User], Proposal],
) -> None:
    _settings(trelleborg, date(2026, 12, 1), caps=MALMO_CAPS)
    proposal = submit(make_draft(applicant, month=date(2026, 11, 1), rent="6000"), applicant)
    assert "housing_cost_capped" not in proposal.flags
    assert proposal.amount == Decimal(5220 + 6000)


# --- validation (models, database, admin) -------------------------------------------------------


def test_valid_from_must_be_the_first_of_a_month(trelleborg: Municipality) -> None:
    settings = MunicipalNormSettings(municipality=trelleborg, valid_from=date(2026, 1, 15))
    with pytest.raises(ValidationError) as error:
        settings.full_clean()
    assert "valid_from" in error.value.message_dict


@pytest.mark.parametrize(
    "make",
    [
        lambda s: MunicipalNormSettings(
            municipality=s.municipality, valid_from=date(2026, 2, 1), asset_buffer=Decimal(-1)
        ),
        lambda s: HousingCostCap(
            settings=s, household_type=HouseholdType.ONE_ADULT, max_amount=Decimal(-1)
        ),
        lambda s: MunicipalCostItem(settings=s, code="bus", label="Buss", amount=Decimal(-1)),
    ],
    ids=["asset_buffer", "housing_cap", "cost_item"],
)
def test_negative_amounts_are_refused(trelleborg: Municipality, make: Callable) -> None:
    settings = _settings(trelleborg, date(2026, 1, 1))
    with pytest.raises(ValidationError):
        make(settings).full_clean()


def test_cost_item_code_must_be_a_lower_case_code(trelleborg: Municipality) -> None:
    settings = _settings(trelleborg, date(2026, 1, 1))
    item = MunicipalCostItem(settings=settings, code="Bus card", label="Buss", amount=Decimal(1))
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "code" in error.value.message_dict


def test_database_refuses_two_settings_for_the_same_municipality_and_month(
    trelleborg: Municipality,
) -> None:
    _settings(trelleborg, date(2026, 1, 1))
    with pytest.raises(IntegrityError):
        _settings(trelleborg, date(2026, 1, 1))


@pytest.fixture
def admin_client_for_settings(client, db: None):
    admin = User.objects.create_superuser(
        username="systemforvaltare", password=PASSWORD, role=Role.ADMIN
    )
    client.force_login(admin)
    return client


def _admin_post(municipality: Municipality, valid_from: str, caps: list[tuple[str, str]]) -> dict:
    data = {
        "municipality": municipality.pk,
        "valid_from": valid_from,
        "asset_buffer": "0",
        "decided_by": "Socialnämnden 2018-01-01",
        "housing_caps-TOTAL_FORMS": str(len(caps)),
        "housing_caps-INITIAL_FORMS": "0",
        "cost_items-TOTAL_FORMS": "1",
        "cost_items-INITIAL_FORMS": "0",
        "cost_items-0-code": "bus_card",
        "cost_items-0-label": "Busskort",
        "cost_items-0-amount": "595",
        "cost_items-0-per": "adult",
    }
    for i, (household_type, amount) in enumerate(caps):
        data[f"housing_caps-{i}-household_type"] = household_type
        data[f"housing_caps-{i}-max_amount"] = amount
    return data


def test_admin_saves_malmos_caps_with_inlines(
    admin_client_for_settings, trelleborg: Municipality
) -> None:
    response = admin_client_for_settings.post(
        "/admin/eligibility/municipalnormsettings/add/",
        _admin_post(trelleborg, "2018-01-01", list(MALMO_CAPS.items())),
    )
    assert response.status_code == 302, response.context["errors"]
    settings = MunicipalNormSettings.objects.get()
    assert {c.household_type: str(int(c.max_amount)) for c in settings.housing_caps.all()} == {
        str(k): v for k, v in MALMO_CAPS.items()
    }
    assert settings.cost_items.get().code == "bus_card"


@pytest.mark.parametrize(
    ("valid_from", "caps", "message"),
    [
        (
            "2018-01-15",
            [(HouseholdType.ONE_ADULT, "5065")],
            "Inställningar gäller från den första dagen i en månad.",
        ),
        ("2018-01-01", [(HouseholdType.ONE_ADULT, "-1")], "större än eller lika med 0"),
        (
            "2018-01-01",
            [(HouseholdType.ONE_ADULT, "5065"), (HouseholdType.ONE_ADULT, "5000")],
            "duplikatdata för household_type",
        ),
    ],
    ids=["not_first_of_month", "negative_cap", "same_type_twice"],
)
def test_admin_refuses_invalid_settings(
    admin_client_for_settings, trelleborg: Municipality, valid_from: str, caps: list, message: str
) -> None:
    response = admin_client_for_settings.post(
        "/admin/eligibility/municipalnormsettings/add/", _admin_post(trelleborg, valid_from, caps)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MunicipalNormSettings.objects.exists()


def test_admin_refuses_a_second_row_for_the_same_month(
    admin_client_for_settings, trelleborg: Municipality
) -> None:
    _settings(trelleborg, date(2018, 1, 1))
    response = admin_client_for_settings.post(
        "/admin/eligibility/municipalnormsettings/add/", _admin_post(trelleborg, "2018-01-01", [])
    )
    assert response.status_code == 200
    assert "finns redan" in response.content.decode()
    assert MunicipalNormSettings.objects.count() == 1
