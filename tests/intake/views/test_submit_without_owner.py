"""A municipality where nobody may own a case: submitting keeps the draft and tells the
applicant so, instead of an HTTP 500 (#17 leftover, found again in #18's runs)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from accounts.models import User
from intake.models import Application
from intake.states import Status
from tests.builders import client_for

pytestmark = pytest.mark.as_of("2026-11-18T10:00")


def test_submitting_where_nobody_can_own_the_case_keeps_the_draft_and_says_so(
    make_draft: Callable[..., Application], applicant: User, robot_calls: list[int]
) -> None:
    draft = make_draft(applicant)  # no caseworker or team lead in the municipality
    response = client_for(applicant).post(
        reverse("intake:step_review", args=[draft.pk]), {"declaration": "on"}
    )
    assert response.status_code == 503
    assert "Ansökan kunde inte skickas just nu" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and robot_calls == []
