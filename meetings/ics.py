"""iCalendar files (RFC 5545) for meetings, times with TZID Europe/Stockholm.

Two audiences:

- "applicant": the applicant's own meeting file. Time, place, whom they meet (the secretary's
  name), the case reference and the needs they told us about (interpreter, accessible room).
- "staff": the per-meeting file and the secretary's calendar feed. A feed is read by calendar
  services outside the municipality, so a staff event carries time, place and the case reference
  only: no track (a social-track meeting says something about the household), no interpreter
  language, no accessible-room need, no name.

Never a personnummer and never an amount, for either audience.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from django.utils import timezone
from icalendar import Calendar, Event

from intake.models import Track
from meetings.availability import stockholm
from meetings.models import Meeting

Audience = Literal["applicant", "staff"]

PRODID = "-//Bistånd//Möten//SV"


def _location(meeting: Meeting) -> str:
    room = meeting.room
    if room is None:
        return ""
    return ", ".join(part for part in (room.name, room.address, room.video_url) if part)


def _summary(meeting: Meeting, audience: Audience) -> str:
    if audience == "applicant":
        if meeting.track == Track.SOCIAL:
            return "Möte med socialsekreterare"
        return "Möte med arbetslivssekreterare"
    return f"Möte {meeting.application.reference}"


def _description(meeting: Meeting, audience: Audience) -> str:
    """The applicant's details; staff events have none (see the module docstring)."""
    if audience != "applicant":
        return ""
    lines = [
        f"Du träffar {meeting.secretary.display_name()}.",
        f"Ärende {meeting.application.reference}.",
    ]
    if meeting.interpreter_language:
        lines.append(f"Tolk: {meeting.interpreter_language}.")
    if meeting.accessible_room:
        lines.append("Tillgängligt rum behövs.")
    return "\n".join(lines)


def meetings_to_ics(
    meetings: Iterable[Meeting], *, audience: Audience, name: str = "Möten"
) -> bytes:
    tz = stockholm()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(tz))
    stamp = timezone.now()
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@bistand")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at.astimezone(tz))
        event.add("dtend", meeting.ends_at.astimezone(tz))
        event.add("summary", _summary(meeting, audience))
        location = _location(meeting)
        if location:
            event.add("location", location)
        description = _description(meeting, audience)
        if description:
            event.add("description", description)
        event.add("status", "CANCELLED" if meeting.cancelled_at else "CONFIRMED")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
