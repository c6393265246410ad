"""What notifications announces, and the one question it asks (kernel.events, ADR 0012)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from kernel.events import Topic

if TYPE_CHECKING:
    from notifications.models import Notification


@dataclass(frozen=True)
class AddressQuery:
    personnummer: str
    municipality_code: str
    reference: str


@dataclass(frozen=True)
class PostalAddress:
    address: str
    protected: bool  # skyddade personuppgifter: no address, Skatteverket forwards


# A letter needs the person's registered address at send time (answered by eligibility from
# the population register; never stored).
postal_address: Topic[AddressQuery, PostalAddress] = Topic(
    "notifications.postal_address", single=True
)
# Notices that went out, inside the transaction that records it (a decision's delivery record
# listens); and a provider's receipt (ids, when).
notices_sent: Topic[list[Notification], None] = Topic("notifications.notices_sent")
notices_delivered: Topic[tuple[list[int], datetime], None] = Topic(
    "notifications.notices_delivered"
)
# Letters that cannot be posted: the person is not protected and has no registered address
# (Skatteverket forwards only for skyddade personuppgifter). The case side gives the caseworker
# a task to reach them (#16 item 15); required, so such a letter is never dropped unnoticed.
notices_undeliverable: Topic[list[Notification], None] = Topic(
    "notifications.notices_undeliverable"
)
# Notices that failed for good on their channel although the person has an address there: the
# provider refused the message (a number that cannot take SMS), the delivery report said failed,
# or the print service rejected the letter. Inside the transaction that records it; the notice
# falls back to the next channel (notifications.delivery) and the case side is told.
notices_failed: Topic[list[Notification], None] = Topic("notifications.notices_failed")


@dataclass(frozen=True)
class EnclosureQuery:
    enclosure: str  # as `Notification.enclosure`, e.g. "decision:42"


# A letter's enclosure as the PDF that goes to the print service (answered by the app that owns
# the document: caseworker for "decision:<id>"). Raises when the document is not ready yet.
letter_enclosure: Topic[EnclosureQuery, bytes] = Topic(
    "notifications.letter_enclosure", single=True
)
