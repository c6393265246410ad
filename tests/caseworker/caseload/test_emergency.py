"""The emergency path (#7): same day, the on-call caseworker, a deadline in hours, and the
eviction-prevention contact alerted for eviction and disconnection notices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Municipality, Role, User
from caseworker.caseload.emergency import emergency_escalate
from caseworker.models.caseload import AlertKind, CaseworkerProfile, OwnershipSettings, StaffAlert
from intake import services as intake
from intake.models import Application
from intake.states import Status
from tests.builders import WEDNESDAY, applicant_make, case_make

# On the suite's working Wednesday morning, from before the first fixture runs.
pytestmark = pytest.mark.usefixtures("frozen_wednesday")

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def on_call(make_staff: Callable[..., User], trelleborg: Municipality) -> User:
    user = make_staff("jour", Role.CASEWORKER, trelleborg)
    CaseworkerProfile.objects.create(user=user, on_call=True)
    return user


@pytest.fixture
def contact(make_staff: Callable[..., User], trelleborg: Municipality) -> User:
    user = make_staff("vrakning", Role.CASEWORKER, trelleborg)
    OwnershipSettings.objects.create(
        municipality=trelleborg,
        eviction_prevention_contact=user,
        eviction_prevention_email="vrakning@example.se",
    )
    return user


def test_an_emergency_draft_goes_to_the_on_call_caseworker_with_a_deadline_in_hours(
    make_draft: Callable[..., Application],
    caseworker: User,
    on_call: User,
    contact: User,
    secretary: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    applicant = applicant_make()
    draft = make_draft(applicant)
    Application.objects.filter(pk=draft.pk).update(emergency_eviction_notice=True)
    draft.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        intake.application_submit(application=draft, applicant=applicant)
    draft.refresh_from_db()
    assert draft.owner == on_call
    assert draft.status == Status.AWAITING_CASEWORKER  # the robot ran and kept the deadline
    assert draft.decision_due_at == WEDNESDAY + timedelta(hours=4)
    alert = StaffAlert.objects.get(kind=AlertKind.EVICTION_PREVENTION)
    assert alert.recipient == contact and alert.email == "vrakning@example.se"
    assert StaffAlert.objects.get(kind=AlertKind.EMERGENCY).recipient == on_call
    assert [m.to for m in mail.outbox] == [["vrakning@example.se"]]
    assert draft.reference not in mail.outbox[0].body  # no case details by e-mail


def test_no_money_for_food_does_not_alert_eviction_prevention(
    trelleborg: Municipality, caseworker: User, on_call: User, contact: User
) -> None:
    case = case_make(trelleborg, caseworker)
    Application.objects.filter(pk=case.pk).update(emergency_no_food=True)
    emergency_escalate(case.pk)
    case.refresh_from_db()
    assert case.owner == on_call
    assert not StaffAlert.objects.filter(kind=AlertKind.EVICTION_PREVENTION).exists()
    assert case.journal.filter(text__contains="flyttat till Jour").exists()
    emergency_escalate(case.pk)  # safe twice
    assert StaffAlert.objects.filter(kind=AlertKind.EMERGENCY).count() == 1


def test_without_anyone_on_call_the_team_lead_is_alerted_and_the_case_keeps_its_owner(
    trelleborg: Municipality, caseworker: User, make_staff: Callable[..., User]
) -> None:
    lead = make_staff("ledare", Role.TEAM_LEAD, trelleborg)
    case = case_make(trelleborg, caseworker)
    Application.objects.filter(pk=case.pk).update(emergency_disconnection_notice=True)
    emergency_escalate(case.pk)
    case.refresh_from_db()
    assert case.owner == caseworker
    assert StaffAlert.objects.get(kind=AlertKind.NO_ON_CALL).recipient == lead
    # no eviction-prevention contact configured: the team lead hears of that too
    assert StaffAlert.objects.filter(kind=AlertKind.EVICTION_PREVENTION, recipient=lead).exists()


def test_the_applicant_says_it_is_acute_on_a_submitted_case(
    trelleborg: Municipality,
    caseworker: User,
    on_call: User,
    client: Client,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    applicant = applicant_make()
    case = case_make(
        trelleborg,
        caseworker,
        applicant=applicant,
        decision_due_at=WEDNESDAY + timedelta(days=1),
    )
    client.force_login(applicant)
    assert client.get(f"/ansokan/{case.pk}/akut/").status_code == 200
    assert client.post(f"/ansokan/{case.pk}/akut/", {}).status_code == 400  # choose something
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/ansokan/{case.pk}/akut/", {"no_food": "on"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.emergency_no_food and case.emergency_declared_at == WEDNESDAY
    assert case.decision_due_at == WEDNESDAY + timedelta(hours=4)
    assert case.owner == on_call


def test_someone_else_cannot_say_it_is_acute(
    trelleborg: Municipality, caseworker: User, client: Client
) -> None:
    case = case_make(trelleborg, caseworker)
    client.force_login(applicant_make())
    assert client.post(f"/ansokan/{case.pk}/akut/", {"no_food": "on"}).status_code == 404


def test_an_emergency_submitted_with_nobody_on_call_raises_one_alarm_not_two(
    trelleborg: Municipality,
    make_staff: Callable[..., User],
    make_draft: Callable[..., Application],
    applicant: User,
    submit: Callable[[Application], Application],
) -> None:
    """Stranger run: the owner choice and the escalation each raised "Ingen handläggare i
    jour" for the same case (two keys), so the dashboard showed the alarm twice."""
    make_staff("ledare", Role.TEAM_LEAD, trelleborg)
    draft = make_draft(applicant)
    Application.objects.filter(pk=draft.pk).update(emergency_no_food=True)
    draft.refresh_from_db()

    submit(draft)

    assert StaffAlert.objects.filter(kind=AlertKind.NO_ON_CALL).count() == 1
