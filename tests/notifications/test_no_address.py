"""A person without a registered address who is not protected (#16 item 15): no letter "via
Skatteverket's forwarding" (that exists only for skyddade personuppgifter); the status page says
how to get the decision, and the case owner gets a task to reach them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import User
from caseworker.letters.delivery import no_address_task_text, notify_decision
from caseworker.models import JournalEntry
from caseworker.models.caseload import Reminder
from intake.models import Application
from notifications.delivery import notify_caseworker_message
from notifications.events import AddressQuery, PostalAddress, postal_address
from notifications.models import Notification, NotificationStatus
from notifications.sending import NO_POSTAL_ADDRESS, notifications_retry
from notifications.transports import FakeLetterBackend, fake_outboxes_clear
from tests.builders import client_for
from tests.notifications.helpers import decision_made_directly

pytestmark = [pytest.mark.dates, pytest.mark.usefixtures("clean_outboxes")]


def homeless_lookup(query: AddressQuery) -> PostalAddress:
    return PostalAddress(address="", protected=False)


def test_no_address_without_protection_sends_nothing_via_forwarding_and_gives_the_owner_a_task(
    submitted_application: Application,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    fake_outboxes_clear()
    application = submitted_application
    with (
        postal_address.overridden(homeless_lookup),
        django_capture_on_commit_callbacks(execute=True),
    ):
        [notice] = notify_caseworker_message(application)
        delivery = notify_decision(decision_made_directly(application, caseworker))
    assert FakeLetterBackend.outbox == []  # nothing posted, nothing "via Skatteverket"
    notice.refresh_from_db()
    assert notice.channel == "letter"
    assert (notice.status, notice.last_error) == (NotificationStatus.FAILED, NO_POSTAL_ADDRESS)
    delivery.refresh_from_db()
    assert delivery.letter_channel != "forwarding" and delivery.notification_date is None
    [task] = Reminder.objects.filter(application=application, done_at__isnull=True)
    assert task.owner == application.owner and task.text == no_address_task_text()
    assert JournalEntry.objects.filter(
        application=application, text__contains="ingen folkbokföringsadress"
    ).exists()
    # No retry will find an address the register does not have.
    with postal_address.overridden(homeless_lookup):
        assert notifications_retry() == 0
    assert not Notification.objects.filter(channel="forwarding").exists()


def test_the_status_page_tells_them_how_to_get_the_decision_and_the_case_page_shows_the_task(
    submitted_application: Application,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    application = submitted_application
    with (
        postal_address.overridden(homeless_lookup),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify_caseworker_message(application)
    status = client_for(application.applicant).get(f"/ansokan/{application.pk}/")
    html = status.content.decode()
    assert 'id="no-postal-address"' in html and "reception" in html
    assert "vidarebefordr" not in html.lower()
    case = client_for(caseworker).get(f"/handlaggare/arende/{application.pk}/")
    assert no_address_task_text() in case.content.decode()
