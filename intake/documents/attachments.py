"""Uploaded documents: checked by content, size-limited, stored outside the web root.

Files are identified by their first bytes (never by name or the browser's content type):
PDF, JPEG, PNG and HEIC are accepted; anything else (archives, HTML, programs ...) is refused
even if renamed. Stored under a random name with the extension of the detected type in
PRIVATE_MEDIA_ROOT/attachments and served only by `intake.views.attachment_download` and
`caseworker.workbench.case_page.case_attachment`, which ask `intake.access` first.

The name the person gave the file is kept as text (`Attachment.original_name`, shown in lists),
never used as a file name: a PDF called `x.html` is stored and served as `….pdf`
(`attachment_download_name`), so no browser or desktop opens it as something else.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from functools import partial
from io import BufferedReader
from pathlib import Path

import filetype
import structlog
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import User
from intake.documents import scanning
from intake.documents.scanning import ScanResult
from intake.models import Application, Attachment, AttachmentKind, ScanStatus

MB = 1024 * 1024
MAX_FILE_BYTES = 10 * MB
MAX_APPLICATION_BYTES = 50 * MB
MAX_FILES = 20
HEAD_BYTES = 262

ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/heic": "HEIC",
}
# The extension a stored or served file gets, by detected type (never taken from the name).
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/heic": ".heic",
}
# What ends a name like an extension: a dot and up to ten letters or digits, at least one letter
# ("hyra.html", "IMG_1.HEIC"; not "nov. 2026" or "rapport.2026").
NAME_EXTENSION = re.compile(r"\.(?=[0-9]*[^\W\d_])\w{1,10}$")
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"hevc", b"hevx"}
ACCEPT = "application/pdf,image/jpeg,image/png,image/heic,image/heif,.pdf,.jpg,.jpeg,.png,.heic"

logger = structlog.get_logger(__name__)


class AttachmentRefused(Exception):
    """The file was not accepted; the message is for the applicant (Swedish, translated)."""


def detect_type(head: bytes) -> str | None:
    """The allowed content type the bytes really are, or None."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return "image/heic"
    return None


def _refusal(head: bytes) -> str:
    guess = filetype.guess(head)
    if guess is not None and guess.extension in {"zip", "rar", "7z", "gz", "tar", "bz2", "xz"}:
        return _(
            "Filen är ett komprimerat arkiv (till exempel zip). Ladda upp dokumenten ett och ett."
        )
    if guess is not None and guess.extension in {"exe", "elf", "dll", "msi", "dmg"}:
        return _("Filen är ett program och kan inte tas emot.")
    return _(
        "Filen är inte en PDF eller en bild (JPEG, PNG eller HEIC). Det spelar ingen roll vad "
        "filen heter: vi tittar på innehållet. Fotografera dokumentet eller spara det som PDF."
    )


def _clean_name(name: str) -> str:
    name = Path(name.replace("\\", "/")).name.strip() or "dokument"
    return "".join(ch for ch in name if ch.isprintable())[:200]


def extension_for(content_type: str) -> str:
    """The file extension for a detected (allowed) content type."""
    return EXTENSIONS[content_type]


def download_name(original_name: str, content_type: str) -> str:
    """The file name to serve a document under: the person's name without its extension (other
    dots made harmless) and the extension of what the file really is.

    `x.html` holding a PDF is served as `x.pdf`, `program.exe` as `program.pdf`, a name without
    an extension gets one, and `foto.jpeg` becomes `foto.jpg`.
    """
    stem = NAME_EXTENSION.sub("", _clean_name(original_name)).replace(".", "_").strip(" _")
    return f"{stem[:100] or 'dokument'}{extension_for(content_type)}"


def attachment_download_name(attachment: Attachment) -> str:
    return download_name(attachment.original_name, attachment.content_type)


@dataclass(frozen=True)
class Limits:
    files_left: int
    bytes_left: int


def limits_left(application: Application) -> Limits:
    held = application.attachments.exclude(scan_status=ScanStatus.INFECTED)
    used = held.aggregate(total=Sum("size"))["total"] or 0
    return Limits(MAX_FILES - held.count(), MAX_APPLICATION_BYTES - used)


def storage_dir() -> Path:
    path = Path(settings.PRIVATE_MEDIA_ROOT) / "attachments"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def stored_path(attachment: Attachment) -> Path:
    return storage_dir() / attachment.stored_name


