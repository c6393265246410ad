"""The door's frame: how object access is marked and the role predicates it is built from.

Object access to case data is decided in one place, `intake.access` (applications, attachments,
letters, payments) with `meetings.selectors` for meetings; this module is below both, so it
holds what they share:

- `door`: marks a function as a door. A view that shows or changes case data must pass through
  one; tests/security/test_door.py requests every object URL and fails if a view reached data
  without passing a door (`doors_recorded`).
- the `rules` predicates about the person (role, municipality, protected identities), combined
  with object predicates in `intake.access` into the permissions checked with
  `user.has_perm("intake.view_application", application)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import rules
from django.http import Http404

from accounts.mandates import principals_of
from accounts.models import CASE_HANDLING_ROLES, Mandate, Role, User

P = ParamSpec("P")
R = TypeVar("R")

_passed: ContextVar[list[str] | None] = ContextVar("access_doors_passed", default=None)


def door(function: Callable[P, R]) -> Callable[P, R]:
    """Mark `function` as an access decision (records the passage while a test listens)."""

    @wraps(function)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        passed = _passed.get()
        if passed is not None:
            passed.append(f"{function.__module__}.{function.__qualname__}")
        return function(*args, **kwargs)

    return wrapped


@contextmanager
def doors_recorded() -> Iterator[list[str]]:
    """Collect the doors passed inside the block (tests)."""
    passed: list[str] = []
    token = _passed.set(passed)
    try:
        yield passed
    finally:
        _passed.reset(token)


# --- predicates about the person ------------------------------------------------------------


@rules.predicate  # type: ignore[untyped-decorator]  # rules ships py.typed, no annotations
def is_active_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


@rules.predicate  # type: ignore[untyped-decorator]  # rules ships py.typed, no annotations
def is_applicant(user: Any) -> bool:
    return getattr(user, "role", None) == Role.APPLICANT


@rules.predicate  # type: ignore[untyped-decorator]  # rules ships py.typed, no annotations
def handles_cases(user: Any) -> bool:
    return getattr(user, "role", None) in CASE_HANDLING_ROLES and bool(user.municipality_id)


@rules.predicate  # type: ignore[untyped-decorator]  # rules ships py.typed, no annotations
def may_handle_protected(user: Any) -> bool:
    return bool(getattr(user, "may_handle_protected", False))


# --- mandates (registered by staff) ---------------------------------------------------------


@door
def access_mandate_in_municipality(user: User, pk: int) -> Mandate:
    """A mandate registered in the staff member's municipality; 404 for anyone else's."""
    if not is_active_user(user) or not handles_cases(user) or user.municipality_id is None:
        raise Http404
    mandate = Mandate.objects.filter(
        pk=pk, registered_by__municipality_id=user.municipality_id
    ).first()
    if mandate is None:
        raise Http404
    return mandate


@door
def access_own_mandate(user: User, pk: int) -> Mandate | None:
    """An active mandate the representative holds (None if not theirs or not active)."""
    if not is_active_user(user) or not is_applicant(user):
        return None
    return principals_of(representative=user).filter(pk=pk).first()
