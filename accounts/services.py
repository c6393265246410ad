from __future__ import annotations

from django.db import transaction

from accounts.eid import EidIdentity
from accounts.models import Role, User


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
