"""Retention (gallring): what is past its period is anonymised or deleted; a dry run lists it
(T69)."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from accounts.models import User
from caseworker.audit.log import access_denial_record, access_log_record, journal_write
from caseworker.audit.retention import (
    ANONYMISE,
    NO_PERSONAL_DATA,
    models_pointing_at_applications,
    retention_plan,
    retention_run,
)
from caseworker.models import AccessAction, AccessDenial, AccessLog, JournalEntry
from eligibility.models import HouseholdLink, RegisteredResident, RegisterSnapshot
from intake.documents.attachments import attachment_upload, stored_path
from intake.models import Application, HouseholdMember
from tests.conftest import PNR_ALVA, PNR_BILAL
from tests.security.test_logging import PNR_SHAPE

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def old_case(submitted_application: Application, caseworker: User, settings) -> Application:
    """Alva's case from November 2026 with a document, a journal entry and an access."""
    settings.ATTACHMENT_ALLOW_UNSCANNED = True
    attachment_upload(
        application=submitted_application,
        kind="rent",
        file=SimpleUploadedFile("hyra.pdf", PDF),
        uploaded_by=submitted_application.applicant,
    )
    journal_write(application=submitted_application, text=f"Ringde {PNR_ALVA}", author=caseworker)
    access_log_record(
        user=caseworker, application=submitted_application, action=AccessAction.VIEW_CASE
    )
    return submitted_application


def test_every_model_pointing_at_an_application_is_classified_for_retention(db: None) -> None:
    """A new model holding case data must say how retention treats it."""
    unclassified = models_pointing_at_applications() - set(ANONYMISE) - NO_PERSONAL_DATA
    assert unclassified == set()


def test_a_case_within_its_period_is_kept(old_case: Application) -> None:
    with time_machine.travel("2031-11-01 03:00 +01:00", tick=False):  # under five years later
        plan = retention_run()
    assert plan.cases == []
    old_case.refresh_from_db()
    assert old_case.retention_anonymised_at is None
    assert old_case.members.get().personnummer == PNR_ALVA


