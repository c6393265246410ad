"""#19 item 4: letters leave as PDF with a manifest to the print-and-post service over SFTP, and
its receipts say whether they were handed to the post; proven against the SFTP simulator on
loopback (demo/simulators/print_service.py).

Uploaded as a valid PDF plus manifest (the decision letter as stored; other notices rendered),
the receipt read → delivered and archived (never deleted), a rejected letter → failed for good
and the case owner told; a forwarded letter (skyddade personuppgifter) carries Skatteverket's
address, never the person's; a server with another host key, or one that is down or slow, gets
nothing and the letter waits for the retry."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from accounts.models import User
from caseworker.letters.delivery import letter_refused_task_text, notify_decision
from caseworker.letters.render import letter_read, letter_render
from caseworker.models.caseload import Reminder
from demo.simulators.https import Fault
from demo.simulators.print_service import PrintServiceSimulator
from intake.models import Application
from notifications.delivery import notify_caseworker_message
from notifications.events import AddressQuery, PostalAddress, postal_address
from notifications.models import Notification
from notifications.print_service import SftpConfig, SftpSession
from notifications.sending import letter_receipts_collect, notifications_retry
from notifications.tasks import print_receipts_collect_task
from tests.notifications.helpers import decision_made_directly

# Reads today's date (the robot at submit, the letter's date): also runs in the date matrix.
pytestmark = pytest.mark.dates

ADDRESS = "Testgatan 1, 231 42 Trelleborg"
FORWARDING = ["Skatteverket", "Särskild postförmedling", "Box 1", "000 00 Ort"]


def _registered(query: AddressQuery) -> PostalAddress:
    return PostalAddress(address=ADDRESS, protected=False)


@pytest.fixture
def print_service(tmp_path: Path) -> Iterator[PrintServiceSimulator]:
    simulator = PrintServiceSimulator(root=tmp_path / "print-service")
    with simulator:
        yield simulator


def _use(simulator: PrintServiceSimulator, settings: Any, **overrides: Any) -> None:
    values: dict[str, Any] = {
        **simulator.client_environment(),
        "PRINT_SFTP_PORT": simulator.port,
        "PRINT_SFTP_TIMEOUT_SECONDS": 5.0,
        "PRINT_FORWARDING_ADDRESS": FORWARDING,
        **overrides,
    }
    for name, value in values.items():
        setattr(settings, name, value)
    settings.NOTIFICATION_BACKENDS = {
        **settings.NOTIFICATION_BACKENDS,
        "letter": "notifications.print_service.SftpLetterBackend",
    }


@pytest.fixture
def letters_by_sftp(
    submitted_application: Application,
    print_service: PrintServiceSimulator,
    settings: Any,
    clean_outboxes: None,
) -> Iterator[PrintServiceSimulator]:
    """Letters go to the simulator (SMS and e-mail stay with the fakes); the register answers
    with an address. The application was submitted before (its robot's notices went to the
    fakes)."""
    _use(print_service, settings)
    with postal_address.overridden(_registered):
        yield print_service


def _letter_notice(application: Application, applicant: User, capture: Callable) -> Notification:
    applicant.notification_channel, applicant.phone, applicant.email = "letter", "", ""
    applicant.save()
    with capture(execute=True):
        [notice] = notify_caseworker_message(application)
    notice.refresh_from_db()
    return notice


def _files(simulator: PrintServiceSimulator, folder: str) -> list[str]:
    return sorted(p.name for p in (simulator.files / folder).iterdir() if p.is_file())


def test_a_letter_is_uploaded_as_pdf_with_manifest_and_its_receipt_marks_it_delivered(
    letters_by_sftp: PrintServiceSimulator,
    submitted_application: Application,
    applicant: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    notice = _letter_notice(submitted_application, applicant, django_capture_on_commit_callbacks)
    assert notice.status == "sent" and notice.delivered_at is None
    assert notice.provider_reference == f"bistand-{notice.pk}"
    [batch] = letters_by_sftp.batches_processed(1)
    manifest = batch["manifest"]
    assert manifest["reference"] == notice.provider_reference
    assert manifest["document"] == f"{notice.provider_reference}.pdf"
    assert manifest["recipient"] == {
        "name": "Alva Andersson",
        "address": ["Testgatan 1", "231 42 Trelleborg"],
    }
    assert manifest["forwarding"] is False
    assert (applicant.personnummer or "-") not in json.dumps(manifest)
    pdf = PdfReader(io.BytesIO(batch["pdf"]))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert notice.body.split(" – ")[0] in text
    # The sender (the municipality) and the address for the window envelope are printed
    # (found in the stranger run of #19: letters said nothing about who sent them).
    assert "Trelleborg" in text.split("Alva Andersson")[0]
    assert "Testgatan 1" in text and "231 42 Trelleborg" in text
    assert (applicant.personnummer or "-") not in text
    assert batch["receipt"]["status"] == "accepted"
    # No half-written file was ever left for the service.
    assert not [n for n in _files(letters_by_sftp, "processed") if n.endswith(".part")]

    assert letter_receipts_collect() == 1
    notice.refresh_from_db()
    assert notice.status == "sent" and notice.delivered_at is not None
    # The receipt is kept in the archive, not deleted, and reading again changes nothing.
    assert _files(letters_by_sftp, "kvitto") == []
    assert _files(letters_by_sftp, "kvitto/arkiv") == [f"{notice.provider_reference}.json"]
    delivered_at = notice.delivered_at
    assert print_receipts_collect_task() == 0
    notice.refresh_from_db()
    assert notice.delivered_at == delivered_at


def test_a_receipt_read_twice_is_recorded_once_and_archived_under_another_name(
    letters_by_sftp: PrintServiceSimulator,
    submitted_application: Application,
    applicant: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    notice = _letter_notice(submitted_application, applicant, django_capture_on_commit_callbacks)
    letters_by_sftp.batches_processed(1)
    receipts = letters_by_sftp.files / "kvitto"
    copy = (receipts / f"{notice.provider_reference}.json").read_bytes()
    assert letter_receipts_collect() == 1
    notice.refresh_from_db()
    first = notice.delivered_at
    (receipts / f"{notice.provider_reference}.json").write_bytes(copy)  # the service again
    assert letter_receipts_collect() == 1
    notice.refresh_from_db()
    assert notice.delivered_at == first
    assert len(_files(letters_by_sftp, "kvitto/arkiv")) == 2


def test_the_decision_letter_goes_as_the_stored_pdf(
    letters_by_sftp: PrintServiceSimulator,
    submitted_application: Application,
    applicant: User,
    caseworker: User,
    private_media: Path,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    applicant.notification_channel, applicant.phone, applicant.email = "letter", "", ""
    applicant.save()
    decision = decision_made_directly(submitted_application, caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = notify_decision(decision)
    letter = delivery.notification
    assert letter is not None
    letter.refresh_from_db()
    # The letter is not rendered yet: the notice waits and is tried again.
    assert letter.status == "failed" and "bilagan" in letter.last_error
    stored = letter_read(letter_render(decision_id=decision.pk))
    assert notifications_retry() == 1
    letter.refresh_from_db()
    assert letter.status == "sent"
    [batch] = letters_by_sftp.batches_processed(1)
    assert batch["pdf"] == stored
    assert batch["receipt"]["status"] == "accepted"


def test_a_rejected_letter_fails_for_good_and_the_case_owner_is_told(
    letters_by_sftp: PrintServiceSimulator,
    submitted_application: Application,
    applicant: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    monkeypatch.setattr("notifications.print_service.letter_document", lambda message: b"not a pdf")
    notice = _letter_notice(submitted_application, applicant, django_capture_on_commit_callbacks)
    [batch] = letters_by_sftp.batches_processed(1)
    assert batch["receipt"]["status"] == "rejected"
    with django_capture_on_commit_callbacks(execute=True):
        assert letter_receipts_collect() == 1
    notice.refresh_from_db()
    assert notice.status == "failed" and notice.delivered_at is None
    assert notice.last_error == "tryckeriet: dokumentet är inte en PDF"
    assert notifications_retry() == 0  # not tried again
    # A letter is the last channel: no other notice, but a task for the case owner.
    assert not Notification.objects.filter(dedupe_key__startswith="fallback:").exists()
    [task] = Reminder.objects.filter(application=submitted_application, done_at__isnull=True)
    assert task.text == letter_refused_task_text()
    assert task.owner_id == submitted_application.owner_id


def test_a_forwarded_letter_carries_skatteverkets_address_never_the_persons(
    letters_by_sftp: PrintServiceSimulator,
    submitted_application: Application,
    applicant: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    Application.objects.filter(pk=submitted_application.pk).update(protected_identity=True)
    submitted_application.refresh_from_db()
    asked: list[AddressQuery] = []

    def register(query: AddressQuery) -> PostalAddress:
        asked.append(query)
        return _registered(query)

    with postal_address.overridden(register):
        notice = _letter_notice(
            submitted_application, applicant, django_capture_on_commit_callbacks
        )
    assert notice.channel == "forwarding" and notice.status == "sent"
    assert asked == []  # the register's address is never asked for
    [batch] = letters_by_sftp.batches_processed(1)
    manifest = batch["manifest"]
    assert manifest["forwarding"] is True
    assert manifest["recipient"]["address"] == FORWARDING
    assert manifest["recipient"]["personnummer"] == applicant.personnummer
    assert "Testgatan" not in json.dumps(manifest, ensure_ascii=False)
    assert letter_receipts_collect() == 1
    notice.refresh_from_db()
    assert notice.delivered_at is not None


def test_a_forwarded_letter_waits_while_the_forwarding_address_is_not_configured(
    letters_by_sftp: PrintServiceSimulator,
    submitted_application: Application,
    applicant: User,
    settings: Any,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    settings.PRINT_FORWARDING_ADDRESS = []
    Application.objects.filter(pk=submitted_application.pk).update(protected_identity=True)
    submitted_application.refresh_from_db()
    notice = _letter_notice(submitted_application, applicant, django_capture_on_commit_callbacks)
    assert notice.status == "failed" and notice.attempts == 1
    assert _files(letters_by_sftp, "inkorg") == []


@pytest.mark.parametrize(
    ("fault", "timeout"),
    [(Fault("wrong_host_key"), 5.0), (Fault("down"), 2.0), (Fault("slow", 3.0), 1.0)],
)
def test_a_service_we_cannot_trust_or_reach_gets_nothing_and_the_letter_waits(
    tmp_path: Path,
    settings: Any,
    clean_outboxes: None,
    submitted_application: Application,
    applicant: User,
    django_capture_on_commit_callbacks: Callable,
    fault: Fault,
    timeout: float,
) -> None:
    simulator = PrintServiceSimulator(root=tmp_path / "troubled")
    simulator.fault = fault
    with simulator, postal_address.overridden(_registered):
        _use(simulator, settings, PRINT_SFTP_TIMEOUT_SECONDS=timeout)
        notice = _letter_notice(
            submitted_application, applicant, django_capture_on_commit_callbacks
        )
        assert notice.status == "failed" and notice.attempts == 1
        assert notice.last_error.startswith("tryckeriet")
        if fault.mode == "wrong_host_key":
            assert "värdnyckel" in notice.last_error
        if fault.mode != "slow":
            assert list((simulator.files / "inkorg").iterdir()) == []
    # Once the service is itself again, the retry sends it: nothing is lost.
    healthy = PrintServiceSimulator(root=tmp_path / "healthy")
    with healthy, postal_address.overridden(_registered):
        _use(healthy, settings)
        assert notifications_retry() == 1
        notice.refresh_from_db()
        assert notice.status == "sent" and notice.attempts == 2
        assert healthy.batches_processed(1)[0]["reference"] == notice.provider_reference


def test_the_session_works_while_the_calling_thread_runs_an_event_loop(
    letters_by_sftp: PrintServiceSimulator,
) -> None:
    """A thread that already runs an event loop (Playwright's in the browser tests, an async
    library in a web worker) could not run the session's own loop: "Cannot run the event loop
    while another loop is running" failed every letter in a CI run. The session's loop has its
    own thread."""
    config = SftpConfig.from_settings()

    async def inside() -> tuple[bool, bool]:
        with SftpSession(config) as session:
            inbox = config.inbox
            session.write(f"{inbox}/probe.part", b"%PDF-1.7 probe")
            return session.exists(f"{inbox}/probe.part"), session.exists(f"{inbox}/nothing.pdf")

    assert asyncio.run(inside()) == (True, False)
