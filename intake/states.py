"""The application's life cycle as a pure transition table. No Django, no database.

`application_transition` in services.py is the only code that changes a status; it asks
`check_transition` first and refuses anything the table does not allow.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PROCESSING = "processing"
    NEEDS_MANUAL = "needs_manual"
    AWAITING_CASEWORKER = "awaiting_caseworker"
    AWAITING_SUPPLEMENT = "awaiting_supplement"  # komplettering asked for: the case pauses
    AWAITING_REPLY = "awaiting_reply"  # kommunicering: the applicant may reply before a decision
    AWAITING_SECOND_APPROVAL = "awaiting_second_approval"  # a second caseworker must approve
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Actor(StrEnum):
    APPLICANT = "applicant"
    ROBOT = "robot"
    CASEWORKER = "caseworker"
    SYSTEM = "system"  # the sweeper and other housekeeping


# (from, to) -> who may make the move.
TRANSITIONS: dict[tuple[Status, Status], frozenset[Actor]] = {
    # SYSTEM submits the monthly renewal that a standing decision creates.
    (Status.DRAFT, Status.SUBMITTED): frozenset({Actor.APPLICANT, Actor.SYSTEM}),
    (Status.DRAFT, Status.WITHDRAWN): frozenset({Actor.APPLICANT}),
    (Status.SUBMITTED, Status.WITHDRAWN): frozenset({Actor.APPLICANT}),
    (Status.SUBMITTED, Status.PROCESSING): frozenset({Actor.ROBOT}),
    (Status.SUBMITTED, Status.NEEDS_MANUAL): frozenset({Actor.SYSTEM}),
    (Status.PROCESSING, Status.AWAITING_CASEWORKER): frozenset({Actor.ROBOT}),
    (Status.PROCESSING, Status.NEEDS_MANUAL): frozenset({Actor.ROBOT, Actor.SYSTEM}),
    (Status.NEEDS_MANUAL, Status.SUBMITTED): frozenset({Actor.CASEWORKER}),
    (Status.NEEDS_MANUAL, Status.REJECTED): frozenset({Actor.CASEWORKER}),
    # SYSTEM approves a month under a caseworker's standing decision when nothing changed.
    (Status.AWAITING_CASEWORKER, Status.APPROVED): frozenset({Actor.CASEWORKER, Actor.SYSTEM}),
    (Status.AWAITING_CASEWORKER, Status.REJECTED): frozenset({Actor.CASEWORKER}),
    # Komplettering: paused until the applicant sends what was asked (or the deadline passes).
    (Status.AWAITING_CASEWORKER, Status.AWAITING_SUPPLEMENT): frozenset({Actor.CASEWORKER}),
    (Status.AWAITING_SUPPLEMENT, Status.AWAITING_CASEWORKER): frozenset(
        {Actor.APPLICANT, Actor.CASEWORKER, Actor.SYSTEM}
    ),
    (Status.AWAITING_SUPPLEMENT, Status.WITHDRAWN): frozenset({Actor.APPLICANT}),
    # Kommunicering (FL 25 §) before an adverse decision on facts the applicant has not seen.
    (Status.AWAITING_CASEWORKER, Status.AWAITING_REPLY): frozenset({Actor.CASEWORKER}),
    (Status.AWAITING_REPLY, Status.AWAITING_CASEWORKER): frozenset(
        {Actor.APPLICANT, Actor.CASEWORKER, Actor.SYSTEM}
    ),
    # Four eyes: above the amount limit, or for a caseworker in introduction.
    (Status.AWAITING_CASEWORKER, Status.AWAITING_SECOND_APPROVAL): frozenset({Actor.CASEWORKER}),
    (Status.AWAITING_SECOND_APPROVAL, Status.APPROVED): frozenset({Actor.CASEWORKER}),
    (Status.AWAITING_SECOND_APPROVAL, Status.REJECTED): frozenset({Actor.CASEWORKER}),
    (Status.AWAITING_SECOND_APPROVAL, Status.AWAITING_CASEWORKER): frozenset({Actor.CASEWORKER}),
}

TERMINAL: frozenset[Status] = frozenset({Status.APPROVED, Status.REJECTED, Status.WITHDRAWN})
DECIDED: frozenset[Status] = frozenset({Status.APPROVED, Status.REJECTED})
WITH_ROBOT: frozenset[Status] = frozenset({Status.SUBMITTED, Status.PROCESSING})
# Submitted and not yet decided or withdrawn: a case someone is working on.
OPEN_STATUSES: tuple[Status, ...] = (
    Status.SUBMITTED,
    Status.PROCESSING,
    Status.NEEDS_MANUAL,
    Status.AWAITING_CASEWORKER,
    Status.AWAITING_SUPPLEMENT,
    Status.AWAITING_REPLY,
    Status.AWAITING_SECOND_APPROVAL,
)


class StateChanged(Exception):
    """The case is no longer in the state a request was made from: another request (a double
    click, a colleague, the robot) changed it first. Views let it through; the site answers with
    the case as it now is (intake.middleware.StateChangedMiddleware)."""


class NoLongerADraft(StateChanged):
    """A page of the application form was asked for (or posted to) after the application was
    sent: a double click on "Skriv under och skicka", Back after sending, an old tab. Answered,
    whatever the method, with the application's status page."""


class ConcurrentTransition(StateChanged):
    """The row's status changed under us: someone else moved it first."""


class TransitionNotAllowed(StateChanged):
    def __init__(self, current: Status, target: Status, actor: Actor) -> None:
        super().__init__(f"{actor} may not move an application from {current} to {target}")
        self.current, self.target, self.actor = current, target, actor


def allowed_actors(current: Status, target: Status) -> frozenset[Actor]:
    return TRANSITIONS.get((current, target), frozenset())


def check_transition(current: Status, target: Status, actor: Actor) -> None:
    if actor not in allowed_actors(current, target):
        raise TransitionNotAllowed(current, target, actor)


def next_statuses(current: Status, actor: Actor) -> list[Status]:
    return [to for (frm, to), actors in TRANSITIONS.items() if frm == current and actor in actors]
