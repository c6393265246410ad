"""Fixtures for meeting tests: applications created directly (no robot), staff with hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from accounts.models import Municipality, User
from intake.models import Application, ApplicationKind
from intake.states import Status
from tests.builders import applicant_make, case_make


@pytest.fixture
def make_applicant(db: None) -> Callable[..., User]:
    return applicant_make


@pytest.fixture
def make_application(trelleborg: Municipality) -> Callable[..., Application]:
    """A new application made directly (no robot): still a draft, as the booking tests want."""

    def make(
        applicant: User | None = None,
        month: date = date(2026, 11, 1),
        owner: User | None = None,
        adults: int = 1,
        children: int = 0,
    ) -> Application:
        return case_make(
            trelleborg,
            owner,
            applicant=applicant,
            month=month,
            adults=adults,
            children=children,
            status=Status.DRAFT,
            kind=ApplicationKind.NEW,
        )

    return make
