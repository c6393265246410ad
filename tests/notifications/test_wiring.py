"""The notices are sent by the app itself, not only when called by hand: the caseworker's
decision, the robot's meeting booking, a rescheduled meeting and a supplement request each tell
the applicant through their chosen channel, after the write commits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Municipality, Role, User
from caseworker.decisions.pauses import supplement_request
from caseworker.decisions.services import decision_draft_approve, decision_record, decision_submit
from caseworker.letters.delivery import DECISION_LETTER
from caseworker.models.letters import DecisionDelivery
from intake import services as intake
from intake.models import Application, Decision
from meetings.changes import meeting_free_slots, meeting_reschedule
from meetings.models import Meeting
from notifications.delivery import SOMETHING_NEW
from notifications.models import DeliveryChannel, Notification, NotificationKind
from notifications.transports import (
    FakeEmailBackend,
    FakeLetterBackend,
    FakeSmsBackend,
    fake_outboxes_clear,
)
from tests.builders import WEDNESDAY
from tests.notifications.helpers import all_sent, assert_no_case_details

# On the suite's working Wednesday morning, from before the first fixture runs.
pytestmark = pytest.mark.usefixtures("clean_outboxes", "frozen_wednesday")

TZ = ZoneInfo("Europe/Stockholm")
NAMES = ["Alva", "Andersson", "Sekreterare", "Handlaggare", "Testsson"]


def timezone_local(moment: datetime) -> datetime:
    return moment.astimezone(TZ)


def _choose(applicant: User, channel: str, *, phone: str = "", email: str = "") -> None:
    applicant.notification_channel, applicant.phone, applicant.email = channel, phone, email
    applicant.save()


def _decide(application: Application, caseworker: User, capture: Callable) -> Decision:
    """A caseworker's decision through the service, with the after-commit work run."""
    with capture(execute=True):
        decision = decision_record(
            track="work",
            application=application,
            caseworker=caseworker,
            outcome="approved",
            reason="Beviljas enligt norm.",
        )
        # Inside the transaction nothing has been sent or recorded yet.
        assert not DecisionDelivery.objects.exists()
        assert all_sent() == []
    return decision


# --- (1) the caseworker's decision ------------------------------------------------------------


