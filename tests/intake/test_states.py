"""The transition table, tested as a table: pure, no database."""

from __future__ import annotations

import itertools

import pytest

from intake.states import (
    DECIDED,
    TERMINAL,
    TRANSITIONS,
    WITH_ROBOT,
    Actor,
    Status,
    TransitionNotAllowed,
    allowed_actors,
    check_transition,
    next_statuses,
)

LEGAL_MOVES = [
    pytest.param(frm, to, actor, id=f"{frm}->{to}-by-{actor}")
    for (frm, to), actors in TRANSITIONS.items()
    for actor in sorted(actors)
]

REFUSED_ACTORS_ON_LEGAL_MOVES = [
    pytest.param(frm, to, actor, id=f"{frm}->{to}-by-{actor}")
    for (frm, to), actors in TRANSITIONS.items()
    for actor in Actor
    if actor not in actors
]

MOVES_NOT_IN_TABLE = [
    pytest.param(frm, to, actor, id=f"{frm}->{to}-by-{actor}")
    for frm, to, actor in itertools.product(Status, Status, Actor)
    if (frm, to) not in TRANSITIONS
]


@pytest.mark.parametrize(("current", "target", "actor"), LEGAL_MOVES)
def test_every_move_in_the_table_is_allowed_for_its_actors(
    current: Status, target: Status, actor: Actor
) -> None:
    check_transition(current, target, actor)  # does not raise
    assert actor in allowed_actors(current, target)


@pytest.mark.parametrize(("current", "target", "actor"), REFUSED_ACTORS_ON_LEGAL_MOVES)
def test_a_move_in_the_table_is_refused_for_every_other_actor(
    current: Status, target: Status, actor: Actor
) -> None:
    with pytest.raises(TransitionNotAllowed) as excinfo:
        check_transition(current, target, actor)
    assert (excinfo.value.current, excinfo.value.target, excinfo.value.actor) == (
        current,
        target,
        actor,
    )


@pytest.mark.parametrize(("current", "target", "actor"), MOVES_NOT_IN_TABLE)
def test_a_move_not_in_the_table_is_refused_for_every_actor(
    current: Status, target: Status, actor: Actor
) -> None:
    assert allowed_actors(current, target) == frozenset()
    with pytest.raises(TransitionNotAllowed):
        check_transition(current, target, actor)


def test_the_generated_cases_cover_the_whole_status_status_actor_product() -> None:
    total = len(LEGAL_MOVES) + len(REFUSED_ACTORS_ON_LEGAL_MOVES) + len(MOVES_NOT_IN_TABLE)
    assert total == len(Status) ** 2 * len(Actor)


def test_no_status_moves_to_itself() -> None:
    assert all(frm != to for frm, to in TRANSITIONS)


def test_every_move_in_the_table_names_at_least_one_actor() -> None:
    assert all(actors for actors in TRANSITIONS.values())


@pytest.mark.parametrize("terminal", sorted(TERMINAL))
def test_a_terminal_status_has_no_outgoing_moves(terminal: Status) -> None:
    assert [to for frm, to in TRANSITIONS if frm == terminal] == []
    for actor in Actor:
        assert next_statuses(terminal, actor) == []


def test_decided_statuses_are_terminal() -> None:
    assert DECIDED <= TERMINAL


@pytest.mark.parametrize("status", sorted(set(Status) - TERMINAL))
def test_every_non_terminal_status_has_a_way_out(status: Status) -> None:
    assert any(frm == status for frm, _to in TRANSITIONS)


@pytest.mark.parametrize("status", sorted(set(Status) - {Status.DRAFT}))
def test_every_status_but_draft_can_be_reached(status: Status) -> None:
    assert any(to == status for _frm, to in TRANSITIONS)


def test_with_robot_statuses_are_those_the_robot_moves_out_of() -> None:
    robot_sources = {frm for (frm, _to), actors in TRANSITIONS.items() if Actor.ROBOT in actors}
    assert robot_sources == WITH_ROBOT


