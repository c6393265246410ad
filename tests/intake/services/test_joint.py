"""Joint applications: both adults sign with their own e-ID; the partner can decline."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.eid import EidIdentity
from accounts.models import User
from accounts.services import applicant_get_or_create
from intake import services
from intake.models import Application
from intake.services import MemberInput, SignatureState
from intake.states import Status
from notifications.models import Notification, NotificationKind
from tests.conftest import PNR_CARINA

# Reads today's date: also runs at every moment of the date matrix (tests/clock.py).
pytestmark = [pytest.mark.dates, pytest.mark.django_db]


@pytest.fixture
def carina(db: None) -> User:
    return applicant_get_or_create(identity=EidIdentity(PNR_CARINA, "Carina", "Dahl"))


@pytest.fixture
def joint(
    make_draft: Callable[..., Application], other_applicant: User, caseworker: User
) -> Application:
    draft = make_draft(other_applicant)
    services.application_set_household(
        application=draft,
        applicant_name="Bilal Berg",
        others=[MemberInput("partner", "Carina Dahl", PNR_CARINA)],
    )
    return draft


def test_the_applicants_signature_leaves_a_joint_application_waiting_for_the_partner(
    joint: Application, other_applicant: User, django_capture_on_commit_callbacks: Callable
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.application_submit(application=joint, applicant=other_applicant)
    joint.refresh_from_db()
    assert joint.status == Status.DRAFT
    # the robot is not handed anything; the partner is asked to sign, once per signing round
    # the partner is asked (and that notice sent); the robot is not handed anything
    assert [getattr(c, "func", c).__name__ for c in callbacks] == [
        "publish",
        "notification_dispatch",
    ]
    assert services.application_signature_state(joint) == SignatureState.AWAITING_PARTNER
    asked = Notification.objects.get(kind=NotificationKind.SIGNATURE_REQUESTED)
    assert asked.recipient.personnummer == PNR_CARINA
    # Neutral: neither the applicant's name nor what is applied for (a letter or SMS may be
    # read by someone else; found in the stranger run of #19).
    assert asked.body.startswith("Du har blivit ombedd att skriva under en ansökan som medsökande")
    assert "Bilal" not in asked.body and "bistånd" not in asked.body
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=joint, applicant=other_applicant)  # a reload
    assert Notification.objects.filter(kind=NotificationKind.SIGNATURE_REQUESTED).count() == 1


def test_the_partners_signature_submits_and_hands_over_to_the_robot(
    joint: Application,
    other_applicant: User,
    carina: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    services.application_submit(application=joint, applicant=other_applicant)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_partner_sign(application=joint, partner=carina)
    joint.refresh_from_db()
    assert joint.status == Status.SUBMITTED
    assert len(callbacks) == 1
    assert joint.signatures.filter(signed_at__isnull=False).count() == 2
    assert joint.events.get().actor == carina


def test_the_partner_cannot_sign_before_the_applicant(joint: Application, carina: User) -> None:
    with pytest.raises(services.ApplicationIncomplete):
        services.application_partner_sign(application=joint, partner=carina)


def test_someone_who_is_not_the_partner_cannot_sign(
    joint: Application, other_applicant: User, applicant: User
) -> None:
    services.application_submit(application=joint, applicant=other_applicant)
    with pytest.raises(services.ApplicationIncomplete):
        services.application_partner_sign(application=joint, partner=applicant)


def test_a_decline_tells_the_applicant_who_may_change_and_sign_again(
    client: Client, joint: Application, other_applicant: User, carina: User
) -> None:
    services.application_submit(application=joint, applicant=other_applicant)
    services.application_partner_decline(
        application=joint, partner=carina, note="Vi har flyttat isär"
    )
    assert services.application_signature_state(joint) == SignatureState.PARTNER_DECLINED
    client.force_login(other_applicant)
    page = client.get(reverse("intake:step_review", args=[joint.pk])).content.decode()
    assert "Din partner har inte skrivit under" in page and "Vi har flyttat isär" in page
    services.application_submit(application=joint, applicant=other_applicant)
    assert services.application_signature_state(joint) == SignatureState.AWAITING_PARTNER


def test_changing_the_answers_voids_the_signatures(
    joint: Application, other_applicant: User
) -> None:
    services.application_submit(application=joint, applicant=other_applicant)
    services.application_touch(application=joint)
    assert services.application_signature_state(joint) == SignatureState.UNSIGNED


def test_the_partner_sees_and_signs_through_their_own_pages(
    client: Client, joint: Application, other_applicant: User, carina: User
) -> None:
    services.application_submit(application=joint, applicant=other_applicant)
    client.force_login(carina)
    listing = client.get(reverse("intake:application_list")).content.decode()
    assert "väntar på din underskrift" in listing
    page = client.get(reverse("intake:partner_review", args=[joint.pk])).content.decode()
    assert "Skriv under ansökan" in page
    assert client.post(reverse("intake:partner_sign", args=[joint.pk]), {}).status_code == 400
    client.post(reverse("intake:partner_sign", args=[joint.pk]), {"declaration": "on"})
    joint.refresh_from_db()
    assert joint.status == Status.SUBMITTED


def test_others_cannot_open_the_partner_page(
    client: Client, joint: Application, applicant: User
) -> None:
    client.force_login(applicant)
    assert client.get(reverse("intake:partner_review", args=[joint.pk])).status_code == 404


def test_the_partner_sees_nothing_until_the_applicant_has_signed(
    client: Client, joint: Application, other_applicant: User, carina: User
) -> None:
    """A typo in a partner's personnummer showed a stranger the unsigned draft's name, costs,
    incomes and documents, and let them decline it (#14 item 3)."""
    client.force_login(carina)
    review = reverse("intake:partner_review", args=[joint.pk])
    assert client.get(review).status_code == 404
    assert client.post(reverse("intake:partner_decline", args=[joint.pk]), {}).status_code == 404
    assert "Bilal" not in client.get(reverse("intake:application_list")).content.decode()
    services.application_submit(application=joint, applicant=other_applicant)
    assert client.get(review).status_code == 200
    # The applicant changes an answer: the signatures are void, and so is the partner's view.
    services.application_touch(application=joint)
    assert client.get(review).status_code == 404


def test_both_see_one_clear_state_while_waiting_and_after_sending(
    client: Client,
    joint: Application,
    other_applicant: User,
    carina: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    """#17 item 6: after signing the applicant is told what the application waits for (not
    "not sent yet", "Utkast", "Skriv under igen"); the partner is told only what is true."""
    client.force_login(carina)
    services.application_submit(application=joint, applicant=other_applicant)
    services.application_partner_decline(application=joint, partner=carina, note="")
    services.application_touch(application=joint)  # the applicant changes an answer
    page = client.get(reverse("intake:application_list")).content.decode()
    assert "väntar på din underskrift" not in page  # the applicant has not signed this round
    client.force_login(other_applicant)
    services.application_submit(application=joint, applicant=other_applicant)
    mine = client.get(reverse("intake:application_list")).content.decode()
    assert "väntar på din partners underskrift" in mine and "inte skickad än" not in mine
    assert "Väntar på partnerns underskrift" in mine
    review = client.get(reverse("intake:step_review", args=[joint.pk])).content.decode()
    assert "Skriv under igen" not in review and "Du behöver inte göra något mer nu" in review
    client.force_login(carina)
    assert (
        "väntar på din underskrift"
        in client.get(reverse("intake:application_list")).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_partner_sign(application=joint, partner=carina)
    partner_page = client.get(reverse("intake:partner_review", args=[joint.pk])).content.decode()
    assert "Ni har båda skrivit under" in partner_page and 'id="application-status"' in partner_page
    assert "hx-get" not in partner_page.split('id="application-status"')[1].split(">")[0]


@pytest.mark.as_of("2026-11-18T10:00")  # the joint application's month is open
def test_the_partner_cannot_start_a_second_application_for_the_household(
    client: Client,
    joint: Application,
    other_applicant: User,
    carina: User,
    trelleborg: object,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    """Stranger run: Carina, already in Bilal's joint application, was told "Du har inga
    ansökningar ännu" and could start her own for the same month."""
    services.application_submit(application=joint, applicant=other_applicant)
    client.force_login(carina)
    page = client.get(reverse("intake:application_list")).content.decode()
    assert "Du har inga ansökningar ännu" not in page
    response = client.post(
        reverse("intake:application_start"),
        {"municipality": joint.municipality_id, "month": joint.month.strftime("%Y-%m")},
    )
    assert response.url == reverse("intake:partner_review", args=[joint.pk])
    assert Application.objects.count() == 1
    # the applicant's own link to the status page goes to what it waits for, not step 1
    client.force_login(other_applicant)
    response = client.get(reverse("intake:application_detail", args=[joint.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("intake:step_review", args=[joint.pk])
    with django_capture_on_commit_callbacks(execute=True):
        services.application_partner_sign(application=joint, partner=carina)
    client.force_login(carina)
    page = client.get(reverse("intake:partner_review", args=[joint.pk])).content.decode()
    assert 'id="timeline"' in page and "Ansökan mottagen" in page
