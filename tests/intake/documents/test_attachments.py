"""Documents: checked by content, size-limited, stored privately, served only to those allowed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from intake.documents import attachments
from intake.documents.attachments import AttachmentRefused, attachment_checklist, attachment_upload
from intake.documents.scanning import NoScanner
from intake.models import Application, Attachment, ScanStatus

# Reads today's date: also runs at every moment of the date matrix (tests/clock.py).
pytestmark = [pytest.mark.dates, pytest.mark.django_db]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 60
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 30


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("hyra.pdf", PDF, "application/pdf"),
        ("foto.jpg", JPEG, "image/jpeg"),
        ("skärm.png", PNG, "image/png"),
        ("IMG_0001.HEIC", HEIC, "image/heic"),
        ("utan-ändelse", PDF, "application/pdf"),
    ],
)
def test_allowed_types_are_recognised_by_content(
    make_draft: Callable[..., Application],
    applicant: User,
    name: str,
    content: bytes,
    expected: str,
) -> None:
    draft = make_draft(applicant)
    attachment = attachment_upload(
        application=draft, kind="rent", file=upload(name, content), uploaded_by=applicant
    )
    assert attachment.content_type == expected
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.original_name == name
    assert attachment.stored_name != name and attachment.stored_name.count(".") == 1
    assert Path(attachment.stored_name).suffix == attachments.EXTENSIONS[expected]
    stored = attachments.stored_path(attachment)
    assert stored.read_bytes() == content
    assert "static" not in str(stored)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("program.pdf", EXE, "program"),
        ("sida.png", HTML, "inte en PDF eller en bild"),
        ("dokument.pdf", ZIP, "arkiv"),
        ("tom.pdf", b"", "tom"),
    ],
)
def test_other_content_is_refused_even_if_renamed(
    make_draft: Callable[..., Application], applicant: User, name: str, content: bytes, message: str
) -> None:
    draft = make_draft(applicant)
    with pytest.raises(AttachmentRefused, match=message):
        attachment_upload(
            application=draft, kind="rent", file=upload(name, content), uploaded_by=applicant
        )
    assert not Attachment.objects.exists()


def test_a_file_over_10_mb_is_refused(
    make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    big = PDF + b"0" * (10 * 1024 * 1024)
    with pytest.raises(AttachmentRefused, match="10 MB per fil"):
        attachment_upload(
            application=draft, kind="rent", file=upload("a.pdf", big), uploaded_by=applicant
        )


def test_an_application_holds_at_most_20_files_and_50_mb(
    make_draft: Callable[..., Application], applicant: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = make_draft(applicant)
    for n in range(20):
        attachment_upload(
            application=draft,
            kind="other",
            file=upload(f"{n}.pdf", PDF + str(n).encode()),  # twenty different files
            uploaded_by=applicant,
        )
    with pytest.raises(AttachmentRefused, match="högst 20 filer"):
        attachment_upload(
            application=draft, kind="other", file=upload("x.pdf", PDF), uploaded_by=applicant
        )
    monkeypatch.setattr(attachments, "MAX_APPLICATION_BYTES", 20 * len(PDF) + 10)
    monkeypatch.setattr(attachments, "MAX_FILES", 30)
    with pytest.raises(AttachmentRefused, match="50 MB"):
        attachment_upload(
            application=draft, kind="other", file=upload("y.pdf", PDF + b"y"), uploaded_by=applicant
        )


def test_the_same_file_twice_is_stored_once(
    make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    first = attachment_upload(
        application=draft, kind="rent", file=upload("hyra.pdf", PDF), uploaded_by=applicant
    )
    again = attachment_upload(
        application=draft, kind="rent", file=upload("hyra.pdf", PDF), uploaded_by=applicant
    )
    assert again.pk == first.pk
    assert draft.attachments.count() == 1


def test_no_scanner_passes_files_only_where_unscanned_files_are_allowed(
    settings, tmp_path: Path
) -> None:
    settings.DEBUG = False
    settings.ATTACHMENT_ALLOW_UNSCANNED = False
    assert NoScanner().scan(tmp_path) == "error"
    settings.ATTACHMENT_ALLOW_UNSCANNED = True
    assert NoScanner().scan(tmp_path) == "clean"


class InfectedScanner:
    def scan(self, path: Path) -> str:
        return "infected"


def test_an_infected_file_is_deleted_kept_as_a_record_and_refused(
    client: Client, make_draft: Callable[..., Application], applicant: User, settings
) -> None:
    settings.ATTACHMENT_SCAN_BACKEND = f"{__name__}.InfectedScanner"
    draft = make_draft(applicant)
    client.force_login(applicant)
    response = client.post(
        reverse("intake:step_attachments", args=[draft.pk]),
        {"kind": "rent", "file": upload("a.pdf", PDF)},
    )
    assert response.status_code == 400
    assert "skadlig kod" in response.content.decode()
    attachment = Attachment.objects.get()
    assert attachment.scan_status == ScanStatus.INFECTED
    assert not attachments.stored_path(attachment).exists()


def test_the_download_is_an_attachment_with_nosniff_and_a_sandbox(
    client: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    attachment = attachment_upload(
        application=draft, kind="rent", file=upload("hyresavi ö.pdf", PDF), uploaded_by=applicant
    )
    client.force_login(applicant)
    response = client.get(reverse("intake:attachment_download", args=[draft.pk, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''hyresavi%20%C3%B6.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"


def test_nobody_else_can_download_and_unclean_files_are_not_served(
    client: Client, make_draft: Callable[..., Application], applicant: User, other_applicant: User
) -> None:
    draft = make_draft(applicant)
    attachment = attachment_upload(
        application=draft, kind="rent", file=upload("a.pdf", PDF), uploaded_by=applicant
    )
    address = reverse("intake:attachment_download", args=[draft.pk, attachment.pk])
    client.force_login(other_applicant)
    assert client.get(address).status_code == 404
    client.force_login(applicant)
    Attachment.objects.filter(pk=attachment.pk).update(scan_status=ScanStatus.PENDING)
    assert client.get(address).status_code == 404


def test_the_upload_page_gives_a_receipt_and_a_clear_error(
    client: Client, make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    client.force_login(applicant)
    address = reverse("intake:step_attachments", args=[draft.pk])
    response = client.post(address, {"kind": "rent", "file": upload("avi.pdf", PDF)}, follow=True)
    page = response.content.decode()
    assert "Vi har tagit emot avi.pdf" in page
    assert hashlib.sha256(PDF).hexdigest() in page
    assert "Dokument vi har fått" in page
    response = client.post(address, {"kind": "rent", "file": upload("x.pdf", EXE)})
    assert response.status_code == 400
    assert "Filen är ett program" in response.content.decode()


def test_the_checklist_follows_from_the_answers(
    make_draft: Callable[..., Application], applicant: User
) -> None:
    from decimal import Decimal

    from intake import services

    draft = make_draft(applicant, rent="6000")
    assert [kind for kind, _l, _w in attachment_checklist(draft)] == ["rent"]
    services.application_set_incomes(application=draft, incomes={"salary": Decimal(100)})
    services.application_set_assets(application=draft, assets={"savings": Decimal(50)})
    assert [kind for kind, _l, _w in attachment_checklist(draft)] == [
        "rent",
        "payslip",
        "bank_statement",
    ]


# --- the extension is the detected type's, never the uploaded name's (assessment item 13) -----

# (name given, content, the extension it is stored and served with)
NAMED_WRONG = [
    ("x.html", PDF, ".pdf"),
    ("program.exe", PDF, ".pdf"),
    ("utan-ändelse", PDF, ".pdf"),
    ("hyra.pdf.html", PDF, ".pdf"),
    (".htaccess", PDF, ".pdf"),
    ("foto.jpeg", JPEG, ".jpg"),
    ("bild.html", PNG, ".png"),
    ("IMG_0001.HEIC", HEIC, ".heic"),
    ("skanning.svg", JPEG, ".jpg"),
]
NAMED_WRONG_IDS = [name for name, _content, _ext in NAMED_WRONG]


def served_filename(disposition: str) -> str:
    """The file name of a Content-Disposition header (`filename="…"` or RFC 5987 `filename*`)."""
    from urllib.parse import unquote

    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key == "filename*":
            return unquote(value.removeprefix("utf-8''"))
        if key == "filename":
            return value.strip('"')
    raise AssertionError(f"no file name in {disposition!r}")


def single_extension(name: str, ext: str) -> bool:
    return Path(name).suffix == ext and name.count(".") == 1


@pytest.mark.parametrize(("name", "content", "ext"), NAMED_WRONG, ids=NAMED_WRONG_IDS)
def test_a_document_is_stored_with_the_extension_of_what_it_is(
    make_draft: Callable[..., Application], applicant: User, name: str, content: bytes, ext: str
) -> None:
    attachment = attachment_upload(
        application=make_draft(applicant),
        kind="rent",
        file=upload(name, content),
        uploaded_by=applicant,
    )
    assert attachment.original_name == name  # kept, as text
    assert single_extension(attachment.stored_name, ext), attachment.stored_name
    assert attachments.stored_path(attachment).read_bytes() == content
    assert single_extension(attachments.attachment_download_name(attachment), ext)


@pytest.mark.parametrize(
    ("name", "content_type", "served"),
    [
        ("x.html", "application/pdf", "x.pdf"),
        ("program.exe", "application/pdf", "program.pdf"),
        ("utan-ändelse", "application/pdf", "utan-ändelse.pdf"),
        ("hyresavi ö.pdf", "application/pdf", "hyresavi ö.pdf"),
        ("rapport.2026.html", "application/pdf", "rapport_2026.pdf"),
        ("Hyresavi nov. 2026", "application/pdf", "Hyresavi nov_ 2026.pdf"),
        ("x.html.", "application/pdf", "x_html.pdf"),
        ("beslut.tar.gz", "image/png", "beslut_tar.png"),
        (".pdf", "application/pdf", "dokument.pdf"),
        ("", "application/pdf", "dokument.pdf"),
        ("..\\..\\windows\\evil.bat", "image/png", "evil.png"),
        ("foto.JPEG", "image/jpeg", "foto.jpg"),
        ("IMG_0001.HEIC", "image/heic", "IMG_0001.heic"),
    ],
)
def test_the_served_name_is_the_given_name_with_the_detected_extension(
    name: str, content_type: str, served: str
) -> None:
    assert attachments.download_name(name, content_type) == served


@pytest.mark.parametrize(("name", "content", "ext"), NAMED_WRONG, ids=NAMED_WRONG_IDS)
def test_the_caseworker_gets_the_document_with_the_extension_of_what_it_is(
    submitted_application: Application,
    caseworker: User,
    client: Client,
    name: str,
    content: bytes,
    ext: str,
) -> None:
    attachment = attachment_upload(
        application=submitted_application,
        kind="rent",
        file=upload(name, content),
        uploaded_by=submitted_application.applicant,
    )
    client.force_login(caseworker)
    response = client.get(
        reverse("caseworker:case_attachment", args=[submitted_application.pk, attachment.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert single_extension(served_filename(disposition), ext), disposition
    assert response["Content-Type"] == attachment.content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    # The name the person gave is shown on the case page, as text.
    page = client.get(reverse("caseworker:case_detail", args=[submitted_application.pk]))
    assert f"{attachment.get_kind_display()}: {name}</a>" in page.content.decode()


@pytest.mark.parametrize(("name", "content", "ext"), NAMED_WRONG[:3], ids=NAMED_WRONG_IDS[:3])
def test_the_applicant_downloads_the_document_with_the_extension_of_what_it_is(
    client: Client,
    make_draft: Callable[..., Application],
    applicant: User,
    name: str,
    content: bytes,
    ext: str,
) -> None:
    draft = make_draft(applicant)
    attachment = attachment_upload(
        application=draft, kind="rent", file=upload(name, content), uploaded_by=applicant
    )
    client.force_login(applicant)
    response = client.get(reverse("intake:attachment_download", args=[draft.pk, attachment.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert single_extension(served_filename(disposition), ext), disposition
