"""Typed events: a lower app announces, higher apps subscribe in their `AppConfig.ready()`.

The dependency rule (ADR 0012, import-linter contracts in pyproject.toml) lets an app import only
the layers below it. Where something below must set off something above (an application signed
→ the robot; a proposal stored → an automated or standing decision; a decision signed → the
letter, the payment order, the notice), the lower app defines a `Topic` and publishes to it, and
the higher app subscribes a handler when Django starts:

    # intake/events.py (lower)
    application_submitted: Topic[int, None] = Topic("intake.application_submitted")

    # eligibility/apps.py (higher), in ready()
    application_submitted.subscribe(robot_hand_over)

A required topic with no subscriber fails loudly: publishing raises `NoSubscriber`, and the
system check `kernel.E001` reports it at start-up (`manage.py check`, gunicorn and Celery through
config.startup). A topic that may legitimately have no subscriber says `required=False`.

Handlers run synchronously, in subscription order, in the publisher's transaction; a handler that
must wait for the commit registers `transaction.on_commit` itself. `publish` returns the
handlers' results, so a topic can also ask a question (`Topic[Query, Answer]`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

P = TypeVar("P")
R = TypeVar("R")


class NoSubscriber(RuntimeError):
    """A required topic was published with no handler subscribed: an app is missing."""


class Topic(Generic[P, R]):
    def __init__(self, name: str, *, required: bool = True, single: bool = False) -> None:
        self.name = name
        self.required = required
        self.single = single  # exactly one handler answers (a provider)
        self._handlers: list[Callable[[P], R]] = []
        ALL_TOPICS.append(self)

    def subscribe(self, handler: Callable[[P], R]) -> Callable[[P], R]:
        """Add `handler` (idempotent: the same function twice is one subscription)."""
        if handler in self._handlers:
            return handler
        if self.single and self._handlers:
            raise ValueError(f"{self.name} takes one handler; {self._handlers[0]!r} has it")
        self._handlers.append(handler)
        return handler

    def unsubscribe(self, handler: Callable[[P], R]) -> None:
        if handler in self._handlers:
            self._handlers.remove(handler)

    @property
    def handlers(self) -> tuple[Callable[[P], R], ...]:
        return tuple(self._handlers)

    def publish(self, payload: P) -> list[R]:
        if not self._handlers and self.required:
            raise NoSubscriber(f"nothing subscribes to {self.name}: is its app installed?")
        return [handler(payload) for handler in list(self._handlers)]

    def ask(self, payload: P) -> R:
        """The one answer of a `single` topic."""
        if not self._handlers:
            raise NoSubscriber(f"nothing answers {self.name}: is its app installed?")
        return self._handlers[0](payload)

    @contextmanager
    def overridden(self, *handlers: Callable[[P], R]) -> Iterator[None]:
        """Only `handlers` answer while inside (tests: a fake register, a recording spy)."""
        saved = list(self._handlers)
        self._handlers[:] = list(handlers)
        try:
            yield
        finally:
            self._handlers[:] = saved

    def __repr__(self) -> str:
        return f"Topic({self.name!r}, {len(self._handlers)} handler(s))"


ALL_TOPICS: list[Topic[Any, Any]] = []  # every topic, for the system check


def topics_without_subscribers() -> list[str]:
    return sorted(t.name for t in ALL_TOPICS if t.required and not t.handlers)
