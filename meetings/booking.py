"""Booking: the slot, the secretary, the room, and many at once for the robot's batch.

The database guarantees no double booking (partial unique indexes on both engines: one live
meeting per staff member and start time, one live meeting per application and track); this code
only chooses the slot and looks again when another booking wins the race.
"""

from __future__ import annotations

import bisect
import itertools
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count

from accounts.models import Role, User
from accounts.reference_cache import cached
from intake.models import Application, Track
from kernel import working_days
from meetings import calendar
from meetings.availability import (
    SEARCH_WORKING_DAYS,
    Interval,
    MeetingTrack,
    WorkingBlock,
    absent_on,
    candidates_for,
    closing_days_for,
    day_bookings,
    day_bounds,
    hours_by_staff,
    municipality_rooms,
    overlaps,
    room_choose,
    room_for,
    rooms_busy,
    rooms_hold,
    rooms_in_order,
    secretaries_with_hours,
    secretary_met_last,
    stockholm,
    taken_starts,
)
from meetings.models import (
    Meeting,
)
from meetings.needs import needs_suggest_track


class NoFreeSlot(Exception):
    pass


class SlotTaken(Exception):
    """The chosen time was taken by someone else a moment ago."""


def upcoming_meetings(
    applications: list[Application], track: MeetingTrack, today: date
) -> dict[int, Meeting]:
    """The household's meeting on the track that is still to come, booked for another of its
    applications (last month's, usually): a renewal gets that one, not a second meeting the
    same week (#17 item 9). By application id; one query."""
    by_applicant = {a.applicant_id: a for a in applications}
    if not by_applicant:
        return {}
    found: dict[int, Meeting] = {}
    for meeting in (
        Meeting.objects.filter(
            application__applicant_id__in=by_applicant,
            track=Track(track),
            cancelled_at__isnull=True,
            attendance="",
            starts_at__date__gt=today,
        )
        .exclude(application__in=[a.pk for a in applications])
        .select_related("application", "secretary")
        .order_by("-starts_at")
    ):
        application = by_applicant[meeting.application.applicant_id]
        found[application.pk] = meeting  # the earliest, as the list is latest first
    return found


def meeting_book_next_working_day(*, application: Application, today: date) -> Meeting:
    """The robot's entry point: the work track (see ``meeting_book_for_track``)."""
    return meeting_book_for_track(application=application, track=Track.WORK, today=today)


