"""Letters to the print-and-post service over SFTP (#19 item 4).

Each letter is one batch in the agreed folder (`PRINT_SFTP_INBOX`), named by our reference
(`bistand-<notice id>`):

- `<reference>.pdf`: the letter. A decision letter is the stored decision itself (asked from
  the app that owns it: `events.letter_enclosure`); any other notice is rendered here to a tagged
  PDF/A-2 (`pdf/a-2a`) from its subject and text. No address is printed in the PDF.
- `<reference>.json`: the manifest, written last, so a batch is complete once it is there:

      {"format": "bistand-print/1", "reference": "bistand-42", "document": "bistand-42.pdf",
       "sha256": "<of the PDF>", "forwarding": false,
       "recipient": {"name": "Alva Andersson", "address": ["Testgatan 1", "231 42 Trelleborg"]}}

  A letter to a person with skyddade personuppgifter (`via_forwarding`) never carries their
  address: it goes to Skatteverket's forwarding address (`PRINT_FORWARDING_ADDRESS`), marked
  `"forwarding": true`, with the person's name and personnummer for Skatteverket to forward it.

Both files are uploaded as `.part` and renamed, so the service never sees half a file. A batch
whose manifest is already there was handed over before (the send is not repeated).

The service answers per batch with `<PRINT_SFTP_RECEIPTS>/<reference>.json`:

      {"format": "bistand-print-receipt/1", "reference": "bistand-42",
       "status": "accepted" | "rejected", "reason": "<why, when rejected>",
       "processed_at": "2026-11-02T10:15:00+00:00"}

accepted = printed and handed to the post (the notice is delivered); rejected = not printed
(the notice failed for good; the case side is told). `receipts_collect` (beat, every 15 minutes)
reads them, records each, and moves it to `PRINT_SFTP_ARCHIVE`; nothing is deleted.

Login is by key (`PRINT_SFTP_KEY_FILE`), and the server's host key must be the one in
`PRINT_SFTP_KNOWN_HOSTS` (no connection is made without that file).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import asyncssh
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime

from notifications.events import EnclosureQuery, letter_enclosure
from notifications.transports import (
    LetterReceipt,
    NotificationFailed,
    NotificationRejected,
    OutgoingMessage,
    Receipt,
)

logger = logging.getLogger(__name__)

MANIFEST_FORMAT = "bistand-print/1"
RECEIPT_FORMAT = "bistand-print-receipt/1"
NOTICE_PDF_VARIANT = "pdf/a-2a"  # PDF/A-2, level A: archival and tagged
RECEIPT_MAX_BYTES = 64 * 1024
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")

T = TypeVar("T")


# --- the letter and its manifest ----------------------------------------------------------


def address_lines(address: str) -> list[str]:
    """The register's address as lines ("Testgatan 1, 231 42 Trelleborg" or one per line)."""
    parts = address.splitlines() if "\n" in address else address.split(",")
    return [line.strip() for line in parts if line.strip()]


def notice_pdf(message: OutgoingMessage) -> bytes:
    """A notice that is not a document of its own, as a tagged PDF/A-2 in the person's
    language."""
    import weasyprint  # heavy: loaded when a letter is rendered

    language = message.language or settings.LANGUAGE_CODE
    with translation.override(language):
        html = render_to_string(
            "notifications/letter_pdf.html",
            {
                "language": language,
                "rtl": translation.get_language_bidi(),
                "subject": message.subject,
                "body": message.body,
                "recipient_name": message.recipient_name,
                # The address for a window envelope; none through Skatteverket's forwarding.
                "recipient_address": []
                if message.via_forwarding
                else address_lines(message.address),
                "sender": message.sender,
                "date": formats.date_format(timezone.localdate(), "j F Y"),
            },
        )
    document = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR))
    return bytes(document.write_pdf(pdf_variant=NOTICE_PDF_VARIANT))


def letter_document(message: OutgoingMessage) -> bytes:
    """The PDF that goes in the envelope: the enclosure when there is one (a decision), else
    the notice rendered."""
    if message.enclosure:
        try:
            return letter_enclosure.ask(EnclosureQuery(message.enclosure))
        except Exception as exc:  # not rendered yet, or unreadable: try again later
            raise NotificationFailed(f"bilagan är inte klar ({type(exc).__name__})") from exc
    return notice_pdf(message)


