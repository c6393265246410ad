"""#19 item 5: the team lead uploads the bank's camt.054 notification on the payment-files page:
their municipality's orders are marked paid or rejected (another municipality's stay as they
are), the result is counted on the page, the cases are in the access log, a file sent twice
changes nothing more, and anything but a readable camt.054 is refused with nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import Municipality, Role, User
from caseworker.models import AccessLog, JournalEntry
from caseworker.models.payments import PaymentOrder, PaymentStatus
from caseworker.payments import file_views
from caseworker.payments.services import payment_file_create
from intake.services.timeline import timeline_for
from tests.builders import client_for
from tests.caseworker.payments.test_payment_files_page import order_make
from tests.caseworker.payments.test_returns import camt054, e2e

pytestmark = pytest.mark.usefixtures("frozen_wednesday", "private_media", "no_stickprov")

DAY = date(2026, 11, 18)
UPLOAD = reverse("caseworker:payment_returns_upload")


@pytest.fixture
def lead(make_staff: Callable[..., User], trelleborg: Municipality) -> User:
    return make_staff("ledare", Role.TEAM_LEAD, trelleborg)


@pytest.fixture
def sent(
    caseworker: User,
    trelleborg: Municipality,
    svedala: Municipality,
    make_staff: Callable[..., User],
) -> dict[str, PaymentOrder]:
    """Three Trelleborg orders and one Svedala order, each in its municipality's file."""
    svedala_worker = make_staff("svedalahandlaggare", Role.CASEWORKER, svedala)
    orders = {
        "paid": order_make(trelleborg, caseworker, "4200"),
        "returned": order_make(trelleborg, caseworker, "3100"),
        "other_amount": order_make(trelleborg, caseworker, "999"),
        "svedala": order_make(svedala, svedala_worker, "5000"),
    }
    payment_file_create(day=DAY, municipality=trelleborg)
    payment_file_create(day=DAY, municipality=svedala)
    for order in orders.values():
        order.refresh_from_db()
        assert order.status == PaymentStatus.SENT
    return orders


def upload(user: User, data: bytes, name: str = "camt054.xml") -> object:
    return client_for(user).post(UPLOAD, {"return_file": SimpleUploadedFile(name, data)})


def html(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def bank_file(sent: dict[str, PaymentOrder]) -> bytes:
    return camt054(
        (e2e(sent["paid"]), "4200.00", "BOOK", ""),
        (e2e(sent["returned"]), "3100.00", "BOOK", "AC01"),
        (e2e(sent["other_amount"]), "998.00", "BOOK", ""),
        (e2e(sent["svedala"]), "5000.00", "BOOK", ""),
        ("NOTOURS-1", "50.00", "BOOK", ""),
    )


def test_the_upload_marks_the_municipalitys_orders_and_counts_the_result(
    lead: User, sent: dict[str, PaymentOrder], caseworker: User
) -> None:
    response = upload(lead, bank_file(sent))

    assert response.status_code == 200  # type: ignore[attr-defined]
    page = html(response)
    assert "1 utbetalning bokförd som utbetald." in page
    assert "1 utbetalning avvisad av banken." in page
    assert sent["returned"].application.reference in page
    # Not applied, listed by end-to-end id only: another municipality's, not ours, another amount.
    assert e2e(sent["svedala"]) in page and "NOTOURS-1" in page
    assert e2e(sent["other_amount"]) in page
    assert sent["svedala"].payee_name not in page and sent["paid"].payee_name not in page
    statuses = {k: PaymentOrder.objects.get(pk=o.pk).status for k, o in sent.items()}
    assert statuses == {
        "paid": PaymentStatus.CONFIRMED,
        "returned": PaymentStatus.FAILED,
        "other_amount": PaymentStatus.SENT,
        "svedala": PaymentStatus.SENT,  # another municipality's order is untouched
    }
    # Logged like a download: one row per case the file named, by the team lead.
    logged = set(
        AccessLog.objects.filter(user=lead, detail="caseworker:payment_returns_upload").values_list(
            "application_id", flat=True
        )
    )
    assert logged == {sent["paid"].application_id, sent["returned"].application_id}

    # The rejection is on the case page, in the journal and on the applicant's timeline.
    case = client_for(caseworker).get(
        reverse("caseworker:case_detail", args=[sent["returned"].application_id])
    )
    assert "Banken avvisade utbetalningen: Felaktigt kontonummer" in html(case)
    assert "(AC01)" in html(case)
    assert JournalEntry.objects.filter(
        application=sent["returned"].application, category="payment", text__contains="AC01"
    ).exists()
    assert "Utbetalningen gick inte igenom" in [
        e.title for e in timeline_for(sent["returned"].application)
    ]


def test_the_same_file_twice_changes_nothing_more(
    lead: User, sent: dict[str, PaymentOrder]
) -> None:
    upload(lead, bank_file(sent))
    journal = JournalEntry.objects.filter(category="payment").count()

    again = html(upload(lead, bank_file(sent)))

    assert "0 utbetalningar bokförda som utbetalda." in again
    assert "0 utbetalningar avvisade av banken." in again
    assert "2 utbetalningar var redan registrerade och ändrades inte." in again
    assert JournalEntry.objects.filter(category="payment").count() == journal


def test_the_other_municipalitys_lead_changes_only_theirs(
    sent: dict[str, PaymentOrder], make_staff: Callable[..., User], svedala: Municipality
) -> None:
    other = make_staff("svedalaledare", Role.TEAM_LEAD, svedala)
    page = html(upload(other, bank_file(sent)))
    assert "1 utbetalning bokförd som utbetald." in page
    assert "0 utbetalningar avvisade av banken." in page
    assert PaymentOrder.objects.get(pk=sent["svedala"].pk).status == PaymentStatus.CONFIRMED
    for key in ("paid", "returned", "other_amount"):
        assert PaymentOrder.objects.get(pk=sent[key].pk).status == PaymentStatus.SENT


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SECRETARY])
def test_other_roles_are_refused(
    role: Role,
    sent: dict[str, PaymentOrder],
    make_staff: Callable[..., User],
    trelleborg: Municipality,
) -> None:
    user = make_staff("annan", role, trelleborg)
    assert upload(user, bank_file(sent)).status_code == 403  # type: ignore[attr-defined]
    assert PaymentOrder.objects.get(pk=sent["paid"].pk).status == PaymentStatus.SENT


