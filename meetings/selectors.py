"""Reads for the meeting pages: calendars, the applicant summary, the report.

Staff see only the meetings they hold, in their own municipality (404 otherwise). Applicants
reach a meeting only through the application door, ``intake.access.access_application``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Field, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from accounts.access import door
from accounts.models import Municipality, User
from intake.access import access_application
from intake.events import TimelineEntry
from intake.models import Application, Track
from meetings.availability import day_bounds, stockholm
from meetings.changes import meeting_can_rebook
from meetings.models import Attendance, CancelledBy, Meeting, NeedsScreen, Outcome
from meetings.needs import adult_members

# A meeting that is booked, or that the staff called off ("Mötet ställdes in"): what happened
# to it is on record, so it stays in the secretary's day and week, the report and the earlier
# plans. A meeting the applicant cancelled or moved is not.
BOOKED_OR_CALLED_OFF = Q(cancelled_at__isnull=True) | Q(attendance=Attendance.CANCELLED)


def _on_calendar(queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return queryset.filter(BOOKED_OR_CALLED_OFF).select_related(
        "application", "application__applicant", "room"
    )


def meetings_for_secretary_day(*, secretary: User, day: date) -> list[Meeting]:
    start, end = day_bounds(day)
    return list(
        _on_calendar(Meeting.objects.filter(secretary=secretary))
        .filter(starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at")
    )


def meetings_for_secretary_week(
    *, secretary: User, monday: date
) -> list[tuple[date, list[Meeting]]]:
    """Seven days from ``monday``, each with the meetings held by ``secretary`` (booked or
    called off)."""
    start, _ = day_bounds(monday)
    _, end = day_bounds(monday + timedelta(days=6))
    by_day: dict[date, list[Meeting]] = {monday + timedelta(days=i): [] for i in range(7)}
    for meeting in (
        _on_calendar(Meeting.objects.filter(secretary=secretary))
        .filter(starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at")
    ):
        by_day[meeting.starts_at.astimezone(stockholm()).date()].append(meeting)
    return list(by_day.items())


@door
def meeting_for_host(*, user: User, pk: int) -> Meeting:
    """The meeting if ``user`` holds it in their municipality; 404 for anyone else's."""
    if user.municipality_id is None:
        raise Http404
    meeting = (
        Meeting.objects.filter(pk=pk, secretary=user, municipality_id=user.municipality_id)
        .select_related(
            "application",
            "application__applicant",
            "application__owner",
            "room",
            "secretary",
            "recorded_by",
        )
        .first()
    )
    if meeting is None or not user.is_active:
        raise Http404
    return meeting