def letter_manifest(message: OutgoingMessage, *, reference: str, pdf: bytes) -> bytes:
    recipient: dict[str, Any] = {"name": message.recipient_name}
    if message.via_forwarding:
        # Skyddade personuppgifter: Skatteverket forwards; their address is never known here.
        forwarding = list(settings.PRINT_FORWARDING_ADDRESS)
        if not forwarding:
            raise NotificationFailed("Skatteverkets vidarebefordringsadress saknas")
        recipient["personnummer"] = message.recipient_personnummer
        recipient["address"] = forwarding
    else:
        lines = address_lines(message.address)
        if not lines:
            raise NotificationRejected("adress saknas")
        recipient["address"] = lines
    manifest = {
        "format": MANIFEST_FORMAT,
        "reference": reference,
        "document": f"{reference}.pdf",
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "forwarding": message.via_forwarding,
        "recipient": recipient,
    }
    return json.dumps(manifest, ensure_ascii=False, indent=2).encode()


def letter_reference(message: OutgoingMessage) -> str:
    if message.notice_id:
        return f"bistand-{message.notice_id}"
    return f"bistand-x{secrets.token_hex(6)}"


def receipt_parse(data: bytes) -> LetterReceipt:
    """One receipt file; raises ValueError when it is not one."""
    answer = json.loads(data.decode("utf-8"))
    if not isinstance(answer, dict):
        raise ValueError("not an object")
    reference, status = answer.get("reference"), answer.get("status")
    if not isinstance(reference, str) or not REFERENCE.match(reference):
        raise ValueError("no reference")
    if status not in ("accepted", "rejected"):
        raise ValueError("unknown status")
    processed = answer.get("processed_at")
    at: datetime | None = parse_datetime(processed) if isinstance(processed, str) else None
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at, timezone.get_default_timezone())
    return LetterReceipt(
        reference=reference,
        accepted=status == "accepted",
        reason=str(answer.get("reason") or "")[:150],
        at=at,
    )


# --- SFTP -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SftpConfig:
    host: str
    port: int
    user: str
    key_file: str
    known_hosts: str
    inbox: str
    receipts: str
    archive: str
    timeout: float

    @classmethod
    def from_settings(cls) -> SftpConfig:
        config = cls(
            host=settings.PRINT_SFTP_HOST,
            port=int(settings.PRINT_SFTP_PORT),
            user=settings.PRINT_SFTP_USER,
            key_file=settings.PRINT_SFTP_KEY_FILE,
            known_hosts=settings.PRINT_SFTP_KNOWN_HOSTS,
            inbox=settings.PRINT_SFTP_INBOX.rstrip("/"),
            receipts=settings.PRINT_SFTP_RECEIPTS.rstrip("/"),
            archive=settings.PRINT_SFTP_ARCHIVE.rstrip("/"),
            timeout=float(settings.PRINT_SFTP_TIMEOUT_SECONDS),
        )
        missing = [
            name
            for name, value in (
                ("PRINT_SFTP_HOST", config.host),
                ("PRINT_SFTP_USER", config.user),
                ("PRINT_SFTP_KEY_FILE", config.key_file),
                # Never without: asyncssh would accept any host key.
                ("PRINT_SFTP_KNOWN_HOSTS", config.known_hosts),
            )
            if not value
        ]
        if missing:
            raise ImproperlyConfigured(f"The print service needs {', '.join(missing)}.")
        return config


