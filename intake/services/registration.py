"""Nobody is pushed to paper, and paper still works (#5).

- Assisted: staff start the application with an applicant who is present and fill in the same
  pages together; the applicant signs it by logging in with their own e-ID (on the staff
  device or their phone) and submitting it on the ordinary review page. The application records
  `channel="assisted"` and `assisted_by`.
- Paper: staff register a signed paper application into the same flow (same services), record
  the signed document (registration number, received date) and submit it on the applicant's
  behalf. The state table lets only APPLICANT or SYSTEM submit a draft; a paper submission is
  SYSTEM with the staff member in the event's `actor` and the paper in the reason (see
  docs/adr/0005-e-id-notices-delivery-representatives.md).
"""

from __future__ import annotations

from datetime import date
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.eid import EidIdentity
from accounts.identity import age_on, normalise_personnummer
from accounts.models import User
from accounts.services import applicant_get_or_create
from intake.models import Application, ApplicationChannel
from intake.services.drafts import application_start
from intake.services.lifecycle import application_transition, hand_over_to_robot, owner_choose
from intake.states import Actor, Status


class AssistedRefused(Exception):
    pass


@transaction.atomic
def application_register_start(*, staff: User, personnummer: str, channel: str) -> Application:
    """Start (or resume) the person's application for this month, as assisted or paper."""
    if channel not in (ApplicationChannel.ASSISTED, ApplicationChannel.PAPER):
        raise AssistedRefused("Staff register assisted or paper applications only.")
    if not staff.handles_cases or staff.municipality is None:
        raise AssistedRefused("Only caseworkers register applications.")
    personnummer = normalise_personnummer(personnummer)
    if age_on(personnummer, timezone.localdate().replace(day=1)) < 0:
        # A valid check digit on a birth date still to come (a typo in the year): no account
        # is made for a person who does not exist (found by tests/test_form_fuzz.py: HTTP 500).
        raise AssistedRefused(
            gettext("Personnumret gäller någon som inte är född än. Kontrollera siffrorna.")
        )
    applicant = applicant_get_or_create(identity=EidIdentity(personnummer=personnummer))
    application = application_start(
        applicant=applicant,
        municipality=staff.municipality,
        month=timezone.localdate(),
        any_municipality=False,  # staff see their own municipality's applications only
    )
    if application.status == Status.DRAFT:
        Application.objects.filter(pk=application.pk).update(
            channel=channel, assisted_by=staff, updated_at=timezone.now()
        )
        application.channel, application.assisted_by = channel, staff
    return application


@transaction.atomic
def application_paper_register(
    *, application: Application, staff: User, document_reference: str, received_on: date
) -> Application:
    """Record the signed paper application (the paper is the signature)."""
    if application.status != Status.DRAFT:
        raise AssistedRefused("Only a draft can be registered.")
    if not document_reference.strip():
        raise AssistedRefused("The signed paper needs its registration number.")
    if received_on > timezone.localdate():
        raise AssistedRefused("The paper cannot have arrived in the future.")
    Application.objects.filter(pk=application.pk).update(
        channel=ApplicationChannel.PAPER,
        assisted_by=staff,
        paper_document_reference=document_reference.strip(),
        paper_received_on=received_on,
        updated_at=timezone.now(),
    )
    application.refresh_from_db()
    return application


@transaction.atomic
def application_submit_on_behalf(
    *, application: Application, staff: User, channel: str, note: str = ""
) -> Application:
    """Submit a registered paper application for the applicant.

    An assisted application is not submitted here: the applicant signs it with their own e-ID.
    """
    if channel != ApplicationChannel.PAPER:
        raise AssistedRefused("An assisted application is signed by the applicant with e-ID.")
    if application.municipality_id != staff.municipality_id or not staff.handles_cases:
        raise AssistedRefused("Only the municipality's caseworkers register its applications.")
    if not application.paper_document_reference or application.paper_received_on is None:
        raise AssistedRefused("Register the signed paper first.")
    now = timezone.now()
    reason = (
        f"Pappersansökan registrerad av {staff.display_name()}: undertecknad ansökan "
        f"{application.paper_document_reference} inkom {application.paper_received_on:%Y-%m-%d}"
    )
    if note.strip():
        reason += f". {note.strip()}"
    application = application_transition(
        application=application,
        to=Status.SUBMITTED,
        actor_kind=Actor.SYSTEM,
        actor=staff,
        reason=reason,
        updates={
            "declaration_accepted_at": now,
            "submitted_at": now,
            "robot_requested_at": now,
            "owner": owner_choose(municipality=application.municipality, application=application),
        },
    )
    transaction.on_commit(partial(hand_over_to_robot, application.pk), robust=True)
    return application