@door
def meeting_for_applicant(*, user: User, application_pk: int, meeting_pk: int) -> Meeting:
    application = access_application(user, application_pk)
    meeting = (
        Meeting.objects.filter(pk=meeting_pk, application=application)
        .select_related("secretary", "room", "application")
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


@dataclass(frozen=True)
class EarlierPlan:
    day: date
    track: str
    attendance: str
    outcome: str
    note: str


@dataclass(frozen=True)
class ApplicantSummary:
    """What the secretary needs before the meeting, and no financial details."""

    name: str
    household_size: int
    adults: int
    children: int
    interpreter_language: str
    accessible_room: bool
    track: str
    needs: list[tuple[str, list[str], str]] = field(default_factory=list)
    earlier: list[EarlierPlan] = field(default_factory=list)


def _needs_label(name: str) -> str:
    """A need's label on the screen: its field's verbose name."""
    field = NeedsScreen._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{name} is not a field of NeedsScreen")
    return str(field.verbose_name)


def applicant_summary(*, meeting: Meeting) -> ApplicantSummary:
    application = meeting.application
    members = list(application.members.all())
    adults = adult_members(application)
    needs: list[tuple[str, list[str], str]] = []
    for screen in NeedsScreen.objects.filter(member__in=adults).select_related("member"):
        ticked = [
            _needs_label(name)
            for name in (
                "health",
                "substance_use",
                "violence",
                "housing_risk",
                "debt",
                "language",
                "caring_for_others",
            )
            if getattr(screen, name)
        ]
        needs.append((screen.member.name, ticked, screen.other))
    earlier = [
        EarlierPlan(
            day=m.starts_at.astimezone(stockholm()).date(),
            track=m.get_track_display(),
            attendance=m.get_attendance_display(),
            outcome=m.get_outcome_display(),
            note=m.outcome_note,
        )
        for m in Meeting.objects.filter(
            BOOKED_OR_CALLED_OFF,
            application__applicant_id=application.applicant_id,
            starts_at__lt=meeting.starts_at,
        )
        .exclude(attendance="")
        .order_by("-starts_at")[:10]
    ]
    children = sum(1 for m in members if m not in adults)
    return ApplicantSummary(
        name=application.applicant.display_name(),
        household_size=len(members) or 1,
        adults=len(adults),
        children=children,
        interpreter_language=meeting.interpreter_language,
        accessible_room=meeting.accessible_room,
        track=meeting.get_track_display(),
        needs=needs,
        earlier=earlier,
    )


@dataclass(frozen=True)
class ApplicantContact:
    """How the secretary reaches the applicant: the channel they chose for notices and their
    phone and e-mail. For skyddade personuppgifter none of it: contact goes via the caseworker
    (``caseworker`` names the case's owner, if any)."""

    protected: bool
    channel: str = ""
    phone: str = ""
    email: str = ""
    caseworker: str = ""


def applicant_contact(*, meeting: Meeting) -> ApplicantContact:
    application = meeting.application
    if application.protected_identity:
        owner = application.owner
        return ApplicantContact(
            protected=True, caseworker=owner.display_name() if owner is not None else ""
        )
    applicant = application.applicant
    return ApplicantContact(
        protected=False,
        channel=applicant.get_notification_channel_display(),
        phone=applicant.phone,
        email=applicant.email,
    )


# --- report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayRow:
    day: date
    booked: int
    attended: int
    no_show: int


@dataclass(frozen=True)
class MonthShare:
    month: date
    work: int
    social: int

    @property
    def work_percent(self) -> Decimal | None:
        total = self.work + self.social
        if not total:
            return None
        return (Decimal(100 * self.work) / total).quantize(Decimal("1"), ROUND_HALF_UP)

    @property
    def social_percent(self) -> Decimal | None:
        work = self.work_percent
        return None if work is None else Decimal(100) - work


@dataclass(frozen=True)
class MeetingReport:
    start: date
    end: date
    per_day: list[DayRow]
    attendance: dict[str, int]
    outcomes_by_track: dict[str, dict[str, int]]
    monthly_share: list[MonthShare]

    @property
    def outcome_rows(self) -> list[tuple[str, int, int]]:
        return [
            (
                str(label),
                self.outcomes_by_track[Track.WORK][code],
                self.outcomes_by_track[Track.SOCIAL][code],
            )
            for code, label in Outcome.choices
        ]


def meeting_report(*, municipality: Municipality, start: date, end: date) -> MeetingReport:
    """Meetings in [start, end] (Swedish dates) that were not cancelled beforehand by the
    applicant (moved or cancelled); those the staff called off count as "Mötet ställdes in".

    The monthly share counts meetings actually held (attended), per track: the real split
    between the work track and the social track, not what was suggested or booked.
    """
    lower, _ = day_bounds(start)
    _, upper = day_bounds(end)
    rows = Meeting.objects.filter(
        BOOKED_OR_CALLED_OFF,
        municipality=municipality,
        starts_at__gte=lower,
        starts_at__lt=upper,
    ).values_list("starts_at", "track", "attendance", "outcome")
    booked: Counter[date] = Counter()
    attended: Counter[date] = Counter()
    no_show: Counter[date] = Counter()
    attendance: Counter[str] = Counter()
    outcomes: dict[str, Counter[str]] = {track: Counter() for track in Track.values}
    held: dict[date, Counter[str]] = {}
    for starts_at, track, present, outcome in rows:
        day = starts_at.astimezone(stockholm()).date()
        booked[day] += 1
        attendance[present or "unrecorded"] += 1
        if present == Attendance.ATTENDED:
            attended[day] += 1
            held.setdefault(day.replace(day=1), Counter())[track] += 1
        elif present == Attendance.NO_SHOW:
            no_show[day] += 1
        if outcome:
            outcomes[track][outcome] += 1
    return MeetingReport(
        start=start,
        end=end,
        per_day=[DayRow(d, booked[d], attended[d], no_show[d]) for d in sorted(booked)],
        attendance={key: attendance[key] for key in [*Attendance.values, "unrecorded"]},
        outcomes_by_track={
            track: {outcome: outcomes[track][outcome] for outcome in Outcome.values}
            for track in Track.values
        },
        monthly_share=[
            MonthShare(month, counts[Track.WORK], counts[Track.SOCIAL])
            for month, counts in sorted(held.items())
        ],
    )


def status_timeline(application: Application) -> list[TimelineEntry]:
    """intake's timeline asks (`intake.events.status_timeline`): meetings booked, moved,
    cancelled and called off by the staff, for this application."""
    entries = []
    for meeting in Meeting.objects.filter(application=application).order_by("created_at"):
        when = date_format(
            timezone.localtime(meeting.starts_at), pgettext("date format", "l j F Y \\k\\l. H:i")
        )
        page = reverse("meetings:applicant_meeting", args=[application.pk, meeting.pk])
        entries.append(
            TimelineEntry(
                meeting.created_at,
                gettext("Möte bokat"),
                when,
                link=page if meeting.cancelled_at is None else "",
                link_text=gettext("Se eller ändra mötet"),
                kind="meeting",
            )
        )
        if meeting.cancelled_at is None:
            continue
        if meeting.attendance == Attendance.CANCELLED:
            entries.append(
                TimelineEntry(
                    meeting.cancelled_at,
                    gettext("Mötet ställdes in"),
                    when,
                    link=page if meeting_can_rebook(meeting) else "",
                    link_text=gettext("Boka en ny tid"),
                    kind="meeting",
                )
            )
            continue
        title = (
            gettext("Mötet flyttades")
            if meeting.cancelled_by == CancelledBy.RESCHEDULED
            else gettext("Mötet avbokades")
        )
        entries.append(TimelineEntry(meeting.cancelled_at, title, when, kind="meeting"))
    return entries


# --- what the applicant is told -------------------------------------------------------------


class MeetingState:
    """Where a meeting stands, as the applicant is told it."""

    UPCOMING = "upcoming"  # "Du har en tid ..."
    HELD = "held"  # attended
    MISSED = "missed"  # no-show
    PAST = "past"  # over, nothing recorded yet
    CALLED_OFF = "called_off"  # the staff called it off ("Mötet ställdes in")
    CANCELLED = "cancelled"  # the applicant cancelled or moved it


def applicant_meeting_state(meeting: Meeting) -> str:
    """A `MeetingState`: "Du har en tid" only for a meeting still to come."""
    if meeting.attendance == Attendance.CANCELLED:
        return MeetingState.CALLED_OFF
    if meeting.cancelled_at is not None:
        return MeetingState.CANCELLED
    if meeting.attendance == Attendance.ATTENDED:
        return MeetingState.HELD
    if meeting.attendance == Attendance.NO_SHOW:
        return MeetingState.MISSED
    if meeting.ends_at <= timezone.now():
        return MeetingState.PAST
    return MeetingState.UPCOMING


def status_meeting(application: Application) -> Meeting | None:
    """The meeting the application's status page tells about: the next one still to come; a
    renewal's, the household's coming meeting booked for last month's application; else the
    latest that was held, missed or called off (the staff's "Mötet ställdes in")."""
    own = list(
        Meeting.objects.filter(BOOKED_OR_CALLED_OFF, application=application)
        .select_related("secretary", "room", "application")
        .order_by("starts_at", "pk")
    )
    states = {meeting.pk: applicant_meeting_state(meeting) for meeting in own}
    coming = [m for m in own if states[m.pk] == MeetingState.UPCOMING]
    if coming:
        return coming[0]
    if application.previous_id and application.previous is not None:
        # A renewal keeps the household's coming meeting, booked for last month's application.
        previous = (
            application.previous.meetings.filter(
                cancelled_at__isnull=True, attendance="", starts_at__gte=timezone.now()
            )
            .select_related("secretary", "room", "application")
            .order_by("starts_at")
            .first()
        )
        if previous is not None:
            return previous
    return own[-1] if own else None


def status_page_context(application: Application) -> dict[str, object]:
    """intake's status page asks (`intake.events.status_page_context`): the meeting it tells
    about, where it stands, and whether the applicant may book a new time in its place."""
    meeting = status_meeting(application)
    if meeting is None:
        return {"meeting": None}
    return {
        "meeting": meeting,
        "meeting_state": applicant_meeting_state(meeting),
        "meeting_rebook": meeting_can_rebook(meeting),
    }
