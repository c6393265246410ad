"""What meetings announce to who decides (kernel.events, ADR 0012).

meetings is below caseworker: it imports neither the referrals nor the access log. This topic
is how it reaches the referrals; caseworker subscribes in its `AppConfig.ready()`. (What the
meeting pages show is logged through `intake.events.cases_shown`.)
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


# A meeting's plan became "Hänvisning till socialtjänsten" (inside the recording's transaction):
# the hand-over to social services, with its receiver, acknowledgement and escalation
# (caseworker's referrals).
social_referral_planned: Topic[SocialReferralPlanned, None] = Topic(
    "meetings.social_referral_planned"
)
