"""What meetings announce to who decides (kernel.events, ADR 0012).

meetings is below caseworker: it imports neither the referrals nor the access log. These topics
are how it reaches them; caseworker subscribes in its `AppConfig.ready()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kernel.events import Topic

if TYPE_CHECKING:
    from accounts.models import User
    from meetings.models import Meeting


@dataclass(frozen=True)
class SocialReferralPlanned:
    meeting: Meeting
    by: User


@dataclass(frozen=True)
class MeetingsShown:
    """A staff page or file showed these meetings' applicants (name, case, household)."""

    user: User
    application_ids: tuple[int, ...]
    page: str  # the URL name, for the access log's detail
    change: bool = False  # the page also recorded something (a POST)


# A meeting's plan became "Hänvisning till socialtjänsten" (inside the recording's transaction):
# the hand-over to social services, with its receiver, acknowledgement and escalation
# (caseworker's referrals).
social_referral_planned: Topic[SocialReferralPlanned, None] = Topic(
    "meetings.social_referral_planned"
)
# A staff meeting page was shown (after it rendered): one access-log row per case (caseworker).
meetings_shown: Topic[MeetingsShown, None] = Topic("meetings.meetings_shown")
