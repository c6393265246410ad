"""Representatives (god man, förvaltare, ombud) see and act for the person while the mandate
is active; expiry and revocation close the door (404)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.mandates import MandateRefused, mandate_register, mandate_revoke
from accounts.models import Mandate, User
from intake.access import access_application, applications_visible_to
from intake.models import Application
from intake.services import ApplicationIncomplete, application_submit
from intake.states import Status
from notifications.models import Notification
from tests.conftest import PNR_ALVA, PNR_CARINA

# Reads today's date: also runs at every moment of the date matrix (tests/clock.py).
pytestmark = [pytest.mark.dates, pytest.mark.usefixtures("clean_outboxes")]


@pytest.fixture
def representative(db: None) -> User:
    from accounts.eid import EidIdentity
    from accounts.services import applicant_get_or_create

    return applicant_get_or_create(identity=EidIdentity(PNR_CARINA, "Carina", "Dahl"))


def _mandate(representative: User, caseworker: User, **kw: object) -> Mandate:
    today = timezone.localdate()
    values = {
        "representative_personnummer": representative.personnummer,
        "principal_personnummer": PNR_ALVA,
        "kind": "god_man",
        "valid_from": today - timedelta(days=10),
        "valid_until": None,
        "document_reference": "ÖF 2026-123",
        **kw,
    }
    return mandate_register(registered_by=caseworker, **values)


def test_representative_sees_the_principals_applications(
    make_draft: Callable, applicant: User, representative: User, caseworker: User
) -> None:
    draft = make_draft(applicant)
    assert not applications_visible_to(representative).exists()
    _mandate(representative, caseworker)
    assert list(applications_visible_to(representative)) == [draft]
    assert access_application(representative, draft.pk) == draft


def test_visibility_is_one_query(
    make_draft: Callable, applicant: User, representative: User, caseworker: User
) -> None:
    make_draft(applicant)
    _mandate(representative, caseworker)
    with CaptureQueriesContext(connection) as queries:
        list(applications_visible_to(representative))
    assert len(queries) == 1


# Offsets, not dates: parameters are built at collection, before the test's clock is set.
@pytest.mark.parametrize(
    "period",
    [
        pytest.param({"valid_until": -1}, id="expired"),
        pytest.param({"valid_from": 1, "valid_until": None}, id="not-yet"),
    ],
)
def test_mandate_outside_its_period_gives_404(
    client: Client,
    make_draft: Callable,
    applicant: User,
    representative: User,
    caseworker: User,
    period: dict,
) -> None:
    draft = make_draft(applicant)
    today = timezone.localdate()
    dates = {k: None if v is None else today + timedelta(days=v) for k, v in period.items()}
    _mandate(representative, caseworker, **dates)
    client.force_login(representative)
    assert client.get(reverse("intake:application_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("intake:step_household", args=[draft.pk])).status_code == 404


def test_revoked_mandate_gives_404(
    client: Client,
    submitted_application: Application,
    representative: User,
    caseworker: User,
) -> None:
    mandate = _mandate(representative, caseworker)
    client.force_login(representative)
    url = reverse("intake:application_detail", args=[submitted_application.pk])
    assert client.get(url).status_code == 200
    mandate_revoke(mandate=mandate, revoked_by=caseworker)
    assert client.get(url).status_code == 404


def test_mandate_for_another_person_gives_nothing(
    make_draft: Callable,
    applicant: User,
    other_applicant: User,
    representative: User,
    caseworker: User,
) -> None:
    draft = make_draft(other_applicant)
    _mandate(representative, caseworker)  # for Alva, not Bilal
    assert draft not in applications_visible_to(representative)


def test_representative_submits_and_the_event_says_so(
    make_draft: Callable,
    applicant: User,
    representative: User,
    caseworker: User,
    secretary: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    draft = make_draft(applicant)
    with pytest.raises(ApplicationIncomplete):
        application_submit(application=draft, applicant=representative)  # no mandate yet
    _mandate(representative, caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(application=draft, applicant=representative)
    draft.refresh_from_db()
    assert draft.status != Status.DRAFT
    event = draft.events.get(to_status=Status.SUBMITTED)
    assert event.actor == representative
    assert "God man Carina Dahl" in event.reason and "ÖF 2026-123" in event.reason
    assert PNR_ALVA not in event.reason


def test_representative_starts_an_application_for_the_principal(
    client: Client, trelleborg: object, representative: User, caseworker: User
) -> None:
    mandate = _mandate(representative, caseworker)
    client.force_login(representative)
    page = client.get(reverse("intake:represented_list"))
    assert page.status_code == 200 and "20030606-****" in page.content.decode()
    response = client.post(
        reverse("intake:represented_start", args=[mandate.pk]),
        {"municipality": trelleborg.pk},
    )
    application = Application.objects.get(applicant__personnummer=PNR_ALVA)
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:step_household", args=[application.pk])


def test_representative_is_notified_too(
    submitted_application: Application,
    representative: User,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    from notifications.delivery import notify_caseworker_message

    _mandate(representative, caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        notify_caseworker_message(submitted_application)
    assert set(Notification.objects.values_list("recipient__personnummer", flat=True)) == {
        PNR_ALVA,
        PNR_CARINA,
    }


def test_mandate_rules(caseworker: User, representative: User, secretary: User) -> None:
    with pytest.raises(MandateRefused):
        _mandate(representative, caseworker, principal_personnummer=PNR_CARINA)  # self
    with pytest.raises(MandateRefused):
        _mandate(representative, caseworker, document_reference=" ")
    with pytest.raises(MandateRefused):
        _mandate(
            representative,
            caseworker,
            valid_from=date(2026, 5, 1),
            valid_until=date(2026, 4, 1),
        )
    with pytest.raises(MandateRefused):
        _mandate(representative, secretary)  # only caseworkers register


def test_staff_register_and_revoke_on_the_mandate_page(
    client: Client, caseworker: User, representative: User, applicant: User
) -> None:
    client.force_login(caseworker)
    url = reverse("assisted:mandate_list")
    assert url == "/handlaggare/ombud/"
    response = client.post(
        url,
        {
            "representative_personnummer": PNR_CARINA,
            "principal_personnummer": PNR_ALVA,
            "kind": "forvaltare",
            "valid_from": "2026-01-01",
            "valid_until": "",
            "document_reference": "ÖF 2026-9",
        },
    )
    assert response.status_code == 302
    mandate = Mandate.objects.get()
    assert (mandate.representative, mandate.registered_by) == (representative, caseworker)
    page = client.get(url).content.decode()
    assert "20030606-****" in page and PNR_ALVA not in page
    client.post(reverse("assisted:mandate_revoke", args=[mandate.pk]))
    mandate.refresh_from_db()
    assert mandate.revoked_at is not None and mandate.revoked_by == caseworker


def test_mandate_page_is_for_caseworkers(client: Client, applicant: User) -> None:
    client.force_login(applicant)
    assert client.get(reverse("assisted:mandate_list")).status_code == 403
