"""Log review (loggkontroll, SoLPuL; SOSFS 2014:5): who looked at which case, picked for a
person to check (#9, SECURITY.md T62).

For a period [start, end) the report lists
- accesses to cases the user is not the responsible caseworker (owner) of,
- accesses to cases with protected personal data (skyddade personuppgifter),
- accesses to another municipality's cases (should never happen: the access door refuses),
- and a random sample of all accesses, seeded so the same period gives the same sample.
The report names staff by user name and cases by reference; never a personnummer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings

from .models import AccessLog

SAMPLE_SIZE = 20


@dataclass(frozen=True)
class ReviewRow:
    id: int
    at: datetime
    user: str
    reference: str
    action: str
    detail: str

    def line(self) -> str:
        local = self.at.astimezone(ZoneInfo(settings.TIME_ZONE))
        detail = f"  ({self.detail})" if self.detail else ""
        return (
            f"  {local:%Y-%m-%d %H:%M}  {self.user:<16} {self.reference:<12} {self.action}{detail}"
        )


@dataclass
class LogReview:
    start: date
    end: date
    seed: str
    total: int = 0
    not_owner: list[ReviewRow] = field(default_factory=list)
    protected: list[ReviewRow] = field(default_factory=list)
    other_municipality: list[ReviewRow] = field(default_factory=list)
    sample: list[ReviewRow] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"Loggkontroll {self.start:%Y-%m-%d} – {self.end:%Y-%m-%d} (till och med dagen före)",
            f"Åtkomster i perioden: {self.total}",
        ]
        for title, rows in (
            ("Åtkomst till ärenden där användaren inte är ansvarig handläggare", self.not_owner),
            ("Åtkomst till ärenden med skyddade personuppgifter", self.protected),
            ("Åtkomst till en annan kommuns ärenden", self.other_municipality),
            (f"Slumpvis urval (frö {self.seed!r})", self.sample),
        ):
            out.append("")
            out.append(f"{title}: {len(rows)}")
            out += [row.line() for row in rows]
        return out


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime.combine(start, time(), zone), datetime.combine(end, time(), zone)


def log_review(
    *, start: date, end: date, sample_size: int = SAMPLE_SIZE, seed: str | None = None
) -> LogReview:
    """The review for accesses from `start` (inclusive) to `end` (exclusive), local days."""
    since, until = _bounds(start, end)
    seed = seed if seed is not None else f"{start:%Y-%m-%d}/{end:%Y-%m-%d}"
    review = LogReview(start=start, end=end, seed=seed)
    entries = (
        AccessLog.objects.filter(at__gte=since, at__lt=until)
        .select_related("user", "application")
        .order_by("at", "id")
    )
    rows: list[ReviewRow] = []
    for entry in entries:
        application, user = entry.application, entry.user
        row = ReviewRow(
            entry.pk,
            entry.at,
            user.username,
            application.reference,
            entry.get_action_display(),
            entry.detail,
        )
        rows.append(row)
        if application.owner_id != user.pk:
            review.not_owner.append(row)
        if application.protected_identity:
            review.protected.append(row)
        if user.municipality_id != application.municipality_id:
            review.other_municipality.append(row)
    review.total = len(rows)
    picked = random.Random(seed).sample(rows, k=min(sample_size, len(rows)))  # noqa: S311
    review.sample = sorted(picked, key=lambda row: (row.at, row.id))
    return review
