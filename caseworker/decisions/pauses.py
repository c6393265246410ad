"""Pauses before a decision: komplettering (documents asked for by a deadline) and
kommunicering (FL 25 §: facts the decision will rest on, for the applicant to answer). A case
whose deadline passed resumes by itself (beat: `pauses_resume`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.models import Role, User
from caseworker.audit.log import journal_write
from caseworker.decisions.services import ActionNotAllowed
from caseworker.models import (
    Communication,
    SupplementRequest,
)
from caseworker.models.audit import JournalCategory
from intake.events import TimelineEntry
from intake.models import Application
from intake.services import ConcurrentTransition, application_transition
from intake.states import Actor, Status
from notifications.delivery import notify_applicant
from notifications.models import NotificationKind


@transaction.atomic
def supplement_request(
    *, application: Application, by: User, what: str, deadline: date
) -> SupplementRequest:
    """Ask the applicant for more; the case pauses until it arrives or the deadline passes."""
    what = what.strip()
    if not what:
        raise ActionNotAllowed("Skriv vad som behövs.")
    if deadline <= timezone.localdate():
        raise ActionNotAllowed("Sista dag måste vara efter i dag.")
    application_transition(
        application=application,
        to=Status.AWAITING_SUPPLEMENT,
        actor_kind=Actor.CASEWORKER,
        actor=by,
        reason=f"Komplettering begärd senast {deadline:%Y-%m-%d}: {what}",
    )
    request = SupplementRequest.objects.create(
        application=application, what=what, deadline=deadline, requested_by=by
    )
    journal_write(
        category=JournalCategory.COMMUNICATION,
        application=application,
        author=by,
        text=f"Begärde komplettering senast {deadline:%Y-%m-%d}: {what}",
    )
    transaction.on_commit(
        partial(notify_applicant, application=application, kind=NotificationKind.SUPPLEMENT),
        robust=True,
    )
    return request


@transaction.atomic
def supplement_received(*, application: Application, by: User) -> Application:
    """What was asked for has arrived: the case resumes with the caseworker. The applicant side
    calls this when the applicant sends it; a caseworker may mark it too."""
    request = (
        SupplementRequest.objects.select_for_update()
        .filter(application=application, resolved_at__isnull=True)
        .first()
    )
    if request is None:
        raise ActionNotAllowed("Ingen komplettering väntas.")
    actor = Actor.APPLICANT if by.role == Role.APPLICANT else Actor.CASEWORKER
    application_transition(
        application=application,
        to=Status.AWAITING_CASEWORKER,
        actor_kind=actor,
        actor=by,
        reason="Kompletteringen har kommit in",
    )
    SupplementRequest.objects.filter(pk=request.pk).update(
        resolved_at=timezone.now(), resolution="received"
    )
    journal_write(
        category=JournalCategory.COMMUNICATION,
        application=application,
        author=by if actor == Actor.CASEWORKER else None,
        text="Kompletteringen har kommit in; ärendet återupptas.",
    )
    return application


def supplements_overdue_resume(*, today: date | None = None) -> list[int]:
    """Resume every paused case whose supplement deadline has passed (beat task; safe to run
    twice: a resolved request is not picked again and the transition is compare-and-set)."""
    today = today or timezone.localdate()
    resumed = []
    overdue = SupplementRequest.objects.filter(
        resolved_at__isnull=True,
        deadline__lt=today,
        application__status=Status.AWAITING_SUPPLEMENT,
    ).select_related("application")
    for request in overdue:
        with transaction.atomic():
            try:
                application_transition(
                    application=request.application,
                    to=Status.AWAITING_CASEWORKER,
                    actor_kind=Actor.SYSTEM,
                    reason=f"Tiden för komplettering gick ut {request.deadline:%Y-%m-%d}",
                )
            except ConcurrentTransition:
                continue
            SupplementRequest.objects.filter(pk=request.pk).update(
                resolved_at=timezone.now(), resolution="deadline_passed"
            )
            journal_write(
                category=JournalCategory.COMMUNICATION,
                application=request.application,
                author=None,
                text="Tiden för komplettering gick ut utan svar; ärendet återupptas.",
            )
        resumed.append(request.application_id)
    return resumed


@transaction.atomic
def communication_send(
    *, application: Application, by: User, facts: Sequence[str], reply_by: date
) -> Communication:
    """Show the applicant the register facts an adverse decision would rest on (FL 25 §); the
    case waits for a reply until `reply_by`."""
    facts = [f.strip() for f in facts if f.strip()]
    if not facts:
        raise ActionNotAllowed("Ange minst en uppgift att kommunicera.")
    if reply_by <= timezone.localdate():
        raise ActionNotAllowed("Svarsdagen måste vara efter i dag.")
    application_transition(
        application=application,
        to=Status.AWAITING_REPLY,
        actor_kind=Actor.CASEWORKER,
        actor=by,
        reason=f"Kommunicering, svar senast {reply_by:%Y-%m-%d}",
    )
    communication = Communication.objects.create(
        application=application, facts=facts, reply_by=reply_by, sent_by=by
    )
    journal_write(
        category=JournalCategory.COMMUNICATION,
        application=application,
        author=by,
        text=f"Kommunicerade {len(facts)} uppgift(er), svar senast {reply_by:%Y-%m-%d}: "
        + " ".join(facts),
    )
    return communication


@transaction.atomic
def communication_reply(
    *,
    communication: Communication,
    applicant: User,
    reply: str,
    disputed: dict[int, str] | None = None,
) -> Communication:
    """The applicant's reply, with the facts they dispute and a note for each."""
    application = communication.application
    if application.applicant_id != applicant.pk:
        raise ActionNotAllowed("Bara den sökande kan svara.")
    locked = Communication.objects.select_for_update().get(pk=communication.pk)
    if locked.closed_at is not None or locked.replied_at is not None:
        raise ActionNotAllowed("Kommuniceringen är redan avslutad.")
    disputed_list = [
        {"fact": index, "note": note.strip()}
        for index, note in sorted((disputed or {}).items())
        if 0 <= index < len(locked.facts)
    ]
    reply = reply.strip()
    if not reply and not disputed_list:
        raise ActionNotAllowed("Skriv ett svar eller markera en uppgift som fel.")
    now = timezone.now()
    Communication.objects.filter(pk=locked.pk).update(
        reply=reply, disputed_facts=disputed_list, replied_at=now, closed_at=now
    )
    if application.status == Status.AWAITING_REPLY:
        application_transition(
            application=application,
            to=Status.AWAITING_CASEWORKER,
            actor_kind=Actor.APPLICANT,
            actor=applicant,
            reason="Svar på kommunicering",
        )
    journal_write(
        category=JournalCategory.COMMUNICATION,
        application=application,
        author=None,
        text=f"Den sökande svarade på kommuniceringen ({len(disputed_list)} uppgift(er) "
        "ifrågasatta).",
    )
    locked.refresh_from_db()
    return locked


