"""Typed events (kernel.events, ADR 0012): how a topic behaves, that a missing handler fails
loudly, and that the installed apps wire every handler the dependency rule moved behind a topic."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.checks import run_checks

from accounts import events as accounts_events
from caseworker.audit import log as access
from caseworker.caseload import emergency, ownership, referrals
from caseworker.decisions import automation, households, pauses, standing
from caseworker.decisions.events import decision_signed
from caseworker.letters import delivery
from caseworker.letters.tasks import letter_for_decision_queue
from caseworker.payments.services import payment_order_for_decision, payments_waiting_take_account
from caseworker.payments.services import status_timeline as payment_timeline
from config.startup import UnsafeConfiguration, refuse_unsafe_configuration
from eligibility import selectors as eligibility_selectors
from eligibility.robot import dispatch, population
from eligibility.robot.events import household_linked, proposal_ready, proposal_stored
from intake import events as intake
from kernel.events import ALL_TOPICS, NoSubscriber, Topic, topics_without_subscribers
from meetings import events as meetings
from meetings import selectors as meeting_selectors
from notifications import events as notifications
from notifications.delivery import partner_asked_to_sign
from notifications.status import status_timeline as notice_timeline


@pytest.fixture
def topic() -> Iterator[Topic[int, int]]:
    """A topic of the test's own, forgotten again afterwards (topics register themselves)."""
    made: Topic[int, int] = Topic("test.numbers")
    yield made
    ALL_TOPICS.remove(made)


def double(n: int) -> int:
    return 2 * n


def square(n: int) -> int:
    return n * n


def test_publish_calls_every_handler_in_subscription_order(topic: Topic[int, int]) -> None:
    topic.subscribe(double)
    topic.subscribe(square)
    assert topic.publish(3) == [6, 9]


def test_subscribing_the_same_handler_twice_is_one_subscription(topic: Topic[int, int]) -> None:
    topic.subscribe(double)
    topic.subscribe(double)
    assert topic.publish(5) == [10]


def test_a_required_topic_without_a_handler_refuses_to_publish(topic: Topic[int, int]) -> None:
    with pytest.raises(NoSubscriber, match=r"test\.numbers"):
        topic.publish(1)
    with pytest.raises(NoSubscriber, match=r"test\.numbers"):
        topic.ask(1)


def test_an_optional_topic_without_a_handler_publishes_to_nobody() -> None:
    optional: Topic[int, int] = Topic("test.optional", required=False)
    try:
        assert optional.publish(1) == []
        assert "test.optional" not in topics_without_subscribers()
    finally:
        ALL_TOPICS.remove(optional)


def test_a_single_topic_takes_one_answer_and_refuses_a_second() -> None:
    single: Topic[int, int] = Topic("test.single", single=True)
    try:
        single.subscribe(double)
        with pytest.raises(ValueError, match="takes one handler"):
            single.subscribe(square)
        assert single.ask(4) == 8
    finally:
        ALL_TOPICS.remove(single)


def test_overridden_replaces_the_handlers_and_puts_them_back(topic: Topic[int, int]) -> None:
    topic.subscribe(double)
    with topic.overridden(square):
        assert topic.publish(3) == [9]
    assert topic.handlers == (double,)


def test_the_system_check_names_a_required_topic_nobody_subscribes_to(
    topic: Topic[int, int],
) -> None:
    errors = [e for e in run_checks() if e.id == "kernel.E001"]
    assert [e.msg for e in errors] == ["Nothing subscribes to the required event test.numbers."]
    topic.subscribe(double)
    assert [e for e in run_checks() if e.id == "kernel.E001"] == []


def test_gunicorn_and_celery_refuse_to_start_while_a_required_topic_has_no_handler(
    topic: Topic[int, int],
) -> None:
    """They run no system checks, so config.startup asks the same question itself."""
    with pytest.raises(UnsafeConfiguration, match=r"nothing subscribes .*test\.numbers"):
        refuse_unsafe_configuration("worker")
    topic.subscribe(double)
    refuse_unsafe_configuration("worker")


def test_the_installed_apps_leave_no_required_topic_without_a_handler() -> None:
    assert topics_without_subscribers() == []


@pytest.mark.parametrize(
    ("topic_of_a_lower_app", "handlers"),
    [
        (intake.application_submitted, [dispatch.robot_dispatch]),
        (intake.registered_household, [population.registered_household]),
        (intake.registered_municipality, [population.registered_municipality]),
        (intake.registered_incomes, [population.registered_incomes]),
        (intake.document_received, [access.document_received_journal]),
        (intake.appeal_received, [access.appeal_received_journal]),
        (intake.partner_signature_requested, [partner_asked_to_sign]),
        (intake.owner_for_new_case, [ownership.owner_for_new_case]),
        (intake.emergency_submitted, [emergency.emergency_escalate]),
        (
            intake.status_page_context,
            [
                meeting_selectors.status_page_context,
                referrals.status_page_context,
                pauses.status_page_context,
                delivery.status_page_context,
            ],
        ),
        (
            intake.status_timeline,
            [
                notice_timeline,
                meeting_selectors.status_timeline,
                eligibility_selectors.status_timeline,
                pauses.status_timeline,
                payment_timeline,
            ],
        ),
        (intake.application_shown, [delivery.application_shown]),
        (intake.cases_shown, [access.cases_shown]),
        (notifications.postal_address, [population.postal_address]),
        (notifications.notices_sent, [delivery.deliveries_record_sent]),
        (notifications.notices_delivered, [delivery.deliveries_record_delivered]),
        (notifications.notices_undeliverable, [delivery.no_address_tasks]),
        (meetings.social_referral_planned, [referrals.referral_from_meeting_plan]),
        (proposal_stored, [standing.month_approve_if_unchanged]),
        (proposal_ready, [ownership.owner_after_robot, automation.case_ready]),
        (
            accounts_events.staff_access_narrowed,
            [ownership.owner_cases_hand_over, ownership.owner_reference_invalidate],
        ),
        (accounts_events.bank_account_given, [payments_waiting_take_account]),
        (household_linked, [households.household_linked_journal]),
        (
            decision_signed,
            [
                letter_for_decision_queue,
                payment_order_for_decision,
                delivery.decision_notice_queue,
            ],
        ),
    ],
    ids=lambda value: value.name if isinstance(value, Topic) else "",
)
def test_each_topic_reaches_the_handlers_the_higher_apps_subscribe(
    topic_of_a_lower_app: Topic[object, object], handlers: list[object]
) -> None:
    """What used to be a direct upward call is now a subscription: a handler missing here is a
    letter, a payment, a notice or a robot run that would silently never happen."""
    assert list(topic_of_a_lower_app.handlers) == handlers
