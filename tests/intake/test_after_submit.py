"""#17: after submitting, NAV-grade: the case's timeline and the online appeal."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import User
from caseworker.models import DecisionDelivery, JournalEntry
from intake.models import Appeal, Application, Decision

pytestmark = [pytest.mark.dates, pytest.mark.django_db]


@pytest.fixture
def logged_in(client: Client, applicant: User) -> Client:
    client.force_login(applicant)
    return client


def test_the_status_page_tells_the_case_as_a_timeline(
    logged_in: Client, approved: Decision, submitted_application: Application
) -> None:
    page = logged_in.get(
        reverse("intake:application_detail", args=[submitted_application.pk])
    ).content.decode()
    timeline = page.split('id="timeline"')[1].split("</section>")[0]
    for entry in (
        "Ansökan mottagen",
        "Uppgifter hämtade från myndigheter",
        "Möte bokat",
        "Beslut: Beviljat",
        "Utbetalning",
    ):
        assert entry in timeline, entry
    # newest first: the decision comes before the application's receipt
    assert timeline.index("Beslut: Beviljat") < timeline.index("Ansökan mottagen")


def test_an_appeal_is_sent_once_and_reaches_the_case(
    logged_in: Client, approved: Decision, submitted_application: Application
) -> None:
    url = reverse("intake:appeal", args=[submitted_application.pk])
    assert "Överklaga beslutet" in logged_in.get(url).content.decode()
    refused = logged_in.post(url, {"reasons": "", "wanted": ""})
    assert refused.status_code == 400
    assert "Skriv varför du tycker att beslutet är fel." in refused.content.decode()
    assert not Appeal.objects.exists()
    data = {"reasons": "Hyran är 6 500 kr, inte 6 000.", "wanted": "Bistånd till hela hyran."}
    for _click in range(2):
        assert logged_in.post(url, data).status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.decision == approved and not appeal.late
    receipt = logged_in.get(url).content.decode()
    assert "Ditt överklagande är mottaget" in receipt and "Hyran är 6 500 kr" in receipt
    journal = JournalEntry.objects.get(application=submitted_application, text__startswith="Över")
    assert "Ompröva beslutet" in journal.text and "Bistånd till hela hyran." in journal.text
    status = logged_in.get(
        reverse("intake:application_detail", args=[submitted_application.pk])
    ).content.decode()
    assert "Överklagande mottaget" in status and "Se ditt överklagande" in status


def test_the_appeal_deadline_counts_from_the_recorded_delivery_and_a_late_one_is_received(
    client: Client, applicant: User, approved: Decision, submitted_application: Application
) -> None:
    DecisionDelivery.objects.filter(decision=approved).update(notification_date=date(2026, 11, 2))
    url = reverse("intake:appeal", args=[submitted_application.pk])
    with time_machine.travel(date(2026, 11, 20), tick=False):
        client.force_login(applicant)
        page = client.get(url).content.decode()
        assert "Sista dagen att överklaga är <bdi>måndag 23 november 2026</bdi>" in page
    with time_machine.travel(date(2026, 11, 30), tick=False):
        client.force_login(applicant)
        assert "Sista dagen har passerat" in client.get(url).content.decode()
        client.post(url, {"reasons": "Fel.", "wanted": "Rätt."})
    assert Appeal.objects.get().late is True


def test_an_undecided_application_cannot_be_appealed(
    logged_in: Client, submitted_application: Application
) -> None:
    url = reverse("intake:appeal", args=[submitted_application.pk])
    assert logged_in.get(url).status_code == 404