@pytest.mark.parametrize(
    ("current", "actor", "expected"),
    [
        (Status.DRAFT, Actor.APPLICANT, {Status.SUBMITTED, Status.WITHDRAWN}),
        (Status.DRAFT, Actor.CASEWORKER, set()),
        (Status.DRAFT, Actor.ROBOT, set()),
        (Status.DRAFT, Actor.SYSTEM, {Status.SUBMITTED}),
        (Status.SUBMITTED, Actor.APPLICANT, {Status.WITHDRAWN}),
        (Status.SUBMITTED, Actor.ROBOT, {Status.PROCESSING}),
        (Status.SUBMITTED, Actor.SYSTEM, {Status.NEEDS_MANUAL}),
        (Status.SUBMITTED, Actor.CASEWORKER, set()),
        (Status.PROCESSING, Actor.ROBOT, {Status.AWAITING_CASEWORKER, Status.NEEDS_MANUAL}),
        (Status.PROCESSING, Actor.SYSTEM, {Status.NEEDS_MANUAL}),
        (Status.PROCESSING, Actor.APPLICANT, set()),
        (Status.PROCESSING, Actor.CASEWORKER, set()),
        (Status.NEEDS_MANUAL, Actor.CASEWORKER, {Status.SUBMITTED, Status.REJECTED}),
        (Status.NEEDS_MANUAL, Actor.APPLICANT, set()),
        (
            Status.AWAITING_CASEWORKER,
            Actor.CASEWORKER,
            {
                Status.APPROVED,
                Status.REJECTED,
                Status.AWAITING_SUPPLEMENT,
                Status.AWAITING_REPLY,
                Status.AWAITING_SECOND_APPROVAL,
            },
        ),
        (Status.AWAITING_CASEWORKER, Actor.APPLICANT, set()),
        (Status.AWAITING_CASEWORKER, Actor.ROBOT, set()),
        (Status.AWAITING_CASEWORKER, Actor.SYSTEM, {Status.APPROVED}),
    ],
)
def test_next_statuses_lists_the_moves_open_to_an_actor(
    current: Status, actor: Actor, expected: set[Status]
) -> None:
    result = next_statuses(current, actor)
    assert set(result) == expected
    assert len(result) == len(set(result))


@pytest.mark.parametrize(("current", "actor"), list(itertools.product(Status, Actor)))
def test_next_statuses_agrees_with_check_transition(current: Status, actor: Actor) -> None:
    offered = set(next_statuses(current, actor))
    for target in Status:
        if target in offered:
            check_transition(current, target, actor)
        else:
            with pytest.raises(TransitionNotAllowed):
                check_transition(current, target, actor)


def test_an_applicant_can_no_longer_withdraw_once_the_robot_has_started() -> None:
    with pytest.raises(TransitionNotAllowed):
        check_transition(Status.PROCESSING, Status.WITHDRAWN, Actor.APPLICANT)
    with pytest.raises(TransitionNotAllowed):
        check_transition(Status.AWAITING_CASEWORKER, Status.WITHDRAWN, Actor.APPLICANT)


def test_the_refusal_message_names_actor_and_statuses() -> None:
    with pytest.raises(
        TransitionNotAllowed, match="robot may not move an application from draft to approved"
    ):
        check_transition(Status.DRAFT, Status.APPROVED, Actor.ROBOT)


A, R, C, S = Actor.APPLICANT, Actor.ROBOT, Actor.CASEWORKER, Actor.SYSTEM
ST = Status
# The table as the product owner reads it: a change to the life cycle must change this too.
EXPECTED_TABLE = {
    (ST.DRAFT, ST.SUBMITTED): {A, S},
    (ST.DRAFT, ST.WITHDRAWN): {A},
    (ST.SUBMITTED, ST.WITHDRAWN): {A},
    (ST.SUBMITTED, ST.PROCESSING): {R},
    (ST.SUBMITTED, ST.NEEDS_MANUAL): {S},
    (ST.PROCESSING, ST.AWAITING_CASEWORKER): {R},
    (ST.PROCESSING, ST.NEEDS_MANUAL): {R, S},
    (ST.NEEDS_MANUAL, ST.SUBMITTED): {C},
    (ST.NEEDS_MANUAL, ST.REJECTED): {C},
    (ST.AWAITING_CASEWORKER, ST.APPROVED): {C, S},
    (ST.AWAITING_CASEWORKER, ST.REJECTED): {C},
    (ST.AWAITING_CASEWORKER, ST.AWAITING_SUPPLEMENT): {C},
    (ST.AWAITING_SUPPLEMENT, ST.AWAITING_CASEWORKER): {A, C, S},
    (ST.AWAITING_SUPPLEMENT, ST.WITHDRAWN): {A},
    (ST.AWAITING_CASEWORKER, ST.AWAITING_REPLY): {C},
    (ST.AWAITING_REPLY, ST.AWAITING_CASEWORKER): {A, C, S},
    (ST.AWAITING_CASEWORKER, ST.AWAITING_SECOND_APPROVAL): {C},
    (ST.AWAITING_SECOND_APPROVAL, ST.APPROVED): {C},
    (ST.AWAITING_SECOND_APPROVAL, ST.REJECTED): {C},
    (ST.AWAITING_SECOND_APPROVAL, ST.AWAITING_CASEWORKER): {C},
}


def test_the_transition_table_is_exactly_the_agreed_life_cycle() -> None:
    assert {move: set(actors) for move, actors in TRANSITIONS.items()} == EXPECTED_TABLE


def test_only_a_caseworker_rejects_and_the_robot_never_decides() -> None:
    for (_frm, to), actors in TRANSITIONS.items():
        if to in DECIDED:
            assert R not in actors
        if to == ST.REJECTED:
            assert actors == {C}
