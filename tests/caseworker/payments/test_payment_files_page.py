"""The team lead's payment-files page (#18): list, create, download (validated, logged), mark
sent; one municipality's files only, for team leads only."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from accounts.access import doors_recorded
from accounts.models import Municipality, Role, User
from caseworker.models import AccessAction, AccessDenial, AccessLog
from caseworker.models.payments import PaymentFile, PaymentOrder, PaymentStatus
from caseworker.payments import file_views, services
from caseworker.payments.files import (
    PaymentFileAlreadySent,
    payment_file_mark_sent,
    payment_files_overview,
)
from caseworker.payments.services import (
    pain001_validate,
    payment_file_create,
    payment_order_for_decision,
)
from intake.models import Application, Decision, DecisionOutcome
from intake.states import Status
from kernel.money import kronor_text
from tests.builders import applicant_make, case_make, client_for

pytestmark = pytest.mark.usefixtures("frozen_wednesday", "private_media", "no_stickprov")

ACCOUNT = "6000-123456789"
DAY = date(2026, 11, 18)  # frozen_wednesday
LIST = reverse("caseworker:payment_files")
CREATE = reverse("caseworker:payment_file_create")


def order_make(
    municipality: Municipality, decided_by: User, amount: str, *, account: str = ACCOUNT
) -> PaymentOrder:
    """An approved decision and its payment order, made directly (no robot, no events)."""
    applicant = applicant_make()
    applicant.bank_account = account
    applicant.save(update_fields=["bank_account"])
    application = case_make(municipality, decided_by, applicant=applicant, status=Status.APPROVED)
    decision = Decision.objects.create(
        application=application,
        outcome=DecisionOutcome.APPROVED,
        amount=Decimal(amount),
        reason="Beviljas.",
        decided_by=decided_by,
    )
    order = payment_order_for_decision(decision)
    assert order is not None
    return order


@pytest.fixture
def lead(make_staff: Callable[..., User], trelleborg: Municipality) -> User:
    return make_staff("ledare", Role.TEAM_LEAD, trelleborg)


@pytest.fixture
def other_lead(make_staff: Callable[..., User], svedala: Municipality) -> User:
    return make_staff("svedalaledare", Role.TEAM_LEAD, svedala)


@pytest.fixture
def orders(
    caseworker: User,
    trelleborg: Municipality,
    svedala: Municipality,
    make_staff: Callable[..., User],
) -> dict[str, list[PaymentOrder]]:
    """Two approved orders in Trelleborg (6 500 + 4 500,50 kr), one waiting for an account, and
    one approved order in Svedala."""
    svedala_worker = make_staff("svedalahandlaggare", Role.CASEWORKER, svedala)
    return {
        "trelleborg": [
            order_make(trelleborg, caseworker, "6500"),
            order_make(trelleborg, caseworker, "4500.50"),
        ],
        "needs_account": [order_make(trelleborg, caseworker, "3000", account="")],
        "svedala": [order_make(svedala, svedala_worker, "9999")],
    }


def shown(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


# --- list ---------------------------------------------------------------------------------------


def test_the_page_shows_what_waits_and_the_municipalitys_files(
    lead: User,
    orders: dict[str, list[PaymentOrder]],
    trelleborg: Municipality,
    svedala: Municipality,
) -> None:
    client = client_for(lead)
    html = shown(client.get(LIST))
    assert "2 godkända utbetalningar väntar på att läggas i en betalfil" in html
    assert kronor_text(Decimal("11000.50")) in html
    assert "1 utbetalning väntar på mottagarens kontonummer" in html
    assert "Inga betalfiler har skapats än." in html

    mine = payment_file_create(day=DAY, municipality=lead.municipality, created_by=lead)
    theirs = payment_file_create(day=DAY, municipality=svedala)
    assert mine is not None and theirs is not None
    html = shown(client.get(LIST))

    assert mine.message_id in html and theirs.message_id not in html
    assert lead.display_name() in html
    assert kronor_text(Decimal("11000.50")) in html
    assert 'data-state="created"' in html
    assert "Inga godkända utbetalningar väntar" in html
    overview = payment_files_overview(trelleborg.pk)
    assert (overview.waiting_count, overview.waiting_total) == (0, Decimal(0))
    assert overview.files == [mine]


# --- create -------------------------------------------------------------------------------------


def test_creating_makes_one_file_of_the_municipalitys_waiting_orders(
    lead: User, orders: dict[str, list[PaymentOrder]]
) -> None:
    response = client_for(lead).post(CREATE, follow=True)

    payment_file = PaymentFile.objects.get()
    assert payment_file.municipality_id == lead.municipality_id
    assert payment_file.created_by == lead
    assert payment_file.number_of_orders == 2
    assert payment_file.control_sum == Decimal("11000.50")
    assert {entry.order for entry in payment_file.entries.all()} == set(orders["trelleborg"])
    assert PaymentOrder.objects.get(pk=orders["svedala"][0].pk).status == PaymentStatus.CREATED
    html = shown(response)
    assert f"Betalfilen {payment_file.message_id} är skapad med 2 utbetalningar" in html
    assert 'class="messages"' in html


def test_a_double_click_makes_one_file(lead: User, orders: dict[str, list[PaymentOrder]]) -> None:
    client = client_for(lead)
    client.post(CREATE)
    second = client.post(CREATE, follow=True)

    assert PaymentFile.objects.count() == 1
    assert "Det finns inga godkända utbetalningar att betala" in shown(second)


def test_a_create_that_loses_the_race_tells_and_makes_nothing(
    lead: User, orders: dict[str, list[PaymentOrder]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def race_lost(**kwargs: object) -> None:
        raise IntegrityError("payment_order_in_one_file")

    monkeypatch.setattr(file_views, "payment_file_create", race_lost)
    response = client_for(lead).post(CREATE, follow=True)

    assert "En annan betalfil skapades samtidigt" in shown(response)
    assert not PaymentFile.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_creates_at_once_make_one_file(
    orders: dict[str, list[PaymentOrder]], lead: User
) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def create() -> None:
        try:
            barrier.wait(timeout=10)
            try:
                made = payment_file_create(day=DAY, municipality=lead.municipality, created_by=lead)
                outcomes.append("file" if made else "nothing")
            except IntegrityError:
                outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) in (["file", "nothing"], ["file", "refused"])
    assert PaymentFile.objects.count() == 1
    assert PaymentFile.objects.get().number_of_orders == 2


def test_nothing_to_pay_makes_no_empty_file(lead: User) -> None:
    response = client_for(lead).post(CREATE, follow=True)

    assert not PaymentFile.objects.exists()
    assert "Det finns inga godkända utbetalningar att betala. Ingen betalfil skapades." in shown(
        response
    )


def test_an_invalid_file_is_not_created(
    lead: User,
    orders: dict[str, list[PaymentOrder]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(
        services, "pain001_build", lambda **kwargs: b"<Document>not pain</Document>"
    )
    with caplog.at_level(logging.ERROR, logger="caseworker.payments.file_views"):
        response = client_for(lead).post(CREATE, follow=True)

    assert not PaymentFile.objects.exists()
    for order in orders["trelleborg"]:
        order.refresh_from_db()
        assert order.status == PaymentStatus.CREATED
    assert "Betalfilen blev inte giltig" in shown(response)
    assert "did not validate" in caplog.text


def test_the_daily_command_makes_one_file_per_municipality(
    orders: dict[str, list[PaymentOrder]], trelleborg: Municipality, svedala: Municipality
) -> None:
    call_command("payment_file_create", "--date", DAY.isoformat())

    files = {f.municipality_id: f for f in PaymentFile.objects.all()}
    assert set(files) == {trelleborg.pk, svedala.pk}
    assert files[trelleborg.pk].number_of_orders == 2
    assert files[svedala.pk].number_of_orders == 1
    assert files[trelleborg.pk].created_by is None


def test_one_file_never_mixes_municipalities(orders: dict[str, list[PaymentOrder]]) -> None:
    with pytest.raises(ValueError):
        payment_file_create(day=DAY)
    assert not PaymentFile.objects.exists()


# --- download -----------------------------------------------------------------------------------


@pytest.fixture
def made(lead: User, orders: dict[str, list[PaymentOrder]]) -> PaymentFile:
    payment_file = payment_file_create(day=DAY, municipality=lead.municipality, created_by=lead)
    assert payment_file is not None
    return payment_file


def test_the_download_is_the_validated_file_and_is_logged(lead: User, made: PaymentFile) -> None:
    client = client_for(lead)
    response = client.get(reverse("caseworker:payment_file_download", args=[made.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert f'filename="{made.message_id}.xml"' in response["Content-Disposition"]
    pain001_validate(response.content)  # raises when invalid
    made.refresh_from_db()
    assert made.downloaded_by == lead and made.downloaded_at is not None
    assert made.state == "downloaded"
    logged = AccessLog.objects.filter(user=lead, action=AccessAction.VIEW_PARTIAL)
    assert {row.application_id for row in logged} == {
        entry.order.application_id for entry in made.entries.all()
    }
    assert all(made.message_id in row.detail for row in logged)
    # The confirmation is shown at the top of the next page.
    html = shown(client.get(LIST))
    assert f"Betalfilen {made.message_id} hämtades" in html
    assert "Senast hämtad" in html


def test_an_invalid_stored_file_is_not_downloaded(
    lead: User, made: PaymentFile, caplog: pytest.LogCaptureFixture
) -> None:
    broken = made.xml.read().replace(b'Ccy="SEK"', b"")  # the currency is required
    made.xml.close()
    made.xml.save(made.xml.name.rsplit("/", 1)[-1], ContentFile(broken), save=False)
    made.sha256 = hashlib.sha256(broken).hexdigest()
    made.save(update_fields=["xml", "sha256"])

    with caplog.at_level(logging.ERROR, logger="caseworker.payments.file_views"):
        response = client_for(lead).get(
            reverse("caseworker:payment_file_download", args=[made.pk]), follow=True
        )

    assert response.redirect_chain == [(LIST, 302)]
    assert "inte giltig enligt bankens format" in shown(response)
    assert made.message_id in caplog.text
    made.refresh_from_db()
    assert made.downloaded_at is None
    assert not AccessLog.objects.filter(user=lead).exists()


def test_a_file_changed_on_disk_is_not_downloaded(lead: User, made: PaymentFile) -> None:
    PaymentFile.objects.filter(pk=made.pk).update(sha256="0" * 64)
    response = client_for(lead).get(reverse("caseworker:payment_file_download", args=[made.pk]))
    assert response.status_code == 302
    assert not AccessLog.objects.filter(user=lead).exists()


# --- mark sent ----------------------------------------------------------------------------------


def test_a_file_is_marked_sent_once(lead: User, made: PaymentFile) -> None:
    client = client_for(lead)
    url = reverse("caseworker:payment_file_mark_sent", args=[made.pk])
    first = client.post(url, follow=True)
    made.refresh_from_db()
    sent_at = made.sent_at

    assert made.sent_by == lead and sent_at is not None and made.state == "sent"
    assert f"Betalfilen {made.message_id} är markerad som skickad till banken." in shown(first)
    assert "Markerad som skickad" in shown(first)

    second = client.post(url, follow=True)
    made.refresh_from_db()
    assert made.sent_at == sent_at
    assert "är redan markerad som skickad" in shown(second)
    with pytest.raises(PaymentFileAlreadySent):
        payment_file_mark_sent(made, by=lead)


def test_files_are_never_deleted(lead: User, made: PaymentFile) -> None:
    client_for(lead).post(reverse("caseworker:payment_file_mark_sent", args=[made.pk]))
    with pytest.raises(ProtectedError):
        made.delete()
    assert PaymentFile.objects.filter(pk=made.pk).exists()


# --- who may ------------------------------------------------------------------------------------


def test_a_team_lead_of_another_municipality_gets_404(other_lead: User, made: PaymentFile) -> None:
    client = client_for(other_lead)
    download = reverse("caseworker:payment_file_download", args=[made.pk])
    mark = reverse("caseworker:payment_file_mark_sent", args=[made.pk])

    assert client.get(download).status_code == 404
    assert client.post(mark).status_code == 404
    assert made.message_id not in shown(client.get(LIST))
    made.refresh_from_db()
    assert made.sent_at is None and made.downloaded_at is None
    assert not AccessLog.objects.filter(user=other_lead).exists()
    # Each refusal is on record as one (the access-denial log), naming the file asked for.
    assert sorted(
        AccessDenial.objects.filter(user=other_lead).values_list("url_name", "object_id", "status")
    ) == [
        ("caseworker:payment_file_download", str(made.pk), 404),
        ("caseworker:payment_file_mark_sent", str(made.pk), 404),
    ]


def test_the_file_views_pass_through_a_door(lead: User, made: PaymentFile) -> None:
    client = client_for(lead)
    for method, name in (("get", "payment_file_download"), ("post", "payment_file_mark_sent")):
        with doors_recorded() as passed:
            getattr(client, method)(reverse(f"caseworker:{name}", args=[made.pk]))
        assert passed == ["caseworker.payments.files.payment_file_of"], name


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SECRETARY])
def test_caseworkers_and_secretaries_get_403(
    role: Role, made: PaymentFile, make_staff: Callable[..., User], trelleborg: Municipality
) -> None:
    client = client_for(make_staff(f"x{role}", role, trelleborg))
    assert client.get(LIST).status_code == 403
    assert client.post(CREATE).status_code == 403
    assert (
        client.get(reverse("caseworker:payment_file_download", args=[made.pk])).status_code == 403
    )
    assert (
        client.post(reverse("caseworker:payment_file_mark_sent", args=[made.pk])).status_code == 403
    )
    assert PaymentFile.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(made: PaymentFile) -> None:
    response = Client().get(LIST)
    assert response.status_code == 302 and "next=" in response["Location"]


def test_creating_and_marking_are_posts(lead: User, made: PaymentFile) -> None:
    client = client_for(lead)
    assert client.get(CREATE).status_code == 405
    assert (
        client.get(reverse("caseworker:payment_file_mark_sent", args=[made.pk])).status_code == 405
    )
    assert PaymentFile.objects.count() == 1


def test_an_order_from_the_approval_flow_waits_on_the_page(
    lead: User,
    applicant: User,
    submitted_application: Application,
    decide: Callable[..., Decision],
) -> None:
    applicant.bank_account = ACCOUNT
    applicant.save(update_fields=["bank_account"])
    decision = decide(submitted_application)

    html = shown(client_for(lead).get(LIST))
    assert "1 godkänd utbetalning väntar på att läggas i en betalfil" in html
    assert kronor_text(decision.amount) in html
