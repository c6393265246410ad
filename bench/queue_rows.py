"""Many submitted applications, fast, for the queue's scale test and for trying the queue by hand.

``queue_rows_create(municipality=..., owners=[...], count=100_000)`` bulk-inserts applicants
(one per twelve applications: one a month), applications in varied open and decided states, a
proposal for every fourth case and a live warning for every tenth, in batches (``bulk_create``,
no signals, no robot). The applicants' personnummer start with 18 (born in the 1800s): never
issued, so never a real person's.

From a shell: ``python manage.py shell -c "from bench.queue_rows import demo; demo(10000)"``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Municipality, Role, User
from eligibility.models import CaseWarning, Proposal
from intake.models import Application, Track
from intake.states import Status

BATCH = 5000
MONTHS = 12
STATUSES = [
    Status.AWAITING_CASEWORKER,
    Status.AWAITING_CASEWORKER,
    Status.NEEDS_MANUAL,
    Status.AWAITING_SUPPLEMENT,
    Status.AWAITING_REPLY,
    Status.AWAITING_SECOND_APPROVAL,
    Status.SUBMITTED,
    Status.APPROVED,
    Status.REJECTED,
]
TRACKS = ["", Track.WORK, Track.SOCIAL, Track.BOTH]


def queue_rows_create(
    *,
    municipality: Municipality,
    owners: list[User],
    count: int,
    start: int = 0,
    now: datetime | None = None,
    batch: int = BATCH,
) -> int:
    """Insert `count` applications numbered from `start` (call again with a new start to add
    more). Returns the number inserted."""
    now = now or timezone.now()
    done = 0
    while done < count:
        size = min(batch, count - done)
        first = start + done
        # One applicant per twelve applications (one a month), so most rows are applications.
        people = range(first // MONTHS, (first + size - 1) // MONTHS + 1)
        known = {
            user.username: user
            for user in User.objects.filter(username__in=[f"queue-row-{p}" for p in people])
        }
        created = User.objects.bulk_create(
            [
                User(
                    username=f"queue-row-{p}",
                    password="!",  # noqa: S106 - unusable: these people never log in
                    role=Role.APPLICANT,
                    personnummer=f"18{p:010d}",
                    first_name=f"Förnamn{p}",
                    last_name=f"Efternamn{p % 997}",
                )
                for p in people
                if f"queue-row-{p}" not in known
            ],
            batch_size=batch,
        )
        known.update({user.username: user for user in created})
        applicants = [known[f"queue-row-{n // MONTHS}"] for n in range(first, first + size)]
        applications = Application.objects.bulk_create(
            [
                Application(
                    reference=f"EB-Q{n:08d}",
                    municipality=municipality,
                    applicant=applicant,
                    month=date(2026, 1 + n % MONTHS, 1),
                    status=STATUSES[n % len(STATUSES)],
                    owner=owners[n % len(owners)],
                    track=TRACKS[n % len(TRACKS)],
                    submitted_at=now - timedelta(minutes=7 * n + 1),
                    decision_due_at=None if n % 5 == 0 else now + timedelta(hours=(n % 97) - 48),
                )
                for n, applicant in zip(range(first, first + size), applicants, strict=True)
            ],
            batch_size=batch,
        )
        Proposal.objects.bulk_create(
            [
                Proposal(
                    application=application,
                    eligible=True,
                    amount=Decimal(3000 + n % 4000),
                    norm=Decimal(5220),
                    parameter_version="bench",
                    as_of=application.month,
                )
                for n, application in zip(range(first, first + size), applications, strict=True)
                if n % 4 == 0
            ],
            batch_size=batch,
        )
        CaseWarning.objects.bulk_create(
            [
                CaseWarning(
                    application=application,
                    kind="income_changed",
                    key=f"bench-{n}",
                    message="Inkomst har ändrats (testdata)",
                )
                for n, application in zip(range(first, first + size), applications, strict=True)
                if n % 10 == 0
            ],
            batch_size=batch,
        )
        done += size
    return done


def demo(count: int = 10_000) -> None:  # pragma: no cover - a hand tool
    municipality = Municipality.objects.order_by("pk").first()
    if municipality is None:
        raise SystemExit("No municipality: run `manage.py load_demo` first.")
    owners = list(
        User.objects.filter(
            municipality=municipality, role__in=[Role.CASEWORKER, Role.TEAM_LEAD], is_active=True
        )
    )
    if not owners:
        raise SystemExit("No caseworker in the municipality.")
    start = Application.objects.filter(reference__startswith="EB-Q").count()
    queue_rows_create(municipality=municipality, owners=owners, count=count, start=start)
