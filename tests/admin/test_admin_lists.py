"""The admin is for configuration and must be useful to the person who configures (#18): every
registered model's list, add and change pages answer; people are shown and chosen by name and
role, never by the e-ID username with its personnummer; the decisions list says which case,
what, how much, for which month, when and by whom; records are shown and never changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.admin_fields import person_label, person_name
from accounts.models import Municipality, Role, SecondFactorActivation, User
from caseworker.models.letters import DecisionLetter, ReasonTemplate
from caseworker.models.payments import PaymentFile, PaymentOrder
from eligibility.models import MunicipalNormSettings
from intake.models import ApplicationEvent, Decision
from intake.models.decisions import DecisionOutcome
from meetings.models import Absence, CalendarFeed, ClosingDay, Meeting, NeedsScreen, Room
from operations.models import MaintenanceBanner
from tests.accounts.test_admin_records import CONFIGURATION, READ_ONLY
from tests.builders import case_make, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser(
        username="forvaltare", password="x", role=Role.ADMIN, first_name="Frida", last_name="Drift"
    )


@pytest.fixture
def client(superuser: User) -> Client:
    return client_for(superuser)


@pytest.fixture
def records(
    trelleborg: Municipality,
    caseworker: User,
    secretary: User,
    applicant: User,
    superuser: User,
    make_staff: Callable[..., User],
) -> dict[str, models.Model]:
    """One row of every registered model, the applicant logged in with e-ID ("eid-…")."""
    assert applicant.username.startswith("eid-")
    rejected_case = case_make(trelleborg, caseworker, applicant=applicant)
    approved_case = case_make(trelleborg, caseworker, month=date(2026, 12, 1))
    rejection = Decision.objects.create(
        application=rejected_case,
        outcome=DecisionOutcome.REJECTED,
        reason="Inkomsterna räcker.",
        decided_by=caseworker,
    )
    automated = Decision.objects.create(
        application=approved_case,
        outcome=DecisionOutcome.APPROVED,
        amount=Decimal("6500"),
        reason="Beviljas enligt förslaget.",
        automated_function="Återansökan",
        rule_version="2026.1",
        delegation_reference="SN § 12",
    )
    room = Room.objects.create(municipality=trelleborg, name="Rum 1")
    starts = timezone.now() + timedelta(days=1)
    lead = make_staff("gruppledare", Role.TEAM_LEAD, trelleborg)
    return {
        "accounts.Municipality": trelleborg,
        "accounts.User": caseworker,
        "auth.Group": Group.objects.create(name="Förvaltare"),
        "operations.MaintenanceBanner": MaintenanceBanner.objects.create(text="Underhåll i kväll"),
        "meetings.Room": room,
        "meetings.WorkingHours": secretary.working_hours.first(),
        "meetings.Absence": Absence.objects.create(
            secretary=secretary, start=date(2026, 12, 1), end=date(2026, 12, 5), reason="Kurs"
        ),
        "meetings.ClosingDay": ClosingDay.objects.create(
            municipality=trelleborg, date=date(2026, 12, 24), name="Julafton"
        ),
        "meetings.Meeting": Meeting.objects.create(
            municipality=trelleborg,
            secretary=secretary,
            application=rejected_case,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=45),
            room=room,
            recorded_by=lead,
        ),
        "meetings.NeedsScreen": NeedsScreen.objects.create(
            member=rejected_case.members.first(), debt=True
        ),
        "meetings.CalendarFeed": CalendarFeed.objects.create(secretary=secretary, token_hash="a"),
        "eligibility.MunicipalNormSettings": MunicipalNormSettings.objects.create(
            municipality=trelleborg, valid_from=date(2026, 1, 1), asset_buffer=Decimal("5000")
        ),
        "caseworker.ReasonTemplate": ReasonTemplate.objects.create(
            code="inkomst", title="Inkomsterna räcker", text="Inkomsterna räcker."
        ),
        "intake.Application": rejected_case,
        "intake.ApplicationEvent": ApplicationEvent.objects.create(
            application=rejected_case,
            from_status="submitted",
            to_status="rejected",
            actor_kind="caseworker",
            actor=caseworker,
        ),
        "intake.Decision": rejection,
        "caseworker.DecisionLetter": DecisionLetter.objects.create(
            decision=rejection, pdf="brev/1.pdf", sha256="0" * 64
        ),
        "caseworker.PaymentOrder": PaymentOrder.objects.create(
            decision=automated,
            application=approved_case,
            amount=Decimal("6500"),
            payee_name="Sökande Testsson",
            payee_personnummer=approved_case.applicant.personnummer,
            to_registered_account=True,
            payment_date=date(2026, 12, 1),
        ),
        "caseworker.PaymentFile": PaymentFile.objects.create(
            message_id="BISTAND-1",
            created_for=date(2026, 12, 1),
            xml="betalfiler/1.xml",
            sha256="0" * 64,
            number_of_orders=1,
            control_sum=Decimal("6500"),
        ),
        "accounts.SecondFactorActivation": SecondFactorActivation.objects.create(
            user=caseworker,
            issued_by=superuser,
            code_hash="0" * 64,
            issued_at=timezone.now(),
            expires_at=timezone.now() + timedelta(hours=1),
        ),
        "otp_totp.TOTPDevice": TOTPDevice.objects.create(user=caseworker, name="Telefon"),
        "decision.automated": automated,
    }


def registered() -> dict[str, type[models.Model]]:
    return {model._meta.label: model for model in admin.site._registry}


def admin_url(model: type[models.Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_list_add_and_change_page_answers_with_no_personnummer_username(
    client: Client, records: dict[str, models.Model], applicant: User
) -> None:
    for label, model in registered().items():
        pages = [admin_url(model, "changelist")]
        row = records.get(label)
        if row is not None:
            pages.append(admin_url(model, "change", row.pk))
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            text = response.content.decode()
            assert "eid-" not in text, url
            assert applicant.personnummer not in text, url
        add = client.get(admin_url(model, "add"))
        if label in READ_ONLY:
            assert add.status_code == 403, label
        elif label in CONFIGURATION:
            assert add.status_code == 200, label
        if add.status_code == 200:
            assert "eid-" not in add.content.decode(), label


def test_append_only_records_offer_no_add_change_or_delete(
    client: Client, records: dict[str, models.Model]
) -> None:
    for label in READ_ONLY:
        model = registered()[label]
        row = records[label]
        listing = client.get(admin_url(model, "changelist")).content.decode()
        assert admin_url(model, "add") not in listing, label
        assert 'value="delete_selected"' not in listing, label
        page = client.get(admin_url(model, "change", row.pk)).content.decode()
        assert admin_url(model, "delete", row.pk) not in page, label
        assert 'name="_save"' not in page, label
        refused = client.post(admin_url(model, "delete", row.pk), {"post": "yes"})
        assert refused.status_code == 403, label
        assert model.objects.filter(pk=row.pk).exists(), label


def test_the_decisions_list_says_which_case_what_how_much_when_and_by_whom(
    client: Client, records: dict[str, models.Model], caseworker: User
) -> None:
    rejection = records["intake.Decision"]
    automated = records["decision.automated"]
    assert isinstance(rejection, Decision) and isinstance(automated, Decision)

    text = client.get(reverse("admin:intake_decision_changelist")).content.decode()

    for decision in (rejection, automated):
        application = decision.application
        assert application.reference in text
        assert reverse("caseworker:case_detail", args=[application.pk]) in text
    assert caseworker.display_name() in text
    assert "Automatiserat" in text
    assert "6\xa0500\xa0kr" in text
    assert '<td class="field-amount_column">–</td>' in text  # the rejection
    assert "0.00 kr" not in text and "0,00" not in text
    assert "Avslag" in text and "Beviljat" in text
    assert "november 2026" in text and "december 2026" in text
    assert "Trelleborg" in text


def test_the_decisions_list_is_searched_by_reference_and_decider_and_filtered(
    client: Client, records: dict[str, models.Model], caseworker: User
) -> None:
    rejection = records["intake.Decision"]
    automated = records["decision.automated"]
    assert isinstance(rejection, Decision) and isinstance(automated, Decision)
    url = reverse("admin:intake_decision_changelist")

    def listed(params: dict[str, str]) -> set[str]:
        response = client.get(url, params)
        assert response.status_code == 200, params
        text = response.content.decode()
        references = (rejection.application.reference, automated.application.reference)
        return {reference for reference in references if reference in text}

    both = {rejection.application.reference, automated.application.reference}
    assert listed({}) == both
    assert listed({"q": rejection.application.reference}) == {rejection.application.reference}
    assert listed({"q": caseworker.last_name}) == {rejection.application.reference}
    assert listed({"q": caseworker.first_name}) == {rejection.application.reference}
    assert listed({"outcome__exact": "approved"}) == {automated.application.reference}
    municipality = str(rejection.application.municipality_id)
    assert listed({"application__municipality__id__exact": municipality}) == both
    assert listed({"decided_at__year": str(rejection.decided_at.year)}) == both


@pytest.mark.sweep
def test_search_and_filters_answer_on_every_list(
    client: Client, records: dict[str, models.Model]
) -> None:
    """A search and each offered filter answer with the list, never a 500 or the admin's
    "?e=1" redirect for an unknown field."""
    for label, model in registered().items():
        model_admin = admin.site._registry[model]
        url = admin_url(model, "changelist")
        if model_admin.search_fields:
            response = client.get(url, {"q": "Testsson"})
            assert response.status_code == 200, label
        response = client.get(url)
        for spec in response.context["cl"].filter_specs:
            # "All" and the first choices: enough to reach each filter's query.
            for choice in list(spec.choices(response.context["cl"]))[:3]:
                query = choice["query_string"]
                filtered = client.get(url + query)
                assert filtered.status_code == 200, (label, query)


def test_staff_pickers_list_staff_of_the_right_role_by_name(
    client: Client,
    records: dict[str, models.Model],
    caseworker: User,
    secretary: User,
    applicant: User,
) -> None:
    hours = client.get(reverse("admin:meetings_workinghours_add"))
    field = hours.context["adminform"].form.fields["secretary"]
    choices = {label for _value, label in field.choices}
    assert person_label(secretary) in choices
    assert "Sekreterare Testsson (Arbetslivssekreterare, Trelleborg)" in choices
    assert person_label(caseworker) in choices  # the social track's meetings
    assert not field.queryset.filter(role__in=[Role.APPLICANT, Role.ADMIN]).exists()
    assert all("eid-" not in label and label != "sekreterare" for label in choices)

    user_page = client.get(reverse("admin:accounts_user_change", args=[caseworker.pk]))
    mentors = user_page.context["adminform"].form.fields["mentor"].queryset
    assert set(mentors.values_list("role", flat=True)) <= {Role.CASEWORKER, Role.TEAM_LEAD}
    assert applicant not in mentors and secretary not in mentors

    totp = client.get(reverse("admin:otp_totp_totpdevice_add"))
    owners = totp.context["adminform"].form.fields["user"].queryset
    assert applicant not in owners and caseworker in owners


def test_the_users_list_shows_names_and_roles_never_the_personnummer(
    client: Client, records: dict[str, models.Model], applicant: User, caseworker: User
) -> None:
    url = reverse("admin:accounts_user_changelist")
    text = client.get(url).content.decode()
    assert applicant.get_full_name() in text and caseworker.get_full_name() in text
    assert caseworker.username in text  # staff log in with it
    assert applicant.personnummer not in text and "eid-" not in text
    assert "Handläggare" in text and "Sökande" in text

    only_caseworkers = client.get(url, {"role__exact": Role.CASEWORKER}).content.decode()
    assert caseworker.get_full_name() in only_caseworkers
    assert applicant.get_full_name() not in only_caseworkers
    found = client.get(url, {"q": applicant.last_name}).content.decode()
    assert applicant.get_full_name() in found and caseworker.get_full_name() not in found


def test_a_staff_member_is_added_with_role_and_municipality(
    client: Client, trelleborg: Municipality
) -> None:
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "ny.handlaggare",
            "first_name": "Nora",
            "last_name": "Ny",
            "role": Role.CASEWORKER,
            "municipality": trelleborg.pk,
            "usable_password": "false",
            "password1": "",
            "password2": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.filter(
        username="ny.handlaggare", role=Role.CASEWORKER, municipality=trelleborg
    ).exists()


def test_working_hours_and_meetings_lists_show_staff_by_name(
    client: Client, records: dict[str, models.Model], secretary: User
) -> None:
    for name in ("workinghours", "absence", "meeting", "calendarfeed"):
        text = client.get(reverse(f"admin:meetings_{name}_changelist")).content.decode()
        assert secretary.display_name() in text, name
        assert f">{secretary.username}<" not in text, name


def test_a_person_without_a_name_is_never_shown_by_the_e_id_username(db: None) -> None:
    nameless = User.objects.create(
        username="eid-200306062381", role=Role.APPLICANT, personnummer="200306062381"
    )
    staff = User(username="kalle", role=Role.CASEWORKER)

    assert person_name(nameless) == "Sökande utan namn"
    assert person_name(staff) == "kalle"
    assert person_name(None) == "–"
    staff.is_active = False
    assert person_label(staff) == "kalle (Handläggare, inaktiv)"


def test_a_record_shows_its_people_by_name(
    client: Client, records: dict[str, models.Model], applicant: User, caseworker: User
) -> None:
    application = records["intake.Application"]
    page = client.get(reverse("admin:intake_application_change", args=[application.pk]))
    text = page.content.decode()
    assert applicant.get_full_name() in text and caseworker.get_full_name() in text
    assert "eid-" not in text
