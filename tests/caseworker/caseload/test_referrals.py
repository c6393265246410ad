"""Hand-overs between the work track and social services (#7): acknowledgement, escalation to
both team leads, the closing rule, and what the applicant sees."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Municipality, Role, User
from caseworker.caseload.referrals import (
    ReferralOpen,
    ReferralRefused,
    case_contact,
    referral_acknowledge,
    referral_close,
    referral_close_guard,
    referral_create,
    referrals_escalate,
    referrals_open_for,
)
from caseworker.caseload.referrals import status_page_context as referrals_status_page_context
from caseworker.models import AccessAction, AccessLog
from caseworker.models.caseload import AlertKind, OwnershipSettings, Referral, StaffAlert
from intake.models import Application, Decision
from meetings.changes import meeting_record
from meetings.models import Attendance, Meeting, Outcome
from tests.builders import WEDNESDAY, case_make, client_for
from tests.conftest import PASSWORD

# On the suite's working Wednesday morning, from before the first fixture runs.
pytestmark = pytest.mark.usefixtures("frozen_wednesday")

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def leads(make_staff: Callable[..., User], trelleborg: Municipality) -> tuple[User, User]:
    work = make_staff("arbetsledare", Role.TEAM_LEAD, trelleborg)
    social = make_staff("socialledare", Role.TEAM_LEAD, trelleborg)
    OwnershipSettings.objects.create(
        municipality=trelleborg, work_team_lead=work, social_team_lead=social
    )
    return work, social


@pytest.fixture
def case(trelleborg: Municipality, caseworker: User) -> Application:
    return case_make(trelleborg, caseworker)


def refer(
    case: Application, secretary: User, caseworker: User, urgency: str = "normal"
) -> Referral:
    return referral_create(
        application=case,
        from_owner=secretary,
        to_owner=caseworker,
        direction="work_to_social",
        urgency=urgency,
        reason="Hälsan gör det svårt att arbeta.",
    )


def test_a_referral_names_both_owners_and_a_deadline_by_urgency(
    case: Application, secretary: User, caseworker: User
) -> None:
    normal = refer(case, secretary, caseworker)
    urgent = refer(case, secretary, caseworker, urgency="urgent")
    assert normal.acknowledge_by == WEDNESDAY + timedelta(hours=24)
    assert urgent.acknowledge_by == WEDNESDAY + timedelta(hours=4)
    assert case.journal.filter(text__contains="Överlämning").count() == 2


def test_a_referral_goes_to_someone_on_the_receiving_side(
    case: Application, secretary: User, caseworker: User
) -> None:
    with pytest.raises(ReferralRefused):
        referral_create(
            application=case,
            from_owner=caseworker,
            to_owner=secretary,
            direction="work_to_social",  # a secretary is not social services
            reason="x",
        )


def test_only_the_receiver_or_a_team_lead_acknowledges(
    case: Application, secretary: User, caseworker: User, leads: tuple[User, User]
) -> None:
    referral = refer(case, secretary, caseworker)
    with pytest.raises(ReferralRefused):
        referral_acknowledge(referral=referral, by=secretary)
    referral = referral_acknowledge(referral=referral, by=caseworker)
    assert referral.acknowledged_by == caseworker and referral.acknowledged_at == WEDNESDAY


def test_unacknowledged_referrals_escalate_to_both_team_leads_once(
    case: Application,
    secretary: User,
    caseworker: User,
    leads: tuple[User, User],
    frozen_wednesday: time_machine.Traveller,
) -> None:
    referral = refer(case, secretary, caseworker)
    assert referrals_escalate() == []  # not yet due
    frozen_wednesday.shift(timedelta(hours=25))
    assert referrals_escalate() == [referral.pk]
    alerts = StaffAlert.objects.filter(kind=AlertKind.REFERRAL_UNACKNOWLEDGED)
    assert {a.recipient for a in alerts} == set(leads)
    assert referrals_escalate() == []  # safe twice
    assert alerts.count() == 2
    referral_acknowledge(referral=referral, by=caseworker)
    assert not StaffAlert.objects.filter(resolved_at__isnull=True).exists()


def test_a_case_cannot_close_while_a_referral_is_open(
    case: Application, secretary: User, caseworker: User
) -> None:
    referral_close_guard(case)  # nothing open
    referral = refer(case, secretary, caseworker)
    with pytest.raises(ReferralOpen):
        referral_close_guard(case)
    with pytest.raises(ReferralRefused):
        referral_close(referral=referral, by=caseworker)  # must be acknowledged first
    referral_acknowledge(referral=referral, by=caseworker)
    with pytest.raises(ReferralOpen):
        referral_close_guard(case)
    referral_close(referral=referral, by=caseworker, note="Bokat samtal.")
    assert not referrals_open_for(case).exists()
    referral_close_guard(case)


def test_a_case_closed_anyway_with_an_open_referral_alerts_the_team_leads(
    case: Application, secretary: User, caseworker: User, leads: tuple[User, User]
) -> None:
    refer(case, secretary, caseworker)
    Application.objects.filter(pk=case.pk).update(status="withdrawn")
    referrals_escalate()
    assert StaffAlert.objects.filter(kind=AlertKind.CLOSED_WITH_OPEN_REFERRAL).count() == 2


def test_the_applicant_sees_who_has_the_case_and_by_when_they_are_contacted(
    case: Application, secretary: User, caseworker: User
) -> None:
    Application.objects.filter(pk=case.pk).update(decision_due_at=WEDNESDAY + timedelta(days=1))
    case.refresh_from_db()
    contact = case_contact(case)
    assert contact is not None and contact.name == caseworker.display_name()
    assert contact.contact_by == WEDNESDAY + timedelta(days=1)
    refer(case, secretary, caseworker, urgency="urgent")
    context = referrals_status_page_context(case)  # what intake's status page asks
    html = render_to_string("intake/_case_contact.html", context)
    assert caseworker.display_name() in html and "socialtjänsten" in html
    assert "18 november 2026 kl. 14:00" in html


def test_the_receiver_acknowledges_and_closes_on_the_referral_page(
    case: Application, secretary: User, caseworker: User, client: Client
) -> None:
    referral = refer(case, secretary, caseworker)
    client.login(username=caseworker.username, password=PASSWORD)
    page = client.get("/handlaggare/overlamningar/")
    assert page.status_code == 200 and case.reference in page.content.decode()
    client.post(f"/handlaggare/overlamning/{referral.pk}/kvittera/")
    client.post(f"/handlaggare/overlamning/{referral.pk}/avsluta/", {"note": "Klart"})
    referral.refresh_from_db()
    assert referral.acknowledged_by == caseworker and referral.closed_by == caseworker


def test_other_staff_cannot_act_on_a_referral(
    case: Application,
    secretary: User,
    caseworker: User,
    make_staff: Callable[..., User],
    svedala: Municipality,
    client: Client,
) -> None:
    referral = refer(case, secretary, caseworker)
    stranger = make_staff("annan", Role.CASEWORKER, svedala)
    client.login(username=stranger.username, password=PASSWORD)
    assert client.post(f"/handlaggare/overlamning/{referral.pk}/kvittera/").status_code == 404
    referral.refresh_from_db()
    assert referral.acknowledged_at is None


def test_a_decision_is_refused_while_a_referral_is_open(
    case: Application, secretary: User, caseworker: User
) -> None:
    from caseworker.decisions.services import DecisionInvalid, decision_record

    refer(case, secretary, caseworker)
    with pytest.raises(DecisionInvalid):
        decision_record(
            track="work",
            application=case,
            caseworker=caseworker,
            outcome="approved",
            reason="Beviljas.",
            amount=case.proposals.first().amount if case.proposals.exists() else 1000,
        )
    case.refresh_from_db()
    assert not case.is_decided


# --- a meeting's plan "Hänvisning till socialtjänsten" (#16 item 11) ---------------------------


def plan_social_referral(meeting: Meeting, note: str = "Behöver stöd kring boendet.") -> Meeting:
    return meeting_record(
        meeting=meeting,
        attendance=Attendance.ATTENDED,
        outcome=Outcome.SOCIAL_REFERRAL,
        note=note,
        by=meeting.secretary,
    )


def test_a_meetings_plan_to_refer_to_social_services_hands_the_household_over(
    submitted_application: Application,
    caseworker: User,
    leads: tuple[User, User],
    frozen_wednesday: time_machine.Traveller,
) -> None:
    meeting = submitted_application.meetings.get()
    frozen_wednesday.move_to(meeting.ends_at)
    recorded_at = timezone.now()

    plan_social_referral(meeting)
    plan_social_referral(meeting, note="Sparat igen.")  # saved twice: still one hand-over

    referral = Referral.objects.get(application=submitted_application)
    assert referral.direction == "work_to_social"
    assert (referral.from_owner, referral.to_owner) == (meeting.secretary, caseworker)
    assert referral.acknowledge_by == recorded_at + timedelta(hours=24)
    assert "hänvisning till socialtjänsten" in referral.reason
    assert "Behöver stöd kring boendet." in referral.reason
    assert submitted_application.journal.filter(text__contains="Överlämning").count() == 1
    # Not acknowledged in time: both team leads are alerted, as for any referral.
    assert referrals_escalate(now=referral.acknowledge_by + timedelta(minutes=1)) == [referral.pk]
    assert {a.recipient for a in StaffAlert.objects.filter(referral=referral)} == set(leads)


def test_a_plan_made_after_the_decision_still_hands_the_household_over(
    approved: Decision,
    caseworker: User,
    leads: tuple[User, User],
    frozen_wednesday: time_machine.Traveller,
) -> None:
    meeting = approved.application.meetings.get()
    frozen_wednesday.move_to(meeting.ends_at)

    plan_social_referral(meeting)

    referral = Referral.objects.get(application=approved.application)
    assert referral.to_owner == caseworker
    # The case closed before the referral was made: that is no "closed with an open referral".
    referrals_escalate(now=timezone.now())
    assert not StaffAlert.objects.filter(kind=AlertKind.CLOSED_WITH_OPEN_REFERRAL).exists()


def test_a_plan_nobody_in_social_services_can_take_is_not_lost(
    submitted_application: Application, frozen_wednesday: time_machine.Traveller
) -> None:
    meeting = submitted_application.meetings.get()
    frozen_wednesday.move_to(meeting.ends_at)
    User.objects.filter(role__in=[Role.CASEWORKER, Role.TEAM_LEAD]).update(is_active=False)

    plan_social_referral(meeting)

    assert not Referral.objects.exists()
    assert StaffAlert.objects.filter(
        application=submitted_application, text__contains="kunde inte lämnas över"
    ).exists()
    assert submitted_application.journal.filter(text__contains="kunde inte lämnas över").exists()


def test_the_pages_that_list_referrals_log_the_cases_they_show(
    case: Application, secretary: User, caseworker: User, leads: tuple[User, User]
) -> None:
    """A referral's reason is the household's data: the referral list and the dashboard write
    an access-log row per case they show (#16 item 13)."""
    refer(case, secretary, caseworker)
    work_lead, _social_lead = leads

    for user, name in (
        (secretary, "caseworker:referral_list"),
        (caseworker, "caseworker:referral_list"),
        (work_lead, "caseworker:dashboard"),
    ):
        page = client_for(user).get(reverse(name))
        assert "Hälsan gör det svårt att arbeta." in page.content.decode()
        assert (
            AccessLog.objects.filter(
                user=user, application=case, action=AccessAction.VIEW_PARTIAL, detail=name
            ).count()
            == 1
        )


def test_the_sender_sees_whom_the_referral_waits_for_not_a_button_that_is_refused(
    case: Application, secretary: User, caseworker: User, client: Client
) -> None:
    """#18: "Kvittera" was shown to the sender of a hand-off and then refused."""
    referral = refer(case, secretary, caseworker)
    acknowledge = f'action="/handlaggare/overlamning/{referral.pk}/kvittera/"'
    client.login(username=secretary.username, password=PASSWORD)
    sender = client.get("/handlaggare/overlamningar/").content.decode()
    assert acknowledge not in sender
    assert f"Väntar på att {caseworker.display_name()} kvitterar." in sender
    client.login(username=caseworker.username, password=PASSWORD)
    receiver = client.get("/handlaggare/overlamningar/").content.decode()
    assert acknowledge in receiver
    # The receiver opens the case from the list (#18 stranger run: plain text).
    assert f'href="/handlaggare/arende/{case.pk}/">{case.reference}</a>' in receiver
