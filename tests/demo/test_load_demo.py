"""`make run` loads the demo data with `load_demo`: it must keep working as the decision rules
grow (a stranger's `make run` failed when an approval on unseen register income became a
partial refusal needing kommunicering, and no test ran the command)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from intake.models import Application, Decision

# Committed for real, as `make run` does: the robot runs right after each submit commits.
pytestmark = [pytest.mark.usefixtures("frozen_wednesday"), pytest.mark.django_db(transaction=True)]


def test_the_demo_loads_with_a_decided_case_a_waiting_case_and_a_draft() -> None:
    call_command("load_demo", stdout=io.StringIO())

    statuses = sorted(Application.objects.values_list("status", flat=True))
    assert Decision.objects.count() >= 1
    assert "draft" in statuses
    assert any(status in ("approved", "rejected") for status in statuses)
