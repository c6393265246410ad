"""The status page: plain-language stages, supplements, messages, decision and appeal."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from intake import services
from intake.models import Application, Message
from intake.states import Actor, Status

# Reads today's date: also runs at every moment of the date matrix (tests/clock.py).
pytestmark = [pytest.mark.dates, pytest.mark.django_db]

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def awaiting_supplement(submitted_application: Application, caseworker: User) -> Application:
    return services.application_transition(
        application=submitted_application,
        to=Status.AWAITING_SUPPLEMENT,
        actor_kind=Actor.CASEWORKER,
        actor=caseworker,
        reason="Hyresavi saknas",
    )


def test_the_status_page_explains_the_stage_in_plain_language(
    client: Client, submitted_application: Application, applicant: User
) -> None:
    client.force_login(applicant)
    page = client.get(reverse("intake:application_detail", args=[submitted_application.pk]))
    text = page.content.decode()
    assert "Du får beslut inom en arbetsdag" in text
    assert "Meddelanden" in text and "Dokument vi har fått" in text


def test_a_supplement_is_uploaded_and_sent_from_the_status_page(
    client: Client, awaiting_supplement: Application, applicant: User
) -> None:
    client.force_login(applicant)
    detail = reverse("intake:application_detail", args=[awaiting_supplement.pk])
    assert "Det här behöver vi från dig" in client.get(detail).content.decode()
    client.post(
        reverse("intake:supplement_upload", args=[awaiting_supplement.pk]),
        {"file": SimpleUploadedFile("avi.pdf", PDF)},
    )
    assert awaiting_supplement.attachments.get().kind == "supplement"
    client.post(reverse("intake:supplement_send", args=[awaiting_supplement.pk]))
    awaiting_supplement.refresh_from_db()
    assert awaiting_supplement.status == Status.AWAITING_CASEWORKER
    assert awaiting_supplement.events.last().actor == applicant


def test_documents_can_be_sent_while_the_case_is_open_once_each_and_reach_the_journal(
    client: Client, submitted_application: Application, applicant: User
) -> None:
    client.force_login(applicant)
    detail = reverse("intake:application_detail", args=[submitted_application.pk])
    assert "Skicka fler dokument" in client.get(detail).content.decode()
    url = reverse("intake:supplement_upload", args=[submitted_application.pk])
    for _click in range(2):  # a double click
        response = client.post(url, {"kind": "payslip", "file": SimpleUploadedFile("lön.pdf", PDF)})
        assert response.status_code == 302
    assert submitted_application.attachments.count() == 1
    journal = list(submitted_application.journal.values_list("text", flat=True))
    assert journal == [
        "Sökanden har skickat ett dokument efter ansökan: lön.pdf (Lönespecifikation)."
    ]
    refused = client.post(url, {"file": SimpleUploadedFile("x.pdf", PDF)})
    assert refused.status_code == 400  # what the document shows is asked


def test_no_document_can_be_sent_once_the_case_is_decided(
    client: Client, approved: object, submitted_application: Application, applicant: User
) -> None:
    client.force_login(applicant)
    response = client.post(
        reverse("intake:supplement_upload", args=[submitted_application.pk]),
        {"kind": "payslip", "file": SimpleUploadedFile("avi.pdf", PDF)},
    )
    assert response.status_code == 404


def test_messages_go_both_ways_and_are_marked_read(
    client: Client, submitted_application: Application, applicant: User, caseworker: User
) -> None:
    client.force_login(applicant)
    detail = reverse("intake:application_detail", args=[submitted_application.pk])
    client.post(reverse("intake:message_post", args=[submitted_application.pk]), {"body": "Hej!"})
    services.message_send(application=submitted_application, author=caseworker, body="Hej Alva")
    page = client.get(detail).content.decode()
    assert "Hej!" in page and "Hej Alva" in page
    assert Message.objects.get(author=caseworker).read_at is not None
    assert Message.objects.get(author=applicant).read_at is None
    response = client.post(reverse("intake:message_post", args=[submitted_application.pk]), {})
    assert response.status_code == 400


def test_the_decision_shows_reasons_and_how_to_appeal(
    client: Client, submitted_application: Application, applicant: User, caseworker: User
) -> None:
    from intake.models import Decision, DecisionOutcome

    services.application_transition(
        application=submitted_application,
        to=Status.REJECTED,
        actor_kind=Actor.CASEWORKER,
        actor=caseworker,
    )
    Decision.objects.create(
        application=submitted_application,
        outcome=DecisionOutcome.REJECTED,
        reason="Inkomsterna överstiger normen.",
        decided_by=caseworker,
    )
    client.force_login(applicant)
    page = client.get(
        reverse("intake:application_detail", args=[submitted_application.pk])
    ).content.decode()
    assert "Inkomsterna överstiger normen." in page
    assert "överklaga till förvaltningsrätten" in page and "inom tre veckor" in page


def test_withdrawing_a_submitted_application(
    client: Client, submitted_application: Application, applicant: User
) -> None:
    Application.objects.filter(pk=submitted_application.pk).update(status=Status.SUBMITTED)
    client.force_login(applicant)
    client.post(reverse("intake:application_withdraw", args=[submitted_application.pk]))
    submitted_application.refresh_from_db()
    assert submitted_application.status == Status.WITHDRAWN