def test_caseworker_decision_is_delivered_after_commit_through_the_chosen_email(
    submitted_application: Application,
    applicant: User,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    _choose(applicant, "email", email="alva@example.invalid")
    fake_outboxes_clear()  # the robot's meeting notice at submit went out by letter
    decision = _decide(submitted_application, caseworker, django_capture_on_commit_callbacks)
    delivery = DecisionDelivery.objects.get(decision=decision)
    assert delivery.channel == DeliveryChannel.EMAIL
    assert delivery.sent_at == WEDNESDAY
    assert delivery.notification is not None
    assert delivery.notification.kind == NotificationKind.DECISION
    assert delivery.letter is None and delivery.letter_queued_at is None
    [mail] = FakeEmailBackend.outbox
    assert mail.email == "alva@example.invalid"
    assert mail.body == SOMETHING_NEW
    assert FakeSmsBackend.outbox == [] and FakeLetterBackend.outbox == []
    assert_no_case_details([f"{mail.subject} {mail.body}"], names=NAMES)
    assert f"{decision.amount:.0f}" not in mail.body
    assert submitted_application.reference not in mail.body


def test_applicant_without_email_who_chose_letter_gets_the_decision_on_paper(
    submitted_application: Application,
    applicant: User,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    _choose(applicant, "letter")
    fake_outboxes_clear()
    decision = _decide(submitted_application, caseworker, django_capture_on_commit_callbacks)
    delivery = DecisionDelivery.objects.get(decision=decision)
    assert delivery.channel == DeliveryChannel.LETTER
    assert delivery.letter is not None
    assert delivery.letter.kind == NotificationKind.DECISION_LETTER
    assert delivery.letter_sent_at == WEDNESDAY
    assert delivery.notification_date is not None  # a posted decision arrives on a set day
    [letter] = FakeLetterBackend.outbox
    assert letter.enclosure == f"decision:{decision.pk}"  # the decision itself is in it
    assert letter.body == DECISION_LETTER
    assert letter.address == "Testgatan 1, 231 42 Trelleborg"  # looked up at send time
    assert FakeEmailBackend.outbox == [] and FakeSmsBackend.outbox == []


def test_decision_submit_sends_by_sms_and_only_once(
    submitted_application: Application,
    applicant: User,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    _choose(applicant, "sms", phone="0701234567")
    fake_outboxes_clear()
    with django_capture_on_commit_callbacks(execute=True):
        decision = decision_submit(
            track="work",
            application=submitted_application,
            caseworker=caseworker,
            outcome="rejected",
            reason="Inkomsten räcker till norm.",
        )
    assert isinstance(decision, Decision)
    delivery = DecisionDelivery.objects.get(decision=decision)
    assert delivery.channel == DeliveryChannel.SMS and delivery.sent_at == WEDNESDAY
    [sms] = FakeSmsBackend.outbox
    assert sms.phone == "0701234567" and sms.body == SOMETHING_NEW
    decided = Notification.objects.filter(
        kind__in=[NotificationKind.DECISION, NotificationKind.DECISION_LETTER]
    )
    assert decided.count() == 1


def test_a_decision_waiting_for_second_approval_notifies_only_when_approved(
    submitted_application: Application,
    applicant: User,
    caseworker: User,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    _choose(applicant, "email", email="alva@example.invalid")
    fake_outboxes_clear()
    # The calculation's amount is over the limit (the amount is the calculation's, #16 item 1).
    trelleborg.second_approval_limit = Decimal(1000)
    trelleborg.save(update_fields=["second_approval_limit"])
    submitted_application.municipality.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        decision_submit(
            track="work",
            application=submitted_application,
            caseworker=caseworker,
            outcome="approved",
            reason="Beviljas.",
        )
    assert not DecisionDelivery.objects.exists()  # a draft is no decision: nobody is told
    assert FakeEmailBackend.outbox == []
    colleague = make_staff("kollega", Role.CASEWORKER, trelleborg)
    submitted_application.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        decision = decision_draft_approve(application=submitted_application, by=colleague)
    assert DecisionDelivery.objects.get(decision=decision).channel == DeliveryChannel.EMAIL
    assert len(FakeEmailBackend.outbox) == 1


def test_a_rolled_back_decision_tells_nobody(
    submitted_application: Application,
    applicant: User,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    _choose(applicant, "email", email="alva@example.invalid")
    fake_outboxes_clear()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        decision_record(
            track="work",
            application=submitted_application,
            caseworker=caseworker,
            outcome="approved",
            reason="Beviljas.",
        )
        raise RuntimeError("something later in the same transaction failed")
    assert not Decision.objects.exists()
    assert not DecisionDelivery.objects.exists()
    assert all_sent() == []


def test_a_failing_sms_does_not_undo_the_decision(
    submitted_application: Application,
    applicant: User,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    _choose(applicant, "sms", phone="0701234567")
    fake_outboxes_clear()
    FakeSmsBackend.fail_next(1)
    decision = _decide(submitted_application, caseworker, django_capture_on_commit_callbacks)
    submitted_application.refresh_from_db()
    assert submitted_application.status == "approved"
    delivery = DecisionDelivery.objects.get(decision=decision)
    assert delivery.sent_at is None
    assert delivery.notification is not None and delivery.notification.status == "failed"


# --- (2) the robot's meeting booking ----------------------------------------------------------


def test_robot_booking_sends_the_meeting_time_and_no_case_details(
    make_draft: Callable[..., Application],
    applicant: User,
    caseworker: User,
    secretary: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    _choose(applicant, "email", email="alva@example.invalid")
    application = make_draft(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        intake.application_submit(application=application, applicant=applicant)
    application.refresh_from_db()
    meeting = Meeting.objects.get(application=application, cancelled_at__isnull=True)
    assert timezone_local(meeting.starts_at) == datetime(2026, 11, 19, 8, 0, tzinfo=TZ)
    [notice] = Notification.objects.filter(kind=NotificationKind.MEETING_BOOKED)
    assert notice.recipient == applicant and notice.status == "sent"
    [mail] = FakeEmailBackend.outbox
    assert "torsdag 19 november kl. 08.00" in mail.body
    assert mail.email == "alva@example.invalid"
    assert_no_case_details([f"{mail.subject} {mail.body}", notice.body], names=NAMES)
    assert application.reference not in mail.body
    assert "6000" not in mail.body  # the declared rent
    # Only the meeting was told: the robot's proposal is not a decision.
    assert Notification.objects.count() == 1


# --- (3) rescheduling -------------------------------------------------------------------------


def test_rescheduling_sends_a_changed_notice_with_the_new_time(
    submitted_application: Application,
    applicant: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    _choose(applicant, "sms", phone="0701234567")
    fake_outboxes_clear()
    meeting = Meeting.objects.get(application=submitted_application, cancelled_at__isnull=True)
    friday = next(
        slot
        for slot in meeting_free_slots(meeting=meeting, today=WEDNESDAY.date())
        if timezone_local(slot.starts_at).date() == date(2026, 11, 20)
    )
    assert timezone_local(friday.starts_at).time().isoformat() == "08:00:00"
    with django_capture_on_commit_callbacks(execute=True):
        moved = meeting_reschedule(meeting=meeting, choice=friday.key, today=WEDNESDAY.date())
        assert all_sent() == []  # not before commit
    [notice] = Notification.objects.filter(kind=NotificationKind.MEETING_CHANGED)
    assert notice.application_id == moved.application_id and notice.status == "sent"
    [sms] = FakeSmsBackend.outbox
    assert sms.phone == "0701234567"
    assert sms.body.startswith("Ditt möte har ändrats")
    assert "fredag 20 november kl. 08.00" in sms.body
    assert_no_case_details([sms.body], names=NAMES)


def test_a_reschedule_that_fails_sends_nothing(
    submitted_application: Application,
    applicant: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    _choose(applicant, "sms", phone="0701234567")
    fake_outboxes_clear()
    meeting = Meeting.objects.get(application=submitted_application, cancelled_at__isnull=True)
    saturday = datetime(2026, 11, 21, 9, tzinfo=TZ).isoformat()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        meeting_reschedule(
            meeting=meeting, choice=f"{meeting.secretary_id}|{saturday}", today=WEDNESDAY.date()
        )
    assert not Notification.objects.filter(kind=NotificationKind.MEETING_CHANGED).exists()
    assert FakeSmsBackend.outbox == []


# --- (4) a supplement request -----------------------------------------------------------------


def test_supplement_request_notifies_without_saying_what_is_asked(
    submitted_application: Application,
    applicant: User,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    _choose(applicant, "sms", phone="0701234567")
    fake_outboxes_clear()
    with django_capture_on_commit_callbacks(execute=True):
        supplement_request(
            application=submitted_application,
            by=caseworker,
            what="Kontoutdrag från Swedbank för oktober.",
            deadline=WEDNESDAY.date() + timedelta(days=7),
        )
        assert all_sent() == []  # not before commit
    [notice] = Notification.objects.filter(kind=NotificationKind.SUPPLEMENT)
    assert notice.recipient == applicant and notice.status == "sent"
    [sms] = FakeSmsBackend.outbox
    assert sms.phone == "0701234567" and sms.body == SOMETHING_NEW
    assert "Kontoutdrag" not in sms.body and "Swedbank" not in sms.body
    assert FakeEmailBackend.outbox == [] and FakeLetterBackend.outbox == []