def communications_overdue_resume(*, today: date | None = None) -> list[int]:
    """Close communications whose reply deadline passed without a reply; the case resumes."""
    today = today or timezone.localdate()
    resumed = []
    overdue = Communication.objects.filter(
        closed_at__isnull=True, reply_by__lt=today
    ).select_related("application")
    for communication in overdue:
        with transaction.atomic():
            application = communication.application
            if application.status == Status.AWAITING_REPLY:
                try:
                    application_transition(
                        application=application,
                        to=Status.AWAITING_CASEWORKER,
                        actor_kind=Actor.SYSTEM,
                        reason=f"Tiden för svar gick ut {communication.reply_by:%Y-%m-%d}",
                    )
                except ConcurrentTransition:
                    continue
            Communication.objects.filter(pk=communication.pk, closed_at__isnull=True).update(
                closed_at=timezone.now()
            )
            journal_write(
                category=JournalCategory.COMMUNICATION,
                application=application,
                author=None,
                text="Tiden för svar på kommuniceringen gick ut utan svar; ärendet återupptas.",
            )
        resumed.append(application.pk)
    return resumed


def pauses_resume(*, today: date | None = None) -> dict[str, list[int]]:
    """The beat task: resume cases whose supplement or reply deadline has passed."""
    return {
        "supplements": supplements_overdue_resume(today=today),
        "communications": communications_overdue_resume(today=today),
    }


def default_reply_by(today: date | None = None, days: int = 7) -> date:
    return (today or timezone.localdate()) + timedelta(days=days)


def status_page_context(application: Application) -> dict[str, object]:
    """intake's status page asks (`intake.events.status_page_context`): the open request for
    documents (komplettering), while the case waits for them."""
    if application.status != Status.AWAITING_SUPPLEMENT:
        return {"supplement_request": None}
    return {
        "supplement_request": SupplementRequest.objects.filter(
            application=application, resolved_at__isnull=True
        ).last()
    }


def status_timeline(application: Application) -> list[TimelineEntry]:
    """intake's timeline asks (`intake.events.status_timeline`): each request for documents,
    with what is asked and by when."""
    return [
        TimelineEntry(
            request.requested_at,
            gettext("Handläggaren behöver mer underlag från dig"),
            gettext("%(what)s Skicka senast %(day)s.")
            % {"what": request.what, "day": date_format(request.deadline, "j F Y")},
            link="#supplement-heading" if request.resolved_at is None else "",
            link_text=gettext("Skicka underlaget") if request.resolved_at is None else "",
            kind="request",
        )
        for request in SupplementRequest.objects.filter(application=application)
    ]