@transaction.atomic
def attachment_upload(
    *, application: Application, kind: str, file: UploadedFile, uploaded_by: User
) -> Attachment:
    """Check, store and scan one document. Raises AttachmentRefused with a clear reason.

    An infected file is deleted at once; its record (status "infected") is kept and returned.
    """
    if kind not in AttachmentKind.values:
        raise AttachmentRefused(_("Välj vad dokumentet visar."))
    Application.objects.select_for_update().filter(pk=application.pk).first()
    size = file.size or 0
    if size == 0:
        raise AttachmentRefused(_("Filen är tom."))
    if size > MAX_FILE_BYTES:
        raise AttachmentRefused(
            _("Filen är för stor (%(size)s MB). Största tillåtna storlek är 10 MB per fil.")
            % {"size": f"{size / MB:.1f}".replace(".", ",")}
        )
    left = limits_left(application)
    if left.files_left <= 0:
        raise AttachmentRefused(_("Du kan bifoga högst 20 filer till en ansökan."))
    if size > left.bytes_left:
        raise AttachmentRefused(
            _("Filerna får vara högst 50 MB tillsammans. Ta bort något eller förminska filen.")
        )
    file.seek(0)
    head = file.read(HEAD_BYTES)
    content_type = detect_type(head)
    if content_type is None:
        raise AttachmentRefused(_refusal(head))
    stored_name = f"{uuid.uuid4().hex}{extension_for(content_type)}"
    path = storage_dir() / stored_name
    digest = hashlib.sha256()
    file.seek(0)
    with open(path, "xb") as out:
        for chunk in file.chunks():
            digest.update(chunk)
            out.write(chunk)
    held = (
        application.attachments.filter(sha256=digest.hexdigest(), kind=kind)
        .exclude(scan_status=ScanStatus.INFECTED)
        .first()
    )
    if held is not None:
        # The same file again (a double click on "Ladda upp", a resend): one copy, one receipt.
        path.unlink(missing_ok=True)
        return held
    try:
        result = scanning.scan(path)
    except Exception:
        result = "error"
    if result == ScanStatus.INFECTED:
        path.unlink(missing_ok=True)
    attachment = Attachment.objects.create(
        application=application,
        kind=kind,
        original_name=_clean_name(file.name or ""),
        stored_name=stored_name,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=uploaded_by,
        scan_status=result,
    )
    if result == ScanStatus.INFECTED:
        return attachment  # kept as a record; the file itself is gone (the caller tells them)
    Application.objects.filter(pk=application.pk).update(updated_at=attachment.uploaded_at)
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment) -> None:
    """An applicant removes a document from a draft (before anyone has received it)."""
    if attachment.application.status != "draft":
        raise AttachmentRefused(_("Dokument i en inskickad ansökan kan inte tas bort."))
    path = stored_path(attachment)
    attachment.delete()
    transaction.on_commit(lambda: path.unlink(missing_ok=True))


def attachment_open(attachment: Attachment) -> BufferedReader:
    """The stored file, for an authorising view. Only clean files are ever opened."""
    if not attachment.is_clean:
        raise AttachmentRefused(_("Dokumentet är inte kontrollerat och kan inte öppnas ännu."))
    return open(stored_path(attachment), "rb")


def attachment_checklist(application: Application) -> list[tuple[str, str, str]]:
    """(kind, label, why) for the documents the answers call for."""
    incomes = set(application.incomes.values_list("type", flat=True))
    items: list[tuple[str, str, str]] = []

    def need(kind: AttachmentKind, why: str) -> None:
        items.append((kind.value, str(kind.label), why))

    if application.rent:
        need(AttachmentKind.RENT, _("Du har uppgett en hyra eller boendekostnad."))
    if application.electricity:
        need(AttachmentKind.ELECTRICITY, _("Du har uppgett en kostnad för hushållsel."))
    if application.home_insurance:
        need(AttachmentKind.HOME_INSURANCE, _("Du har uppgett en hemförsäkring."))
    if application.work_travel:
        need(AttachmentKind.WORK_TRAVEL, _("Du har uppgett resor till arbete."))
    if "salary" in incomes:
        need(AttachmentKind.PAYSLIP, _("Du har uppgett lön."))
    if incomes - {"salary", "child_allowance"}:
        need(AttachmentKind.BENEFIT, _("Du har uppgett ersättning eller annan inkomst."))
    if application.savings:
        need(AttachmentKind.BANK_STATEMENT, _("Du har uppgett pengar på bankkonton."))
    if application.owns_vehicle:
        need(AttachmentKind.VEHICLE, _("Du har uppgett att hushållet äger ett fordon."))
    if application.owns_property:
        need(AttachmentKind.PROPERTY, _("Du har uppgett att hushållet äger en fastighet."))
    return items


def attachments_rescan(*, limit: int = 200) -> dict[str, int]:
    """Scan the files waiting in quarantine; infected files are deleted at once (the record is
    kept, so the caseworker sees that a file was removed). Stops at the first "unavailable": the
    scanner is still down, the files keep waiting and the next run tries again."""
    counts = {"clean": 0, "infected": 0, "error": 0, "pending_scan": 0}
    waiting = list(Attachment.objects.filter(scan_status=ScanStatus.PENDING).order_by("id")[:limit])
    for done, attachment in enumerate(waiting):
        path = stored_path(attachment)
        result: ScanResult = scanning.scan(path) if path.exists() else "error"
        if result == "pending_scan":
            counts["pending_scan"] = len(waiting) - done
            break
        counts[result] += 1
        with transaction.atomic():
            updated = Attachment.objects.filter(
                pk=attachment.pk, scan_status=ScanStatus.PENDING
            ).update(scan_status=result)
            if updated and result == "infected":
                transaction.on_commit(partial(path.unlink, missing_ok=True))
    if counts["pending_scan"]:
        logger.warning("attachments_waiting_for_scanner", waiting=counts["pending_scan"])
    return counts