def test_an_applicant_and_a_visitor_are_refused(
    sent: dict[str, PaymentOrder], applicant: User
) -> None:
    assert upload(applicant, bank_file(sent)).status_code == 403  # type: ignore[attr-defined]
    response = Client().post(UPLOAD, {"return_file": SimpleUploadedFile("a.xml", b"<a/>")})
    assert response.status_code == 302  # to the login
    assert PaymentOrder.objects.get(pk=sent["paid"].pk).status == PaymentStatus.SENT


def test_get_is_not_allowed(lead: User) -> None:
    assert client_for(lead).get(UPLOAD).status_code == 405


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"%PDF-1.7 not xml", "Filen är inte en XML-fil", id="pdf"),
        pytest.param(b"Id;Belopp\n1;4200\n", "Filen är inte en XML-fil", id="csv"),
        pytest.param(b"<Document><Other/></Document>", "camt.054", id="other-xml"),
        pytest.param(b"<Document><unclosed>", "camt.054", id="broken-xml"),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<Document>&e;</Document>",
            "camt.054",
            id="external-entity",
        ),
    ],
)
def test_anything_but_a_camt_054_is_refused_and_nothing_changes(
    lead: User, sent: dict[str, PaymentOrder], data: bytes, message: str
) -> None:
    response = upload(lead, data)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert message in html(response)
    assert 'class="error-summary"' in html(response)
    assert {PaymentOrder.objects.get(pk=o.pk).status for o in sent.values()} == {PaymentStatus.SENT}


def test_no_file_is_refused(lead: User) -> None:
    response = client_for(lead).post(UPLOAD, {})
    assert response.status_code == 400


def test_a_file_over_the_limit_is_refused_unread(
    lead: User, sent: dict[str, PaymentOrder], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_views, "RETURN_FILE_MAX_BYTES", 100)
    response = upload(lead, bank_file(sent))
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Filen är för stor" in html(response)
    assert PaymentOrder.objects.get(pk=sent["paid"].pk).status == PaymentStatus.SENT


def test_a_byte_order_mark_before_the_xml_is_fine(
    lead: User, sent: dict[str, PaymentOrder]
) -> None:
    data = b"\xef\xbb\xbf" + camt054((e2e(sent["paid"]), "4200.00", "BOOK", ""))
    assert "1 utbetalning bokförd som utbetald." in html(upload(lead, data))


def test_the_page_shows_the_upload_form(lead: User) -> None:
    page = html(client_for(lead).get(reverse("caseworker:payment_files")))
    assert 'enctype="multipart/form-data"' in page
    assert f'action="{UPLOAD}"' in page
    assert 'accept=".xml,application/xml,text/xml"' in page


def test_comments_in_the_banks_file_are_read_past(
    lead: User, sent: dict[str, PaymentOrder]
) -> None:
    # A comment (or processing instruction) among the elements used to end in a server error.
    data = camt054((e2e(sent["paid"]), "4200.00", "BOOK", "")).replace(
        b"<Ntfctn>", b"<!-- bankens kommentar --><Ntfctn><?bank exported?>"
    )
    assert "1 utbetalning bokförd som utbetald." in html(upload(lead, data))