class SftpSession:
    """A blocking face on one asyncssh SFTP session, with its own event loop run in its own
    thread (no database call ever runs inside the loop). The caller's thread may already run
    a loop of its own (a gthread worker with an async library, Playwright in the tests): a
    loop cannot be run inside another in one thread ("Cannot run the event loop while another
    loop is running": every letter failed in a CI run after a browser test). Every step is
    bounded by the configured timeout."""

    def __init__(self, config: SftpConfig) -> None:
        self.config = config
        self._loop = asyncio.new_event_loop()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sftp")
        self._connection: asyncssh.SSHClientConnection | None = None
        self._sftp: asyncssh.SFTPClient | None = None

    def _in_loop(self, step: Awaitable[T], timeout: float) -> T:
        async def bounded() -> T:
            return await asyncio.wait_for(step, timeout)

        return self._thread.submit(self._loop.run_until_complete, bounded()).result()

    def _run(self, step: Awaitable[T]) -> T:
        return self._in_loop(step, self.config.timeout)

    def __enter__(self) -> SftpSession:
        try:
            self._connection = self._run(
                asyncssh.connect(
                    self.config.host,
                    port=self.config.port,
                    username=self.config.user,
                    client_keys=[self.config.key_file],
                    known_hosts=self.config.known_hosts,
                    password=None,
                    agent_path=None,
                    connect_timeout=self.config.timeout,
                )
            )
            self._sftp = self._run(self._connection.start_sftp_client())
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._sftp is not None:
                self._sftp.exit()
            if self._connection is not None:
                self._connection.close()
                self._in_loop(self._connection.wait_closed(), 5)
        except (OSError, asyncssh.Error, TimeoutError):
            pass
        finally:
            self._thread.submit(self._loop.close).result()
            self._thread.shutdown()

    @property
    def sftp(self) -> asyncssh.SFTPClient:
        if self._sftp is None:
            raise RuntimeError("not connected")
        return self._sftp

    def exists(self, path: str) -> bool:
        return bool(self._run(self.sftp.exists(path)))

    def write(self, path: str, data: bytes) -> None:
        async def write() -> None:
            async with self.sftp.open(path, "wb") as handle:
                await handle.write(data)

        self._run(write())

    def read(self, path: str, limit: int) -> bytes:
        async def read() -> bytes:
            async with self.sftp.open(path, "rb") as handle:
                data = await handle.read(limit + 1)
                return data if isinstance(data, bytes) else data.encode()

        data = self._run(read())
        if len(data) > limit:
            raise ValueError("too large")
        return data

    def rename(self, old: str, new: str) -> None:
        """Replacing `new` if it is there (posix-rename) where the server can."""
        try:
            self._run(self.sftp.posix_rename(old, new))
        except asyncssh.SFTPOpUnsupported:
            self._run(self.sftp.rename(old, new))

    def files(self, folder: str) -> list[str]:
        entries = self._run(self.sftp.readdir(folder))
        return sorted(
            str(entry.filename)
            for entry in entries
            if entry.attrs.type == asyncssh.FILEXFER_TYPE_REGULAR
        )

    def folder_ensure(self, folder: str) -> None:
        self._run(self.sftp.makedirs(folder, exist_ok=True))


_SFTP_ERRORS = (OSError, asyncssh.Error, TimeoutError)


class SftpLetterBackend:
    """Letters (and letters through Skatteverket's forwarding) to the print-and-post service."""

    is_fake = False

    def __init__(self) -> None:
        self.config = SftpConfig.from_settings()

    def session(self) -> SftpSession:
        return SftpSession(self.config)

    def send(self, message: OutgoingMessage) -> Receipt:
        reference = letter_reference(message)
        pdf = letter_document(message)
        manifest = letter_manifest(message, reference=reference, pdf=pdf)
        inbox = self.config.inbox
        try:
            with self.session() as session:
                if not session.exists(f"{inbox}/{reference}.json"):
                    for name, data in ((f"{reference}.pdf", pdf), (f"{reference}.json", manifest)):
                        session.write(f"{inbox}/{name}.part", data)
                        session.rename(f"{inbox}/{name}.part", f"{inbox}/{name}")
        except asyncssh.HostKeyNotVerifiable as exc:
            logger.error("print service: host key does not match PRINT_SFTP_KNOWN_HOSTS")
            raise NotificationFailed("tryckeriets värdnyckel stämmer inte") from exc
        except _SFTP_ERRORS as exc:
            raise NotificationFailed(f"tryckeriet kunde inte nås ({type(exc).__name__})") from exc
        return Receipt(reference=reference, delivered=False)

    def receipts_collect(self, record: Callable[[LetterReceipt], object]) -> int:
        """Read the receipts, record each (outside the SFTP loop), then move it to the archive.
        A receipt that cannot be read stays where it is and is logged (a person must look)."""
        config = self.config
        try:
            with self.session() as session:
                read: list[tuple[str, LetterReceipt]] = []
                for name in session.files(config.receipts):
                    if not name.endswith(".json"):
                        continue
                    try:
                        receipt = receipt_parse(
                            session.read(f"{config.receipts}/{name}", RECEIPT_MAX_BYTES)
                        )
                    except ValueError:
                        logger.error("print service: unreadable receipt", extra={"file": name})
                        continue
                    read.append((name, receipt))
                if not read:
                    return 0
                session.folder_ensure(config.archive)
                archived = set(session.files(config.archive))
                for name, receipt in read:
                    record(receipt)  # committed before the file is moved
                    target = name
                    if target in archived:
                        stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
                        target = f"{name.removesuffix('.json')}-{stamp}.json"
                    session.rename(f"{config.receipts}/{name}", f"{config.archive}/{target}")
                return len(read)
        except asyncssh.HostKeyNotVerifiable as exc:
            logger.error("print service: host key does not match PRINT_SFTP_KNOWN_HOSTS")
            raise NotificationFailed("tryckeriets värdnyckel stämmer inte") from exc
        except _SFTP_ERRORS as exc:
            raise NotificationFailed(f"tryckeriet kunde inte nås ({type(exc).__name__})") from exc
