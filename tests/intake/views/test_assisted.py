"""Nobody is pushed to paper: staff fill in an application with a present applicant (who signs
with e-ID), and a signed paper application is registered into the same flow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from caseworker.models import AccessAction, AccessLog
from intake.models import Application
from intake.services import application_submit
from intake.services.registration import (
    AssistedRefused,
    application_paper_register,
    application_register_start,
    application_submit_on_behalf,
)
from intake.states import Actor, Status
from tests.conftest import PASSWORD, PNR_ALVA, PNR_BILAL

# Reads today's date: also runs at every moment of the date matrix (tests/clock.py).
pytestmark = pytest.mark.dates


def _staff_client(client: Client, user: User) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _fill(client: Client, application: Application) -> None:
    data = {
        "name-applicant_name": "Alva Andersson",
        "children-TOTAL_FORMS": "0",
        "children-INITIAL_FORMS": "0",
        "housing-rent": "6500",
        "incomes-salary": "3000",
        "assets-savings": "0",
    }
    response = client.post(reverse("assisted:register_application", args=[application.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_search_is_a_post_and_starts_an_assisted_draft(
    client: Client, caseworker: User, secretary: User
) -> None:
    _staff_client(client, caseworker)
    url = reverse("assisted:register_start")
    assert url == "/handlaggare/registrera/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"personnummer": "20030606-2381", "channel": "assisted"})
    application = Application.objects.get(applicant__personnummer=PNR_ALVA)
    assert response["Location"] == reverse("assisted:register_application", args=[application.pk])
    assert PNR_ALVA not in response["Location"]
    assert (application.channel, application.assisted_by) == ("assisted", caseworker)
    assert application.status == Status.DRAFT


def test_assisted_application_is_signed_by_the_applicant_with_eid(
    client: Client,
    caseworker: User,
    secretary: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    application = application_register_start(
        staff=caseworker, personnummer=PNR_ALVA, channel="assisted"
    )
    _fill(_staff_client(client, caseworker), application)
    application.refresh_from_db()
    assert application.rent == 6500
    with pytest.raises(AssistedRefused):
        application_submit_on_behalf(application=application, staff=caseworker, channel="assisted")
    # The applicant logs in with their own e-ID on the staff device and submits it.
    client.post(reverse("accounts:logout"))
    client.post(reverse("accounts:eid_login"), {"personnummer": PNR_ALVA})
    applicant = application.applicant
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(application=application, applicant=applicant)
    application.refresh_from_db()
    event = application.events.get(to_status=Status.SUBMITTED)
    assert (event.actor_kind, event.actor) == (Actor.APPLICANT, applicant)
    assert application.channel == "assisted" and application.assisted_by == caseworker


def test_paper_application_is_registered_into_the_same_flow(
    client: Client,
    caseworker: User,
    secretary: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    c = _staff_client(client, caseworker)
    c.post(reverse("assisted:register_start"), {"personnummer": PNR_BILAL, "channel": "paper"})
    application = Application.objects.get(applicant__personnummer=PNR_BILAL)
    _fill(c, application)
    received = timezone.localdate() - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(
            reverse("assisted:register_submit_paper", args=[application.pk]),
            {
                "paper-document_reference": "SOC 2026-77",
                "paper-received_on": received.isoformat(),
                "paper-note": "Lämnad i receptionen",
            },
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status not in (Status.DRAFT, Status.SUBMITTED)  # the robot took it
    assert application.channel == "paper"
    assert (application.paper_document_reference, application.paper_received_on) == (
        "SOC 2026-77",
        received,
    )
    event = application.events.get(to_status=Status.SUBMITTED)
    assert (event.actor_kind, event.actor) == (Actor.SYSTEM, caseworker)
    assert "Pappersansökan" in event.reason and "SOC 2026-77" in event.reason


def test_paper_cannot_be_submitted_before_the_signed_paper_is_registered(
    caseworker: User, secretary: User
) -> None:
    application = application_register_start(
        staff=caseworker, personnummer=PNR_ALVA, channel="paper"
    )
    with pytest.raises(AssistedRefused):
        application_submit_on_behalf(application=application, staff=caseworker, channel="paper")
    with pytest.raises(AssistedRefused):
        application_paper_register(
            application=application,
            staff=caseworker,
            document_reference="X",
            received_on=date.today() + timedelta(days=2),
        )


def test_staff_cannot_open_drafts_they_did_not_register(
    client: Client,
    caseworker: User,
    make_staff: Callable,
    trelleborg: object,
    make_draft: Callable,
    applicant: User,
) -> None:
    from accounts.models import Role

    draft = make_draft(applicant)  # the applicant's own draft
    other = make_staff("annan", Role.CASEWORKER, trelleborg)
    registered = application_register_start(staff=other, personnummer=PNR_BILAL, channel="assisted")
    c = _staff_client(client, caseworker)
    for pk in (draft.pk, registered.pk):
        assert c.get(reverse("assisted:register_application", args=[pk])).status_code == 404


def test_registration_pages_are_for_caseworkers(client: Client, applicant: User) -> None:
    client.force_login(applicant)
    assert client.get(reverse("assisted:register_start")).status_code == 403


def test_every_registration_page_that_shows_the_household_is_in_the_access_log(
    client: Client, caseworker: User, make_staff: Callable, trelleborg: object
) -> None:
    """The page shows the household's names and personnummer: like every staff page that shows
    a person's data, it writes an access-log row (#16 item 13); a refusal writes none."""
    application = application_register_start(
        staff=caseworker, personnummer=PNR_ALVA, channel="paper"
    )
    c = _staff_client(client, caseworker)
    url = reverse("assisted:register_application", args=[application.pk])
    assert c.get(url).status_code == 200
    _fill(c, application)  # a POST that saves: a change
    submit = reverse("assisted:register_submit_paper", args=[application.pk])
    assert c.post(submit, {"paper-document_reference": ""}).status_code == 400  # shown again

    rows = AccessLog.objects.filter(application=application, user=caseworker)
    assert sorted(rows.values_list("detail", "action")) == sorted(
        [
            ("assisted:register_application", AccessAction.VIEW_PARTIAL),
            ("assisted:register_application", AccessAction.CHANGE),
            ("assisted:register_submit_paper", AccessAction.VIEW_PARTIAL),
        ]
    )
    other = make_staff("annan", Role.CASEWORKER, trelleborg)
    c.post(reverse("accounts:logout"))
    assert _staff_client(c, other).get(url).status_code == 404
    assert AccessLog.objects.count() == 3
