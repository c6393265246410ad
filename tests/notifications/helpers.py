"""Helpers for the tests of what reaches the applicant: what was sent, that it holds no case
details, and a decision made directly (without the case page). The fixture that empties the
fake outboxes is `clean_outboxes` in tests/conftest.py."""

from __future__ import annotations

import re
from decimal import Decimal

from accounts.models import User
from intake.models import Application, Decision, DecisionOutcome
from intake.services import application_transition
from intake.states import Actor, Status
from notifications.models import Notification
from notifications.transports import (
    FakeEmailBackend,
    FakeLetterBackend,
    FakeSmsBackend,
    OutgoingMessage,
    fake_outboxes_clear,
)

PNR_PATTERN = re.compile(r"\b(19|20)?\d{6}[-+]?\d{4}\b")
AMOUNT_PATTERN = re.compile(r"\d[\d  ]*(,\d+)?\s*kr\b|\bkronor\b", re.IGNORECASE)
ADDRESS_PATTERN = re.compile(r"gatan|vägen|stigen|\b\d{3}\s?\d{2}\b", re.IGNORECASE)


def all_sent() -> list[OutgoingMessage]:
    return [*FakeSmsBackend.outbox, *FakeEmailBackend.outbox, *FakeLetterBackend.outbox]


def assert_no_case_details(texts: list[str], *, names: list[str]) -> None:
    for text in texts:
        assert not PNR_PATTERN.search(text), text
        assert not AMOUNT_PATTERN.search(text), text
        assert not ADDRESS_PATTERN.search(text), text
        for name in names:
            assert name not in text, text


def every_body() -> list[str]:
    return [n.body for n in Notification.objects.all()] + [
        f"{m.subject} {m.body}" for m in all_sent()
    ]


def decision_made_directly(
    application: Application, caseworker: User, amount: str = "4321"
) -> Decision:
    # Notices sent before the decision (the robot's meeting notice) are not what these tests
    # are about: start the outboxes empty.
    fake_outboxes_clear()
    application_transition(
        application=application,
        to=Status.APPROVED,
        actor_kind=Actor.CASEWORKER,
        actor=caseworker,
        reason="test",
    )
    return Decision.objects.create(
        application=application,
        outcome=DecisionOutcome.APPROVED,
        amount=Decimal(amount),
        reason="Beviljas",
        decided_by=caseworker,
    )
