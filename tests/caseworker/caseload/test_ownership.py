"""Every case has a named owner (#7): the database refuses a submitted case without one; new
cases are assigned by weighted caseload under a ceiling, continuity first; absence moves
cases, reminders and referrals to a named stand-in and back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from accounts.models import Municipality, Role, User
from caseworker.caseload.ownership import CaseFacts, case_weight, caseloads, owner_choose_weighted
from caseworker.caseload.ownership import owner_for_new_case as owner_for_new_case_weighted
from caseworker.caseload.stand_ins import StandInRefused, caseworker_absence_record, stand_ins_apply
from caseworker.models import JournalEntry
from caseworker.models.caseload import (
    AlertKind,
    CaseMove,
    CaseworkerProfile,
    OwnershipSettings,
    Referral,
    Reminder,
    StaffAlert,
)
from eligibility.models import CaseWarning
from intake import services as intake
from intake.events import owner_for_new_case
from intake.models import Application, ApplicationKind
from intake.states import Status
from meetings.models import Absence
from tests.builders import WEDNESDAY, applicant_make, case_make

# On the suite's working Wednesday morning, from before the first fixture runs.
pytestmark = pytest.mark.usefixtures("frozen_wednesday")

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def anna(make_staff: Callable[..., User], trelleborg: Municipality) -> User:
    return make_staff("anna", Role.CASEWORKER, trelleborg)


@pytest.fixture
def bo(make_staff: Callable[..., User], trelleborg: Municipality) -> User:
    return make_staff("bo", Role.CASEWORKER, trelleborg)


@pytest.fixture
def lead(make_staff: Callable[..., User], trelleborg: Municipality) -> User:
    return make_staff("ledare", Role.TEAM_LEAD, trelleborg)


# --- The owner is a database rule ---------------------------------------------------------------


def test_a_submitted_case_without_owner_is_refused_by_the_database_on_update(
    trelleborg: Municipality, anna: User
) -> None:
    case = case_make(trelleborg, anna)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=case.pk).update(owner=None)


def test_a_submitted_case_without_owner_is_refused_by_the_database_on_save(
    trelleborg: Municipality, anna: User
) -> None:
    case = case_make(trelleborg, anna)
    case.owner = None
    with pytest.raises(IntegrityError), transaction.atomic():
        case.save()


def test_creating_a_submitted_case_without_owner_is_refused_by_the_database(
    trelleborg: Municipality,
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        case_make(trelleborg, None)


def test_a_draft_is_not_a_case_yet_and_has_no_owner_until_submitted(
    make_draft: Callable[..., Application],
    anna: User,
    secretary: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    applicant = applicant_make()
    draft = make_draft(applicant)
    assert draft.owner_id is None
    with django_capture_on_commit_callbacks(execute=False):
        intake.application_submit(application=draft, applicant=applicant)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED and draft.owner_id == anna.pk


# --- Weights --------------------------------------------------------------------------------------


def test_case_weight_adds_what_makes_a_case_heavier() -> None:
    assert case_weight(CaseFacts()) == Decimal("1.0")
    assert case_weight(CaseFacts(first_application=True)) == Decimal("1.5")
    assert case_weight(CaseFacts(open_warnings=2)) == Decimal("1.5")
    assert case_weight(CaseFacts(open_warnings=9)) == Decimal("2.0")  # at most four count
    assert case_weight(
        CaseFacts(children=True, protected_identity=True, interpreter=True)
    ) == Decimal("3.0")


def test_caseload_is_the_sum_of_open_case_weights(
    trelleborg: Municipality, anna: User, bo: User
) -> None:
    heavy = case_make(trelleborg, anna, kind=ApplicationKind.NEW, children=2, protected=True)
    CaseWarning.objects.create(application=heavy, kind="new_cost", key="a", message="x")
    case_make(trelleborg, anna, status=Status.APPROVED)  # closed: does not count
    case_make(trelleborg, bo)
    case_make(trelleborg, bo)
    loads = caseloads(trelleborg.pk)
    # 1 + 0.5 (first) + 0.5 (children) + 1 (protected) + 0.25 (one open warning)
    assert loads[anna.pk].load == Decimal("3.25") and loads[anna.pk].cases == 1
    assert loads[bo.pk].load == Decimal("2.0") and loads[bo.pk].cases == 2


def test_the_database_sum_is_case_weight_for_every_kind_of_case(
    trelleborg: Municipality, anna: User, bo: User, secretary: User
) -> None:
    from caseworker.caseload.ownership import application_facts
    from meetings.models import Meeting

    cases = [
        case_make(trelleborg, anna),
        case_make(trelleborg, anna, kind=ApplicationKind.NEW),
        case_make(trelleborg, anna, children=3, protected=True),
        case_make(trelleborg, bo, kind=ApplicationKind.NEW, children=1),
        case_make(trelleborg, bo, status=Status.NEEDS_MANUAL),
    ]
    for n in range(6):  # more open warnings than count (four at most)
        CaseWarning.objects.create(application=cases[0], kind="new_cost", key=f"k{n}", message="x")
    CaseWarning.objects.create(application=cases[3], kind="new_cost", key="a", message="x")
    Application.objects.filter(pk=cases[1].pk).update(emergency_eviction_notice=True)
    Meeting.objects.create(
        municipality=trelleborg,
        secretary=secretary,
        application=cases[4],
        starts_at=datetime(2026, 11, 19, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm")),
        ends_at=datetime(2026, 11, 19, 9, 45, tzinfo=ZoneInfo("Europe/Stockholm")),
        interpreter_language="arabiska",
    )
    expected: dict[int, Decimal] = {}
    for case in cases:
        case.refresh_from_db()
        weight = case_weight(application_facts(case))
        expected[case.owner_id] = expected.get(case.owner_id, Decimal(0)) + weight
    loads = caseloads(trelleborg.pk)
    assert {pk: loads[pk].load for pk in expected} == expected
    assert (loads[anna.pk].cases, loads[bo.pk].cases) == (3, 2)
    # 1 + 4 × 0.25 (four of six warnings) + 1 + 0.5 (first) + 0.5 (emergency)
    # + 1 + 0.5 (children) + 1 (protected)
    assert loads[anna.pk].load == Decimal("6.5")


def test_a_new_case_goes_to_the_lower_weighted_load_not_the_fewer_cases(
    trelleborg: Municipality, anna: User, bo: User
) -> None:
    case_make(trelleborg, anna, kind=ApplicationKind.NEW, children=1, protected=True)  # 3.0
    case_make(trelleborg, bo)
    case_make(trelleborg, bo)  # 2.0 in two cases
    new = case_make(trelleborg, anna, status=Status.DRAFT)
    assert owner_choose_weighted(municipality=trelleborg, application=new) == bo


def test_assignment_respects_each_caseworkers_ceiling(
    trelleborg: Municipality, anna: User, bo: User
) -> None:
    CaseworkerProfile.objects.create(user=anna, caseload_ceiling=Decimal("2"))
    case_make(trelleborg, anna)  # anna 1.0 of 2
    for _ in range(3):
        case_make(trelleborg, bo)  # bo 3.0 of 35
    draft = case_make(trelleborg, None, status=Status.DRAFT, kind=ApplicationKind.NEW)
    # The new case weighs 1.5: anna would reach 2.5 > 2, so bo gets it although he has more.
    assert owner_choose_weighted(municipality=trelleborg, application=draft) == bo
    assert not StaffAlert.objects.exists()


def test_when_everyone_is_at_the_ceiling_the_least_loaded_gets_it_and_team_leads_are_alerted(
    trelleborg: Municipality, anna: User, bo: User, lead: User
) -> None:
    OwnershipSettings.objects.create(municipality=trelleborg, default_ceiling=Decimal("2"))
    case_make(trelleborg, anna)
    case_make(trelleborg, anna)
    case_make(trelleborg, bo)
    case_make(trelleborg, bo)
    case_make(trelleborg, bo)
    draft = case_make(trelleborg, None, status=Status.DRAFT)
    assert owner_choose_weighted(municipality=trelleborg, application=draft) == anna
    alert = StaffAlert.objects.get()
    assert alert.kind == AlertKind.CEILING_EXCEEDED and alert.recipient == lead
    assert "Anna" in alert.text


def test_continuity_gives_the_renewal_to_last_months_caseworker(
    trelleborg: Municipality, anna: User, bo: User
) -> None:
    applicant = applicant_make()
    october = case_make(
        trelleborg, bo, applicant=applicant, month=date(2026, 10, 1), status=Status.APPROVED
    )
    case_make(trelleborg, bo)
    case_make(trelleborg, bo)  # bo is busier than anna ...
    renewal = case_make(
        trelleborg, None, applicant=applicant, status=Status.DRAFT, previous=october
    )
    assert owner_choose_weighted(municipality=trelleborg, application=renewal) == bo  # ... but


def test_continuity_gives_way_to_the_ceiling(
    trelleborg: Municipality, anna: User, bo: User
) -> None:
    CaseworkerProfile.objects.create(user=bo, caseload_ceiling=Decimal("2"))
    applicant = applicant_make()
    october = case_make(
        trelleborg, bo, applicant=applicant, month=date(2026, 10, 1), status=Status.APPROVED
    )
    case_make(trelleborg, bo)
    case_make(trelleborg, bo)
    renewal = case_make(
        trelleborg, None, applicant=applicant, status=Status.DRAFT, previous=october
    )
    assert owner_choose_weighted(municipality=trelleborg, application=renewal) == anna


def test_an_absent_caseworker_gets_no_new_cases(
    trelleborg: Municipality, anna: User, bo: User
) -> None:
    case_make(trelleborg, bo)
    Absence.objects.create(secretary=anna, start=date(2026, 11, 16), end=date(2026, 11, 20))
    assert owner_choose_weighted(municipality=trelleborg) == bo


def test_a_protected_identity_goes_only_to_staff_allowed_to_handle_it(
    trelleborg: Municipality, anna: User, bo: User
) -> None:
    bo.may_handle_protected = True
    bo.save(update_fields=["may_handle_protected"])
    case_make(trelleborg, bo)
    case_make(trelleborg, bo)
    draft = case_make(trelleborg, None, status=Status.DRAFT, protected=True)
    assert owner_choose_weighted(municipality=trelleborg, application=draft) == bo


def test_intake_asks_the_caseload_who_owns_a_new_case(
    trelleborg: Municipality, anna: User, bo: User
) -> None:
    """intake never imports the caseload: it asks `owner_for_new_case`, which the weighted
    choice answers (subscribed in caseworker.apps); another answer could take its place."""
    assert owner_for_new_case.handlers == (owner_for_new_case_weighted,)
    with owner_for_new_case.overridden(lambda query: User.objects.get(username="bo")):
        assert intake.owner_choose(municipality=trelleborg) == bo


# --- Absence and stand-ins ------------------------------------------------------------------------


def test_absence_moves_cases_reminders_and_referrals_to_the_stand_in_and_back(
    trelleborg: Municipality,
    anna: User,
    bo: User,
    lead: User,
    secretary: User,
    frozen_wednesday: time_machine.Traveller,
) -> None:
    own = case_make(trelleborg, anna)
    other = case_make(trelleborg, anna)
    closed = case_make(trelleborg, anna, status=Status.APPROVED)
    bos = case_make(trelleborg, bo)
    reminder = Reminder.objects.create(
        application=own, owner=anna, due_on=date(2026, 11, 19), text="Ring", created_by=anna
    )
    referral = Referral.objects.create(
        application=bos,
        direction="work_to_social",
        from_owner=secretary,
        to_owner=anna,
        reason="Behöver stöd",
        acknowledge_by=WEDNESDAY + timedelta(hours=24),
    )
    record = caseworker_absence_record(
        caseworker=anna, start=date(2026, 11, 18), end=date(2026, 11, 20), stand_in=bo, by=lead
    )
    for case in (own, other):
        case.refresh_from_db()
        assert case.owner == bo
        assert (
            CaseMove.objects.get(application=case, returned_at__isnull=True).original_owner == anna
        )
    closed.refresh_from_db()
    assert closed.owner == anna
    reminder.refresh_from_db()
    referral.refresh_from_db()
    assert reminder.owner == bo and referral.to_owner == bo
    assert JournalEntry.objects.filter(application=own, text__contains="flyttat till Bo").exists()

    # While she is away one case is decided and one is given to someone else by hand.
    Application.objects.filter(pk=other.pk).update(status=Status.APPROVED)
    frozen_wednesday.move_to(datetime(2026, 11, 23, 7, 0, tzinfo=STOCKHOLM))  # Monday after
    assert stand_ins_apply() == {"moved": 0, "returned": 1, "alerts": 0}
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.owner == anna and other.owner == bo
    assert JournalEntry.objects.filter(
        application=own, text__contains="tillbaka till Anna"
    ).exists()
    reminder.refresh_from_db()
    referral.refresh_from_db()
    assert reminder.owner == anna and reminder.moved_from is None
    assert referral.to_owner == anna
    record.refresh_from_db()
    assert record.returned_at is not None
    assert stand_ins_apply() == {"moved": 0, "returned": 0, "alerts": 0}  # safe twice


def test_an_absence_that_starts_later_moves_cases_on_its_first_day(
    trelleborg: Municipality,
    anna: User,
    bo: User,
    lead: User,
    frozen_wednesday: time_machine.Traveller,
) -> None:
    case = case_make(trelleborg, anna)
    caseworker_absence_record(
        caseworker=anna, start=date(2026, 11, 23), end=date(2026, 11, 24), stand_in=bo, by=lead
    )
    case.refresh_from_db()
    assert case.owner == anna
    frozen_wednesday.move_to(datetime(2026, 11, 23, 0, 10, tzinfo=STOCKHOLM))
    assert stand_ins_apply()["moved"] == 1
    case.refresh_from_db()
    assert case.owner == bo


@pytest.mark.parametrize("who", ["self", "absent", "secretary"])
def test_an_absence_needs_a_stand_in_who_can_take_the_cases(
    who: str, trelleborg: Municipality, anna: User, bo: User, lead: User, secretary: User
) -> None:
    if who == "absent":
        Absence.objects.create(secretary=bo, start=date(2026, 11, 19), end=date(2026, 11, 30))
    stand_in = {"self": anna, "absent": bo, "secretary": secretary}[who]
    with pytest.raises(StandInRefused):
        caseworker_absence_record(
            caseworker=anna,
            start=date(2026, 11, 18),
            end=date(2026, 11, 20),
            stand_in=stand_in,
            by=lead,
        )
    assert not Absence.objects.filter(secretary=anna).exists()


def test_a_caseworker_away_without_a_stand_in_alerts_the_team_lead(
    trelleborg: Municipality, anna: User, lead: User
) -> None:
    case_make(trelleborg, anna)
    Absence.objects.create(secretary=anna, start=date(2026, 11, 18), end=date(2026, 11, 19))
    assert stand_ins_apply()["alerts"] == 1
    assert StaffAlert.objects.get().kind == AlertKind.ABSENCE_WITHOUT_STAND_IN
    assert stand_ins_apply()["alerts"] == 0
