"""A municipality where nobody may own a case: submitting keeps the draft and tells the
applicant so, instead of an HTTP 500 (#17 leftover, found again in #18's runs)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from accounts.models import User
from intake.models import Application
from intake.states import Status
from tests.builders import client_for, with_check_digit

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


def test_registering_a_paper_application_for_someone_not_yet_born_is_refused_on_the_page(
    caseworker: User,
) -> None:
    """Found by tests/test_form_fuzz.py: a personnummer with a valid check digit and a birth
    date still to come gave an HTTP 500 (a negative age)."""
    future = "20" + with_check_digit("271224123")  # born 24 December 2027
    response = client_for(caseworker).post(
        reverse("assisted:register_start"), {"personnummer": future, "channel": "paper"}
    )
    assert response.status_code == 200
    assert "inte är född än" in response.content.decode()
    assert not User.objects.filter(personnummer=future).exists()
