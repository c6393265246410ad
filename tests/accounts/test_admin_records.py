"""The admin edits configuration only: case data is read-only there for every role, a superuser
included (#16 item 9; accounts.admin_records)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import models
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Municipality, Role, User
from caseworker.models import AccessAction, AccessLog
from intake.models import Application, ApplicationEvent, Decision, HouseholdMember
from meetings.models import ClosingDay
from tests.builders import client_for

# On the suite's working Wednesday morning (the submitted application reads the date).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_wednesday")]

# Every model registered in the admin, classified. Case data and records: shown, never added,
# changed or deleted. Configuration: edited here by the system administrator. A model
# registered later fails `test_every_registered_admin_is_classified` until it is added here.
READ_ONLY = {
    "intake.Application",
    "intake.ApplicationEvent",
    "intake.Decision",
    "meetings.Meeting",
    "meetings.NeedsScreen",
    "meetings.CalendarFeed",  # a secretary's key: made and revoked on her own page
    "caseworker.DecisionLetter",
    "caseworker.PaymentOrder",
    "caseworker.PaymentFile",
    "accounts.SecondFactorActivation",  # issued by the action on the user list
}
CONFIGURATION = {
    "accounts.Municipality",
    "accounts.User",
    "auth.Group",
    "operations.MaintenanceBanner",
    "meetings.Room",
    "meetings.WorkingHours",
    "meetings.Absence",
    "meetings.ClosingDay",
    "eligibility.MunicipalNormSettings",
    "caseworker.ReasonTemplate",
}
# Sign-in security, as its packages ship it (unlocking a locked-out account, resetting an
# authenticator app): about staff accounts, never about a case.
AS_SHIPPED = {
    "otp_totp.TOTPDevice",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
}


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser(username="forvaltare", password="x", role=Role.ADMIN)


def registered() -> dict[str, admin.ModelAdmin]:
    return {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}


def points_at_a_case(model: type[models.Model]) -> bool:
    """A foreign key to an application, or to a row that has one (a letter's decision)."""
    for field in model._meta.fields:
        if not field.is_relation or field.related_model is None:
            continue
        if field.related_model is Application:
            return True
        if any(
            f.is_relation and f.related_model is Application
            for f in field.related_model._meta.fields
        ):
            return True
    return False


def test_every_registered_admin_is_classified() -> None:
    assert not READ_ONLY & CONFIGURATION and not (READ_ONLY | CONFIGURATION) & AS_SHIPPED
    assert set(registered()) == READ_ONLY | CONFIGURATION | AS_SHIPPED


def test_every_admin_of_case_data_is_read_only_even_for_a_superuser(superuser: User) -> None:
    request = RequestFactory().get("/admin/")
    request.user = superuser
    for label, model_admin in registered().items():
        if points_at_a_case(model_admin.model):
            assert label in READ_ONLY, f"{label} holds case data: classify it as READ_ONLY"
        rights = (
            model_admin.has_add_permission(request),
            model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request),
        )
        if label in READ_ONLY:
            assert rights == (False, False, False), label
            assert model_admin.has_view_permission(request), label
            assert "delete_selected" not in model_admin.get_actions(request), label
            for inline in model_admin.get_inline_instances(request):
                assert not inline.has_add_permission(request, None), label
                assert not inline.has_change_permission(request), label
                assert not inline.has_delete_permission(request), label
        elif label in CONFIGURATION:
            assert rights == (True, True, True), label


def test_a_superuser_cannot_add_change_or_delete_case_data_through_the_admin(
    superuser: User, submitted_application: Application, caseworker: User, svedala: Municipality
) -> None:
    client = client_for(superuser)
    application = submitted_application
    before = (application.applicant_id, application.municipality_id, application.status)
    events = ApplicationEvent.objects.filter(application=application).count()
    members = HouseholdMember.objects.filter(application=application).count()
    AccessLog.objects.create(user=caseworker, application=application, action=AccessAction.SEARCH)

    # Shown: the list and the record.
    assert client.get(reverse("admin:intake_application_changelist")).status_code == 200
    change_url = reverse("admin:intake_application_change", args=[application.pk])
    assert client.get(change_url).status_code == 200

    refused = [
        # "Beviljat 50 000 kr", decided by a secretary, with no letter, attest or status change
        client.post(
            reverse("admin:intake_decision_add"),
            {
                "application": application.pk,
                "outcome": "approved",
                "amount": "50000",
                "reason": "Beviljas.",
            },
        ),
        # another applicant and municipality
        client.post(
            change_url,
            {
                "applicant": caseworker.pk,
                "municipality": svedala.pk,
                "month": application.month.isoformat(),
                "members-TOTAL_FORMS": "0",
                "members-INITIAL_FORMS": "0",
            },
        ),
        client.post(
            reverse("admin:intake_application_delete", args=[application.pk]), {"post": "yes"}
        ),
        client.post(
            reverse("admin:intake_applicationevent_delete", args=[application.events.first().pk]),
            {"post": "yes"},
        ),
        client.post(
            reverse("admin:intake_application_changelist"),
            {"action": "delete_selected", "_selected_action": [application.pk], "post": "yes"},
        ),
    ]

    assert [response.status_code for response in refused[:4]] == [403, 403, 403, 403]
    # The bulk delete is not offered: the list answers without doing anything.
    assert refused[4].status_code in (200, 302)
    application.refresh_from_db()
    assert (application.applicant_id, application.municipality_id, application.status) == before
    assert not Decision.objects.filter(amount=Decimal("50000")).exists()
    assert ApplicationEvent.objects.filter(application=application).count() == events
    assert HouseholdMember.objects.filter(application=application).count() == members
    assert AccessLog.objects.filter(application=application).count() == 1


def test_configuration_stays_editable(superuser: User, trelleborg: Municipality) -> None:
    response = client_for(superuser).post(
        reverse("admin:meetings_closingday_add"),
        {"municipality": trelleborg.pk, "date": "2026-12-24", "name": "Julafton"},
    )

    assert response.status_code == 302
    assert ClosingDay.objects.filter(municipality=trelleborg, name="Julafton").exists()
