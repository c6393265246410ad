"""The robot's inbox, worked in batches: one wake-up claims the application it was woken for
and up to ``ROBOT_BATCH_SIZE - 1`` others waiting, and writes them together.

The work per application is ``services.assessment_run``'s (the same registers, engine,
findings, meeting rules and texts); what changes is the number of round trips: the claim, the
snapshots, the meetings, the proposals, the warnings, the status change and the meeting notices
are one statement each for the whole batch instead of one per application. ADR 0011 has the
reasoning and the figures.

Safe to run twice and from many workers at once, like ``assessment_run``: the claim is a
locked compare-and-set (SKIP LOCKED on PostgreSQL), the final status change is conditional on
every row still being leased to this run, and any batch step that meets something unexpected (a
lost lease, a meeting booked meanwhile) rolls the batch back and goes one by one through
``assessment_run``, which resumes the claim this run holds.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Municipality
from eligibility.models import CaseWarning, Proposal, RegisterSnapshot
from eligibility.registers import configured_registers
from eligibility.registers.lookup import registers_fetch_finish, registers_fetch_start
from eligibility.robot import events
from eligibility.robot.assessment import (
    Assessment,
    adult_personnummers,
    assessment_make,
    assessment_run,
    decision_due_keeping_emergency,
    proposal_values,
    protected_in_register,
    register_problems,
    robot_purpose,
    robot_summary,
    snapshots_build,
    tracks_to_book,
)
from eligibility.robot.claims import applications_claim_for_robot
from eligibility.robot.links import (
    household_links_reciprocate,
    household_overlaps,
    household_people,
    registered_residents_build,
)
from eligibility.robot.warnings import warnings_build
from intake.models import Application
from intake.models.queue_facts import queue_facts_deferred
from intake.services import (
    BulkTransition,
    ConcurrentTransition,
    applications_transition_many,
    declared_incomes,
    declared_members,
)
from intake.states import Actor, Status
from kernel.bulk import rows_insert
from meetings.booking import meetings_book_many
from meetings.models import Meeting
from meetings.notices import notify_meetings_booked

logger = logging.getLogger(__name__)

WAITING = (Status.SUBMITTED, Status.PROCESSING)


def robot_run(*, application_id: int, worker_id: str, now: datetime | None = None) -> int:
    """One robot wake-up for ``application_id``. Returns how many applications it finished.

    With ``ROBOT_BATCH_SIZE`` 1 this is ``assessment_run``. Otherwise: an application already
    done (or being done by another run) costs one query; one still waiting is claimed together
    with the longest-waiting others of its municipality; one left in processing by a crashed
    run (lease expired) or by this very run (a retry) is resumed on its own.
    """
    limit = settings.ROBOT_BATCH_SIZE
    if limit <= 1:
        return int(assessment_run(application_id=application_id, worker_id=worker_id, now=now))
    state = (
        Application.objects.filter(pk=application_id)
        .values_list("status", "robot_lease_owner", "robot_lease_until", "municipality_id")
        .first()
    )
    if state is None or state[0] not in WAITING:
        return 0
    status, owner, until, municipality_id = state
    if status == Status.PROCESSING:
        if owner == worker_id or until is None or until < timezone.now():
            return int(assessment_run(application_id=application_id, worker_id=worker_id, now=now))
        return 0  # another run holds it
    claimed = applications_claim_for_robot(
        first=application_id,
        municipality_id=municipality_id,
        worker_id=worker_id,
        lease_seconds=settings.ROBOT_LEASE_SECONDS,
        limit=limit,
    )
    return assessments_run_claimed(application_ids=claimed, worker_id=worker_id, now=now)


def assessments_run_claimed(
    *, application_ids: list[int], worker_id: str, now: datetime | None = None
) -> int:
    """Finish applications this run has claimed. The ordinary case (the first robot round, no
    standing decision, not a supplementary application) goes in one batch; the rest, and the
    batch itself when a step of it is refused, go one by one through ``assessment_run``."""
    if not application_ids:
        return 0
    applications = list(
        Application.objects.select_related(
            "municipality", "applicant", "previous", "standing_decision__decided_by"
        ).filter(pk__in=application_ids)
    )
    ordinary = [
        a
        for a in applications
        if a.robot_round == 1 and not a.standing_decision_id and a.kind != "supplementary"
    ]
    special = [a.pk for a in applications if a not in ordinary]
    done = 0
    by_municipality: dict[int, list[Application]] = {}
    for application in ordinary:
        by_municipality.setdefault(application.municipality_id, []).append(application)
    for group in by_municipality.values():
        finished = _batch_run(group, worker_id=worker_id, now=now)
        if finished:
            done += len(group)
        else:
            special += [a.pk for a in group]
    for pk in special:
        done += int(assessment_run(application_id=pk, worker_id=worker_id, now=now))
    return done


def _batch_run(applications: list[Application], *, worker_id: str, now: datetime | None) -> bool:
    """The batch for one municipality. False when it was rolled back (nothing kept but the
    register answers, which the one-by-one run then reads instead of asking again)."""
    sources = configured_registers()
    pending = []
    for application in applications:
        members = declared_members(application)
        subjects = adult_personnummers(members)
        purpose = robot_purpose(application)
        lookups = registers_fetch_start(
            personnummers=subjects, as_of=application.month, purpose=purpose, sources=sources
        )
        pending.append((application, members, subjects, purpose, lookups))
    snapshots: dict[int, list[RegisterSnapshot]] = {}
    assessments: dict[int, Assessment] = {}
    for application, _members, subjects, purpose, lookups in pending:
        results = registers_fetch_finish(lookups)
        snapshots[application.pk] = snapshots_build(
            application, application.robot_round, purpose, subjects, results
        )
    # The answers are kept even if the rest of the batch is rolled back.
    rows_insert([s for batch in snapshots.values() for s in batch], ignore_conflicts=True)
    people = {
        application.pk: household_people(
            members, snapshots[application.pk], application.applicant.personnummer or ""
        )
        for application, members, *_rest in pending
    }
    others = household_overlaps([(a, people[a.pk]) for a in applications])
    for application, members, _subjects, _purpose, _lookups in pending:
        assessments[application.pk] = assessment_make(
            application,
            members,
            declared_incomes(application),
            snapshots[application.pk],
            others[application.pk],
        )
    today = timezone.localdate(now or timezone.now())
    try:
        # The queue's counts (#20 c) are updated once for the batch's writes, before the commit.
        with transaction.atomic(), queue_facts_deferred():
            _batch_write(applications, snapshots, assessments, worker_id=worker_id, today=today)
            for application in applications:
                household_links_reciprocate(application=application, others=others[application.pk])
            # Who the register places in each household undeclared: one statement (#16 item 3).
            rows_insert(
                [
                    resident
                    for application, members, *_rest in pending
                    for resident in registered_residents_build(
                        application, members, snapshots[application.pk]
                    )
                ],
                ignore_conflicts=True,
            )
    except (ConcurrentTransition, _GoOneByOne) as exc:
        logger.warning("robot batch of %s goes one by one: %s", len(applications), exc)
        return False
    for application in applications:
        events.proposal_ready.publish(application)
    return True


class _GoOneByOne(Exception):
    pass


def _batch_write(
    applications: list[Application],
    snapshots: dict[int, list[RegisterSnapshot]],
    assessments: dict[int, Assessment],
    *,
    worker_id: str,
    today: date,
) -> None:
    # Batches of one municipality book one after another: each plans its meetings from the
    # day's bookings in memory, so two at once would plan the same slots and one would lose
    # its whole batch to the unique index. The lock (PostgreSQL; SQLite has one writer anyway)
    # is held only for the rest of this short transaction.
    list(
        Municipality.objects.select_for_update()
        .filter(pk=applications[0].municipality_id)
        .values_list("pk", flat=True)
    )
    problems = {a.pk: register_problems(snapshots[a.pk]) for a in applications}
    wants = {a.pk: tracks_to_book(assessments[a.pk]) for a in applications}
    booked: dict[str, dict[int, Meeting]] = {}
    for track in ("work", "social"):
        on_track = [a for a in applications if track in wants[a.pk]]
        meetings = meetings_book_many(
            applications=on_track,
            track=track,
            today=today,
            # Continuity on the work track comes from last month's row (as in assessment_run).
            last_met_by=(
                {a.pk: a.previous.met_by_id if a.previous else None for a in on_track}
                if track == "work"
                else None
            ),
        )
        if meetings is None:
            raise _GoOneByOne(f"a {track} meeting was booked meanwhile")
        booked[track] = meetings
        for application in on_track:
            if application.pk not in meetings:
                problems[application.pk].append(
                    "meeting_not_booked" if track == "work" else "meeting_not_booked:social"
                )
    work = booked["work"]
    rows_insert(
        [
            Proposal(
                application=a,
                round=a.robot_round,
                **proposal_values(a, assessments[a.pk], problems[a.pk]),
            )
            for a in applications
        ],
        ignore_conflicts=True,
    )
    CaseWarning.objects.bulk_create(
        [
            warning
            for a in applications
            for warning in warnings_build(a, a.robot_round, assessments[a.pk].findings)
        ],
        ignore_conflicts=True,
    )
    applications_transition_many(
        items=[
            BulkTransition(
                application=a,
                reason=robot_summary(assessments[a.pk], problems[a.pk]),
                updates={
                    "robot_lease_owner": "",
                    "robot_lease_until": None,
                    "robot_last_error": "",
                    "decision_due_at": decision_due_keeping_emergency(a, today),
                    "met_by_id": work[a.pk].secretary_id if a.pk in work else None,
                    "protected_identity": protected_in_register(snapshots[a.pk]),
                },
            )
            for a in applications
        ],
        from_status=Status.PROCESSING,
        to=Status.AWAITING_CASEWORKER,
        actor_kind=Actor.ROBOT,
        only_if=Q(robot_lease_owner=worker_id),
    )
    # After the status change, so the notices see the case's protected identity.
    notify_meetings_booked(
        [
            meeting
            for meeting in [*booked["work"].values(), *booked["social"].values()]
            if meeting.application_id in assessments  # not the household's coming meeting
        ]
    )
