"""The whole journey on PostgreSQL and Redis with a real Celery worker process."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from eligibility.models import Proposal, RegisterSnapshot
from intake.models import Application, Decision
from kernel.working_days import is_working_day
from meetings.models import Meeting
from tests.conftest import PASSWORD, PNR_ALVA

from .conftest import wait_until

pytestmark = [pytest.mark.services, pytest.mark.timeout(180)]


def test_journey_on_postgres_redis_and_a_real_worker(
    celery_worker_process, trelleborg, make_staff
) -> None:
    caseworker = make_staff("handlaggare", Role.CASEWORKER, trelleborg)
    secretary = make_staff("sekreterare", Role.SECRETARY, trelleborg)

    applicant = Client()
    response = applicant.post("/e-legitimation/", {"personnummer": PNR_ALVA})
    assert response.status_code == 302
    applicant.post("/ansokan/ny/", {"municipality": trelleborg.pk})
    application = Application.objects.get()
    pk = application.pk
    assert (
        applicant.post(
            f"/ansokan/{pk}/hushall/",
            {
                "applicant_name": "Alva Andersson",
                "children-TOTAL_FORMS": "0",
                "children-INITIAL_FORMS": "0",
            },
        ).status_code
        == 302
    )
    assert (
        applicant.post(f"/ansokan/{pk}/boende/", {"rent": "6500", "electricity": "300"}).status_code
        == 302
    )
    assert applicant.post(f"/ansokan/{pk}/inkomster/", {}).status_code == 302
    assert applicant.post(f"/ansokan/{pk}/tillgangar/", {}).status_code == 302
    response = applicant.post(f"/ansokan/{pk}/granska/", {"declaration": "on"})
    assert response.status_code == 302

    # The worker, a separate process, picks the task from Redis and finishes the robot's work.
    assert wait_until(
        lambda: Application.objects.get(pk=pk).status == "awaiting_caseworker", timeout=60
    ), Application.objects.get(pk=pk).status
    assert Proposal.objects.filter(application_id=pk).count() == 1
    assert RegisterSnapshot.objects.filter(application_id=pk).count() == len(
        settings.REGISTER_BACKENDS
    )
    flags = Proposal.objects.get(application_id=pk).flags
    meeting = Meeting.objects.filter(
        application_id=pk, track="work", cancelled_at__isnull=True
    ).first()
    assert meeting is not None, f"no work-track meeting; proposal flags: {flags}"
    local_start = timezone.localtime(meeting.starts_at)
    assert is_working_day(local_start.date())
    assert local_start.date() > timezone.localdate()
    assert meeting.secretary == secretary

    page = applicant.get(f"/ansokan/{pk}/").content.decode()
    assert "Väntar på handläggare" in page
    assert "Ditt möte om arbete" in page

    staff = Client()
    assert (
        staff.post(
            "/personal/logga-in/", {"username": caseworker.username, "password": PASSWORD}
        ).status_code
        == 302
    )
    queue = staff.get("/handlaggare/?status=awaiting_caseworker").content.decode()
    assert application.reference in queue
    case = staff.get(f"/handlaggare/arende/{pk}/").content.decode()
    proposal = Proposal.objects.get(application_id=pk)
    amount = re.search(r'id="proposal-amount">([\d\s]+?)\s*kr', case)
    assert amount is not None
    response = staff.post(
        f"/handlaggare/arende/{pk}/",
        {
            "track": "work",
            "outcome": "approved",
            "amount": str(int(proposal.amount)),
            "reason": "Beviljas enligt norm.",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get(application_id=pk)
    assert decision.decided_by == caseworker
    assert decision.amount == proposal.amount

    page = applicant.get(f"/ansokan/{pk}/").content.decode()
    assert "Beviljat" in page

    secretary_client = Client()
    secretary_client.post(
        "/personal/logga-in/", {"username": secretary.username, "password": PASSWORD}
    )
    day = secretary_client.get(f"/moten/?dag={local_start.date().isoformat()}").content.decode()
    assert application.reference in day
    assert secretary_client.get("/handlaggare/").status_code == 403
    assert timezone.now() - decision.decided_at < timedelta(minutes=5)
