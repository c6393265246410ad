"""The one door for reading applications. Every view that shows case data goes through here.

Applicants see only their own applications; staff only their municipality's; everyone else gets
404 (never a hint that the object exists).
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.access import door, handles_cases, is_active_user, is_applicant, may_handle_protected
from accounts.mandates import principals_of
from accounts.models import Role, User
from intake.models import Application
from intake.states import Status


@door
def applications_visible_to(user: User) -> QuerySet[Application]:
    """One query in every branch (the mandate check is a subquery).

    - An applicant sees their own applications and, while a mandate is active (not before
      `valid_from`, not after `valid_until`, not revoked), those of the people they represent.
    - Staff see their municipality's submitted applications, except cases with skyddade
      personuppgifter unless they are allowed to handle them (`may_handle_protected`).
    """
    if not user.is_authenticated or not user.is_active:
        return Application.objects.none()
    if user.role == Role.APPLICANT:
        represented = principals_of(representative=user).values("principal_personnummer")
        return Application.objects.filter(
            Q(applicant=user) | Q(applicant__personnummer__in=represented)
        )
    if user.role in (Role.CASEWORKER, Role.TEAM_LEAD) and user.municipality_id:
        visible = Application.objects.filter(municipality_id=user.municipality_id).submitted()
        if not user.may_handle_protected:
            visible = visible.filter(protected_identity=False)
        return visible
    return Application.objects.none()


@door
def access_application(
    user: User, pk: int, queryset: QuerySet[Application] | None = None
) -> Application:
    qs = applications_visible_to(user)
    if queryset is not None:
        qs = qs & queryset
    application = qs.filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


@door
def applications_as_partner(user: User) -> QuerySet[Application]:
    """Joint applications where `user` is the declared partner (they sign with their own
    e-ID and follow the application). Withdrawn ones are not shown, and a draft only once the
    applicant has signed it and asked this partner to sign (a signature row for them exists):
    before that a typo in a personnummer would show a stranger someone's finances (#14)."""
    if not user.is_authenticated or not user.is_active or user.role != Role.APPLICANT:
        return Application.objects.none()
    if not user.personnummer:
        return Application.objects.none()
    return (
        Application.objects.filter(members__role="partner", members__personnummer=user.personnummer)
        .filter(~Q(status=Status.DRAFT) | Q(signatures__personnummer=user.personnummer))
        .exclude(applicant=user)
        .exclude(status="withdrawn")
        .distinct()
    )


@door
def access_application_as_partner(user: User, pk: int) -> Application:
    application = applications_as_partner(user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


@door
def access_registered_draft(user: User, pk: int) -> Application:
    """A draft a caseworker is registering with (or for) an applicant: only their own, in their
    municipality (staff never see other people's drafts)."""
    if (
        not user.is_authenticated
        or not user.is_active
        or not user.handles_cases
        or user.municipality_id is None
    ):
        raise Http404
    qs = Application.objects.filter(
        pk=pk, status=Status.DRAFT, assisted_by=user, municipality_id=user.municipality_id
    )
    if not user.may_handle_protected:
        qs = qs.filter(protected_identity=False)
    application = qs.first()
    if application is None:
        raise Http404
    return application


# --- object rules (django `rules`): the same decisions for one object in hand ----------------
# `user.has_perm("intake.view_application", application)` agrees with
# `applications_visible_to(user)` (tests/security/test_door.py checks the two against each other).


@rules.predicate
def is_own_application(user: User, application: Application) -> bool:
    return application.applicant_id == user.pk


@rules.predicate
def represents_the_applicant(user: User, application: Application) -> bool:
    return (
        principals_of(representative=user)
        .filter(principal_personnummer=application.applicant.personnummer)
        .exists()
    )


@rules.predicate
def in_the_caseworkers_unit(user: User, application: Application) -> bool:
    return (
        application.municipality_id == user.municipality_id and application.status != Status.DRAFT
    )


@rules.predicate
def protected_identity(user: User, application: Application) -> bool:
    return bool(application.protected_identity)


rules.add_perm(
    "intake.view_application",
    is_active_user
    & (
        (is_applicant & (is_own_application | represents_the_applicant))
        | (handles_cases & in_the_caseworkers_unit & (~protected_identity | may_handle_protected))
    ),
)
