"""What a submit costs the database (#20 d): a fixed number of statements, so a change that adds
one fails here and says so. The request is "Skicka ansökan" on the review page (POST
/ansokan/<pk>/granska/ with the development signing), as 50 applicants send it in bench stage d.

It must still do all of this: record the signature, freeze the declaration, choose the owner
(in the same UPDATE that makes it submitted: a case never sits without one), append the event,
keep the queue's counts, and hand the application to the robot once, after the commit.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.eid import EidIdentity
from accounts.models import User
from accounts.services import applicant_get_or_create
from intake.models import Application, ApplicationEvent, Signature
from intake.states import Status
from tests.builders import client_for

pytestmark = pytest.mark.as_of("2026-11-18T10:00")

# Per statement, in order (SQLite inside the test's transaction, so each atomic block is a
# savepoint and its release; on PostgreSQL the outermost is BEGIN/COMMIT instead):
#  1 the session, 2 the user (middleware)
#  3 the draft (the access door)
#  4 the signer's running signing orders (one read: reuse and cancel)
#  5 members, 6 incomes: the declaration, read once (signed, frozen, the partner found in it)
#  7 savepoint (the submit), 8 savepoint (application_submit)
#  9 the signature: one INSERT … ON CONFLICT DO UPDATE
# 10 the municipality
# 11 the caseworkers' weighted loads, 12 this case's facts, 13 last month's owner (the
#    caseworkers, their ceilings and absences come from the cached reference data)
# 14 savepoint (the transition), 15 savepoint (the counted UPDATE)
# 16 the UPDATE (status, owner, declaration), 17 the case's queue facts, 18 the count's
#    upsert, 19 the case's count entry (the queue counts, caseworker.workbench.queue_counts)
# 20 release, 21 the event, 22-24 releases
# 25 savepoint, 26 the session saved, 27 release
SUBMIT_STATEMENTS = 27


def _applicant(number: str, name: str) -> User:
    return applicant_get_or_create(identity=EidIdentity(number, name, "Testsson"))


def test_a_submit_costs_a_fixed_number_of_statements(
    make_draft: Callable[..., Application],
    applicant: User,
    caseworker: User,
    robot_calls: list[int],
    django_capture_on_commit_callbacks: Callable,
) -> None:
    other = _applicant("200607092384", "Bilal")
    warm, measured = make_draft(other), make_draft(applicant)
    # Logged in before any submit: a login saves the user, which renews the cached reference.
    warm_client, client = client_for(other), client_for(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        warm_client.post(reverse("intake:step_review", args=[warm.pk]), {"declaration": "on"})

    with (
        CaptureQueriesContext(connection) as statements,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("intake:step_review", args=[measured.pk]), {"declaration": "on"}
        )

    assert response.status_code == 302
    sent = "\n".join(f"{n} {q['sql'][:150]}" for n, q in enumerate(statements.captured_queries, 1))
    assert len(statements) == SUBMIT_STATEMENTS, sent
    measured.refresh_from_db()
    assert measured.status == Status.SUBMITTED
    assert measured.owner == caseworker
    assert measured.declaration["members"][0]["personnummer"] == applicant.personnummer
    assert Signature.objects.filter(application=measured, signed_at__isnull=False).count() == 1
    assert ApplicationEvent.objects.filter(
        application=measured, to_status=Status.SUBMITTED
    ).exists()
    assert robot_calls == [warm.pk, measured.pk]  # once each, after the commit


def test_the_cached_owner_reference_is_renewed_when_a_caseworker_leaves(
    make_draft: Callable[..., Application],
    applicant: User,
    caseworker: User,
    make_staff: Callable[..., User],
    trelleborg: object,
    robot_calls: list[int],
    django_capture_on_commit_callbacks: Callable,
) -> None:
    """The reference data is cached, not stale: an account deactivated after a submit never
    gets the next case."""
    from accounts.models import Role

    other = _applicant("200607092384", "Bilal")
    first, second = make_draft(other), make_draft(applicant)
    colleague = make_staff("kollega", Role.CASEWORKER, trelleborg)
    first_client, second_client = client_for(other), client_for(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        first_client.post(reverse("intake:step_review", args=[first.pk]), {"declaration": "on"})
    first.refresh_from_db()
    # The one without a case would get the next: they leave.
    staying = first.owner
    leaving = colleague if staying == caseworker else caseworker
    leaving.is_active = False
    leaving.save(update_fields=["is_active"])

    with django_capture_on_commit_callbacks(execute=True):
        second_client.post(reverse("intake:step_review", args=[second.pk]), {"declaration": "on"})

    second.refresh_from_db()
    assert second.status == Status.SUBMITTED
    assert second.owner == staying


@pytest.mark.parametrize(
    "change",
    ["user", "ceiling", "absence"],
)
def test_every_process_reads_the_reference_again_after_a_change(
    caseworker: User, trelleborg: object, change: str
) -> None:
    """Other web processes keep their own copy: a change anywhere gives the shared cache a new
    generation token, and a process whose copy has another token reads again."""
    from datetime import date

    from caseworker.caseload.ownership import owner_reference, owner_reference_generation
    from caseworker.models.caseload import CaseworkerProfile
    from meetings.models import Absence

    day = date(2026, 11, 18)
    before = owner_reference_generation()
    assert owner_reference(caseworker.municipality_id, day).absent == frozenset()
    if change == "user":
        caseworker.may_handle_protected = True
        caseworker.save(update_fields=["may_handle_protected"])
    elif change == "ceiling":
        CaseworkerProfile.objects.update_or_create(
            user=caseworker, defaults={"caseload_ceiling": 5}
        )
    else:
        Absence.objects.create(secretary=caseworker, start=day, end=day)
    assert owner_reference_generation() != before
