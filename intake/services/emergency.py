"""The applicant says the situation is acute (#7): no money for food today, an eviction notice,
a disconnection notice. On a draft it is remembered and acted on at submission; on a submitted
case the deadline becomes hours at once and the case side is handed the case after commit
(settings.EMERGENCY_HANDLER: the on-call caseworker and the eviction-prevention contact)."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from intake.models import Application
from intake.services.lifecycle import (
    ApplicationIncomplete,
    emergency_hand_over,
    emergency_updates,
)
from intake.states import TERMINAL, Status


@transaction.atomic
def application_emergency_declare(
    *,
    application: Application,
    by: User,
    no_food: bool,
    eviction_notice: bool,
    disconnection_notice: bool,
) -> Application:
    """Record what the applicant said. Saying it again adds to it; it is never taken back here
    (the caseworker judges the need)."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.applicant_id != by.pk:
        raise ApplicationIncomplete("Only the applicant can say the situation is acute.")
    if locked.status in TERMINAL:
        raise ApplicationIncomplete("The application is closed.")
    if not (no_food or eviction_notice or disconnection_notice):
        raise ApplicationIncomplete("Choose what the acute situation is.")
    locked.emergency_no_food = locked.emergency_no_food or no_food
    locked.emergency_eviction_notice = locked.emergency_eviction_notice or eviction_notice
    locked.emergency_disconnection_notice = (
        locked.emergency_disconnection_notice or disconnection_notice
    )
    fields = {
        "emergency_no_food": locked.emergency_no_food,
        "emergency_eviction_notice": locked.emergency_eviction_notice,
        "emergency_disconnection_notice": locked.emergency_disconnection_notice,
    }
    if locked.status != Status.DRAFT:
        # Submitted: counted from now (a draft's clock starts when it is submitted).
        fields.update(emergency_updates(locked, timezone.now()))
        transaction.on_commit(partial(emergency_hand_over, locked.pk), robust=True)
    Application.objects.filter(pk=locked.pk).update(**fields, updated_at=timezone.now())
    for name, value in fields.items():
        setattr(application, name, value)
    return application
