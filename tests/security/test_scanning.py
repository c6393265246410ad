"""Virus scanning through clamd's INSTREAM, with quarantine while the scanner is down (T55d)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from demo.simulators.clamd import EICAR, FakeClamd, free_port
from intake.documents import scanning
from intake.documents.attachments import attachment_upload, stored_path
from intake.models import Application, Attachment, ScanStatus
from intake.tasks import attachments_rescan_task

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# A PDF that carries the EICAR test string: passes the type check, must fail the scan.
INFECTED_PDF = PDF + EICAR + b"\n"


@pytest.fixture
def clamd(settings) -> Iterator[FakeClamd]:
    with FakeClamd() as server:
        settings.ATTACHMENT_SCAN_BACKEND = "intake.documents.scanning.ClamdScanner"
        settings.ATTACHMENT_ALLOW_UNSCANNED = False
        settings.CLAMD_SOCKET = ""
        settings.CLAMD_HOST = "127.0.0.1"
        settings.CLAMD_PORT = server.port
        settings.CLAMD_TIMEOUT_SECONDS = 2.0
        yield server


@pytest.fixture
def clamd_down(settings) -> None:
    settings.ATTACHMENT_SCAN_BACKEND = "intake.documents.scanning.ClamdScanner"
    settings.ATTACHMENT_ALLOW_UNSCANNED = False
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = "127.0.0.1"
    settings.CLAMD_PORT = free_port()
    settings.CLAMD_TIMEOUT_SECONDS = 0.5


def upload(application: Application, content: bytes, name: str = "hyra.pdf") -> Attachment:
    return attachment_upload(
        application=application,
        kind="rent",
        file=SimpleUploadedFile(name, content, content_type="application/pdf"),
        uploaded_by=application.applicant,
    )


def staff_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_instream_client_sends_the_whole_file_in_chunks(
    clamd: FakeClamd, tmp_path: Path
) -> None:
    big = tmp_path / "big.pdf"
    content = PDF + b"x" * (3 * scanning.CHUNK + 17)
    big.write_bytes(content)
    assert scanning.ClamdScanner().scan(big) == "clean"
    assert clamd.scanned == [content]


def test_a_clean_upload_is_released(
    clamd: FakeClamd, make_draft: Callable[..., Application], applicant: User
) -> None:
    attachment = upload(make_draft(applicant), PDF)
    assert attachment.scan_status == ScanStatus.CLEAN
    assert clamd.scanned == [PDF]


def test_eicar_is_infected_and_the_file_is_deleted(
    clamd: FakeClamd, make_draft: Callable[..., Application], applicant: User
) -> None:
    attachment = upload(make_draft(applicant), INFECTED_PDF)
    assert attachment.scan_status == ScanStatus.INFECTED
    assert not stored_path(attachment).exists()


def test_when_clamd_is_down_the_upload_waits_in_quarantine(
    clamd_down: None, make_draft: Callable[..., Application], applicant: User
) -> None:
    attachment = upload(make_draft(applicant), PDF)
    assert attachment.scan_status == ScanStatus.PENDING
    assert stored_path(attachment).read_bytes() == PDF  # kept, not lost


def test_staff_cannot_open_a_file_waiting_for_the_scanner(
    clamd_down: None, submitted_application: Application, caseworker: User
) -> None:
    attachment = upload(submitted_application, PDF)
    url = reverse("caseworker:case_attachment", args=[submitted_application.pk, attachment.pk])
    assert staff_client(caseworker).get(url).status_code == 404


def test_the_rescan_releases_quarantined_files_when_clamd_is_back(
    settings,
    submitted_application: Application,
    caseworker: User,
    django_capture_on_commit_callbacks,
) -> None:
    settings.ATTACHMENT_SCAN_BACKEND = "intake.documents.scanning.ClamdScanner"
    settings.ATTACHMENT_ALLOW_UNSCANNED = False
    settings.CLAMD_HOST, settings.CLAMD_PORT = "127.0.0.1", free_port()
    settings.CLAMD_TIMEOUT_SECONDS = 0.5
    clean = upload(submitted_application, PDF, "hyra.pdf")
    infected = upload(submitted_application, INFECTED_PDF, "el.pdf")
    assert {clean.scan_status, infected.scan_status} == {ScanStatus.PENDING}

    # Still down: nothing changes, the files keep waiting.
    assert attachments_rescan_task() == {"clean": 0, "infected": 0, "error": 0, "pending_scan": 2}

    with FakeClamd() as server:
        settings.CLAMD_PORT = server.port
        with django_capture_on_commit_callbacks(execute=True):
            counts = attachments_rescan_task()
    assert counts == {"clean": 1, "infected": 1, "error": 0, "pending_scan": 0}
    clean.refresh_from_db()
    infected.refresh_from_db()
    assert (clean.scan_status, infected.scan_status) == (ScanStatus.CLEAN, ScanStatus.INFECTED)
    assert not stored_path(infected).exists()
    client = staff_client(caseworker)
    ok = client.get(
        reverse("caseworker:case_attachment", args=[submitted_application.pk, clean.pk])
    )
    assert ok.status_code == 200 and b"".join(ok.streaming_content) == PDF
    gone = client.get(
        reverse("caseworker:case_attachment", args=[submitted_application.pk, infected.pk])
    )
    assert gone.status_code == 404


def test_a_clamd_error_answer_is_not_clean(tmp_path: Path, settings) -> None:
    class Erroring(scanning.ClamdScanner):
        def instream(self, path: Path) -> str:
            return "INSTREAM size limit exceeded. ERROR"

    target = tmp_path / "a.pdf"
    target.write_bytes(PDF)
    assert Erroring(host="127.0.0.1", port=1, timeout=1).scan(target) == "error"


def test_the_rescan_runs_on_the_beat_schedule(settings) -> None:
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "intake.attachments_rescan",
        "operations.heartbeat",
        "caseworker.retention_run",
    } <= tasks
