"""Log review (loggkontroll, SoLPuL; SOSFS 2014:5): who looked at which case, picked for a
person to check (#9, SECURITY.md T62).

For a period [start, end) the report lists
- accesses to cases the user is not the responsible caseworker (owner) of,
- accesses to cases with protected personal data (skyddade personuppgifter),
- accesses to another municipality's cases (should never happen: the access door refuses),
- a random sample of all accesses, seeded so the same period gives the same sample,
- and the refused requests (access denials: 403 no permission, 404 not found or not reachable)
  counted per user, most first: someone probing ids or roles stands out.
The report names staff by user name and cases by reference; never a personnummer. Denials are
counted for every role (an applicant asking for other people's ids shows up too); an applicant
is named by user id ("sökande #12"), since an applicant's user name holds their personnummer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q

from accounts.models import Role
from caseworker.models import AccessDenial, AccessLog, DenialStatus

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


@dataclass(frozen=True)
class DenialCount:
    user: str
    forbidden: int
    not_found: int

    @property
    def total(self) -> int:
        return self.forbidden + self.not_found

    def line(self) -> str:
        return f"  {self.user:<16} {self.total:>5}  (403: {self.forbidden}, 404: {self.not_found})"


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
    denials: list[DenialCount] = field(default_factory=list)

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
        out.append("")
        out.append(
            f"Nekade åtkomster per användare (403 ingen behörighet, 404 finns inte): "
            f"{sum(d.total for d in self.denials)}"
        )
        out += [denial.line() for denial in self.denials]
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
    review.denials = denials_per_user(since=since, until=until)
    return review


def denials_per_user(*, since: datetime, until: datetime) -> list[DenialCount]:
    """Refused requests in [since, until) per user, most first (then by user name)."""
    counted = (
        AccessDenial.objects.filter(at__gte=since, at__lt=until)
        .values("user_id", "user__username", "user__role")
        .annotate(
            forbidden=Count("id", filter=Q(status=DenialStatus.FORBIDDEN)),
            not_found=Count("id", filter=Q(status=DenialStatus.NOT_FOUND)),
        )
        .order_by()
    )
    rows = [
        DenialCount(
            _user_label(row["user_id"], row["user__username"], row["user__role"]),
            row["forbidden"],
            row["not_found"],
        )
        for row in counted
    ]
    return sorted(rows, key=lambda d: (-d.total, d.user))


def _user_label(user_id: int, username: str, role: str) -> str:
    """Staff by user name; an applicant by id (their user name holds their personnummer)."""
    return f"sökande #{user_id}" if role == Role.APPLICANT else username