def test_the_dry_run_lists_what_would_go_and_changes_nothing(old_case: Application) -> None:
    with time_machine.travel("2031-12-01 03:00 +01:00", tick=False):
        plan = retention_run(dry_run=True)
        assert [case.reference for case in plan.cases] == [old_case.reference]
        assert plan.access_log_rows == 1
        out = StringIO()
        call_command("retention_run", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "TORRKÖRNING" in text and old_case.reference in text
    assert "1 ansökningar avidentifieras" in text and ": 1 tas bort" in text
    assert not PNR_SHAPE.search(text)
    old_case.refresh_from_db()
    assert old_case.retention_anonymised_at is None
    assert old_case.members.get().personnummer == PNR_ALVA
    assert AccessLog.objects.count() == 1


def test_a_case_past_its_period_is_anonymised(
    old_case: Application, django_capture_on_commit_callbacks: Callable
) -> None:
    attachment = old_case.attachments.get()
    path = stored_path(attachment)
    assert path.exists()
    applicant = old_case.applicant
    with (
        time_machine.travel("2031-12-01 03:00 +01:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),  # files go after commit
    ):
        retention_run()
    old_case.refresh_from_db()
    assert old_case.retention_anonymised_at is not None
    member = old_case.members.get()
    assert member.name == "[gallrad]" and member.personnummer == f"G{member.pk:011d}"
    assert old_case.declaration == {}
    assert JournalEntry.objects.get(application=old_case).text == "[gallrad]"
    attachment.refresh_from_db()
    assert attachment.original_name == "[gallrad]" and not path.exists()
    snapshots = RegisterSnapshot.objects.filter(application=old_case)
    assert snapshots.exists() and not snapshots.exclude(payload={}).exists()
    assert old_case.history.count() == 0  # the copies in the change history went too
    applicant.refresh_from_db()
    assert applicant.personnummer == f"G{applicant.pk:011d}"
    assert (applicant.first_name, applicant.is_active, applicant.has_usable_password()) == (
        "",
        False,
        False,
    )
    # What remains holds no personnummer anywhere.
    assert not HouseholdMember.objects.filter(personnummer=PNR_ALVA).exists()
    assert not User.objects.filter(personnummer=PNR_ALVA).exists()
    # Statistics stay: status, month and amounts.
    assert old_case.status and old_case.rent is not None


def test_access_log_rows_past_their_own_period_are_deleted(old_case: Application) -> None:
    with time_machine.travel("2028-11-19 03:00 +01:00", tick=False):  # two years and a day
        plan = retention_run()
    assert plan.cases == []  # the case itself is still kept
    assert AccessLog.objects.count() == 0


def _denial(user: User, at: str) -> AccessDenial:
    with time_machine.travel(at, tick=False):
        return access_denial_record(
            user=user, url_name="caseworker:case_detail", path="/x/1/", object_id="1", status=404
        )


def test_access_denial_rows_go_with_the_access_logs_period(
    old_case: Application, caseworker: User
) -> None:
    """Denials are kept exactly as long as the access log (RETENTION_ACCESS_LOG_YEARS)."""
    old = _denial(caseworker, "2026-11-18 10:00 +01:00")
    recent = _denial(caseworker, "2027-06-01 10:00 +02:00")
    with time_machine.travel("2028-11-19 03:00 +01:00", tick=False):  # two years and a day
        plan = retention_plan()
        assert (plan.access_log_rows, plan.access_denial_rows) == (1, 1)
        assert "Nekade åtkomster äldre än 2026-11-19: 1 tas bort" in plan.lines()
        retention_run()
    assert list(AccessDenial.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AccessDenial.objects.filter(pk=old.pk).exists()
    assert AccessLog.objects.count() == 0


def test_the_dry_run_keeps_access_denials(old_case: Application, caseworker: User) -> None:
    _denial(caseworker, "2026-11-18 10:00 +01:00")
    with time_machine.travel("2028-11-19 03:00 +01:00", tick=False):
        assert retention_run(dry_run=True).access_denial_rows == 1
    assert AccessDenial.objects.count() == 1


def test_the_periods_are_configurable(old_case: Application, settings) -> None:
    settings.RETENTION_CASE_YEARS = 1
    with time_machine.travel("2027-12-01 03:00 +01:00", tick=False):
        assert [c.reference for c in retention_plan().cases] == [old_case.reference]


def test_a_recent_entry_anywhere_in_the_personakt_keeps_all_of_it(
    old_case: Application, caseworker: User, make_draft: Callable[..., Application]
) -> None:
    with time_machine.travel("2030-06-01 10:00 +02:00", tick=False):
        journal_write(application=old_case, text="Ny kontakt.", author=caseworker)
    with time_machine.travel("2031-12-01 03:00 +01:00", tick=False):
        assert retention_plan().cases == []


def test_only_the_due_applicants_akt_goes(
    old_case: Application, other_applicant: User, make_draft: Callable[..., Application]
) -> None:
    with time_machine.travel("2029-01-10 10:00 +01:00", tick=False):
        newer = make_draft(other_applicant)
    with time_machine.travel("2031-12-01 03:00 +01:00", tick=False):
        retention_run()
    newer.refresh_from_db()
    assert newer.retention_anonymised_at is None
    assert newer.members.get().personnummer == PNR_BILAL


def test_running_twice_changes_nothing_more(old_case: Application) -> None:
    with time_machine.travel("2031-12-01 03:00 +01:00", tick=False):
        first = retention_run()
        second = retention_run()
    assert len(first.cases) == 1 and second.cases == []


def test_a_household_link_and_the_registered_residents_go_with_their_cases(
    make_draft: Callable[..., Application],
    other_applicant: User,
    request: pytest.FixtureRequest,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    """A link between two applications (#16 item 3) holds the caseworker's reason about the
    household: it goes with the first case past its period, whichever side that case is on. The
    personnummer the robot kept of people registered in the household go as well."""
    earlier = make_draft(other_applicant)  # made first: the lower id, the link's first side
    old_case = request.getfixturevalue("old_case")
    link = HouseholdLink.objects.create(
        first=earlier, second=old_case, who="registered", reason=f"Bor hos {PNR_BILAL}."
    )
    resident = RegisteredResident.objects.create(
        application=old_case, personnummer=PNR_BILAL, relation="partner"
    )
    with (
        time_machine.travel("2031-12-01 03:00 +01:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        retention_run()
    link.refresh_from_db()
    assert link.reason == "[gallrad]"
    resident.refresh_from_db()
    assert resident.personnummer == f"G{resident.pk:011d}"
