from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from accounts import events
from accounts.eid import EidIdentity
from accounts.models import CASE_HANDLING_ROLES, Role, User


@transaction.atomic
def applicant_get_or_create(*, identity: EidIdentity) -> User:
    """The person is identified by the personnummer the e-ID provider asserted, never a form."""
    user, created = User.objects.get_or_create(
        personnummer=identity.personnummer,
        defaults={
            "username": f"eid-{identity.personnummer}",
            "role": Role.APPLICANT,
            "first_name": identity.given_name,
            "last_name": identity.family_name,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif identity.given_name and not user.first_name:
        user.first_name, user.last_name = identity.given_name, identity.family_name
        user.save(update_fields=["first_name", "last_name"])
    return user


def _access_narrowed(before: Mapping[str, object], user: User) -> bool:
    if before["role"] not in CASE_HANDLING_ROLES:
        return False
    return (
        (bool(before["is_active"]) and not user.is_active)
        or user.role != before["role"]
        or user.municipality_id != before["municipality_id"]
        or (bool(before["may_handle_protected"]) and not user.may_handle_protected)
    )


@transaction.atomic
def staff_user_save(*, user: User, by: User | None = None) -> User:
    """Save a staff account (the admin's form, the deactivate action). When it loses access to
    cases, `events.staff_access_narrowed` is published in the same transaction, so its open
    cases get an owner who may own them before anything commits (#16 item 8)."""
    before = (
        User.objects.select_for_update()
        .filter(pk=user.pk)
        .values("role", "is_active", "municipality_id", "may_handle_protected")
        .first()
        if user.pk
        else None
    )
    user.save()
    if before is not None and _access_narrowed(before, user):
        events.staff_access_narrowed.publish(events.StaffAccessNarrowed(user=user, by=by))
    return user


@transaction.atomic
def staff_user_deactivate(*, user: User, by: User | None = None) -> User:
    """Deactivate a staff account; its open cases are handed on in the same transaction."""
    user.is_active = False
    return staff_user_save(user=user, by=by)