@transaction.atomic
def meeting_book_for_track(
    *,
    application: Application,
    track: MeetingTrack,
    today: date,
    last_met_by: int | None = None,
) -> Meeting:
    """Book the earliest free slot on the next working day after ``today`` on one track.

    Idempotent: an application with a live meeting on the track gets that meeting back.
    Work track: the municipality's arbetslivssekreterare. Social track: the case owner if they
    have working hours (on a later day if their next working day is full), else the
    caseworkers who have. Each day, the one who met this household
    last time on the track goes first if they have a free slot, then the least loaded. Absent
    staff and the municipality's closing days are skipped. When the next working day is full the
    following working days are tried and the meeting is flagged as overflow.
    """
    track = Track(track)
    if application.previous_id:
        coming = upcoming_meetings([application], track, today).get(application.pk)
        if coming is not None:
            return coming
    # No up-front "already booked?" query: the one-live-meeting-per-application index answers
    # that at insert time, and `_try_book_day` then returns the existing meeting.
    if track == Track.WORK:
        candidates, blocks = cached(
            ("work_staff", application.municipality_id),
            lambda: secretaries_with_hours(application),
        )
    else:
        candidates = candidates_for(application, track)
        blocks = hours_by_staff(candidates)
    # Continuity needs history; a household's first application has none to look up.
    # Continuity: the caller may already know who met the household last time (the robot reads
    # it from last month's application); a household's first application has no history.
    if last_met_by is not None:
        continuity: int | None = last_met_by
    elif application.previous_id:
        continuity = secretary_met_last(application, track)
    else:
        continuity = None
    closing = cached(
        ("closing_days", application.municipality_id, today),
        lambda: closing_days_for(application.municipality, today, today + timedelta(days=90)),
    )
    first_day = day = working_days.next_working_day(today, closing)
    for _ in range(SEARCH_WORKING_DAYS):
        absent = cached(("absent", tuple(sorted(blocks)), day), partial(absent_on, blocks, day))
        loads, taken = day_bookings(blocks, day)

        def rank(person: User, loads: dict[int, int] = loads) -> tuple[bool, int, int]:
            return (
                person.pk != continuity,
                loads.get(person.pk, 0),
                person.pk,
            )

        for person in sorted(candidates, key=rank):
            if person.pk in absent or not blocks.get(person.pk):
                continue
            meeting = _try_book_day(
                application,
                track,
                person,
                day,
                blocks[person.pk],
                overflow=day != first_day,
                taken=taken[person.pk],
            )
            if meeting is not None:
                return meeting
        day = working_days.next_working_day(day, closing)
    existing = Meeting.objects.filter(
        application=application, track=track, cancelled_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    raise NoFreeSlot(application.reference)


def _try_book_day(
    application: Application,
    track: Track,
    secretary: User,
    day: date,
    blocks: list[WorkingBlock],
    *,
    overflow: bool,
    taken: list[datetime] | None = None,
) -> Meeting | None:
    minutes = application.municipality.meeting_minutes
    hours = [block.hours for block in blocks]
    for _attempt in range(20):
        if taken is None:
            taken = taken_starts([secretary.pk], day)[secretary.pk]
        slot = calendar.first_free_slot(day, hours, minutes, stockholm(), taken)
        if slot is None:
            return None
        meeting = _meeting_at(application, track, secretary, blocks, slot, minutes, overflow)
        meeting.room_id = room_choose(
            municipality_id=application.municipality_id,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            accessible=meeting.accessible_room,
            preferred=meeting.room_id,
        )
        try:
            with transaction.atomic():
                meeting.save(force_insert=True)
                return meeting
        except IntegrityError:
            # Another booking took the slot (or this application got its meeting): look again.
            existing = Meeting.objects.filter(
                application=application, track=track, cancelled_at__isnull=True
            ).first()
            if existing is not None:
                return existing
            taken = None  # someone else took a slot: read the day again
    return None


def _social_candidates_many(
    applications: list[Application],
) -> tuple[dict[int, list[User]], dict[int, list[WorkingBlock]]]:
    """``candidates`` for the social track of many applications of one municipality: two
    queries. Each case owner alone when they have working hours, else every caseworker who has.
    """
    municipality_id = applications[0].municipality_id
    caseworkers = list(
        User.objects.filter(
            municipality_id=municipality_id, is_active=True, role=Role.CASEWORKER
        ).order_by("id")
    )
    owners = {a.owner_id for a in applications if a.owner_id}
    people = {person.pk: person for person in caseworkers}
    missing = owners - set(people)
    if missing:
        people.update((u.pk, u) for u in User.objects.filter(pk__in=missing))
    blocks = hours_by_staff(people.values())
    with_hours = [person for person in caseworkers if blocks.get(person.pk)]
    chosen: dict[int, list[User]] = {}
    for application in applications:
        owner = people.get(application.owner_id) if application.owner_id else None
        if (
            owner is not None
            and owner.is_active
            and owner.municipality_id == municipality_id
            and blocks.get(owner.pk)
        ):
            chosen[application.pk] = [owner]
        else:
            chosen[application.pk] = with_hours
    return chosen, {pk: found for pk, found in blocks.items() if found}


def meetings_book_many(
    *,
    applications: list[Application],
    track: MeetingTrack,
    today: date,
    last_met_by: dict[int, int | None] | None = None,
) -> dict[int, Meeting] | None:
    """Book one track's meeting for many applications of one municipality at once.

    The same choice as ``meeting_book_for_track`` for each application in turn (next working
    day, continuity first, then the least loaded, overflow to later days), made in memory from
    one read of each day's bookings, then one INSERT. ``last_met_by`` maps application id to the
    staff member who met the household last time (None or missing: look it up). Returns the
    meetings by application id, or None when the INSERT lost a race (a booking made
    meanwhile): the caller then books one by one, which looks again. Applications for which no
    slot exists in the search window are left out of the result.
    """
    if not applications:
        return {}
    track = Track(track)
    coming = upcoming_meetings([a for a in applications if a.previous_id], track, today)
    if coming:
        rest = [a for a in applications if a.pk not in coming]
        others = meetings_book_many(
            applications=rest, track=track, today=today, last_met_by=last_met_by
        )
        return None if others is None else {**coming, **others}
    first = applications[0]
    municipality = first.municipality
    if any(a.municipality_id != municipality.pk for a in applications):
        raise ValueError("one municipality per call")
    if track == Track.WORK:
        staff, blocks = cached(
            ("work_staff", municipality.pk), lambda: secretaries_with_hours(first)
        )
        candidates = {a.pk: staff for a in applications}
    else:
        candidates, blocks = _social_candidates_many(applications)
    closing = cached(
        ("closing_days", municipality.pk, today),
        lambda: closing_days_for(municipality, today, today + timedelta(days=90)),
    )
    continuity = dict(last_met_by or {})
    unknown = [a for a in applications if continuity.get(a.pk) is None and a.previous_id]
    if unknown:
        # One query for every household whose last meeting the caller did not know.
        latest: dict[int, int] = {}
        for applicant_id, staff_id in (
            Meeting.objects.filter(
                application__applicant_id__in={a.applicant_id for a in unknown},
                track=track,
                cancelled_at__isnull=True,
            )
            .exclude(application__in=[a.pk for a in unknown])
            .order_by("starts_at")
            .values_list("application__applicant_id", "secretary_id")
        ):
            latest[applicant_id] = staff_id
        for application in unknown:
            continuity[application.pk] = latest.get(application.applicant_id)
    minutes = municipality.meeting_minutes
    tz = stockholm()
    days: dict[date, _PlannedDay] = {}
    first_day = working_days.next_working_day(today, closing)
    planned: list[Meeting] = []
    for application in applications:
        if not any(blocks.get(person.pk) for person in candidates[application.pk]):
            continue  # nobody can hold it: no slot on any day
        day = first_day
        for _ in range(SEARCH_WORKING_DAYS):
            if day not in days:
                days[day] = _PlannedDay(municipality.pk, blocks, day)
            booked = _plan_one(
                application,
                track,
                candidates[application.pk],
                blocks,
                days[day],
                continuity.get(application.pk),
                overflow=day != first_day,
                minutes=minutes,
                tz=tz,
            )
            if booked is not None:
                planned.append(booked)
                break
            day = working_days.next_working_day(day, closing)
    try:
        with transaction.atomic():
            if not _rooms_still_free(planned):
                return None  # a room was taken meanwhile: the caller books one by one
            Meeting.objects.bulk_create(planned)
    except IntegrityError:
        return None  # someone booked meanwhile (or a meeting exists): the caller books one by one
    return {meeting.application_id: meeting for meeting in planned}


def _rooms_still_free(planned: list[Meeting]) -> bool:
    """Hold the municipality's rooms and check that nobody booked the ones the batch planned
    meanwhile (the plan was made from a read of the day). Nothing to do when no meeting got a
    room."""
    with_room = [m for m in planned if m.room_id is not None]
    if not with_room:
        return True
    rooms_hold(with_room[0].municipality_id)
    busy = rooms_busy(
        {m.room_id for m in with_room if m.room_id is not None},
        min(m.starts_at for m in with_room),
        max(m.ends_at for m in with_room),
    )
    return not any(
        m.room_id is not None and overlaps(busy[m.room_id], m.starts_at, m.ends_at)
        for m in with_room
    )


class _PlannedDay:
    """One day's bookings as the batch planner sees them.

    Each person's load comes from one grouped query; their booked start times are read the
    first time the planner looks at them, together with the next least loaded (the ones it
    will look at next). A municipality with a thousand staff and ten thousand meetings that
    day costs a few small reads per batch, not all of the day's meetings."""

    CHUNK = 32

    def __init__(
        self, municipality_id: int, blocks: dict[int, list[WorkingBlock]], day: date
    ) -> None:
        self.day = day
        start, end = day_bounds(day)
        self.bounds = (start, end)
        self.loads: dict[int, int] = dict.fromkeys(blocks, 0)
        for secretary_id, count in (
            Meeting.objects.filter(
                municipality_id=municipality_id,
                cancelled_at__isnull=True,
                starts_at__gte=start,
                starts_at__lt=end,
            )
            .values_list("secretary_id")
            .annotate(n=Count("id"))
            .order_by()
        ):
            if secretary_id in self.loads:
                self.loads[secretary_id] = count
        self.absent: set[int] = cached(
            ("absent", tuple(sorted(blocks)), day), lambda: absent_on(blocks, day)
        )
        self.taken: dict[int, list[datetime]] = {}
        self.municipality_id = municipality_id
        # The rooms' bookings that day (read the first time a meeting needs a room).
        self._room_busy: dict[int, list[Interval]] | None = None
        # Per candidate list: (load, pk, person) in order, and who is on it.
        self._orders: dict[int, tuple[list[tuple[int, int, User]], dict[int, User]]] = {}

    def order(self, candidates: list[User]) -> list[tuple[int, int, User]]:
        return self._order(candidates)[0]

    def member(self, candidates: list[User], pk: int | None) -> User | None:
        """The candidate with id ``pk``, if they are one."""
        return self._order(candidates)[1].get(pk) if pk is not None else None

    def _order(self, candidates: list[User]) -> tuple[list[tuple[int, int, User]], dict[int, User]]:
        found = self._orders.get(id(candidates))
        if found is None:
            ranked = sorted((self.loads.get(p.pk, 0), p.pk, p) for p in candidates)
            found = self._orders[id(candidates)] = (ranked, {p.pk: p for p in candidates})
        return found

    def taken_for(self, person: User, ranked: list[tuple[int, int, User]]) -> list[datetime]:
        if person.pk not in self.taken:
            wanted = [person.pk]
            for _load, pk, _person in ranked:
                if len(wanted) >= self.CHUNK:
                    break
                if pk not in self.taken and pk != person.pk:
                    wanted.append(pk)
            for pk in wanted:
                self.taken[pk] = []
            start, end = self.bounds
            for secretary_id, starts_at in Meeting.objects.filter(
                secretary_id__in=wanted,
                cancelled_at__isnull=True,
                starts_at__gte=start,
                starts_at__lt=end,
            ).values_list("secretary_id", "starts_at"):
                self.taken[secretary_id].append(starts_at)
        return self.taken[person.pk]

    def room_take(self, meeting: Meeting) -> int | None:
        """The room `room_choose` would give the meeting, chosen from the day's bookings and
        what this batch has planned; None when no room is free (the meeting is still booked)."""
        order = rooms_in_order(
            municipality_rooms(self.municipality_id),
            accessible=meeting.accessible_room,
            preferred=meeting.room_id,
        )
        if not order:
            return None
        if self._room_busy is None:
            start, end = self.bounds
            self._room_busy = rooms_busy(
                [room.pk for room in municipality_rooms(self.municipality_id)], start, end
            )
        for pk in order:
            busy = self._room_busy.setdefault(pk, [])
            if not overlaps(busy, meeting.starts_at, meeting.ends_at):
                busy.append((meeting.starts_at, meeting.ends_at))
                return pk
        return None

    def book(self, person: User, slot: datetime) -> None:
        old = self.loads.get(person.pk, 0)
        self.loads[person.pk] = old + 1
        self.taken[person.pk].append(slot)
        for ranked, members in self._orders.values():
            if person.pk in members:
                del ranked[bisect.bisect_left(ranked, (old, person.pk))]
                bisect.insort(ranked, (old + 1, person.pk, person))


def _plan_one(
    application: Application,
    track: Track,
    candidates: list[User],
    blocks: dict[int, list[WorkingBlock]],
    state: _PlannedDay,
    continuity: int | None,
    *,
    overflow: bool,
    minutes: int,
    tz: ZoneInfo,
) -> Meeting | None:
    """The slot ``meeting_book_for_track`` would choose on the day: the one who met the
    household last time first, then the least loaded (then the lowest id)."""
    ranked = state.order(candidates)
    first = state.member(candidates, continuity)
    in_turn = (p for _load, pk, p in ranked if pk != continuity)
    for person in itertools.chain((first,) if first else (), in_turn):
        own = blocks.get(person.pk)
        if person.pk in state.absent or not own:
            continue
        slot = calendar.first_free_slot(
            state.day, [b.hours for b in own], minutes, tz, state.taken_for(person, ranked)
        )
        if slot is None:
            continue
        state.book(person, slot)
        meeting = _meeting_at(application, track, person, own, slot, minutes, overflow)
        meeting.room_id = state.room_take(meeting)
        return meeting
    return None


def _meeting_at(
    application: Application,
    track: Track,
    staff: User,
    blocks: list[WorkingBlock],
    slot: datetime,
    minutes: int,
    overflow: bool,
) -> Meeting:
    """The (unsaved) meeting at ``slot`` with ``staff``; its room is the one their hours name,
    which the caller then confirms or replaces with a free one (`meetings.rooms`)."""
    return Meeting(
        municipality=application.municipality,
        secretary=staff,
        application=application,
        track=track,
        starts_at=slot,
        ends_at=slot + timedelta(minutes=minutes),
        room_id=room_for(blocks, slot),
        overflow=overflow,
    )


def meeting_book_suggested(*, application: Application, today: date) -> list[Meeting]:
    """Book the track(s) the needs screen suggests (the work track alone by default)."""
    work, social, _reasons = needs_suggest_track(application=application)
    tracks = [t for t, wanted in ((Track.WORK, work), (Track.SOCIAL, social)) if wanted]
    return [meeting_book_for_track(application=application, track=t, today=today) for t in tracks]
